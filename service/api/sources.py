"""Sources and their health."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Source
from db.outlets import outlet_ids
from db.source_edits import (
    SourceConflictError,
    SourceHasItemsError,
    UnknownOutletError,
    edit_source,
    ensure_name_free,
    remove_source,
)
from db.sources import (
    SourceNotFoundError,
    SourceSpec,
    list_sources,
    schedule_now,
    seed_sources,
    source_id_by_url,
)
from service.api.deps import ReadSession, WriteSession
from service.api.schemas import SourceIn, SourceUpdate
from service.source_health import SourceHealth, health_of

router = APIRouter(prefix="/api/v1/sources", tags=["sources"])


@router.get("", response_model=list[SourceHealth])
def sources(
    session: ReadSession,
    unhealthy: Annotated[bool, Query(description="Only failing or quiet sources.")] = False,
) -> list[SourceHealth]:
    """Every source: last success, last error, error streak, items found, next check."""
    now = datetime.now(UTC)
    rows = [health_of(source, now=now) for source in list_sources(session)]
    return [row for row in rows if row.unhealthy or not unhealthy]


def _out(session: Session, source_id: int) -> SourceHealth:
    source = session.get_one(Source, source_id)
    return health_of(source, now=datetime.now(UTC))


@router.post("", response_model=SourceHealth, status_code=201)
def create_source(body: SourceIn, session: WriteSession) -> SourceHealth:
    """Add a source; it is due at once."""
    known = outlet_ids(session)
    if body.outlet is not None and body.outlet not in known:
        raise HTTPException(422, f"unknown outlet {body.outlet!r}")
    spec = SourceSpec(
        name=body.name, kind=body.kind, url=str(body.url), outlet=body.outlet, pages=body.pages
    )
    try:
        ensure_name_free(session, body.name)
    except SourceConflictError as error:
        raise HTTPException(409, str(error)) from None
    if not seed_sources(session, specs=[spec], outlet_ids=known):
        raise HTTPException(409, "a source with that URL or name exists already")
    source_id = source_id_by_url(session, url=spec.url)
    assert source_id is not None
    return _out(session, source_id)


@router.patch(
    "/{source_id}",
    response_model=SourceHealth,
    responses={404: {"description": "No such source"}, 409: {"description": "Name or URL taken"}},
)
def change_source(source_id: int, body: SourceUpdate, session: WriteSession) -> SourceHealth:
    """Change a source's name, URL, kind, page policy or outlet, or enable or disable it.
    A new URL or kind makes it due at once."""
    try:
        edit_source(
            session,
            source_id=source_id,
            name=body.name,
            url=None if body.url is None else str(body.url),
            kind=body.kind,
            pages=body.pages,
            outlet=body.outlet,
            enabled=body.enabled,
        )
    except SourceNotFoundError as error:
        raise HTTPException(404, str(error)) from None
    except UnknownOutletError as error:
        raise HTTPException(422, str(error)) from None
    except SourceConflictError as error:
        raise HTTPException(409, str(error)) from None
    except IntegrityError:  # another request took the URL meanwhile
        raise HTTPException(409, "another source has that URL already") from None
    return _out(session, source_id)


@router.delete(
    "/{source_id}",
    status_code=204,
    response_class=Response,
    responses={
        404: {"description": "No such source"},
        409: {"description": "The source has items: disable it instead"},
    },
)
def delete_source(source_id: int, session: WriteSession) -> Response:
    """Remove a source that has no items. One with items is refused (409) so that counts
    stay reproducible: disable it instead."""
    try:
        remove_source(session, source_id=source_id)
    except SourceNotFoundError as error:
        raise HTTPException(404, str(error)) from None
    except SourceHasItemsError as error:
        raise HTTPException(409, str(error)) from None
    return Response(status_code=204)


@router.post("/{source_id}/collect", status_code=202)
def collect_now(source_id: int, session: WriteSession) -> dict[str, str]:
    """Make the source due: the scheduler collects it at its next tick."""
    try:
        schedule_now(session, source_id=source_id)
    except SourceNotFoundError as error:
        raise HTTPException(404, str(error)) from None
    return {"status": "scheduled"}
