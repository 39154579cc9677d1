"""Syncing an account with a real FreshRSS (sync/engine.py): what the first sync
brings, changes both ways, the later change winning, an unreachable server, and a
sync interrupted at each step completed by the next with nothing lost or doubled."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from freshrss_server import GROUP, FeedSite, FreshRSS
from freshrss_server import freshrss as freshrss
from freshrss_server import freshrss_session as freshrss_session
from freshrss_server import site as site

from briefreader.fetch.greader import READ, READING_LIST, STARRED, GReaderClient
from briefreader.store import Library
from briefreader.store.sync import SyncStore
from briefreader.sync import add_account, remove_account, server_is_later, sync_accounts
from briefreader.sync.engine import SyncReport

#: Tests against the real FreshRSS: on the worker that has it (freshrss_server.GROUP),
#: beside the serial group; the others (a small server of our own) run anywhere.
on_freshrss = pytest.mark.xdist_group(GROUP)


@pytest.fixture
def server(freshrss: FreshRSS) -> FreshRSS:
    """A FreshRSS user of the test's own (no feeds) on the process's server."""
    return freshrss


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    monkeypatch.setenv("BRIEFREADER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BRIEFREADER_KEYRING", "off")
    with Library(tmp_path / "home" / "library.sqlite3") as library:
        yield library


def _sync(lib: Library) -> SyncReport:
    reports = asyncio.run(sync_accounts(lib))
    assert len(reports) == 1
    return reports[0]


def _ids(server: FreshRSS, stream: str, exclude: str | None = None) -> list[str]:
    async def go(c: GReaderClient) -> list[str]:
        return (await c.item_ids(stream, exclude=exclude)).ids

    return server.run(go)  # type: ignore[return-value]


def _subscribe(server: FreshRSS, url: str, title: str = "", folder: str = "") -> str:
    async def go(c: GReaderClient) -> str:
        return await c.subscribe(url, title=title, folder=folder)

    return server.run(go)  # type: ignore[return-value]


def _edit(server: FreshRSS, ids: list[str], **kw: Any) -> None:
    async def go(c: GReaderClient) -> None:
        await c.edit_tag(ids, **kw)

    server.run(go)


def _add(lib: Library, server: FreshRSS) -> int:
    account, new, where = asyncio.run(
        add_account(lib, server.endpoint, server.user, server.api_password)
    )
    assert new and where == "file"
    return account.id


def _by_remote(lib: Library, account_id: int) -> dict[str, Any]:
    return {s.remote_id: s for s in SyncStore(lib).item_states(account_id)}


def test_server_is_later() -> None:
    assert server_is_later(50.0, 100.0, 200.0)  # local change before the last pull
    assert server_is_later(120.0, 100.0, 200.0)  # the server's change is put at 150
    assert not server_is_later(180.0, 100.0, 200.0)
    assert server_is_later(180.0, None, 200.0)


@on_freshrss
def test_first_sync_brings_feeds_items_and_state(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    stream_a = _subscribe(server, site.put_feed("first-a", 6), title="Alpha", folder="Tech")
    _subscribe(server, site.put_feed("first-b", 4), folder="News")
    ids = _ids(server, f"{stream_a}")
    _edit(server, ids[:2], add=READ)
    _edit(server, ids[2:3], add=STARRED)
    account_id = _add(lib, server)
    report = _sync(lib)
    assert report.ok, report.error
    assert (report.new_items, report.feeds_added, report.pushed) == (10, 2, 0)
    feeds = {f.title: f for f in lib.feeds()}
    assert set(feeds) == {"Alpha", "first-b"}
    assert feeds["Alpha"].tags == ("Tech",) and feeds["first-b"].tags == ("News",)
    states = _by_remote(lib, account_id)
    assert len(states) == 10
    assert {r for r, s in states.items() if s.local_read} == set(ids[:2])
    assert {r for r, s in states.items() if s.local_starred} == {ids[2]}
    assert SyncStore(lib).pending(account_id) == []
    # an item is a brief like any other: source, body, derived takeaways, search
    art = lib.get(states[ids[0]].article_id)
    assert art is not None
    assert art.source == "Alpha" and "Markets moved" in art.body and art.url
    assert len(lib.search("council budget")) >= 10
    # a second sync with nothing new brings nothing and sends nothing
    again = _sync(lib)
    assert again.ok and (again.new_items, again.pulled_changes, again.pushed) == (0, 0, 0)
    assert len(_by_remote(lib, account_id)) == 10


@on_freshrss
def test_changes_go_both_ways(server: FreshRSS, site: FeedSite, lib: Library) -> None:
    stream = _subscribe(server, site.put_feed("both", 5))
    ids = _ids(server, stream)
    account_id = _add(lib, server)
    assert _sync(lib).ok
    states = _by_remote(lib, account_id)
    # local: read two, star one
    lib.set_state([states[ids[0]].article_id, states[ids[1]].article_id], read=True)
    lib.set_starred(states[ids[4]].article_id, True)
    # server: read another, star another
    _edit(server, [ids[3]], add=READ)
    _edit(server, [ids[2]], add=STARRED)
    report = _sync(lib)
    assert report.ok and report.pushed == 3 and report.pulled_changes == 2
    assert set(_ids(server, READING_LIST, exclude=READ)) & set(ids) == {ids[2], ids[4]}
    assert set(_ids(server, STARRED)) & set(ids) == {ids[2], ids[4]}
    states = _by_remote(lib, account_id)
    assert {r for r, s in states.items() if s.local_read} == {ids[0], ids[1], ids[3]}
    assert {r for r, s in states.items() if s.local_starred} == {ids[2], ids[4]}
    assert SyncStore(lib).pending(account_id) == []
    # new items on the server arrive on the next sync
    site.put_feed("both", 8)
    server.actualize()
    report = _sync(lib)
    assert report.ok and report.new_items == 3


@on_freshrss
def test_the_later_change_wins(server: FreshRSS, site: FeedSite, lib: Library) -> None:
    stream = _subscribe(server, site.put_feed("later", 2))
    ids = _ids(server, stream)
    account_id = _add(lib, server)
    assert _sync(lib).ok
    store = SyncStore(lib)
    art0 = _by_remote(lib, account_id)[ids[0]].article_id
    art1 = _by_remote(lib, account_id)[ids[1]].article_id
    # both sides read both items; locally they are then marked unread again
    _edit(server, ids, add=READ)
    lib.set_state([art0, art1], read=True)
    lib.set_state([art0, art1], read=False)
    last_pull = store.accounts()[0].last_pull
    assert last_pull is not None
    db = lib._db
    # art1: the last pull was long ago and the local change is recent: local is later
    db.execute("UPDATE sync_accounts SET last_pull = ?", (last_pull - 3600,))
    # art0: the local change is older than the last pull: the server's is later
    db.execute(
        "UPDATE sync_pending SET changed_at = ? WHERE article_id = ?", (last_pull - 7200, art0)
    )
    report = _sync(lib)
    assert report.ok
    assert lib.state(art0)[0] is not None  # the server's read won
    assert lib.state(art1)[0] is None  # the local unread won ...
    assert ids[1] in _ids(server, READING_LIST, exclude=READ)  # ... and reached the server
    assert ids[0] not in _ids(server, READING_LIST, exclude=READ)
    assert store.pending(account_id) == []


@on_freshrss
def test_an_article_already_here_keeps_a_later_local_star(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    """An account removed (its starred articles kept) and added again: the server's
    items map onto articles the library already has.  A local read/star made after
    the item reached the server (its crawlTimeMsec) is kept and sent; one made before
    gives way to the server's unread/unstarred."""
    import time

    stream = _subscribe(server, site.put_feed("again", 2))
    ids = _ids(server, stream)
    account_id = _add(lib, server)
    assert _sync(lib).ok
    states = _by_remote(lib, account_id)
    art0, art1 = states[ids[0]].article_id, states[ids[1]].article_id
    lib.set_state([art0, art1], read=True, starred=True)
    assert _sync(lib).pushed == 4
    account = SyncStore(lib).account(account_id)
    assert account is not None
    remove_account(lib, account)  # starred articles stay
    assert lib.state(art0)[1] is not None and lib.state(art1)[1] is not None
    _edit(server, ids, remove=READ)
    _edit(server, ids, remove=STARRED)
    # art0's read and star are later than the item's arrival on the server, art1's
    # earlier (set here: a real pause would be a wall-clock test)
    db = lib._db
    db.execute(
        "UPDATE articles SET read_at = ?, starred_at = ? WHERE id = ?",
        (time.time() + 60, time.time() + 60, art0),
    )
    db.execute("UPDATE articles SET read_at = 1000, starred_at = 1000 WHERE id = ?", (art1,))
    account_id = _add(lib, server)
    report = _sync(lib)
    assert report.ok, report.error
    assert lib.state(art0)[0] is not None and lib.state(art0)[1] is not None
    assert lib.state(art1)[0] is None and lib.state(art1)[1] is None
    assert report.pushed == 2 and report.pending == 0
    assert set(_ids(server, STARRED)) & set(ids) == {ids[0]}
    assert set(_ids(server, READING_LIST, exclude=READ)) & set(ids) == {ids[1]}


