"""HTTP fetching for feeds and pages: concurrency, conditional GET, caps, timeouts.

No UI, no database, no feed parsing: bytes in, :class:`FetchResult` out.

One :class:`Fetcher` (an async context manager holding one shared
``httpx.AsyncClient``) serves a whole refresh run::

    async with Fetcher(concurrency=16, per_host=4) as fetcher:
        async for result in fetcher.iter_fetch(requests):   # as they complete
            ...
        results = await fetcher.fetch_many(requests, on_result=callback)

A per-feed problem never raises: the result carries a one-line ``error``.

Rules enforced here:

- redirects are followed by hand: at most ``max_redirects`` (5), only to http(s),
  relative ``Location`` resolved, loops refused; a chain whose every hop is a
  permanent redirect (301/308) reports ``permanent_url``;
- conditional GET with If-None-Match and If-Modified-Since; 304 → ``not_modified``;
- an overall deadline per request around the whole exchange (all hops, headers
  and body), so a server that drips one byte a second is cut off at the deadline;
- caps on raw and on decoded bytes, enforced while streaming: the body is
  decoded here (gzip, deflate, brotli) in pieces of at most 256 KB, so a small
  gzip that inflates to gigabytes is stopped at the cap with bounded memory;
- 410 → ``gone``; 429/503 → ``retry_after`` from Retry-After (seconds or date).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import importlib
import inspect
import re
import socket
import ssl
import time
import zlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC
from http import HTTPStatus
from types import TracebackType
from typing import Any, Protocol, Self

import httpx

from briefreader import __version__

__all__ = [
    "BROTLI_AVAILABLE",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "FEED_ACCEPT",
    "MAX_REDIRECTS",
    "MAX_RETRY_AFTER",
    "PAGE_ACCEPT",
    "USER_AGENT",
    "FetchRequest",
    "FetchResult",
    "Fetcher",
    "fetch_one",
    "parse_retry_after",
]

USER_AGENT = f"briefreader/{__version__} (+https://github.com/briefreader/briefreader)"
DEFAULT_CONCURRENCY = 16
DEFAULT_DEADLINE = 30.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
#: Retry-After values are clamped to this (a day): a hostile or broken server
#: must not be able to park a feed forever.
MAX_RETRY_AFTER = 24 * 3600.0

#: Accept header for feeds (the default).
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)
#: Accept header for web pages (full text, autodiscovery of a home page).
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_PIECE = 256 * 1024  # most decoded bytes produced by one decompression step
_MAX_ENCODINGS = 3  # a Content-Encoding list longer than this is refused
_DRAIN_MAX = 64 * 1024  # an unwanted body up to this size is read, to keep the connection
_DRAIN_TIME = 1.0  # … if it arrives within this many seconds
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\s]+")


# ---------------------------------------------------------------------------
# brotli: used only when a decoder with an output limit is importable


class _BrotliDecompressor(Protocol):
    def process(self, data: bytes, output_buffer_limit: int = ...) -> bytes: ...
    def can_accept_more_data(self) -> bool: ...
    def is_finished(self) -> bool: ...


def _find_brotli() -> tuple[Callable[[], _BrotliDecompressor], type[Exception]] | None:
    """The Decompressor of ``brotli`` or ``brotlicffi`` and its error, if it can bound its output.

    Versions before 1.2 have no ``output_buffer_limit``: a few hundred bytes of
    brotli can expand to gigabytes in one call, so those are not used (and "br"
    is then not advertised in Accept-Encoding).
    """
    for name in ("brotli", "brotlicffi"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        factory = getattr(module, "Decompressor", None)
        error = getattr(module, "error", None)
        if factory is None or not (isinstance(error, type) and issubclass(error, Exception)):
            continue
        try:
            probe = factory()
            probe.process(b"", output_buffer_limit=1)
            probe.can_accept_more_data()
            probe.is_finished()
        except Exception:  # an old or odd binding: do without brotli
            continue
        found: Callable[[], _BrotliDecompressor] = factory
        return found, error
    return None


_BROTLI_FOUND = _find_brotli()
_BROTLI = _BROTLI_FOUND[0] if _BROTLI_FOUND else None
BROTLI_AVAILABLE = _BROTLI is not None
_ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI_AVAILABLE else "gzip, deflate"


# ---------------------------------------------------------------------------
# public data


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One URL to fetch, with the validators stored from its last fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one fetch. ``error`` is None exactly when it succeeded.

    - ``url``: the URL as requested; ``final_url``: where the answer came from.
    - ``body``: decoded bytes of a 2xx answer (empty otherwise, and for 304).
    - ``content_type``: the media type, lower-case, without parameters
      ("application/rss+xml"); ``charset``: its charset parameter, lower-case.
    - ``etag`` / ``last_modified``: validators to store for the next fetch (for a
      304 without new ones, those sent are returned, so they can be kept).
    - ``not_modified``: a 304 answer; nothing to parse.
    - ``gone``: 410 Gone (``error`` is set too); the caller marks the feed dead.
    - ``permanent_url``: set when every redirect hop was 301/308 and the fetch
      succeeded: the caller should store this URL instead of ``url``.
    - ``retry_after``: seconds to wait before the next try (429/503), clamped to
      ``MAX_RETRY_AFTER``.
    - ``elapsed``: seconds spent on the exchange (waiting for a slot excluded).
    - ``redirects``: each URL redirected to, in order.
    """

    url: str
    final_url: str
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    not_modified: bool = False
    gone: bool = False
    permanent_url: str | None = None
    retry_after: float | None = None
    error: str | None = None
    elapsed: float = 0.0
    redirects: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


