"""A large collection in several processes, one per CPU, each collecting the sources of
its own hosts.

One collecting process spends most of its time in Python (HTTP, parsing, classification,
storage) and so uses one core however many requests are in flight. Split by host, every
per-host limit and robots.txt cache stays in one process, and each process extracts its
own pages inline: a process per core is already the right amount of parallelism.

The children are forked before any event loop or thread starts, after the parent has
imported everything and loaded the classifier, so they start at once and share those
pages. The parent collects its own share, records the run with every outcome, and runs
the reprint pass. A child that dies leaves its unreported sources recorded as failed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import queue
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from urllib.parse import urlsplit

from service.collect import (
    RunReport,
    Selection,
    SourceJob,
    SourceOutcome,
    begin_run,
    end_run,
    failed_outcome,
)
from service.jobs import (
    collect_jobs,
    due_jobs,
    open_collector,
    reprint_pass,
    run_collection,
)
from service.runtime import Runtime

log = logging.getLogger(__name__)
# Below this many sources a process, one process collects them all: starting another
# costs more than it saves.
MIN_SOURCES_PER_PROCESS = 20
POLL_SECONDS = 0.5
CHILDREN_GRACE_SECONDS = 5.0  # for children to end once the run is over or interrupted
# Every process only waiting this long for feeds: those are slow servers, and the reprint
# pass over what came so far is done while they are awaited.
AHEAD_AFTER_QUIET_SECONDS = 0.5


def default_processes() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def partition_by_host(jobs: list[SourceJob], count: int) -> list[list[SourceJob]]:
    """At most ``count`` non-empty shares of ``jobs``, every host's sources in one share,
    the shares as even as whole hosts allow."""
    by_host: dict[str, list[SourceJob]] = {}
    for job in jobs:
        by_host.setdefault(urlsplit(job.url).netloc.lower(), []).append(job)
    shares: list[list[SourceJob]] = [[] for _ in range(max(1, count))]
    for group in sorted(by_host.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [share for share in shares if share]


@dataclass(frozen=True, slots=True)
class _ShareDone:
    number: int


@dataclass(frozen=True, slots=True)
class _Quiet:
    """A collecting process's sources left all wait for their feed (or no longer do)."""

    number: int
    quiet: bool


_Message = SourceOutcome | _ShareDone | _Quiet


