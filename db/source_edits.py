"""Editing and removing sources, with the checks the CLI and the API share.

Names and URLs are unique among sources (the registry's promise); a source whose items
are stored is never removed, so that counts stay reproducible: it is disabled instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Item, Source
from db.outlets import outlet_ids
from db.sources import SourceNotFoundError, update_source


class SourceConflictError(ValueError):
    """Another source has that name or URL already."""


class SourceHasItemsError(ValueError):
    """The source has stored items: it can be disabled, not removed."""


class UnknownOutletError(ValueError):
    """No outlet of that name in the registry."""


def _ensure_free(
    session: Session, column: Any, value: str, what: str, *, source_id: int | None = None
) -> None:
    """Raise SourceConflictError when a source other than ``source_id`` has ``value``."""
    query = select(Source).where(column == value)
    if source_id is not None:
        query = query.where(Source.id != source_id)
    other = session.scalars(query.limit(1)).first()
    if other is not None:
        raise SourceConflictError(
            f"source {other.id} ({other.name}) has that {what} already: {value}"
        )


def ensure_name_free(session: Session, name: str) -> None:
    """Raise SourceConflictError when a source has this name already."""
    _ensure_free(session, Source.name, name, "name")


def edit_source(
    session: Session,
    *,
    source_id: int,
    name: str | None = None,
    url: str | None = None,
    kind: str | None = None,
    pages: str | None = None,
    outlet: str | None = None,
    enabled: bool | None = None,
) -> Source:
    """Change the given fields (None: unchanged; ``outlet`` by its registry name). A new
    URL or kind forgets the cache validators of the old one and makes the source due at
    once.

    Raises SourceNotFoundError, UnknownOutletError, or SourceConflictError when another
    source has the name or URL; nothing is changed then.
    """
    source = session.get(Source, source_id)
    if source is None:
        raise SourceNotFoundError(f"no source with id {source_id}")
    outlet_id = None
    if outlet is not None:
        outlet_id = outlet_ids(session).get(outlet)
        if outlet_id is None:
            raise UnknownOutletError(f"unknown outlet {outlet!r}")
    for column, value, what in ((Source.name, name, "name"), (Source.url, url, "URL")):
        if value is not None:
            _ensure_free(session, column, value, what, source_id=source_id)
    values: dict[str, object] = {
        key: value
        for key, value in (
            ("name", name),
            ("url", url),
            ("kind", kind),
            ("pages", pages),
            ("enabled", enabled),
        )
        if value is not None
    }
    if (url is not None and url != source.url) or (kind is not None and kind != source.kind):
        values |= {"etag": None, "last_modified": None, "next_check_at": None}
    return update_source(session, source_id=source_id, outlet_id=outlet_id, **values)


def remove_source(session: Session, *, source_id: int) -> str:
    """Delete a source without items; returns its name.

    Raises SourceNotFoundError, or SourceHasItemsError when items came from it (they
    stay, and so does the source).
    """
    # Locked first (PostgreSQL): an item being stored for the source meanwhile holds a
    # key-share lock on it, so it is either seen below or waits until the source is gone.
    source = session.scalars(
        select(Source).where(Source.id == source_id).with_for_update()
    ).one_or_none()
    if source is None:
        raise SourceNotFoundError(f"no source with id {source_id}")
    items = session.scalar(select(func.count()).where(Item.source_id == source_id))
    if items:
        raise SourceHasItemsError(
            f"source {source_id} ({source.name}) has {items} stored items and is not "
            "removed, so that counts stay reproducible; disable it instead"
        )
    name = source.name
    # The entries it looked at stay remembered (their source becomes NULL): other sources
    # list the same articles, which must not be fetched and judged anew.
    session.delete(source)
    session.flush()
    return name
