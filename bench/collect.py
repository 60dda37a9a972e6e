"""Collection benchmark: a whole collection run against a local news web, beside newsboat.

Run from the repository root (meant for ``make bench``, not ``make test``)::

    python bench/collect.py              # the issue's size: 500 feeds of 20 entries, 3 rounds
    python bench/collect.py --quick      # 100 feeds of 10 entries, 1 round (about a minute)
    python bench/collect.py --feeds 200 --entries 20 --rounds 1 --workdir /tmp/bench

What it does, all on this machine, after byte-compiling the project as installing it
would (``compile_sources``):

1. starts ``bench/sites.py`` in its own process: one site per loopback address
   (127.0.0.1, 127.0.0.2, …), two feeds a site, an article page behind every entry, some
   pages naming the Nationaal Rapporteur in the article, regional near-copies, and 10% of
   the feeds faulty, one fault kind after the other (hang, drip a byte a second, 500, 404,
   redirect loop, 429 with Retry-After, truncated XML, wrong declared charset, 50 MB body,
   gzip bomb, HTML instead of a feed, empty 200);
2. migrates a fresh SQLite database (``mediamonitor db upgrade --no-seed``), adds the
   registry's outlets and one source per feed (national sites as national outlets,
   the others as regional ones, ``pages: all``);
3. runs ``python -m service collect --all`` twice in a subprocess, timing each and sampling
   the memory of its whole process tree (collector and extraction workers) every 50 ms
   (VmRSS; PSS every 100 ms; VmHWM catches what peaks between samples);
4. checks the database: every page whose article mentions the Rapporteur stored exactly
   once, no other page stored, each fault recorded with its category; and the second run's
   304s from the server's own log;
5. times ``newsboat -x reload`` (installed with apt-get when missing) over the same feed
   list with an isolated cache, 8 reload threads and a 10 s download timeout, first with
   an empty cache and again with the filled one;
6. with the healthy feeds only, times a feeds-only collection (``pages: none``) on a fresh
   database against newsboat on a fresh cache, ``--feeds-only-rounds`` times each.

Before and after, it times ``trafilatura.extract`` on the recorded pages and prints it
beside the 36 ms a page of ../shared/docs/MEASURED.md: the collector's work is CPU-bound,
newsboat's mostly waits, so the first collection's ratio moves with this machine's speed
(shared VMs drift by 2x within an hour).

Steps 2-5 are repeated ``--rounds`` times on a fresh database and cache; the table gives
the median wall times, the largest memory and the worst correctness figure. The judged
memory is the tree's PSS (a forked worker shares its parent's pages; the RSS sum counts
them twice) plus what peaked between samples; the RSS sum and main + largest worker are
printed beside it.

Targets (the collection issue), on the 2-core machine:

- first collection: wall time at most half of newsboat's (newsboat fetches no pages);
  peak memory under 400 MB; every expected mention stored once;
- second collection: at least 90% of the healthy feeds answered with 304, wall time under
  a fifth of the first;
- no faulty feeds, feeds only: no slower than newsboat.

The collector runs with MEDIAMONITOR_HTTP_DEADLINE=10 and MEDIAMONITOR_HTTP_READ_TIMEOUT=5,
so a hanging or dripping server costs it about what ``download-timeout 10`` costs newsboat;
everything else is the default configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sites import EXPECTED_CATEGORY, PAGE_ID, Model, build_model

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEED = 20261125
MB = 1024 * 1024
COLLECTOR_ENV = {
    "MEDIAMONITOR_HTTP_DEADLINE": "10",
    "MEDIAMONITOR_HTTP_READ_TIMEOUT": "5",
}
NEWSBOAT_CONFIG = "reload-threads 8\ndownload-timeout 10\n"
RUN_TIMEOUT = 900.0
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


# ---------------------------------------------------------------------------------------
# Measuring a process tree


def _read(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def _kib(text: str, key: str) -> int:
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc/<pid>/task/<tid>/children."""
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        for task in os.listdir(f"/proc/{pid}/task") if os.path.isdir(f"/proc/{pid}") else []:
            stack += [int(c) for c in _read(f"/proc/{pid}/task/{task}/children").split()]
    return pids


