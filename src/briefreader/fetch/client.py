"""The fetcher: one shared client, concurrency and per-host slots, the deadline,
redirects followed by hand, conditional GET and the capped, streamed body."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import os
import ssl
import time
from collections.abc import AsyncGenerator, Iterable, Mapping
from dataclasses import replace
from types import TracebackType
from typing import Self

import httpx

from briefreader.fetch.backend import quick_readable
from briefreader.fetch.body import read_body_or_later
from briefreader.fetch.decode import ACCEPT_ENCODING
from briefreader.fetch.errors import ExchangeState, Failure, describe, short_url, status_text
from briefreader.fetch.results import (
    DEFAULT_CONCURRENCY,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    FEED_ACCEPT,
    MAX_REDIRECTS,
    USER_AGENT,
    FetchRequest,
    FetchResult,
    OnResult,
)
from briefreader.fetch.urls import (
    PERMANENT,
    REDIRECTS,
    check_url,
    hold_location,
    parse_content_type,
    parse_retry_after,
    redirect_target,
    validator,
)

__all__ = ["Fetcher", "fetch_one"]

_DRAIN_MAX = 64 * 1024  # an unwanted body up to this size is read, to keep the connection
_DRAIN_TIME = 1.0  # … if it arrives within this many seconds


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


#: The most bytes on the wire of a body a ``Fetcher(decode=False)`` hands on as it
#: came (a feed is rarely more than a few hundred KB gzipped); a bigger one it decodes
#: while it streams, its decoded cap checked as it arrives.
DECODE_LATER_UP_TO = 1024 * 1024

#: httpx's own default pool (100 connections, 20 kept alive), for a client that
#: makes one request at a time.
HTTPX_POOL = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def tls_context(trust_env: bool) -> ssl.SSLContext:
    """The TLS settings httpx would make for a client (certifi's certificates, or
    ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` with ``trust_env``), made once a process:
    loading the certificates costs ~25 ms of CPU, which every refresh, feed added and
    sync paid again.  A context is read, never changed, by the connections using it."""
    env = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")) if trust_env else None
    return _tls_context(trust_env, env)


@functools.cache
def _tls_context(trust_env: bool, env: tuple[str | None, str | None] | None) -> ssl.SSLContext:
    return httpx.create_ssl_context(trust_env=trust_env)


def open_client(
    *,
    deadline: float,
    headers: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None,
    trust_env: bool,
    limits: httpx.Limits | None = None,
) -> httpx.AsyncClient:
    """The one way this package makes an httpx client: redirects followed by hand
    (each Location held back for checking, :func:`hold_location`), and httpx's own
    timeout only a backstop 5 s past ``deadline``, which is the rule."""
    client = httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(deadline + 5.0),
        limits=limits if limits is not None else HTTPX_POOL,
        headers=dict(headers),
        transport=transport,
        trust_env=trust_env,
        verify=tls_context(trust_env),
        event_hooks={"response": [hold_location]},
    )
    if transport is None:  # (the pool asks its idle sockets cheaply: fetch/backend.py)
        quick_readable(getattr(client, "_transport", None))
    return client


class ClientOwner:
    """Something that opens an httpx client on entering ``async with`` and closes it
    on leaving (the fetcher, the Google Reader client)."""

    _client: httpx.AsyncClient | None = None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


class Fetcher(ClientOwner):
    """Fetches many URLs over one shared ``httpx.AsyncClient``; use ``async with``.

    - ``concurrency``: requests in flight at once (default 16).
    - ``per_host``: optional cap on requests in flight to one host (politeness).
    - ``deadline``: seconds for a whole exchange — every hop, headers and body.
    - ``max_bytes``: cap on the decoded body; ``max_raw_bytes`` on the bytes on the
      wire (default: the same as ``max_bytes``).
    - ``accept``: the Accept header (``FEED_ACCEPT``; ``PAGE_ACCEPT`` for pages).
    - ``transport``: an httpx transport to use instead of the network (tests).
    - ``trust_env``: honour proxy settings from the environment (httpx's default).
    - ``decode``: False leaves each body of at most :data:`DECODE_LATER_UP_TO` bytes
      on the wire as it came, its Content-Encoding in the result's ``encoding``, for
      the caller to decode where it likes (:func:`~briefreader.fetch.body.decode_body`,
      with ``max_bytes``): the refresh does it in its parser processes.  A bigger body
      is decoded while it streams, as always (``encoding`` "").
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
        decode: bool = True,
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
        self.decode = decode
        self._headers = {
            "User-Agent": user_agent,
            "Accept": accept,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        self._transport = transport
        self._trust_env = trust_env
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(concurrency)
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Self:
        self._client = open_client(
            deadline=self.deadline,
            headers=self._headers,
            transport=self._transport,
            trust_env=self._trust_env,
            limits=httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            ),
        )
        return self

    # -- one request -------------------------------------------------------

    async def fetch(self, request: FetchRequest | str) -> FetchResult:
        """Fetch one URL; never raises for a problem with that URL (see ``error``)."""
        req = FetchRequest(request) if isinstance(request, str) else request
        if self._client is None:
            raise RuntimeError("Fetcher is not open: use 'async with Fetcher() as fetcher'")
        try:
            url = check_url(req.url)
        except Failure as exc:
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
        state = ExchangeState(url=str(url))
        try:
            async with asyncio.timeout(self.deadline):
                result = await self._exchange(req, url, state)
        except Failure as exc:
            result = self._failed(req, state, str(exc))
        except Exception as exc:  # every per-request problem becomes a result
            result = self._failed(req, state, describe(exc, state, self.deadline))
        return replace(result, elapsed=time.perf_counter() - start)

    def _failed(self, req: FetchRequest, state: ExchangeState, error: str) -> FetchResult:
        return FetchResult(
            url=req.url,
            final_url=state.url,
            status=state.status,
            headers=state.headers,
            redirects=tuple(state.redirects),
            error=error,
        )

    async def _exchange(
        self, req: FetchRequest, url: httpx.URL, state: ExchangeState
    ) -> FetchResult:
        client = self._client
        assert client is not None
        headers: dict[str, str] = {}
        etag = validator(req.etag)
        last_modified = validator(req.last_modified)
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
                if response.status_code not in REDIRECTS:
                    return await self._answer(req, response, state, permanent)
                target = redirect_target(response, url)
                permanent = permanent and response.status_code in PERMANENT
                await _drain(response)
            if len(state.redirects) >= self.max_redirects:
                raise Failure(f"too many redirects (more than {self.max_redirects})")
            key = target.copy_with(fragment=None)
            if key in seen:
                raise Failure(f"redirect loop at {short_url(str(target))}")
            seen.add(key)
            state.redirects.append(str(target))
            url = target
        raise Failure(f"too many redirects (more than {self.max_redirects})")

    async def _answer(
        self, req: FetchRequest, response: httpx.Response, state: ExchangeState, permanent: bool
    ) -> FetchResult:
        status = response.status_code
        headers = response.headers
        content_type, charset = parse_content_type(headers.get("content-type"))
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
            body, encoding = await read_body_or_later(
                response,
                state,
                max_raw=self.max_raw_bytes,
                max_bytes=self.max_bytes,
                later_up_to=0 if self.decode else DECODE_LATER_UP_TO,
            )
            return replace(result, body=body, encoding=encoding, permanent_url=moved)
        error = status_text(status, response.reason_phrase)
        if status == 410:
            return replace(result, gone=True, error=error)
        if status in (429, 503):
            retry_after = parse_retry_after(headers.get("retry-after"))
            if retry_after is not None:
                error += f" (retry after {retry_after:.0f} s)"
            return replace(result, retry_after=retry_after, error=error)
        return replace(result, error=error)

    # -- many requests -----------------------------------------------------

    async def _run(
        self, requests: list[FetchRequest]
    ) -> AsyncGenerator[tuple[int, FetchResult], None]:
        done: asyncio.Queue[tuple[int, FetchResult]] = asyncio.Queue()

        async def one(index: int, req: FetchRequest) -> None:
            try:
                result = await self.fetch(req)
            except Exception as exc:  # a bug here must not leave the consumer waiting
                error = describe(exc, ExchangeState(req.url), self.deadline)
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