def test_item_arrival_times() -> None:
    from briefreader.sync.items import item_arrived

    assert item_arrived({"crawlTimeMsec": "1700000000123"}) == 1700000000.123
    assert item_arrived({"timestampUsec": "1700000000123456"}) == 1700000000.123456
    assert item_arrived({"crawlTimeMsec": 1700000000000, "timestampUsec": "1"}) == 1.7e9
    bad: object
    for bad in ("", "-5", "1e400", "9" * 40, None, True, [], {"a": 1}, "0", "１２３"):
        assert item_arrived({"crawlTimeMsec": bad}) is None


@on_freshrss
def test_a_change_made_while_the_server_is_down(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    stream = _subscribe(server, site.put_feed("down", 3))
    ids = _ids(server, stream)
    account_id = _add(lib, server)
    assert _sync(lib).ok
    art = _by_remote(lib, account_id)[ids[1]].article_id
    server.stop()
    try:
        lib.set_read(art, True)
        before = lib._db.execute(
            "SELECT count(*), sum(read_at IS NOT NULL) FROM articles"
        ).fetchone()
        report = _sync(lib)
        assert not report.ok
        assert report.error.startswith(
            f"{server.user}@{server.endpoint}: login: connection refused"
        )
        assert "\n" not in report.error
        assert report.pending == 1
        after = lib._db.execute(
            "SELECT count(*), sum(read_at IS NOT NULL) FROM articles"
        ).fetchone()
        assert before == after
        assert SyncStore(lib).accounts()[0].last_error == report.error
    finally:
        server.restart()
    report = _sync(lib)
    assert report.ok and report.pushed == 1 and report.pending == 0
    assert ids[1] not in _ids(server, READING_LIST, exclude=READ)
    assert SyncStore(lib).accounts()[0].last_error == ""


@on_freshrss
def test_wrong_password_leaves_the_library_untouched(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    from briefreader import credentials

    _subscribe(server, site.put_feed("pw", 2))
    _add(lib, server)
    credentials.put(server.endpoint, server.user, "not-it-at-all")
    report = _sync(lib)
    assert not report.ok and "HTTP 401" in report.error and "not-it-at-all" not in report.error
    assert lib.feeds() == [] and lib._db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


@on_freshrss
@pytest.mark.parametrize("where", ["store", "map", "push"])
def test_an_interrupted_sync_is_completed_by_the_next(
    server: FreshRSS,
    site: FeedSite,
    lib: Library,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    import briefreader.sync.engine as engine

    monkeypatch.setattr(engine, "_STORE_BATCH", 7)
    stream = _subscribe(server, site.put_feed(f"cut-{where}", 20))
    ids = _ids(server, stream)
    account_id = _add(lib, server)
    if where == "push":
        assert _sync(lib).ok
        arts = [s.article_id for s in _by_remote(lib, account_id).values()]
        lib.set_state(arts, read=True)
    calls = {"n": 0}

    class Killed(BaseException):
        """Stands for kill -9: nothing after it runs."""

    def boom(original: Any) -> Any:
        def wrapper(*args: Any, **kw: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 2:
                raise Killed
            return original(*args, **kw)

        return wrapper

    target = {
        "store": (Library, "store"),
        "map": (SyncStore, "map_items"),
        "push": (SyncStore, "pushed"),
    }
    cls, name = target[where]
    if where == "push":
        monkeypatch.setattr(engine, "_PUSH_BATCH", 5)
    monkeypatch.setattr(cls, name, boom(getattr(cls, name)))
    with pytest.raises(Killed):
        _sync(lib)
    monkeypatch.undo()
    monkeypatch.setenv("BRIEFREADER_HOME", str(lib.path.parent))
    monkeypatch.setenv("BRIEFREADER_KEYRING", "off")
    report = _sync(lib)
    assert report.ok, report.error
    states = _by_remote(lib, account_id)
    assert set(states) == set(ids)
    assert lib._db.execute("SELECT count(*) FROM articles").fetchone()[0] == 20
    assert len({s.article_id for s in states.values()}) == 20
    assert SyncStore(lib).pending(account_id) == []
    unread_on_server = set(_ids(server, READING_LIST, exclude=READ)) & set(ids)
    if where == "push":
        assert unread_on_server == set()
        assert all(s.local_read and s.remote_read for s in states.values())
    else:
        assert unread_on_server == set(ids)
        assert not any(s.local_read for s in states.values())


@on_freshrss
def test_items_read_in_worker_processes_are_the_same(
    server: FreshRSS, site: FeedSite, lib: Library, tmp_path: Path
) -> None:
    from briefreader.sync.items import parse_batch
    from briefreader.workers import parse_pool

    _subscribe(server, site.put_feed("pool", 30), folder="Pool")
    account_id = _add(lib, server)
    with parse_pool(2) as pool:
        reports = asyncio.run(sync_accounts(lib, executor=pool))
    assert reports[0].ok and reports[0].new_items == 30
    pooled = {s.remote_id: lib.get(s.article_id) for s in SyncStore(lib).item_states(account_id)}
    with Library(tmp_path / "inline.sqlite3") as other:
        asyncio.run(add_account(other, server.endpoint, server.user, server.api_password))
        assert _sync(other).new_items == 30
        inline = {
            s.remote_id: other.get(s.article_id)
            for s in SyncStore(other).item_states(SyncStore(other).accounts()[0].id)
        }
    assert pooled == inline
    # a batch the reader chokes on comes back as one line, never an exception
    bad = parse_batch([{"id": "1", "origin": {"streamId": "feed/1"}, "title": object()}], {}, "x")
    assert isinstance(bad, str) or bad[0] == []


@on_freshrss
def test_the_app_removing_an_account_feed_goes_through_the_server(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    from briefreader.services import FeedService
    from briefreader.sync import AccountError

    url = site.put_feed("app-remove", 3)
    _subscribe(server, url)
    _subscribe(server, site.put_feed("app-keep", 2))
    _add(lib, server)
    assert _sync(lib).ok
    service = FeedService(lib.path)
    assert service.remove_feed(url) == 3

    async def listed(c: GReaderClient) -> set[str]:
        return {s.url for s in await c.subscriptions()}

    assert url not in server.run(listed)  # type: ignore[operator]
    assert _sync(lib).ok and url not in {f.url for f in lib.feeds()}  # it does not come back
    keep = site.url("/app-keep.xml")
    server.stop()
    try:
        with pytest.raises(AccountError, match="connection refused"):
            service.remove_feed(keep)
        assert keep in {f.url for f in lib.feeds()}  # nothing removed here either
    finally:
        server.restart()
    assert service.remove_feed("https://example.org/not-subscribed.xml") is None


def test_an_item_too_large_is_left_out_not_the_sync(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    from urllib.parse import parse_qs

    from test_greader_client import Faulty

    def subs(_m: str, _q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        body = {
            "subscriptions": [{"id": "feed/1", "url": "http://127.0.0.1:9/f.xml", "title": "F"}]
        }
        return 200, {}, json.dumps(body).encode()

    def ids(_m: str, q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        found = [] if "starred" in q.get("s", [""])[0] else ["1", "2", "3", "4"]
        return 200, {}, json.dumps({"itemRefs": [{"id": i} for i in found]}).encode()

    asked: list[list[str]] = []

    def contents(_m: str, _q: dict[str, list[str]], b: bytes) -> tuple[int, dict[str, str], bytes]:
        wanted = parse_qs(b.decode())["i"]
        asked.append(wanted)
        if "3" in wanted:  # says it is 40 MB: refused before it is read
            return 200, {"Content-Length": str(40 * 1024 * 1024), "Connection": "close"}, b""
        items = [
            {
                "id": i,
                "title": f"Item {i}",
                "origin": {"streamId": "feed/1"},
                "summary": {"content": f"<p>Body {i}</p>"},
                "alternate": [{"href": f"http://x.example/{i}"}],
            }
            for i in wanted
        ]
        return 200, {}, json.dumps({"items": items}).encode()

    with Faulty() as s:
        s.routes.update(
            {"subscription/list": subs, "stream/items/ids": ids, "stream/items/contents": contents}
        )
        asyncio.run(add_account(lib, s.endpoint, "me", "pw"))
        report = _sync(lib)
        assert report.ok, report.error
        assert report.new_items == 3
        assert len(report.notes) == 1 and report.notes[0].startswith("item 3 left out: ")
        assert "answer too large" in report.notes[0]
        assert sorted(map(sorted, asked)) == sorted(
            map(sorted, [["1", "2", "3", "4"], ["1", "2"], ["3", "4"], ["3"], ["4"]])
        )
        # the next sync asks for it again (and only for it)
        asked.clear()
        again = _sync(lib)
        assert again.ok and again.new_items == 0 and asked == [["3"]]


def test_lazy_items_read_as_eager_ones(tmp_path: Path) -> None:
    """Items are stored lazily (HTML, rendered when first read), as a refresh's are;
    what a reader then gets is the article an eager read would have stored."""
    from briefreader.sync.items import StreamFeed, items_to_articles

    html = (
        "<p>The port authority said on Monday that cranes stood idle.</p>"
        "<h3>Key takeaways</h3><ul><li>Cranes idle at the port</li><li>Talks resume</li></ul>"
        "<h3>Why it matters</h3><p>A third of the region's imports pass through it.</p>"
        "<p>More text about the strike and the <a href='https://x.example/a'>talks</a>.</p>"
    )
    items = [
        {
            "id": f"tag:google.com,2005:reader/item/{n:016x}",
            "title": f"Strike day {n}",
            "published": 1793872800 + n,
            "alternate": [{"href": f"https://news.example/{n}"}],
            "origin": {"streamId": "feed/7", "title": "Port News"},
            "summary": {"content": html},
            "categories": ["user/-/state/com.google/reading-list"],
        }
        for n in range(1, 4)
    ]
    feeds = {"feed/7": StreamFeed("https://news.example/feed.xml", "Port News")}

    def stored_and_read(lazy: bool) -> list[Any]:
        from briefreader.sources.feedlazy import LazyArticle

        got, notes = items_to_articles(items, feeds, endpoint="http://s.example", lazy=lazy)
        assert notes == [] and len(got) == 3
        assert all(isinstance(g.article, LazyArticle) == lazy for g in got)
        with Library(tmp_path / f"lazy-{lazy}.sqlite3") as library:
            library.store([g.article for g in got])
            return [library.get(g.article.id) for g in got]

    eager = stored_and_read(False)
    assert eager[0] is not None
    assert eager[0].takeaways[:2] == ("Cranes idle at the port", "Talks resume")
    assert eager[0].analysis is not None
    assert stored_and_read(True) == eager


@on_freshrss
def test_the_apps_refresh_syncs_and_leaves_account_feeds_to_the_server(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    """The app refreshes with the list of every feed (services -> refresh_feeds): the
    account is synced first, and its feeds are not fetched by briefreader."""
    from briefreader.refresh import refresh_feeds

    url = site.put_feed("app-refresh", 3)
    _subscribe(server, url)
    _add(lib, server)
    assert _sync(lib).ok
    site.put_feed("app-refresh", 5)
    server.actualize()
    site.reset_stats()
    report = asyncio.run(refresh_feeds(lib, lib.feeds()))
    assert site.requests == []
    assert [(o.status, o.added) for o in report.outcomes] == [("new", 2)]
    assert report.outcomes[0].title == f"{server.user}@{server.endpoint}"
    server.stop()
    try:
        report = asyncio.run(refresh_feeds(lib, lib.feeds()))
        assert [o.status for o in report.outcomes] == ["failed"]
        assert (
            report.outcomes[0]
            .line()
            .endswith("failed: login: connection refused (is the server up?)")
        )
    finally:
        server.restart()


def test_a_server_without_a_starred_list_degrades_with_a_note(lib: Library) -> None:
    import json

    from test_greader_client import Faulty

    def subs(_m: str, _q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, b'{"subscriptions": [{"id": "feed/1", "url": "http://127.0.0.1:9/f.xml"}]}'

    def ids(_m: str, q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        if "starred" in q.get("s", [""])[0]:
            return 501, {}, b"Not Implemented"
        return 200, {}, json.dumps({"itemRefs": [{"id": "1"}]}).encode()

    def contents(_m: str, _q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        item = {
            "id": "1",
            "title": "One",
            "origin": {"streamId": "feed/1"},
            "summary": {"content": "<p>Text</p>"},
            "categories": ["user/-/state/com.google/starred"],
        }
        return 200, {}, json.dumps({"items": [item]}).encode()

    with Faulty() as s:
        s.routes.update(
            {"subscription/list": subs, "stream/items/ids": ids, "stream/items/contents": contents}
        )
        account_id = _add_to(lib, s.endpoint)
        report = _sync(lib)
        assert report.ok, report.error
        assert report.new_items == 1
        name = f"me@{s.endpoint}"
        assert report.notes == [
            f"{name}: could not list its starred items (an item starred or unstarred there "
            "is seen only when new): the server does not offer stream/items/ids"
        ]
        (state,) = SyncStore(lib).item_states(account_id)
        assert state.local_starred  # from the item itself
        assert SyncStore(lib).accounts()[0].last_error == report.notes[0]


def test_a_server_lacking_calls_degrades_and_carries_on(lib: Library) -> None:
    """A server without subscription/list and edit-tag (it answers 405 and "unknown
    method"): new items still come, the feeds stay as they were, local changes stay
    queued; each lack is one line naming the account and what could not be done,
    kept as its last error; once the server takes edits, they are sent."""
    import json

    from test_greader_client import Faulty, _answer

    def subs(_m: str, _q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, b'{"subscriptions": [{"id": "feed/1", "url": "http://127.0.0.1:9/f.xml"}]}'

    count = {"items": 1}

    def ids(_m: str, q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        refs = [{"id": str(n)} for n in range(1, count["items"] + 1)]
        return 200, {}, json.dumps({"itemRefs": refs}).encode()

    def contents(
        _m: str, _q: dict[str, list[str]], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        from urllib.parse import parse_qs

        wanted = parse_qs(body.decode()).get("i", [])
        items = [
            {
                "id": i,
                "title": f"Item {i}",
                "origin": {"streamId": "feed/1"},
                "summary": {"content": f"<p>Text {i}</p>"},
            }
            for i in wanted
        ]
        return 200, {}, json.dumps({"items": items}).encode()

    edits: list[bytes] = []

    def edit(_m: str, _q: dict[str, list[str]], body: bytes) -> tuple[int, dict[str, str], bytes]:
        edits.append(body)
        return 200, {}, b"OK"

    with Faulty() as s:
        s.routes.update(
            {"subscription/list": subs, "stream/items/ids": ids, "stream/items/contents": contents}
        )
        account_id = _add_to(lib, s.endpoint)
        assert _sync(lib).ok
        (feed,) = lib.feeds()
        (item,) = SyncStore(lib).item_states(account_id)
        lib.set_read(item.article_id, True)
        # the server loses its subscription list and never had edit-tag
        s.routes["subscription/list"] = _answer(405, b"Method Not Allowed")
        s.routes["edit-tag"] = _answer(400, b"Error: unknown method edit-tag")
        count["items"] = 2
        report = _sync(lib)
        name = f"me@{s.endpoint}"
        assert report.ok and report.new_items == 1 and report.pushed == 0
        assert report.degraded == [
            f"{name}: could not read its subscriptions (its feeds here stay as they were): "
            "the server does not offer subscription/list",
            f"{name}: could not send 1 read/star change(s) (kept, to send later): the server "
            "does not offer edit-tag",
        ]
        assert all("\n" not in n for n in report.notes)
        assert [f.url for f in lib.feeds()] == [feed.url]  # not unsubscribed here
        states = SyncStore(lib).item_states(account_id)
        got = [lib.get(st.article_id) for st in states]
        assert len(got) == 2 and len({a.source for a in got if a is not None}) == 1
        assert report.pending == 1 and edits == []
        account = SyncStore(lib).accounts()[0]
        assert account.last_error.startswith(f"{name}: could not read its subscriptions")
        assert "edit-tag" in account.last_error and account.last_sync is not None
        # the server takes edits again: the kept change goes, the last error clears
        s.routes["subscription/list"] = subs
        s.routes["edit-tag"] = edit
        report = _sync(lib)
        assert report.ok and report.pushed == 1 and report.pending == 0 and not report.notes
        assert len(edits) == 1 and b"i=1" in edits[0]
        assert SyncStore(lib).accounts()[0].last_error == ""


def _add_to(lib: Library, endpoint: str) -> int:
    account, _new, _where = asyncio.run(add_account(lib, endpoint, "me", "pw"))
    return account.id


@on_freshrss
def test_the_app_subscribes_through_an_account(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    from briefreader.services import FeedService
    from briefreader.sync import AccountError

    account_id = _add(lib, server)
    url = site.put_feed("app-subscribe", 4)
    line = FeedService(lib.path).subscribe_account(account_id, url, folder="From the app")
    assert "4 new items" in line
    feed = lib.feed(url)
    assert feed is not None and feed.tags == ("From the app",)
    owners = SyncStore(lib).feed_accounts()
    assert owners[feed.id].id == account_id
    with pytest.raises(AccountError, match="no account 99"):
        FeedService(lib.path).subscribe_account(99, url)


def test_retry_after_is_respected(lib: Library) -> None:
    from test_greader_client import Faulty

    with Faulty() as s:
        s.routes["subscription/list"] = lambda _m, _q, _b: (429, {"Retry-After": "120"}, b"")
        account_id = _add_to(lib, s.endpoint)
        report = _sync(lib)
        assert "HTTP 429 Too Many Requests (retry after 120 s)" in report.error
        asked = len(s.seen)
        report = _sync(lib)  # not asked again before the time it gave
        assert len(s.seen) == asked
        assert "asked to wait (Retry-After): not asked again for 1" in report.error
        store = SyncStore(lib)
        retry_at = store.retry_at(account_id)
        assert retry_at is not None
        store.set_retry_at(account_id, retry_at - 1000)  # the time has come
        s.routes["subscription/list"] = lambda _m, _q, _b: (200, {}, b'{"subscriptions": []}')
        s.routes["stream/items/ids"] = lambda _m, _q, _b: (200, {}, b'{"itemRefs": []}')
        report = _sync(lib)
        assert report.ok, report.error
        assert store.retry_at(account_id) is None


def test_an_unexpected_error_stops_only_that_account(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_greader_client import Faulty

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("a bug\nover two lines")

    with Faulty() as s:
        s.routes["subscription/list"] = lambda _m, _q, _b: (200, {}, b'{"subscriptions": []}')
        s.routes["stream/items/ids"] = lambda _m, _q, _b: (200, {}, b'{"itemRefs": []}')
        _add_to(lib, s.endpoint)
        monkeypatch.setattr(SyncStore, "item_states", broken)
        report = _sync(lib)
    assert report.error == f"me@{s.endpoint}: sync stopped: RuntimeError: a bug over two lines"


PODCAST = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Harbour Podcast</title><link>https://pod.example/</link><description>d</description>
<item><title>Episode one: the cranes</title><link>https://pod.example/1</link><guid>ep1</guid>
<description>&lt;p&gt;We talk to the crane drivers about the strike and the new rota.&lt;/p&gt;</description>
<enclosure url="https://pod.example/ep1.mp3" type="audio/mpeg" length="3145728"/>
</item></channel></rss>"""


@on_freshrss
def test_a_podcast_followed_through_the_server_keeps_its_audio(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    """The server's item carries the episode as an enclosure: the article has the
    same file as the feed fetched itself gives, and not the server's own player
    figure ("💾") as text."""
    site.add("/pod.xml", PODCAST, content_type="application/rss+xml")
    _subscribe(server, site.url("/pod.xml"))
    account_id = _add(lib, server)
    assert _sync(lib).ok
    (state,) = _by_remote(lib, account_id).values()
    art = lib.get(state.article_id)
    assert art is not None
    assert [(e.url, e.type, e.length) for e in art.enclosures] == [
        ("https://pod.example/ep1.mp3", "audio/mpeg", 3145728)
    ]
    assert "crane drivers" in art.body
    assert "💾" not in art.body and "ep1.mp3" not in art.body


UNTITLED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Notes</title><link>https://notes.example/</link>
<description>d</description>
<item><guid isPermaLink="false">source:text</guid><link>https://notes.example/1</link>
<description>The ferry timetable changes on Monday for the winter season.</description></item>
<item><guid isPermaLink="false">source:empty</guid><link>https://notes.example/2</link></item>
<item><guid isPermaLink="false">82ab4a7fb71c86732b13e69f2ff6054497dd1c4d</guid></item>
<item><guid isPermaLink="false">0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c</guid>
<enclosure url="https://notes.example/harbour-sounds.mp3" type="audio/mpeg" length="100"/></item>
</channel></rss>"""


@on_freshrss
def test_an_untitled_item_is_named_as_the_feed_fetched_itself_names_it(
    server: FreshRSS, site: FeedSite, lib: Library
) -> None:
    """FreshRSS keeps an untitled item's guid as its title: synced, the feed's items
    are named as the feed fetched directly names them, never "source:empty" or a
    hash (an item with nothing to show is left out, as a refresh leaves it out)."""
    from briefreader.sources.feed import parse_feed

    site.add("/notes.xml", UNTITLED, content_type="application/rss+xml")
    _subscribe(server, site.url("/notes.xml"))
    _add(lib, server)
    assert _sync(lib).ok
    direct = parse_feed(UNTITLED, url=site.url("/notes.xml")).items
    titles = sorted(r.title for r in lib.rows())
    # (the episode: named by its file; the server gives it the file's address as its
    # link, so it is named by the address, as a feed item with that link would be)
    assert [t for t in titles if "harbour-sounds" not in t] == sorted(
        a.title for a in direct if "harbour-sounds" not in a.title
    )
    assert sum(t.endswith("harbour-sounds.mp3") for t in titles) == 1
    assert not any("source:" in t or "82ab4a7f" in t or "0f1e2d3c" in t for t in titles), titles
