"""Counts and the item list: built from the same filter, so they always agree."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from db.coverage import ItemFilter, ItemRow, count_items, list_items
from service.api.deps import ReadSession, RuntimeDep
from service.api.schemas import ItemOut, ItemPage, Policy, PublicationType, TypeCounts, YearCounts
from service.periods import date_range, year_range

router = APIRouter(prefix="/api/v1", tags=["coverage"])
PolicyQuery = Annotated[
    Policy | None, Query(description="Reprint policy; default from the settings.")
]


def item_out(row: ItemRow, zone: tzinfo) -> ItemOut:
    return ItemOut(
        id=row.id,
        url=row.url,
        canonical_url=row.canonical_url,
        title=row.title,
        outlet=row.outlet,
        publication_type=row.publication_type,
        medium=row.medium,
        published_at=row.published_at.astimezone(zone) if row.published_at else None,
        counted_at=row.counted_at.astimezone(zone),
        first_seen_at=row.first_seen_at.astimezone(zone),
        completeness=row.completeness,
        reprint_of=row.reprint_of,
    )


@router.get("/counts", response_model=YearCounts)
def counts(
    session: ReadSession,
    runtime: RuntimeDep,
    year: Annotated[int, Query(ge=1990, le=2100, description="Calendar year.")],
    policy: PolicyQuery = None,
) -> YearCounts:
    """Total, unique and reprints of a calendar year (Europe/Amsterdam), by type."""
    chosen = policy or runtime.settings.reprint_policy
    start, end = year_range(year, runtime.settings.zone)
    result = count_items(session, item_filter=ItemFilter(start=start, end=end, policy=chosen))
    return YearCounts(
        year=year,
        policy=chosen,
        total=result.total,
        unique=result.unique,
        reprints=result.reprints,
        by_type={k: TypeCounts(total=v.total, unique=v.unique) for k, v in result.by_type.items()},
    )


@router.get("/items", response_model=ItemPage)
def items(
    session: ReadSession,
    runtime: RuntimeDep,
    date_from: Annotated[date | None, Query(alias="from", description="First day.")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Last day.")] = None,
    publication_type: Annotated[PublicationType | None, Query(alias="type")] = None,
    unique: Annotated[bool, Query(description="Leave out reprints.")] = False,
    policy: PolicyQuery = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ItemPage:
    """Counted items, newest first; ``total`` equals the count for the same filter."""
    if date_from and date_to and date_to < date_from:
        raise HTTPException(422, "'to' is before 'from'")
    zone = runtime.settings.zone
    start, end = date_range(date_from, date_to, zone)
    item_filter = ItemFilter(
        start=start,
        end=end,
        publication_type=publication_type,
        unique_only=unique,
        policy=policy or runtime.settings.reprint_policy,
    )
    rows, total = list_items(
        session, item_filter=item_filter, offset=(page - 1) * page_size, limit=page_size
    )
    return ItemPage(
        items=[item_out(r, zone) for r in rows], total=total, page=page, page_size=page_size
    )
