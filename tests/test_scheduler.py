"""The scheduler lease: one scheduler ticks; another takes over when the first dies."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine, func, select

from db.engine import session_factory, unit_of_work
from db.leases import acquire, current_holder
from db.models import CollectorRun, Source
from db.runs import finish_run, start_run
from db.sources import SourceSpec
from service.runtime import Runtime
from service.scheduler import LEASE_NAME, LeasedScheduler
from tests.environment import command_env
from tests.factories import FeedItem, add_sources, rss_feed
from tests.httpserver import LocalServer, hanging

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=60)


def test_one_holder_at_a_time_and_takeover_after_expiry(engine: Engine) -> None:
    sessions = session_factory(engine)

    def take(holder: str, now: datetime) -> bool:
        with unit_of_work(sessions) as session:
            return acquire(session, name=LEASE_NAME, holder=holder, now=now, ttl=TTL)

    assert take("a", NOW)
    assert not take("b", NOW + timedelta(seconds=10))
    assert take("a", NOW + timedelta(seconds=30))  # renewal moves the expiry
    assert not take("b", NOW + timedelta(seconds=80))
    assert take("b", NOW + timedelta(seconds=91))  # a stopped renewing
    assert not take("a", NOW + timedelta(seconds=92))
    with unit_of_work(sessions) as session:
        assert current_holder(session, name=LEASE_NAME, now=NOW + timedelta(seconds=92)) == "b"


def test_only_the_holder_ticks(runtime: Runtime) -> None:
    first, second = LeasedScheduler(runtime), LeasedScheduler(runtime)
    assert first.renew() and not second.renew()
    second.tick()
    with unit_of_work(runtime.read_sessions) as session:
        assert session.execute(select(func.count()).select_from(CollectorRun)).scalar_one() == 0
    first.tick()
    with unit_of_work(runtime.read_sessions) as session:
        assert session.execute(select(func.count()).select_from(CollectorRun)).scalar_one() == 1
    first.release()
    assert second.renew()


def _start_scheduler(database: Path, log: BinaryIO) -> subprocess.Popen[bytes]:
    env = command_env(
        MEDIAMONITOR_DATABASE_URL=f"sqlite:///{database}",
        MEDIAMONITOR_SCHEDULER_LEASE_SECONDS="3",
        MEDIAMONITOR_SCHEDULER_TICK_SECONDS="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "service", "scheduler"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _holder(database: Path) -> str | None:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT holder FROM leases WHERE name = ? AND expires_at >= ?",
            (LEASE_NAME, datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")),
        ).fetchone()
    return row[0] if row else None


def _wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_second_scheduler_process_takes_over_when_the_first_dies(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    database = Path(str(sqlite_engine.url.database))
    with (
        (tmp_path / "first.log").open("wb") as first_log,
        (tmp_path / "second.log").open("wb") as second_log,
    ):
        _takeover(database, first_log, second_log, tmp_path)
    # A clean stop releases the lease at once.
    assert _holder(database) is None


def _takeover(database: Path, first_log: BinaryIO, second_log: BinaryIO, tmp_path: Path) -> None:
    first = _start_scheduler(database, first_log)
    try:
        assert _wait_for(lambda: _holder(database) is not None, 20), (
            tmp_path / "first.log"
        ).read_text()
        first_holder = _holder(database)
        assert first_holder and f":{first.pid}:" in first_holder
        second = _start_scheduler(database, second_log)
        try:
            time.sleep(2)
            assert _holder(database) == first_holder  # the second one waits
            os.kill(first.pid, signal.SIGKILL)  # dies without releasing its lease
            first.wait(timeout=10)
            assert _wait_for(lambda: f":{second.pid}:" in (_holder(database) or ""), 15)
        finally:
            second.terminate()
            second.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def test_empty_ticks_are_kept_for_a_day(runtime: Runtime) -> None:
    scheduler = LeasedScheduler(runtime)
    assert scheduler.renew()
    long_ago = datetime.now(UTC) - timedelta(days=2)
    with unit_of_work(runtime.sessions) as session:
        old = [start_run(session, trigger="schedule", now=long_ago) for _ in range(3)]
        for run_id in old:
            finish_run(
                session,
                run_id=run_id,
                now=long_ago,
                outcomes={},
                sources_ok=0,
                sources_failed=0,
                items_new=0,
            )
        busy = start_run(session, trigger="cli", now=long_ago)
        finish_run(
            session,
            run_id=busy,
            now=long_ago,
            outcomes={"1": {}},
            sources_ok=1,
            sources_failed=0,
            items_new=0,
        )
    scheduler.tick()  # nothing is due
    with unit_of_work(runtime.read_sessions) as session:
        kept = set(session.scalars(select(CollectorRun.id)))
    assert busy in kept and not kept & set(old) and len(kept) == 2


def test_stopping_cancels_the_collection_in_progress(
    runtime: Runtime, http_server: LocalServer
) -> None:
    # Under the 5 s deadline: only stopping ends this collection early.
    asked, hang = hanging(4)
    quick = http_server.add(
        "/quick.xml",
        rss_feed([FeedItem(title="Nieuws", link="https://www.tubantia.nl/regio/nieuws~a1b2c3/")]),
    )
    slow = http_server.add("/slow.xml", handler=hang)
    add_sources(
        runtime,
        [
            SourceSpec("Snel", "feed", quick, outlet="Tubantia", pages="none"),
            SourceSpec("Traag", "feed", slow, outlet="Tubantia", pages="all"),
        ],
    )
    scheduler = LeasedScheduler(runtime)
    assert scheduler.renew()
    ticking = threading.Thread(target=scheduler.tick)
    ticking.start()
    assert asked.wait(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not _source_ok(runtime, "Snel"):
        time.sleep(0.05)

    started = time.monotonic()
    assert scheduler.stop(timeout=10)
    assert time.monotonic() - started < 2.5  # cancelled, not waited out
    ticking.join(timeout=5)
    assert not ticking.is_alive()

    with unit_of_work(runtime.read_sessions) as session:
        run = session.scalars(select(CollectorRun)).one()
        sources = {s.name: s for s in session.scalars(select(Source))}
        assert run.finished_at is not None
        assert set(run.outcomes) == {str(sources["Snel"].id)}  # what finished is recorded
        assert sources["Traag"].error_count == 0  # stopping is no failure of the source
        assert sources["Traag"].last_error is None
    scheduler.tick()  # a stopped scheduler starts no new collection
    with unit_of_work(runtime.read_sessions) as session:
        assert session.execute(select(func.count()).select_from(CollectorRun)).scalar_one() == 1


def _source_ok(runtime: Runtime, name: str) -> bool:
    with unit_of_work(runtime.read_sessions) as session:
        source = session.scalars(select(Source).where(Source.name == name)).one()
        return source.last_success_at is not None
