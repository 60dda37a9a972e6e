"""The shared HTTP client against misbehaving servers on 127.0.0.1 (no mocks of httpx)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import pytest

from collectors.errors import CollectError
from collectors.fetch import Fetcher, FetchLimits, FetchResult, _Slots
from tests.httpserver import LocalServer

LIMITS = FetchLimits(
    user_agent="mediamonitor-test/1.0 (+https://example.org/contact)",
    connect_timeout=2.0,
    read_timeout=1.5,
    deadline=3.0,
    max_body_bytes=10_000_000,
    max_redirects=3,
    per_host_concurrency=2,
)


def _fetch(
    url: str,
    limits: FetchLimits = LIMITS,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(limits) as fetcher:
            return await fetcher.fetch(url, etag=etag, last_modified=last_modified)

    return asyncio.run(run())


def _category(url: str, limits: FetchLimits = LIMITS) -> CollectError:
    with pytest.raises(CollectError) as caught:
        _fetch(url, limits)
    return caught.value


def _hang(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(8)


def _drip(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    try:
        for _ in range(100):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.5)  # always within the read timeout, never within the deadline
    except OSError:
        pass


def _chunked(size: int) -> Callable[[BaseHTTPRequestHandler], None]:
    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"a" * 65536
        try:
            for _ in range(size // len(chunk)):
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    return handler


GZIP_BOMB = gzip.compress(b"\0" * 200_000_000, compresslevel=9)


def test_identifying_user_agent_and_conditional_get(http_server: LocalServer) -> None:
    url = http_server.add("/feed.xml", "<rss></rss>", etag='"abc"')
    first = _fetch(url)
    assert first.status == 200 and first.etag == '"abc"'
    second = _fetch(url, etag='"abc"')
    assert second.not_modified and second.body == b""
    headers = http_server.requests[-1][1]
    assert headers["if-none-match"] == '"abc"'
    assert (
        headers["user-agent"].startswith("mediamonitor-test/")
        and "https://" in headers["user-agent"]
    )


def _http_date(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=True)


def test_conditional_get_by_last_modified_alone(http_server: LocalServer) -> None:
    """A server without ETags answers 304 when If-Modified-Since matches its date."""
    changed = "Mon, 04 May 2026 08:00:00 GMT"
    body = b"<rss><channel><title>x</title></channel></rss>"

    def dated(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-Modified-Since") == changed:
            handler.send_response(304)
            handler.send_header("Last-Modified", changed)
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Last-Modified", changed)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    url = http_server.add("/dated.xml", handler=dated)
    first = _fetch(url)
    assert (first.status, first.body, first.etag, first.last_modified) == (200, body, None, changed)
    assert "if-modified-since" not in http_server.requests[-1][1]

    second = _fetch(url, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    sent = http_server.requests[-1][1]
    assert sent["if-modified-since"] == changed and "if-none-match" not in sent

    older = _fetch(url, last_modified="Sun, 03 May 2026 08:00:00 GMT")  # changed since
    assert (older.status, older.body) == (200, body)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_as_an_http_date(http_server: LocalServer, status: int) -> None:
    when = int(time.time()) + 120  # HTTP dates have whole seconds
    url = http_server.add(
        f"/later{status}", "later", status=status, headers={"Retry-After": _http_date(when)}
    )
    error = _category(url)
    # 503 with a Retry-After is the server asking for a pause, as 429 is.
    assert error.category == "rate_limited" and not error.permanent
    assert error.retry_after is not None and 110 <= error.retry_after <= 120


def test_retry_after_in_the_past_or_unreadable(http_server: LocalServer) -> None:
    past = http_server.add(
        "/past", status=503, headers={"Retry-After": _http_date(time.time() - 3600)}
    )
    error = _category(past)
    assert (error.category, error.retry_after) == ("rate_limited", 0.0)
    unreadable = http_server.add("/soon", status=503, headers={"Retry-After": "soon"})
    error = _category(unreadable)
    assert (error.category, error.retry_after) == ("server_error", None)
    limited = http_server.add("/limited", status=429, headers={"Retry-After": "soon"})
    error = _category(limited)
    assert (error.category, error.retry_after) == ("rate_limited", None)


def test_hanging_server_times_out(http_server: LocalServer) -> None:
    assert _category(http_server.add("/hang", handler=_hang)).category == "timeout"


def test_dripping_server_hits_the_overall_deadline(http_server: LocalServer) -> None:
    started = time.monotonic()
    error = _category(http_server.add("/drip", handler=_drip))
    assert error.category == "timeout" and "3 s" in error.message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("status", "category", "permanent"),
    [
        (500, "server_error", False),
        (404, "not_found", True),
        (410, "gone", True),
        (403, "forbidden", True),
        (418, "http_error", False),
    ],
)
def test_http_errors_are_categorised(
    http_server: LocalServer, status: int, category: str, permanent: bool
) -> None:
    error = _category(http_server.add(f"/status{status}", "nee", status=status))
    assert (error.category, error.permanent) == (category, permanent)


def test_rate_limit_carries_retry_after(http_server: LocalServer) -> None:
    url = http_server.add("/busy", "later", status=429, headers={"Retry-After": "120"})
    error = _category(url)
    assert (error.category, error.retry_after) == ("rate_limited", 120.0)
    url = http_server.add("/down", "later", status=503, headers={"Retry-After": "30"})
    assert _category(url).retry_after == 30.0


def test_redirects_are_followed_recorded_and_limited(http_server: LocalServer) -> None:
    http_server.add("/final.xml", "<rss/>")
    http_server.add("/r2", status=302, headers={"Location": "/final.xml"})
    start = http_server.add("/r1", status=301, headers={"Location": http_server.url("/r2")})
    result = _fetch(start)
    assert result.final_url == http_server.url("/final.xml")
    assert result.redirects == [start, http_server.url("/r2")]

    http_server.add("/loop-a", status=302, headers={"Location": "/loop-b"})
    http_server.add("/loop-b", status=302, headers={"Location": "/loop-a"})
    assert _category(http_server.url("/loop-a")).category == "too_many_redirects"
    for i in range(6):
        http_server.add(f"/chain{i}", status=302, headers={"Location": f"/chain{i + 1}"})
    assert "more than 3" in _category(http_server.url("/chain0")).message


def test_cookie_set_on_a_consent_redirect_is_sent_back(http_server: LocalServer) -> None:
    sent: list[list[str] | None] = []

    def article(handler: BaseHTTPRequestHandler) -> None:
        sent.append(handler.headers.get_all("Cookie"))
        consented = "consent=yes" in (handler.headers.get("Cookie") or "")
        body = b"article" if consented else b"cookie wall"
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    start = http_server.add(
        "/consent", status=302, headers={"Set-Cookie": "consent=yes; Path=/", "Location": "/a"}
    )
    http_server.add("/a", handler=article)
    assert _fetch(start).body == b"article"
    assert _fetch(http_server.url("/a")).body == b"cookie wall"
    assert sent == [["consent=yes"], None]  # once, from the one jar; none in a new client


def test_consent_redirect_back_to_the_same_url_is_no_loop(http_server: LocalServer) -> None:
    def article(handler: BaseHTTPRequestHandler) -> None:
        consented = "consent=yes" in (handler.headers.get("Cookie") or "")
        handler.send_response(200 if consented else 302)
        if not consented:
            handler.send_header("Set-Cookie", "consent=yes; Path=/")
            handler.send_header("Location", "/same")
        handler.send_header("Content-Length", "7")
        handler.end_headers()
        handler.wfile.write(b"article")

    url = http_server.add("/same", handler=article)
    result = _fetch(url)
    assert (result.status, result.body, result.redirects) == (200, b"article", [url])


def test_body_cap_with_and_without_content_length(http_server: LocalServer) -> None:
    big = http_server.add("/big", b"a" * 50_000_000)
    assert _category(big).category == "too_large"
    streamed = http_server.add("/streamed", handler=_chunked(50_000_000))
    assert _category(streamed).category == "too_large"


def test_gzip_bomb_is_capped_after_decompression(http_server: LocalServer) -> None:
    url = http_server.add("/bomb", GZIP_BOMB, headers={"Content-Encoding": "gzip"})
    assert len(GZIP_BOMB) < LIMITS.max_body_bytes  # small on the wire
    error = _category(url)
    assert error.category == "too_large" and "decompression" in error.message


def test_per_host_concurrency_limit(http_server: LocalServer) -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.2)
        with lock:
            in_flight -= 1
        handler.send_response(200)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")

    urls = [http_server.add(f"/slow{i}", handler=slow) for i in range(8)]

    async def run() -> list[FetchResult]:
        async with Fetcher(LIMITS) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(url) for url in urls))

    results = asyncio.run(run())
    assert [r.body for r in results] == [b"ok"] * 8
    assert peak == LIMITS.per_host_concurrency


def test_refused_connection_and_bad_scheme() -> None:
    assert _category("http://127.0.0.1:9/nothing").category == "connect"
    assert _category("file:///etc/passwd").category == "invalid_url"


def _not_http(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
    handler.close_connection = True


def _cut_short(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b"<rss>")
    handler.close_connection = True


@pytest.mark.parametrize("answer", [_not_http, _cut_short])
def test_broken_answers_are_connection_errors_on_the_source(
    http_server: LocalServer, answer: Callable[[BaseHTTPRequestHandler], None]
) -> None:
    """Not HTTP at all, or a body shorter than announced: the source's error, with the
    library's reason, never an unexpected failure of the collector."""
    error = _category(http_server.add(f"/{answer.__name__}", handler=answer))
    assert error.category == "connect"
    assert str(error)


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", None),  # raw deflate without the zlib header, as some servers send
    ],
)
def test_compressed_bodies_are_inflated(
    http_server: LocalServer, encoding: str, compress: Callable[[bytes], bytes] | None
) -> None:
    body = ("<rss><channel><title>Coördinatie en privé</title></channel></rss>" * 500).encode()
    if compress is None:
        packer = zlib.compressobj(wbits=-15)
        packed = packer.compress(body) + packer.flush()
    else:
        packed = compress(body)
    url = http_server.add(f"/packed-{len(packed)}", packed, headers={"Content-Encoding": encoding})
    assert _fetch(url).body == body
    assert "gzip" in http_server.requests[-1][1]["accept-encoding"]