OnResult = Callable[[FetchResult], Awaitable[Any] | None]


# ---------------------------------------------------------------------------
# helpers


class _Failure(Exception):
    """A per-request problem, already phrased as the one-line error to report."""


@dataclass(slots=True)
class _State:
    """What one exchange has got to, so a timeout or reset can say where it was."""

    url: str
    status: int | None = None
    in_body: bool = False
    received: int = 0
    expected: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)


def _one_line(text: str, limit: int = 300) -> str:
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_url(url: str) -> str:
    return _one_line(url, 120)


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def _seconds(s: float) -> str:
    return f"{s:g} s"


def _status_text(status: int, reason: str) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = _one_line(reason, 60)
    return f"HTTP {status} {phrase}".rstrip()


def _check_url(raw: str) -> httpx.URL:
    text = raw.strip()
    if not text:
        raise _Failure("invalid URL: empty")
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise _Failure(f"invalid URL {_short_url(text)!r}: {_one_line(str(exc), 100)}") from None
    if not url.scheme:
        raise _Failure(f"invalid URL {_short_url(text)!r}: not an absolute http(s) URL")
    if url.scheme not in ("http", "https"):
        raise _Failure(f"unsupported URL scheme {url.scheme!r} (only http and https)")
    if not url.host:
        raise _Failure(f"invalid URL {_short_url(text)!r}: no host")
    return url


