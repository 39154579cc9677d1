"""The fetch layer against a real HTTP server on 127.0.0.1: statuses, conditional GET,
decoding, redirects, caps, deadlines, faults and concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import gzip
import itertools
import socket
import time
import tracemalloc
import zlib
from typing import Any

import pytest
from fetchserver import FetchServer, Reply, Request, brotli_bomb, compress, gzip_bomb
from fetchserver import fetch_server as fetch_server  # the fixture
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader import __version__
from briefreader.fetch import (
    BROTLI_AVAILABLE,
    FEED_ACCEPT,
    MAX_RETRY_AFTER,
    PAGE_ACCEPT,
    USER_AGENT,
    Fetcher,
    FetchRequest,
    FetchResult,
    fetch_one,
    parse_retry_after,
)
from briefreader.fetch.decode import make_decoder
from briefreader.fetch.errors import ExchangeState, describe

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
LAST_MODIFIED = "Wed, 25 Nov 2026 10:00:00 GMT"
needs_brotli = pytest.mark.skipif(not BROTLI_AVAILABLE, reason="no brotli decoder installed")


async def fetch(url: str | FetchRequest, **options: Any) -> FetchResult:
    async with Fetcher(**options) as fetcher:
        result = await fetcher.fetch(url)
    if result.error is not None:
        assert "\n" not in result.error and result.error.strip() == result.error
    return result


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# ---------------------------------------------------------------------------
# answers


async def test_200_body_and_headers(fetch_server: FetchServer) -> None:
    fetch_server.add(
        "/feed.xml",
        FEED,
        content_type='application/RSS+xml; charset="ISO-8859-1"',
        headers={"ETag": '"abc"', "Last-Modified": LAST_MODIFIED},
    )
    result = await fetch(fetch_server.url("/feed.xml"))
    assert result.ok and result.error is None
    assert result.status == 200
    assert result.body == FEED
    assert result.content_type == "application/rss+xml"
    assert result.charset == "iso-8859-1"
    assert result.etag == '"abc"'
    assert result.last_modified == LAST_MODIFIED
    assert result.headers["content-type"].startswith("application/RSS+xml")
    assert not result.not_modified and not result.gone
    assert result.permanent_url is None and result.redirects == ()
    assert result.final_url == result.url == fetch_server.url("/feed.xml")
    assert 0 < result.elapsed < 5

    (seen,) = fetch_server.requests
    assert seen.header("user-agent") == USER_AGENT
    expected_agent = f"briefreader/{__version__} (+https://github.com/briefreader/briefreader)"
    assert expected_agent == USER_AGENT
    assert seen.header("accept") == FEED_ACCEPT
    encodings = {e.strip() for e in (seen.header("accept-encoding") or "").split(",")}
    assert {"gzip", "deflate"} <= encodings
    assert ("br" in encodings) == BROTLI_AVAILABLE
    assert seen.header("if-none-match") is None and seen.header("if-modified-since") is None


async def test_304_sends_both_validators_and_costs_no_body(fetch_server: FetchServer) -> None:
    fetch_server.add_conditional("/feed.xml", FEED, etag='"v7"', last_modified=LAST_MODIFIED)
    first = await fetch(fetch_server.url("/feed.xml"))
    assert first.body == FEED and first.etag == '"v7"' and first.last_modified == LAST_MODIFIED

    request = FetchRequest(fetch_server.url("/feed.xml"), first.etag, first.last_modified)
    second = await fetch(request)
    assert second.ok and second.not_modified
    assert second.status == 304 and second.body == b""
    assert second.etag == '"v7"' and second.last_modified == LAST_MODIFIED

    conditional = fetch_server.requests[-1]
    assert conditional.header("if-none-match") == '"v7"'
    assert conditional.header("if-modified-since") == LAST_MODIFIED
    assert fetch_server.hits("/feed.xml") == 2


async def test_304_without_validators_keeps_the_ones_sent(fetch_server: FetchServer) -> None:
    fetch_server.add_handler("/feed", lambda req: Reply(304))
    result = await fetch(FetchRequest(fetch_server.url("/feed"), '"e"', LAST_MODIFIED))
    assert result.not_modified and result.etag == '"e"' and result.last_modified == LAST_MODIFIED


async def test_broken_stored_validators_are_not_sent(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", FEED)
    result = await fetch(FetchRequest(fetch_server.url("/feed"), '"a"\r\nX-Evil: 1', "  "))
    assert result.ok and result.body == FEED
    (seen,) = fetch_server.requests
    assert seen.header("if-none-match") is None and seen.header("x-evil") is None
    assert seen.header("if-modified-since") is None


@pytest.mark.parametrize(
    "encoding",
    ["gzip", "deflate", "raw-deflate", pytest.param("br", marks=needs_brotli)],
)
async def test_compressed_bodies_are_decoded(fetch_server: FetchServer, encoding: str) -> None:
    body = FEED * 500
    fetch_server.add("/feed", body, encoding=encoding, content_type="application/rss+xml")
    result = await fetch(fetch_server.url("/feed"))
    assert result.ok and result.body == body


async def test_chunked_body(fetch_server: FetchServer) -> None:
    body = bytes(range(256)) * 400
    fetch_server.add("/feed", body, chunked=True)
    result = await fetch(fetch_server.url("/feed"))
    assert result.ok and result.body == body


async def test_unknown_content_encoding_passes_through(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", FEED, headers={"Content-Encoding": "utf-8"})
    result = await fetch(fetch_server.url("/feed"))
    assert result.ok and result.body == FEED


async def test_corrupt_gzip_is_an_error(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", b"this is not gzip at all", headers={"Content-Encoding": "gzip"})
    result = await fetch(fetch_server.url("/feed"))
    assert result.error is not None and result.error.startswith("could not decode the gzip body")
    assert result.status == 200 and result.body == b""


@pytest.mark.parametrize(
    "encoding", ["gzip", "deflate", "raw-deflate", pytest.param("br", marks=needs_brotli)]
)
async def test_truncated_compressed_body_is_an_error(
    fetch_server: FetchServer, encoding: str
) -> None:
    cut = compress(bytes(range(256)) * 200, encoding)[:-30]
    header = "deflate" if encoding == "raw-deflate" else encoding
    fetch_server.add("/feed", cut, headers={"Content-Encoding": header})
    result = await fetch(fetch_server.url("/feed"))
    assert result.error == f"could not decode the {header} body: the compressed data ends early"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "HTTP 404 Not Found"),
        (500, "HTTP 500 Internal Server Error"),
        (403, "HTTP 403 Forbidden"),
    ],
)
async def test_error_statuses(fetch_server: FetchServer, status: int, message: str) -> None:
    fetch_server.add("/feed", b"<html>oops</html>", status=status, content_type="text/html")
    result = await fetch(fetch_server.url("/feed"))
    assert result.error == message
    assert result.status == status and result.body == b""
    assert not result.gone and result.retry_after is None


async def test_410_is_gone(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", status=410)
    result = await fetch(fetch_server.url("/feed"))
    assert result.gone and result.status == 410
    assert result.error == "HTTP 410 Gone"


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds(fetch_server: FetchServer, status: int) -> None:
    fetch_server.add("/feed", status=status, headers={"Retry-After": "120"})
    result = await fetch(fetch_server.url("/feed"))
    assert result.status == status and result.retry_after == 120
    assert result.error is not None and result.error.startswith(f"HTTP {status} ")
    assert result.error.endswith("(retry after 120 s)")


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_http_date(fetch_server: FetchServer, status: int) -> None:
    when = email.utils.formatdate(time.time() + 300, usegmt=True)
    fetch_server.add("/feed", status=status, headers={"Retry-After": when})
    result = await fetch(fetch_server.url("/feed"))
    assert result.retry_after is not None and 290 <= result.retry_after <= 301


async def test_retry_after_absent_or_junk(fetch_server: FetchServer) -> None:
    fetch_server.add("/a", status=429)
    fetch_server.add("/b", status=503, headers={"Retry-After": "soon-ish"})
    for path in ("/a", "/b"):
        result = await fetch(fetch_server.url(path))
        assert result.retry_after is None and result.error is not None


def test_parse_retry_after_forms() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after("0") == 0
    assert parse_retry_after(" 90 ") == 90
    assert parse_retry_after("99999999999999999999") == MAX_RETRY_AFTER
    assert parse_retry_after(email.utils.formatdate(now + 60, usegmt=True), now=now) == 60
    assert parse_retry_after(email.utils.formatdate(now - 60, usegmt=True), now=now) == 0
    assert parse_retry_after("-5") is None
    assert parse_retry_after("") is None and parse_retry_after(None) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parse_retry_after_never_raises(value: str) -> None:
    seconds = parse_retry_after(value)
    assert seconds is None or 0 <= seconds <= MAX_RETRY_AFTER


# ---------------------------------------------------------------------------
# faults


async def test_connection_reset_mid_body(fetch_server: FetchServer) -> None:
    fetch_server.add_reset("/feed", content_length=100_000)
    result = await fetch(fetch_server.url("/feed"))
    assert result.error is not None
    assert result.error.startswith("connection reset while reading the body")
    assert "of 100000 bytes" in result.error
    assert result.status == 200 and result.body == b""


async def test_connection_closed_mid_body(fetch_server: FetchServer) -> None:
    fetch_server.add_reset("/feed", abort=False)
    result = await fetch(fetch_server.url("/feed"))
    assert result.error is not None and "while reading the body" in result.error


async def test_connection_closed_before_a_response(fetch_server: FetchServer) -> None:
    fetch_server.add_close("/feed")
    result = await fetch(fetch_server.url("/feed"))
    assert result.error == "connection closed before a response"
    assert result.status is None


# The deadline tests below use a half-second deadline (they wait for it); the wording
# of a whole-second deadline ("1 s", not "1.0 s") is checked on the messages themselves.
DEADLINE = 0.5


def test_deadline_messages_name_the_deadline() -> None:
    state = ExchangeState(url="https://feeds.example/feed")
    assert describe(TimeoutError(), state, 1.0) == "no response within 1 s"
    state.in_body, state.received = True, 12
    assert describe(TimeoutError(), state, 1.0) == (
        "response not complete within 1 s (received 12 bytes)"
    )
    assert describe(TimeoutError(), state, 0.5).startswith("response not complete within 0.5 s (")


async def test_stall_after_headers_is_cut_at_the_deadline(fetch_server: FetchServer) -> None:
    fetch_server.add_stall("/feed")
    result = await fetch(fetch_server.url("/feed"), deadline=DEADLINE)
    assert result.error == "response not complete within 0.5 s (received 0 bytes)"
    assert DEADLINE - 0.1 <= result.elapsed < DEADLINE + 1.0


async def test_stall_before_headers_is_cut_at_the_deadline(fetch_server: FetchServer) -> None:
    fetch_server.add_stall("/feed", before_headers=True)
    result = await fetch(fetch_server.url("/feed"), deadline=DEADLINE)
    assert result.error == "no response within 0.5 s"
    assert DEADLINE - 0.1 <= result.elapsed < DEADLINE + 1.0


async def test_drip_is_cut_at_the_deadline_not_per_read(fetch_server: FetchServer) -> None:
    # 100 bytes, one every 0.1 s: every single read is quick, the whole would take 10 s.
    fetch_server.add_drip("/feed", interval=0.1)
    started = time.monotonic()
    result = await fetch(fetch_server.url("/feed"), deadline=DEADLINE)
    assert result.error is not None
    assert result.error.startswith("response not complete within 0.5 s (received ")
    assert DEADLINE - 0.1 <= result.elapsed < DEADLINE + 1.0
    assert time.monotonic() - started < DEADLINE + 1.5


async def test_deadline_covers_every_redirect_hop(fetch_server: FetchServer) -> None:
    # each hop is well within the deadline, the three together are not
    for i in range(3):
        fetch_server.add(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"}, delay=0.25)
    fetch_server.add("/r3", FEED)
    result = await fetch(fetch_server.url("/r0"), deadline=DEADLINE)
    assert result.error == "no response within 0.5 s"
    assert result.elapsed < DEADLINE + 1.0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "invalid URL: empty"),
        ("not a url", "invalid URL 'not a url': not an absolute http(s) URL"),
        ("ftp://example.com/feed.xml", "unsupported URL scheme 'ftp' (only http and https)"),
        ("file:///etc/passwd", "unsupported URL scheme 'file' (only http and https)"),
        ("http://", "invalid URL 'http://': no host"),
        ("http://exa mple.com/", None),
    ],
)
async def test_invalid_urls(url: str, message: str | None) -> None:
    result = await fetch(url)
    assert result.error is not None
    if message is not None:
        assert result.error == message
    assert result.url == url and result.status is None


async def test_refused_port() -> None:
    result = await fetch(f"http://127.0.0.1:{free_port()}/feed.xml")
    assert result.error == "connection refused"


async def test_tls_error(fetch_server: FetchServer) -> None:
    # TLS spoken to a plain HTTP server: the handshake fails.
    result = await fetch(f"https://127.0.0.1:{fetch_server.port}/feed")
    assert result.error is not None and result.error.startswith("TLS error: ")


# ---------------------------------------------------------------------------
# redirects


async def test_permanent_redirect_chain_reports_the_new_url(fetch_server: FetchServer) -> None:
    fetch_server.add_redirect("/old", "/older-still", 301)
    fetch_server.add_redirect("/older-still", "new/", 308)  # relative to /older-still
    fetch_server.add_redirect("/new/", f"{fetch_server.base_url}/feed.xml", 301)
    fetch_server.add("/feed.xml", FEED)
    result = await fetch(fetch_server.url("/old"))
    assert result.ok and result.body == FEED
    assert result.final_url == fetch_server.url("/feed.xml")
    assert result.permanent_url == fetch_server.url("/feed.xml")
    assert result.redirects == (
        fetch_server.url("/older-still"),
        fetch_server.url("/new/"),
        fetch_server.url("/feed.xml"),
    )


@pytest.mark.parametrize("status", [302, 303, 307])
async def test_temporary_redirect_is_not_permanent(fetch_server: FetchServer, status: int) -> None:
    fetch_server.add_redirect("/feed", "/elsewhere", status)
    fetch_server.add("/elsewhere", FEED)
    result = await fetch(fetch_server.url("/feed"))
    assert result.ok and result.body == FEED
    assert result.final_url == fetch_server.url("/elsewhere")
    assert result.permanent_url is None


async def test_mixed_chain_is_not_permanent(fetch_server: FetchServer) -> None:
    fetch_server.add_redirect("/a", "/b", 301)
    fetch_server.add_redirect("/b", "/c", 302)
    fetch_server.add("/c", FEED)
    result = await fetch(fetch_server.url("/a"))
    assert result.ok and result.permanent_url is None


async def test_permanent_redirect_to_an_error_is_not_reported(fetch_server: FetchServer) -> None:
    fetch_server.add_redirect("/a", "/missing", 301)
    result = await fetch(fetch_server.url("/a"))
    assert result.error == "HTTP 404 Not Found" and result.permanent_url is None


async def test_conditional_headers_follow_redirects(fetch_server: FetchServer) -> None:
    fetch_server.add_redirect("/a", "/feed", 302)
    fetch_server.add_conditional("/feed", FEED, etag='"v1"')
    result = await fetch(FetchRequest(fetch_server.url("/a"), etag='"v1"'))
    assert result.not_modified and result.final_url == fetch_server.url("/feed")


@pytest.mark.parametrize("loop", [["/a"], ["/a", "/b"], ["/a", "/b", "/c"]])
async def test_redirect_loop(fetch_server: FetchServer, loop: list[str]) -> None:
    for here, there in zip(loop, [*loop[1:], loop[0]], strict=True):
        fetch_server.add_redirect(here, there, 302)
    result = await fetch(fetch_server.url("/a"))
    assert result.error == f"redirect loop at {fetch_server.url('/a')}"
    assert fetch_server.hits("/a") == 1


async def test_five_redirects_are_followed_six_are_not(fetch_server: FetchServer) -> None:
    for i in range(7):
        fetch_server.add_redirect(f"/{i}", f"/{i + 1}", 302)
    fetch_server.add("/5", FEED)  # 0 → 1 → … → 5: five hops
    ok = await fetch(fetch_server.url("/0"))
    assert ok.ok and ok.body == FEED and len(ok.redirects) == 5

    fetch_server.add_redirect("/5", "/6", 302)
    fetch_server.add("/6", FEED)  # six hops
    too_many = await fetch(fetch_server.url("/0"))
    assert too_many.error == "too many redirects (more than 5)"
    assert fetch_server.hits("/6") == 0


@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "ftp://127.0.0.1/feed", "data:text/plain,hello", "javascript:alert(1)"],
)
async def test_redirect_to_a_non_http_url_is_refused(
    fetch_server: FetchServer, location: str
) -> None:
    fetch_server.add_redirect("/feed", location, 302)
    result = await fetch(fetch_server.url("/feed"))
    assert result.error is not None
    assert result.error.startswith("redirect to a non-http(s) URL refused: ")
    assert location.split(":")[0] in result.error


async def test_redirect_without_location(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", status=301)
    result = await fetch(fetch_server.url("/feed"))
    assert result.error == "HTTP 301 Moved Permanently without a Location"


# ---------------------------------------------------------------------------
# caps


async def test_oversized_body_with_content_length(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", b"x" * 5000)
    result = await fetch(fetch_server.url("/feed"), max_bytes=1000)
    assert result.error == "response too large: 5000 bytes (the limit is 1000 bytes)"
    assert result.body == b""


async def test_oversized_body_streamed(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", b"x" * 200_000, chunked=True)
    result = await fetch(fetch_server.url("/feed"), max_bytes=64 * 1024)
    assert result.error == "response too large: more than 64 KB"


async def test_decoded_cap_is_separate_from_raw_cap(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", b"<item/>" * 20_000, encoding="gzip")  # 140 KB, ~1 KB gzipped
    result = await fetch(fetch_server.url("/feed"), max_bytes=100_000)
    assert result.error == "response too large: more than 100000 bytes after decoding (gzip)"
    # The same body is fine when the decoded size is under the cap.
    fine = await fetch(fetch_server.url("/feed"), max_bytes=200_000)
    assert fine.ok and len(fine.body) == 140_000


async def test_gzip_bomb_is_stopped_early_in_bounded_memory(fetch_server: FetchServer) -> None:
    bomb = gzip_bomb(1024 * 1024 * 1024)  # 1 GB of zeros in ~1 MB: built before measuring
    assert len(bomb) < 2 * 1024 * 1024
    fetch_server.add_gzip_bomb("/feed", 1024 * 1024 * 1024)
    cap = 8 * 1024 * 1024
    tracemalloc.start()
    try:
        result = await fetch(fetch_server.url("/feed"), max_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "response too large: more than 8 MB after decoding (gzip)"
    assert peak < 4 * cap  # about the cap, nowhere near the gigabyte
    assert result.elapsed < 5


@needs_brotli
async def test_brotli_bomb_is_stopped_early_in_bounded_memory(fetch_server: FetchServer) -> None:
    brotli_bomb(256 * 1024 * 1024)  # built before measuring
    fetch_server.add_brotli_bomb("/feed", 256 * 1024 * 1024)
    cap = 8 * 1024 * 1024
    tracemalloc.start()
    try:
        result = await fetch(fetch_server.url("/feed"), max_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "response too large: more than 8 MB after decoding (br)"
    assert peak < 4 * cap
    assert result.elapsed < 5


def test_gzip_bomb_helper_is_a_valid_gzip_stream() -> None:
    size = 3 * 1024 * 1024 + 12345
    assert gzip.decompress(gzip_bomb(size)) == bytes(size)


# ---------------------------------------------------------------------------
# decoding in pieces


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=3000),
    encoding=st.sampled_from(
        ["gzip", "deflate", "raw-deflate", *(["br"] if BROTLI_AVAILABLE else [])]
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=6),
)
def test_decoders_round_trip_whatever_the_chunking(
    data: bytes, encoding: str, cuts: list[int]
) -> None:
    encoded = compress(data * 3, encoding)
    header = "deflate" if encoding == "raw-deflate" else encoding
    decoder = make_decoder(header)
    bounds = sorted({0, len(encoded), *(c for c in cuts if c < len(encoded))})
    out = b""
    for start, end in itertools.pairwise(bounds):
        out += b"".join(decoder.feed(encoded[start:end]))
    out += b"".join(decoder.finish())
    assert out == data * 3


def test_multi_member_gzip_and_trailing_padding() -> None:
    decoder = make_decoder("gzip")
    stream = gzip.compress(b"first ") + gzip.compress(b"second") + b"\0\0\0\0"
    out = b"".join(piece for byte in stream for piece in decoder.feed(bytes([byte])))
    assert out + b"".join(decoder.finish()) == b"first second"


def test_stacked_encodings() -> None:
    decoder = make_decoder("deflate, gzip")  # deflated, then gzipped
    stream = gzip.compress(zlib.compress(FEED))
    assert b"".join(decoder.feed(stream)) + b"".join(decoder.finish()) == FEED


# ---------------------------------------------------------------------------
# many at once


async def test_many_feeds_one_failing_concurrency_respected(fetch_server: FetchServer) -> None:
    fetch_server.latency = 0.05
    for i in range(30):
        fetch_server.add(f"/feed/{i}", FEED + str(i).encode())
    fetch_server.add("/feed/7", status=500)
    urls = [fetch_server.url(f"/feed/{i}") for i in range(30)]
    urls.append(f"http://127.0.0.1:{free_port()}/refused")
    seen: list[str] = []

    async with Fetcher(concurrency=4) as fetcher:
        results = await fetcher.fetch_many(urls, on_result=lambda r: seen.append(r.url))

    assert [r.url for r in results] == urls  # in the order asked
    assert sorted(seen) == sorted(urls)  # each reported once, as it completed
    assert results[7].error == "HTTP 500 Internal Server Error"
    assert results[30].error == "connection refused"
    for i, result in enumerate(results[:30]):
        if i != 7:
            assert result.ok and result.body == FEED + str(i).encode()
    assert 2 <= fetch_server.max_in_flight <= 4


async def test_per_host_limit(fetch_server: FetchServer) -> None:
    fetch_server.latency = 0.05
    fetch_server.add("/feed", FEED)
    async with Fetcher(concurrency=16, per_host=2) as fetcher:
        results = await fetcher.fetch_many([fetch_server.url("/feed")] * 10)
    assert all(r.ok for r in results)
    assert fetch_server.max_in_flight == 2


async def test_iter_fetch_yields_as_results_complete(fetch_server: FetchServer) -> None:
    fetch_server.add("/slow", FEED, delay=0.5)
    fetch_server.add("/fast", FEED)
    async with Fetcher() as fetcher:
        order = [r.url async for r in fetcher.iter_fetch([fetch_server.url("/slow"), "junk:"])]
        order2 = [
            r.url
            async for r in fetcher.iter_fetch(
                [fetch_server.url("/slow"), FetchRequest(fetch_server.url("/fast"))]
            )
        ]
    assert order == ["junk:", fetch_server.url("/slow")]
    assert order2 == [fetch_server.url("/fast"), fetch_server.url("/slow")]


async def test_leaving_iter_fetch_early_cancels_the_rest(fetch_server: FetchServer) -> None:
    fetch_server.add_stall("/stall", limit=3)
    fetch_server.add("/fast", FEED)
    started = time.monotonic()
    urls = [fetch_server.url("/stall"), fetch_server.url("/fast")]
    async with Fetcher() as fetcher:
        async with contextlib.aclosing(fetcher.iter_fetch(urls)) as results:
            async for result in results:
                assert result.url == fetch_server.url("/fast")
                break
        assert time.monotonic() - started < 0.5  # the stalled fetch was cancelled at once
    assert time.monotonic() - started < 1.5


async def test_an_on_result_error_cancels_the_rest_and_propagates(
    fetch_server: FetchServer,
) -> None:
    fetch_server.add_stall("/stall", limit=3)
    fetch_server.add("/fast", FEED)

    def explode(result: FetchResult) -> None:
        raise LookupError(result.url)

    started = time.monotonic()
    async with Fetcher() as fetcher:
        with pytest.raises(LookupError):
            await fetcher.fetch_many(
                [fetch_server.url("/stall"), fetch_server.url("/fast")], on_result=explode
            )
    assert time.monotonic() - started < 1.5


async def test_async_on_result_callback(fetch_server: FetchServer) -> None:
    fetch_server.add("/feed", FEED)
    got: list[FetchResult] = []

    async def on_result(result: FetchResult) -> None:
        await asyncio.sleep(0)
        got.append(result)

    async with Fetcher() as fetcher:
        await fetcher.fetch_many([fetch_server.url("/feed")] * 3, on_result=on_result)
    assert len(got) == 3


async def test_fetch_one(fetch_server: FetchServer) -> None:
    fetch_server.add("/page", b"<html></html>", content_type="text/html; charset=utf-8")
    result = await fetch_one(fetch_server.url("/page"), accept=PAGE_ACCEPT, deadline=5)
    assert result.ok and result.content_type == "text/html" and result.charset == "utf-8"
    assert fetch_server.requests[-1].header("accept") == PAGE_ACCEPT


async def test_fetcher_must_be_opened() -> None:
    with pytest.raises(RuntimeError):
        await Fetcher().fetch("http://127.0.0.1/")
    with pytest.raises(ValueError):
        Fetcher(concurrency=0)


def test_server_logs_requests_via_handler() -> None:
    def handler(req: Request) -> Reply:
        return Reply(201, req.path.encode(), {"X-Seen": req.header("x-test") or ""})

    with FetchServer() as server:
        server.add_handler("/h", handler)

        async def go() -> FetchResult:
            return await fetch(server.url("/h?q=1"))

        result = asyncio.run(go())
        assert result.status == 201 and result.body == b"/h?q=1"
        assert server.hits("/h") == 1
    with pytest.raises(RuntimeError):
        _ = server.port


async def test_connections_are_reused_after_304_redirect_and_error(
    fetch_server: FetchServer,
) -> None:
    fetch_server.add_conditional("/feed", FEED, etag='"v1"')
    fetch_server.add_redirect("/moved", "/feed", 301)
    fetch_server.add("/missing", b"<html>not here</html>", status=404)
    request = FetchRequest(fetch_server.url("/feed"), etag='"v1"')
    async with Fetcher(concurrency=1) as fetcher:
        results = [
            await fetcher.fetch(url)
            for url in (request, request, fetch_server.url("/moved"), fetch_server.url("/missing"))
        ]
        assert [r.status for r in results] == [304, 304, 200, 404]
    assert fetch_server.connections_opened == 1


async def test_a_timed_out_request_frees_its_slot(fetch_server: FetchServer) -> None:
    fetch_server.add_stall("/stall")
    fetch_server.add("/feed", FEED)
    async with Fetcher(concurrency=1, deadline=0.5) as fetcher:
        stalled = await fetcher.fetch(fetch_server.url("/stall"))
        after = await fetcher.fetch(fetch_server.url("/feed"))
    assert stalled.error is not None and after.ok and after.body == FEED


@pytest.mark.parametrize(
    "encoding", ["gzip", "deflate", "raw-deflate", pytest.param("br", marks=needs_brotli)]
)
def test_decoders_work_in_bounded_pieces(encoding: str) -> None:
    data = b"".join(b"item %d " % i + bytes(i % 251) for i in range(12_000))  # ~1.5 MB
    encoded = compress(data, encoding)
    decoder = make_decoder("deflate" if encoding == "raw-deflate" else encoding)
    pieces: list[bytes] = []
    for start in range(0, len(encoded), 4093):
        pieces.extend(decoder.feed(encoded[start : start + 4093]))
    pieces.extend(decoder.finish())
    assert b"".join(pieces) == data
    assert max(len(p) for p in pieces) <= 2 * 256 * 1024
