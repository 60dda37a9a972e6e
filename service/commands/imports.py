"""`mediamonitor import`: items from news-database exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from db.engine import unit_of_work
from service.commands.app import app, console, runtime
from service.reprints import update_reprints

import_app = typer.Typer(no_args_is_help=True, help="Import items from news databases.")
app.add_typer(import_app, name="import")


@import_app.command("nexis")
def nexis(
    files: Annotated[
        list[Path], typer.Argument(help="Nexis Uni DOCX, classic TXT or RTF exports.")
    ],
) -> None:
    """Import LexisNexis exports; each file is one unit of work (all of it or nothing)."""
    from service.nexis_import import NexisImporter  # python-docx and RTF: only when importing

    rt = runtime()
    importer = NexisImporter(classifier=rt.classifier, zone=rt.settings.zone)
    table = Table(title="LexisNexis import")
    for column in (
        "file",
        "documents",
        "new",
        "same as web item",
        "imported before",
        "no mention",
        "unreadable",
    ):
        table.add_column(column)
    failed = False
    for path in files:
        with unit_of_work(rt.sessions) as session:
            outcome = importer.import_file(session, path=path)
            if outcome.new_item_ids:
                update_reprints(session, item_ids=outcome.new_item_ids)
        table.add_row(
            path.name,
            str(outcome.documents),
            str(outcome.new),
            str(outcome.matched_web),
            str(outcome.known),
            str(len(outcome.no_mention)),
            str(len(outcome.errors)),
        )
        for message in outcome.errors:
            console.print(f"[red]{path.name}: {message}[/]")
            failed = True
        for title in outcome.no_mention:
            console.print(
                f"[yellow]{path.name}: no mention of the Rapporteur found, not imported:[/] {title}"
            )
    console.print(table)
    if failed:
        raise typer.Exit(1)
