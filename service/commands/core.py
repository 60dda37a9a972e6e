"""Core commands: database, collection, counts, serving and scheduling."""

from __future__ import annotations

import json
import signal
import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from db.coverage import ItemFilter, count_items
from db.engine import unit_of_work
from service.collect import Selection, SourceOutcome
from service.commands.app import app, console
from service.commands.app import runtime as _runtime
from service.parallel import collect_in_processes
from service.periods import year_range
from service.seed import seed_defaults

SUMMARY_ROWS = 50
PROGRESS_REFRESH_SECONDS = 0.1

db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    seed: Annotated[bool, typer.Option(help="Add the shipped outlets and sources.")] = True,
) -> None:
    """Migrate the database to REVISION and seed the shipped registries."""
    from db.migrate import current_revision, upgrade  # alembic: only here

    runtime = _runtime()
    upgrade(runtime.engine, revision)
    if seed and revision == "head":
        with unit_of_work(runtime.sessions) as session:
            report = seed_defaults(session)
        console.print(f"seeded {report.outlets_added} outlets and {report.sources_added} sources")
    console.print(f"database at revision {current_revision(runtime.engine)}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision.")]) -> None:
    """Migrate the database down to REVISION (``base`` removes every table)."""
    from db.migrate import current_revision, downgrade  # alembic: only here

    runtime = _runtime()
    downgrade(runtime.engine, revision)
    console.print(f"database at revision {current_revision(runtime.engine)}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision."""
    from db.migrate import current_revision  # alembic: only here

    console.print(current_revision(_runtime().engine) or "empty database")


@app.command()
def collect(
    all_sources: Annotated[
        bool,
        typer.Option(
            "--all", help="Every enabled source, due or not, except failing ones still backing off."
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Every enabled source, failing ones included.")
    ] = False,
) -> None:
    """Collect once now (the due sources by default), with a progress bar and a summary."""
    selection: Selection = "every" if force else "all" if all_sources else "due"
    runtime = _runtime()
    # Refreshed as sources finish rather than by rich's refresh thread: a large run forks
    # its collecting processes, which must happen before any thread starts.
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        auto_refresh=False,
    )
    task = progress.add_task("collecting", total=None)
    shown_at = 0.0

    def done(outcome: SourceOutcome) -> None:
        nonlocal shown_at
        progress.update(task, advance=1, description=outcome.name[:40])
        if time.monotonic() - shown_at >= PROGRESS_REFRESH_SECONDS:
            progress.refresh()
            shown_at = time.monotonic()

    with progress:
        report = collect_in_processes(
            runtime,
            selection=selection,
            trigger="cli",
            on_start=lambda n: progress.update(task, total=n, refresh=True),
            on_done=done,
        )
    table = Table(title=f"Run {report.run_id}")
    for column in ("source", "status", "seen", "new", "known", "skipped", "error"):
        table.add_column(
            column, justify="right" if column in ("seen", "new", "known", "skipped") else "left"
        )
    shown = _summary_rows(report.outcomes)
    for o in shown:
        table.add_row(
            o.name, o.status, str(o.seen), str(o.new), str(o.known), str(o.skipped), o.error or ""
        )
    console.print(table)
    if len(shown) < len(report.outcomes):
        console.print(
            f"{len(report.outcomes) - len(shown)} more sources not listed "
            "(`mediamonitor sources` shows each)"
        )
    unchanged = sum(o.status == "not_modified" for o in report.outcomes)
    console.print(
        f"{len(report.outcomes)} sources ({unchanged} unchanged), {len(report.failed)} failed, "
        f"{report.items_new} new items; {sum(o.seen for o in report.outcomes)} entries seen"
    )


def _summary_rows(outcomes: list[SourceOutcome]) -> list[SourceOutcome]:
    """Every source of a small run; of a large one the failing sources and the sources
    with the most news (a table of hundreds of rows helps nobody and takes seconds)."""
    if len(outcomes) <= SUMMARY_ROWS:
        return sorted(outcomes, key=lambda o: (o.status != "error", o.name))
    failed = sorted((o for o in outcomes if o.status == "error"), key=lambda o: o.name)
    busiest = sorted((o for o in outcomes if o.new and o.status != "error"), key=lambda o: -o.new)
    return (failed + busiest)[:SUMMARY_ROWS]


@app.command()
def counts(year: Annotated[int, typer.Option(help="Calendar year.")]) -> None:
    """Print the year's counts as JSON (the same numbers as the API)."""
    runtime = _runtime()
    start, end = year_range(year, runtime.settings.zone)
    with unit_of_work(runtime.read_sessions) as session:
        result = count_items(session, item_filter=ItemFilter(start=start, end=end))
    payload = {
        "year": year,
        "total": result.total,
        "unique": result.unique,
        "reprints": result.reprints,
        "by_type": {k: {"total": v.total, "unique": v.unique} for k, v in result.by_type.items()},
    }
    typer.echo(json.dumps(payload, indent=2))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="API worker processes.")] = 1,
    scheduler: Annotated[
        bool, typer.Option(help="Run the collection scheduler in this process (one worker only).")
    ] = True,
) -> None:
    """Serve the API. One process with the scheduler embedded (the default), or several
    workers without it (`--workers 4 --no-scheduler`, with `mediamonitor scheduler` beside)."""
    import uvicorn

    from service.api.app import create_app

    if workers > 1 and scheduler:
        raise typer.BadParameter(
            "with several workers, add --no-scheduler and run "
            "`mediamonitor scheduler` once, separately"
        )
    runtime = _runtime()
    settings = runtime.settings
    listen_host, listen_port = host or settings.api_host, port or settings.api_port
    if workers > 1:
        uvicorn.run(
            "service.api.asgi:create",
            factory=True,
            workers=workers,
            host=listen_host,
            port=listen_port,
        )
    else:
        app = create_app(runtime, embedded_scheduler=scheduler)
        uvicorn.run(app, host=listen_host, port=listen_port)


@app.command()
def scheduler() -> None:
    """Run the collection scheduler in this process (one per installation; a second one
    waits and takes over when the first stops)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from service.scheduler import LeasedScheduler

    runtime = _runtime()
    leased = LeasedScheduler(runtime)
    blocking = BlockingScheduler(timezone=runtime.settings.timezone)
    leased.add_jobs(blocking)
    signal.signal(signal.SIGTERM, lambda *_: blocking.shutdown(wait=False))
    console.print(f"scheduler {leased.holder} started; Ctrl-C stops it")
    try:
        blocking.start()
    except KeyboardInterrupt:
        pass
    finally:
        leased.stop()
