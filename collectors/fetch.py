"""One polite, bounded HTTP client for every collector.

Every request has connect and read timeouts and an overall deadline (a server that drips
one byte a second defeats a read timeout on its own), a body cap applied to the
decompressed bytes, a redirect limit with the final URL recorded, conditional GET, a
per-host concurrency limit and delay, and Retry-After honoured on 429/503.
"""

from __future__ import annotations

import asyncio
import re
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from collectors.errors import CollectError
from collectors.transport import AiohttpTransport

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# How long a host that answered 429 without Retry-After is left alone.
RATE_LIMITED_PAUSE = 60.0
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)
_NO_STREAM = httpx.ByteStream(b"")  # what a response is left with once read (_send_once)


@dataclass(frozen=True, slots=True)
class FetchLimits:
    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    deadline: float = 30.0
    max_body_bytes: int = 10_000_000
    max_redirects: int = 5
    concurrency: int = 16
    per_host_concurrency: int = 2
    per_host_delay: float = 0.0


@dataclass(slots=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        etag: str | None = self.headers.get("etag")
        return etag

    @property
    def last_modified(self) -> str | None:
        value: str | None = self.headers.get("last-modified")
        return value

    @property
    def charset(self) -> str | None:
        """The character set the Content-Type header declares, if any."""
        match = _CHARSET.search(self.headers.get("content-type", ""))
        return match.group(1) if match else None


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _Slots:
    """A semaphore that hands a freed slot to urgent waiters first: a collection asks
    every source for its feed before the pages behind the entries. (Plain acquire and
    release: a context manager around them cost a tenth of a request's time.)"""

    def __init__(self, count: int) -> None:
        self._free = count
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._other: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, urgent: bool) -> None:
        if self._free and not self._urgent and not self._other:
            self._free -= 1
            return
        queue = self._urgent if urgent else self._other
        turn = asyncio.get_running_loop().create_future()
        queue.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed a slot while being cancelled: pass it on
            elif turn in queue:  # a release() since the cancel may have dropped it
                queue.remove(turn)
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._other):
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._free += 1


