"""Backups restore: export carries read/star state (with times), the feed an article
came from and its tags; importing the export brings them back. ``mark`` sets state
from scripts; ``delete`` removes articles for good (a feed does not bring them back)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from fetchserver import FetchServer
from testkit import CliResult, run_cli

from briefreader.ingest import import_paths
from briefreader.model import ArticleState
from briefreader.sources import read_file
from briefreader.store import Library

State = tuple[float | None, float | None, str]


def run(*args: str, home: Path) -> CliResult:
    # a real process: these commands fetch from a test server and refresh forks workers
    return run_cli(*args, home=home, subprocess=True)


def ok(*args: str, home: Path) -> CliResult:
    out = run(*args, home=home)
    assert out.returncode == 0, (args, out.stderr)
    return out


def rss(title: str, items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>https://site.example/{guid}</link><guid>{guid}</guid>"
        f"<category>{guid}-tag</category>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{t} happened today in the harbour district. Officials said "
        f"the work would continue for three weeks.</p>]]></description></item>"
        for t, guid in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://site.example/</link><description>d</description>{body}</channel></rss>"
    ).encode()


ITEMS = [("Bridge reopens", "g1"), ("Ferry delayed", "g2"), ("Tram strike", "g3"), ("Rain", "g4")]

LOCAL_MD = """---
title: Rates held again
source: The Ledger
tags: [economy, asia]
published: 2026-11-20
---

# Rates held again

The central bank held rates for a third month.

## Body

Markets barely moved.
"""


def snapshot(lib: Library) -> dict[str, tuple[State, tuple[str, ...]]]:
    """Every article's (read_at, starred_at, feed url) and tags."""
    feed_of = {
        row.id: f.url
        for f in lib.feeds()
        for row in lib.rows_by_rowid(lib.row_ids_for_feeds("all", [f.id]))
    }
    return {a.id: ((*lib.state(a.id), feed_of.get(a.id, "")), a.tags) for a in lib.articles()}


def same(
    got: dict[str, tuple[State, tuple[str, ...]]], want: dict[str, tuple[State, tuple[str, ...]]]
) -> None:
    assert set(got) == set(want)
    for art_id, ((read, star, feed), tags) in want.items():
        (g_read, g_star, g_feed), g_tags = got[art_id]
        for label, w, g in (("read_at", read, g_read), ("starred_at", star, g_star)):
            assert (w is None) == (g is None), (art_id, label, w, g)
            if w is not None and g is not None:
                assert abs(w - g) < 1e-3, (art_id, label, w, g)  # the original time, not now
        assert g_feed == feed, art_id
        assert g_tags == tags, art_id


def test_export_then_import_restores_state_times_feed_links_and_tags(tmp_path: Path) -> None:
    home = tmp_path / "home"
    local = tmp_path / "rates.md"
    local.write_text(LOCAL_MD, encoding="utf-8")
    with FetchServer() as server:
        server.add("/a.xml", rss("Alpha News", ITEMS), content_type="application/rss+xml")
        url = server.url("/a.xml")
        ok("add", url, "--tag", "news", home=home)
        ok("add", str(local), home=home)
        with Library(home / "library.sqlite3") as lib:
            ids = {r.title: r.id for r in lib.rows()}
            lib.set_read(ids["Bridge reopens"])
            lib.set_starred(ids["Ferry delayed"])
            lib.set_read(ids["Tram strike"])
            lib.set_starred(ids["Tram strike"])
            lib.set_read(ids["Rates held again"])
            lib.set_starred(ids["Rates held again"])
            before = snapshot(lib)
        assert before[ids["Bridge reopens"]][0][2] == url
        assert before[ids["Rates held again"]][1] == ("economy", "asia")
        time.sleep(0.05)  # any time restored as "now" would differ

        dump = tmp_path / "all.json"
        dump.write_text(ok("export", home=home).stdout, encoding="utf-8")
        ok("export", "--out", str(tmp_path / "jdir"), home=home)
        ok("export", "--format", "markdown", "--out", str(tmp_path / "mdir"), home=home)
        ok("export", "--opml", "--out", str(tmp_path / "feeds.opml"), home=home)
        exported = {d["id"]: d for d in json.loads(dump.read_text(encoding="utf-8"))}
        assert exported[ids["Bridge reopens"]]["feed_url"] == url
        assert exported[ids["Rain"]]["read_at"] is None

        # Subscribed from the OPML export (not fetched): the export re-links its items.
        for name, what in (("a", "all.json"), ("b", "mdir")):
            other = tmp_path / f"home-{name}"
            ok("import", str(tmp_path / "feeds.opml"), home=other)
            out = ok("add", str(tmp_path / what), home=other)
            assert "restored" in out.stderr, out.stderr
            with Library(other / "library.sqlite3") as lib:
                same(snapshot(lib), before)
                [feed] = lib.feeds()
                assert feed.tags == ("news",)
        # Subscribed and fetched first (items stored unread): the export's state is applied.
        other = tmp_path / "home-c"
        ok("add", url, "--tag", "news", home=other)
        ok("add", str(tmp_path / "jdir"), home=other)
        with Library(other / "library.sqlite3") as lib:
            same(snapshot(lib), before)


