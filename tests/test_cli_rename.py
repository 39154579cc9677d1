"""One name per feed: ``briefreader rename URL NAME`` (and the library under it) gives a
feed the user's own name, shown wherever the feed or its articles are named (the
list's rows, the article, the feeds list); an empty name goes back to the feed's own
title.  An OPML file's names count as the user's, and the OPML export carries them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from testkit import CliResult, run_cli

from briefreader.model import Article
from briefreader.store import SCHEMA_VERSION, Library

URL = "https://alpha.example/feed.xml"


def cli(*args: str, home: Path, check: bool = False) -> CliResult:
    return run_cli(*args, home=home, check=check)


def _articles(source: str = "Alpha Channel Title") -> list[Article]:
    return [
        Article(id=f"a{n}", title=f"Harbour story {n}", body="Text.", source=source) for n in (1, 2)
    ]


def _library(home: Path) -> Path:
    """A library with one feed (its own title "Alpha News") whose items name their
    channel "Alpha Channel Title", and one article from a file."""
    path = home / "library.sqlite3"
    with Library(path) as library:
        feed, _ = library.add_feed(URL, title="Alpha News", tags=["world"])
        library.store(_articles(), feed_id=feed.id)
        library.store([Article(id="f1", title="From a file", body="x", source="Desk Notes")])
    return path


def test_a_feed_s_articles_carry_the_feed_s_one_name_and_a_rename_wins(tmp_path: Path) -> None:
    path = _library(tmp_path)
    with Library(path) as library:
        # Before any rename: the feed's title, not the channel's name the items carry.
        assert {r.id: r.source for r in library.rows()} == {
            "a1": "Alpha News",
            "a2": "Alpha News",
            "f1": "Desk Notes",
        }
        assert library.feeds()[0].name == "Alpha News"
        renamed = library.rename_feed(URL, "  My \x1b[31mharbour  news ")
        assert renamed is not None and renamed.name == "My harbour news"
        assert renamed.title == "Alpha News"  # its own title is kept
        assert {r.id: r.source for r in library.rows()} == {
            "a1": "My harbour news",
            "a2": "My harbour news",
            "f1": "Desk Notes",
        }
        art = library.get("a1")
        assert art is not None and art.source == "My harbour news"
        assert [f.name for f in library.unread_counts().feeds] == ["My harbour news"]
        # Empty: back to the feed's own title.
        back = library.rename_feed(URL, "")
        assert back is not None and back.name == "Alpha News" and back.user_title == ""
        assert library.row("a1") is not None and library.row("a1").source == "Alpha News"  # type: ignore[union-attr]
        assert library.rename_feed("https://nowhere.example/", "x") is None


def test_the_list_query_reads_the_feed_by_its_key(tmp_path: Path) -> None:
    """The name costs one primary-key lookup a row (the list reads 256 rows at a time)."""
    path = _library(tmp_path)
    from briefreader.store.rows import ARTICLES_FROM, ROW_SELECT

    db = sqlite3.connect(path)
    plan = " | ".join(
        str(r[3])
        for r in db.execute(
            f"EXPLAIN QUERY PLAN {ROW_SELECT} {ARTICLES_FROM} WHERE a.rowid IN (1, 2, 3)"
        )
    )
    db.close()
    assert "SEARCH f USING INTEGER PRIMARY KEY" in plan, plan
    assert "SCAN f" not in plan


def test_rename_on_the_command_line_and_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _library(home)
    done = cli("rename", URL, "Harbour Watch", home=home)
    assert done.returncode == 0, done.stderr
    assert "now called Harbour Watch" in done.stderr
    [feed] = json.loads(cli("feeds", "--json", home=home, check=True).stdout)
    assert (feed["title"], feed["own_title"], feed["user_title"]) == (
        "Harbour Watch",
        "Alpha News",
        "Harbour Watch",
    )
    text = cli("feeds", home=home, check=True).stdout
    assert text.splitlines()[0].startswith("Harbour Watch  [")
    assert "its own title: Alpha News" in text
    listed = cli("list", home=home, check=True).stdout
    assert "(Harbour Watch)" in listed and "Alpha Channel Title" not in listed
    # `related` names each entry as the list does (it printed the items' channel name)
    hits = json.loads(cli("related", "a1", "--json", "--min-score", "0", home=home).stdout)
    assert hits and {h["source"] for h in hits if h["id"] == "a2"} == {"Harbour Watch"}
    shown = cli("related", "a1", "--min-score", "0", home=home, check=True).stdout
    assert "Harbour Watch" in shown and "Alpha Channel Title" not in shown
    done = cli("rename", URL, home=home)  # no name: its own title again
    assert done.returncode == 0 and "own title again: Alpha News" in done.stderr
    [feed] = json.loads(cli("feeds", "--json", home=home, check=True).stdout)
    assert feed["title"] == "Alpha News" and feed["user_title"] == ""
    missing = cli("rename", "https://nowhere.example/feed", "X", home=home)
    assert missing.returncode == 1 and "not subscribed" in missing.stderr


def test_the_opml_export_carries_the_rename_and_an_import_keeps_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _library(home)
    cli("rename", URL, "Harbour Watch", home=home, check=True)
    opml = tmp_path / "feeds.opml"
    cli("export", "--opml", "--out", str(opml), home=home, check=True)
    assert 'text="Harbour Watch"' in opml.read_text(encoding="utf-8")

    other = tmp_path / "other"
    cli("import", str(opml), home=other, check=True)
    with Library(other / "library.sqlite3") as library:
        [feed] = library.feeds()
        # The file's name is the user's: the feed's own title (learnt on its first
        # fetch) does not replace it.
        assert (feed.user_title, feed.title, feed.name) == ("Harbour Watch", "", "Harbour Watch")
        library.record_fetch(feed.id, ok=True, status=200, title="Alpha News")
        library.store(_articles(), feed_id=feed.id)
        assert library.feeds()[0].name == "Harbour Watch"
        assert {r.source for r in library.rows()} == {"Harbour Watch"}
        library.rename_feed(feed.id, "Mine")
    # Importing the file again does not undo a rename made since.
    cli("import", str(opml), home=other, check=True)
    with Library(other / "library.sqlite3") as library:
        assert library.feeds()[0].name == "Mine"


def test_a_schema_5_library_gets_the_column_and_reads_read_only(tmp_path: Path) -> None:
    from briefreader.store.schema import MIGRATIONS, split_sql

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:5]:
        for statement in split_sql(script):
            db.execute(statement)
    db.execute("INSERT INTO feeds(id, url, title, added_at) VALUES (1, ?, 'Alpha News', 0)", (URL,))
    db.execute("INSERT INTO sources(id, name) VALUES (1, 'Alpha Channel Title')")
    db.execute(
        "INSERT INTO articles(id, title, sort_ts, content_hash, added_at, updated_at, "
        "source_id, feed_id) VALUES ('a1', 'Old story', 1, 'h', 1, 1, 1, 1)"
    )
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    with Library(path, readonly=True) as library:  # checked, not migrated: still reads
        assert library.schema_version == 5
        assert [(f.name, f.user_title) for f in library.feeds()] == [("Alpha News", "")]
        assert [r.source for r in library.rows()] == ["Alpha News"]
        assert [f.name for f in library.unread_counts().feeds] == ["Alpha News"]
    with Library(path) as library:
        assert library.schema_version == SCHEMA_VERSION
        library.rename_feed(URL, "Harbour Watch")
        assert [r.source for r in library.rows()] == ["Harbour Watch"]
