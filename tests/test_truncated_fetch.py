"""A body cut short (a wrong Content-Length either way, a connection closed mid-body)
is a per-feed error that says "truncated", for `add URL` and for `refresh`; the
feed's stored articles are untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from testkit import CliResult, run_cli

from briefreader.fetch import fetch_one


def rss(items: list[str]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>https://site.example/{n}</link><guid>g{n}</guid>"
        f"<description><![CDATA[<p>{t} happened in the harbour today, officials said.</p>]]>"
        "</description></item>"
        for n, t in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Harbour</title>'
        f"<link>https://site.example/</link>{body}</channel></rss>"
    ).encode()


def run(*args: str, home: Path) -> CliResult:
    # a real process: refresh forks its parse workers from a single-threaded CLI
    return run_cli(*args, home=home, subprocess=True)


FULL = rss(["Bridge reopens", "Ferry delayed", "Tram strike"])


def too_long(server: FetchServer, path: str) -> None:
    # promises 500 bytes more than it sends, then closes
    headers = {"Content-Length": str(len(FULL) + 500), "Connection": "close"}
    server.add(path, FULL, headers=headers, content_type="application/rss+xml")


def too_short(server: FetchServer, path: str) -> None:
    # the body is cut at a Content-Length of half its size
    headers = {"Content-Length": str(len(FULL) // 2), "Connection": "close"}
    server.add(path, FULL, headers=headers, content_type="application/rss+xml")


async def test_fetch_says_truncated_when_content_length_exceeds_the_body(
    fetch_server: FetchServer,
) -> None:
    too_long(fetch_server, "/feed")
    result = await fetch_one(fetch_server.url("/feed"))
    assert result.error is not None
    assert result.error.startswith(f"truncated: got {len(FULL)} of {len(FULL) + 500} bytes")
    assert result.body == b""


async def test_connection_closed_mid_body_says_truncated(fetch_server: FetchServer) -> None:
    fetch_server.add_reset("/feed", b"<rss>" + b"x" * 995, content_length=5000, abort=False)
    result = await fetch_one(fetch_server.url("/feed"))
    assert result.error is not None and result.error.startswith("truncated: got 1000 of 5000")


@pytest.mark.parametrize("cut", [too_long, too_short], ids=["too-long", "too-short"])
def test_add_and_refresh_of_a_truncated_feed_fail_and_keep_the_articles(
    tmp_path: Path, cut: object
) -> None:
    home = tmp_path / "home"
    with FetchServer() as server:
        assert callable(cut)
        cut(server, "/cut.xml")
        out = run("add", server.url("/cut.xml"), home=home)
        assert out.returncode == 1, out.stderr
        assert "truncated" in out.stderr and "Traceback" not in out.stderr
        line = next(x for x in out.stderr.splitlines() if "truncated" in x)
        assert server.url("/cut.xml") in line
        # subscribed while the feed was whole; then its body comes cut short
        server.add("/feed.xml", FULL, content_type="application/rss+xml")
        out = run("add", server.url("/feed.xml"), home=home)
        assert out.returncode == 0, out.stderr
        cut(server, "/feed.xml")
        out = run("refresh", home=home)
        assert out.returncode == 1, out.stderr
        assert "truncated" in out.stderr, out.stderr
    out = run("list", "--json", "--no-samples", home=home)
    assert out.returncode == 0, out.stderr
    for title in ("Bridge reopens", "Ferry delayed", "Tram strike"):
        assert title in out.stdout
