"""A refresh decodes each feed's body in its parse, not in the fetching process
(``Fetcher(decode=False)`` and :func:`~briefreader.fetch.body.decode_body`): the same
bytes, the same caps in bounded memory and the same messages as the fetcher's own
decoding, against a real server on 127.0.0.1."""

from __future__ import annotations

import gzip
import os
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from fetchserver import FetchServer, compress, gzip_bomb
from fetchserver import fetch_server as fetch_server
from test_refresh import lib as lib  # the fixture
from test_refresh import rss

from briefreader.fetch import BROTLI_AVAILABLE, Fetcher, FetchResult
from briefreader.fetch.body import decode_body
from briefreader.fetch.client import DECODE_LATER_UP_TO
from briefreader.fetch.errors import Failure
from briefreader.refresh import refresh_feeds
from briefreader.store import Library

CAP = 100_000
BODY = (
    b"<rss><channel><title>t</title>"
    + b"<item><title>x</title></item>" * 5_000
    + b"</channel></rss>"
)


def encodings() -> Iterator[str]:
    yield from ("gzip", "deflate", "raw-deflate")
    if BROTLI_AVAILABLE:
        yield "br"


async def both_ways(url: str) -> tuple[FetchResult, bytes | str, FetchResult]:
    """The fetcher's decoded result, the body decoded later (or its error), and the
    raw result."""
    async with Fetcher(max_bytes=CAP) as fetcher:
        decoded = await fetcher.fetch(url)
    async with Fetcher(max_bytes=CAP, decode=False) as fetcher:
        raw = await fetcher.fetch(url)
    if raw.error is not None:
        return decoded, raw.error, raw
    try:
        later: bytes | str = decode_body(raw.body, raw.encoding, max_bytes=CAP)
    except Failure as exc:
        later = str(exc)
    return decoded, later, raw


@pytest.mark.parametrize("encoding", list(encodings()))
async def test_decoding_later_gives_the_same_body(fetch_server: FetchServer, encoding: str) -> None:
    small = BODY[:60_000]
    fetch_server.add("/f", small, encoding=encoding, content_type="application/rss+xml")
    decoded, later, raw = await both_ways(fetch_server.url("/f"))
    assert decoded.ok and decoded.body == small and later == small
    assert raw.body == compress(small, encoding) and raw.body != small
    assert raw.encoding == ("deflate" if encoding == "raw-deflate" else encoding)
    assert decoded.encoding == ""