def _validator(value: str | None) -> str | None:
    """A stored ETag/Last-Modified fit to send back, else None (never a broken header)."""
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > 1024 or not value.isascii() or not value.isprintable():
        return None
    return value


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    head, _, params = value.partition(";")
    media = head.strip().lower() or None
    charset = None
    if params:
        for param in params.split(";"):
            key, _, val = param.partition("=")
            if key.strip().lower() == "charset":
                charset = val.strip().strip("\"'").strip().lower() or None
                break
    return media, charset


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date).

    None when absent or unreadable; otherwise clamped to [0, MAX_RETRY_AFTER].
    ``now`` is a Unix time (default: the current time), for dates.
    """
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        seconds = MAX_RETRY_AFTER if len(text) > 9 else float(int(text))
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        try:
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (OverflowError, OSError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    for _ in range(10):  # causes and contexts, bounded
        if current is None or id(current) in seen:
            return
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _describe_connect_error(exc: BaseException, url: str) -> str:
    host = httpx.URL(url).host if url else ""
    for inner in _exception_chain(exc):
        if isinstance(inner, ssl.SSLCertVerificationError):
            reason = inner.verify_message or inner.reason or str(inner)
            return f"TLS certificate not accepted: {_one_line(str(reason), 150)}"
        if isinstance(inner, ssl.SSLError):
            return f"TLS error: {_one_line(inner.reason or str(inner), 150)}"
        if isinstance(inner, socket.gaierror):
            return f"cannot resolve host {_one_line(host, 100)!r}"
        if isinstance(inner, ConnectionRefusedError):
            return "connection refused"
    text = _one_line(str(exc), 150)
    if "refused" in text.lower() or "all connection attempts failed" in text.lower():
        return "connection refused"
    if "ssl" in text.lower() or "tls" in text.lower():
        return f"TLS error: {text}"
    if "name or service not known" in text.lower() or "nodename" in text.lower():
        return f"cannot resolve host {_one_line(host, 100)!r}"
    return f"cannot connect: {text or type(exc).__name__}"


def _describe(exc: BaseException, state: _State, deadline: float) -> str:
    """One line for an exception raised during an exchange."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        if state.in_body:
            return (
                f"response not complete within {_seconds(deadline)} "
                f"(received {state.received} bytes)"
            )
        return f"no response within {_seconds(deadline)}"
    if isinstance(exc, httpx.ConnectError):
        return _describe_connect_error(exc, state.url)
    if isinstance(exc, httpx.ReadError | httpx.RemoteProtocolError | httpx.WriteError):
        if state.in_body:
            got = f"received {state.received}"
            got += f" of {state.expected} bytes" if state.expected is not None else " bytes"
            text = str(exc).lower()
            how = "reset" if "reset" in text or isinstance(exc, httpx.ReadError) else "closed"
            if how == "closed" and state.expected is not None:
                return (
                    f"truncated: got {state.received} of {state.expected} bytes "
                    "(connection closed while reading the body)"
                )
            return f"connection {how} while reading the body ({got})"
        if isinstance(exc, httpx.RemoteProtocolError) and "disconnect" not in str(exc).lower():
            return f"invalid HTTP response: {_one_line(str(exc), 150)}"
        return "connection closed before a response"
    if isinstance(exc, httpx.HTTPError):
        return _one_line(f"{type(exc).__name__}: {exc}", 200)
    return _one_line(f"unexpected error: {type(exc).__name__}: {exc}", 200)


# ---------------------------------------------------------------------------
# decoding, in bounded pieces


class _Truncated(Exception):
    """A compressed body that stops before its end."""


_DECODE_ERRORS: tuple[type[Exception], ...] = (zlib.error, _Truncated)
if _BROTLI_FOUND:
    _DECODE_ERRORS += (_BROTLI_FOUND[1],)


class _Decoder(Protocol):
    name: str

    def feed(self, data: bytes) -> Iterator[bytes]: ...
    def finish(self) -> Iterator[bytes]: ...


