"""A large collection in several processes: each mention stored once, every source
accounted for, also when a collecting process dies."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import select

from classifiers.reprints import reprint_text
from classifiers.shingles import TextSketch, text_digest
from db.engine import make_engine, unit_of_work
from db.models import CollectorRun, Item, ReprintLink
from db.sources import SourceSpec
from service.collect import RunReport, SourceJob, SourceOutcome
from service.parallel import (
    AHEAD_AFTER_QUIET_SECONDS,
    MIN_SOURCES_PER_PROCESS,
    _ReprintsAhead,
    collect_in_processes,
    partition_by_host,
)
from service.reprints import rebuild_reprints
from service.runtime import Runtime
from service.settings import Settings
from tests.environment import command_env, session_members
from tests.factories import FeedItem, add_sources, rss_feed
from tests.httpserver import LocalServer, hanging

PUBLISHED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SHARED_LINK = "https://nos.nl/artikel/2570000"


def _job(number: int, url: str) -> SourceJob:
    return SourceJob(
        id=number,
        name=f"feed {number}",
        kind="feed",
        url=url,
        pages="none",
        etag=None,
        last_modified=None,
        error_count=0,
        previous_interval_seconds=None,
        last_entry_at=None,
        outlet_id=None,
        outlet_type=None,
        outlet_medium=None,
    )


def test_partition_keeps_each_host_in_one_share_and_balances() -> None:
    urls = [f"https://a.nl/{n}.xml" for n in range(4)] + [
        "https://b.nl/1.xml",
        "https://b.nl/2.xml",
        "https://c.nl/1.xml",
        "https://d.nl/1.xml",
        "HTTPS://D.NL/2.xml",
    ]
    shares = partition_by_host([_job(n, url) for n, url in enumerate(urls)], 2)
    assert sorted(len(share) for share in shares) == [4, 5]
    hosts = [{job.url.lower().split("/")[2] for job in share} for share in shares]
    assert hosts[0].isdisjoint(hosts[1])
    assert partition_by_host([_job(1, urls[0])], 3) == [[_job(1, urls[0])]]


def _feed(server: LocalServer, path: str, number: int) -> str:
    """A feed with two mentions of its own, one shared by every feed, and two others."""
    items = [
        FeedItem(
            title=f"Rapporteur {number}-{k}",
            link=f"https://nos.nl/artikel/{2560000 + 10 * number + k}",
            description="De Nationaal Rapporteur Mensenhandel luidt de noodklok.",
        )
        for k in range(2)
    ]
    items += [
        FeedItem(
            title="Rapporteur over uitbuiting",
            link=SHARED_LINK,
            description="Volgens de Nationaal Rapporteur, Conny Rijken, moet het beter.",
        ),
        FeedItem(title=f"File {number}", link=f"https://nos.nl/l/{2590000 + number}"),
        FeedItem(title=f"Weer {number}", link=f"https://nos.nl/l/{2595000 + number}"),
    ]
    dated = [
        FeedItem(**{**vars(item), "published": PUBLISHED + timedelta(minutes=i)})
        for i, item in enumerate(items)
    ]
    return server.add(path, rss_feed(dated), etag=f'"{number}"')


def _add_sources(runtime: Runtime, urls: list[str]) -> None:
    add_sources(
        runtime,
        [
            SourceSpec(name=f"feed {n}", kind="feed", url=url, outlet="NOS", pages="none")
            for n, url in enumerate(urls)
        ],
    )


def test_collection_in_two_processes_stores_each_mention_once(
    runtime: Runtime, http_server: LocalServer, second_server: LocalServer
) -> None:
    urls = [_feed(http_server, f"/{n}.xml", n) for n in range(3)]
    urls += [_feed(second_server, f"/{n}.xml", n) for n in range(3, 5)]
    _add_sources(runtime, urls)
    done: list[SourceOutcome] = []
    started: list[int] = []

    report = collect_in_processes(
        runtime,
        selection="all",
        trigger="test",
        processes=2,
        min_sources=1,
        on_start=started.append,
        on_done=done.append,
    )

    assert started == [5] and len(done) == 5 and not multiprocessing.active_children()
    assert sorted(o.status for o in report.outcomes) == ["ok"] * 5
    assert all(o.seen == o.new + o.known + o.skipped for o in report.outcomes)
    assert report.items_new == 5 * 2 + 1  # the shared article once
    with unit_of_work(runtime.read_sessions) as session:
        stored = list(session.scalars(select(Item.canonical_url)))
        texts = [reprint_text(i.lead, i.body) for i in session.scalars(select(Item))]
        run = session.scalars(select(CollectorRun)).one()
    assert len(stored) == len(set(stored)) == 11 and SHARED_LINK in stored
    assert (run.sources_ok, run.sources_failed, run.items_new) == (5, 0, 11)
    assert len(run.outcomes) == 5 and all("sketches" not in o for o in run.outcomes.values())
    # Each new item's text sketch came back from the process that stored it.
    assert _plain(report.sketches) == _plain({text_digest(t): TextSketch.of(t) for t in texts})
    assert http_server.hits("/0.xml") == 1 and second_server.hits("/3.xml") == 1


def test_a_moment_of_quiet_between_two_answers_starts_no_reprint_pass(runtime: Runtime) -> None:
    async def passed_after(*changes: bool) -> int:
        report = RunReport(run_id=1, outcomes=[SourceOutcome(source_id=1, name="feed")])
        ahead = _ReprintsAhead(runtime, report, shares=1)
        for quiet in changes:
            ahead.quiet(0, quiet)
            await asyncio.sleep(0.1)  # the next answer comes a tenth of a second later
        await asyncio.sleep(AHEAD_AFTER_QUIET_SECONDS)
        return ahead._outcomes_passed

    assert asyncio.run(passed_after(True, False)) == 0
    assert asyncio.run(passed_after(True, False, True)) == 1  # then quiet for good


def test_reprints_are_done_while_a_slow_feed_is_awaited(
    runtime: Runtime,
    http_server: LocalServer,
    second_server: LocalServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def slow_feed(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)  # within the timeouts: a slow server, not a dead one
        body = rss_feed([FeedItem(title="Nationaal Rapporteur", link="https://nos.nl/l/1")])
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    urls = [_feed(http_server, f"/{n}.xml", n) for n in range(2)]
    urls += [_feed(second_server, f"/{n}.xml", n) for n in range(2, 4)]
    urls.append(second_server.add("/slow.xml", handler=slow_feed))
    _add_sources(runtime, urls)
    caplog.set_level(logging.INFO, logger="service.parallel")

    report = collect_in_processes(
        runtime, selection="all", trigger="test", processes=2, min_sources=1
    )

    passes = [r.getMessage() for r in caplog.records if r.name == "service.parallel"]
    assert report.items_new == 4 * 2 + 1 + 1
    # One pass over what the fast feeds brought while the slow one was awaited, and only
    # the slow feed's item left for the end of the run.
    assert passes == [
        "reprint pass over 9 new items while no source is being worked on",
        "reprint pass over 1 new items at the end of the run",
    ]
    with unit_of_work(runtime.read_sessions) as session:
        ahead = {
            (r.item_id, r.original_item_id, r.policy) for r in session.scalars(select(ReprintLink))
        }
        rebuild_reprints(session)
        session.flush()
        rebuilt = {
            (r.item_id, r.original_item_id, r.policy) for r in session.scalars(select(ReprintLink))
        }
    assert ahead == rebuilt


def _plain(sketches: dict[bytes, TextSketch]) -> dict[bytes, tuple[bytes, list[int], int]]:
    return {k: (s.fingerprints, s.bands.tolist(), s.size) for k, s in sketches.items()}


def test_a_collecting_process_that_dies_leaves_its_sources_failed(
    runtime: Runtime, http_server: LocalServer, second_server: LocalServer
) -> None:
    def kill_the_collecting_children(handler: BaseHTTPRequestHandler) -> None:
        for child in multiprocessing.active_children():
            child.kill()

    # The larger host stays with this process; the child collects the other one and dies.
    urls = [_feed(http_server, f"/{n}.xml", n) for n in range(2)]
    urls.append(second_server.add("/dies.xml", handler=kill_the_collecting_children))
    _add_sources(runtime, urls)

    report = collect_in_processes(
        runtime, selection="all", trigger="test", processes=2, min_sources=1
    )

    by_name = {o.name: o for o in report.outcomes}
    assert sorted(by_name) == ["feed 0", "feed 1", "feed 2"]
    assert (by_name["feed 0"].status, by_name["feed 1"].status) == ("ok", "ok")
    dead = by_name["feed 2"]
    assert (dead.status, dead.category) == ("error", "internal")
    assert dead.error is not None and "collecting process ended" in dead.error
    with unit_of_work(runtime.read_sessions) as session:
        run = session.scalars(select(CollectorRun)).one()
    assert (run.sources_ok, run.sources_failed) == (2, 1)


COMMAND = [sys.executable, "-m", "service"]


def _cli_database(database: Path, urls: list[str], **settings: str) -> dict[str, str]:
    """A migrated database with a source per URL; the environment of commands on it."""
    env = command_env(
        MEDIAMONITOR_DATABASE_URL=f"sqlite:///{database}",
        MEDIAMONITOR_COLLECT_PROCESSES="2",
        COLUMNS="200",
        **settings,
    )
    upgrade = subprocess.run([*COMMAND, "db", "upgrade", "--no-seed"], env=env, timeout=120)
    assert upgrade.returncode == 0
    engine = make_engine(f"sqlite:///{database}")
    try:
        _add_sources(Runtime(settings=Settings(database_url=str(engine.url)), engine=engine), urls)
    finally:
        engine.dispose()
    return env


def test_cli_collect_of_many_sources_runs_in_two_processes(
    tmp_path: Path, http_server: LocalServer, second_server: LocalServer
) -> None:
    per_host = MIN_SOURCES_PER_PROCESS
    urls = [_feed(http_server, f"/{n}.xml", n) for n in range(per_host)]
    urls += [_feed(second_server, f"/{n}.xml", n) for n in range(per_host, 2 * per_host)]
    database = tmp_path / "cli.sqlite3"
    env = _cli_database(database, urls)
    collected = subprocess.run(
        [*COMMAND, "collect", "--all"], env=env, capture_output=True, text=True, timeout=300
    )

    assert collected.returncode == 0, collected.stderr
    assert f"{2 * per_host} sources (0 unchanged), 0 failed" in collected.stdout
    # Its connections were closed at exit: the last one folds the write-ahead log back.
    assert not Path(f"{database}-wal").exists()
    with sqlite3.connect(database) as db:
        items = db.execute("SELECT count(*), count(DISTINCT canonical_url) FROM items").fetchone()
        runs = db.execute("SELECT sources_ok, sources_failed FROM collector_runs").fetchall()
    assert items == (2 * per_host * 2 + 1,) * 2 and runs == [(2 * per_host, 0)]


def test_ctrl_c_ends_a_cli_collect_with_what_finished_recorded(
    tmp_path: Path, http_server: LocalServer, second_server: LocalServer
) -> None:
    asked, hang = hanging(8)
    per_host = MIN_SOURCES_PER_PROCESS
    urls = [_feed(http_server, f"/{n}.xml", n) for n in range(per_host - 1)]
    urls.append(http_server.add("/hangs.xml", handler=hang))
    urls += [_feed(second_server, f"/{n}.xml", n) for n in range(per_host, 2 * per_host)]
    database = tmp_path / "cli.sqlite3"
    env = _cli_database(database, urls, MEDIAMONITOR_HTTP_DEADLINE="30")
    collecting = subprocess.Popen(
        [*COMMAND, "collect", "--all"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group, as in a terminal
    )
    try:
        assert asked.wait(60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _sources_ok(database) < len(urls) - 1:
            time.sleep(0.1)
        os.killpg(collecting.pid, signal.SIGINT)  # Ctrl-C
        _, errors = collecting.communicate(timeout=30)
    finally:
        if collecting.poll() is None:
            os.killpg(collecting.pid, signal.SIGKILL)
            collecting.wait()

    assert collecting.returncode != 0
    assert "Traceback" not in errors, errors
    assert session_members(collecting.pid, wait=10) == []
    with sqlite3.connect(database) as db:
        runs = db.execute("SELECT finished_at IS NOT NULL, sources_ok FROM collector_runs")
        assert runs.fetchall() == [(1, len(urls) - 1)]
        stuck = db.execute("SELECT error_count FROM sources WHERE url = ?", (urls[per_host - 1],))
        assert stuck.fetchone() == (0,)  # interrupted, not failed


def _sources_ok(database: Path) -> int:
    with sqlite3.connect(database) as db:
        ok: int = db.execute(
            "SELECT count(*) FROM sources WHERE last_success_at IS NOT NULL"
        ).fetchone()[0]
    return ok
