"""Noise and inconsistencies (issue 10, item 9): automatic refreshes announce new
articles and a failing feed once; "Already subscribed" has its own title; ``?``
works on the feeds screen; toasts do not draw over the help and share screens.

Feeds are served by a real HTTP server on 127.0.0.1 (tests/fetchserver.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fetchserver import FetchServer
from textual.widgets import Input
from tui_helpers import screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.dialogs import AddFeedScreen
from briefreader.tui.screens.feeds import FeedsScreen
from briefreader.tui.screens.help import HelpScreen
from briefreader.tui.screens.links import LinksScreen
from briefreader.tui.share_menu import ShareMenu

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)


def rss(title: str, items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>https://site.example/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>{t} happened today.</description></item>"
        for t, guid in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://site.example/</link><description>d</description>{body}</channel></rss>"
    ).encode()


@pytest.fixture
def server() -> Iterator[FetchServer]:
    with FetchServer() as srv:
        srv.add(
            "/alpha.xml", rss("Alpha News", [("Bridge reopens", "a1")]), content_type="text/xml"
        )
        srv.add("/broken.xml", b"oops", status=500, content_type="text/plain")
        yield srv


@pytest.fixture
def feeds_app(tmp_path: Path, server: FetchServer, make_app: MakeApp) -> BriefReaderApp:
    path = tmp_path / "feeds.sqlite3"
    with Library(path) as library:
        library.add_feed(server.url("/alpha.xml"))
        library.add_feed(server.url("/broken.xml"), title="Broken Herald")
    app = make_app(path)
    app.PARSE_WORKERS = 1  # type: ignore[misc]
    app.LIST_UPDATE_DELAY = 0.05  # type: ignore[misc]
    return app


def toasts(app: BriefReaderApp) -> list[tuple[str, str]]:
    """``(title, message)`` of every toast shown since the last clear."""
    return [(str(n.title), str(n.message)) for n in app._notifications]


async def auto_refresh(pilot: object, app: BriefReaderApp) -> list[tuple[str, str]]:
    """One automatic refresh (what the config's refresh_minutes timer runs); its toasts."""
    app.clear_notifications()
    app._refresh_on_timer()
    await settle(pilot)  # type: ignore[arg-type]
    return toasts(app)


async def test_auto_refresh_announces_new_articles_and_a_failing_feed_once(
    feeds_app: BriefReaderApp, server: FetchServer
) -> None:
    app = feeds_app
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        first = await auto_refresh(pilot, app)
        assert len(first) == 1, first
        assert "1 new article" in first[0][1]
        assert "Broken Herald failed to refresh" in first[0][1]
        # Nothing new, the same feed still down: nothing to say.
        assert await auto_refresh(pilot, app) == []
        assert await auto_refresh(pilot, app) == []
        # A new article: announced, and only that.
        server.add(
            "/alpha.xml",
            rss("Alpha News", [("Bridge reopens", "a1"), ("Ferry delayed", "a2")]),
            content_type="text/xml",
        )
        news = await auto_refresh(pilot, app)
        assert len(news) == 1 and "1 new article" in news[0][1]
        assert "fail" not in news[0][1]
        # The feed recovers, then fails again: that is news again.
        server.add("/broken.xml", rss("Broken Herald", []), content_type="text/xml")
        assert await auto_refresh(pilot, app) == []
        server.add("/broken.xml", b"oops", status=500, content_type="text/plain")
        again = await auto_refresh(pilot, app)
        assert len(again) == 1 and "Broken Herald failed to refresh" in again[0][1]
        # `r` (asked for) still gives the whole summary, failure included.
        app.clear_notifications()
        await pilot.press("r")
        await settle(pilot)
        assert any("1 failed" in message for _, message in toasts(app))
        # ... and the feeds screen shows the error.
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        assert "error" in screen_text(app)


async def test_subscribing_again_is_not_titled_feed_added(
    feeds_app: BriefReaderApp, server: FetchServer
) -> None:
    app = feeds_app
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one(Input).value = server.url("/alpha.xml")
        await pilot.press("enter")
        await settle(pilot)
        shown = toasts(app)
        assert any(message.startswith("Already subscribed") for _, message in shown), shown
        assert ("Feed added", shown[-1][1]) not in shown
        assert shown[-1][0] == "Already subscribed"


async def test_question_mark_on_the_feeds_screen_shows_help(
    feeds_app: BriefReaderApp,
) -> None:
    app = feeds_app
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        assert "? help" in screen_text(app)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)


@pytest.mark.parametrize(
    ("key", "screen_type"),
    [("question_mark", HelpScreen), ("S", ShareMenu), ("u", LinksScreen), ("a", AddFeedScreen)],
)
async def test_toasts_do_not_draw_over_the_help_and_share_screens(
    make_app: MakeApp, library_path: Path, key: str, screen_type: type
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.notify("Quokka", title="Noise", timeout=30)
        await settle(pilot)
        assert "Quokka" in screen_text(app)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, screen_type)
        assert "Quokka" not in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "Quokka" in screen_text(app)  # back, while it lasts
