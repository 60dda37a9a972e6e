"""The collection scheduler: one tick job; the database decides which sources are due.

Runs in its own process (``mediamonitor scheduler``) or embedded in the single-process
``mediamonitor serve``; never inside several API workers, or each would run every job.
A database lease makes sure only one scheduler ticks: a second process stays idle and
takes over when the first stops renewing (it died, or lost its database).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy.exc import SQLAlchemyError

from db.engine import unit_of_work
from db.leases import acquire, release
from service import jobs
from service.collect import RunReport
from service.runtime import Runtime

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"


def _holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeasedScheduler:
    """Schedules the jobs; runs them only while holding the scheduler lease."""

    def __init__(self, runtime: Runtime, *, holder: str | None = None) -> None:
        self.runtime = runtime
        self.holder = holder or _holder_id()
        self._holding = threading.Event()
        # The collection in progress, so that stopping can cancel it; guarded by _lock.
        self._lock = threading.Lock()
        self._stopping = False
        self._running: asyncio.Task[RunReport] | None = None
        self._idle = threading.Event()
        self._idle.set()
        self.lease_ttl = timedelta(seconds=runtime.settings.scheduler_lease_seconds)
        self.tick_seconds = runtime.settings.scheduler_tick_seconds

    @property
    def holding(self) -> bool:
        return self._holding.is_set()

    def renew(self, *, now: datetime | None = None) -> bool:
        """Take or renew the lease; a database error means we no longer hold it."""
        try:
            with unit_of_work(self.runtime.sessions) as session:
                held = acquire(
                    session,
                    name=LEASE_NAME,
                    holder=self.holder,
                    now=now or datetime.now(UTC),
                    ttl=self.lease_ttl,
                )
        except SQLAlchemyError as error:
            log.warning("scheduler %s: cannot renew lease: %s", self.holder, error)
            held = False
        if held != self.holding:
            log.info("scheduler %s %s the lease", self.holder, "holds" if held else "waits for")
        (self._holding.set if held else self._holding.clear)()
        return held

    def release(self) -> None:
        if self.holding:
            with unit_of_work(self.runtime.sessions) as session:
                release(session, name=LEASE_NAME, holder=self.holder)
            self._holding.clear()

    def tick(self) -> None:
        """Collect every due source once, if this process holds the lease."""
        if not self.holding:
            return
        with self._lock:
            if self._stopping:
                return
            self._idle.clear()
        try:
            report = jobs.run_collection(self._collect())
        except asyncio.CancelledError:
            log.info("scheduler %s: collection stopped, the scheduler is stopping", self.holder)
            return
        finally:
            self._idle.set()
        if report.outcomes:
            log.info(
                "scheduled run %s: %d sources, %d new items, %d failed",
                report.run_id,
                len(report.outcomes),
                report.items_new,
                len(report.failed),
            )

    async def _collect(self) -> RunReport:
        with self._lock:
            if self._stopping:
                raise asyncio.CancelledError
            self._running = asyncio.current_task()
        try:
            return await jobs.collect(self.runtime, selection="due", trigger="schedule")
        finally:
            with self._lock:
                self._running = None

    def stop(self, *, timeout: float = 30.0) -> bool:
        """Tick no more, cancel the collection in progress, wait for it to wind down
        (sources already collected stay stored and recorded in the run; the extraction
        workers are shut down), then release the lease. Without this, a stopping process
        would leave a collection running without its lease, or die with its workers
        orphaned (uvicorn ends a process with the signal that stopped it). False if the
        collection did not end in time."""
        with self._lock:  # a registered task's loop is still running
            self._stopping = True
            if self._running is not None:
                self._running.get_loop().call_soon_threadsafe(self._running.cancel)
        stopped = self._idle.wait(timeout)
        if not stopped:
            log.warning(
                "scheduler %s: the collection did not stop within %g s", self.holder, timeout
            )
        self.release()
        return stopped

    def add_jobs(self, scheduler: BaseScheduler) -> None:
        now = datetime.now(UTC)
        common = {
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": 10 * self.tick_seconds,
        }
        scheduler.add_job(
            self.renew,
            "interval",
            seconds=self.lease_ttl.total_seconds() / 3,
            id="renew-lease",
            next_run_time=now,
            **common,
        )
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.tick_seconds,
            id="collect-due-sources",
            next_run_time=now + timedelta(seconds=1),
            **common,
        )


def start_background_scheduler(runtime: Runtime) -> tuple[BackgroundScheduler, LeasedScheduler]:
    """The scheduler in a thread of this process (``serve`` uses this)."""
    leased = LeasedScheduler(runtime)
    scheduler = BackgroundScheduler(timezone=runtime.settings.timezone)
    leased.add_jobs(scheduler)
    scheduler.start()
    return scheduler, leased
