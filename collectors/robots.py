"""robots.txt for article pages (feeds and sitemaps are published to be fetched).

Follows RFC 9309: a robots.txt that is missing (4xx) allows everything; one that cannot be
fetched (5xx, network error) means "assume disallowed" for now. Each host's file is read
once per cache lifetime. Rules are matched by Protego (Scrapy's parser): the standard
library's ``urllib.robotparser`` knows neither ``*`` and ``$`` in paths nor the longest-match
precedence of Allow over Disallow, which Dutch news sites' files rely on
(``Disallow: /*?``, ``Allow: /nieuws/``), and is six times as slow a URL.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from protego import Protego

from collectors.errors import CollectError
from collectors.fetch import Fetcher

CACHE_SECONDS = 24 * 3600
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 asks crawlers to read at least 500 KiB


class RobotsCache:
    def __init__(self, fetcher: Fetcher, *, agent: str) -> None:
        self._fetcher = fetcher
        self._agent = agent
        self._rules: dict[str, tuple[float, Protego | bool]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> bool:
        """Whether our agent may fetch ``url``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._rules.get(origin)
        if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
            async with self._locks.setdefault(origin, asyncio.Lock()):  # one load per host
                cached = self._rules.get(origin)
                if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
                    cached = (time.monotonic(), await self._load(origin))
                    self._rules[origin] = cached
        rules = cached[1]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(url, self._agent)

    async def _load(self, origin: str) -> Protego | bool:
        try:
            result = await self._fetcher.fetch(f"{origin}/robots.txt", accept="text/plain")
        except CollectError as error:
            # RFC 9309 2.3.1.3: an unavailable robots.txt (4xx) allows all; an unreachable
            # one (5xx, network) means assume complete disallow for now.
            return error.category in ("not_found", "gone", "forbidden", "http_error")
        return Protego.parse(result.body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace"))