def _answer_after(seconds: float) -> Callable[[BaseHTTPRequestHandler], None]:
    def handler(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        h.send_response(200)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"ok")

    return handler


@pytest.mark.parametrize("feed_on_another_host", [False, True])
def test_urgent_requests_get_the_next_free_connection_first(
    http_server: LocalServer, second_server: LocalServer, feed_on_another_host: bool
) -> None:
    answered: list[str] = []

    def answer(name: str, seconds: float = 0.0) -> Callable[[BaseHTTPRequestHandler], None]:
        def handler(h: BaseHTTPRequestHandler) -> None:
            answered.append(name)
            _answer_after(seconds)(h)

        return handler

    busy = http_server.add("/busy", handler=answer("busy", 0.3))
    pages = [http_server.add(f"/page{i}", handler=answer(f"page{i}")) for i in range(3)]
    feed = (second_server if feed_on_another_host else http_server).add(
        "/feed", handler=answer("feed")
    )
    # One connection in all; on one host the host's own queue decides, across hosts the
    # fetcher's connection queue.
    limits = replace(LIMITS, concurrency=1, per_host_concurrency=4 if feed_on_another_host else 1)

    async def run() -> None:
        async with Fetcher(limits) as fetcher:
            first = asyncio.ensure_future(fetcher.fetch(busy))
            await asyncio.sleep(0.1)  # the connection is taken; the rest must wait
            waiting = [asyncio.ensure_future(fetcher.fetch(url)) for url in pages]
            await asyncio.sleep(0.05)
            waiting.append(asyncio.ensure_future(fetcher.fetch(feed, urgent=True)))
            await asyncio.gather(first, *waiting)

    asyncio.run(run())
    assert answered == ["busy", "feed", "page0", "page1", "page2"]


