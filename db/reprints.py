"""Rows for reprint detection, and the automatic reprint links written back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from classifiers.reprints import reprint_text
from db.chunks import chunks
from db.models import Item, Outlet, ReprintLink


@dataclass(frozen=True, slots=True)
class ReprintRow:
    id: int
    outlet: str
    publication_type: str
    publisher_group: str | None
    counted_at: datetime
    title: str
    text: str
    article_key: str | None


def _rows_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Item.id,
            Outlet.name.label("outlet"),
            Item.publication_type,
            Outlet.publisher_group,
            Item.counted_at,
            Item.title,
            Item.lead,
            Item.body,
            Item.article_key,
        )
        .outerjoin(Outlet, Outlet.id == Item.outlet_id)
        .where(Item.is_mention.is_(True), Item.deleted_at.is_(None))
    )


def _rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[ReprintRow]:
    return [
        ReprintRow(
            id=row.id,
            outlet=row.outlet or "?",
            publication_type=row.publication_type,
            publisher_group=row.publisher_group,
            counted_at=row.counted_at,
            title=row.title,
            text=reprint_text(row.lead, row.body),
            article_key=row.article_key,
        )
        for row in session.execute(query)
    ]


def counted_rows_between(
    session: Session, *, start: datetime | None, end: datetime | None
) -> list[ReprintRow]:
    """Counted items (mentions, not deleted) in [start, end); all of them without bounds."""
    query = _rows_query()
    if start is not None:
        query = query.where(Item.counted_at >= start)
    if end is not None:
        query = query.where(Item.counted_at < end)
    return _rows(session, query)


def counted_rows_with_keys(session: Session, *, keys: Iterable[str]) -> list[ReprintRow]:
    """Counted items carrying one of these publisher article ids, whatever their date."""
    rows: list[ReprintRow] = []
    for chunk in chunks(sorted(set(keys))):
        rows += _rows(session, _rows_query().where(Item.article_key.in_(chunk)))
    return rows


def item_dates(session: Session, *, item_ids: list[int]) -> list[datetime]:
    dates: list[datetime] = []
    for chunk in chunks(item_ids):
        dates += session.scalars(select(Item.counted_at).where(Item.id.in_(chunk)))
    return dates


@dataclass(frozen=True, slots=True)
class AutoLink:
    item_id: int
    original_item_id: int
    method: str
    score: float
    reason: str
    rule_version: str


def replace_auto_links(
    session: Session, *, policy: str, item_ids: set[int], links: list[AutoLink]
) -> int:
    """Replace the automatic links of ``item_ids`` under ``policy`` with ``links``.

    Links staff set by hand stay; corrections are applied again by the caller.
    Returns how many links were written.
    """
    manual: set[int] = set()
    for chunk in chunks(sorted(item_ids)):
        session.execute(
            delete(ReprintLink).where(
                ReprintLink.policy == policy,
                ReprintLink.decided_by == "auto",
                ReprintLink.item_id.in_(chunk),
            )
        )
        manual.update(
            session.scalars(
                select(ReprintLink.item_id).where(
                    ReprintLink.policy == policy, ReprintLink.item_id.in_(chunk)
                )
            )
        )
    written = [link for link in links if link.item_id in item_ids and link.item_id not in manual]
    session.add_all(
        ReprintLink(
            item_id=link.item_id,
            original_item_id=link.original_item_id,
            policy=policy,
            method=link.method,
            score=link.score,
            reason=link.reason,
            decided_by="auto",
            rule_version=link.rule_version,
        )
        for link in written
    )
    session.flush()
    return len(written)


def all_linked_item_ids(session: Session) -> set[int]:
    return set(session.scalars(select(ReprintLink.item_id)))
