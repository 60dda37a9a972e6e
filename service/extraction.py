"""Page extraction off the event loop: trafilatura costs ~40 ms a page, so it runs in a
pool of worker processes while the loop keeps fetching."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime
from types import TracebackType

from collectors.pages import PageContent, extract_page


def _extract(
    html: bytes, url: str, feed_published_at: datetime | None, charset: str | None
) -> PageContent:
    return extract_page(html, url=url, feed_published_at=feed_published_at, headers_charset=charset)


class Extractor:
    """``async with Extractor(workers) as extractor``; ``workers=0`` extracts inline."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self._pool: Executor | None = None

    async def __aenter__(self) -> Extractor:
        if self.workers > 0:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
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
