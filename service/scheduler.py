"""The collection scheduler: one tick job; the database decides which sources are due.

Runs in its own process (``mediamonitor scheduler``) or embedded in the single-process
``mediamonitor serve``; never inside several API workers, or each would run every job.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from service import jobs
from service.runtime import Runtime

log = logging.getLogger(__name__)
TICK_SECONDS = 60


def tick(runtime: Runtime) -> None:
    """Collect every due source once."""
    report = asyncio.run(jobs.collect(runtime, only_due=True, trigger="schedule"))
    if report.outcomes:
        log.info(
            "scheduled run %s: %d sources, %d new items, %d failed",
            report.run_id,
            len(report.outcomes),
            report.items_new,
            len(report.failed),
        )


def build_scheduler(
    runtime: Runtime, *, scheduler: BackgroundScheduler | None = None
) -> BackgroundScheduler:
    scheduler = scheduler or BackgroundScheduler(timezone=runtime.settings.timezone)
    scheduler.add_job(
        tick,
        "interval",
        seconds=TICK_SECONDS,
        args=[runtime],
        id="collect-due-sources",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=10 * TICK_SECONDS,
        next_run_time=datetime.now(UTC),  # a fresh install collects at once
    )
    return scheduler


def start_scheduler(runtime: Runtime) -> BackgroundScheduler:
    scheduler = build_scheduler(runtime)
    scheduler.start()
    return scheduler
