"""Source commands: list with health, add, edit, enable, disable, remove."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import IntegrityError

from db.engine import unit_of_work
from db.outlets import outlet_ids
from db.source_edits import (
    SourceConflictError,
    SourceHasItemsError,
    UnknownOutletError,
    edit_source,
    ensure_name_free,
    remove_source,
)
from db.sources import SourceNotFoundError, SourceSpec, list_sources, seed_sources, update_source
from service.commands.app import app, console, runtime
from service.seed import PAGE_POLICIES, SOURCE_KINDS
from service.source_health import SourceHealth, health_of

sources_app = typer.Typer(
    help="Sources: their health, and adding, editing, switching or removing them."
)
app.add_typer(sources_app, name="sources")


def _when(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"


@sources_app.callback(invoke_without_command=True)
def show(
    context: typer.Context,
    unhealthy: Annotated[bool, typer.Option(help="Only failing or quiet sources.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """List sources with last success, last error, error streak, items found, next check."""
    if context.invoked_subcommand is not None:
        return
    rt = runtime()
    now = datetime.now(UTC)
    with unit_of_work(rt.read_sessions) as session:
        rows = [health_of(source, now=now) for source in list_sources(session)]
    if unhealthy:
        rows = [row for row in rows if row.unhealthy]
    if as_json:
        for row in rows:
            typer.echo(json.dumps({k: _plain(getattr(row, k)) for k in _FIELDS}))
        return
    zone = rt.settings.zone
    table = Table(title=f"{len(rows)} sources")
    for column in (
        "id",
        "name",
        "kind",
        "last success",
        "errors",
        "items",
        "next check",
        "flags",
        "last error",
    ):
        table.add_column(column)
    for row in rows:
        flags = [
            flag
            for flag, on in (
                ("attention", row.needs_attention),
                ("quiet", row.quiet),
                ("disabled", not row.enabled),
            )
            if on
        ]
        cells = [str(row.id), row.name, row.kind, _when(row.last_success_at, zone)]
        cells += [str(row.error_streak), str(row.items_found), _when(row.next_check_at, zone)]
        cells += [" ".join(flags), (row.last_error or "")[:60]]
        table.add_row(*cells)
    console.print(table)


_FIELDS = tuple(SourceHealth.__dataclass_fields__)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


@sources_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Feed, search feed or sitemap URL.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(SOURCE_KINDS)}.")] = "feed",
    outlet: Annotated[str | None, typer.Option(help="Outlet name from the registry.")] = None,
    pages: Annotated[str, typer.Option(help=f"One of {', '.join(PAGE_POLICIES)}.")] = "all",
) -> None:
    """Add a source; it is due at once."""
    _check(url=url, kind=kind, pages=pages)
    with unit_of_work(runtime().sessions) as session:
        known = outlet_ids(session)
        if outlet is not None and outlet not in known:
            raise typer.BadParameter(f"unknown outlet {outlet!r}")
        spec = SourceSpec(name=name, kind=kind, url=url, outlet=outlet, pages=pages)
        try:
            ensure_name_free(session, name)
        except SourceConflictError as error:
            raise typer.BadParameter(str(error)) from None
        try:
            added = seed_sources(session, specs=[spec], outlet_ids=known)
        except IntegrityError as error:
            raise typer.BadParameter(f"cannot add source: {error.orig}") from None
    console.print("added" if added else "a source with that URL or name exists already")


def _check(*, url: str | None, kind: str | None, pages: str | None) -> None:
    """The checks `add` and `edit` share (the API's schema makes the same)."""
    if (kind is not None and kind not in SOURCE_KINDS) or (
        pages is not None and pages not in PAGE_POLICIES
    ):
        raise typer.BadParameter(
            f"kind must be one of {SOURCE_KINDS}, pages one of {PAGE_POLICIES}"
        )
    if url is not None and not url.startswith(("http://", "https://")):
        raise typer.BadParameter("the URL must start with http:// or https://")


@sources_app.command("edit")
def edit(
    source_id: Annotated[int, typer.Argument(help="Source id (see `mediamonitor sources`).")],
    name: Annotated[str | None, typer.Option(help="New display name.")] = None,
    url: Annotated[str | None, typer.Option(help="New feed, search feed or sitemap URL.")] = None,
    kind: Annotated[str | None, typer.Option(help=f"One of {', '.join(SOURCE_KINDS)}.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name from the registry.")] = None,
    pages: Annotated[str | None, typer.Option(help=f"One of {', '.join(PAGE_POLICIES)}.")] = None,
) -> None:
    """Change only the given fields of a source; a new URL or kind makes it due at once."""
    if all(value is None for value in (name, url, kind, outlet, pages)):
        raise typer.BadParameter(
            "nothing to change: give --name, --url, --kind, --outlet or --pages"
        )
    if name is not None and not 0 < len(name.strip()) <= len(name) <= 200:
        raise typer.BadParameter("the name must be 1 to 200 characters")
    _check(url=url, kind=kind, pages=pages)
    try:
        with unit_of_work(runtime().sessions) as session:
            source = edit_source(
                session,
                source_id=source_id,
                name=name,
                url=url,
                kind=kind,
                pages=pages,
                outlet=outlet,
            )
            changed = source.name
    except (SourceNotFoundError, SourceConflictError, UnknownOutletError) as error:
        raise typer.BadParameter(str(error)) from None
    except IntegrityError as error:  # another process took the URL meanwhile
        raise typer.BadParameter(f"cannot change source: {error.orig}") from None
    console.print(f"{changed}: changed")


@sources_app.command("remove")
def remove(
    source_id: Annotated[int, typer.Argument(help="Source id (see `mediamonitor sources`).")],
) -> None:
    """Remove a source that has no items; one with items is refused (disable it instead)."""
    try:
        with unit_of_work(runtime().sessions) as session:
            name = remove_source(session, source_id=source_id)
    except SourceNotFoundError as error:
        raise typer.BadParameter(str(error)) from None
    except SourceHasItemsError as error:
        typer.echo(f"Refused: {error}", err=True)
        raise typer.Exit(1) from None
    console.print(f"{name}: removed")


@sources_app.command("enable")
def enable(source_id: int) -> None:
    """Enable a source; it is due at once."""
    _switch(source_id, enabled=True)


@sources_app.command("disable")
def disable(source_id: int) -> None:
    """Disable a source; its items stay."""
    _switch(source_id, enabled=False)


def _switch(source_id: int, *, enabled: bool) -> None:
    try:
        with unit_of_work(runtime().sessions) as session:
            source = update_source(session, source_id=source_id, enabled=enabled)
            name = source.name
    except SourceNotFoundError as error:
        raise typer.BadParameter(str(error)) from None
    console.print(f"{name}: {'enabled' if enabled else 'disabled'}")