def test_waiting_for_a_busy_host_holds_no_connection_and_no_deadline(
    http_server: LocalServer, second_server: LocalServer
) -> None:
    slow = [http_server.add(f"/slow{i}", handler=_answer_after(0.6)) for i in range(3)]
    other = second_server.add("/other", "o")
    limits = replace(LIMITS, concurrency=2, per_host_concurrency=1, deadline=1.0)
    finished: list[str] = []

    async def fetch(fetcher: Fetcher, url: str) -> None:
        await fetcher.fetch(url)
        finished.append(url)

    async def run() -> None:
        async with Fetcher(limits) as fetcher:
            tasks = [asyncio.ensure_future(fetch(fetcher, url)) for url in slow]
            await asyncio.sleep(0.1)
            await asyncio.gather(fetch(fetcher, other), *tasks)

    asyncio.run(run())
    # The other host was not kept waiting behind the busy one, and the third slow page,
    # sent 1.2 s after it was asked for, still had its whole second.
    assert finished == [other, *slow]


def test_urgent_sent_waits_until_no_urgent_request_waits_for_a_connection(
    http_server: LocalServer,
) -> None:
    busy = http_server.add("/busy", handler=_answer_after(0.3))
    feeds = [http_server.add(f"/feed{i}", "f") for i in range(2)]
    limits = replace(LIMITS, concurrency=1, per_host_concurrency=4)

    async def run() -> tuple[bool, bool]:
        async with Fetcher(limits) as fetcher:
            await fetcher.urgent_sent()  # nothing queued: at once
            first = asyncio.ensure_future(fetcher.fetch(busy, urgent=True))
            await asyncio.sleep(0.05)
            queued = [asyncio.ensure_future(fetcher.fetch(url, urgent=True)) for url in feeds]
            await asyncio.sleep(0.05)
            waited = asyncio.ensure_future(fetcher.urgent_sent())
            await asyncio.sleep(0.1)
            early = waited.done()
            await waited
            # The last one has the one connection now, so the one before it is done.
            previous_done = queued[0].done()
            await asyncio.gather(first, *queued)
            return early, previous_done

    early, previous_done = asyncio.run(run())
    assert not early and previous_done
    assert [path for path, _ in http_server.requests] == ["/busy", "/feed0", "/feed1"]


