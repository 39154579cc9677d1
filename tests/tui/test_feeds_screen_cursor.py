"""The feeds screen (F2) in a small terminal: g/G (and Home/End) go to the first and
last row, and the highlighted row stays in sight when the detail under the table
grows (a failing feed's error takes five lines)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import make_article, screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]


def many_feeds(path: Path) -> None:
    with Library(path) as library:
        for n in range(24):
            feed, _ = library.add_feed(f"https://f{n:02d}.example/feed", title=f"Feed {n:02d}")
            library.store([make_article(n)], feed_id=feed.id)
            if n == 23:  # the last one fails, with a long error
                library.record_fetch(
                    feed.id, ok=False, status=404, error="HTTP 404 Not Found: " + "gone " * 30
                )
            else:
                library.record_fetch(feed.id, ok=True, status=200)


async def test_g_and_end_reach_the_last_failing_feed_and_keep_it_in_sight(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    many_feeds(path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        for key in ("G", "end"):
            await pilot.press("g")
            await settle(pilot)
            assert screen.query_one(DataTable).cursor_row == 0
            await pilot.press(key)
            await settle(pilot)
            await pilot.pause()
            assert screen.current_feed is not None and screen.current_feed.title == "Feed 23"
            text = screen_text(app)
            assert "Last error: HTTP 404" in text
            rows = [line for line in text.splitlines() if "Feed 23" in line]
            assert any("error" in row for row in rows), text  # its row, in sight
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.pause()
        assert any("Feed 23" in line for line in screen_text(app).splitlines())


async def test_a_long_feed_name_leaves_the_unread_count_in_the_list_title(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    name = "Programs for Nokia 5800 and Nokia N97 — everything for the XpressMusic phones"
    with Library(path) as library:
        feed, _ = library.add_feed("https://long.example/feed", title=name)
        library.store([make_article(n) for n in range(3)], feed_id=feed.id)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        for _ in range(6):  # (bounded) down to the feed
            if screen.current_feed is not None:
                break
            await pilot.press("j")
            await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        top = screen_text(app).splitlines()[0]
        assert "Programs for Nokia" in top and "(3 unread)" in top, top
