"""robots.txt for article pages, read from a real server on 127.0.0.1 (RFC 9309)."""

from __future__ import annotations

import asyncio

import pytest

from collectors.fetch import Fetcher, FetchLimits
from collectors.robots import RobotsCache
from tests.httpserver import LocalServer

LIMITS = FetchLimits(user_agent="mediamonitor-test (+https://example.invalid/contact)")
NEWS_SITE_ROBOTS = """\
User-agent: *
Disallow: /zoeken
Allow: /zoeken/uitleg
Disallow: /*?print=
Disallow: /*.pdf$

User-agent: GPTBot
Disallow: /
"""


def _allowed(server: LocalServer, paths: list[str], agent: str = "mediamonitor") -> list[bool]:
    async def run() -> list[bool]:
        async with Fetcher(LIMITS) as fetcher:
            robots = RobotsCache(fetcher, agent=agent)
            return [await robots.allowed(server.url(path)) for path in paths]

    return asyncio.run(run())


def test_wildcards_end_anchors_and_the_longest_rule_decide(http_server: LocalServer) -> None:
    http_server.add("/robots.txt", NEWS_SITE_ROBOTS, headers={"Content-Type": "text/plain"})
    paths = [
        "/nieuws/rapporteur-waarschuwt",
        "/zoeken?q=mensenhandel",
        "/zoeken/uitleg",  # the longer Allow wins over Disallow: /zoeken
        "/nieuws/artikel?print=1",
        "/rapport.pdf",
        "/rapport.pdf?download=1",  # "$" anchors the end
    ]
    assert _allowed(http_server, paths) == [True, False, True, False, False, True]
    assert http_server.hits("/robots.txt") == 1  # read once per host


def test_only_the_group_naming_the_agent_applies(http_server: LocalServer) -> None:
    http_server.add(
        "/robots.txt",
        "User-agent: *\nDisallow: /\n\nUser-agent: MediaMonitor\nDisallow: /prive/\n",
        headers={"Content-Type": "text/plain"},
    )
    assert _allowed(http_server, ["/nieuws/1", "/prive/2"]) == [True, False]
    assert _allowed(http_server, ["/nieuws/1"], agent="anderebot") == [False]


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (403, True), (500, False)])
def test_an_unavailable_file_allows_and_an_unreachable_one_disallows(
    http_server: LocalServer, status: int, allowed: bool
) -> None:
    http_server.add("/robots.txt", "nee", status=status, headers={"Content-Type": "text/plain"})
    assert _allowed(http_server, ["/nieuws/1"]) == [allowed]