class TreeSampler(threading.Thread):
    """Samples VmRSS and CPU time of a process tree every ``interval`` s, and PSS (1 ms a
    process to read) every other sample."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.stopped = threading.Event()
        self.peak_rss_sum = 0  # KiB, summed over the tree (shared pages counted per process)
        self.peak_pss_sum = 0  # KiB, proportional: shared pages split between processes
        self.peak_processes = 0
        self.peak_by_pid: dict[int, int] = {}  # KiB, VmHWM per process
        self.cpu_by_pid: dict[int, float] = {}  # s, user + system, as last seen
        self.rss_by_pid: dict[int, int] = {}  # KiB, largest VmRSS sampled per process
        self.samples = 0

    def run(self) -> None:
        while not self.stopped.is_set():
            with contextlib.suppress(OSError, ValueError):
                self._sample()
            self.stopped.wait(self.interval)

    def _sample(self) -> None:
        pids = _tree(self.root)
        total = 0
        pss = 0
        with_pss = self.samples % 2 == 0
        for pid in pids:
            status = _read(f"/proc/{pid}/status")
            rss = _kib(status, "VmRSS:")
            total += rss
            self.rss_by_pid[pid] = max(self.rss_by_pid.get(pid, 0), rss)
            hwm = _kib(status, "VmHWM:")
            if hwm:
                self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), hwm)
                self.cpu_by_pid[pid] = _cpu_seconds(pid)
            if with_pss:
                pss += _kib(_read(f"/proc/{pid}/smaps_rollup"), "Pss:")
        self.samples += 1
        self.peak_rss_sum = max(self.peak_rss_sum, total)
        self.peak_processes = max(self.peak_processes, len(pids))
        if with_pss:
            self.peak_pss_sum = max(self.peak_pss_sum, pss)

    def stop(self) -> None:
        self.stopped.set()
        self.join()

    @property
    def unsampled(self) -> int:
        """KiB by which processes peaked between samples (VmHWM over the largest VmRSS
        seen): short spikes, such as a decompressed chunk, that no sample caught."""
        return sum(
            max(0, hwm - self.rss_by_pid.get(pid, 0)) for pid, hwm in self.peak_by_pid.items()
        )


@dataclass
class Measured:
    command: list[str]
    wall: float
    returncode: int
    cpu: float  # user + system seconds of the process and its reaped children
    max_rss_single: int  # KiB: the largest single process of the tree (kernel's figure)
    peak_rss_sum: int  # KiB: sampled, the tree's VmRSS added up
    peak_pss_sum: int  # KiB: sampled, the tree's PSS added up
    unsampled: int  # KiB: peaks between samples (see TreeSampler.unsampled)
    main_peak: int  # KiB: VmHWM of the process started
    largest_child_peak: int  # KiB: VmHWM of its largest descendant
    processes: int
    main_cpu: float  # s, the process started (as last sampled)
    log: Path


def run_measured(command: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> Measured:
    """Run ``command`` to its end, timing it and sampling its process tree's memory."""
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        sampler = TreeSampler(process.pid)
        sampler.start()
        killer = threading.Timer(RUN_TIMEOUT, _kill_group, args=(process.pid,))
        killer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
    main = sampler.peak_by_pid.get(process.pid, 0)
    children = [v for pid, v in sampler.peak_by_pid.items() if pid != process.pid]
    return Measured(
        command=command, wall=wall, returncode=process.returncode,
        cpu=usage.ru_utime + usage.ru_stime, max_rss_single=usage.ru_maxrss,
        peak_rss_sum=sampler.peak_rss_sum, peak_pss_sum=sampler.peak_pss_sum,
        unsampled=sampler.unsampled,
        main_peak=max(main, 0), largest_child_peak=max(children, default=0),
        processes=sampler.peak_processes, main_cpu=sampler.cpu_by_pid.get(process.pid, 0.0),
        log=log,
    )  # fmt: skip


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _cpu_seconds(pid: int) -> float:
    fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[-1].split()
    if len(fields) < 13:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------
# How fast this machine is right now

# ../shared/docs/MEASURED.md: trafilatura.extract on the recorded pages, on the 2-core
# machine kind the targets are set for.
REFERENCE_EXTRACT_MS = 36.0
_SPEED_PROBE = """
import sys, time, trafilatura
from pathlib import Path
pages = [p.read_bytes() for p in sorted(Path(sys.argv[1]).glob("*.html"))]
def once():
    start = time.process_time()
    for page in pages:
        trafilatura.extract(page)
    return time.process_time() - start
print(1000 * min(once() for _ in range(3)) / len(pages))
"""


