"""httpcore's own network backend (anyio), with a cheap answer to "is it readable?".

Before every request it places, httpcore's connection pool asks each idle
connection whether its socket is readable (a server that closed it): the anyio
backend answers by asking anyio for the raw socket, and anyio builds a dict of
every attribute the stream has (a dozen closures) to find it — at 16 connections
and 500 feeds, ~30,000 times, a fifth of a refresh's fetching CPU.  Here the raw
socket is asked for once, when the connection is made, and kept: the same socket
object anyio would give each time (TLS wraps the stream, not the socket), asked
the same way (:func:`httpcore._utils.is_socket_readable` semantics: a poll with no
wait; a socket closed since answers readable).  Everything else is the anyio
backend's own.
"""

from __future__ import annotations

import select
import ssl
import typing
from collections.abc import Iterable

import httpcore

__all__ = ["QuickReadableBackend", "quick_readable"]


def _readable(sock: typing.Any) -> bool:
    """httpcore's ``is_socket_readable``: a closed (or lost) socket counts as readable,
    as its next read would return the end."""
    fd = None if sock is None else sock.fileno()
    if fd is None or fd < 0:
        return True
    if getattr(select, "poll", None) is None:  # pragma: no cover - not on Linux
        ready, _, _ = select.select([fd], [], [], 0)
        return bool(ready)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """An anyio stream whose raw socket is looked up once."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._sock = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":
            return _readable(self._sock)
        return self._inner.get_extra_info(info)


class QuickReadableBackend(httpcore.AsyncNetworkBackend):
    """:class:`httpcore.AnyIOBackend`, its streams answering ``is_readable`` cheaply."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(
            await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:  # pragma: no cover - feeds are fetched over TCP
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def quick_readable(transport: object) -> bool:
    """Give an httpx transport's connection pool :class:`QuickReadableBackend`, if it
    is httpcore's plain pool with the automatic backend (a proxy's pool, or a
    transport of a test, is left alone); whether it did."""
    pool = getattr(transport, "_pool", None)
    if type(pool) is not httpcore.AsyncConnectionPool:
        return False
    backend = type(getattr(pool, "_network_backend", None)).__name__
    if backend not in ("AutoBackend", "AnyIOBackend"):  # (Auto picks anyio under asyncio)
        return False
    pool._network_backend = QuickReadableBackend()
    return True
