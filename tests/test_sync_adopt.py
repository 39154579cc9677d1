"""An account adopting a feed the library already follows (same feed URL): the
server's items map onto the articles the feed brought here before (same guid, else
same link), so each item is one article, whose read/star state is kept and sent;
after that the feed is the server's to fetch, and a refresh adds no copy."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fetchserver import FetchServer
from freshrss_server import GROUP, FeedSite, FreshRSS
from freshrss_server import freshrss as freshrss
from freshrss_server import freshrss_session as freshrss_session
from freshrss_server import site as site

from briefreader.fetch.greader import READ, READING_LIST, STARRED, GReaderClient
from briefreader.refresh import refresh_feeds
from briefreader.store import Library
from briefreader.store.sync import SyncStore
from briefreader.sync import add_account, sync_accounts
from briefreader.sync.engine import SyncReport

on_freshrss = pytest.mark.xdist_group(GROUP)


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    monkeypatch.setenv("BRIEFREADER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BRIEFREADER_KEYRING", "off")
    with Library(tmp_path / "home" / "library.sqlite3") as library:
        yield library


def _sync(lib: Library) -> SyncReport:
    (report,) = asyncio.run(sync_accounts(lib))
    assert report.ok, report.error
    return report


def _articles(lib: Library, feed_id: int) -> dict[str, str]:
    """``{title: article id}`` of a feed's articles (asserting titles are unique)."""
    rows = lib._db.execute("SELECT title, id FROM articles WHERE feed_id = ?", (feed_id,))
    pairs = [(str(t), str(i)) for t, i in rows]
    assert len({t for t, _ in pairs}) == len(pairs), pairs
    return dict(pairs)


def _server_items(server: FreshRSS, stream: str) -> dict[str, str]:
    """``{title: item id}`` of a stream's items on the server."""

    async def go(c: GReaderClient) -> dict[str, str]:
        ids = (await c.item_ids(stream)).ids
        items = await c.item_contents_batch(ids)
        return {str(it["title"]): str(int(it["id"].rsplit("/", 1)[-1], 16)) for it in items}

    return server.run(go)  # type: ignore[return-value]


def _ids(server: FreshRSS, stream: str, exclude: str | None = None) -> set[str]:
    async def go(c: GReaderClient) -> list[str]:
        return (await c.item_ids(stream, exclude=exclude)).ids

    found: list[str] = server.run(go)  # type: ignore[assignment]
    return set(found)


@on_freshrss
def test_a_feed_followed_here_then_on_the_server_keeps_one_article_per_item(
    freshrss: FreshRSS, site: FeedSite, lib: Library
) -> None:
    server = freshrss
    url = site.put_feed("adopt", 4)
    feed, _new = lib.add_feed(url)
    assert asyncio.run(refresh_feeds(lib)).outcomes[0].added == 4
    local = _articles(lib, feed.id)
    lib.set_read(local["adopt story 0"], True)
    lib.set_starred(local["adopt story 1"], True)

    # the same feed on the server (it fetches it now: its items reach it after the
    # reads here), one item read there
    async def subscribe(c: GReaderClient) -> str:
        return await c.subscribe(url)

    stream = str(server.run(subscribe))
    remote = _server_items(server, stream)
    assert set(remote) == set(local)

    async def read_there(c: GReaderClient) -> None:
        await c.edit_tag([remote["adopt story 2"]], add=READ)

    server.run(read_there)
    account, _new, _where = asyncio.run(
        add_account(lib, server.endpoint, server.user, server.api_password)
    )
    report = _sync(lib)
    # one article per item: the ones the feed brought here, mapped to the server's ids
    assert report.new_items == 0 and report.feeds_added == 1
    assert [f.id for f in lib.feeds()] == [feed.id]
    assert _articles(lib, feed.id) == local
    states = {s.remote_id: s for s in SyncStore(lib).item_states(account.id)}
    assert {r: s.article_id for r, s in states.items()} == {remote[t]: local[t] for t in local}
    # read and star: kept from here (and sent), taken from there
    read = {t for t in local if lib.state(local[t])[0] is not None}
    starred = {t for t in local if lib.state(local[t])[1] is not None}
    assert read == {"adopt story 0", "adopt story 2"}
    assert starred == {"adopt story 1"}
    assert report.pushed == 2 and report.pending == 0
    assert _ids(server, READING_LIST, exclude=READ) == {
        remote["adopt story 1"],
        remote["adopt story 3"],
    }
    assert _ids(server, STARRED) == {remote["adopt story 1"]}
    # from now on the server fetches the feed: new items come by sync, and a refresh
    # (which syncs first) neither fetches the feed here nor adds a copy of anything
    site.put_feed("adopt", 6)
    server.actualize()
    site.reset_stats()
    again = asyncio.run(refresh_feeds(lib, lib.feeds()))
    assert site.requests == []
    assert [(o.status, o.added) for o in again.outcomes] == [("new", 2)]
    after = _articles(lib, feed.id)
    assert len(after) == 6 and {t: after[t] for t in local} == local
    assert _sync(lib).new_items == 0
    assert len(_articles(lib, feed.id)) == 6