def machine_speed() -> float | None:
    """ms of CPU per page for ``trafilatura.extract`` on the recorded pages, best of 3:
    the CPU-bound figures (and so the first collection's ratio) scale with it, newsboat's
    wait-bound ones hardly."""
    from extract import corpus_dir

    pages = corpus_dir() / "pages"
    probe = subprocess.run(
        [PYTHON, "-c", _SPEED_PROBE, str(pages)], capture_output=True, text=True, check=False
    )
    try:
        return float(probe.stdout.strip())
    except ValueError:
        return None


def describe_speed(label: str, ms: float | None) -> str:
    if ms is None:
        return f"  machine speed {label}: not measured (no recorded pages)"
    return (
        f"  machine speed {label}: trafilatura.extract {ms:.1f} ms a recorded page "
        f"({ms / REFERENCE_EXTRACT_MS:.2f}x the {REFERENCE_EXTRACT_MS:g} ms of MEASURED.md)"
    )


# ---------------------------------------------------------------------------------------
# The site server


class SiteServer:
    """``bench/sites.py`` in its own process."""

    def __init__(self, args: argparse.Namespace, log: Path) -> None:
        command = [
            PYTHON, str(ROOT / "bench" / "sites.py"), "--feeds", str(args.feeds),
            "--entries", str(args.entries), "--faulty-share", str(args.faulty_share),
            "--seed", str(SEED),
        ]  # fmt: skip
        self.command = command
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "READY":
            raise SystemExit(f"the site server did not start; see {log}")
        self.port = int(line[1])
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _get(self, path: str) -> dict[str, Any]:
        with self._opener.open(f"http://127.0.0.1:{self.port}{path}", timeout=30) as answer:
            data: dict[str, Any] = json.loads(answer.read())
            return data

    def reset(self) -> None:
        self._get("/_bench/reset")

    def stats(self) -> dict[str, Any]:
        return self._get("/_bench/stats")

    def cpu(self) -> float:
        return _cpu_seconds(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


# ---------------------------------------------------------------------------------------
# Our collector


def collector_env(workdir: Path, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIAMONITOR_")}
    env.update(COLLECTOR_ENV)
    env["MEDIAMONITOR_DATA_DIR"] = str(workdir)
    env["MEDIAMONITOR_DATABASE_URL"] = f"sqlite:///{database}"
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "160"
    return env


def compile_sources() -> None:
    """Byte-compile the project's packages, as installing a wheel does: an editable
    checkout under PYTHONDONTWRITEBYTECODE (set on the benchmark machines) would compile
    them anew in every measured run, about 0.1 s of its start."""
    packages = [str(ROOT / name) for name in ("service", "collectors", "classifiers", "db")]
    subprocess.run([PYTHON, "-m", "compileall", "-q", *packages], check=True, capture_output=True)


def prepare_database(
    model: Model, port: int, workdir: Path, database: Path, *, feeds: list[int], pages: str
) -> None:
    """Migrate a fresh database, add the registry's outlets and one source per feed."""
    from classifiers.outlets import OutletRegistry
    from db.engine import make_engine, session_factory, unit_of_work
    from db.outlets import outlet_ids, sync_registry
    from db.sources import SourceSpec, seed_sources

    env = collector_env(workdir, database)
    upgrade = [PYTHON, "-m", "service", "db", "upgrade", "--no-seed"]
    subprocess.run(upgrade, env=env, cwd=workdir, check=True, capture_output=True)
    registry = OutletRegistry.default()
    entries = list(registry.entries.values())
    national = [e.name for e in entries if e.publication_type == "national"]
    regional = [e.name for e in entries if e.publication_type == "regional"]
    specs = []
    for index in feeds:
        feed = model.feeds[index]
        site = model.sites[feed.site]
        outlets = national if site.national else regional
        specs.append(
            SourceSpec(
                name=f"{site.name} {feed.section}",
                kind="feed",
                url=model.feed_url(feed, port),
                outlet=outlets[site.index % len(outlets)],
                pages=pages,
            )
        )
    engine = make_engine(f"sqlite:///{database}")
    try:
        with unit_of_work(session_factory(engine)) as session:
            sync_registry(session, entries=entries)
            seed_sources(session, specs=specs, outlet_ids=outlet_ids(session))
    finally:
        engine.dispose()


def collect(workdir: Path, database: Path, log: Path) -> Measured:
    command = [PYTHON, "-m", "service", "collect", "--all"]
    measured = run_measured(command, env=collector_env(workdir, database), cwd=workdir, log=log)
    if measured.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"collection failed ({measured.returncode}); end of {log}:\n{tail}")
    return measured


@dataclass
class Stored:
    expected: int = 0
    stored_once: int = 0
    missing: list[int] = field(default_factory=list)
    duplicated: list[int] = field(default_factory=list)
    unexpected_aside: int = 0  # pages naming the Rapporteur only in a "Lees ook" link
    unexpected_other: int = 0
    unmatched: int = 0  # items whose URL is none of the site's pages
    items: int = 0
    reprint_links: int = 0


def check_items(model: Model, database: Path) -> Stored:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT canonical_url, urls FROM items").fetchall()
        links = db.execute("SELECT count(*) FROM reprint_links").fetchone()[0]
    per_page: Counter[int] = Counter()
    result = Stored(items=len(rows), reprint_links=links)
    for canonical, urls in rows:
        match = PAGE_ID.search(canonical) or PAGE_ID.search(urls or "")
        if match is None or int(match.group(1)) >= len(model.pages):
            result.unmatched += 1
            continue
        per_page[int(match.group(1))] += 1
    expected = model.expected_mentions
    result.expected = len(expected)
    result.stored_once = sum(1 for pid in expected if per_page[pid] == 1)
    result.missing = sorted(pid for pid in expected if per_page[pid] == 0)
    result.duplicated = sorted(pid for pid, n in per_page.items() if n > 1)
    for pid in per_page:
        if pid not in expected:
            if model.pages[pid].mention == "aside":
                result.unexpected_aside += 1
            else:
                result.unexpected_other += 1
    return result


@dataclass
class RunOutcomes:
    statuses: Counter[str]
    page_errors: int
    pages_fetched: int
    new: int
    faults_as_expected: int
    faults: int
    wrong_faults: list[str]
    healthy_not_modified: int


def run_outcomes(model: Model, port: int, database: Path, run: int) -> RunOutcomes:
    """The outcomes the collector recorded for its ``run``-th run (1-based)."""
    with sqlite3.connect(database) as db:
        urls = dict(db.execute("SELECT id, url FROM sources").fetchall())
        rows = db.execute("SELECT outcomes FROM collector_runs ORDER BY id").fetchall()
    outcomes: dict[str, dict[str, Any]] = json.loads(rows[run - 1][0])
    by_url = {model.feed_url(f, port): f for f in model.feeds}
    statuses: Counter[str] = Counter()
    wrong = []
    as_expected = faults = healthy_304 = 0
    for source_id, outcome in outcomes.items():
        feed = by_url[urls[int(source_id)]]
        statuses[outcome["status"]] += 1
        if feed.fault:
            faults += 1
            expected = EXPECTED_CATEGORY[feed.fault]
            good = (outcome["category"] in expected) if expected else outcome["status"] != "error"
            if good or (run > 1 and outcome["status"] == "not_modified" and not expected):
                as_expected += 1
            else:
                wrong.append(f"{feed.fault}: {outcome['status']} {outcome['category']}")
        elif outcome["status"] == "not_modified":
            healthy_304 += 1
    return RunOutcomes(
        statuses=statuses,
        page_errors=sum(o["page_errors"] for o in outcomes.values()),
        pages_fetched=sum(o["pages_fetched"] for o in outcomes.values()),
        new=sum(o["new"] for o in outcomes.values()),
        faults_as_expected=as_expected, faults=faults, wrong_faults=wrong,
        healthy_not_modified=healthy_304,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# newsboat


def ensure_newsboat() -> str | None:
    found = shutil.which("newsboat")
    if found:
        return found
    print("newsboat is missing: installing it with `apt-get install -y newsboat` …", flush=True)
    install = ["apt-get", "install", "-y", "-q", "newsboat"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        print("  apt-get install failed; running `apt-get update` first and retrying", flush=True)
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True)
    found = shutil.which("newsboat")
    print(f"  {'installed ' + found if found else 'could not install newsboat'}", flush=True)
    return found


def newsboat_dir(workdir: Path, name: str, urls: list[str]) -> Path:
    folder = workdir / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "home").mkdir(parents=True)
    (folder / "urls").write_text("".join(f"{url}\n" for url in urls))
    (folder / "config").write_text(NEWSBOAT_CONFIG)
    return folder


def newsboat_command(binary: str, folder: Path) -> list[str]:
    return [
        binary, "-x", "reload", "-u", str(folder / "urls"), "-c", str(folder / "cache.db"),
        "-C", str(folder / "config"),
    ]  # fmt: skip


def run_newsboat(binary: str, folder: Path, log: Path) -> Measured:
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env.update(HOME=str(folder / "home"), XDG_CONFIG_HOME=str(folder / "home"),
               XDG_DATA_HOME=str(folder / "home"), LANG="C.UTF-8")  # fmt: skip
    return run_measured(newsboat_command(binary, folder), env=env, cwd=folder, log=log)


def newsboat_items(folder: Path) -> int:
    with sqlite3.connect(folder / "cache.db") as db:
        count: int = db.execute("SELECT count(*) FROM rss_item").fetchone()[0]
        return count


# ---------------------------------------------------------------------------------------
# One round: two collections on a fresh database, newsboat on a fresh cache


@dataclass
class Round:
    first: Measured
    second: Measured
    stored: Stored
    outcomes_first: RunOutcomes
    outcomes_second: RunOutcomes
    served_first: dict[str, Any]
    served_second: dict[str, Any]
    answered_304: int
    server_cpu_first: float
    newsboat_first: Measured | None = None
    newsboat_second: Measured | None = None  # filled cache, first round only
    newsboat_served: dict[str, Any] = field(default_factory=dict)
    newsboat_items: int = 0


def _phase(name: str) -> None:
    print(f"… {name}", flush=True)


def one_round(
    number: int, model: Model, server: SiteServer, workdir: Path, newsboat: str | None,
    healthy: list[int],
) -> Round:  # fmt: skip
    port = server.port
    database = workdir / f"bench-{number}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    prepare_database(
        model, port, workdir, database, feeds=[f.index for f in model.feeds], pages="all"
    )
    _phase(f"round {number}: first collection (ours)")
    server.reset()
    cpu = server.cpu()
    first = collect(workdir, database, workdir / f"collect-{number}-1.log")
    server_cpu = server.cpu() - cpu
    served_first = server.stats().get("mediamonitor", {})
    stored = check_items(model, database)
    outcomes_first = run_outcomes(model, port, database, 1)

    _phase(f"round {number}: second collection (ours)")
    server.reset()
    second = collect(workdir, database, workdir / f"collect-{number}-2.log")
    served_second = server.stats().get("mediamonitor", {})
    healthy_set = set(healthy)
    answered_304 = sum(
        1
        for index, statuses in served_second.get("feed_status", {}).items()
        if int(index) in healthy_set and statuses and statuses[-1] == 304
    )
    result = Round(
        first=first, second=second, stored=stored, outcomes_first=outcomes_first,
        outcomes_second=run_outcomes(model, port, database, 2), served_first=served_first,
        served_second=served_second, answered_304=answered_304, server_cpu_first=server_cpu,
    )  # fmt: skip
    if newsboat:
        _phase(f"round {number}: newsboat reload, empty cache")
        folder = newsboat_dir(
            workdir, f"newsboat-{number}", [model.feed_url(f, port) for f in model.feeds]
        )
        server.reset()
        result.newsboat_first = run_newsboat(newsboat, folder, workdir / f"nb-{number}-1.log")
        result.newsboat_served = server.stats().get("newsboat", {})
        result.newsboat_items = newsboat_items(folder)
        if number == 1:
            _phase(f"round {number}: newsboat reload, filled cache")
            result.newsboat_second = run_newsboat(newsboat, folder, workdir / "nb-1-2.log")
    return result


