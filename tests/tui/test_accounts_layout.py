"""The app with an account (a library with its row, no server): F2 groups the
account's feeds under its heading and this device's apart, and fits 80 columns;
the add-feed dialog asks where to subscribe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable, OptionList
from tui_helpers import screen_text, settle

from briefreader.store import Library
from briefreader.store.sync import SyncStore
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.dialogs import AddFeedScreen
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]
ENDPOINT = "http://127.0.0.1:9/api/greader.php"


def account_library(path: Path) -> int:
    with Library(path) as library:
        library.add_feed("http://127.0.0.1:9/local.xml", title="Local Gazette")
        store = SyncStore(library)
        account, _new = store.add_account(ENDPOINT, "reader")
        store.set_feeds(account.id, [
            ("feed/1", "http://127.0.0.1:9/a.xml", "Harbour Herald", "", ["News"]),
            ("feed/2", "http://127.0.0.1:9/b.xml",
             "The Extraordinarily Long Name of a Regional Daily Newspaper Feed", "", []),
        ])  # fmt: skip
        return account.id


async def test_f2_groups_an_accounts_feeds_under_its_heading(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    account_id = account_library(empty_library_path)
    app = make_app(empty_library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Status" in line)
        assert "Unread" in header and "Tags" in header
        text = "\n".join(lines)
        device = next(i for i, line in enumerate(lines) if "This device" in line)
        gazette = next(i for i, line in enumerate(lines) if "Local Gazette" in line)
        heading = next(i for i, line in enumerate(lines) if "FreshRSS · reader@127.0.0.1" in line)
        herald = next(i for i, line in enumerate(lines) if "Harbour Herald" in line)
        long_name = next(i for i, line in enumerate(lines) if "The Extraordinarily" in line)
        assert device < gazette < heading < herald and heading < long_name, text
        assert "  Harbour Herald" in lines[herald]  # indented under its heading
        assert "…" in lines[long_name]
        assert "2 feeds" in lines[heading] and "never" in lines[heading]
        # The heading's detail names the server; enter on it filters nothing.
        screen.query_one(DataTable).move_cursor(row=screen._keys.index(f"account:{account_id}"))
        await settle(pilot)
        text = screen_text(app)
        assert ENDPOINT in text and "Not synced yet." in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)


async def test_f2_heading_shows_the_accounts_last_sync_and_error(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    account_id = account_library(empty_library_path)
    error = f"reader@{ENDPOINT}: could not send 2 read/star change(s) (kept, to send later)"
    app = make_app(empty_library_path)
    with Library(empty_library_path) as library:  # (the app's clock: the tests' fixed one)
        SyncStore(library).record_sync(account_id, synced_at=app.clock() - 7200, error=error)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        lines = screen_text(app).splitlines()
        heading = next(line for line in lines if "FreshRSS · reader@127.0.0.1" in line)
        assert "error" in heading and "2h" in heading, heading
        screen.query_one(DataTable).move_cursor(row=screen._keys.index(f"account:{account_id}"))
        await settle(pilot)
        text = screen_text(app)
        assert f"Last sync error: reader@{ENDPOINT}: could not send 2 read/star" in text, text
        assert "Last synced 2h ago" in text, text


async def test_without_accounts_f2_has_no_headings(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    with Library(empty_library_path) as library:
        library.add_feed("http://127.0.0.1:9/local.xml", title="Local Gazette")
    app = make_app(empty_library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert "This device" not in screen_text(app)


def chosen(dialog: AddFeedScreen) -> int | None:
    return dialog.chosen_account


async def test_the_add_dialog_asks_where_to_subscribe(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    account_library(empty_library_path)
    app = make_app(empty_library_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddFeedScreen)
        text = screen_text(app)
        assert "Subscribe on:" in text
        assert "● This device" in text and "○ FreshRSS · reader@127.0.0.1" in text
        dialog = app.screen
        assert dialog.chosen_account is None  # this device unless chosen
        where = dialog.query_one("#add-where", OptionList)
        await pilot.press("tab")
        assert where.has_focus
        await pilot.press("down")
        await settle(pilot)
        assert chosen(dialog) is not None
        assert "● FreshRSS · reader@127.0.0.1" in screen_text(app)


async def test_the_feeds_pane_shows_an_accounts_feeds_under_its_heading(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    account_library(empty_library_path)
    app = make_app(empty_library_path)
    async with app.run_test(size=(150, 30)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        pane = [line.split("│")[1].strip() for line in lines if line.count("│") >= 2]
        device = pane.index("THIS DEVICE")
        account = next(i for i, name in enumerate(pane) if name.startswith("FRESHRSS · READ"))
        assert device < pane.index("Local Gazette") < account < pane.index("Harbour Herald")
