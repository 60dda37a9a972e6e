"""`mediamonitor reprints rebuild`: recompute every reprint link from scratch."""

from __future__ import annotations

import typer

from db.engine import unit_of_work
from service.commands.app import app, console, runtime
from service.reprints import rebuild_reprints

reprints_app = typer.Typer(no_args_is_help=True, help="Reprint detection.")
app.add_typer(reprints_app, name="reprints")


@reprints_app.command("rebuild")
def rebuild() -> None:
    """Recompute all automatic reprint links (corrections are applied again after)."""
    with unit_of_work(runtime().sessions) as session:
        result = rebuild_reprints(session)
    written = ", ".join(f"{policy}: {count}" for policy, count in result.links_written.items())
    console.print(f"{result.items_considered} items; links {written}")
