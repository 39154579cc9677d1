"""The library's side of sync (schema 7, store/sync.py): the queue of local changes
written with the change itself, the server's changes applied without being queued
back, the item map, the account's feeds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from briefreader.model import Article
from briefreader.store import SCHEMA_VERSION, Library
from briefreader.store.sync import SyncStore

EP = "http://127.0.0.1:9/api/greader.php"


def _art(n: int) -> Article:
    return Article(
        id=f"art{n:04d}",
        title=f"Story {n}",
        url=f"https://example.org/{n}",
        body=f"Body {n}.",
        source="Feed",
        origin="https://example.org/f.xml",  # (a feed item's: its feed)
    )


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library(tmp_path / "lib.sqlite3")
    return library


def _setup(lib: Library, n: int = 5) -> tuple[SyncStore, int, int]:
    store = SyncStore(lib)
    account, new = store.add_account(EP, "ann")
    assert new
    store.set_feeds(account.id, [("feed/1", "https://example.org/f.xml", "F", "", ["Tech"])])
    feed_id = store.feed_ids(account.id)["feed/1"]
    lib.store([_art(i) for i in range(n)], feed_id=feed_id)
    store.map_items(account.id, [(str(100 + i), f"art{i:04d}", False, False) for i in range(n)])
    return store, account.id, feed_id


def test_a_local_change_is_queued_with_the_change(lib: Library) -> None:
    store, acct, _ = _setup(lib)
    assert store.pending(acct) == []  # the server's own state was not queued
    lib.set_read("art0000", True)
    lib.set_starred("art0001", True)
    lib.set_state(["art0002", "art0003"], read=True)
    got = {(p.article_id, p.kind, p.value) for p in store.pending(acct)}
    assert got == {
        ("art0000", "read", True),
        ("art0001", "star", True),
        ("art0002", "read", True),
        ("art0003", "read", True),
    }
    # the latest change of an article wins: one row per article and kind
    lib.set_read("art0000", False)
    rows = [p for p in store.pending(acct) if p.article_id == "art0000"]
    assert [(p.kind, p.value) for p in rows] == [("read", False)]
    assert rows[0].remote_ids == ("100",)
    # marking read what is read already changes nothing and queues nothing new
    before = store.pending(acct)
    lib.set_state(["art0002"], read=True)
    assert store.pending(acct) == before


def test_bulk_marks_are_queued(lib: Library) -> None:
    store, acct, _ = _setup(lib, 50)
    rowids = [r[0] for r in lib._db.execute("SELECT rowid FROM articles")]
    assert lib.mark_read_rowids(rowids) == 50
    assert len(store.pending(acct)) == 50


def test_articles_no_account_knows_are_not_queued(lib: Library) -> None:
    store, acct, _ = _setup(lib, 1)
    lib.store([Article(id="local1", title="Mine", body="x")])
    lib.set_read("local1", True)
    assert store.pending(acct) == []
    assert store.pending_count() == 0


def test_a_change_that_fails_queues_nothing(lib: Library) -> None:
    store, acct, _ = _setup(lib, 2)
    db = lib._db
    with pytest.raises(sqlite3.IntegrityError), lib._transaction():
        db.execute("UPDATE articles SET read_at = 1 WHERE id = 'art0000'")
        db.execute(
            "INSERT INTO sync_accounts(id, endpoint, username, added_at) VALUES (1, 'x', 'y', 0)"
        )  # fails: the id is taken
    assert store.pending(acct) == []
    assert lib.state("art0000") == (None, None)


def test_server_changes_are_not_queued_back(lib: Library) -> None:
    store, acct, _ = _setup(lib, 3)
    store.apply_remote(
        acct,
        changes=[("100", "art0000", True, None), ("101", "art0001", None, True)],
        snapshots=[("100", True, False), ("101", False, True)],
        dropped=[],
    )
    assert lib.state("art0000")[0] is not None
    assert lib.state("art0001")[1] is not None
    assert store.pending(acct) == []
    assert lib._db.execute("SELECT count(*) FROM sync_quiet").fetchone()[0] == 0
    states = {s.remote_id: s for s in store.item_states(acct)}
    assert states["100"].remote_read and states["100"].local_read
    assert states["101"].remote_starred and states["101"].local_starred


def test_pushed_drops_only_what_did_not_change_again(lib: Library) -> None:
    store, acct, _ = _setup(lib, 2)
    lib.set_read("art0000", True)
    lib.set_read("art0001", True)
    sent = store.pending(acct)
    lib._db.execute(
        "UPDATE sync_pending SET changed_at = changed_at + 5 WHERE article_id = 'art0001'"
    )  # art0001 changed again while the push was on its way
    store.pushed(acct, sent)
    left = store.pending(acct)
    assert [p.article_id for p in left] == ["art0001"]
    states = {s.remote_id: s for s in store.item_states(acct)}
    assert states["100"].remote_read


def test_feeds_follow_the_server(lib: Library) -> None:
    store, acct, feed_id = _setup(lib, 2)
    lib.set_starred("art0000", True)
    assert store.owned_feed_ids() == {feed_id}
    assert lib.feed(feed_id) is not None and lib.feed(feed_id).tags == ("Tech",)  # type: ignore[union-attr]
    added, removed = store.set_feeds(
        acct,
        [
            ("feed/1", "https://example.org/f.xml", "F", "", ["News", "Tech"]),
            ("feed/2", "https://example.org/g.xml", "G", "https://example.org/", []),
        ],
    )
    assert (added, removed) == (1, 0)
    assert lib.feed(feed_id).tags == ("News", "Tech")  # type: ignore[union-attr]
    added, removed = store.set_feeds(acct, [("feed/2", "https://example.org/g.xml", "G", "", [])])
    assert (added, removed) == (0, 1)
    assert lib.feed(feed_id) is None
    assert lib.get("art0000") is not None  # starred: kept
    assert lib.get("art0001") is None
    assert set(store.feed_ids(acct)) == {"feed/2"}


def test_a_local_feed_with_the_same_url_is_adopted(lib: Library) -> None:
    feed, _ = lib.add_feed("https://example.org/f.xml", title="Local")
    store = SyncStore(lib)
    account, _ = store.add_account(EP, "ann")
    store.set_feeds(account.id, [("feed/9", "https://example.org/f.xml", "F", "", [])])
    assert store.feed_ids(account.id) == {"feed/9": feed.id}
    assert len(lib.feeds()) == 1


def test_remove_account(lib: Library) -> None:
    """The account's own feed goes with its articles but the starred one."""
    from briefreader.sync.items import server_article_id

    store = SyncStore(lib)
    account, _new = store.add_account(EP, "ann")
    url = "https://example.org/f.xml"
    store.set_feeds(account.id, [("feed/1", url, "F", "", ["Tech"])])
    feed_id = store.feed_ids(account.id)["feed/1"]
    ids = [server_article_id(url, str(100 + i)) for i in range(3)]
    lib.store([_art(i).with_changes(id=ids[i]) for i in range(3)], feed_id=feed_id)
    store.map_items(account.id, [(str(100 + i), ids[i], False, False) for i in range(3)])
    lib.set_starred(ids[2], True)
    lib.set_read(ids[1], True)
    plan = store.remove_account(account.id, server_article_id, dry_run=True)
    assert (plan.articles_removed, plan.articles_kept, plan.unsent) == (2, 1, 2)
    assert len(store.accounts()) == 1 and len(lib.feeds()) == 1  # (only counted)
    done = store.remove_account(account.id, server_article_id)
    assert done == plan
    assert (done.feeds_removed, done.feeds_released) == (1, 0)
    assert store.accounts() == []
    assert lib.feeds() == []
    assert [r[0] for r in lib._db.execute("SELECT id FROM articles")] == [ids[2]]
    assert store.pending_count() == 0
    assert lib._db.execute("SELECT count(*) FROM sync_items").fetchone()[0] == 0


