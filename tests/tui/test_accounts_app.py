"""The app with an account on a real FreshRSS (tests/freshrss_server.py; skipped,
saying why, without PHP or ../shared): ``r`` with an account and no feeds yet syncs
it (the status line says so), F2 shows its feeds under its heading, and ``a`` can
subscribe through it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from freshrss_server import GROUP, FeedSite, FreshRSS
from freshrss_server import freshrss as freshrss
from freshrss_server import freshrss_session as freshrss_session
from freshrss_server import site as site
from textual.widgets import Input, OptionList
from tui_helpers import screen_text, settle

from briefreader.fetch.greader import GReaderClient
from briefreader.store import Library
from briefreader.store.sync import SyncStore
from briefreader.sync import add_account
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.dialogs import AddFeedScreen
from briefreader.tui.screens.feeds import FeedsScreen

# (on the worker that has the process's FreshRSS, beside the serial group; a user of
# the test's own there: tests/freshrss_server.py)
pytestmark = [pytest.mark.xdist_group(GROUP), pytest.mark.slow]

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)


@pytest.fixture
def server(freshrss: FreshRSS, monkeypatch: pytest.MonkeyPatch) -> Iterator[FreshRSS]:
    """A FreshRSS user of the test's own, emptied of subscriptions after the test;
    passwords kept in the test's home (no keyring)."""
    monkeypatch.setenv("BRIEFREADER_KEYRING", "off")
    yield freshrss

    async def empty(c: GReaderClient) -> None:
        for sub in await c.subscriptions():
            await c.unsubscribe(sub.id)

    freshrss.run(empty)


def with_account(path: Path, server: FreshRSS) -> int:
    with Library(path) as library:
        account, _new, _where = asyncio.run(
            add_account(library, server.endpoint, server.user, server.api_password)
        )
        return account.id


def toasts(app: BriefReaderApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_r_with_an_account_and_no_feeds_syncs_it_and_f2_groups_its_feeds(
    empty_library_path: Path, make_app: MakeApp, server: FreshRSS, site: FeedSite
) -> None:
    async def subscribe(c: GReaderClient) -> str:
        return await c.subscribe(site.put_feed("app-harbour", 3), title="Harbour Herald")

    await asyncio.to_thread(server.run, subscribe)
    await asyncio.to_thread(server.actualize)
    await asyncio.to_thread(with_account, empty_library_path, server)
    app = make_app(empty_library_path)
    app.PARSE_WORKERS = 1  # type: ignore[misc]
    statuses: list[str] = []
    watch = app.watch_status_text

    def recorded(text: str) -> None:
        statuses.append(text)
        watch(text)

    app.watch_status_text = recorded  # type: ignore[method-assign]
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        said = toasts(app)
        assert "No feeds yet" not in said
        assert "1 account synced: 3 new articles." in said, said
        assert len(app.article_list) == 3
        assert "app-harbour story 1" in screen_text(app)
        assert f"Syncing FreshRSS · {server.user}@127.0.0.1…" in statuses, statuses
        assert f"Synced FreshRSS · {server.user}@127.0.0.1 · 3 new" in statuses, statuses
        assert app.status_text == ""
        # F2: the feed under the account's heading.
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        lines = screen_text(app).splitlines()
        heading = next(i for i, line in enumerate(lines) if "FreshRSS · " in line)
        assert f"FreshRSS · {server.user}@127.0.0.1" in lines[heading]
        assert "  Harbour Herald" in lines[heading + 1] and "ok" in lines[heading]
        # fetched by the server: synced (now), not "new, never"
        assert "synced" in lines[heading + 1] and "never" not in lines[heading + 1]
        for _ in range(6):  # (bounded) down to the feed: its detail says who fetches it
            if "Fetched by FreshRSS · " in screen_text(app):
                break
            await pilot.press("j")
            await settle(pilot)
        assert "Fetched by FreshRSS · " in screen_text(app) and "last synced" in screen_text(app)
        assert "This device" not in "\n".join(lines)  # no local feeds: no heading for them


async def test_a_subscribes_through_the_account(
    empty_library_path: Path, make_app: MakeApp, server: FreshRSS, site: FeedSite
) -> None:
    account_id = await asyncio.to_thread(with_account, empty_library_path, server)
    url = site.put_feed("app-ferry", 2)
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddFeedScreen)
        dialog.query_one(Input).value = url
        dialog.query_one("#add-where", OptionList).highlighted = 1
        await settle(pilot)
        dialog.query_one(Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        said = toasts(app)
        assert f"on FreshRSS · {server.user}@127.0.0.1" in said, said
        assert "2 new items" in said
        assert len(app.article_list) == 2
    with Library(empty_library_path) as library:
        feed = library.feed(url)
        assert feed is not None
        assert SyncStore(library).feed_accounts()[feed.id].id == account_id
