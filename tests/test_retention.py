"""Retention (store/retention.py): what goes, what never does, tombstones that keep a
pruned item from coming back, the search/related/sync rows cleaned with it, batches;
the command line's ``prune`` and ``refresh`` applying the config over a real feed."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fetchserver import FetchServer
from testkit import run_cli

from briefreader.model import Article
from briefreader.store import Library
from briefreader.store.retention import DAY, TOMBSTONE_GRACE, Retention, prune, touch_feed
from briefreader.store.sync import SyncStore

FEED = "https://news.example/feed.xml"


def item(n: int, *, days_old: float, origin: str = FEED, word: str = "") -> Article:
    return Article(
        id=f"item-{n}",
        title=f"Story {n} {word}".strip(),
        url=f"https://news.example/{n}",
        published=datetime.now(UTC) - timedelta(days=days_old),
        body=f"Harbour works number {n} continue {word}. " * 20,
        origin=origin,
    )


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "lib.sqlite3")
    yield library
    library.close()


def feed_with(lib: Library, ages: list[float], url: str = FEED) -> int:
    feed, _ = lib.add_feed(url)
    lib.store([item(n, days_old=a) for n, a in enumerate(ages)], feed_id=feed.id)
    return feed.id


def ids(lib: Library) -> set[str]:
    return {r.id for r in lib.rows()}


# -- what goes and what stays ------------------------------------------------------------


def test_keep_days_prunes_old_feed_items_only_when_arrival_is_old_too(lib: Library) -> None:
    feed_with(lib, [1, 10, 40, 50])
    # Just arrived: an old item of a feed subscribed today stays keep_days.
    assert prune(lib, Retention(keep_days=30)).articles == 0
    later = time.time() + 31 * DAY  # a month on: items 2 and 3 were published 70+ days ago
    report = prune(lib, Retention(keep_days=30), now=later)
    # All four arrived 31 days before `later`: those published > 30 days before go.
    assert ids(lib) == set()
    assert report.articles == 4
    assert report.feeds[0].bytes > 4 * 500


def test_keep_days_spares_recent_items(lib: Library) -> None:
    feed_with(lib, [1, 10, 40, 50])
    lib._db.execute("UPDATE articles SET added_at = added_at - 100 * 86400")  # long arrived
    prune(lib, Retention(keep_days=100))
    assert ids(lib) == {"item-0", "item-1", "item-2", "item-3"}
    prune(lib, Retention(keep_days=30))  # published 1 and 10 days ago: kept
    assert ids(lib) == {"item-0", "item-1"}


def test_never_pruned_starred_local_edited_samples_and_downloads(
    lib: Library, tmp_path: Path
) -> None:
    feed_id = feed_with(lib, [40, 41, 42, 43, 44, 45])
    lib.set_starred("item-0")
    # Edited and added back from a file: its content is the user's now.
    edited = item(1, days_old=41, origin=str(tmp_path / "story-1.md"), word="edited")
    lib.store([edited])
    # A local file's article with no feed at all.
    lib.store([item(99, days_old=400, origin=str(tmp_path / "old.md"))])
    # An enclosure the reader downloaded.
    lib._db.execute(
        "INSERT INTO downloads(url, article_id, path, size, complete, added_at) "
        "VALUES ('https://news.example/a.mp3', 'item-2', 'a.mp3', 10, 1, 0)"
    )
    lib.store([item(7, days_old=500)], sample=True)
    report = prune(lib, Retention(keep_days=1), now=time.time() + 2 * DAY)
    assert ids(lib) == {"item-0", "item-1", "item-2", "item-99", "item-7"}
    assert report.articles == 3
    assert lib.feed(feed_id) is not None


def test_keep_per_feed_keeps_the_newest_that_may_go(lib: Library) -> None:
    a = feed_with(lib, [1, 2, 3, 4, 5, 6])
    lib.set_starred("item-5")  # the oldest, starred: stays and does not count
    b, _ = lib.add_feed("https://other.example/feed.xml")
    lib.store([item(n, days_old=n - 10) for n in range(10, 14)], feed_id=b.id)
    report = prune(lib, Retention(keep_per_feed=2))
    assert ids(lib) == {"item-0", "item-1", "item-5", "item-10", "item-11"}
    assert {f.feed_id: f.articles for f in report.feeds} == {a: 3, b.id: 2}


def test_per_feed_setting_by_url_wins(lib: Library) -> None:
    feed_with(lib, [1, 2, 3, 4])
    other, _ = lib.add_feed("https://other.example/feed.xml")
    lib.store([item(n, days_old=1) for n in range(10, 14)], feed_id=other.id)
    retention = Retention(keep_per_feed=1, per_feed={FEED: (None, 0)})
    prune(lib, retention)
    # FEED's own keep_per_feed = 0 (no limit) wins over the general 1; the other keeps 1.
    kept = ids(lib)
    assert {"item-0", "item-1", "item-2", "item-3"} <= kept
    assert len(kept) == 5


def test_dry_run_changes_nothing(lib: Library) -> None:
    feed_with(lib, [1, 2, 3, 4])
    report = prune(lib, Retention(keep_per_feed=1), dry_run=True)
    assert report.articles == 3 and report.dry_run
    assert "would go" in report.line()
    assert len(ids(lib)) == 4
    assert lib._db.execute("SELECT count(*) FROM deleted_articles").fetchone()[0] == 0


# -- a pruned item does not come back ------------------------------------------------------


def test_pruned_item_a_feed_still_serves_does_not_come_back(lib: Library) -> None:
    feed, _ = lib.add_feed(FEED)
    served = [item(n, days_old=n + 1) for n in range(4)]
    lib.store(served, feed_id=feed.id)
    prune(lib, Retention(keep_per_feed=2))
    again = lib.store(served, feed_id=feed.id)
    assert again.added == 0 and again.updated == 0
    assert ids(lib) == {"item-0", "item-1"}
    # The user adding it on purpose (no feed) brings it back, as after a delete.
    lib.store([item(3, days_old=4)])
    assert "item-3" in ids(lib)


def test_tombstones_stay_while_served_and_go_after(lib: Library) -> None:
    feed_id = feed_with(lib, [1, 2, 3, 4])
    prune(lib, Retention(keep_per_feed=2))

    def tombstones() -> set[str]:
        return {str(r[0]) for r in lib._db.execute("SELECT id FROM deleted_articles")}

    assert tombstones() == {"item-2", "item-3"}
    now = time.time()
    # Weeks on, the feed never fetched since (the app not run): they stay.
    assert prune(lib, Retention(keep_per_feed=2), now=now + 30 * DAY).tombstones_dropped == 0
    # Fetched a month later and still serving item-2 (a 304 for the rest counts too).
    lib._db.execute(
        "UPDATE deleted_articles SET seen_at = ? WHERE id = 'item-2'", (now + 30 * DAY,)
    )
    lib._db.execute("UPDATE feeds SET last_ok = ? WHERE id = ?", (now + 30 * DAY, feed_id))
    report = prune(lib, Retention(keep_per_feed=2), now=now + 30 * DAY)
    assert report.tombstones_dropped == 1
    assert tombstones() == {"item-2"}
    # A 304 keeps the rest.
    touch_feed(lib, feed_id, now + 60 * DAY)
    lib._db.execute("UPDATE feeds SET last_ok = ? WHERE id = ?", (now + 61 * DAY, feed_id))
    assert prune(lib, Retention(keep_per_feed=2), now=now + 61 * DAY).tombstones_dropped == 0
    lib._db.execute("UPDATE feeds SET last_ok = ? WHERE id = ?", (now + 70 * DAY, feed_id))
    assert prune(lib, Retention(keep_per_feed=2), now=now + 70 * DAY).tombstones_dropped == 1
    assert now + 70 * DAY - (now + 60 * DAY) >= TOMBSTONE_GRACE


def test_store_touches_tombstones_of_items_still_served(lib: Library) -> None:
    feed_id = feed_with(lib, [1, 2, 3])
    prune(lib, Retention(keep_per_feed=1))
    lib._db.execute("UPDATE deleted_articles SET seen_at = 0")
    lib.store([item(2, days_old=3)], feed_id=feed_id)
    seen = dict(lib._db.execute("SELECT id, seen_at FROM deleted_articles").fetchall())
    assert seen["item-2"] > 0 and seen["item-1"] == 0


def test_user_deletes_keep_their_tombstones_until_the_feed_stops_serving(lib: Library) -> None:
    feed_id = feed_with(lib, [1, 2])
    lib.delete("item-1")
    row = lib._db.execute(
        "SELECT feed_id, seen_at, pruned FROM deleted_articles WHERE id = 'item-1'"
    ).fetchone()
    assert row[0] == feed_id and row[1] is not None and row[2] == 0
    assert lib.store([item(1, days_old=2)], feed_id=feed_id).added == 0


# -- everything hanging off an article goes with it ----------------------------------------


def test_search_related_and_fts_rows_go_with_the_article(lib: Library) -> None:
    feed, _ = lib.add_feed(FEED)
    arts = [item(n, days_old=n, word="zeppelin" if n >= 3 else "harbour") for n in range(6)]
    lib.store(arts, feed_id=feed.id)
    lib.index_related()
    assert {h.id for h in lib.search("zeppelin")} == {"item-3", "item-4", "item-5"}
    rowids = [r.rowid for r in lib.rows() if r.id in {"item-3", "item-4", "item-5"}]
    prune(lib, Retention(keep_per_feed=3))
    assert lib.search("zeppelin") == []
    marks = ",".join("?" * len(rowids))
    for table in ("related_docs", "related_postings", "related_pending"):
        left = lib._db.execute(
            f"SELECT count(*) FROM {table} WHERE doc IN ({marks})", rowids
        ).fetchone()[0]
        assert left == 0, table
    lib._db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def test_pruned_synced_items_stay_known_so_a_sync_does_not_fetch_them_again(
    lib: Library,
) -> None:
    feed_id = feed_with(lib, [1, 2, 3, 4])
    sync = SyncStore(lib)
    account, _ = sync.add_account("https://rss.example/api/greader.php", "me")
    sync.link_feed(account.id, "feed/1", feed_id)
    sync.map_items(account.id, [(f"r{n}", f"item-{n}", False, False) for n in range(4)])
    lib.set_read("item-3")  # a change queued for the server
    prune(lib, Retention(keep_per_feed=2))
    assert ids(lib) == {"item-0", "item-1"}
    # The server still lists r2, r3 (unread): known, so not asked for again.
    assert sync.known(account.id, ["r2", "r3", "r9"]) == {"r2", "r3"}
    # Reconciling sees only articles still here; the queued change is still pushed.
    assert {s.article_id for s in sync.item_states(account.id)} == {"item-0", "item-1"}
    assert [p.article_id for p in sync.pending(account.id)] == ["item-3"]


# -- batches -------------------------------------------------------------------------------


def test_a_big_prune_releases_the_write_lock_between_batches(lib: Library, tmp_path: Path) -> None:
    feed_id = feed_with(lib, [float(n % 50) for n in range(60)])
    other = sqlite3.connect(tmp_path / "lib.sqlite3", timeout=10, isolation_level=None)
    writes: list[int] = []

    def between() -> None:
        # Another writer gets the lock between two batches (it would wait otherwise).
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE feeds SET last_error = 'x' WHERE id = ?", (feed_id,))
        other.execute("COMMIT")
        writes.append(1)

    report = prune(lib, Retention(keep_per_feed=10), batch=7, between=between)
    assert report.articles == 50
    assert report.batches == 8  # ceil(50 / 7)
    assert len(writes) == 8
    other.close()


def test_prune_rechecks_inside_each_batch(lib: Library, tmp_path: Path) -> None:
    feed_with(lib, [float(n) for n in range(20)])
    other = Library(tmp_path / "lib.sqlite3")
    seen = threading.Event()

    def between() -> None:
        if not seen.is_set():
            other.set_starred("item-19")  # starred in the app while the prune runs
            seen.set()

    prune(lib, Retention(keep_per_feed=2), batch=5, between=between)
    other.close()
    assert ids(lib) == {"item-0", "item-1", "item-19"}


# -- the command line ---------------------------------------------------------------------


def rss(items: range) -> bytes:
    body = "".join(
        f"<item><title>Story {n}</title><link>https://site.example/{n}</link><guid>g{n}</guid>"
        f"<pubDate>Tue, {10 + n:02d} Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>Harbour works number {n} continue for weeks.</description></item>"
        for n in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Harbour</title>'
        f"<link>https://site.example/</link><description>d</description>{body}</channel></rss>"
    ).encode()


def test_refresh_applies_the_config_and_pruned_items_do_not_return(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("keep_per_feed = 3\n", encoding="utf-8")
    with FetchServer() as server:
        server.add("/feed.xml", rss(range(8)), content_type="application/rss+xml")
        url = server.url("/feed.xml")
        run_cli("add", url, home=home, check=True)
        listed = json.loads(run_cli("list", "--json", home=home, check=True).stdout)
        assert len(listed) == 8
        star = next(a["id"] for a in listed if a["title"] == "Story 0")
        run_cli("mark", star, "--star", home=home, check=True)
        out = run_cli("refresh", home=home, check=True)
        assert "4 articles pruned from 1 feed" in out.stderr, out.stderr
        titles = {a["title"] for a in json.loads(run_cli("list", "--json", home=home).stdout)}
        assert titles == {"Story 7", "Story 6", "Story 5", "Story 0"}
        # The feed still serves all eight: nothing comes back as new.
        out = run_cli("refresh", "--json", home=home, check=True)
        assert json.loads(out.stdout)["totals"]["new_items"] == 0
        assert len(json.loads(run_cli("list", "--json", home=home).stdout)) == 4


def test_prune_command_dry_run_then_real(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lib = Library(home / "library.sqlite3")
    feed_with(lib, [1, 2, 3, 4, 5])
    lib.close()
    out = run_cli("prune", "--dry-run", home=home, check=True)
    assert "retention is off" in out.stderr and "0 articles would go" in out.stderr
    out = run_cli("prune", "--dry-run", "--keep-per-feed", "2", home=home, check=True)
    assert f"{FEED}: 3 articles" in out.stdout
    assert "3 articles would go from 1 feed" in out.stderr
    assert len(json.loads(run_cli("list", "--json", home=home).stdout)) == 5
    (home / "config.toml").write_text("keep_per_feed = 2\n", encoding="utf-8")
    out = run_cli("prune", "--json", home=home, check=True)
    data = json.loads(out.stdout)
    assert data["articles"] == 3 and data["feeds"][0]["articles"] == 3 and not data["dry_run"]
    assert len(json.loads(run_cli("list", "--json", home=home).stdout)) == 2


def test_prune_with_no_library_creates_none(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = run_cli("prune", home=home)
    assert out.returncode == 0 and "nothing to prune" in out.stderr
    assert not (home / "library.sqlite3").exists()


# -- the config --------------------------------------------------------------------------


def test_config_retention_keys_and_hostile_values(tmp_path: Path) -> None:
    from briefreader.config import load_config
    from briefreader.housekeeping import retention_of

    path = tmp_path / "config.toml"
    path.write_text(
        "keep_days = 30\nkeep_per_feed = 200\n"
        f'[feeds."{FEED}"]\nkeep_days = 365\n'
        '[feeds."https://b.example/feed"]\nkeep_per_feed = 0\n',
        encoding="utf-8",
    )
    result = load_config(path)
    assert result.problems == []
    retention = retention_of(result.config)
    assert retention.for_feed(FEED) == (365, 200)
    assert retention.for_feed("https://b.example/feed") == (30, 0)
    assert retention.for_feed("https://c.example/feed") == (30, 200)
    path.write_text(
        'keep_days = "a month"\nkeep_per_feed = -5\nfeeds = 3\n',
        encoding="utf-8",
    )
    result = load_config(path)
    assert result.config.keep_days == 0 and result.config.keep_per_feed == 0
    assert result.config.feeds == {}
    assert len(result.problems) == 3 and all(str(path) in p for p in result.problems)
    path.write_text(
        "keep_days = nan\nkeep_per_feed = true\n"
        f'[feeds."{FEED}"]\nkeep_days = 1e300\nkeep_forever = 1\n',
        encoding="utf-8",
    )
    result = load_config(path)
    assert not retention_of(result.config).active
    assert len(result.problems) == 4
    assert any("keep_forever" in p for p in result.problems)


def test_unsubscribing_a_feed_keeps_what_no_removal_takes(lib: Library, tmp_path: Path) -> None:
    """``remove`` follows retention's rule (store/keep.py): starred, edited-and-added-
    back and downloaded articles stay without their feed; the rest go."""
    feed_id = feed_with(lib, [1, 2, 3, 4])
    lib.set_starred("item-0", True)
    lib.store(
        [item(1, days_old=2, origin=str(tmp_path / "story-1.md"), word="edited")], feed_id=feed_id
    )
    lib.record_download(
        "https://news.example/ep2.mp3", "item-2", str(tmp_path / "ep2.mp3"), 10, complete=True
    )
    assert lib.remove_feed(FEED) == 1
    assert ids(lib) == {"item-0", "item-1", "item-2"}
    assert lib.feed(FEED) is None
