"""Backups restore: export carries read/star state (with times), the feed an article
came from and its tags; importing the export brings them back. ``mark`` sets state
from scripts; ``delete`` removes articles for good (a feed does not bring them back)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fetchserver import FetchServer
from testkit import CliResult, run_cli

from briefreader.ingest import import_paths
from briefreader.model import Article, ArticleState
from briefreader.paths import write_whole
from briefreader.sources import read_file
from briefreader.store import Library

State = tuple[float | None, float | None, str]


def run(*args: str, home: Path) -> CliResult:
    return run_cli(*args, home=home)


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
    # ... with one warning line naming the file.
    (warning,) = got.warnings
    assert warning.startswith(f"{tmp_path / 'c.json'}: ignored read_at 'yesterday-ish' (")
    assert warning.endswith(" and 4 more bad read/star/feed values")
    assert "\n" not in warning


def _backup(tmp_path: Path, name: str, **state: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"id": "j3", "title": "x", "body": "b", **state}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        ({"read_at": "9999-12-31T23:59:59-23:59"}, "read_at '9999-12-31T23:59:59-23:59'"),
        ({"read_at": "9999-12-31T00:00:00+00:00"}, "read_at '9999-12-31T00:00:00+00:00'"),
        ({"starred_at": "1989-12-31T23:59:59+00:00"}, "starred_at '1989-12-31T23:59:59+00:00'"),
        ({"read_at": 12345}, "read_at 12345"),
        ({"read_at": 1_700_000_000.0}, "read_at 1700000000.0"),
        ({"starred_at": True}, "starred_at True"),
        ({"read_at": "soon"}, "read_at 'soon'"),
        ({"feed_url": "ftp://f.example/x"}, "feed_url 'ftp://f.example/x'"),
    ],
)
def test_bad_state_values_are_ignored_with_a_warning(
    tmp_path: Path, state: dict[str, object], shown: str
) -> None:
    """Out of range (before 1990, more than a day ahead, past year 9999 in UTC), a
    number (not taken for a Unix time) or not a time at all: the value is left out,
    the article is read, and one warning line names the file and the value."""
    path = _backup(tmp_path, "j3.json", **state)
    got = read_file(path)
    assert [a.id for a in got.articles] == ["j3"]
    assert got.states == {}
    (warning,) = got.warnings
    assert warning.startswith(f"{path}: ignored {shown} (")


def test_state_times_from_1990_to_a_day_ahead_are_restored(tmp_path: Path) -> None:
    soon = datetime.now(UTC) + timedelta(hours=12)
    path = _backup(
        tmp_path, "ok.json", read_at="1990-01-01T00:00:00+00:00", starred_at=soon.isoformat()
    )
    got = read_file(path)
    assert got.warnings == []
    assert got.states == {"j3": ArticleState(631152000.0, soon.timestamp())}
    # A YAML timestamp (unquoted in front matter) is an ISO 8601 time too.
    md = tmp_path / "m.md"
    md.write_text("---\ntitle: T\nid: m1\nread_at: 2024-03-01T10:00:00Z\n---\n\nBody.\n")
    got = read_file(md)
    assert got.warnings == [] and got.states == {"m1": ArticleState(read_at=1709287200.0)}


def test_a_backup_time_out_of_range_never_breaks_add_or_export(tmp_path: Path) -> None:
    """The reviewer's file: accepted by add with a warning, and export goes on working."""
    home = tmp_path / "home"
    path = _backup(tmp_path, "j3.json", read_at="9999-12-31T23:59:59-23:59")
    added = run_cli("add", str(path), home=home)
    assert added.returncode == 0, added.stderr
    assert f"{path}: ignored read_at '9999-12-31T23:59:59-23:59'" in added.stderr
    exported = run_cli("export", home=home, check=True)
    assert json.loads(exported.stdout)[0]["read_at"] is None
    for fmt in ("json", "markdown"):
        run_cli("export", "--format", fmt, "--out", str(tmp_path / fmt), home=home, check=True)
        assert len(list((tmp_path / fmt).iterdir())) == 1


