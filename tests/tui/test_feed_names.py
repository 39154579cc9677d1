"""One name per feed in the app: the article list, the article's meta line, the feeds
pane and the feeds screen (F2) all call a feed's articles by the feed's name, and a
rename (``e`` on F2) shows in all four at once; an empty name goes back to the feed's
own title."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_helpers import make_article, screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.dialogs import RenameFeedScreen
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]
WIDE = (160, 40)


@pytest.fixture
def named_library(tmp_path: Path) -> Path:
    """One feed, "Alpha News", whose items name their channels "Northgate Wire" and
    "Kestrel Markets" (articles 0-2); article 3 from a file ("Kestrel Markets")."""
    path = tmp_path / "names.sqlite3"
    with Library(path) as library:
        alpha, _ = library.add_feed("https://alpha.example/feed", title="Alpha News")
        library.store([make_article(n) for n in (0, 1, 2)], feed_id=alpha.id)
        library.store([make_article(3)])
    return path


def list_text(app: BriefReaderApp) -> str:
    pane = app.query_one("#list-pane").region
    lines = screen_text(app).splitlines()[pane.y : pane.bottom]
    return "\n".join(line[pane.x : pane.right] for line in lines)


def pane_text(app: BriefReaderApp) -> str:
    pane = app.feeds_pane.region
    lines = screen_text(app).splitlines()[pane.y : pane.bottom]
    return "\n".join(line[pane.x : pane.right] for line in lines)


def meta_line(app: BriefReaderApp) -> str:
    return app.article_view.text.strip().splitlines()[1]


async def open_feed_row(pilot: object, app: BriefReaderApp) -> FeedsScreen:
    await pilot.press("f2")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, FeedsScreen)
    while screen.current_feed is None:
        await pilot.press("j")  # type: ignore[attr-defined]
    return screen


async def test_a_feed_s_articles_go_by_the_feed_s_name_everywhere(
    named_library: Path, make_app: MakeApp
) -> None:
    app = make_app(named_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        shown = list_text(app)
        assert shown.count("Alpha News") == 3, shown  # not the channels' own names
        assert "Northgate Wire" not in shown
        assert shown.count("Kestrel Markets") == 1  # the file's article: its source
        assert meta_line(app).startswith("Alpha News · ")
        assert "Alpha News" in pane_text(app)


async def test_e_on_the_feeds_screen_renames_the_feed_everywhere_and_empty_undoes_it(
    named_library: Path, make_app: MakeApp
) -> None:
    app = make_app(named_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = await open_feed_row(pilot, app)
        assert "Alpha News" in screen_text(app)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RenameFeedScreen)
        field = dialog.query_one(Input)
        assert field.value == "Alpha News"
        assert "Rename the feed" in screen_text(app)
        field.value = ""
        await pilot.press(*"Harbour Watch", "enter")
        await settle(pilot)
        # Back on F2: the feed's row and its detail name it so.
        assert app.screen is screen
        text = screen_text(app)
        assert "Harbour Watch" in text and "its own title: Alpha News" in text
        await pilot.press("escape")
        await settle(pilot)
        shown = list_text(app)
        assert shown.count("Harbour Watch") == 3 and "Alpha News" not in shown, shown
        assert meta_line(app).startswith("Harbour Watch · ")
        assert "Harbour Watch" in pane_text(app) and "Alpha News" not in pane_text(app)

        # An empty name: the feed's own title again.
        screen = await open_feed_row(pilot, app)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert list_text(app).count("Alpha News") == 3
        assert meta_line(app).startswith("Alpha News · ")
    with Library(named_library) as library:
        [feed] = library.feeds()
        assert feed.user_title == "" and feed.name == "Alpha News"


async def test_escape_in_the_rename_dialog_changes_nothing(
    named_library: Path, make_app: MakeApp
) -> None:
    app = make_app(named_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await open_feed_row(pilot, app)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("x", "escape")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
    with Library(named_library) as library:
        assert library.feeds()[0].user_title == ""