class _HostGate:
    """Limits requests in flight to one host and spaces them by a delay; a host that
    asked to be left alone for a page (429, or 503 with Retry-After) gets no page request
    until then."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._slots = _Slots(concurrency)
        self._delay = delay
        self._lock = asyncio.Lock()
        self._next_start = 0.0
        self._resume_at = 0.0

    def pause(self, seconds: float) -> None:
        self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    def refuse_while_paused(self) -> None:
        if not self._resume_at:
            return
        wait = self._resume_at - time.monotonic()
        if wait > 0:
            raise CollectError(
                "rate_limited",
                f"the host asked to be left alone {wait:.0f} s more",
                retry_after=wait,
            )

    async def enter(self, *, urgent: bool) -> None:
        await self._slots.acquire(urgent=urgent)
        if not self._delay:
            return
        try:
            async with self._lock:
                wait = self._next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start = time.monotonic() + self._delay
        except BaseException:
            self._slots.release()
            raise

    def leave(self) -> None:
        self._slots.release()


class _Cookies(httpx.Cookies):
    """httpx passes every response through urllib's cookie machinery (a tenth of a
    millisecond each, most of it building request and response adapters); only a response
    that sets a cookie has anything for the jar."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class Fetcher:
    """Shared async HTTP client. Use as ``async with Fetcher(limits) as fetcher``."""

    def __init__(self, limits: FetchLimits, *, transport: httpx.AsyncBaseTransport | None = None):
        self.limits = limits
        # The aiohttp transport passes bodies on undecoded, so the body cap below still
        # applies to the decompressed size.
        self._client = httpx.AsyncClient(
            transport=transport or AiohttpTransport(connections=limits.concurrency),
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=limits.connect_timeout,
                read=limits.read_timeout,
                write=limits.read_timeout,
                pool=limits.deadline,
            ),
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            trust_env=False,
        )
        # Cookies are kept (consent walls set one and redirect back); the client's setter
        # would copy the jar into a plain Cookies, hence the attribute.
        self._client._cookies = _Cookies()
        self._headers = dict(self._client.headers)
        self._extensions = {"timeout": self._client.timeout.as_dict()}
        self._slots = _Slots(limits.concurrency)
        self._urgent_waiting = 0
        self._urgent_all_sent = asyncio.Event()
        self._urgent_all_sent.set()
        self._hosts: dict[str, _HostGate] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    def _gate(self, url: str) -> _HostGate:
        host = urlsplit(url).netloc.lower()
        gate = self._hosts.get(host)
        if gate is None:
            gate = _HostGate(self.limits.per_host_concurrency, self.limits.per_host_delay)
            self._hosts[host] = gate
        return gate

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
        guard: Callable[[str], Awaitable[None]] | None = None,
        urgent: bool = False,
        form: dict[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url`` within the limits; raises ``CollectError`` on any failure. With a
        ``form``, POST it instead (URL-encoded); a redirect answer is then returned as it
        is, not followed.

        ``urgent`` requests (a source's own feed or sitemap) get the next free connection
        before any other waiting request. The deadline runs from the moment the request
        goes out: waiting for its host or a connection is not the server's slowness."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise CollectError("invalid_url", f"not an http(s) URL: {url}")
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        content = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
            content = urlencode(form).encode()
        try:
            async with asyncio.timeout(None) as deadline:
                return await self._follow(url, headers, guard, urgent, deadline, content)
        except TimeoutError:
            raise CollectError(
                "timeout", f"no complete answer within {self.limits.deadline:g} s"
            ) from None

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        guard: Callable[[str], Awaitable[None]] | None,
        urgent: bool,
        deadline: asyncio.Timeout,
        content: bytes | None,
    ) -> FetchResult:
        """GET, following redirects by hand so each hop is counted, checked and recorded
        (a POST of ``content`` is not followed).

        Coming back to a URL is a loop unless a cookie was set on the way (a consent wall
        that sets its cookie and sends the reader back to the article)."""
        redirects: list[str] = []
        current = url
        visited = {(url, self._cookies_held())}
        while True:
            # The host first: a request waiting for its host holds no connection slot.
            gate = self._gate(current)
            if not urgent:  # before waiting for the host, and again after
                gate.refuse_while_paused()
            await gate.enter(urgent=urgent)
            try:
                if not urgent:
                    gate.refuse_while_paused()
                await self._connection(urgent=urgent)
                try:
                    if deadline.when() is None:
                        deadline.reschedule(
                            asyncio.get_running_loop().time() + self.limits.deadline
                        )
                    if guard is not None:
                        await guard(current)
                    result = await self._send_once(current, headers, content)
                except CollectError as error:
                    # Pages only, both ways: a source's own feed is asked once a run and
                    # its answer decides that source's next check; feeds are often served
                    # apart from the pages (a feed service, another cache).
                    if error.category == "rate_limited" and not urgent:
                        gate.pause(
                            RATE_LIMITED_PAUSE if error.retry_after is None else error.retry_after
                        )
                    raise
                finally:
                    self._slots.release()
            finally:
                gate.leave()
            location = result.headers.get("location")
            if result.status not in REDIRECT_STATUSES or not location or content is not None:
                result.url, result.redirects = url, redirects
                return result
            if len(redirects) >= self.limits.max_redirects:
                raise CollectError(
                    "too_many_redirects", f"more than {self.limits.max_redirects} redirects"
                )
            target = urljoin(current, location)
            hop = (target, self._cookies_held())
            if hop in visited:
                raise CollectError("too_many_redirects", f"redirect loop at {target}")
            visited.add(hop)
            redirects.append(current)
            current = target

    async def _connection(self, *, urgent: bool) -> None:
        """A connection slot. Urgent requests that have their host are counted while they
        wait for one (``urgent_sent``); one waiting for its host waits for that host's
        answers, which nothing here would speed up."""
        if not urgent:
            await self._slots.acquire(urgent=False)
            return
        self._urgent_waiting += 1
        self._urgent_all_sent.clear()
        try:
            await self._slots.acquire(urgent=True)
        finally:
            self._one_urgent_sent()

    def _one_urgent_sent(self) -> None:
        self._urgent_waiting -= 1
        if not self._urgent_waiting:
            self._urgent_all_sent.set()

    async def urgent_sent(self) -> None:
        """Return once no urgent request waits for a connection: a collection sends every
        source's request before working on any answer, so a hanging server's deadline
        starts at once instead of after seconds of parsing."""
        await self._urgent_all_sent.wait()

    def _cookies_held(self) -> int:
        return len(self._client.cookies.jar)

    async def _send_once(
        self, url: str, headers: dict[str, str], content: bytes | None
    ) -> FetchResult:
        response: httpx.Response | None = None
        try:
            # Built here rather than by the client: its merging of URL, headers, cookies
            # and timeouts costs more than a fifth of a request on loopback.
            request = httpx.Request(
                "GET" if content is None else "POST",
                url,
                headers={**self._headers, **headers},
                content=content,
                extensions=self._extensions,
            )
            if self._client.cookies.jar:
                self._client.cookies.set_cookie_header(request)
            response = await self._client.send(request, stream=True)
            try:
                self._raise_for_status(response)
                body = b""
                if response.status_code not in REDIRECT_STATUSES and response.status_code != 304:
                    body = await self._read_capped(response)
            finally:
                await response.aclose()
            return FetchResult(url, url, response.status_code, response.headers, body)
        except httpx.TimeoutException as error:
            raise CollectError("timeout", f"{type(error).__name__} for {url}") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise CollectError("connect", f"{type(error).__name__}: {error}") from None
        except httpx.DecodingError as error:
            raise CollectError("malformed", f"cannot decode body: {error}") from None
        except httpx.InvalidURL as error:
            raise CollectError("invalid_url", str(error)) from None
        except httpx.HTTPError as error:
            raise CollectError("http_error", f"{type(error).__name__}: {error}") from None
        finally:
            if response is not None:
                # Closed by now. httpx links a response and its stream both ways, so each
                # one (with aiohttp's ~40 objects behind it) would wait for the cyclic GC:
                # a large collection spent a tenth of its CPU there, and held ~90 MB more
                # between collections.
                response.stream = _NO_STREAM

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        retry_after = retry_after_seconds(response.headers.get("retry-after"))
        if status == 429 or (status == 503 and retry_after is not None):
            raise CollectError("rate_limited", f"HTTP {status}", retry_after=retry_after)
        if status == 404:
            raise CollectError("not_found", "HTTP 404")
        if status == 410:
            raise CollectError("gone", "HTTP 410")
        if status in (401, 403):
            raise CollectError("forbidden", f"HTTP {status}")
        if status >= 500:
            raise CollectError("server_error", f"HTTP {status}", retry_after=retry_after)
        raise CollectError("http_error", f"HTTP {status}")

    async def _read_capped(self, response: httpx.Response) -> bytes:
        """The body, decompressed, refused once it passes the cap.

        gzip and deflate are inflated here in bounded steps: httpx inflates a whole network
        chunk at once, and one 64 KB chunk of a gzip bomb becomes ~67 MB before any cap
        could be checked.
        """
        cap = self.limits.max_body_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise CollectError("too_large", f"declared {declared} bytes, limit {cap}")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            return await _inflate_capped(response, cap, gzip=encoding != "deflate")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_raw():
            size += len(chunk)
            if size > cap:
                raise CollectError("too_large", f"body over {cap} bytes after decompression")
            chunks.append(chunk)
        return b"".join(chunks)


async def _inflate_capped(response: httpx.Response, cap: int, *, gzip: bool) -> bytes:
    # wbits 47 reads gzip or zlib headers; -15 is raw deflate, which some servers send.
    inflater = zlib.decompressobj(47 if gzip else 15)
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        data = raw
        while data:
            try:
                piece = inflater.decompress(data, cap - size + 1)
            except zlib.error:
                if gzip or size or chunks:
                    raise CollectError("malformed", "cannot decode compressed body") from None
                inflater = zlib.decompressobj(-15)
                continue
            size += len(piece)
            if size > cap:
                raise CollectError("too_large", f"body over {cap} bytes after decompression")
            chunks.append(piece)
            data = inflater.unconsumed_tail
    return b"".join(chunks)