def test_export_writes_an_unrepresentable_stored_time_as_null(tmp_path: Path) -> None:
    """A library written before times were checked may hold any number: export writes
    null for one no date can hold, and list still lists."""
    home = tmp_path / "home"
    home.mkdir()
    with Library(home / "library.sqlite3") as lib:
        lib.store([Article(id="far", title="Far", body="b")])
        lib._db.execute(
            "UPDATE articles SET read_at = 253402387199.0, starred_at = 1e300, "
            "sort_ts = 253402387199.0"
        )
    exported = run_cli("export", home=home, check=True)
    (item,) = json.loads(exported.stdout)
    assert item["read_at"] is None and item["starred_at"] is None
    for fmt in ("json", "markdown"):
        run_cli("export", "--format", fmt, "--out", str(tmp_path / fmt), home=home, check=True)
    listed = run_cli("list", "--json", home=home, check=True)
    assert json.loads(listed.stdout)[0]["time"] is None
    assert "Far" in run_cli("list", home=home, check=True).stdout


def test_a_publication_time_past_year_9999_in_utc_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "p1.json"
    path.write_text(
        json.dumps(
            {"id": "p1", "title": "x", "body": "b", "published": "9999-12-31T23:59:59-23:59"}
        ),
        encoding="utf-8",
    )
    got = read_file(path)
    assert got.articles[0].published is None


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
                        "read_at": "2001-09-09T01:46:40+00:00",
                        "starred_at": "2017-07-14T02:40:00+00:00",
                    },
                    {
                        "id": "a2",
                        "title": "Starred here",
                        "body": "b",
                        "read_at": "2020-09-13T12:26:40+00:00",
                        "starred_at": None,
                    },
                ]
            ),
            encoding="utf-8",
        )
        report = import_paths(lib, [str(tmp_path / "x.json")])
        assert report.ok
        # What the library had stays; what it lacked comes from the export.
        assert lib.state("a1") == (have_a1[0], 1_500_000_000.0)
        assert lib.state("a2") == (1_600_000_000.0, have_a2[1])


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


# -- what was deleted stays deleted after a restore ----------------------------------