def feeds_only(
    rounds: int, model: Model, server: SiteServer, workdir: Path, newsboat: str | None,
    healthy: list[int],
) -> tuple[list[Measured], list[Measured]]:  # fmt: skip
    """Healthy feeds only, ``pages: none``: ours on a fresh database, newsboat fresh."""
    port = server.port
    pristine = workdir / "feeds-only-pristine.sqlite3"
    pristine.unlink(missing_ok=True)
    prepare_database(model, port, workdir, pristine, feeds=healthy, pages="none")
    urls = [model.feed_url(model.feeds[i], port) for i in healthy]
    ours: list[Measured] = []
    theirs: list[Measured] = []
    for n in range(1, rounds + 1):
        _phase(f"feeds only, healthy feeds, round {n} of {rounds}")
        database = workdir / "feeds-only.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copy(pristine, database)
        ours.append(collect(workdir, database, workdir / f"feeds-only-{n}.log"))
        if newsboat:
            folder = newsboat_dir(workdir, "newsboat-feeds", urls)
            theirs.append(run_newsboat(newsboat, folder, workdir / f"nb-feeds-{n}.log"))
    return ours, theirs


# ---------------------------------------------------------------------------------------
# Report


@dataclass
class Line:
    what: str
    measured: str
    target: str
    ok: bool | None  # None: not judged (newsboat missing)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