async def test_decoding_later_fails_as_the_fetcher_would(fetch_server: FetchServer) -> None:
    """Over the decoded cap, corrupt, cut short, unknown or identity: the same answer."""
    whole = gzip.compress(BODY, mtime=0)
    fetch_server.add("/big", BODY, encoding="gzip")  # ~145 KB decoded: past the cap
    fetch_server.add("/corrupt", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    fetch_server.add("/cut", whole[:-40], headers={"Content-Encoding": "gzip"})
    fetch_server.add("/unknown", b"<rss/>", headers={"Content-Encoding": "utf-8"})
    fetch_server.add("/plain", BODY[:50_000])
    fetch_server.add("/plain-big", BODY)
    fetch_server.add("/chain", gzip.compress(compress(b"<rss/>" * 9, "deflate"), mtime=0),
                     headers={"Content-Encoding": "deflate, gzip"})  # fmt: skip
    for path in ("/big", "/corrupt", "/cut", "/unknown", "/plain", "/plain-big", "/chain"):
        decoded, later, _raw = await both_ways(fetch_server.url(path))
        assert later == (decoded.body if decoded.ok else decoded.error), path
    decoded, later, _ = await both_ways(fetch_server.url("/big"))
    assert later == f"response too large: more than {CAP} bytes after decoding (gzip)"
    _, later, _ = await both_ways(fetch_server.url("/corrupt"))
    assert isinstance(later, str) and later.startswith("could not decode the gzip body")


async def test_a_big_body_is_decoded_while_it_streams_as_before(fetch_server: FetchServer) -> None:
    """Past DECODE_LATER_UP_TO on the wire a body is decoded as it arrives: one whose
    decoded size passes the cap before its raw size does stops there, with the
    decoding fetcher's message (kept as it came, it met the raw cap first: "more
    than 1.5 MB", a review's finding), and a big one under the caps comes decoded."""
    text = os.urandom(2 * 1024 * 1024).hex().encode()  # 4 MB, ~2.2 MB gzipped
    fetch_server.add("/big", text, encoding="gzip", chunked=True)
    fetch_server.add("/fine", text[: 3 * 1024 * 1024], encoding="gzip", chunked=True)
    cap = 3 * 512 * 1024
    async with Fetcher(decode=False, max_bytes=cap, max_raw_bytes=cap) as fetcher:
        big = await fetcher.fetch(fetch_server.url("/big"))
    assert big.error == "response too large: more than 1.5 MB after decoding (gzip)"
    async with Fetcher(decode=False) as fetcher:
        fine = await fetcher.fetch(fetch_server.url("/fine"))
    assert len(compress(text[: 3 * 1024 * 1024], "gzip")) > DECODE_LATER_UP_TO
    assert fine.ok and fine.encoding == "" and fine.body == text[: 3 * 1024 * 1024]


async def test_a_body_that_is_not_its_encoding_fails_at_once(fetch_server: FetchServer) -> None:
    """Its first bytes are tried as they arrive: a "gzip" body that is not gzip, sent
    slowly, fails at once with the decoding fetcher's message, not at the deadline."""
    body = b"this is not gzip at all" + b"x" * 200
    headers = {"Content-Encoding": "gzip"}
    fetch_server.add_slow_start("/slow", body, headers=headers, at_once=40, limit=5.0)
    started = time.monotonic()
    async with Fetcher(decode=False, deadline=5.0) as fetcher:
        result = await fetcher.fetch(fetch_server.url("/slow"))
    assert result.error is not None
    assert result.error.startswith("could not decode the gzip body: "), result.error
    assert time.monotonic() - started < 2.0


def test_a_bomb_decoded_later_stops_at_the_cap_in_bounded_memory() -> None:
    bomb = gzip_bomb(1024 * 1024 * 1024)
    cap = 8 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(Failure) as caught:
            decode_body(bomb, "gzip", max_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value) == "response too large: more than 8 MB after decoding (gzip)"
    assert peak < 4 * cap


async def test_a_refresh_reads_compressed_feeds_and_names_a_bad_one(
    fetch_server: FetchServer, lib: Library
) -> None:
    feed = rss("Harbour", [("Quay reopens", "q1"), ("Ferry returns", "q2")])
    fetch_server.add("/gzip.xml", feed, encoding="gzip", content_type="application/rss+xml")
    fetch_server.add("/br.xml", feed.replace(b"q1", b"b1").replace(b"q2", b"b2"),
                     encoding="br" if BROTLI_AVAILABLE else "deflate",
                     content_type="application/rss+xml")  # fmt: skip
    fetch_server.add("/corrupt.xml", b"not gzip", headers={"Content-Encoding": "gzip"})
    fetch_server.add_gzip_bomb("/bomb.xml", size=256 * 1024 * 1024)
    # A document that stops midway, whole as gzip: the message counts decoded bytes.
    half = feed[: len(feed) // 2]
    fetch_server.add("/half.xml", half, encoding="gzip", content_type="application/rss+xml")
    for name in ("gzip", "br", "corrupt", "bomb", "half"):
        lib.add_feed(fetch_server.url(f"/{name}.xml"))
    report = await refresh_feeds(lib, deadline=5.0)
    by_name = {o.url.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert by_name["gzip.xml"].status == "new" and by_name["gzip.xml"].added == 2
    assert by_name["br.xml"].status == "new" and by_name["br.xml"].added == 2
    assert {a.title for a in lib.articles()} == {"Quay reopens", "Ferry returns"}
    corrupt = by_name["corrupt.xml"]
    assert corrupt.status == "failed" and corrupt.error is not None
    assert corrupt.error.startswith("could not decode the gzip body")
    bomb = by_name["bomb.xml"]
    assert bomb.status == "failed"
    assert bomb.error is not None and bomb.error.startswith("response too large: more than ")
    assert bomb.error.endswith(" after decoding (gzip)")
    cut = by_name["half.xml"]
    assert cut.status == "failed" and cut.error is not None
    assert f"stops mid-document after {len(half)} bytes" in cut.error
    assert {f.url.rsplit("/", 1)[-1]: f.last_error for f in lib.feeds()}[
        "corrupt.xml"
    ] == corrupt.error
