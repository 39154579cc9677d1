"""The fetch layer's network backend (fetch/backend.py): httpcore's anyio backend
with the raw socket looked up once, answering "is it readable?" as anyio's does —
on real sockets to a server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path

import certifi
import httpcore
import httpx
import pytest
from fetchserver import FetchServer

from briefreader.fetch import Fetcher
from briefreader.fetch.backend import QuickReadableBackend, quick_readable
from briefreader.fetch.client import open_client


async def _answers(server: FetchServer) -> list[tuple[bool, bool]]:
    """(quick, anyio) answers to is_readable on two connections to the server: idle,
    then after the server closed them."""
    quick = await QuickReadableBackend().connect_tcp("127.0.0.1", server.port)
    plain = await httpcore.AnyIOBackend().connect_tcp("127.0.0.1", server.port)
    try:
        seen = [(quick.get_extra_info("is_readable"), plain.get_extra_info("is_readable"))]
        for stream in (quick, plain):
            await stream.write(b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        for _ in range(100):  # (the answer, then the end: readable until read)
            await asyncio.sleep(0.02)
            now = (quick.get_extra_info("is_readable"), plain.get_extra_info("is_readable"))
            if all(now):
                break
        seen.append(now)
        for stream in (quick, plain):
            while await stream.read(65536):
                pass
        seen.append((quick.get_extra_info("is_readable"), plain.get_extra_info("is_readable")))
        await quick.aclose()
        await plain.aclose()
        seen.append((quick.get_extra_info("is_readable"), plain.get_extra_info("is_readable")))
        return seen
    finally:
        await quick.aclose()
        await plain.aclose()


def test_readable_answers_as_anyio_does() -> None:
    with FetchServer() as server:
        server.add("/a", b"hello")
        seen = asyncio.run(_answers(server))
    assert seen[0] == (False, False)  # idle: nothing to read
    assert seen[1] == (True, True)  # an answer and the server's close
    assert seen[2] == (True, True)  # read to the end: the next read is the end
    assert seen[3] == (True, True)  # closed here: counted readable, as httpcore does


def test_the_fetcher_pool_uses_it_and_reuses_connections() -> None:
    async def run(server: FetchServer) -> list[int | None]:
        client = open_client(deadline=5.0, headers={}, transport=None, trust_env=False)
        try:
            pool = client._transport._pool  # type: ignore[attr-defined]
            assert isinstance(pool._network_backend, QuickReadableBackend)
        finally:
            await client.aclose()
        async with Fetcher(concurrency=2) as fetcher:
            results = [await fetcher.fetch(server.url(f"/f{i % 3}")) for i in range(12)]
        return [r.status for r in results]

    with FetchServer() as server:
        for i in range(3):
            server.add(f"/f{i}", b"<rss/>" * 100, content_type="application/rss+xml")
        statuses = asyncio.run(run(server))
        assert statuses == [200] * 12
        assert server.connections_opened <= 2  # idle connections were kept and reused


def test_a_connection_the_server_closed_is_replaced() -> None:
    """A kept connection the server has closed since is seen closed (readable) and
    a new one made: no request fails for it."""

    async def run(server: FetchServer) -> list[int | None]:
        async with Fetcher(concurrency=1) as fetcher:
            first = await fetcher.fetch(server.url("/a"))
            with server._lock:  # the server closes the kept connection
                for conn in list(server._connections):
                    conn.shutdown(socket.SHUT_RDWR)
            await asyncio.sleep(0.05)
            second = await fetcher.fetch(server.url("/a"))
        return [first.status, second.status]

    with FetchServer() as server:
        server.add("/a", b"<rss/>", content_type="application/rss+xml")
        assert asyncio.run(run(server)) == [200, 200]
        assert server.connections_opened == 2


def test_only_httpcores_plain_pool_is_changed() -> None:
    assert not quick_readable(httpx.MockTransport(lambda r: httpx.Response(200)))
    assert not quick_readable(None)
    transport = httpx.AsyncHTTPTransport()
    assert quick_readable(transport)
    assert not quick_readable(transport)  # (already ours)


def test_clients_share_one_tls_context_made_as_httpx_would(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Loading the certificates is made once a process, not once a client (a
    refresh, a feed added, a sync); SSL_CERT_FILE still counts with trust_env."""

    def context(trust_env: bool) -> ssl.SSLContext:
        async def made() -> ssl.SSLContext:
            client = open_client(deadline=5, headers={}, transport=None, trust_env=trust_env)
            try:
                return client._transport._pool._ssl_context  # type: ignore[attr-defined,no-any-return]
            finally:
                await client.aclose()

        return asyncio.run(made())

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first = context(True)
    assert context(True) is first
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    assert len(first.get_ca_certs()) == len(httpx.create_ssl_context().get_ca_certs()) > 10
    # Another certificate file: its own context with trust_env, ignored without.
    own = tmp_path / "ca.pem"
    own.write_text(Path(certifi.where()).read_text()[:200_000].rsplit("-----BEGIN", 1)[0])
    monkeypatch.setenv("SSL_CERT_FILE", str(own))
    assert context(False) is context(False) is not first
    from_env = context(True)
    assert from_env is not first and from_env is context(True)
    assert 0 < len(from_env.get_ca_certs()) < len(first.get_ca_certs())
