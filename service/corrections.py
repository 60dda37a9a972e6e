"""Staff corrections: validated, recorded with who, when and why, and re-applied after
every automatic pass so that they survive re-collection and re-runs.

A correction is an overlay on the automatic decision: the automatic pass writes its
decision, then every active correction is applied again in the order made. A later
correction overrides an earlier one ("mention" after "not_mention").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy.orm import Session

from db.corrections import (
    ItemNotFoundError,
    active_corrections,
    add_correction,
    drop_link,
    get_item,
    outlet_by_name,
    set_item_fields,
    set_manual_link,
)
from db.models import PUBLICATION_TYPES, REPRINT_POLICIES, Correction, Item

CORRECTION_RULE_VERSION = "correction-1"
Action = Literal[
    "not_mention", "mention", "set_outlet", "set_type", "mark_reprint", "unmark_reprint", "delete"
]
ACTIONS: tuple[str, ...] = get_args(Action)


class CorrectionError(ValueError):
    """A correction that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class CorrectionRequest:
    item_id: int
    action: str
    reason: str
    actor: str
    value: dict[str, Any] = field(default_factory=dict)


def _policies(value: dict[str, Any]) -> tuple[str, ...]:
    policy = value.get("policy")
    if policy is None:
        return REPRINT_POLICIES
    if policy not in REPRINT_POLICIES:
        raise CorrectionError(f"unknown reprint policy {policy!r}; one of {REPRINT_POLICIES}")
    return (str(policy),)


def _validate(session: Session, request: CorrectionRequest, item: Item) -> dict[str, Any]:
    """The value to store, normalised; raises CorrectionError."""
    if request.action not in ACTIONS:
        raise CorrectionError(f"unknown action {request.action!r}; one of {', '.join(ACTIONS)}")
    if not request.reason.strip():
        raise CorrectionError("a correction needs a reason")
    if not request.actor.strip():
        raise CorrectionError("a correction needs the name of who makes it")
    value = dict(request.value)
    if request.action == "set_type" and value.get("publication_type") not in PUBLICATION_TYPES:
        raise CorrectionError(f"publication_type must be one of {', '.join(PUBLICATION_TYPES)}")
    if request.action == "set_outlet":
        outlet = outlet_by_name(session, name=str(value.get("outlet", "")))
        if outlet is None:
            raise CorrectionError(f"unknown outlet {value.get('outlet')!r}")
    if request.action == "mark_reprint":
        original_id = value.get("original_item_id")
        if not isinstance(original_id, int) or original_id == item.id:
            raise CorrectionError("original_item_id must be the id of another item")
        try:
            get_item(session, item_id=original_id)
        except ItemNotFoundError as error:
            raise CorrectionError(str(error)) from None
    if request.action in ("mark_reprint", "unmark_reprint"):
        _policies(value)
    return value


def make_correction(session: Session, *, request: CorrectionRequest, now: datetime) -> Correction:
    """Record a correction and apply it to its item at once."""
    try:
        item = get_item(session, item_id=request.item_id)
    except ItemNotFoundError as error:
        raise CorrectionError(str(error)) from None
    value = _validate(session, request, item)
    correction = add_correction(
        session,
        item=item,
        action=request.action,
        value=value,
        reason=request.reason.strip(),
        actor=request.actor.strip(),
        now=now,
    )
    _apply(session, correction)
    return correction


def apply_corrections(session: Session, *, item_ids: list[int] | None = None) -> int:
    """Re-apply every active correction (of these items) in the order made; call after
    each automatic pass. Returns how many were applied."""
    corrections = active_corrections(session, item_ids=item_ids)
    for correction in corrections:
        _apply(session, correction)
    return len(corrections)


def _apply(session: Session, correction: Correction) -> None:
    if correction.item_id is None:
        return
    item_id, value = correction.item_id, correction.value
    match correction.action:
        case "not_mention":
            set_item_fields(session, item_id=item_id, is_mention=False)
        case "mention":
            set_item_fields(session, item_id=item_id, is_mention=True)
        case "set_type":
            set_item_fields(session, item_id=item_id, publication_type=value["publication_type"])
        case "set_outlet":
            outlet = outlet_by_name(session, name=value["outlet"])
            if outlet is not None:
                set_item_fields(
                    session,
                    item_id=item_id,
                    outlet_id=outlet.id,
                    publication_type=outlet.publication_type,
                    medium=outlet.medium,
                )
        case "mark_reprint":
            for policy in _policies(value):
                set_manual_link(
                    session,
                    item_id=item_id,
                    original_item_id=value["original_item_id"],
                    policy=policy,
                    reason=f"set by {correction.actor}: {correction.reason}",
                    rule_version=CORRECTION_RULE_VERSION,
                )
        case "unmark_reprint":
            for policy in _policies(value):
                drop_link(session, item_id=item_id, policy=policy)
        case "delete":
            set_item_fields(session, item_id=item_id, deleted_at=correction.created_at)
