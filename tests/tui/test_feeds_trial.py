"""Findings from a new user's trial of the feeds (r, F2): the refresh summary never
counts a failed feed as refreshed; F2's "Last OK" is the last good fetch; on F2 a
refresh's word does not cover the feed's detail; every column fits at 80 columns
and "All articles" has its counts.  Each test asserts on what the screen shows."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from testkit import FIXED_NOW
from textual.widgets import DataTable
from tui_helpers import screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)


def closed_port_url(path: str) -> str:
    """An address on this machine where nothing listens (a stopped server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def toasts(app: BriefReaderApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def stopped_feeds_app(tmp_path: Path, make_app: MakeApp, count: int) -> BriefReaderApp:
    path = tmp_path / "stopped.sqlite3"
    with Library(path) as library:
        for n in range(count):
            library.add_feed(closed_port_url(f"/feed{n}.xml"), title=f"Feed {n}")
    app = make_app(path)
    app.PARSE_WORKERS = 1  # type: ignore[misc]
    return app


async def test_r_with_the_server_stopped_says_no_feed_was_refreshed(
    tmp_path: Path, make_app: MakeApp
) -> None:
    app = stopped_feeds_app(tmp_path, make_app, 3)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        said = toasts(app)
        assert "0 of 3 feeds refreshed, 3 failed." in said, said
        assert "3 feeds refreshed:" not in said
        assert "Press f2 for the feeds and their errors." in said


async def test_r_on_the_feeds_screen_neither_sends_to_f2_nor_covers_the_detail(
    tmp_path: Path, make_app: MakeApp
) -> None:
    app = stopped_feeds_app(tmp_path, make_app, 1)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        assert not app._notifications  # no toast over the detail box
        text = screen_text(app)
        assert "0 of 1 feed refreshed, 1 failed." in text
        assert "Press f2" not in text and "press f2" not in text
        screen.query_one(DataTable).move_cursor(
            row=screen._keys.index(f"feed:{screen.feeds[0].id}")
        )
        await settle(pilot)
        text = screen_text(app)
        assert "Last error: connection refused" in text and "never worked" in text


async def test_fetched_is_the_last_good_fetch_and_the_failure_is_shown_apart(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as library:
        good, _ = library.add_feed("http://127.0.0.1:9/good.xml", title="Good feed")
        bad, _ = library.add_feed("http://127.0.0.1:9/bad.xml", title="Bad feed")
        db = library._db
        db.execute(
            "UPDATE feeds SET last_fetched = ?, last_ok = ? WHERE id = ?",
            (FIXED_NOW - 7200, FIXED_NOW - 7200, good.id),
        )
        db.execute(
            "UPDATE feeds SET last_fetched = ?, last_ok = ?, last_error = ? WHERE id = ?",
            (FIXED_NOW - 30, FIXED_NOW - 3 * 86400, "connection refused", bad.id),
        )
        db.commit()
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        lines = screen_text(app).splitlines()
        # The column says whose time it is: "error … now" read as a fetch just now.
        assert any("Status" in line and "Last OK" in line for line in lines)
        bad_line = next(line for line in lines if "Bad feed" in line)
        good_line = next(line for line in lines if "Good feed" in line)
        assert "error" in bad_line and " 3d " in bad_line and " now " not in bad_line
        assert "ok" in good_line and " 2h " in good_line
        screen.query_one(DataTable).move_cursor(row=screen._keys.index(f"feed:{bad.id}"))
        await settle(pilot)
        text = screen_text(app)
        assert "Last error: connection refused" in text
        assert "Failed just now; last worked 3d ago" in text


async def test_every_column_fits_at_80_columns_and_all_articles_has_counts(
    library_path: Path, make_app: MakeApp
) -> None:
    with Library(library_path) as library:
        library.add_feed(
            "http://127.0.0.1:9/long.xml",
            title="The Extraordinarily Long Name of a Regional Daily Newspaper Feed",
            tags=["world", "science"],
        )
        total, unread = library.count("all"), library.count("unread")
    assert total > 0
    app = make_app(library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Feed" in line and "Status" in line)
        assert "Unread" in header and "Tags" in header, header
        long_line = next(line for line in lines if "The Extraordinarily" in line)
        assert "…" in long_line and "world, science" in long_line, long_line
        all_line = next(line for line in lines if "All articles" in line)
        assert all_line.split()[-3:-1] == [str(total), str(unread)], all_line


async def test_r_on_the_feeds_screen_with_no_feeds_says_how_to_add_one_once(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        text = " ".join(screen_text(app).split())
        assert text.count("No feeds yet") == 1, text
        assert "Nothing to refresh yet." in text
        assert not app._notifications


async def test_the_columns_are_as_wide_as_the_rows_from_the_first_frame(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A newcomer's trial: after adding feeds on F2, the names were sometimes cut to
    4 cells (the "Feed" label's width) and stayed so, the columns out of line with the
    header, until the cursor passed each row.  The widths are set with the rows, not
    only once the table measures them, and shrink for a narrower listing too."""
    path = tmp_path / "names.sqlite3"
    with Library(path) as library:
        library.add_feed("http://127.0.0.1:9/a.xml", title="Harbour Gazette Evening")
        library.add_feed("http://127.0.0.1:9/b.xml", title="RSS")
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen) and screen._listing is not None
        table = screen.query_one(DataTable)
        wide = screen._listing
        screen.show_feeds(wide)  # as a reload after adding a feed: measured before a frame
        names = [c.content_width for c in table.ordered_columns]
        assert names[0] == len("Harbour Gazette Evening"), names
        assert names[1] == len("Status") and names[3] == len("Items"), names
        narrow = type(wide)([f for f in wide.feeds if f.name == "RSS"], wide.owners, 1, 1)
        screen.show_feeds(narrow)
        assert table.ordered_columns[0].content_width == len("All articles")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Feed" in line and "Status" in line)
        row = next(line for line in lines if " RSS " in line)
        assert row.index("new") == header.index("Status"), (header, row)
