"""Feed autodiscovery from HTML pages, and telling a feed from a page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefreader.sources.discover import DiscoveredFeed, discover_feeds, looks_like_feed

DATA = Path(__file__).parent / "data" / "feeds"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "feeds"

PAGE = """<!DOCTYPE html>
<html><head>
<title>Field Notes</title>
<link rel="stylesheet" href="/style.css">
<LINK REL="Alternate" TYPE="application/rss+xml" TITLE="Field Notes (RSS)" HREF="/feed.xml">
<link rel="alternate feed" type="application/atom+xml; charset=utf-8" title="Atom" href="atom.xml">
<link rel="alternate" type="application/feed+json" title="JSON" href="https://cdn.example/feed.json">
<link rel="alternate" type="application/rss+xml" title="Again" href="https://fieldnotes.example/feed.xml">
<link rel="alternate" type="application/json" href="https://fieldnotes.example/wp-json/wp/v2/posts/7">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="ftp://files.example/feed.xml">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="stylesheet alternate" type="text/css" href="/alt.css">
<link rel="alternate" type="application/rss+xml" href="">
</head><body>
<link rel="alternate" type="application/json" title="Late JSON" href="/feed2.json">
</body></html>"""


def test_discovers_feeds_in_page_order() -> None:
    found = discover_feeds(PAGE, "https://fieldnotes.example/blog/post")
    assert found == [
        DiscoveredFeed("https://fieldnotes.example/feed.xml", "Field Notes (RSS)", "rss"),
        DiscoveredFeed("https://fieldnotes.example/blog/atom.xml", "Atom", "atom"),
        DiscoveredFeed("https://cdn.example/feed.json", "JSON", "json"),
        DiscoveredFeed("https://fieldnotes.example/feed2.json", "Late JSON", "json"),
    ]


def test_base_href_and_bytes() -> None:
    page = (
        '<html><head><meta charset="utf-8"><base href="https://static.example/sub/">'
        '<link rel=alternate type=application/rss+xml href="rss.xml" title="Caf\xc3\xa9">'
        "</head></html>"
    ).encode("latin-1")
    assert discover_feeds(page, "https://www.example/") == [
        DiscoveredFeed("https://static.example/sub/rss.xml", "Café", "rss")
    ]


def test_nothing_to_discover() -> None:
    assert discover_feeds("", "https://x.example/") == []
    assert discover_feeds("<html><body>No links</body></html>", "https://x.example/") == []
    assert discover_feeds(b"\x00\x01\x02 binary", "https://x.example/") == []
    assert discover_feeds('<link rel="alternate" type="application/rss+xml" href="x">', "") == []


def test_titles_are_cleaned() -> None:
    page = '<link rel="alternate" type="application/rss+xml" title="A\x1b[31m red\x07" href="/f">'
    (feed,) = discover_feeds(page, "https://x.example/")
    assert feed.title == "A red"


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "text/html", True),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', None, True),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', None, True),
        (b"<!-- c --><?xml-stylesheet href='x'?><rss/>", "text/plain", True),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/json", True),
        (b'{"items": [{"id": "1"}]}', None, True),
        (b'{"title": "not a feed"}', "application/feed+json", False),
        (b"<!DOCTYPE html><html><head></head><body/></html>", "application/rss+xml", False),
        (b"<html><body>page</body></html>", "text/html", False),
        (b"", "application/rss+xml", False),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", False),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", False),
        (b"<unknown-root/>", "application/atom+xml", True),  # served as a feed: try it
        ('<rss version="2.0"/>'.encode("utf-16"), None, True),
        ('<rss version="2.0"/>'.encode("utf-16-be"), None, True),
        ('<feed xmlns="http://www.w3.org/2005/Atom"/>'.encode("utf-32-be"), None, True),
    ],
)
def test_looks_like_feed(data: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_feed(data, content_type) is expected


def test_looks_like_feed_on_fixtures_and_corpus() -> None:
    for path in sorted(DATA.glob("*")):
        assert looks_like_feed(path.read_bytes(), None), path.name
    if not CORPUS.is_dir():
        pytest.skip("feed corpus not found")
    not_feeds = {"empty.xml", "data__sqlite_releases.html", "illformed__rss_empty_document.xml"}
    entries = json.loads((CORPUS / "SOURCES.json").read_text("utf-8"))
    for entry in entries:
        path = CORPUS / entry["file"]
        assert looks_like_feed(path.read_bytes(), None) is (path.name not in not_feeds), path.name
