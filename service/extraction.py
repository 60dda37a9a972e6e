"""Page extraction off the event loop: trafilatura costs ~40 ms a page, so it runs in a
pool of worker processes while the loop keeps fetching.

The workers come from a fork server that has imported the extraction code and nothing
else: forking the collecting process itself would copy its ~200 MB into every worker as
soon as either writes to it (measured with `bench/collect.py`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import select
import signal
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collectors.pages import PageContent

WATCH_SECONDS = 2.0  # without pidfd: how often a worker checks its collector is alive


def _extract(
    html: bytes, url: str, feed_published_at: datetime | None, charset: str | None
) -> PageContent:
    from collectors.pages import extract_page  # imported in the worker, not the collector

    return extract_page(html, url=url, feed_published_at=feed_published_at, headers_charset=charset)


def _warm_up() -> None:
    import collectors.pages  # noqa: F401


def _serve_collector(client: int) -> None:
    """Worker initializer. Ctrl-C reaches every process of a terminal's process group: the
    collector decides when its workers stop (a worker interrupted mid-task printed its
    traceback and broke the pool). And a worker exits once the collector is gone: it waits
    on a queue whose both ends it holds, so a collector killed outright (SIGKILL, out of
    memory) would leave it, and the fork server it keeps alive, waiting for ever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        try:
            handle = os.pidfd_open(client)
        except (AttributeError, OSError):  # not Linux 5.3+: look every few seconds
            while _alive(client):
                time.sleep(WATCH_SECONDS)
        else:
            select.select([handle], [], [])  # readable once the process has ended
        os._exit(0)

    threading.Thread(target=watch, name="end-with-collector", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # a process of another user has that number
    return True


class Extractor:
    """``async with Extractor(workers) as extractor``; ``workers=0`` extracts inline."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self._pool: Executor | None = None

    async def __aenter__(self) -> Extractor:
        if self.workers > 0:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["collectors.pages"])
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_serve_collector,
                initargs=(os.getpid(),),
            )
            # Start the workers now, while this process is small and nothing waits on them.
            for _ in range(self.workers):
                self._pool.submit(_warm_up)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    async def extract(
        self, html: bytes, *, url: str, feed_published_at: datetime | None, charset: str | None
    ) -> PageContent:
        if self._pool is None:
            return _extract(html, url, feed_published_at, charset)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, _extract, html, url, feed_published_at, charset
        )
