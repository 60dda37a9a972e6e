"""Source rows: seeding, what is due, and the health recorded after every fetch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.orm import Session, selectinload

from db.models import Source
from db.upsert import insert_ignore


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source as written in the seed file or given on the command line."""

    name: str
    kind: str
    url: str
    outlet: str | None = None
    pages: str = "all"


def seed_sources(session: Session, *, specs: list[SourceSpec], outlet_ids: dict[str, int]) -> int:
    """Add the sources that are not stored yet (by URL); stored ones keep their edits, and
    one whose name another source has taken is left out."""
    added = 0
    for spec in specs:
        new_id = insert_ignore(
            session,
            Source.__table__,  # type: ignore[arg-type]
            {
                "name": spec.name,
                "kind": spec.kind,
                "url": spec.url,
                "outlet_id": outlet_ids.get(spec.outlet) if spec.outlet else None,
                "pages": spec.pages,
                "enabled": True,
            },
            conflict=None,
        )
        added += new_id is not None
    return added


def due_sources(session: Session, *, now: datetime, limit: int | None = None) -> list[Source]:
    """Enabled sources whose next check has come, longest waiting first, with their
    outlets."""
    query = (
        select(Source)
        .options(selectinload(Source.outlet))
        .where(Source.enabled.is_(True))
        .where(or_(Source.next_check_at.is_(None), Source.next_check_at <= now))
        .order_by(Source.next_check_at.asc().nulls_first(), Source.id)
        .limit(limit)
    )
    return list(session.scalars(query))


_SOURCES = cast(Table, Source.__table__)


def _success_statement(*, with_item: bool, with_entry: bool) -> Any:
    values: dict[str, Any] = {
        "last_checked_at": bindparam("now"),
        "last_success_at": bindparam("now"),
        "last_error": None,
        "error_count": 0,
        "next_check_at": bindparam("next_check_at"),
        "etag": bindparam("etag"),
        "last_modified": bindparam("last_modified"),
        "items_found": _SOURCES.c.items_found + bindparam("new_items"),
        "entries_found": _SOURCES.c.entries_found + bindparam("new_entries"),
    }
    if with_item:
        values["last_item_at"] = bindparam("now")
    if with_entry:
        values["last_entry_at"] = bindparam("newest_entry_at")
    return update(_SOURCES).where(_SOURCES.c.id == bindparam("source_id")).values(**values)


# Built once, on the table: every source of a collection records its success, and building
# the statement anew (or the ORM's bulk-update path) cost more than running it.
_SUCCESS = {
    (with_item, with_entry): _success_statement(with_item=with_item, with_entry=with_entry)
    for with_item in (False, True)
    for with_entry in (False, True)
}


def record_success(
    session: Session,
    *,
    source_id: int,
    now: datetime,
    next_check_at: datetime,
    etag: str | None,
    last_modified: str | None,
    new_items: int,
    new_entries: int,
    newest_entry_at: datetime | None,
) -> None:
    """``new_items``: stored with a mention; ``new_entries``: published since the fetch
    before, the newest at ``newest_entry_at``."""
    session.execute(
        _SUCCESS[bool(new_items), bool(new_entries)],
        {
            "source_id": source_id,
            "now": now,
            "next_check_at": next_check_at,
            "etag": etag,
            "last_modified": last_modified,
            "new_items": new_items,
            "new_entries": new_entries,
            "newest_entry_at": newest_entry_at,
        },
    )


def record_failure(
    session: Session, *, source_id: int, now: datetime, error: str, next_check_at: datetime
) -> None:
    session.execute(
        update(Source)
        .where(Source.id == source_id)
        .values(
            last_checked_at=now,
            last_error=error[:2000],
            error_count=Source.error_count + 1,
            next_check_at=next_check_at,
        )
    )


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name, Source.id)))


class SourceNotFoundError(LookupError):
    """No source with that id."""


def schedule_now(session: Session, *, source_id: int) -> None:
    """Make a source due at the next scheduler tick."""
    if session.get(Source, source_id) is None:
        raise SourceNotFoundError(f"no source with id {source_id}")
    session.execute(update(Source).where(Source.id == source_id).values(next_check_at=None))


def source_id_by_url(session: Session, *, url: str) -> int | None:
    return session.execute(select(Source.id).where(Source.url == url)).scalar_one_or_none()


def update_source(
    session: Session, *, source_id: int, outlet_id: int | None = None, **values: object
) -> Source:
    """Change a source's name, pages policy, enabled flag or outlet."""
    source = session.get(Source, source_id)
    if source is None:
        raise SourceNotFoundError(f"no source with id {source_id}")
    for key, value in values.items():
        setattr(source, key, value)
    if values.get("enabled") is True:
        source.next_check_at = None  # due at once
    if outlet_id is not None:
        source.outlet_id = outlet_id
    session.flush()
    return source
