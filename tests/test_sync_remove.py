"""Removing an account keeps what the user had (issue 13): a feed followed here
before the account adopted it goes back to being a local feed with its articles and
their state; the account's own feeds go with their articles except starred and
edited ones; one transaction.  An item deleted here stays deleted when its feed is
adopted by an account whose server tells only its link (FreshRSS).  Two accounts
following one feed share it: one article per item, changes reach both servers."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import signal
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from freshrss_server import GROUP, FeedSite, FreshRSS
from freshrss_server import freshrss as freshrss
from freshrss_server import freshrss_session as freshrss_session
from freshrss_server import site as site
from test_sync_cli import Cli

from briefreader.fetch.greader import READ, READING_LIST, STARRED, GReaderClient
from briefreader.model import Article
from briefreader.refresh import refresh_feeds
from briefreader.store import Library
from briefreader.store.sync import SyncStore
from briefreader.sync import add_account, remove_account, sync_accounts
from briefreader.sync.engine import SyncReport
from briefreader.sync.items import server_article_id

on_freshrss = pytest.mark.xdist_group(GROUP)


@pytest.fixture
def server(freshrss: FreshRSS) -> FreshRSS:
    """A FreshRSS user of the test's own (no feeds) on the process's server."""
    return freshrss


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFREADER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BRIEFREADER_KEYRING", "off")
    return tmp_path / "home"


@pytest.fixture
def lib(home: Path) -> Iterator[Library]:
    with Library(home / "library.sqlite3") as library:
        yield library


def _sync(lib: Library) -> list[SyncReport]:
    reports = asyncio.run(sync_accounts(lib))
    assert all(r.ok for r in reports), [r.error for r in reports]
    return reports


def _add(lib: Library, server: FreshRSS) -> int:
    account, _new, _where = asyncio.run(
        add_account(lib, server.endpoint, server.user, server.api_password)
    )
    return account.id


def _articles(lib: Library, feed_id: int | None) -> dict[str, str]:
    """``{title: id}`` of a feed's articles (titles unique: nothing doubled)."""
    rows = lib._db.execute("SELECT title, id FROM articles WHERE feed_id IS ?", (feed_id,))
    pairs = [(str(t), str(i)) for t, i in rows]
    assert len({t for t, _ in pairs}) == len(pairs), pairs
    return dict(pairs)


def _subscribe(server: FreshRSS, url: str, folder: str = "") -> str:
    async def go(c: GReaderClient) -> str:
        return await c.subscribe(url, folder=folder)

    return str(server.run(go))


def _by_title(server: FreshRSS) -> dict[str, str]:
    async def go(c: GReaderClient) -> dict[str, str]:
        from briefreader.fetch.greader import short_item_id

        ids = (await c.item_ids(READING_LIST)).ids
        return {i["title"]: str(short_item_id(i["id"])) for i in await c.item_contents(ids)}

    return server.run(go)  # type: ignore[return-value]


def _ids(server: FreshRSS, stream: str, exclude: str | None = None) -> set[str]:
    async def go(c: GReaderClient) -> list[str]:
        return (await c.item_ids(stream, exclude=exclude)).ids

    found: list[str] = server.run(go)  # type: ignore[assignment]
    return set(found)


