"""Jobs the CLI and the scheduler share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from collectors.fetch import Fetcher
from collectors.robots import RobotsCache
from db.engine import unit_of_work
from service.articles import ArticleStage
from service.collect import Collector, RunReport, Selection, SourceOutcome, load_jobs
from service.extraction import Extractor
from service.reprints import update_reprints
from service.runtime import Runtime

ROBOTS_AGENT = "mediamonitor"


async def collect(
    runtime: Runtime,
    *,
    selection: Selection,
    trigger: str,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[SourceOutcome], None] | None = None,
) -> RunReport:
    """One collection run over the sources ``selection`` picks."""
    with unit_of_work(runtime.sessions) as session:
        jobs = load_jobs(session, now=datetime.now(UTC), selection=selection)
    if on_start is not None:
        on_start(len(jobs))
    async with (
        Fetcher(runtime.fetch_limits()) as fetcher,
        Extractor(runtime.settings.extract_workers) as extractor,
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
