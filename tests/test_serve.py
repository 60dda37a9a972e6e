"""`mediamonitor serve` as a user starts it: a real process on the embedded SQLite."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from db.engine import make_engine, session_factory, unit_of_work
from db.sources import SourceSpec, seed_sources
from tests.environment import command_env, session_members
from tests.httpserver import LocalServer, hanging


def _migrate(folder: Path, env: dict[str, str]) -> None:
    """An empty database, migrated (no default sources)."""
    command = [sys.executable, "-m", "service", "db", "upgrade", "--no-seed"]
    subprocess.run(command, cwd=folder, env=env, check=True, capture_output=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


OFFLINE_SOURCES = 12


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    # Sources whose servers are down (nothing listens on their ports): failures must be
    # recorded per source while the API keeps answering.
    env = command_env(MEDIAMONITOR_HTTP_DEADLINE="3", MEDIAMONITOR_ALLOW_PRIVATE_ADDRESSES="1")
    command = [sys.executable, "-m", "service"]
    _migrate(tmp_path, env)
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'mediamonitor.sqlite3'}")
    try:
        specs = [
            SourceSpec(f"Offline {n}", "feed", f"http://127.0.0.1:{_free_port()}/feed-{n}.xml")
            for n in range(OFFLINE_SOURCES)
        ]
        with unit_of_work(session_factory(engine)) as session:
            seed_sources(session, specs=specs, outlet_ids={})
    finally:
        engine.dispose()
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its session holds every process it starts
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    yield base, process
    process.terminate()
    process.wait(timeout=20)
    log.close()
    # A collection in progress is stopped with it: no extraction worker is left behind.
    assert session_members(process.pid, wait=10) == []


def test_serve_answers_health_and_counts_on_embedded_sqlite(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    base, _ = served
    assert httpx.get(base + "/health").json()["status"] == "ok"
    counts = httpx.get(base + "/api/v1/counts", params={"year": 2026}).json()
    assert counts["year"] == 2026 and counts["total"] == 0
    assert set(counts["by_type"]) == {
        "national",
        "regional",
        "news_site",
        "trade",
        "corporate",
        "other",
    }
    assert httpx.get(base + "/docs").status_code == 200
    assert (tmp_path / "var" / "mediamonitor.sqlite3").exists()
    assert httpx.get(base + "/api/v1/counts", params={"year": "x"}).status_code == 422


def test_offline_sources_fail_one_by_one_while_the_api_answers(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    base, _ = served
    database = sqlite3.connect(tmp_path / "var" / "mediamonitor.sqlite3")
    deadline = time.monotonic() + 60
    failed = 0
    while time.monotonic() < deadline:
        assert httpx.get(base + "/health").status_code == 200
        failed = database.execute("SELECT count(*) FROM sources WHERE error_count > 0").fetchone()[
            0
        ]
        if failed == OFFLINE_SOURCES:
            break
        time.sleep(0.5)
    errors = [
        row[0]
        for row in database.execute("SELECT last_error FROM sources WHERE last_error IS NOT NULL")
    ]
    database.close()
    assert failed == OFFLINE_SOURCES, (tmp_path / "serve.log").read_text()[-2000:]
    assert len(errors) == OFFLINE_SOURCES
    assert all(e.split(":")[0] == "connect" for e in errors), errors[:5]


def test_several_workers_without_a_scheduler(tmp_path: Path) -> None:
    env = command_env()
    command = [sys.executable, "-m", "service"]
    refused = subprocess.run(
        [*command, "serve", "--workers", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0 and "--no-scheduler" in refused.stderr
    _migrate(tmp_path, env)
    port = _free_port()
    with (tmp_path / "workers.log").open("w") as log:
        process = subprocess.Popen(
            [*command, "serve", "--workers", "2", "--no-scheduler", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            answered = None
            while time.monotonic() < deadline and answered is None:
                try:
                    answered = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()
                except httpx.TransportError:
                    time.sleep(0.3)
            assert answered and answered["status"] == "ok", (tmp_path / "workers.log").read_text()
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert "Started parent process" in (tmp_path / "workers.log").read_text()


@pytest.mark.parametrize("stop", ["ctrl_c", "kill"])
def test_serve_stopped_during_a_collection_leaves_no_extraction_worker(
    tmp_path: Path, http_server: LocalServer, stop: str
) -> None:
    asked, hang = hanging(8)
    feed = http_server.add("/hangs.xml", handler=hang)
    database = tmp_path / "stop.sqlite3"
    env = command_env(
        MEDIAMONITOR_DATABASE_URL=f"sqlite:///{database}",
        MEDIAMONITOR_ALLOW_PRIVATE_ADDRESSES="1",
    )
    command = [sys.executable, "-m", "service"]
    _migrate(tmp_path, env)
    engine = make_engine(f"sqlite:///{database}")
    try:
        with unit_of_work(session_factory(engine)) as session:
            seed_sources(session, specs=[SourceSpec("Traag", "feed", feed)], outlet_ids={})
    finally:
        engine.dispose()
    with (tmp_path / "stop.log").open("w") as log:
        process = subprocess.Popen(
            [*command, "serve", "--port", str(_free_port())],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            assert asked.wait(60), (tmp_path / "stop.log").read_text()[-2000:]
            # The collection runs, with its extraction workers (from a fork server).
            assert any("forkserver" in m for m in session_members(process.pid, wait=0))
            if stop == "ctrl_c":
                os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole group
            else:
                process.kill()  # as the out-of-memory killer would
            process.wait(timeout=40)
            assert session_members(process.pid, wait=10) == []
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if stop == "ctrl_c":  # stopped in order: the run is recorded, nothing was interrupted
        assert "Traceback" not in (tmp_path / "stop.log").read_text()
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT finished_at IS NOT NULL FROM collector_runs").fetchall() == [
                (1,)
            ]