def _sync_rows(lib: Library) -> int:
    return sum(
        int(lib._db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        for t in ("sync_accounts", "sync_feeds", "sync_items", "sync_pending")
    )


@on_freshrss
def test_account_remove_gives_back_the_feeds_followed_before(
    server: FreshRSS, site: FeedSite, home: Path, tmp_path: Path
) -> None:
    mine = site.put_feed("rm-mine", 4)
    theirs = site.put_feed("rm-theirs", 4)
    path = home / "library.sqlite3"
    with Library(path) as lib:
        feed, _new = lib.add_feed(mine, tags=["Own tag"])
        assert asyncio.run(refresh_feeds(lib)).outcomes[0].added == 4
        before = _articles(lib, feed.id)
        lib.set_read(before["rm-mine story 0"], True)
        lib.set_starred(before["rm-mine story 1"], True)
        _subscribe(server, mine, folder="Srv")
        _subscribe(server, theirs)
        _add(lib, server)
        _sync(lib)
        assert [f.id for f in lib.feeds() if f.url == mine] == [feed.id]  # adopted
        # two more items of the adopted feed come by the server (its copies)
        site.put_feed("rm-mine", 6)
        server.actualize()
        _sync(lib)
        assert len(_articles(lib, feed.id)) == 6
        (own_feed,) = [f for f in lib.feeds() if f.url == theirs]
        own = _articles(lib, own_feed.id)
        lib.set_starred(own["rm-theirs story 0"], True)
        lib.set_read(own["rm-theirs story 1"], True)
        edited = lib.get(own["rm-theirs story 2"])
        assert edited is not None  # exported, edited and added back: its origin a path
        lib.store([edited.with_changes(body="My own notes.", origin=str(tmp_path / "e.md"))])
        lib.set_read(before["rm-mine story 2"], True)  # (a change not yet sent)
        states = {i: lib.state(i) for i in before.values()}

    cli = Cli(home)
    out = cli("account", "remove", f"{server.user}@{server.endpoint}")
    lines = out.stderr.splitlines()
    assert len(lines) == 2, lines
    assert "removed account" in lines[0] and server.api_password not in out.stderr
    assert "1 feed and 4 articles removed" in lines[1]  # rm-theirs 1, 3; rm-mine's 4, 5
    assert "2 starred, edited or downloaded articles kept" in lines[1]
    assert "1 feed you followed before it stays as local feeds with their 4 articles" in lines[1]
    assert "3 changes not yet sent to it dropped" in lines[1]

    with Library(path) as lib:
        assert [(f.id, f.url) for f in lib.feeds()] == [(feed.id, mine)]
        assert set(lib.feed(feed.id).tags) == {"Own tag", "Srv"}  # type: ignore[union-attr]
        assert _articles(lib, feed.id) == before  # its own, not the server's copies
        assert {i: lib.state(i) for i in before.values()} == states
        kept = _articles(lib, None)  # the account's starred and edited: kept, feedless
        assert kept == {t: own[t] for t in ("rm-theirs story 0", "rm-theirs story 2")}
        assert lib.get(own["rm-theirs story 2"]).body.startswith("My own notes")  # type: ignore[union-attr]
        assert lib.state(own["rm-theirs story 0"])[1] is not None
        assert _sync_rows(lib) == 0
        # a local feed again: refresh fetches it, whole, and brings its newer items
        # back (as its own); nothing doubles
        site.reset_stats()
        report = asyncio.run(refresh_feeds(lib))
        assert [(o.status, o.added) for o in report.outcomes] == [("new", 2)]
        assert site.hits("/rm-mine.xml") == 1
        after = _articles(lib, feed.id)
        assert len(after) == 6 and {t: after[t] for t in before} == before


def _one_account(lib: Library, n: int = 3) -> tuple[SyncStore, int, list[str]]:
    """An account whose feed's items are stored as a sync stores them."""
    store = SyncStore(lib)
    account, _new = store.add_account("http://127.0.0.1:9/api/greader.php", "ann")
    url = "https://example.org/f.xml"
    store.set_feeds(account.id, [("feed/1", url, "F", "", [])])
    feed_id = store.feed_ids(account.id)["feed/1"]
    ids = [server_article_id(url, str(100 + i)) for i in range(n)]
    lib.store(
        [Article(id=ids[i], title=f"S{i}", body="b", origin=url) for i in range(n)],
        feed_id=feed_id,
    )
    store.map_items(account.id, [(str(100 + i), ids[i], False, False) for i in range(n)])
    return store, account.id, ids


def test_a_removal_that_fails_leaves_the_library_as_it_was(lib: Library) -> None:
    store, account_id, ids = _one_account(lib)
    lib.set_read(ids[0], True)
    lib._db.execute(
        "CREATE TEMP TRIGGER fail_removal BEFORE DELETE ON sync_accounts "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    account = store.account(account_id)
    assert account is not None
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        remove_account(lib, account)
    assert len(lib.feeds()) == 1
    assert sorted(r[0] for r in lib._db.execute("SELECT id FROM articles")) == sorted(ids)
    assert store.unsent(account_id) == 1 and len(store.accounts()) == 1
    lib._db.execute("DROP TRIGGER fail_removal")
    assert remove_account(lib, account).articles_removed == 3
    assert lib.feeds() == [] and _sync_rows(lib) == 0


def test_account_remove_asks_on_a_terminal(home: Path) -> None:
    """On a terminal, removing articles is asked about first; "n" leaves everything;
    ``--yes`` does not ask."""
    with Library(home / "library.sqlite3") as lib:
        _one_account(lib)
    argv = [sys.executable, "-m", "briefreader", "account", "remove", "1"]
    code, said = _on_a_terminal(argv, answer=b"n\n")
    assert code == 1 and "3 articles would go" in said and "[y/N]" in said
    assert "not removed" in said
    with Library(home / "library.sqlite3") as lib:
        assert len(SyncStore(lib).accounts()) == 1 and len(lib.feeds()) == 1
    code, said = _on_a_terminal([*argv, "--yes"], answer=b"")
    assert code == 0 and "[y/N]" not in said and "3 articles removed" in said
    with Library(home / "library.sqlite3") as lib:
        assert SyncStore(lib).accounts() == [] and lib.feeds() == []


def _on_a_terminal(argv: list[str], answer: bytes) -> tuple[int, str]:
    """Run ``argv`` on a pseudo-terminal, typing ``answer`` once it asks; its exit
    status and everything it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on the terminal
        os.execve(argv[0], argv, {**os.environ, "NO_COLOR": "1"})
    said = b""
    status: int | None = None
    try:
        for _ in range(2000):  # bounded: 2000 waits of at most 0.05 s each
            ready, _w, _x = select.select([fd], [], [], 0.05)
            if not ready:
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = st
                    break
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # (EIO: the child has closed the terminal)
                break
            if not chunk:
                break
            said += chunk
            if b"[y/N]" in said and answer:
                os.write(fd, answer)
                answer = b""
    finally:
        os.close(fd)
        if status is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done:
                os.kill(pid, signal.SIGKILL)
                status = os.waitpid(pid, 0)[1]
    return os.waitstatus_to_exitcode(status), said.decode()


@on_freshrss
def test_an_item_deleted_here_stays_deleted_when_an_account_adopts_its_feed(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    """FreshRSS tells an item's link, not its guid: the tombstone's link finds it."""
    url = site.put_feed("rm-deleted", 3)
    feed, _new = lib.add_feed(url)
    asyncio.run(refresh_feeds(lib))
    local = _articles(lib, feed.id)
    assert lib.delete_articles([local["rm-deleted story 1"]])
    _subscribe(server, url)
    _add(lib, server)
    (report,) = _sync(lib)
    assert report.new_items == 0
    assert set(_articles(lib, feed.id)) == {"rm-deleted story 0", "rm-deleted story 2"}
    # and a synced item deleted here stays deleted as the server gets more
    lib.delete_articles([local["rm-deleted story 2"]])
    site.put_feed("rm-deleted", 5)
    server.actualize()
    _sync(lib)
    _sync(lib)
    assert set(_articles(lib, feed.id)) == {
        "rm-deleted story 0",
        "rm-deleted story 3",
        "rm-deleted story 4",
    }


@on_freshrss
def test_two_accounts_following_one_feed_share_it(
    freshrss_session: FreshRSS, server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    url = site.put_feed("rm-shared", 3)
    other = freshrss_session.new_user(f"t{os.getpid()}shared")
    other.hold()
    try:
        _subscribe(server, url, folder="Work")
        _subscribe(other, url, folder="Home")
        first = _add(lib, server)
        second = _add(lib, other)
        _sync(lib)
        # one feed, one article per item, both accounts following it
        (feed,) = lib.feeds()
        arts = _articles(lib, feed.id)
        assert len(arts) == 3
        store = SyncStore(lib)
        assert set(store.feed_ids(first).values()) == set(store.feed_ids(second).values())
        assert feed.tags == ("Work",)  # the first account's folders
        # a second sync changes nothing: no feed taken from one by the other
        reports = _sync(lib)
        assert [(r.feeds_added, r.feeds_removed, r.new_items) for r in reports] == [(0, 0, 0)] * 2
        assert len(_articles(lib, feed.id)) == 3
        # a change made here reaches both servers ...
        lib.set_read(arts["rm-shared story 0"], True)
        assert [r.pushed for r in _sync(lib)] == [1, 1]
        one, two = _by_title(server), _by_title(other)
        assert one["rm-shared story 0"] not in _ids(server, READING_LIST, exclude=READ)
        assert two["rm-shared story 0"] not in _ids(other, READING_LIST, exclude=READ)

        # ... and a change made on one server reaches the other through here
        async def star(c: GReaderClient) -> None:
            await c.edit_tag([two["rm-shared story 1"]], add=STARRED)

        other.run(star)
        _sync(lib)
        assert lib.state(arts["rm-shared story 1"])[1] is not None
        _sync(lib)
        assert _ids(server, STARRED) == {one["rm-shared story 1"]}
        # a change made here and, earlier, on one server too still reaches the other
        lib.set_read(arts["rm-shared story 2"], True)
        lib._db.execute("UPDATE sync_pending SET changed_at = changed_at - 86400")

        async def read(c: GReaderClient) -> None:
            await c.edit_tag([one["rm-shared story 2"]], add=READ)

        server.run(read)
        _sync(lib)
        assert two["rm-shared story 2"] not in _ids(other, READING_LIST, exclude=READ)
        assert SyncStore(lib).pending_count() == 0
        # removing the first account leaves the feed and its articles to the second
        removal = remove_account(lib, store.account(first))  # type: ignore[arg-type]
        assert (removal.feeds_shared, removal.articles_removed) == (1, 0)
        assert [f.id for f in lib.feeds()] == [feed.id]
        assert _articles(lib, feed.id) == arts
        assert store.feed_ids(second) != {}
        remove_account(lib, store.account(second))  # type: ignore[arg-type]
        assert lib.feeds() == []
    finally:
        other.close()


def test_deleted_and_pruned_articles_are_matched_by_their_link(lib: Library) -> None:
    """A tombstone keeps its article's link: a server item of the feed told only by
    its link (no guid) is matched to it and not stored again."""
    from briefreader.store.retention import Retention, prune

    url = "https://example.org/feed.xml"
    feed, _new = lib.add_feed(url)
    arts = [
        Article(
            id=f"local{i}",
            title=f"Story {i}",
            url=f"https://example.org/{i}",
            body="b",
            origin=url,
            published=None,
        )
        for i in range(3)
    ]
    lib.store(arts, feed_id=feed.id)
    lib._db.execute("UPDATE articles SET sort_ts = 1000 + rowid")  # (0 oldest)
    assert lib.delete_articles(["local2"]) == ["local2"]
    assert prune(lib, Retention(keep_per_feed=1)).articles == 1  # local0 goes
    store = SyncStore(lib)
    account, _new = store.add_account("http://127.0.0.1:9/api/greader.php", "ann")
    items: list[tuple[str, str, list[str], str, str]] = [
        (str(10 + i), server_article_id(url, str(10 + i)), [], f"https://example.org/{i}", "")
        for i in range(4)
    ]
    assert store.local_matches(feed.id, items, account.id) == {
        "10": "local0",  # pruned
        "11": "local1",
        "12": "local2",  # deleted
    }


def test_a_feed_adopted_by_one_account_and_shared_stays_yours(lib: Library) -> None:
    """A feed followed here, adopted by one account, then followed by a second: each
    removal leaves it, the last one gives it back as a local feed with your tags."""
    url = "https://example.org/f.xml"
    feed, _new = lib.add_feed(url, tags=["Mine"])
    lib.store([Article(id="own1", title="Own", body="b", origin=url)], feed_id=feed.id)
    store = SyncStore(lib)
    first, _new = store.add_account("http://127.0.0.1:9/api/greader.php", "ann")
    second, _new = store.add_account("http://127.0.0.1:9/api/greader.php", "bob")
    store.set_feeds(first.id, [("feed/1", url, "F", "", ["Work"])])
    store.set_feeds(second.id, [("feed/7", url, "F", "", ["Home"])])
    assert lib.feed(feed.id).tags == ("Work",)  # type: ignore[union-attr]
    assert remove_account(lib, first).feeds_shared == 1
    store.set_feeds(second.id, [("feed/7", url, "F", "", ["Home"])])  # (its next sync)
    assert lib.feed(feed.id).tags == ("Home",)  # type: ignore[union-attr]
    done = remove_account(lib, second)
    assert (done.feeds_released, done.feeds_removed, done.articles_removed) == (1, 0, 0)
    assert [(f.id, f.tags) for f in lib.feeds()] == [(feed.id, ("Mine", "Home"))]
    assert lib.get("own1") is not None
