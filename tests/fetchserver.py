"""A real HTTP/1.1 server on 127.0.0.1 for tests and benchmarks of fetching.

It listens on a random free port and serves from a background thread (one thread
per connection, keep-alive on). Routes are registered per test; every request is
logged, and the server counts how many requests were in flight at once.

Use it as a context manager::

    from fetchserver import FetchServer

    def test_something() -> None:
        with FetchServer() as server:
            server.add("/feed.xml", b"<rss/>", content_type="application/rss+xml")
            url = server.url("/feed.xml")
            ...

or through the ``fetch_server`` fixture (a fresh server per test), made visible to
a test module or a conftest.py with (the ``as`` form keeps ruff's F401/F811 quiet)::

    from fetchserver import fetch_server as fetch_server

    async def test_refresh(fetch_server: FetchServer) -> None: ...

Modules in ``tests/`` import it as ``fetchserver`` (pytest puts ``tests/`` on
``sys.path``); a benchmark adds ``tests/`` to ``sys.path`` first.

Routes (each replaces any earlier route with the same path; the query string is
ignored unless a route was registered with it):

=========================  ==================================================
``add``                    a fixed answer: status, body, headers; optionally
                           compressed (gzip/deflate/br), chunked, delayed
``add_conditional``        a feed with ETag/Last-Modified that answers 304 to a
                           matching If-None-Match / If-Modified-Since
``add_redirect``           301/302/303/307/308 to a Location (kept verbatim)
``add_reset``              headers with Content-Length, part of the body, then
                           the connection is reset (RST) or closed (FIN)
``add_close``              the connection is closed before any answer
``add_stall``              nothing after the headers (or before them)
``add_drip``               the body one byte per ``interval`` seconds
``add_slow_start``         headers and some bytes at once, then a byte at a time
``add_gzip_bomb``          a small gzip body that inflates to ``size`` bytes
``add_brotli_bomb``        the same with brotli (needs ``brotli``)
``add_handler``            any function ``Request -> Reply``
=========================  ==================================================

Everything is bounded: stalls and drips end after ``limit`` seconds (5 by
default) or as soon as the server stops, idle keep-alive connections close after
10 s, and ``stop()`` shuts every open connection down. ``latency`` (settable at
any time) adds a delay to every request (the benchmark uses 0.05 s).

What it saw: ``requests`` / ``requests_for(path)`` / ``hits(path)`` (each request
with its headers), ``max_in_flight`` (most requests answered at once) and
``connections_opened`` (keep-alive reuse); ``reset_stats()`` clears them.
"""

from __future__ import annotations

import contextlib
import functools
import gzip as gzip_module
import importlib
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

import pytest

__all__ = [
    "FetchServer",
    "Reply",
    "Request",
    "brotli_bomb",
    "compress",
    "fetch_server",
    "gzip_bomb",
]

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    """One request as the server saw it. Header names are lower-case."""

    method: str
    path: str
    headers: Mapping[str, str]
    time: float  # time.monotonic() on arrival

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers: status, headers and body (Content-Length is added)."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


_Route = Callable[["_Handler", Request], None]


# ---------------------------------------------------------------------------
# bombs, built once per size and cached


