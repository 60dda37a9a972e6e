"""When sources are checked again, and when they count as broken or quiet."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import unit_of_work
from db.models import Source
from db.sources import SourceSpec
from service import jobs
from service.runtime import Runtime
from service.schedule import (
    ATTENTION_AFTER_FAILURES,
    DEFAULT_INTERVAL,
    MAX_INTERVAL,
    MIN_INTERVAL,
    entries_published_after,
    needs_attention,
    next_check_after_failure,
    next_check_after_success,
)
from service.source_health import MIN_QUIET, NEVER_PRODUCED_AFTER, health_of, is_quiet
from tests.factories import FeedItem, add_sources, rss_feed
from tests.httpserver import LocalServer

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _after_success(previous: timedelta | None, new_entries: int) -> timedelta:
    return (
        next_check_after_success(now=NOW, previous_interval=previous, new_entries=new_entries) - NOW
    )


def test_a_publishing_source_is_checked_sooner_and_a_silent_one_later() -> None:
    assert _after_success(None, 3) == DEFAULT_INTERVAL / 2
    assert _after_success(None, 0) == DEFAULT_INTERVAL * 1.5
    assert _after_success(timedelta(hours=1), 1) == timedelta(minutes=30)
    assert _after_success(timedelta(hours=1), 0) == timedelta(minutes=90)


def test_the_interval_stays_between_five_minutes_and_six_hours() -> None:
    assert _after_success(MIN_INTERVAL, 5) == MIN_INTERVAL
    assert _after_success(MAX_INTERVAL, 0) == MAX_INTERVAL
    interval: timedelta | None = None
    for _ in range(40):  # a source that never publishes settles at the bound
        interval = _after_success(interval, 0)
    assert interval == MAX_INTERVAL


def test_failures_back_off_exponentially_with_jitter() -> None:
    rng = random.Random(7)
    delays = [
        next_check_after_failure(now=NOW, error_count=n, retry_after=None, rng=rng) - NOW
        for n in range(1, 6)
    ]
    for count, delay in enumerate(delays, start=1):
        plain = min(MIN_INTERVAL * 2**count, MAX_INTERVAL)
        assert plain * 0.8 <= delay <= plain * 1.2
    assert delays[0] < delays[2] < delays[4]
    jittered = {
        next_check_after_failure(now=NOW, error_count=3, retry_after=None, rng=rng)
        for _ in range(20)
    }
    assert len(jittered) > 10  # not all at the same moment
    never_later = next_check_after_failure(now=NOW, error_count=50, retry_after=None)
    assert never_later - NOW <= MAX_INTERVAL * 1.2


def test_retry_after_is_a_floor_for_the_back_off() -> None:
    rng = random.Random(1)
    delay = next_check_after_failure(now=NOW, error_count=1, retry_after=3600, rng=rng) - NOW
    assert delay == timedelta(seconds=3600)
    short = next_check_after_failure(now=NOW, error_count=4, retry_after=1, rng=rng) - NOW
    assert short >= MIN_INTERVAL * 2**4 * 0.8


def test_new_entries_are_counted_by_the_sources_own_dates() -> None:
    hour = timedelta(hours=1)
    dates = [NOW - 3 * hour, NOW - 2 * hour, None, NOW - hour]
    assert entries_published_after(dates, since=None, now=NOW) == (3, NOW - hour)
    assert entries_published_after(dates, since=NOW - 2 * hour, now=NOW) == (1, NOW - hour)
    assert entries_published_after(dates, since=NOW - hour, now=NOW) == (0, NOW - hour)
    assert entries_published_after([None, None], since=None, now=NOW) == (0, None)
    # a date in the future counts as now; a naive one as UTC
    future = [NOW + 48 * hour, (NOW - hour).replace(tzinfo=None)]
    assert entries_published_after(future, since=NOW - 2 * hour, now=NOW) == (2, NOW)


def test_attention_after_repeated_failures() -> None:
    assert not needs_attention(ATTENTION_AFTER_FAILURES - 1)
    assert needs_attention(ATTENTION_AFTER_FAILURES)


def _source(**values: object) -> Source:
    defaults: dict[str, object] = {
        "kind": "feed",
        "url": "https://example.nl/rss",
        "name": "Voorbeeld",
        "enabled": True,
        "error_count": 0,
        "items_found": 0,
        "entries_found": 0,
        "created_at": NOW - timedelta(days=60),
    }
    return Source(**(defaults | values))


def test_a_source_that_publishes_without_mentions_is_not_quiet() -> None:
    busy = _source(entries_found=600, last_entry_at=NOW - timedelta(hours=2))
    assert not is_quiet(busy, now=NOW)
    assert not health_of(busy, now=NOW).unhealthy


def test_a_source_that_stopped_publishing_is_quiet() -> None:
    # 600 entries in 60 days: one every 2.4 hours; a week without one is unusual
    stopped = _source(entries_found=600, last_entry_at=NOW - MIN_QUIET - timedelta(hours=1))
    assert is_quiet(stopped, now=NOW)
    assert health_of(stopped, now=NOW).unhealthy
    # one entry a month: a week's silence is usual, three months' is not
    rare = _source(entries_found=2, last_entry_at=NOW - timedelta(days=20))
    assert not is_quiet(rare, now=NOW)
    assert is_quiet(_source(entries_found=2, last_entry_at=NOW - timedelta(days=91)), now=NOW)


def test_a_source_that_never_published_is_quiet_after_two_weeks() -> None:
    young = _source(created_at=NOW - NEVER_PRODUCED_AFTER + timedelta(hours=1))
    assert not is_quiet(young, now=NOW)
    assert is_quiet(_source(created_at=NOW - NEVER_PRODUCED_AFTER - timedelta(hours=1)), now=NOW)


BUSY_FEED = [
    FeedItem(title=f"Nieuws {n}", link=f"https://www.nu.nl/binnenland/{6400000 + n}/nieuws.html")
    for n in range(8)
]


def _stored_source(runtime: Runtime) -> Source:
    with unit_of_work(runtime.read_sessions) as session:
        source = session.scalars(select(Source)).one()
        session.expunge(source)
        return source


def _interval(source: Source) -> timedelta:
    assert source.next_check_at is not None and source.last_checked_at is not None
    return source.next_check_at - source.last_checked_at


@pytest.mark.parametrize("pages", ["none", "matching"])
def test_a_feed_that_publishes_without_mentions_is_read_more_often(
    runtime: Runtime, http_server: LocalServer, pages: str
) -> None:
    url = http_server.add("/rss.xml", rss_feed(BUSY_FEED[:5]))
    add_sources(runtime, [SourceSpec("Nieuwsfeed", "feed", url, outlet="NU.nl", pages=pages)])

    asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    first = _stored_source(runtime)
    assert (first.items_found, first.entries_found) == (0, 5)
    assert first.last_item_at is None and first.last_entry_at == first.last_checked_at
    assert _interval(first) == DEFAULT_INTERVAL / 2

    http_server.add("/rss.xml", rss_feed(BUSY_FEED[2:8]))  # three new entries, none named
    asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    second = _stored_source(runtime)
    assert (second.items_found, second.entries_found) == (0, 8)
    assert _interval(second) == max(MIN_INTERVAL, _interval(first) / 2)

    asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))  # nothing new
    third = _stored_source(runtime)
    assert third.entries_found == 8 and third.last_entry_at == second.last_entry_at
    assert _interval(third) == _interval(second) * 1.5
    assert not health_of(third, now=datetime.now(UTC)).unhealthy


def test_success_after_failures_resets_the_streak(
    runtime: Runtime, http_server: LocalServer
) -> None:
    url = http_server.add("/rss.xml", b"", status=500)
    add_sources(runtime, [SourceSpec("Wisselvallig", "feed", url, outlet="NU.nl", pages="none")])
    for streak in (1, 2):  # "every": also the sources backing off
        asyncio.run(jobs.collect(runtime, selection="every", trigger="test"))
        failing = _stored_source(runtime)
        assert failing.error_count == streak and failing.last_error is not None
        assert health_of(failing, now=datetime.now(UTC)).unhealthy
    assert _interval(failing) >= MIN_INTERVAL * 2**2 * 0.8  # backed off

    http_server.add("/rss.xml", rss_feed(BUSY_FEED[:3]))
    asyncio.run(jobs.collect(runtime, selection="every", trigger="test"))
    healthy = _stored_source(runtime)
    assert (healthy.error_count, healthy.last_error) == (0, None)
    assert healthy.last_success_at == healthy.last_checked_at
    assert not health_of(healthy, now=datetime.now(UTC)).unhealthy


DATED_FEED = [
    FeedItem(
        title=f"Bericht {n}",
        link=f"https://www.nu.nl/economie/{6500000 + n}/bericht.html",
        published=NOW - timedelta(hours=10 - n),
    )
    for n in range(6)
]


def test_each_source_counts_what_it_published_even_if_another_found_it_first(
    runtime: Runtime, http_server: LocalServer
) -> None:
    first = http_server.add("/eerste.xml", rss_feed(DATED_FEED[:4]))
    second = http_server.add("/tweede.xml", rss_feed(DATED_FEED[:4]))
    add_sources(
        runtime,
        [
            SourceSpec("Eerste", "feed", first, outlet="NU.nl", pages="none"),
            SourceSpec("Tweede", "feed", second, outlet="NU.nl", pages="none"),
        ],
    )
    asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    http_server.add("/eerste.xml", rss_feed(DATED_FEED))
    http_server.add("/tweede.xml", rss_feed(DATED_FEED))
    asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    with unit_of_work(runtime.read_sessions) as session:
        sources = session.scalars(select(Source).order_by(Source.name)).all()
        for source in sources:  # 4, then the 2 published since: for both
            assert (source.entries_found, source.last_entry_at) == (6, DATED_FEED[-1].published)


def test_entries_whose_pages_failed_are_no_news_the_next_time(
    runtime: Runtime, http_server: LocalServer
) -> None:
    missing = [
        FeedItem(title=i.title, link=http_server.url(f"/weg/{n}"), published=i.published)
        for n, i in enumerate(DATED_FEED[:3])
    ]
    url = http_server.add("/rss.xml", rss_feed(missing))  # every page answers 404
    add_sources(runtime, [SourceSpec("Gaten", "feed", url, outlet="NU.nl", pages="all")])
    asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    first = _stored_source(runtime)
    asyncio.run(jobs.collect(runtime, selection="all", trigger="test"))
    second = _stored_source(runtime)
    assert (first.entries_found, second.entries_found) == (3, 3)
    assert http_server.hits("/weg/0") == 2  # tried again: the page may come back
    assert _interval(second) == _interval(first) * 1.5  # but it is no news