def print_table(lines: list[Line]) -> None:
    heads = ("target", "measured", "wanted")
    widths = [
        max(len(head), *(len(getattr(line, attr)) for line in lines))
        for head, attr in zip(heads, ("what", "measured", "target"), strict=True)
    ]
    header = "  ".join(f"{h:<{w}}" for h, w in zip(heads, widths, strict=True)) + "  result"
    print(header)
    print("-" * len(header))
    for line in lines:
        cells = (line.what, line.measured, line.target)
        row = "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True))
        print(f"{row}  {verdict(line.ok)}")


def mb(kib: int) -> str:
    return f"{kib * 1024 / MB:.0f} MB"


def describe(name: str, m: Measured) -> str:
    return (
        f"{name}: {m.wall:.1f} s wall; CPU {m.cpu:.1f} s in all, {m.main_cpu:.1f} s in the "
        f"main process; memory: tree PSS sum {mb(m.peak_pss_sum)} + {mb(m.unsampled)} "
        f"peaking between samples, tree RSS sum "
        f"{mb(m.peak_rss_sum)}, main {mb(m.main_peak)}, largest child "
        f"{mb(m.largest_child_peak)}; {m.processes} processes; exit {m.returncode}"
    )


def _feed_counts(served: dict[str, Any]) -> str:
    counts: dict[str, int] = served.get("counts", {})
    merged: Counter[str] = Counter()
    for key, n in counts.items():
        parts = key.split()
        if parts[0] == "feed":
            merged[("healthy " if parts[1] == "ok" else "faulty ") + parts[2]] += n
    return ", ".join(f"{k}: {v}" for k, v in sorted(merged.items()))


