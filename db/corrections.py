"""Correction rows and the overlays they put on items and reprint links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import Correction, Item, Outlet, ReprintLink


class ItemNotFoundError(LookupError):
    """No item with that id."""


def get_item(session: Session, *, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise ItemNotFoundError(f"no item with id {item_id}")
    return item


def add_correction(
    session: Session,
    *,
    item: Item,
    action: str,
    value: dict[str, Any],
    reason: str,
    actor: str,
    now: datetime,
) -> Correction:
    correction = Correction(
        item_id=item.id,
        canonical_url=item.canonical_url,
        action=action,
        value=value,
        reason=reason,
        actor=actor,
        created_at=now,
    )
    session.add(correction)
    session.flush()
    return correction


def active_corrections(session: Session, *, item_ids: list[int] | None = None) -> list[Correction]:
    """Unrevoked corrections in the order they were made (later ones win)."""
    query = select(Correction).where(Correction.revoked_at.is_(None))
    if item_ids is not None:
        query = query.where(Correction.item_id.in_(item_ids))
    return list(session.scalars(query.order_by(Correction.created_at, Correction.id)))


def corrections_of(session: Session, *, item_id: int) -> list[Correction]:
    query = select(Correction).where(Correction.item_id == item_id)
    return list(session.scalars(query.order_by(Correction.created_at, Correction.id)))


def set_item_fields(session: Session, *, item_id: int, **values: Any) -> None:
    session.execute(update(Item).where(Item.id == item_id).values(**values))


def outlet_by_name(session: Session, *, name: str) -> Outlet | None:
    return session.execute(select(Outlet).where(Outlet.name == name)).scalar_one_or_none()


def set_manual_link(
    session: Session,
    *,
    item_id: int,
    original_item_id: int,
    policy: str,
    reason: str,
    rule_version: str,
) -> None:
    drop_link(session, item_id=item_id, policy=policy)
    session.add(
        ReprintLink(
            item_id=item_id,
            original_item_id=original_item_id,
            policy=policy,
            method="correction",
            score=1.0,
            reason=reason,
            decided_by="correction",
            rule_version=rule_version,
        )
    )
    session.flush()


def drop_link(session: Session, *, item_id: int, policy: str) -> None:
    session.execute(
        delete(ReprintLink).where(ReprintLink.item_id == item_id, ReprintLink.policy == policy)
    )
