"""newsboat's urls file (sources/newsboat.py) and ``briefreader import`` of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader.sources import SourceError
from briefreader.sources.newsboat import (
    MAX_URLS_BYTES,
    looks_like_newsboat,
    parse_newsboat_urls,
    read_subscriptions,
)

URLS = b"""# my feeds
http://example.org/rss.xml tech "~Example News" "long tag"
https://blog.example.com/atom   "tech"   !hidden-tag

https://example.net/feed.xml "~Quoted \\"title\\"" "back\\\\slash"
query:Unread Articles:unread = "yes"
exec:~/bin/make-feed.sh "~Script"
filter:~/bin/filter.sh:https://example.com/raw.xml
file:///etc/passwd
ftp://example.org/feed
  https://example.org/rss.xml extra
"""


def test_reads_urls_tags_titles_and_skips_with_notes() -> None:
    feeds, notes = parse_newsboat_urls(URLS, "urls")
    by_url = {f.url: f for f in feeds}
    assert list(by_url) == [
        "http://example.org/rss.xml",
        "https://blog.example.com/atom",
        "https://example.net/feed.xml",
        "https://example.org/rss.xml",
    ]
    first = by_url["http://example.org/rss.xml"]
    assert first.title == "Example News" and first.tags == ("tech", "long tag")
    assert by_url["https://blog.example.com/atom"].tags == ("tech", "hidden-tag")
    third = by_url["https://example.net/feed.xml"]
    assert third.title == 'Quoted "title"' and third.tags == ("back\\slash",)
    assert by_url["https://example.org/rss.xml"].tags == ("extra",)
    assert len(notes) == 5
    assert notes[0] == "urls:6: a query feed (a view over other feeds) skipped"
    assert notes[1] == "urls:7: exec: runs a command; skipped, not run"
    assert notes[2] == "urls:8: filter: runs a command; skipped, not run"
    assert "not an http(s) URL" in notes[3] and "file:///etc/passwd" in notes[3]
    assert all("\n" not in n for n in notes)


def test_same_url_twice_merges() -> None:
    feeds, _ = parse_newsboat_urls(b'https://a.example/f a "~A"\nhttps://a.example/f b\n', "u")
    assert [(f.url, f.title, f.tags) for f in feeds] == [("https://a.example/f", "A", ("a", "b"))]


def test_hostile_text_is_cleaned() -> None:
    data = b'https://a.example/f "~Evil \x1b[31mred\x1b[0m\xe2\x80\xae" "t\x07ag"\n'
    feeds, _ = parse_newsboat_urls(data, "u")
    assert "\x1b" not in feeds[0].title and "\u202e" not in feeds[0].title
    assert all("\x07" not in t for t in feeds[0].tags)
    with pytest.raises(SourceError):
        parse_newsboat_urls(b"https://a.example/f\n" * (MAX_URLS_BYTES // 10), "u")
    # an unterminated quote ends at the line's end
    feeds, _ = parse_newsboat_urls(b'https://a.example/f "open tag\n', "u")
    assert feeds[0].tags == ("open tag",)


def test_sniffing() -> None:
    assert looks_like_newsboat(URLS)
    assert looks_like_newsboat(b"\n\n# c\nquery:x:y\n")
    assert not looks_like_newsboat(b'<?xml version="1.0"?><opml/>')
    assert not looks_like_newsboat(b"")


def test_read_subscriptions_picks_the_reader(tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_bytes(URLS)
    feeds, notes = read_subscriptions(urls)
    assert len(feeds) == 4 and len(notes) == 5
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="F" xmlUrl="https://example.org/f.xml"/></body></opml>'
    )
    feeds, notes = read_subscriptions(opml)
    assert [f.url for f in feeds] == ["https://example.org/f.xml"] and notes == []


def test_import_command(tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_bytes(URLS)
    env = {**os.environ, "BRIEFREADER_HOME": str(tmp_path / "home")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "briefreader", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    done = run("import", str(urls))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("note:") == 5
    assert "4 feeds" in done.stderr and "4 new" in done.stderr
    feeds = {f["url"]: f for f in json.loads(run("feeds", "--json").stdout)}
    assert feeds["http://example.org/rss.xml"]["title"] == "Example News"
    assert feeds["http://example.org/rss.xml"]["tags"] == ["tech", "long tag"]
    again = run("import", str(urls))
    assert "0 new, 4 already subscribed" in again.stderr
