"""Jobs the CLI and the scheduler share."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from collectors.fetch import Fetcher
from collectors.robots import RobotsCache
from db.engine import unit_of_work
from db.runs import prune_empty_runs
from service.articles import ArticleStage
from service.collect import (
    Collector,
    RunReport,
    Selection,
    SourceJob,
    SourceOutcome,
    begin_run,
    end_run,
    load_jobs,
)
from service.extraction import Extractor
from service.reprints import Sketches, update_reprints
from service.runtime import Runtime

ROBOTS_AGENT = "mediamonitor"
EMPTY_RUNS_KEPT = timedelta(days=1)
T = TypeVar("T")


def run_collection(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a collection on uvloop where it is installed (it comes with uvicorn[standard]):
    with thousands of requests in flight the event loop itself is a large share of the
    collecting process's CPU."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def due_jobs(runtime: Runtime, selection: Selection) -> list[SourceJob]:
    with unit_of_work(runtime.read_sessions) as session:
        return load_jobs(session, now=datetime.now(UTC), selection=selection)


@asynccontextmanager
async def open_collector(
    runtime: Runtime, jobs: list[SourceJob], *, extract_workers: int | None
) -> AsyncIterator[Collector]:
    """A collector with its client and extraction workers, for these jobs. Without page
    fetching (every source on `pages: none`) no extraction worker is started."""
    workers = extract_workers if any(j.pages != "none" for j in jobs) else 0
    async with (
        Fetcher(runtime.fetch_limits()) as fetcher,
        Extractor(workers) as extractor,
    ):
        stage = ArticleStage(
            fetcher=fetcher,
            robots=RobotsCache(fetcher, agent=ROBOTS_AGENT),
            extractor=extractor,
            classifier=runtime.classifier,
        )
        yield Collector(
            sessions=runtime.sessions,
            read_sessions=runtime.read_sessions,
            fetcher=fetcher,
            stage=stage,
        )


async def collect(
    runtime: Runtime,
    *,
    selection: Selection,
    trigger: str,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[SourceOutcome], None] | None = None,
) -> RunReport:
    """One collection run over the sources ``selection`` picks."""
    return await collect_jobs(
        runtime, due_jobs(runtime, selection), trigger=trigger, on_start=on_start, on_done=on_done
    )


async def collect_jobs(
    runtime: Runtime,
    jobs: list[SourceJob],
    *,
    trigger: str,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[SourceOutcome], None] | None = None,
) -> RunReport:
    """One collection run over ``jobs`` in this process. Without jobs (most scheduler
    ticks) the run is recorded without starting a client or extraction workers, and empty
    runs older than ``EMPTY_RUNS_KEPT`` are forgotten: they show the scheduler is alive,
    but one a minute for ever is noise."""
    if on_start is not None:
        on_start(len(jobs))
    if not jobs:
        report = RunReport(run_id=begin_run(runtime.sessions, trigger=trigger))
        end_run(runtime.sessions, report)
        with unit_of_work(runtime.sessions) as session:
            prune_empty_runs(session, finished_before=datetime.now(UTC) - EMPTY_RUNS_KEPT)
        return report
    async with open_collector(
        runtime, jobs, extract_workers=runtime.settings.extract_workers
    ) as collector:
        report = await collector.run(jobs, trigger=trigger, on_done=on_done)
    reprint_pass(runtime, report.new_item_ids, sketches=report.sketches)
    return report


def reprint_pass(runtime: Runtime, item_ids: list[int], *, sketches: Sketches) -> None:
    """The reprint pass over new items (none: nothing to do)."""
    if item_ids:
        with unit_of_work(runtime.sessions) as session:
            update_reprints(session, item_ids=item_ids, sketches=sketches)
