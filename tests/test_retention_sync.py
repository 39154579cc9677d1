"""Retention and accounts: a pruned item the server still lists is not asked for or
stored again (its id map stays), the map goes once the server lists it no more, and
``briefreader sync`` applies the config's retention.  Against a small Google Reader
server of our own on 127.0.0.1 (test_greader_client.Faulty)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from test_greader_client import Faulty
from testkit import run_cli

from briefreader.store import Library
from briefreader.store.retention import Retention, prune
from briefreader.store.sync import SyncStore
from briefreader.sync import add_account, sync_accounts

Reply = tuple[int, dict[str, str], bytes]


class Server:
    """Six items of one feed; ``unread`` is what the server lists as unread."""

    def __init__(self) -> None:
        self.unread = [str(n) for n in range(1, 7)]
        self.recent = [str(n) for n in range(1, 7)]
        self.asked: list[str] = []

    def subs(self, _m: str, _q: dict[str, list[str]], _b: bytes) -> Reply:
        body = {"subscriptions": [{"id": "feed/1", "url": "http://127.0.0.1:9/f.xml"}]}
        return 200, {}, json.dumps(body).encode()

    def ids(self, _m: str, q: dict[str, list[str]], _b: bytes) -> Reply:
        stream = q.get("s", [""])[0]
        if "starred" in stream:
            listed: list[str] = []
        elif "xt" in q:
            listed = self.unread
        else:
            listed = self.recent
        return 200, {}, json.dumps({"itemRefs": [{"id": i} for i in listed]}).encode()

    def contents(self, _m: str, _q: dict[str, list[str]], body: bytes) -> Reply:
        wanted = parse_qs(body.decode()).get("i", [])
        self.asked += wanted
        items = [
            {
                "id": i,
                "title": f"Story {i}",
                "published": 1_790_000_000 + int(i) * 3600,
                "origin": {"streamId": "feed/1"},
                "alternate": [{"href": f"https://news.example/{i}"}],
                "summary": {"content": f"<p>Harbour works part {i} continue.</p>"},
                "categories": [],
            }
            for i in wanted
        ]
        return 200, {}, json.dumps({"items": items}).encode()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFREADER_HOME", str(home))
    monkeypatch.setenv("BRIEFREADER_KEYRING", "off")
    return home


@pytest.fixture
def served() -> Iterator[tuple[Faulty, Server]]:
    server = Server()
    with Faulty() as s:
        s.routes.update(
            {
                "subscription/list": server.subs,
                "stream/items/ids": server.ids,
                "stream/items/contents": server.contents,
            }
        )
        yield s, server


def test_pruned_items_the_server_lists_stay_away_and_their_map_goes_later(
    home: Path, served: tuple[Faulty, Server]
) -> None:
    faulty, server = served
    with Library(home / "library.sqlite3") as lib:
        account, _, _ = asyncio.run(add_account(lib, faulty.endpoint, "me", "pw"))
        (report,) = asyncio.run(sync_accounts(lib))
        assert report.ok and report.new_items == 6, report.error
        prune(lib, Retention(keep_per_feed=2))
        assert {r.title for r in lib.rows()} == {"Story 6", "Story 5"}
        server.asked.clear()
        # The server still lists all six as unread: nothing asked for, nothing new.
        (report,) = asyncio.run(sync_accounts(lib))
        assert report.ok and report.new_items == 0
        assert server.asked == []
        assert lib.count() == 2
        store = SyncStore(lib)
        assert store.known(account.id, server.unread) == set(server.unread)
        # Read there, and no longer new: the four pruned items' map rows go.
        server.unread, server.recent = ["5", "6"], []
        (report,) = asyncio.run(sync_accounts(lib))
        assert report.ok
        assert store.known(account.id, [str(n) for n in range(1, 7)]) == {"5", "6"}
        assert lib.count() == 2


def test_sync_command_applies_the_configs_retention(
    home: Path, served: tuple[Faulty, Server]
) -> None:
    faulty, _server = served
    with Library(home / "library.sqlite3") as lib:
        asyncio.run(add_account(lib, faulty.endpoint, "me", "pw"))
    (home / "config.toml").write_text("keep_per_feed = 3\n", encoding="utf-8")
    out = run_cli("sync", home=home)
    assert out.returncode == 0, out.stderr
    assert "6 new items" in out.stderr
    assert "3 articles pruned from 1 feed" in out.stderr
    with Library(home / "library.sqlite3") as lib:
        assert lib.count() == 3