def test_find_account(lib: Library) -> None:
    store = SyncStore(lib)
    a, _ = store.add_account(EP, "ann")
    b, _ = store.add_account(EP, "bob")
    assert store.add_account(EP, "ann") == (a, False)
    assert store.find_account(f"ann@{EP}") == [a]
    assert store.find_account(EP) == [a, b]
    assert store.find_account(EP + "/") == [a, b]
    assert store.find_account(str(b.id)) == [b]
    assert store.find_account("nobody") == []


def test_migration_from_schema_6(tmp_path: Path) -> None:
    from briefreader.store.schema import MIGRATIONS, split_sql

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:6]:
        for statement in split_sql(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 6")
    db.execute("INSERT INTO feeds(url, added_at) VALUES ('https://example.org/f.xml', 0)")
    db.close()
    with Library(path) as library:
        assert library.schema_version == SCHEMA_VERSION >= 7
        assert SyncStore(library).accounts() == []
        assert len(library.feeds()) == 1
    # opening again (and re-running the step on a file that has it) is harmless
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA user_version = 6")
    db.close()
    with Library(path) as library:
        assert library.schema_version == SCHEMA_VERSION


def test_migration_to_schema_12_keeps_accounts_and_finds_adopted_feeds(tmp_path: Path) -> None:
    """sync_feeds is rebuilt (one feed may belong to several accounts); a feed added
    before its account counts as adopted (account remove gives it back)."""
    from briefreader.store.schema import MIGRATIONS, split_sql

    path = tmp_path / "v11.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:11]:
        for statement in split_sql(script):
            db.execute(statement)
    db.execute("PRAGMA user_version = 11")
    db.execute(
        "INSERT INTO sync_accounts(id, endpoint, username, added_at) VALUES (1, ?, 'a', 100)", (EP,)
    )
    db.execute(
        "INSERT INTO feeds(id, url, tags, added_at) VALUES (1, 'https://e.org/a', 'Mine', 50)"
    )
    db.execute("INSERT INTO feeds(id, url, added_at) VALUES (2, 'https://e.org/b', 200)")
    db.execute("INSERT INTO sync_feeds(account_id, stream_id, feed_id) VALUES (1, 'feed/1', 1)")
    db.execute("INSERT INTO sync_feeds(account_id, stream_id, feed_id) VALUES (1, 'feed/2', 2)")
    db.close()
    with Library(path) as library:
        rows = library._db.execute(
            "SELECT feed_id, adopted_at FROM sync_feeds ORDER BY feed_id"
        ).fetchall()
        assert rows == [(1, 100.0), (2, None)]
        store = SyncStore(library)
        other, _new = store.add_account(EP, "b")
        store.link_feed(other.id, "feed/9", 1)  # (one feed, two accounts: allowed now)
        assert [a.username for a, _s in store.feed_owners(1)] == ["a", "b"]
        assert "url" in {r[1] for r in library._db.execute("PRAGMA table_info(deleted_articles)")}
