"""`mediamonitor correct`: staff decisions on single items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from db.engine import unit_of_work
from service.commands.app import app, console, runtime
from service.corrections import CorrectionError, CorrectionRequest, make_correction

correct_app = typer.Typer(no_args_is_help=True, help="Correct an item; recorded with who and why.")
app.add_typer(correct_app, name="correct")

Reason = Annotated[str, typer.Option("--why", help="Why (kept with the correction).")]
Actor = Annotated[str, typer.Option("--by", help="Who makes the correction.")]
Policy = Annotated[str | None, typer.Option(help="Reprint policy; default: every policy.")]


def _correct(item_id: int, action: str, why: str, by: str, value: dict[str, Any]) -> None:
    try:
        with unit_of_work(runtime().sessions) as session:
            correction = make_correction(
                session,
                request=CorrectionRequest(
                    item_id=item_id, action=action, reason=why, actor=by, value=value
                ),
                now=datetime.now(UTC),
            )
            number = correction.id
    except CorrectionError as error:
        raise typer.BadParameter(str(error)) from None
    console.print(f"correction {number}: {action} on item {item_id}")


@correct_app.command("not-mention")
def not_mention(item_id: int, why: Reason, by: Actor) -> None:
    """The item does not mention the Rapporteur: leave it out of every count."""
    _correct(item_id, "not_mention", why, by, {})


@correct_app.command("mention")
def mention(item_id: int, why: Reason, by: Actor) -> None:
    """The item does mention the Rapporteur (undoes not-mention)."""
    _correct(item_id, "mention", why, by, {})


@correct_app.command("type")
def set_type(item_id: int, publication_type: str, why: Reason, by: Actor) -> None:
    """Set the item's publication type."""
    _correct(item_id, "set_type", why, by, {"publication_type": publication_type})


@correct_app.command("outlet")
def set_outlet(item_id: int, outlet: str, why: Reason, by: Actor) -> None:
    """Set the item's outlet (and with it the publication type and medium)."""
    _correct(item_id, "set_outlet", why, by, {"outlet": outlet})


@correct_app.command("reprint")
def mark_reprint(
    item_id: int,
    original: Annotated[int, typer.Option("--of", help="Id of the original item.")],
    why: Reason,
    by: Actor,
    policy: Policy = None,
) -> None:
    """Mark the item a reprint of another (or choose its original)."""
    value: dict[str, Any] = {"original_item_id": original}
    if policy:
        value["policy"] = policy
    _correct(item_id, "mark_reprint", why, by, value)


@correct_app.command("not-reprint")
def unmark_reprint(item_id: int, why: Reason, by: Actor, policy: Policy = None) -> None:
    """The item is not a reprint: count it as unique."""
    _correct(item_id, "unmark_reprint", why, by, {"policy": policy} if policy else {})


@correct_app.command("delete")
def delete(item_id: int, why: Reason, by: Actor) -> None:
    """Delete the item from every count; collecting it again will not bring it back."""
    _correct(item_id, "delete", why, by, {})
