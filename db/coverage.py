"""Coverage queries: the item list and the counts, built from the same filter.

A count and the item list with the same filter always agree because both start from
``_counted_items``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ScalarSelect, and_, case, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from db.models import Item, Outlet, ReprintLink

PUBLICATION_TYPE_ORDER = ("national", "regional", "news_site", "trade", "corporate", "other")


@dataclass(frozen=True, slots=True)
class ItemFilter:
    start: datetime | None = None  # inclusive, by counted_at
    end: datetime | None = None  # exclusive
    publication_type: str | None = None
    unique_only: bool = False
    policy: str = "regional_of_national"


@dataclass(frozen=True, slots=True)
class TypeCount:
    total: int
    unique: int


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    unique: int
    reprints: int
    by_type: dict[str, TypeCount] = field(default_factory=dict)


Original = aliased(Item)


def _reprint_of(policy: str) -> ScalarSelect[int]:
    """Id of the counted original an item reprints (a link to a dropped item is void)."""
    return (
        select(ReprintLink.original_item_id)
        .join(Original, Original.id == ReprintLink.original_item_id)
        .where(
            ReprintLink.item_id == Item.id,
            ReprintLink.policy == policy,
            Original.is_mention.is_(True),
            Original.deleted_at.is_(None),
        )
        .scalar_subquery()
    )


def _counted_items(item_filter: ItemFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Item.is_mention.is_(True),
        Item.deleted_at.is_(None),
    ]
    if item_filter.start is not None:
        conditions.append(Item.counted_at >= item_filter.start)
    if item_filter.end is not None:
        conditions.append(Item.counted_at < item_filter.end)
    if item_filter.publication_type is not None:
        conditions.append(Item.publication_type == item_filter.publication_type)
    if item_filter.unique_only:
        conditions.append(_reprint_of(item_filter.policy).is_(None))
    return conditions


def count_items(session: Session, *, item_filter: ItemFilter) -> Counts:
    """Total, unique and reprints, overall and per publication type."""
    reprint_of = _reprint_of(item_filter.policy)
    is_reprint = case((reprint_of.is_not(None), 1), else_=0)
    rows = session.execute(
        select(Item.publication_type, func.count(), func.coalesce(func.sum(is_reprint), 0))
        .where(and_(*_counted_items(item_filter)))
        .group_by(Item.publication_type)
    ).all()
    by_type = {key: TypeCount(0, 0) for key in PUBLICATION_TYPE_ORDER}
    for publication_type, total, reprints in rows:
        by_type[publication_type] = TypeCount(int(total), int(total) - int(reprints))
    total = sum(c.total for c in by_type.values())
    unique = sum(c.unique for c in by_type.values())
    return Counts(total=total, unique=unique, reprints=total - unique, by_type=by_type)


@dataclass(frozen=True, slots=True)
class ItemRow:
    id: int
    canonical_url: str
    url: str
    title: str
    outlet: str | None
    publication_type: str
    medium: str | None
    published_at: datetime | None
    counted_at: datetime
    first_seen_at: datetime
    completeness: str
    reprint_of: int | None


def list_items(
    session: Session, *, item_filter: ItemFilter, offset: int, limit: int
) -> tuple[list[ItemRow], int]:
    """One page of counted items, newest first, and how many match in all."""
    conditions = and_(*_counted_items(item_filter))
    total = session.execute(select(func.count()).select_from(Item).where(conditions)).scalar_one()
    rows = session.execute(
        select(Item, Outlet.name, _reprint_of(item_filter.policy).label("reprint_of"))
        .outerjoin(Outlet, Outlet.id == Item.outlet_id)
        .where(conditions)
        .order_by(Item.counted_at.desc(), Item.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [item_row(item, outlet_name, reprint_of) for item, outlet_name, reprint_of in rows], int(
        total
    )


def item_row(item: Item, outlet_name: str | None, reprint_of: int | None) -> ItemRow:
    """The list view of an item; its link is the first URL it was seen under."""
    return ItemRow(
        id=item.id,
        canonical_url=item.canonical_url,
        url=item.urls[0] if item.urls else item.canonical_url,
        title=item.title,
        outlet=outlet_name,
        publication_type=item.publication_type,
        medium=item.medium,
        published_at=item.published_at,
        counted_at=item.counted_at,
        first_seen_at=item.first_seen_at,
        completeness=item.completeness,
        reprint_of=reprint_of,
    )