def print_details(model: Model, rounds: list[Round], healthy: int) -> None:
    print("\nDetails (round 1)")
    one = rounds[0]
    served, outcomes, stored = one.served_first, one.outcomes_first, one.stored
    print("  " + describe("ours, first collection", one.first))
    print(
        f"    server: {served.get('page_requests', 0)} page requests for "
        f"{served.get('distinct_pages', 0)} distinct pages ({len(model.reachable)} behind "
        f"readable feeds), {served.get('bytes', 0) / MB:.0f} MB of pages, server CPU "
        f"{one.server_cpu_first:.1f} s; feed answers: {_feed_counts(served)}"
    )
    wrong = "; wrong: " + ", ".join(outcomes.wrong_faults) if outcomes.wrong_faults else ""
    print(
        f"    collector: sources {dict(outcomes.statuses)}, {outcomes.new} new items, "
        f"{outcomes.pages_fetched} pages extracted, {outcomes.page_errors} page errors; "
        f"faults recorded with the expected category: {outcomes.faults_as_expected}/"
        f"{outcomes.faults}{wrong}"
    )
    missing = f" (first {stored.missing[:10]})" if stored.missing else ""
    print(
        f"    database: {stored.items} items; {stored.stored_once}/{stored.expected} expected "
        f"mentions stored once, {len(stored.missing)} missing{missing}, "
        f"{len(stored.duplicated)} duplicated; stored without a mention: "
        f"{stored.unexpected_aside} 'Lees ook'-only pages (of {len(model.aside_only)}), "
        f"{stored.unexpected_other} others, {stored.unmatched} unmatched; "
        f"{stored.reprint_links} reprint links for {len(model.near_copies)} near-copies"
    )
    print("  " + describe("ours, second collection", one.second))
    print(
        f"    server: healthy feeds answered 304: {one.answered_304}/{healthy}; feed "
        f"answers: {_feed_counts(one.served_second)}; "
        f"{one.served_second.get('page_requests', 0)} page requests; collector: sources "
        f"{dict(one.outcomes_second.statuses)}, {one.outcomes_second.new} new items"
    )
    if one.newsboat_first:
        print("  " + describe("newsboat, empty cache", one.newsboat_first))
        print(
            f"    server: feed answers: {_feed_counts(one.newsboat_served)}; "
            f"{one.newsboat_items} items in its cache"
        )
    if one.newsboat_second:
        print("  " + describe("newsboat, filled cache", one.newsboat_second))
    if len(rounds) > 1:
        print("Rounds (fresh database and cache each)")
        for number, r in enumerate(rounds, 1):
            nb = f"; newsboat {r.newsboat_first.wall:.1f} s" if r.newsboat_first else ""
            print(
                f"  {number}: ours {r.first.wall:.1f} s then {r.second.wall:.1f} s{nb}; PSS "
                f"{mb(r.first.peak_pss_sum)}, RSS sum {mb(r.first.peak_rss_sum)}; stored once "
                f"{r.stored.stored_once}/{r.stored.expected}; 304 {r.answered_304}/{healthy}"
            )


