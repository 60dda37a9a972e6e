"""httpx's transport interface over aiohttp, trimmed to what the fetcher asks of it.

httpx's own connection pool is the bottleneck under concurrency (encode/httpx issue 3215;
about 6x fewer pages a second here, ../shared/docs/MEASURED.md). The httpx-aiohttp package
solves that too, at more cost a request: it builds a timeout object and a dozen proxy and
TLS arguments for every request and hands bodies on in 16 KB pieces, each passing four
generators. It also let aiohttp's own error for an answer that is not HTTP escape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import aiohttp
import httpx

KEEPALIVE_SECONDS = 5.0

# aiohttp's errors as the httpx errors the fetcher handles: timeouts first (aiohttp's
# timeout errors are also connection errors).
_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.TimeoutException),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ClientPayloadError, httpx.ReadError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.ClientConnectionError, httpx.ReadError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.ClientError, httpx.TransportError),
)


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except aiohttp.ClientError as error:
        for theirs, ours in _ERRORS:
            if isinstance(error, theirs):
                raise ours(str(error) or type(error).__name__) from error
        raise  # pragma: no cover  - the last entry takes every ClientError


class _Body(httpx.AsyncByteStream):
    """A response body as aiohttp receives it: whatever arrived, in one piece."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for piece in self._response.content.iter_any():
                yield piece

    async def aclose(self) -> None:
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session with ``connections`` connections, opened on first use."""

    def __init__(self, *, connections: int) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    def _timeout(self, wanted: dict[str, float | None]) -> aiohttp.ClientTimeout:
        key = (wanted.get("connect"), wanted.get("read"), wanted.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = aiohttp.ClientTimeout(sock_connect=key[0], sock_read=key[1], connect=key[2])
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session
        if session is None:
            # Idle connections are closed after 5 s, as httpx does: many servers close
            # theirs soon after, and a reused connection the server just closed fails.
            connector = aiohttp.TCPConnector(
                limit=self._connections, keepalive_timeout=KEEPALIVE_SECONDS
            )
            # The httpx client's jar is the one jar: the fetcher sets the Cookie header.
            session = self._session = aiohttp.ClientSession(
                connector=connector, trust_env=False, cookie_jar=aiohttp.DummyCookieJar()
            )
        with _as_httpx_errors():
            response = await session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=request.content or None,
                allow_redirects=False,
                auto_decompress=False,
                timeout=self._timeout(request.extensions.get("timeout", {})),
            )
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
