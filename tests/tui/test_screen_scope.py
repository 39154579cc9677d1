"""What a dialog's help and the command palette offer depend on the screen in front
(found by a new user's trial): `?` on the feeds screen lists that screen's keys
first; the palette run over a dialog offers none of the main screen's actions (they
would act on the article the dialog hides); the links list does not repeat the
article's title as its first entry."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from textual.widgets import OptionList, Static
from tui_helpers import screen_text, settle

from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.feeds import FeedsScreen
from briefreader.tui.screens.help import HelpScreen
from briefreader.tui.screens.links import LinksScreen
from briefreader.tui.share_menu import ShareMenu

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 40)


def starred(path: Path, article_id: str) -> bool:
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT starred_at FROM articles WHERE id = ?", (article_id,)).fetchone()
    return row[0] is not None


async def test_help_on_the_feeds_screen_lists_its_keys_first(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        ids = [entry.binding_id for entry in app.screen.entries]
        assert ids.index("feeds_remove") < ids.index("star")
        text = screen_text(app)
        assert "Unsubscribe from the feed" in text
        assert "Feeds screen" in text
        assert "Subscribe to a feed" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        # On the main screen the help starts with the app's own keys.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "feeds_remove" not in {entry.binding_id for entry in app.screen.entries}


async def test_the_palette_over_a_dialog_offers_no_action_on_the_article_behind(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.current is not None
        article_id = app.current.id
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, ShareMenu)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"star or unstar")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not starred(library_path, article_id)
        # Over the main screen the same command stars the article.
        for _ in range(3):  # the palette, then the share menu
            if len(app.screen_stack) == 1:
                break
            await pilot.press("escape")
            await settle(pilot)
        assert len(app.screen_stack) == 1
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"star or unstar")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert starred(library_path, article_id)


async def test_the_links_list_names_the_articles_own_page_not_its_title_again(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.current is not None
        title = app.current.title
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, LinksScreen)
        first = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert title not in first
        assert "page this article on the web" in " ".join(first.split())
        assert title in str(app.screen.query_one("#links-title", Static).render())


async def test_at_80x24_a_long_search_keeps_its_count_in_sight(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"markets slide as the chip export rule bites")
        await settle(pilot)
        count = len(app.article_list)
        assert count >= 1
        assert f"{count} found" in screen_text(app)