@functools.lru_cache(maxsize=4)
def gzip_bomb(size: int = 1024 * MB) -> bytes:
    """A valid gzip stream that inflates to ``size`` zero bytes (about size/1000 long).

    Built fast: the deflate block for 1 MB of zeros after a full flush is the same
    every time, so it is made once and repeated.
    """
    full, rest = divmod(size, MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    tail = last.compress(bytes(rest)) + last.flush()
    zeros = bytes(MB)
    crc = 0
    for _ in range(full):
        crc = zlib.crc32(zeros, crc)
    crc = zlib.crc32(bytes(rest), crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return header + block * full + tail + trailer


@functools.lru_cache(maxsize=2)
def brotli_bomb(size: int = 256 * MB) -> bytes:
    """A brotli stream that inflates to ``size`` zero bytes (about 100 bytes long)."""
    brotli: Any = importlib.import_module("brotli")  # only when asked for
    data: bytes = brotli.compress(bytes(size), quality=5)
    return data


def compress(body: bytes, encoding: str) -> bytes:
    """``body`` compressed as "gzip", "deflate" (zlib-wrapped), "raw-deflate" or "br"."""
    if encoding == "gzip":
        return gzip_module.compress(body, mtime=0)
    if encoding == "deflate":  # zlib-wrapped, as RFC 9110 says
        return zlib.compress(body)
    if encoding == "raw-deflate":  # what some servers send as "deflate"
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        return compressor.compress(body) + compressor.flush()
    if encoding == "br":
        brotli: Any = importlib.import_module("brotli")
        data: bytes = brotli.compress(body, quality=5)  # fast; 11 takes seconds per MB
        return data
    raise ValueError(f"unknown encoding {encoding!r}")


# ---------------------------------------------------------------------------
# the server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real feed servers do
    server_version = "fetchserver/1"
    timeout = 10  # an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True  # else a small body written after the headers waits ~40 ms
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.owner._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._closed(self.connection)

    def do_GET(self) -> None:
        self.server.owner._dispatch(self, head=False)

    def do_HEAD(self) -> None:
        self.server.owner._dispatch(self, head=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    owner: FetchServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-answer is what these tests are about


class FetchServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with per-test routes. See the module doc."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._requests: list[Request] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._connections_opened = 0
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.owner = self
        self._httpd = httpd
        # (stop() waits up to one poll interval for serve_forever to notice)
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # drips, stalls and latency waits end now
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # wake handlers blocked reading a keep-alive socket
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- what it saw ---------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        """Every request so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path or r.path.split("?")[0] == path]

    def hits(self, path: str) -> int:
        return len(self.requests_for(path))

    @property
    def max_in_flight(self) -> int:
        """The most requests the server was answering at one time."""
        with self._lock:
            return self._max_in_flight

    @property
    def connections_opened(self) -> int:
        """How many TCP connections clients have opened (keep-alive reuse shows here)."""
        with self._lock:
            return self._connections_opened

    def reset_stats(self) -> None:
        """Forget the requests seen and the counters (routes stay)."""
        with self._lock:
            self._requests.clear()
            self._max_in_flight = self._in_flight
            self._connections_opened = 0

    # -- routes --------------------------------------------------------------

    def add_handler(self, path: str, handler: Callable[[Request], Reply]) -> None:
        """Answer ``path`` with whatever ``handler(request)`` returns (called per request)."""

        def route(h: _Handler, req: Request) -> None:
            reply = handler(req)
            self._send(h, reply.status, reply.headers, reply.body)

        self._routes[path] = route

    def add(
        self,
        path: str,
        body: bytes = b"",
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        encoding: str | None = None,
        chunked: bool = False,
        delay: float = 0.0,
    ) -> None:
        """A fixed answer.

        ``encoding`` ("gzip", "deflate", "raw-deflate" or "br") compresses ``body``
        once, here, and sends it with that Content-Encoding ("raw-deflate" is sent
        as "deflate") whatever the request's Accept-Encoding. ``chunked`` sends it
        with Transfer-Encoding: chunked and no Content-Length. ``delay`` waits
        before answering (on top of ``latency``).
        """
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        payload = body
        if encoding is not None:
            payload = compress(body, encoding)
            all_headers["Content-Encoding"] = "deflate" if encoding == "raw-deflate" else encoding

        def route(h: _Handler, req: Request) -> None:
            if delay and self._stopping.wait(delay):
                return
            if chunked:
                self._send_chunked(h, status, all_headers, payload)
            else:
                self._send(h, status, all_headers, payload)

        self._routes[path] = route

    def add_conditional(
        self,
        path: str,
        body: bytes,
        *,
        etag: str | None = '"v1"',
        last_modified: str | None = "Wed, 25 Nov 2026 10:00:00 GMT",
        content_type: str = "application/rss+xml; charset=utf-8",
        encoding: str | None = None,
    ) -> None:
        """A feed with validators: 304 when If-None-Match matches the ETag, or — when
        no If-None-Match was sent — If-Modified-Since is not before Last-Modified."""
        headers = {"Content-Type": content_type}
        if etag is not None:
            headers["ETag"] = etag
        if last_modified is not None:
            headers["Last-Modified"] = last_modified
        payload = body
        if encoding is not None:
            payload = compress(body, encoding)
            headers["Content-Encoding"] = encoding
        modified_at = _http_time(last_modified)

        def route(h: _Handler, req: Request) -> None:
            inm = req.header("if-none-match")
            ims = _http_time(req.header("if-modified-since"))
            if inm is not None:
                tags = {t.strip() for t in inm.split(",")}
                fresh = etag is not None and (etag in tags or "*" in tags)
            else:
                fresh = ims is not None and modified_at is not None and ims >= modified_at
            if fresh:
                validators = {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}
                self._send(h, 304, validators, b"")
            else:
                self._send(h, 200, headers, payload)

        self._routes[path] = route

    def add_redirect(self, path: str, location: str, status: int = 302) -> None:
        """Redirect to ``location`` (sent verbatim: relative, absolute or any scheme)."""
        self.add(path, b"", status=status, headers={"Location": location})

    def add_reset(
        self,
        path: str,
        body: bytes = b"<rss>" + b"x" * 995,
        *,
        content_length: int = 100_000,
        abort: bool = True,
    ) -> None:
        """Promise ``content_length`` bytes, send ``body``, then reset the connection
        (``abort=True``: an RST) or just close it (``abort=False``: a FIN)."""

        def route(h: _Handler, req: Request) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(content_length))
            h.end_headers()
            h.wfile.write(body)
            h.close_connection = True
            conn = h.connection
            time.sleep(0.05)  # let the client read the partial body first
            if abort:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                conn.shutdown(socket.SHUT_RDWR)

        self._routes[path] = route

    def add_close(self, path: str) -> None:
        """Close the connection without answering."""

        def route(h: _Handler, req: Request) -> None:
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)

        self._routes[path] = route

    def add_stall(self, path: str, *, before_headers: bool = False, limit: float = 5.0) -> None:
        """Send headers (Content-Length 1000) and then nothing — or nothing at all with
        ``before_headers`` — for ``limit`` seconds or until the server stops."""

        def route(h: _Handler, req: Request) -> None:
            h.close_connection = True
            if not before_headers:
                h.send_response(200)
                h.send_header("Content-Type", "application/rss+xml")
                h.send_header("Content-Length", "1000")
                h.end_headers()
            self._stopping.wait(limit)

        self._routes[path] = route

    def add_drip(
        self,
        path: str,
        body: bytes = b"<rss>" + b"x" * 95,
        *,
        interval: float = 1.0,
        limit: float = 5.0,
    ) -> None:
        """Send ``body`` one byte every ``interval`` seconds, for at most ``limit`` seconds."""

        def route(h: _Handler, req: Request) -> None:
            h.close_connection = True
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            end = time.monotonic() + limit
            for byte in body:
                if time.monotonic() >= end or self._stopping.wait(interval):
                    return
                h.wfile.write(bytes([byte]))

        self._routes[path] = route

    def add_slow_start(
        self,
        path: str,
        body: bytes,
        *,
        headers: Mapping[str, str],
        at_once: int,
        interval: float = 0.5,
        limit: float = 10.0,
    ) -> None:
        """Send ``headers`` and the first ``at_once`` bytes of ``body`` at once, then one
        byte every ``interval`` seconds, for at most ``limit`` seconds."""

        def route(h: _Handler, req: Request) -> None:
            h.close_connection = True
            h.send_response(200)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(body[:at_once])
            h.wfile.flush()
            end = time.monotonic() + limit
            for byte in body[at_once:]:
                if time.monotonic() >= end or self._stopping.wait(interval):
                    return
                h.wfile.write(bytes([byte]))
                h.wfile.flush()

        self._routes[path] = route

    def add_gzip_bomb(self, path: str, size: int = 1024 * MB) -> None:
        """A ~1 MB gzip body (Content-Encoding: gzip) that inflates to ``size`` bytes."""
        self._routes[path] = self._bomb_route(gzip_bomb(size), "gzip")

    def add_brotli_bomb(self, path: str, size: int = 256 * MB) -> None:
        """A ~100-byte brotli body (Content-Encoding: br) that inflates to ``size`` bytes."""
        self._routes[path] = self._bomb_route(brotli_bomb(size), "br")

    def _bomb_route(self, payload: bytes, encoding: str) -> _Route:
        headers = {"Content-Type": "application/rss+xml", "Content-Encoding": encoding}

        def route(h: _Handler, req: Request) -> None:
            self._send(h, 200, headers, payload)

        return route

    # -- internals -------------------------------------------------------------

    def _opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
            self._connections_opened += 1

    def _closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _dispatch(self, h: _Handler, *, head: bool) -> None:
        req = Request(
            method=h.command,
            path=h.path,
            headers={k.lower(): v for k, v in h.headers.items()},
            time=time.monotonic(),
        )
        with self._lock:
            self._requests.append(req)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            if self.latency and self._stopping.wait(self.latency):
                h.close_connection = True
                return
            route = self._routes.get(h.path) or self._routes.get(h.path.split("?")[0])
            if route is None:
                self._send(h, 404, {"Content-Type": "text/plain"}, b"not found")
            elif head:
                self._send(h, 405, {}, b"")
            else:
                route(h, req)
        except OSError:
            h.close_connection = True  # the client went away
        finally:
            with self._lock:
                self._in_flight -= 1

    @staticmethod
    def _send(h: _Handler, status: int, headers: Mapping[str, str], body: bytes) -> None:
        h.send_response(status)
        has_length = False
        for name, value in headers.items():
            h.send_header(name, value)
            has_length = has_length or name.lower() == "content-length"
        if not has_length and status != 304 and not 100 <= status < 200 and status != 204:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body and status not in (204, 304):
            h.wfile.write(body)

    @staticmethod
    def _send_chunked(h: _Handler, status: int, headers: Mapping[str, str], body: bytes) -> None:
        h.send_response(status)
        for name, value in headers.items():
            h.send_header(name, value)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for start in range(0, len(body), 16384):
            piece = body[start : start + 16384]
            h.wfile.write(b"%x\r\n%b\r\n" % (len(piece), piece))
        h.wfile.write(b"0\r\n\r\n")


def _http_time(value: str | None) -> float | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


@pytest.fixture
def fetch_server() -> Iterator[FetchServer]:
    """A running FetchServer, stopped after the test."""
    with FetchServer() as server:
        yield server