def table_lines(
    rounds: list[Round], healthy: int, ours_feeds: list[Measured], theirs_feeds: list[Measured]
) -> list[Line]:
    n = len(rounds)
    of = f" (median of {n})" if n > 1 else ""
    first = statistics.median(r.first.wall for r in rounds)
    second = statistics.median(r.second.wall for r in rounds)
    lines = []
    theirs = [r.newsboat_first.wall for r in rounds if r.newsboat_first]
    if theirs:
        nb = statistics.median(theirs)
        lines.append(
            Line(
                "1st collection: wall time vs newsboat",
                f"{first:.1f} s vs {nb:.1f} s = {first / nb:.2f}x{of}",
                "<= 0.50x",
                first <= 0.5 * nb,
            )
        )
    else:
        lines.append(Line("1st collection: wall time", f"{first:.1f} s{of}", "<= 0.50x nb", None))
    peak = max(r.first.peak_pss_sum + r.first.unsampled for r in rounds)
    spike = max(r.first.unsampled for r in rounds)
    rss = max(r.first.peak_rss_sum for r in rounds)
    main = max(r.first.main_peak for r in rounds)
    worker = max(r.first.largest_child_peak for r in rounds)
    lines.append(
        Line(
            "1st collection: peak memory, tree PSS",
            f"{mb(peak)} (incl. {mb(spike)} between samples; RSS sum {mb(rss)}; main "
            f"{mb(main)} + largest worker {mb(worker)})",
            "< 400 MB",
            peak * 1024 < 400 * MB,
        )
    )
    worst = min(rounds, key=lambda r: (r.stored.stored_once, -len(r.stored.duplicated)))
    ok = all(
        r.stored.expected > 0
        and r.stored.stored_once == r.stored.expected
        and not r.stored.duplicated
        for r in rounds
    )
    lines.append(
        Line(
            "1st collection: expected mentions stored once",
            f"{worst.stored.stored_once}/{worst.stored.expected}, {len(worst.stored.missing)} "
            f"missing, {len(worst.stored.duplicated)} duplicated"
            + (f" (worst of {n})" if n > 1 else ""),
            "all, once",
            ok,
        )
    )
    extra = max(
        r.stored.unexpected_aside + r.stored.unexpected_other + r.stored.unmatched for r in rounds
    )
    lines.append(
        Line("1st collection: other pages stored", f"{extra}", "0 (bench check)", extra == 0)
    )
    fewest = min(r.answered_304 for r in rounds)
    share = fewest / healthy if healthy else 0.0
    lines.append(
        Line(
            "2nd collection: healthy feeds answered 304",
            f"{fewest}/{healthy} = {share:.0%}" + (f" (fewest of {n})" if n > 1 else ""),
            ">= 90%",
            share >= 0.9,
        )
    )
    lines.append(
        Line(
            "2nd collection: wall time vs first",
            f"{second:.1f} s vs {first:.1f} s = {second / first:.2f}x{of}",
            "< 0.20x",
            second < 0.2 * first,
        )
    )
    if ours_feeds:
        ours = statistics.median(m.wall for m in ours_feeds)
        k = f" (median of {len(ours_feeds)})" if len(ours_feeds) > 1 else ""
        if theirs_feeds:
            nb = statistics.median(m.wall for m in theirs_feeds)
            lines.append(
                Line(
                    "feeds only, no faulty feeds: vs newsboat",
                    f"{ours:.2f} s vs {nb:.2f} s = {ours / nb:.2f}x{k}",
                    "<= 1.00x",
                    ours <= nb,
                )
            )
        else:
            lines.append(Line("feeds only, no faulty feeds", f"{ours:.2f} s{k}", "<= nb", None))
    return lines


