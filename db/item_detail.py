"""Everything about one item: mentions, reprint links with their evidence, corrections."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from db.corrections import corrections_of
from db.models import Correction, Item, Mention, Outlet, ReprintLink


@dataclass(frozen=True, slots=True)
class LinkDetail:
    policy: str
    original_id: int
    original_title: str
    original_outlet: str | None
    method: str
    score: float
    reason: str
    decided_by: str
    rule_version: str


@dataclass(frozen=True, slots=True)
class ItemDetail:
    item: Item
    outlet: Outlet | None
    mentions: list[Mention]
    reprint_of: list[LinkDetail]
    reprinted_by: list[tuple[str, int]]  # (policy, item id)
    corrections: list[Correction]


def item_detail(session: Session, *, item_id: int) -> ItemDetail | None:
    item = session.get(Item, item_id)
    if item is None:
        return None
    original = aliased(Item)
    original_outlet = aliased(Outlet)
    links = session.execute(
        select(ReprintLink, original.title, original_outlet.name)
        .join(original, original.id == ReprintLink.original_item_id)
        .outerjoin(original_outlet, original_outlet.id == original.outlet_id)
        .where(ReprintLink.item_id == item_id)
        .order_by(ReprintLink.policy)
    ).all()
    reprinted_by = session.execute(
        select(ReprintLink.policy, ReprintLink.item_id)
        .where(ReprintLink.original_item_id == item_id)
        .order_by(ReprintLink.policy, ReprintLink.item_id)
    ).all()
    mentions = list(session.scalars(select(Mention).where(Mention.item_id == item_id)))
    return ItemDetail(
        item=item,
        outlet=session.get(Outlet, item.outlet_id) if item.outlet_id else None,
        mentions=mentions,
        reprint_of=[
            LinkDetail(
                policy=link.policy,
                original_id=link.original_item_id,
                original_title=title,
                original_outlet=outlet_name,
                method=link.method,
                score=link.score,
                reason=link.reason,
                decided_by=link.decided_by,
                rule_version=link.rule_version,
            )
            for link, title, outlet_name in links
        ],
        reprinted_by=[(policy, other) for policy, other in reprinted_by],
        corrections=corrections_of(session, item_id=item_id),
    )