class _Identity:
    name = "identity"

    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip (several members allowed) or deflate (zlib-wrapped or raw, as servers send both).

    Each step inflates at most ``_PIECE`` bytes; the caller stops iterating once
    its cap is passed, so a bomb never inflates further than that.
    """

    def __init__(self, gzip: bool) -> None:
        self.name = "gzip" if gzip else "deflate"
        self._gzip = gzip
        self._obj: Any = None  # zlib.Decompress; None until a stream's first bytes are in
        self._pending = b""
        self._members = 0
        self._done = False

    def _start(self, data: bytes) -> None:
        if self._gzip:
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._done:
            return
        if self._obj is None:
            data = self._pending + data
            self._pending = b""
        # Each round yields a full piece (the caller's cap bounds those), or uses up
        # input, or starts the next gzip member (bounded by the input): this ends.
        while True:
            if self._obj is None:
                if len(data) < 2:
                    self._pending = data
                    return
                if self._members and data[:2] != b"\x1f\x8b":
                    self._done = True  # padding after the last member: ignored, as gzip does
                    return
                self._start(data)
            obj = self._obj
            out = obj.decompress(data, _PIECE)
            if out:
                yield out
            if obj.eof:
                self._members += 1
                self._obj = None
                if not self._gzip:
                    self._done = True
                    return
                data = obj.unused_data
                continue
            data = obj.unconsumed_tail
            if not data and len(out) < _PIECE:
                return  # all input used and no output held back

    def finish(self) -> Iterator[bytes]:
        # feed() leaves no unconsumed input, so this is at most a little held-back output.
        if self._obj is not None and not self._obj.eof:
            tail = self._obj.flush()
            if tail:
                yield tail
            raise _Truncated("the compressed data ends early")


class _Brotli:
    name = "br"

    def __init__(self, factory: Callable[[], _BrotliDecompressor]) -> None:
        self._obj = factory()
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        obj = self._obj
        self._started = self._started or bool(data)
        out = obj.process(data, output_buffer_limit=_PIECE)
        if out:
            yield out
        # A full piece may mean more output is held back (brotli 1.2 can say it
        # "can accept more data" then too): drain it, a piece at a time. Every
        # round yields a piece, so the caller's cap bounds this.
        while (len(out) >= _PIECE or not obj.can_accept_more_data()) and not obj.is_finished():
            out = obj.process(b"", output_buffer_limit=_PIECE)
            if not out:
                return
            yield out

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._obj.is_finished():
            raise _Truncated("the compressed data ends early")
        return iter(())


class _Chain:
    """Several encodings: the last one applied is undone first."""

    def __init__(self, decoders: list[_Decoder]) -> None:
        self._decoders = decoders
        self.name = ", ".join(d.name for d in reversed(decoders))

    def _through(self, pieces: Iterable[bytes], index: int) -> Iterator[bytes]:
        if index == len(self._decoders):
            yield from pieces
            return
        decoder = self._decoders[index]
        for piece in pieces:
            yield from self._through(decoder.feed(piece), index + 1)

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through([data], 0)

    def finish(self) -> Iterator[bytes]:
        for index, decoder in enumerate(self._decoders):
            yield from self._through(decoder.finish(), index + 1)


def _make_decoder(content_encoding: str | None) -> _Decoder:
    """A decoder for a Content-Encoding value. Unknown codings pass through (as httpx does)."""
    if not content_encoding:
        return _Identity()
    names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
    decoders: list[_Decoder] = []
    for name in names:
        if name in ("gzip", "x-gzip"):
            decoders.append(_Zlib(gzip=True))
        elif name == "deflate":
            decoders.append(_Zlib(gzip=False))
        elif name == "br":
            if _BROTLI is None:
                raise _Failure("brotli-compressed response, but no brotli decoder is installed")
            decoders.append(_Brotli(_BROTLI))
    if len(decoders) > _MAX_ENCODINGS:
        raise _Failure(f"too many content encodings: {_one_line(content_encoding, 80)}")
    if not decoders:
        return _Identity()
    if len(decoders) == 1:
        return decoders[0]
    decoders.reverse()
    return _Chain(decoders)


# ---------------------------------------------------------------------------
# the fetcher

_LOCATION = "briefreader.location"


async def _drain(response: httpx.Response) -> None:
    """Read a small unwanted body (304, redirect, error page) so that the connection
    goes back to the pool instead of being closed; give up on anything big or slow."""
    if response.status_code not in (204, 304):
        length = response.headers.get("content-length", "").strip()
        if not (length.isascii() and length.isdigit() and int(length) <= _DRAIN_MAX):
            return
    read = 0
    try:
        async with asyncio.timeout(_DRAIN_TIME):
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read > _DRAIN_MAX:
                    return
    except (TimeoutError, httpx.HTTPError):
        return


async def _hold_location(response: httpx.Response) -> None:
    """Move a redirect's Location aside, before httpx sees it.

    httpx builds the next request of a redirect even when not following it, and
    raises on a Location it cannot parse ("data:…", "javascript:…"); redirects
    are followed here, so the Location is kept in the response's extensions.
    """
    if response.status_code in _REDIRECTS and "location" in response.headers:
        response.extensions[_LOCATION] = response.headers["location"]
        del response.headers["location"]


class Fetcher:
    """Fetches many URLs over one shared ``httpx.AsyncClient``; use ``async with``.

    - ``concurrency``: requests in flight at once (default 16).
    - ``per_host``: optional cap on requests in flight to one host (politeness).
    - ``deadline``: seconds for a whole exchange — every hop, headers and body.
    - ``max_bytes``: cap on the decoded body; ``max_raw_bytes`` on the bytes on the
      wire (default: the same as ``max_bytes``).
    - ``accept``: the Accept header (``FEED_ACCEPT``; ``PAGE_ACCEPT`` for pages).
    - ``transport``: an httpx transport to use instead of the network (tests).
    - ``trust_env``: honour proxy settings from the environment (httpx's default).
    """

    def __init__(
        self,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        per_host: int | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_raw_bytes: int | None = None,
        max_redirects: int = MAX_REDIRECTS,
        accept: str = FEED_ACCEPT,
        user_agent: str = USER_AGENT,
        transport: httpx.AsyncBaseTransport | None = None,
        trust_env: bool = True,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if per_host is not None and per_host < 1:
            raise ValueError("per_host must be at least 1 (or None for no limit)")
        if deadline <= 0 or max_bytes < 1 or max_redirects < 0:
            raise ValueError("deadline and max_bytes must be positive, max_redirects >= 0")
        self.concurrency = concurrency
        self.per_host = per_host
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_raw_bytes = max_bytes if max_raw_bytes is None else max_raw_bytes
        self.max_redirects = max_redirects
        self._headers = {
            "User-Agent": user_agent,
            "Accept": accept,
            "Accept-Encoding": _ACCEPT_ENCODING,
        }
        self._transport = transport
        self._trust_env = trust_env
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(concurrency)
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Self:
        # httpx's own timeouts are a backstop only: the deadline below is the rule.
        backstop = self.deadline + 5.0
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(backstop),
            limits=httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            ),
            headers=self._headers,
            transport=self._transport,
            trust_env=self._trust_env,
            event_hooks={"response": [_hold_location]},
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # -- one request -------------------------------------------------------

    async def fetch(self, request: FetchRequest | str) -> FetchResult:
        """Fetch one URL; never raises for a problem with that URL (see ``error``)."""
        req = FetchRequest(request) if isinstance(request, str) else request
        if self._client is None:
            raise RuntimeError("Fetcher is not open: use 'async with Fetcher() as fetcher'")
        try:
            url = _check_url(req.url)
        except _Failure as exc:
            return FetchResult(url=req.url, final_url=req.url, error=str(exc))
        if self.per_host is None:
            async with self._slots:
                return await self._fetch_now(req, url)
        host_slots = self._host_slots.get(url.host)
        if host_slots is None:
            host_slots = self._host_slots[url.host] = asyncio.Semaphore(self.per_host)
        # The host first, then a global slot: a busy host never holds global slots idle.
        async with host_slots, self._slots:
            return await self._fetch_now(req, url)

    async def _fetch_now(self, req: FetchRequest, url: httpx.URL) -> FetchResult:
        start = time.perf_counter()
        state = _State(url=str(url))
        try:
            async with asyncio.timeout(self.deadline):
                result = await self._exchange(req, url, state)
        except _Failure as exc:
            result = self._failed(req, state, str(exc))
        except Exception as exc:  # every per-request problem becomes a result
            result = self._failed(req, state, _describe(exc, state, self.deadline))
        return replace(result, elapsed=time.perf_counter() - start)

    def _failed(self, req: FetchRequest, state: _State, error: str) -> FetchResult:
        return FetchResult(
            url=req.url,
            final_url=state.url,
            status=state.status,
            headers=state.headers,
            redirects=tuple(state.redirects),
            error=error,
        )

    async def _exchange(self, req: FetchRequest, url: httpx.URL, state: _State) -> FetchResult:
        client = self._client
        assert client is not None
        headers: dict[str, str] = {}
        etag = _validator(req.etag)
        last_modified = _validator(req.last_modified)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url.copy_with(fragment=None)}
        permanent = True
        for _hop in range(self.max_redirects + 1):
            state.url = str(url)
            state.in_body = False
            async with client.stream("GET", url, headers=headers) as response:
                state.status = response.status_code
                state.headers = response.headers
                if response.status_code not in _REDIRECTS:
                    return await self._answer(req, response, state, permanent)
                target = self._redirect_target(response, url)
                permanent = permanent and response.status_code in _PERMANENT
                await _drain(response)
            if len(state.redirects) >= self.max_redirects:
                raise _Failure(f"too many redirects (more than {self.max_redirects})")
            key = target.copy_with(fragment=None)
            if key in seen:
                raise _Failure(f"redirect loop at {_short_url(str(target))}")
            seen.add(key)
            state.redirects.append(str(target))
            url = target
        raise _Failure(f"too many redirects (more than {self.max_redirects})")

    def _redirect_target(self, response: httpx.Response, url: httpx.URL) -> httpx.URL:
        location = str(response.extensions.get(_LOCATION, "")).strip()
        status = _status_text(response.status_code, response.reason_phrase)
        if not location:
            raise _Failure(f"{status} without a Location")
        try:
            target = url.join(location)
        except (httpx.InvalidURL, ValueError, TypeError):
            raise _Failure(f"{status} to an invalid URL {_short_url(location)!r}") from None
        if target.scheme not in ("http", "https"):
            raise _Failure(f"redirect to a non-http(s) URL refused: {_short_url(location)}")
        if not target.host:
            raise _Failure(f"{status} to an invalid URL {_short_url(location)!r}")
        return target

    async def _answer(
        self, req: FetchRequest, response: httpx.Response, state: _State, permanent: bool
    ) -> FetchResult:
        status = response.status_code
        headers = response.headers
        content_type, charset = _parse_content_type(headers.get("content-type"))
        result = FetchResult(
            url=req.url,
            final_url=state.url,
            status=status,
            content_type=content_type,
            charset=charset,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            headers=headers,
            redirects=tuple(state.redirects),
        )
        moved = state.url if state.redirects and permanent else None
        if not 200 <= status < 300:
            await _drain(response)
        if status == 304:
            return replace(
                result,
                not_modified=True,
                etag=result.etag or req.etag,
                last_modified=result.last_modified or req.last_modified,
                permanent_url=moved,
            )
        if 200 <= status < 300:
            body = await self._read_body(response, state)
            return replace(result, body=body, permanent_url=moved)
        error = _status_text(status, response.reason_phrase)
        if status == 410:
            return replace(result, gone=True, error=error)
        if status in (429, 503):
            retry_after = parse_retry_after(headers.get("retry-after"))
            if retry_after is not None:
                error += f" (retry after {retry_after:.0f} s)"
            return replace(result, retry_after=retry_after, error=error)
        return replace(result, error=error)

    async def _read_body(self, response: httpx.Response, state: _State) -> bytes:
        length = response.headers.get("content-length", "").strip()
        if length.isascii() and length.isdigit() and response.status_code not in (204, 205):
            state.expected = int(length)
            if state.expected > self.max_raw_bytes:
                raise _Failure(
                    f"response too large: {state.expected} bytes "
                    f"(the limit is {_size(self.max_raw_bytes)})"
                )
        decoder = _make_decoder(response.headers.get("content-encoding"))
        max_raw, max_bytes = self.max_raw_bytes, self.max_bytes
        chunks: list[bytes] = []
        total = 0
        state.in_body = True
        try:
            async for data in response.aiter_raw():
                state.received += len(data)
                if state.received > max_raw:
                    raise _Failure(f"response too large: more than {_size(max_raw)}")
                for piece in decoder.feed(data):
                    total += len(piece)
                    if total > max_bytes:
                        raise _Failure(self._too_large_decoded(decoder))
                    chunks.append(piece)
            for piece in decoder.finish():
                total += len(piece)
                if total > max_bytes:
                    raise _Failure(self._too_large_decoded(decoder))
                chunks.append(piece)
        except _DECODE_ERRORS as exc:
            raise _Failure(
                f"could not decode the {decoder.name} body: {_one_line(str(exc), 120)}"
            ) from None
        if state.expected is not None and state.received < state.expected:
            # (the HTTP layer normally says so first; a body cut short is never a feed)
            raise _Failure(f"truncated: got {state.received} of {state.expected} bytes")
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _too_large_decoded(self, decoder: _Decoder) -> str:
        where = f" after decoding ({decoder.name})" if decoder.name != "identity" else ""
        return f"response too large: more than {_size(self.max_bytes)}{where}"

    # -- many requests -----------------------------------------------------

    async def _run(
        self, requests: list[FetchRequest]
    ) -> AsyncGenerator[tuple[int, FetchResult], None]:
        done: asyncio.Queue[tuple[int, FetchResult]] = asyncio.Queue()

        async def one(index: int, req: FetchRequest) -> None:
            try:
                result = await self.fetch(req)
            except Exception as exc:  # a bug here must not leave the consumer waiting
                error = _describe(exc, _State(req.url), self.deadline)
                result = FetchResult(url=req.url, final_url=req.url, error=error)
            done.put_nowait((index, result))

        tasks = [asyncio.create_task(one(i, req)) for i, req in enumerate(requests)]
        try:
            for _ in range(len(tasks)):
                yield await done.get()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def iter_fetch(
        self, requests: Iterable[FetchRequest | str]
    ) -> AsyncGenerator[FetchResult, None]:
        """Fetch all, yielding each result as it completes.

        To stop early, close the iterator (``async with contextlib.aclosing(...)``):
        that cancels the fetches still running (otherwise that happens only when
        the iterator is garbage-collected).
        """
        reqs = [FetchRequest(r) if isinstance(r, str) else r for r in requests]
        async with contextlib.aclosing(self._run(reqs)) as results:
            async for _index, result in results:
                yield result

    async def fetch_many(
        self, requests: Iterable[FetchRequest | str], *, on_result: OnResult | None = None
    ) -> list[FetchResult]:
        """Fetch all; return the results in the order of ``requests``.

        ``on_result`` (plain or async) is called with each result as it completes,
        so a UI can update as feeds arrive. An exception it raises cancels the
        remaining fetches and propagates.
        """
        reqs = [FetchRequest(r) if isinstance(r, str) else r for r in requests]
        results: list[FetchResult | None] = [None] * len(reqs)
        async with contextlib.aclosing(self._run(reqs)) as completed:
            async for index, result in completed:
                results[index] = result
                if on_result is not None:
                    outcome = on_result(result)
                    if inspect.isawaitable(outcome):
                        await outcome
        return [r for r in results if r is not None]


async def fetch_one(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    accept: str = FEED_ACCEPT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FetchResult:
    """Fetch a single URL with its own short-lived client (autodiscovery, full text)."""
    async with Fetcher(
        concurrency=1, deadline=deadline, max_bytes=max_bytes, accept=accept, transport=transport
    ) as fetcher:
        return await fetcher.fetch(FetchRequest(url, etag=etag, last_modified=last_modified))
