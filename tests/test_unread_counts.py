"""The feeds pane's store side: unread counts in all, per tag and per feed, marking a
feed or a tag read, and the index that keeps both cheap at 100,000 articles."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefreader.model import Article, article_id
from briefreader.store import SCHEMA_VERSION, FeedCount, Library

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def make(n: int) -> Article:
    return Article(
        id=article_id(url=f"https://news.example/{n}"),
        title=f"Story {n}",
        url=f"https://news.example/{n}",
        source="Harbour Ledger",
        published=T0 + timedelta(hours=n),
        body=f"Body of story {n}.",
    )


def build(path: Path) -> dict[str, int]:
    """Alpha (tags local, news): 3 articles; Beta (local): 2; Gamma (no tags): none;
    2 articles from files.  One of Alpha's and one file article are read."""
    with Library(path) as library:
        alpha, _ = library.add_feed(
            "https://alpha.example/feed", title="Alpha", tags=["local", "news"]
        )
        beta, _ = library.add_feed("https://beta.example/feed", title="Beta", tags=["local"])
        gamma, _ = library.add_feed("https://gamma.example/feed")
        library.store([make(0), make(1), make(2)], feed_id=alpha.id)
        library.store([make(3), make(4)], feed_id=beta.id)
        library.store([make(5), make(6)])
        library.set_read(make(0).id)
        library.set_read(make(5).id)
        return {"alpha": alpha.id, "beta": beta.id, "gamma": gamma.id}


def test_unread_counts_in_all_per_tag_and_per_feed(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    ids = build(path)
    with Library(path, readonly=True) as library:
        counts = library.unread_counts()
    assert counts.total == 5  # every unread article, from files too
    assert counts.tags == (("local", 4), ("news", 2))
    assert counts.feeds == (
        FeedCount(ids["alpha"], "Alpha", ("local", "news"), 2),
        FeedCount(ids["beta"], "Beta", ("local",), 2),
        FeedCount(ids["gamma"], "https://gamma.example/feed", (), 0),  # untitled: its URL
    )


def test_unread_counts_of_an_empty_library(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.sqlite3") as library:
        counts = library.unread_counts()
    assert (counts.total, counts.tags, counts.feeds) == (0, (), ())


def test_mark_feeds_read_marks_only_those_feeds_and_returns_their_ids(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    ids = build(path)
    with Library(path) as library:
        changed = library.mark_feeds_read([ids["alpha"]])
        assert sorted(changed) == sorted(make(n).id for n in (1, 2))  # 0 was read already
        assert library.mark_feeds_read([ids["alpha"]]) == []  # nothing left to mark
        counts = library.unread_counts()
        assert counts.total == 3
        assert counts.tags == (("local", 2), ("news", 0))
        assert library.mark_feeds_read([]) == []
        everything = library.mark_feeds_read(None)  # "All": every article, files too
        assert sorted(everything) == sorted(make(n).id for n in (3, 4, 6))
        assert library.unread_counts().total == 0
        assert library.count("unread") == 0
        # What the app's undo does with them: exactly those unread again.
        assert library.set_state(changed, read=False) == 2
        assert library.unread_counts().feeds[0].unread == 2


def test_the_counts_and_the_marking_read_only_the_unread_index(tmp_path: Path) -> None:
    """Neither reads an article row: at 100,000 articles the counts take ~5 ms with
    the index (a scan of the unread articles' feed ids), ~300 ms without it."""
    path = tmp_path / "lib.sqlite3"
    build(path)
    db = sqlite3.connect(path)
    plan = " ".join(
        str(r[3])
        for r in db.execute(
            "EXPLAIN QUERY PLAN "
            "SELECT feed_id, count(*) FROM articles WHERE read_at IS NULL GROUP BY feed_id"
        )
    )
    assert "articles_unread_by_feed" in plan and "TEMP B-TREE" not in plan
    plan = " ".join(
        str(r[3])
        for r in db.execute(
            "EXPLAIN QUERY PLAN "
            "UPDATE articles SET read_at = 1 WHERE read_at IS NULL AND feed_id IN (1, 2)"
        )
    )
    assert "articles_unread_by_feed" in plan
    db.close()


def test_an_older_library_gets_the_index(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    build(path)
    db = sqlite3.connect(path)
    db.execute("DROP INDEX articles_unread_by_feed")
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    with Library(path, readonly=True) as library:  # read-only: checked, not migrated
        assert library.unread_counts().total == 5  # (slower, still right)
    with Library(path) as library:
        assert library.schema_version == SCHEMA_VERSION
        assert library.unread_counts().total == 5
    db = sqlite3.connect(path)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
    assert "articles_unread_by_feed" in names