def test_a_restore_on_a_new_machine_does_not_bring_back_deleted_or_pruned_items(
    tmp_path: Path,
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    backup = tmp_path / "backup"
    with FetchServer() as server:
        feed = server.url("/a.xml")
        server.add("/a.xml", rss("Alpha News", ITEMS), content_type="application/rss+xml")
        ok("add", feed, home=old)
        with Library(old / "library.sqlite3") as lib:
            ids = {r.title: r.id for r in lib.rows()}
        ok("delete", ids["Bridge reopens"], home=old)
        ok("prune", "--keep-per-feed", "2", home=old)  # Ferry delayed (the oldest left) goes
        with Library(old / "library.sqlite3") as lib:
            kept = {r.title for r in lib.rows()}
        assert len(kept) == 2 and "Bridge reopens" not in kept
        gone = set(ids) - kept

        # Old machine: the three exports; a folder export carries the deletions too.
        (tmp_path / "all.json").write_text(ok("export", home=old).stdout, encoding="utf-8")
        out = ok("export", "--deleted", home=old)
        (tmp_path / "deleted.json").write_text(out.stdout, encoding="utf-8")
        assert "exported 2 deleted feed items" in out.stderr
        entries = json.loads(out.stdout)["deleted_articles"]
        assert {e["id"] for e in entries} == {ids[t] for t in gone}
        assert {e["feed_url"] for e in entries} == {feed}
        assert sorted(e["pruned"] for e in entries) == [False, True]
        (tmp_path / "feeds.opml").write_text(ok("export", "--opml", home=old).stdout, "utf-8")
        out = ok("export", "--out", str(backup), home=old)
        assert "and 2 deleted feed items (deleted-articles.json)" in out.stderr
        assert json.loads((backup / "deleted-articles.json").read_text())["deleted_articles"]

        # New machine: feeds, then the articles and the deletions, then a refresh.
        ok("import", str(tmp_path / "feeds.opml"), home=new)
        out = ok("add", str(tmp_path / "all.json"), str(tmp_path / "deleted.json"), home=new)
        assert "remembered 2 deleted or pruned feed items from the export" in out.stderr
        ok("refresh", home=new)
        with Library(new / "library.sqlite3") as lib:
            assert {r.title for r in lib.rows()} == kept
        # The folder export restores the same way; adding the deletions again adds none.
        other = tmp_path / "other"
        ok("import", str(tmp_path / "feeds.opml"), home=other)
        out = ok("add", str(backup), home=other)
        assert "remembered 2 deleted or pruned" in out.stderr
        out = ok("add", str(backup / "deleted-articles.json"), home=other)
        assert "remembered 0 deleted or pruned feed items" in out.stderr
        assert "(2 already known)" in out.stderr
        ok("refresh", home=other)
        with Library(other / "library.sqlite3") as lib:
            assert {r.title for r in lib.rows()} == kept


def test_a_deletions_file_with_bad_entries_keeps_the_good_ones(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = tmp_path / "deleted.json"
    path.write_text(
        json.dumps(
            {
                "deleted_articles": [
                    {"id": "abc123", "deleted_at": "2026-11-01T10:00:00+00:00", "url": "u"},
                    {"id": "", "deleted_at": "2026-11-01T10:00:00+00:00"},
                    {"id": "def456", "deleted_at": 1700000000},
                    {"id": "ghi789", "deleted_at": "3026-01-01T00:00:00+00:00"},
                    "not an object",
                ]
            }
        ),
        encoding="utf-8",
    )
    out = ok("add", str(path), home=home)
    assert "4 deleted articles left out" in out.stderr and str(path) in out.stderr
    assert "remembered 1 deleted or pruned feed item " in out.stderr
    out = ok("export", "--deleted", home=home)
    (entry,) = json.loads(out.stdout)["deleted_articles"]
    assert entry["id"] == "abc123" and entry["feed_url"] == "" and not entry["pruned"]


def test_restored_deletions_win_over_items_a_refresh_brought_back_first(tmp_path: Path) -> None:
    """On the new machine the feeds were refreshed before the restore (or an old
    export folder still holds files of since-deleted articles): the deletions the
    export carries take those articles away again, unless they are starred."""
    old, new = tmp_path / "old", tmp_path / "new"
    backup = tmp_path / "backup"
    with FetchServer() as server:
        feed = server.url("/a.xml")
        server.add("/a.xml", rss("Alpha News", ITEMS), content_type="application/rss+xml")
        ok("add", feed, home=old)
        ok("export", "--out", str(backup), home=old)  # an older backup: all four items
        with Library(old / "library.sqlite3") as lib:
            ids = {r.title: r.id for r in lib.rows()}
        ok("delete", ids["Bridge reopens"], ids["Ferry delayed"], ids["Rain"], home=old)
        ok("export", "--out", str(backup), home=old)  # the same folder again
        (tmp_path / "feeds.opml").write_text(ok("export", "--opml", home=old).stdout, "utf-8")

        ok("import", str(tmp_path / "feeds.opml"), home=new)
        ok("refresh", home=new)  # before the restore: all four come back
        with Library(new / "library.sqlite3") as lib:
            lib.set_starred(ids["Rain"], True)  # starred here: kept
        out = ok("add", str(backup), home=new)
        assert "removed 2 articles that had been deleted or pruned" in out.stderr
        assert "kept 1 article the export names as deleted" in out.stderr
        with Library(new / "library.sqlite3") as lib:
            assert {r.title for r in lib.rows()} == {"Tram strike", "Rain"}
        ok("refresh", home=new)
        with Library(new / "library.sqlite3") as lib:
            assert {r.title for r in lib.rows()} == {"Tram strike", "Rain"}


def test_export_out_mistakes_are_one_line_and_stale_files_are_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli("add", str(_brief_file(tmp_path)), home=home, check=True)
    folder = tmp_path / "folder"
    folder.mkdir()
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for args in (
        ["--opml", "--out", str(folder)],
        ["--deleted", "--out", str(folder)],
        ["--opml", "--out", str(tmp_path / "new") + "/"],
        ["--out", str(afile)],
    ):
        out = run_cli("export", *args, home=home)
        assert out.returncode == 2, (args, out.stderr)
        line = out.stderr.strip().splitlines()[-1]  # (after the usage line)
        assert "Traceback" not in out.stderr and "--out" in line, line
    assert not (tmp_path / "new").exists() and afile.read_text(encoding="utf-8") == "x"
    both = run_cli("export", "--deleted", "--opml", home=home)  # (two exports: not one)
    assert both.returncode == 2 and "two exports" in both.stderr and not both.stdout
    out = run_cli("export", "--opml", "--out", str(tmp_path / "no" / "such" / "f.opml"), home=home)
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("briefreader: cannot write") and "No such file" in line
    # A folder holding an earlier export's files: named, left as they are.
    (folder / "old-story-abc.json").write_text("{}", encoding="utf-8")
    out = run_cli("export", "--out", str(folder), home=home, check=True)
    assert "also holds 1 file this export did not write" in out.stderr
    assert (folder / "old-story-abc.json").exists()
    out = run_cli("export", "--out", str(tmp_path / "empty"), home=home, check=True)
    assert "also holds" not in out.stderr


def _brief_file(tmp_path: Path) -> Path:
    path = tmp_path / "brief.md"
    path.write_text("# Harbour cranes idle\n\nThe cranes stood still all week.\n", "utf-8")
    return path


def test_an_export_added_before_its_feeds_says_how_to_link_them(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    with Library(old / "library.sqlite3") as lib:
        feed, _ = lib.add_feed("https://site.example/feed.xml", title="Site")
        lib.store(
            [
                Article(id=f"s{n}", title=f"Story {n}", url=f"https://site.example/{n}")
                for n in (1, 2)
            ],
            feed_id=feed.id,
        )
    (tmp_path / "all.json").write_text(ok("export", home=old).stdout, encoding="utf-8")
    (tmp_path / "feeds.opml").write_text(ok("export", "--opml", home=old).stdout, "utf-8")
    out = ok("add", str(tmp_path / "all.json"), home=new)  # the feeds not imported yet
    assert (
        "2 articles came from 1 feed not followed here (such as https://site.example/feed.xml)"
        in out.stderr
    )
    assert "import the feeds first" in out.stderr
    ok("import", str(tmp_path / "feeds.opml"), home=new)
    out = ok("add", str(tmp_path / "all.json"), home=new)
    assert "not followed here" not in out.stderr
    with Library(new / "library.sqlite3") as lib:
        assert {s.feed_url for s in lib.states().values()} == {"https://site.example/feed.xml"}
        assert len(lib.states()) == 2


def test_a_failed_export_leaves_the_backup_it_was_replacing(tmp_path: Path) -> None:
    """An export into a file is written beside it and renamed over it: a write that
    fails (here, text the encoding cannot hold; a full disk alike) leaves yesterday's
    backup whole, and no half-written file."""
    old = tmp_path / "deleted.json"
    old.write_text('{"deleted_articles": []}\n', encoding="utf-8")
    old.chmod(0o640)
    with pytest.raises(UnicodeEncodeError):
        write_whole(old, "x" * 100_000 + "\ud800")
    assert old.read_text(encoding="utf-8") == '{"deleted_articles": []}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["deleted.json"]
    write_whole(old, "new\n")
    assert old.read_text(encoding="utf-8") == "new\n"
    assert old.stat().st_mode & 0o777 == 0o640  # (its mode kept)
    home = tmp_path / "home"
    run_cli("add", str(_brief_file(tmp_path)), home=home, check=True)
    folder = tmp_path / "backup"
    run_cli("export", "--out", str(folder), home=home, check=True)
    (written,) = folder.iterdir()
    assert written.suffix == ".json"
    umask = os.umask(0o022)
    os.umask(umask)
    assert written.stat().st_mode & 0o777 == 0o666 & ~umask  # (as write_text)


def test_an_export_file_follows_the_umask_links_and_pipes(tmp_path: Path) -> None:
    """A new file is as the umask says (a private umask keeps backups private); a
    symbolic link is written through, not replaced; a pipe (or /dev/stdout) is
    written to, not replaced by a plain file."""
    import os
    import stat

    old = os.umask(0o077)
    try:
        write_whole(tmp_path / "private.json", "{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "private.json").stat().st_mode & 0o777 == 0o600
    real = tmp_path / "real.opml"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.opml"
    link.symlink_to(real)
    write_whole(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_whole(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
