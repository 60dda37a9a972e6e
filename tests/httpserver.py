"""A real HTTP server on 127.0.0.1 for tests: routes map paths to canned responses."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    # A handler takes over the whole response (slow, broken and odd servers).
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class LocalServer:
    server: ThreadingHTTPServer
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, body: bytes | str = b"", **kwargs: object) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


def start_server() -> LocalServer:
    routes: dict[str, Route] = {}
    requests: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # and POST: a route with a handler reads the body
            requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = routes.get(self.path)
            if route is None:
                self._send(404, b"not found", {"Content-Type": "text/plain"})
                return
            if route.handler is not None:
                route.handler(self)
                return
            headers = {"Content-Type": "application/xml; charset=utf-8", **route.headers}
            if route.etag:
                headers["ETag"] = route.etag
                if self.headers.get("If-None-Match") == route.etag:
                    self._send(304, b"", headers)
                    return
            self._send(route.status, route.body, headers)

        do_POST = do_GET

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    class QuietServer(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # clients that hang up on purpose (body caps, deadlines) are expected

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return LocalServer(server=server, routes=routes, requests=requests)


@contextmanager
def serving() -> Iterator[LocalServer]:
    """A started server, shut down and closed on leaving."""
    server = start_server()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


def hanging(seconds: float) -> tuple[threading.Event, Callable[[BaseHTTPRequestHandler], None]]:
    """A handler that answers nothing for ``seconds``, and an event set once it is asked."""
    asked = threading.Event()

    def handler(_: BaseHTTPRequestHandler) -> None:
        asked.set()
        time.sleep(seconds)

    return asked, handler