def collect_in_processes(
    runtime: Runtime,
    *,
    selection: Selection,
    trigger: str,
    processes: int | None = None,
    min_sources: int = MIN_SOURCES_PER_PROCESS,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[SourceOutcome], None] | None = None,
) -> RunReport:
    """``jobs.collect`` in as many processes as the run is large enough for. Call it
    before starting any thread (children are forked)."""
    jobs = due_jobs(runtime, selection)
    wanted = processes or runtime.settings.collect_processes or default_processes()
    if "fork" not in multiprocessing.get_all_start_methods():  # Windows
        wanted = 1
    shares = partition_by_host(jobs, min(wanted, len(jobs) // max(1, min_sources)))
    if len(shares) < 2:
        coroutine = collect_jobs(runtime, jobs, trigger=trigger, on_start=on_start, on_done=on_done)
        return run_collection(coroutine)
    if any(job.pages != "none" for job in jobs):
        import collectors.pages  # noqa: F401  - extraction runs inline: import it once, shared

    runtime.classifier  # noqa: B018  - loaded once, before the fork, shared

    context = multiprocessing.get_context("fork")
    results: Queue[_Message] = context.Queue()
    # Frozen, the objects made so far are shared with the children without being copied
    # for the GC, and no process scans them again during the run: in the parent a full
    # collection over them cost a tenth of a second each time, and copied shared pages.
    gc.freeze()
    children = {
        number: context.Process(
            target=_collect_share,
            args=(runtime, number, share, results),
            name=f"mediamonitor-collect-{number}",
            daemon=True,
        )
        for number, share in enumerate(shares[1:], start=1)
    }
    try:
        for child in children.values():
            child.start()
        if on_start is not None:
            on_start(len(jobs))
        return run_collection(
            _collect_as_parent(runtime, shares, children, results, trigger=trigger, on_done=on_done)
        )
    finally:
        gc.unfreeze()


def _collect_share(
    runtime: Runtime,
    number: int,
    jobs: list[SourceJob],
    results: Queue[_Message],
) -> None:
    """A child: collect ``jobs``, reporting each outcome."""
    runtime.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
    try:
        run_collection(
            _collect_jobs(
                runtime,
                jobs,
                on_done=results.put,
                on_quiet=lambda quiet: results.put(_Quiet(number, quiet)),
            )
        )
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches every process; the parent reports it
    finally:
        results.put(_ShareDone(number))


async def _collect_jobs(
    runtime: Runtime,
    jobs: list[SourceJob],
    *,
    on_done: Callable[[SourceOutcome], None],
    on_quiet: Callable[[bool], None],
) -> None:
    async with open_collector(runtime, jobs, extract_workers=0) as collector:
        await collector.collect_all(jobs, on_done=on_done, on_quiet=on_quiet)


async def _collect_as_parent(
    runtime: Runtime,
    shares: list[list[SourceJob]],
    children: Mapping[int, BaseProcess],
    results: Queue[_Message],
    *,
    trigger: str,
    on_done: Callable[[SourceOutcome], None] | None,
) -> RunReport:
    report = RunReport(run_id=begin_run(runtime.sessions, trigger=trigger))
    reprints = _ReprintsAhead(runtime, report, shares=len(shares))

    done = report.recorder(on_done)
    from_children = asyncio.ensure_future(
        _receive(shares, children, results, done, quiet=reprints.quiet)
    )
    try:
        await _collect_jobs(
            runtime, shares[0], on_done=done, on_quiet=lambda quiet: reprints.quiet(0, quiet)
        )
        reprints.quiet(0, True)  # finished
        await asyncio.shield(from_children)
    finally:
        if not from_children.done():
            # Interrupted (Ctrl-C reaches every process): the outcomes of what the children
            # finished may still be on their way, and the run records every finished source.
            await asyncio.wait({from_children}, timeout=CHILDREN_GRACE_SECONDS)
        for child in children.values():
            child.join(timeout=CHILDREN_GRACE_SECONDS)
            if child.is_alive():
                child.kill()
        end_run(runtime.sessions, report)
    reprints.rest()
    return report


class _ReprintsAhead:
    """The run's reprint pass, done ahead while every process only waits for slow feeds
    (a hanging server holds a run for its whole deadline), and then for what came after.
    Passes over parts of the new items give the links one pass gives (``service.reprints``)."""

    def __init__(self, runtime: Runtime, report: RunReport, *, shares: int) -> None:
        self._runtime = runtime
        self._report = report
        self._busy = set(range(shares))
        self._changes = 0
        self._outcomes_passed = 0  # the report's outcomes only grow

    def quiet(self, share: int, quiet: bool) -> None:
        if quiet:
            self._busy.discard(share)
        else:
            self._busy.add(share)
        self._changes += 1
        if not self._busy:
            # Only when it lasts: between two answers of a busy run every process can be
            # idle for a moment, and a pass then (over all items near the new ones) held
            # up the answers after it, which made the next such moment.
            loop = asyncio.get_running_loop()
            loop.call_later(AHEAD_AFTER_QUIET_SECONDS, self._ahead, self._changes)

    def _ahead(self, changes: int) -> None:
        if not self._busy and changes == self._changes:
            self._pass("while no source is being worked on")

    def rest(self) -> None:
        self._pass("at the end of the run")

    def _pass(self, when: str) -> None:
        outcomes = self._report.outcomes
        upto = len(outcomes)
        new = [i for o in outcomes[self._outcomes_passed : upto] for i in o.new_item_ids]
        if new:
            reprint_pass(self._runtime, new, sketches=self._report.sketches)
            log.info("reprint pass over %d new items %s", len(new), when)
        self._outcomes_passed = upto


async def _receive(
    shares: list[list[SourceJob]],
    children: Mapping[int, BaseProcess],
    results: Queue[_Message],
    done: Callable[[SourceOutcome], None],
    *,
    quiet: Callable[[int, bool], None],
) -> None:
    """Pass the children's outcomes on until every child has finished; a child that died
    before reporting every source leaves those sources recorded as failed."""
    loop = asyncio.get_running_loop()
    running = set(children)
    reported: dict[int, set[int]] = {number: set() for number in children}
    owner = {job.id: number for number in children for job in shares[number]}
    while running:
        message = await loop.run_in_executor(None, _next_message, results)
        if isinstance(message, _ShareDone):
            running.discard(message.number)
            quiet(message.number, True)
        elif isinstance(message, _Quiet):
            quiet(message.number, message.quiet)
        elif isinstance(message, SourceOutcome):
            reported[owner[message.source_id]].add(message.source_id)
            done(message)
        else:  # nothing for a while: has a child died without a word?
            for number in [n for n in running if not children[n].is_alive()]:
                running.discard(number)
                exit_code = children[number].exitcode
                log.error("collecting process %s ended with exit code %s", number, exit_code)
                for job in shares[number]:
                    if job.id not in reported[number]:
                        done(
                            failed_outcome(job, f"internal: collecting process ended ({exit_code})")
                        )
                quiet(number, True)


def _next_message(results: Queue[_Message]) -> _Message | None:
    try:
        return results.get(timeout=POLL_SECONDS)
    except queue.Empty:
        return None