def _rss(items: list[tuple[str, str, str]]) -> bytes:
    """RSS with items ``(guid, link, title)``."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid isPermaLink='false'>{g}</guid>"
        f"<description>&lt;p&gt;About {t}.&lt;/p&gt;</description></item>"
        for g, link, t in items
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Local</title>"
        f"<link>http://127.0.0.1/</link>{body}</channel></rss>"
    ).encode()


def test_items_match_by_guid_link_and_title_and_deleted_ones_stay_deleted(
    lib: Library,
) -> None:
    """A server that tells the feed's guid (``originId``) matches by it whatever the
    link; several articles with one link (episodes linking to the show's page) are
    told apart by title; an item deleted here does not come back (found by its guid: a
    tombstone keeps no link); the rest is new."""
    from test_greader_client import Faulty

    show = "http://127.0.0.1/show"
    with FetchServer() as site_:
        url = site_.url("/local.xml")
        site_.add(
            "/local.xml",
            _rss(
                [
                    ("g-1", "http://127.0.0.1/one", "One"),
                    ("g-2", show, "Episode 2"),
                    ("g-3", show, "Episode 3"),
                    ("g-4", "http://127.0.0.1/four", "Four"),
                ]
            ),
            content_type="application/rss+xml",
        )
        feed, _new = lib.add_feed(url)
        assert asyncio.run(refresh_feeds(lib)).outcomes[0].added == 4
    local = _articles(lib, feed.id)
    lib.set_starred(local["One"], True)
    assert lib.delete_articles([local["Four"]]) == [local["Four"]]

    def item(n: int, title: str, link: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": f"tag:google.com,2005:reader/item/{n:016x}",
            "title": title,
            "origin": {"streamId": "feed/7"},
            "alternate": [{"href": link}],
            "summary": {"content": f"<p>About {title}.</p>"},
            "crawlTimeMsec": "4102444800000",  # (2100: after anything done here)
            **extra,
        }

    items = [
        item(1, "One", "http://127.0.0.1/one-moved", originId="g-1"),
        item(3, "Episode 3", show),
        item(2, "Episode 2", show),
        item(4, "Four", "http://127.0.0.1/four", originId="g-4"),
        item(5, "Five", "http://127.0.0.1/five"),
    ]
    edits: list[bytes] = []

    def answer(payload: object) -> Any:
        def route(
            _m: str, _q: dict[str, list[str]], body: bytes
        ) -> tuple[int, dict[str, str], bytes]:
            return 200, {}, json.dumps(payload).encode()

        return route

    def ids(_m: str, q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        starred = "starred" in q.get("s", [""])[0]
        refs = [] if starred else [{"id": str(n)} for n in range(1, 6)]
        return 200, {}, json.dumps({"itemRefs": refs}).encode()

    def edit(_m: str, _q: dict[str, list[str]], body: bytes) -> tuple[int, dict[str, str], bytes]:
        edits.append(body)
        return 200, {}, b"OK"

    with Faulty() as s:
        s.routes.update(
            {
                "subscription/list": answer({"subscriptions": [{"id": "feed/7", "url": url}]}),
                "stream/items/ids": ids,
                "stream/items/contents": answer({"items": items}),
                "edit-tag": edit,
            }
        )
        account, _new, _where = asyncio.run(add_account(lib, s.endpoint, "me", "pw"))
        report = _sync(lib)
    assert report.new_items == 1 and report.pushed == 1
    after = _articles(lib, feed.id)
    assert set(after) == {"One", "Episode 2", "Episode 3", "Five"}
    assert {t: after[t] for t in ("One", "Episode 2", "Episode 3")} == {
        t: local[t] for t in ("One", "Episode 2", "Episode 3")
    }
    mapped = {
        r: a
        for r, a in lib._db.execute(
            "SELECT remote_id, article_id FROM sync_items WHERE account_id = ?", (account.id,)
        )
    }
    assert mapped == {
        "1": local["One"],
        "2": local["Episode 2"],
        "3": local["Episode 3"],
        "4": local["Four"],  # deleted here: mapped to its tombstone, not stored again
        "5": after["Five"],
    }
    assert lib.state(local["One"])[1] is not None  # the star made here is kept ...
    assert len(edits) == 1 and b"starred" in edits[0]  # ... and sent