def test_readers_pass_the_state_through(tmp_path: Path) -> None:
    state = {"read_at": "2026-01-02T03:04:05.123456+00:00", "starred_at": None}
    (tmp_path / "a.json").write_text(
        json.dumps(
            [{"id": "abc", "title": "T", "body": "b", **state, "feed_url": "https://f.example/x"}]
        ),
        encoding="utf-8",
    )
    got = read_file(tmp_path / "a.json")
    assert got.articles[0].id == "abc"
    assert got.states == {
        "abc": ArticleState(
            read_at=1767323045.123456, starred_at=None, feed_url="https://f.example/x"
        )
    }
    (tmp_path / "b.md").write_text(
        "---\ntitle: T\nid: def\nstarred_at: '2026-01-02T03:04:05+00:00'\n---\n\nBody.\n",
        encoding="utf-8",
    )
    got = read_file(tmp_path / "b.md")
    assert got.states == {"def": ArticleState(starred_at=1767323045.0)}
    # Plain files carry no state; hostile state values are ignored, the article is read.
    (tmp_path / "c.json").write_text(
        json.dumps(
            [
                {"id": "x1", "title": "T", "body": "b"},
                {
                    "id": "x2",
                    "title": "U",
                    "read_at": "yesterday-ish",
                    "starred_at": [1],
                    "feed_url": 7,
                },
                {"id": "x3", "title": "V", "read_at": 1e308, "feed_url": "file:///etc/passwd"},
            ]
        ),
        encoding="utf-8",
    )
    got = read_file(tmp_path / "c.json")
    assert [a.id for a in got.articles] == ["x1", "x2", "x3"]
    assert got.states == {}


def test_restoring_never_clobbers_state_the_library_has(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.sqlite3") as lib:
        (tmp_path / "x.json").write_text(
            json.dumps(
                [
                    {"id": "a1", "title": "Read here", "body": "b"},
                    {"id": "a2", "title": "Starred here", "body": "b"},
                ]
            ),
            encoding="utf-8",
        )
        import_paths(lib, [str(tmp_path / "x.json")])
        lib.set_read("a1")
        lib.set_starred("a2")
        have_a1, have_a2 = lib.state("a1"), lib.state("a2")
        (tmp_path / "x.json").write_text(
            json.dumps(
                [
                    {
                        "id": "a1",
                        "title": "Read here",
                        "body": "b",
                        "read_at": 1000.0,
                        "starred_at": 2000.0,
                    },
                    {
                        "id": "a2",
                        "title": "Starred here",
                        "body": "b",
                        "read_at": 3000.0,
                        "starred_at": None,
                    },
                ]
            ),
            encoding="utf-8",
        )
        report = import_paths(lib, [str(tmp_path / "x.json")])
        assert report.ok
        # What the library had stays; what it lacked comes from the export.
        assert lib.state("a1") == (have_a1[0], 2000.0)
        assert lib.state("a2") == (3000.0, have_a2[1])


# -- mark ---------------------------------------------------------------------------


def _two_articles(tmp_path: Path, home: Path) -> tuple[Path, Path]:
    a = tmp_path / "a.json"
    a.write_text(
        json.dumps({"title": "First", "body": "one", "url": "https://x.example/first"}),
        encoding="utf-8",
    )
    b = tmp_path / "b.md"
    b.write_text("---\ntitle: Second\n---\n\nTwo.\n", encoding="utf-8")
    ok("add", str(a), str(b), home=home)
    return a, b


def test_mark_sets_state_by_id_path_or_url(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _, b = _two_articles(tmp_path, home)
    with Library(home / "library.sqlite3") as lib:
        ids = {r.title: r.id for r in lib.rows()}
    first, second = ids["First"], ids["Second"]
    out = ok("mark", first, str(b), "--read", "--star", home=home)
    assert "First" in out.stderr and "Second" in out.stderr
    with Library(home / "library.sqlite3") as lib:
        read_at, starred_at = lib.state(first)
        assert read_at is not None and starred_at is not None
        assert all(lib.state(second))
    time.sleep(0.05)
    ok("mark", first, "--read", home=home)  # already read: the first time is kept
    with Library(home / "library.sqlite3") as lib:
        assert lib.state(first) == (read_at, starred_at)
    ok("mark", "https://x.example/first", "--unread", "--unstar", home=home)
    with Library(home / "library.sqlite3") as lib:
        assert lib.state(first) == (None, None)
    # Unknown articles are named and make it exit 1; the others are still marked.
    out = run("mark", "no-such-article", second, "--unread", home=home)
    assert out.returncode == 1
    assert "no-such-article" in out.stderr
    with Library(home / "library.sqlite3") as lib:
        assert lib.state(second)[0] is None
    # Nothing to do, or contradictory: a usage error.
    assert run("mark", first, home=home).returncode == 2
    assert run("mark", first, "--read", "--unread", home=home).returncode == 2


# -- delete -------------------------------------------------------------------------


def test_delete_removes_articles_and_a_refresh_does_not_bring_them_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with FetchServer() as server:
        server.add("/a.xml", rss("Alpha News", ITEMS), content_type="application/rss+xml")
        ok("add", server.url("/a.xml"), home=home)
        with Library(home / "library.sqlite3") as lib:
            ids = {r.title: r.id for r in lib.rows()}
        out = run(
            "delete", ids["Bridge reopens"], "https://site.example/g2", "no-such-thing", home=home
        )
        assert out.returncode == 1
        assert "no-such-thing" in out.stderr
        assert "deleted Bridge reopens" in out.stderr and "deleted Ferry delayed" in out.stderr
        # A feed's address names the feed, not its newest item: nothing is deleted.
        out = run("delete", server.url("/a.xml"), home=home)
        assert out.returncode == 1 and "is a feed" in out.stderr
        # The feed still lists them (and a new item): only the new one arrives.
        server.add(
            "/a.xml",
            rss("Alpha News", [*ITEMS, ("Snow", "g5")]),
            content_type="application/rss+xml",
        )
        ok("refresh", home=home)
        with Library(home / "library.sqlite3") as lib:
            titles = {r.title for r in lib.rows()}
        assert titles == {"Tram strike", "Rain", "Snow"}
        out = run("delete", ids["Bridge reopens"], home=home)  # already gone
        assert out.returncode == 1