def test_urgent_sent_does_not_wait_for_a_busy_host(http_server: LocalServer) -> None:
    busy = http_server.add("/busy", handler=_answer_after(0.5))
    feed = http_server.add("/feed", "f")
    limits = replace(LIMITS, concurrency=4, per_host_concurrency=1)

    async def run() -> float:
        async with Fetcher(limits) as fetcher:
            first = asyncio.ensure_future(fetcher.fetch(busy, urgent=True))
            await asyncio.sleep(0.05)
            queued = asyncio.ensure_future(fetcher.fetch(feed, urgent=True))
            await asyncio.sleep(0.05)
            started = time.monotonic()
            await fetcher.urgent_sent()  # the feed waits for its host, not for a connection
            waited = time.monotonic() - started
            await asyncio.gather(first, queued)
            return waited

    assert asyncio.run(run()) < 0.2


def test_a_fetch_leaves_nothing_for_the_cyclic_garbage_collector(
    http_server: LocalServer,
) -> None:
    ok = http_server.add("/feed", "f" * 1000)
    missing = http_server.url("/missing")

    async def run() -> list[str]:
        async with Fetcher(LIMITS) as fetcher:
            await fetcher.fetch(ok)  # pools and caches filled
            with contextlib.suppress(CollectError):
                await fetcher.fetch(missing)
            gc.collect()
            gc.disable()
            gc.set_debug(gc.DEBUG_SAVEALL)
            try:
                for _ in range(5):
                    await fetcher.fetch(ok)
                    with contextlib.suppress(CollectError):
                        await fetcher.fetch(missing)
                gc.collect()
                # The test server runs in this process: only the client's side counts.
                return [
                    type(o).__module__
                    for o in gc.garbage
                    if type(o).__module__.split(".")[0] in ("httpx", "httpx_aiohttp", "aiohttp")
                ]
            finally:
                gc.set_debug(0)
                gc.garbage.clear()
                gc.enable()

    assert asyncio.run(run()) == []


