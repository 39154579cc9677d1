"""A body cut short (a wrong Content-Length either way, a connection closed mid-body)
is a per-feed error that says "truncated", for `add URL` and for `refresh`; the
feed's stored articles are untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from testkit import CliResult, run_cli

from briefreader.fetch import fetch_one
from briefreader.sources import SourceError
from briefreader.sources.feed import fast_parse, parse_feed, reference_parse
from briefreader.sources.feedreference import xml_ends_early


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
    return run_cli(*args, home=home)


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


# -- a cut at any byte: never a smaller feed ----------------------------------------

CORPUS = Path(__file__).parent / "data" / "corpus"


def _root_end(doc: bytes, unit: int) -> int:
    """The offset just after the root element's end tag (only white space follows)."""
    end = len(doc)
    while end > 0 and doc[end - unit : end].rstrip(b"\x00").isspace():
        end -= unit
    return end


@pytest.mark.parametrize("name", ["rss20.xml", "atom10.xml", "rss10.rdf", "utf16le-bom.xml"])
def test_a_feed_cut_at_any_byte_ends_early_or_is_an_error(name: str) -> None:
    # Every cut inside the document — mid-element, right after an end tag, in the
    # prolog, between the two bytes of a UTF-16 unit — is said to end early, or is
    # not read at all: none is read as a feed with fewer (or no) items.
    doc = (CORPUS / name).read_bytes()
    assert 500 < len(doc) < 2000
    url = f"https://feeds.example/{name}"
    whole = parse_feed(doc, url=url)
    assert whole.items and not whole.ends_early
    unit = 2 if doc.startswith(b"\xff\xfe") else 1  # bytes a character takes
    end = _root_end(doc, unit)
    assert end < len(doc)
    # What a parse reports as ``ends_early`` is xml_ends_early of the bytes it read
    # (checked below wherever the whole parse runs): cheap enough for every cut.
    early = [xml_ends_early(doc[:cut]) for cut in range(end)]
    # The whole parse (the fast path, feedparser's hand-over, the item builder) runs at
    # every cut the check alone calls whole, at every cut just after a ">" (an element
    # just closed: the cut that once read as a smaller feed) and the byte after it, in
    # the prolog, and at every 7th byte in between.
    closed = {
        i + 1 + extra for i, byte in enumerate(doc[:end]) if byte == ord(">") for extra in (0, 1)
    }
    full = {
        cut for cut in range(end) if not early[cut] or cut in closed or cut < 100 or cut % 7 == 0
    }
    silent = []
    for cut in range(end):
        if cut not in full:
            continue
        try:
            parsed = parse_feed(doc[:cut], url=url)
        except SourceError:
            continue
        assert parsed.ends_early == early[cut], (cut, doc[max(0, cut - 12) : cut])
        if not parsed.ends_early:
            silent.append((cut, len(parsed.items), doc[max(0, cut - 12) : cut]))
    assert not silent, silent[:5]
    assert all(early[cut] for cut in range(end) if cut not in full)  # the rest: early too
    for cut in range(end, len(doc) + 1, unit):  # the root closed: only white space missing
        parsed = parse_feed(doc[:cut], url=url)
        assert not parsed.ends_early and len(parsed.items) == len(whole.items)


def test_both_parsers_say_a_cut_after_an_end_tag_ends_early() -> None:
    doc = (CORPUS / "rss20.xml").read_bytes()
    cut = doc[: doc.index(b"</title>") + len(b"</title>")]
    assert reference_parse(cut, url="https://feeds.example/f").ends_early
    assert not reference_parse(doc, url="https://feeds.example/f").ends_early
    assert not fast_parse(doc, url="https://feeds.example/f").ends_early


_ESCAPED_JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Café \U0001f30a",  # \u00e9 and a surrogate pair, escaped
        "items": [{"id": "1", "url": "https://f.example/a", "title": "A", "_n": [-1.5e3, True]}],
    }
).encode()


@pytest.mark.parametrize("name", ["feed.json", "escaped"])
def test_a_cut_json_feed_is_truncated_not_invalid(name: str) -> None:
    doc = _ESCAPED_JSON_FEED if name == "escaped" else (CORPUS / name).read_bytes()
    whole = parse_feed(doc, url="https://feeds.example/feed.json")
    assert whole.items
    end = len(doc.rstrip())
    for cut in range(1, end):
        with pytest.raises(SourceError) as info:
            parse_feed(doc[:cut], url="https://feeds.example/feed.json")
        assert info.value.reason.startswith("truncated: "), (cut, info.value.reason)
    # a mistake in the middle is not a cut
    broken = doc.replace(b'"items"', b'"items",,', 1)
    with pytest.raises(SourceError, match="invalid JSON"):
        parse_feed(broken, url="https://feeds.example/feed.json")


def test_add_of_a_feed_cut_right_after_an_end_tag_says_truncated(tmp_path: Path) -> None:
    # The Content-Length stops the body just after the channel's </title>: before the
    # fix this subscribed, silently, to a feed of 0 items.
    cut = FULL.index(b"</title>") + len(b"</title>")
    home = tmp_path / "home"
    with FetchServer() as server:
        headers = {"Content-Length": str(cut), "Connection": "close"}
        server.add("/cut.xml", FULL, headers=headers, content_type="application/rss+xml")
        out = run("add", server.url("/cut.xml"), home=home)
        assert out.returncode == 1, (out.stdout, out.stderr)
        line = next(x for x in out.stderr.splitlines() if "truncated" in x)
        assert server.url("/cut.xml") in line and f"after {cut} bytes" in line
        assert "Traceback" not in out.stderr
    out = run("feeds", home=home)
    assert "Harbour" not in out.stdout


def test_a_feed_served_whole_but_broken_says_the_server_s_copy_is(tmp_path: Path) -> None:
    """A file that simply stops (every byte its Content-Length announced came) read
    "…, as its Content-Length (153) said", as if the transfer had cut it."""
    home = tmp_path / "home"
    with FetchServer() as server:
        server.add("/broken.xml", FULL[: len(FULL) // 2], content_type="application/rss+xml")
        out = run("add", server.url("/broken.xml"), home=home)
    assert out.returncode == 1, out.stderr
    line = next(x for x in out.stderr.splitlines() if "truncated" in x)
    assert f"stops mid-document after {len(FULL) // 2} bytes" in line
    assert f"(all {len(FULL) // 2} bytes its Content-Length announced" in line
    assert "the server's copy is cut short or broken" in line