# ---------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=None, help="feeds (default 500)")
    parser.add_argument("--entries", type=int, default=None, help="entries a feed (default 20)")
    parser.add_argument("--faulty-share", type=float, default=0.10, help="default 0.10")
    parser.add_argument("--quick", action="store_true", help="100 feeds of 10 entries, 1 round")
    parser.add_argument("--rounds", type=int, default=None, help="full rounds (default 3)")
    parser.add_argument(
        "--feeds-only-rounds", type=int, default=None, help="feeds-only rounds (default 5)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep the files here")
    parser.add_argument("--no-newsboat", action="store_true", help="skip newsboat")
    args = parser.parse_args(argv)
    args.feeds = args.feeds or (100 if args.quick else 500)
    args.entries = args.entries or (10 if args.quick else 20)
    rounds = args.rounds or (1 if args.quick else 3)
    feed_rounds = args.feeds_only_rounds or (1 if args.quick else 5)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-collect-"))
    workdir.mkdir(parents=True, exist_ok=True)
    newsboat = None if args.no_newsboat else ensure_newsboat()
    compile_sources()
    model = build_model(args.feeds, args.entries, faulty_share=args.faulty_share, seed=SEED)
    healthy = [f.index for f in model.feeds if not f.fault]
    faults = ", ".join(
        f"{k} {v}" for k, v in Counter(f.fault for f in model.feeds if f.fault).items()
    )
    print(
        f"{len(model.feeds)} feeds on {len(model.sites)} hosts (127.0.0.x), "
        f"{len(model.feeds) - len(healthy)} faulty ({faults}); {len(model.pages)} article "
        f"pages, {len(model.reachable)} behind readable feeds, {len(model.expected_mentions)} "
        f"of them mention the Rapporteur ({len(model.near_copies)} regional near-copies), "
        f"{len(model.aside_only)} name it only in a 'Lees ook' link; files in {workdir}",
        flush=True,
    )  # fmt: skip
    speed_before = machine_speed()
    server = SiteServer(args, workdir / "sites.log")
    try:
        results = [
            one_round(n, model, server, workdir, newsboat, healthy) for n in range(1, rounds + 1)
        ]
        ours_feeds, theirs_feeds = feeds_only(
            feed_rounds, model, server, workdir, newsboat, healthy
        )
    finally:
        server.stop()

    speed_after = machine_speed()
    print_details(model, results, len(healthy))
    print(describe_speed("before", speed_before))
    print(describe_speed("after", speed_after))
    for label, runs in (("ours, feeds only", ours_feeds), ("newsboat, feeds only", theirs_feeds)):
        if runs:
            walls = ", ".join(f"{m.wall:.2f}" for m in runs)
            print(
                f"  {label}: wall {walls} s; CPU {statistics.median(m.cpu for m in runs):.2f} s"
                f"; tree PSS {mb(max(m.peak_pss_sum for m in runs))}"
            )
    lines = table_lines(results, len(healthy), ours_feeds, theirs_feeds)
    print()
    print(
        f"Collection benchmark: {len(model.feeds)} feeds x {args.entries} entries, "
        f"{len(model.feeds) - len(healthy)} faulty; {os.cpu_count()} CPUs; "
        f"{rounds} round(s), feeds only {feed_rounds}"
    )
    print_table(lines)
    print("\nCommands")
    env = " ".join(f"{k}={v}" for k, v in COLLECTOR_ENV.items())
    print(f"  server:   {' '.join(server.command)}")
    print(
        f"  ours:     {env} MEDIAMONITOR_DATABASE_URL=sqlite:///{workdir}/bench-N.sqlite3 "
        f"{PYTHON} -m service collect --all   (twice a round; sources pages=all)"
    )
    print(f"  feeds:    the same on {workdir / 'feeds-only.sqlite3'} (healthy sources, pages=none)")
    if newsboat:
        print(f"  newsboat: {' '.join(newsboat_command(newsboat, workdir / 'newsboat-N'))}")
        print(f"            config: {NEWSBOAT_CONFIG.strip().replace(chr(10), '; ')}")
    print(f"  logs and databases in {workdir}")
    return 0 if all(line.ok is not False for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