def test_waiters_cancelled_together_while_a_slot_frees_end_cancelled_and_leak_nothing() -> None:
    """A stopping scheduler cancels every request at once: a slot freed in between finds
    the cancelled turns first, and each request must still end as cancelled (not as an
    error recorded on its source)."""

    async def run() -> list[BaseException | None]:
        slots = _Slots(1)
        await slots.acquire(urgent=False)
        waiters = [asyncio.ensure_future(slots.acquire(urgent=u)) for u in (True, False, False)]
        await asyncio.sleep(0)
        for waiter in waiters:
            waiter.cancel()
        slots.release()  # before the cancelled waiters have run
        results = await asyncio.gather(*waiters, return_exceptions=True)
        await asyncio.wait_for(slots.acquire(urgent=False), timeout=1)  # the slot is not lost
        return results

    assert all(isinstance(r, asyncio.CancelledError) for r in asyncio.run(run()))


def test_a_request_cancelled_while_waiting_gives_up_its_place(http_server: LocalServer) -> None:
    busy = http_server.add("/busy", handler=_answer_after(0.3))
    feed = http_server.add("/feed", "f")
    page = http_server.add("/page", "p")
    limits = replace(LIMITS, concurrency=1, per_host_concurrency=4)

    async def run() -> list[FetchResult]:
        async with Fetcher(limits) as fetcher:
            first = asyncio.ensure_future(fetcher.fetch(busy))
            await asyncio.sleep(0.05)
            given_up = asyncio.ensure_future(fetcher.fetch(feed, urgent=True))
            waiting = asyncio.ensure_future(fetcher.fetch(page))
            await asyncio.sleep(0.05)
            given_up.cancel()
            # The cancelled request no longer counts as waiting.
            await asyncio.wait_for(fetcher.urgent_sent(), timeout=2)
            done = list(await asyncio.gather(first, waiting))
            # The one connection is free again: nothing leaked while waiting was cancelled.
            done.append(await asyncio.wait_for(fetcher.fetch(feed, urgent=True), timeout=2))
            return done

    results = asyncio.run(run())
    assert [r.body for r in results] == [b"ok", b"p", b"f"]
    assert [path for path, _ in http_server.requests] == ["/busy", "/page", "/feed"]


def test_a_host_that_asked_to_wait_gets_no_more_requests_in_the_run(
    http_server: LocalServer,
) -> None:
    busy = http_server.add("/pagina/1", "later", status=429, headers={"Retry-After": "120"})
    other = http_server.add("/pagina/2", "<html>ok</html>")

    async def run() -> tuple[CollectError, CollectError]:
        async with Fetcher(LIMITS) as fetcher:
            with pytest.raises(CollectError) as first:
                await fetcher.fetch(busy)
            with pytest.raises(CollectError) as second:
                await fetcher.fetch(other)
            return first.value, second.value

    first, second = asyncio.run(run())
    assert (first.category, second.category) == ("rate_limited", "rate_limited")
    assert second.retry_after is not None and 115 < second.retry_after <= 120
    assert http_server.hits("/pagina/2") == 0  # not asked at all
    assert _fetch(other).status == 200  # a later run asks again


def test_a_feed_that_asked_to_wait_leaves_the_hosts_pages_alone(
    http_server: LocalServer,
) -> None:
    feed = http_server.add("/rss.xml", "later", status=429, headers={"Retry-After": "120"})
    page = http_server.add("/pagina/3", "<html>ok</html>")

    async def run() -> FetchResult:
        async with Fetcher(LIMITS) as fetcher:
            with pytest.raises(CollectError):
                await fetcher.fetch(feed, urgent=True)
            return await fetcher.fetch(page)

    assert asyncio.run(run()).status == 200
