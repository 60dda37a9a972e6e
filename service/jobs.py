"""Jobs the CLI and the scheduler share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from collectors.fetch import Fetcher
from collectors.robots import RobotsCache
from db.engine import unit_of_work
from db.runs import finish_run, start_run
from service.articles import ArticleStage
from service.collect import Collector, RunReport, Selection, SourceOutcome, load_jobs
from service.extraction import Extractor
from service.reprints import update_reprints
from service.runtime import Runtime

ROBOTS_AGENT = "mediamonitor"


def run_collection(coroutine: Coroutine[Any, Any, RunReport]) -> RunReport:
    """Run a collection on uvloop where it is installed (it comes with uvicorn[standard]):
    with thousands of requests in flight the event loop itself is a large share of the
    collecting process's CPU."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


async def collect(
    runtime: Runtime,
    *,
    selection: Selection,
    trigger: str,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[SourceOutcome], None] | None = None,
) -> RunReport:
    """One collection run over the sources ``selection`` picks. When none is picked (most
    scheduler ticks) the run is recorded without starting a client or extraction workers."""
    with unit_of_work(runtime.read_sessions) as session:
        jobs = load_jobs(session, now=datetime.now(UTC), selection=selection)
    if on_start is not None:
        on_start(len(jobs))
    if not jobs:
        with unit_of_work(runtime.sessions) as session:
            now = datetime.now(UTC)
            run_id = start_run(session, trigger=trigger, now=now)
            finish_run(
                session,
                run_id=run_id,
                now=now,
                outcomes={},
                sources_ok=0,
                sources_failed=0,
                items_new=0,
            )
        return RunReport(run_id=run_id)
    # Without page fetching (every source on `pages: none`) no extraction worker is started.
    workers = runtime.settings.extract_workers if any(j.pages != "none" for j in jobs) else 0
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
        collector = Collector(
            sessions=runtime.sessions,
            read_sessions=runtime.read_sessions,
            fetcher=fetcher,
            stage=stage,
        )
        report = await collector.run(jobs, trigger=trigger, on_done=on_done)
    if report.new_item_ids:
        with unit_of_work(runtime.sessions) as session:
            update_reprints(session, item_ids=report.new_item_ids)
    return report
