"""Sources and their health."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from db.sources import SourceNotFoundError, list_sources, schedule_now
from service.api.deps import ReadSession, WriteSession
from service.api.schemas import SourceOut
from service.source_health import health_of

router = APIRouter(prefix="/api/v1/sources", tags=["sources"])


@router.get("", response_model=list[SourceOut])
def sources(
    session: ReadSession,
    unhealthy: Annotated[bool, Query(description="Only failing or quiet sources.")] = False,
) -> list[SourceOut]:
    """Every source: last success, last error, error streak, items found, next check."""
    now = datetime.now(UTC)
    rows = [health_of(source, now=now) for source in list_sources(session)]
    return [SourceOut(**asdict(row)) for row in rows if row.unhealthy or not unhealthy]


@router.post("/{source_id}/collect", status_code=202)
def collect_now(source_id: int, session: WriteSession) -> dict[str, str]:
    """Make the source due: the scheduler collects it at its next tick."""
    try:
        schedule_now(session, source_id=source_id)
    except SourceNotFoundError as error:
        raise HTTPException(404, str(error)) from None
    return {"status": "scheduled"}
