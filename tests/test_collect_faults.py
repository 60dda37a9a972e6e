"""A collection run over healthy and faulty sources served on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from db.engine import unit_of_work
from db.models import Item, Source
from db.sources import SourceSpec
from service import jobs
from service.runtime import Runtime
from tests.conftest import corpus_file
from tests.factories import FeedItem, add_sources, rss_feed
from tests.httpserver import LocalServer
from tests.test_fetch import GZIP_BOMB, _chunked, _drip, _hang

PUBLISHED = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _healthy_feed(prefix: str, count: int) -> bytes:
    return rss_feed(
        [
            FeedItem(
                title=f"Rapporteur over uitbuiting {prefix} {i}",
                link=f"https://www.nu.nl/binnenland/{prefix}{i}/artikel.html",
                description="De Nationaal Rapporteur Mensenhandel ziet meer slachtoffers.",
                published=PUBLISHED + timedelta(minutes=i),
            )
            for i in range(count)
        ]
    )


def test_each_fault_is_categorised_and_healthy_items_stored_once(
    runtime: Runtime, http_server: LocalServer
) -> None:
    latin1 = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>'
        "<item><title>Coördinatie: Nationaal Rapporteur wil financiële steun</title>"
        "<link>https://www.trouw.nl/binnenland/coordinatie~a5e5e5e5/</link></item></channel></rss>"
    ).encode("latin-1")
    faults = {
        "/hang.xml": ({"handler": _hang}, "timeout"),
        "/drip.xml": ({"handler": _drip}, "timeout"),
        "/500.xml": ({"status": 500}, "server_error"),
        "/404.xml": ({"status": 404}, "not_found"),
        "/loop.xml": ({"status": 302, "headers": {"Location": "/loop.xml"}}, "too_many_redirects"),
        "/429.xml": ({"status": 429, "headers": {"Retry-After": "600"}}, "rate_limited"),
        "/cdata.xml": (
            {"body": corpus_file("feeds/edge-feedparser-incomplete-cdata.rss.xml")},
            "truncated",
        ),
        "/50mb.xml": ({"handler": _chunked(50_000_000)}, "too_large"),
        "/bomb.xml": ({"body": GZIP_BOMB, "headers": {"Content-Encoding": "gzip"}}, "too_large"),
        "/html.xml": ({"body": b"<!DOCTYPE html><html><body>Oeps</body></html>"}, "not_a_feed"),
        "/empty.xml": ({"body": b""}, "empty"),
    }
    specs = [
        SourceSpec(name=path, kind="feed", url=http_server.url(path), pages="none")
        for path in faults
    ]
    for path, (route, _) in faults.items():
        http_server.add(path, **route)  # type: ignore[arg-type]
    specs.append(
        SourceSpec(
            "healthy-1",
            "feed",
            http_server.add("/ok1.xml", _healthy_feed("a", 5), etag='"1"'),
            pages="none",
        )
    )
    specs.append(
        SourceSpec(
            "healthy-2",
            "feed",
            http_server.add("/ok2.xml", _healthy_feed("a", 3), etag='"2"'),
            pages="none",
        )
    )
    specs.append(
        SourceSpec("latin-1", "feed", http_server.add("/latin1.xml", latin1), pages="none")
    )
    add_sources(runtime, specs)

    report = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    outcomes = {o.name: o for o in report.outcomes}
    for path, (_, category) in faults.items():
        assert (outcomes[path].status, outcomes[path].category) == ("error", category), path
    # The second healthy feed carries three of the first one's articles: whichever source
    # is worked on first stores them, the other finds them known.
    healthy = (outcomes["healthy-1"], outcomes["healthy-2"])
    assert sum(o.new for o in healthy) == 5 and sum(o.known for o in healthy) == 3
    assert outcomes["latin-1"].new == 1
    for outcome in report.outcomes:
        assert outcome.seen == outcome.new + outcome.known + outcome.skipped

    with unit_of_work(runtime.read_sessions) as session:
        assert session.execute(select(func.count()).select_from(Item)).scalar_one() == 6
        title = session.execute(
            select(Item.title).where(Item.canonical_url.like("%trouw%"))
        ).scalar_one()
        assert title == "Coördinatie: Nationaal Rapporteur wil financiële steun"
        rate_limited = session.scalars(select(Source).where(Source.name == "/429.xml")).one()
        assert rate_limited.next_check_at is not None and rate_limited.last_checked_at is not None
        assert rate_limited.next_check_at - rate_limited.last_checked_at >= timedelta(seconds=600)

    again = asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    statuses = {o.name: o.status for o in again.outcomes}
    assert statuses["healthy-1"] == statuses["healthy-2"] == "not_modified"
    assert again.items_new == 0
    assert not set(faults) & set(statuses)  # failing sources back off, even with --all
    forced = asyncio.run(jobs.collect(runtime, selection="every", trigger="test"))
    assert {o.name for o in forced.failed} == {
        "/500.xml",
        "/404.xml",
        "/cdata.xml",
        "/html.xml",
        "/empty.xml",
        "/hang.xml",
        "/drip.xml",
        "/loop.xml",
        "/429.xml",
        "/50mb.xml",
        "/bomb.xml",
    }
