"""The feeds pane, left of the list: "All", tags and feeds with unread counts; enter
narrows the list, ``A`` marks the entry read, ``[`` shows or hides it, and below
120 columns it folds away (``[`` then shows it over the list)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.visual import VisualType
from tui_helpers import make_article, screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.feeds import FeedScope
from briefreader.tui.widgets.feeds_pane import FeedsList

MakeApp = Callable[..., BriefReaderApp]
WIDE = (160, 40)


@pytest.fixture
def feeds_library(tmp_path: Path) -> Path:
    """Alpha News (tags local, world): articles 0-2; Beta Times (local): 3-4;
    Quiet Gazette (no tags): 5, read; 6-7 from files.  Article 1 is read."""
    path = tmp_path / "feeds.sqlite3"
    with Library(path) as library:
        alpha, _ = library.add_feed(
            "https://alpha.example/feed", title="Alpha News", tags=["local", "world"]
        )
        beta, _ = library.add_feed("https://beta.example/feed", title="Beta Times", tags=["local"])
        quiet, _ = library.add_feed("https://quiet.example/feed", title="Quiet Gazette")
        library.store([make_article(n) for n in (0, 1, 2)], feed_id=alpha.id)
        library.store([make_article(n) for n in (3, 4)], feed_id=beta.id)
        library.store([make_article(5)], feed_id=quiet.id)
        library.store([make_article(n) for n in (6, 7)])
        library.set_read("art001")
        library.set_read("art005")
        library.index_related()
        library.update_stories()
    return path


def pane_lines(app: BriefReaderApp) -> list[str]:
    """The pane's entries as the screen shows them, ``name count`` (spaces squeezed)."""
    pane = app.feeds_pane.region
    lines = screen_text(app).splitlines()[pane.y + 1 : pane.bottom - 1]
    inner = [line[pane.x + 1 : pane.right - 1] for line in lines]
    return [" ".join(line.split()) for line in inner if line.strip()]


def scope_of(app: BriefReaderApp) -> FeedScope | None:
    return app.scope


def pane_shown(app: BriefReaderApp) -> bool:
    return "TAGS" in screen_text(app) or "No feeds yet" in screen_text(app)


async def test_the_pane_lists_all_tags_and_feeds_with_their_unread_counts(
    feeds_library: Path, make_app: MakeApp
) -> None:
    app = make_app(feeds_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert pane_lines(app) == [
            "All 6",
            "TAGS",
            "# local 4",
            "# world 2",
            "FEEDS",
            "Alpha News 2",
            "Beta Times 2",
            "Quiet Gazette",  # nothing unread: no count
        ]
        text = screen_text(app)
        assert re.search(r"╭─ Feeds ─+╮╭─ Articles \(6 unread\)", text)


async def test_choosing_a_feed_filters_the_list_and_all_shows_everything(
    feeds_library: Path, make_app: MakeApp
) -> None:
    app = make_app(feeds_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert len(app.article_list) == 8
        await pilot.press("shift+tab")  # from the list to the pane
        await settle(pilot)
        assert app.feeds_pane.has_focus_within
        await pilot.press("j", "j", "j", "j")  # All → # local, # world, Alpha, Beta
        await pilot.press("enter")
        await settle(pilot)
        assert app.article_list.has_focus
        assert len(app.article_list) == 2
        text = screen_text(app)
        assert "Beta Times (2 unread)" in text
        assert "Story number 3" in text and "Story number 0" not in text
        assert "Beta Times 2" in pane_lines(app)
        # A tag: every feed with it.
        await pilot.press("shift+tab")
        await pilot.press("k", "k", "enter")  # Beta → Alpha → # world
        await settle(pilot)
        assert scope_of(app) == FeedScope("tag", "world", "# world")
        assert len(app.article_list) == 3
        assert "# world (2 unread)" in screen_text(app)
        # All again.
        await pilot.press("shift+tab", "home", "enter")
        await settle(pilot)
        assert scope_of(app) is None
        assert len(app.article_list) == 8


async def test_mark_read_from_the_pane_updates_the_counts_and_the_list(
    feeds_library: Path, make_app: MakeApp
) -> None:
    app = make_app(feeds_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "j")  # All → # local (headings are skipped)
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        notes = "\n".join(str(n.message) for n in app._notifications)
        assert "Marked 4 articles read: # local — z to undo." in notes
        assert pane_lines(app)[:5] == ["All 2", "TAGS", "# local", "# world", "FEEDS"]
        assert "Articles (2 unread)" in screen_text(app)
        # The list shows them read (no unread dot on articles 0-4).
        with Library(feeds_library, readonly=True) as library:
            unread = {r.id for r in library.rows("unread")}
        assert unread == {"art006", "art007"}
        assert app.article_list.current is not None
        assert all(row.read for _, row in app.article_list.iter_rows(0) if row.id not in unread)
        # Nothing unread there any more: said, nothing written.
        await pilot.press("A")
        await settle(pilot)
        assert "Nothing unread there." in "\n".join(str(n.message) for n in app._notifications)
        # From the list, A marks what the list shows: here every article (asked first).
        await pilot.press("escape")
        await settle(pilot)
        assert app.article_list.has_focus
        await pilot.press("A")
        await settle(pilot)
        assert "Mark all 2 unread articles read" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert pane_lines(app)[0] == "All"
        assert "Articles (0 unread)" in screen_text(app)
        # z undoes the last one: the two articles from files are unread again.
        await pilot.press("z")
        await settle(pilot)
        assert pane_lines(app)[0] == "All 2"
        assert "Articles (2 unread)" in screen_text(app)


async def test_the_toggle_key_hides_and_shows_the_pane_and_the_list_widens(
    feeds_library: Path, make_app: MakeApp
) -> None:
    app = make_app(feeds_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert pane_shown(app)
        width = app.query_one("#list-pane").region.width
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert not pane_shown(app)
        assert app.query_one("#list-pane").region.width > width
        assert app.query_one("#list-pane").region.x == 0
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert pane_shown(app)
        assert app.feeds_pane.has_focus_within  # shown by its key: ready to choose
        # Tab cycles through it: pane → list → article → related → pane.
        focus = []
        for _ in range(4):
            await pilot.press("tab")
            focus.append(app.focused.id if app.focused else None)
        assert focus == ["articles", "article", "related-list", "feeds-list"]
        # Hiding it with focus inside gives the focus back to the list.
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.article_list.has_focus


async def test_the_pane_folds_away_at_80x24_and_shows_over_the_list(
    feeds_library: Path, make_app: MakeApp
) -> None:
    app = make_app(feeds_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not pane_shown(app)
        assert "Articles (6 unread)" in screen_text(app)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert pane_shown(app)
        assert "Alpha News" in screen_text(app)
        assert app.feeds_pane.has_focus_within
        await pilot.press("escape")
        await settle(pilot)
        assert not pane_shown(app)
        assert app.article_list.has_focus
        # Choosing from the overlay closes it.
        await pilot.press("left_square_bracket", "j", "j", "j", "enter")  # Alpha News
        await settle(pilot)
        assert not pane_shown(app)
        assert "Alpha News (2 unread)" in screen_text(app)
        assert len(app.article_list) == 3
        # Wider again: beside the list.
        await pilot.resize_terminal(*WIDE)
        await settle(pilot)
        assert pane_shown(app)


async def test_the_samples_have_no_feeds_so_the_pane_stays_hidden_until_asked(
    sample_library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert not pane_shown(app)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        lines = pane_lines(app)
        assert lines[0] == "All 16"
        assert "No feeds yet" in screen_text(app)


async def test_search_inside_a_feed_says_so(feeds_library: Path, make_app: MakeApp) -> None:
    """The search box names what it searches: the chosen feed or tag, or everything."""
    app = make_app(feeds_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert "Search all articles…" in screen_text(app)
        await pilot.press("escape", "shift+tab", "j", "j", "j", "j", "enter")  # Beta Times
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        text = screen_text(app)
        assert "Search Beta Times…" in text and "Search all articles…" not in text


async def test_new_counts_redraw_only_what_changed_and_keep_the_pane_where_it_was(
    tmp_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """During a refresh the counts change every second: the pane, scrolled down to a
    feed by the reader, stays there (before, every new count rebuilt the whole pane
    at its top, and drew hundreds of feeds again)."""
    path = tmp_path / "many.sqlite3"
    with Library(path) as library:
        for n in range(60):
            feed, _ = library.add_feed(f"https://f{n:02}.example/feed", title=f"Feed {n:02}")
            library.store([make_article(n)], feed_id=feed.id)
    drawn: list[str] = []
    real = FeedsList.replace_option_prompt

    def counted(self: FeedsList, option_id: str, prompt: VisualType) -> FeedsList:
        drawn.append(option_id)
        return real(self, option_id, prompt)

    monkeypatch.setattr(FeedsList, "replace_option_prompt", counted)
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        feeds_list = app.feeds_pane.query_one("#feeds-list", FeedsList)
        feeds_list.focus()
        await settle(pilot)
        for _ in range(45):
            await pilot.press("j")
        await settle(pilot)
        scrolled, highlighted = feeds_list.scroll_y, feeds_list.highlighted
        option = feeds_list.highlighted_option
        assert scrolled > 0 and option is not None and option.id is not None
        feed_id = int(option.id.removeprefix("feed:"))
        with Library(path) as library:  # a refresh brings a new article to that feed
            library.store([make_article(70)], feed_id=feed_id)
            title = next(f.title for f in library.feeds() if f.id == feed_id)
        drawn.clear()
        app.feeds_pane.reload()
        await settle(pilot)
        assert sorted(drawn) == ["all", f"feed:{feed_id}"]  # "All 61", "Feed NN 2"
        assert (feeds_list.scroll_y, feeds_list.highlighted) == (scrolled, highlighted)
        assert f"{title} 2" in pane_lines(app)


async def test_g_and_G_go_to_the_pane_s_first_and_last_row_so_A_marks_what_is_highlighted(
    feeds_library: Path, make_app: MakeApp
) -> None:
    """g/G did nothing in the feeds pane (j/k and home/end moved): a reader pressing g
    then A to mark everything read marked the feed still highlighted."""
    app = make_app(feeds_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        pane = app.query_one(FeedsList)
        pane.focus()
        await pilot.press("j", "j")
        await settle(pilot)
        assert pane.highlighted not in (None, 0)
        await pilot.press("g")
        await settle(pilot)
        assert pane.highlighted == 0  # All
        assert app.feeds_pane.highlighted_scope is None
        await pilot.press("G")
        await settle(pilot)
        assert pane.highlighted == pane.option_count - 1
        await pilot.press("g", "A")  # on All: it asks first
        await settle(pilot)
        assert "in every feed and file?" in screen_text(app)


@pytest.mark.parametrize(("width", "beside"), [(120, False), (139, False), (140, True)])
async def test_the_pane_sits_beside_the_list_from_140_columns(
    feeds_library: Path, make_app: MakeApp, width: int, beside: bool
) -> None:
    """A reader's trial at 120x40: four panes left the article ~30 columns of text.
    Below 140 columns the feeds pane folds away ([ shows it over the list)."""
    app = make_app(feeds_library)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        assert pane_shown(app) is beside
        assert app.article_view.content_region.width >= 38


async def test_with_the_pane_focused_the_footer_says_its_keys(
    feeds_library: Path, make_app: MakeApp
) -> None:
    """A reader's trial: with the feeds pane focused, the footer lost "jk Move ⏎ Read"
    (the pane's own j, k and enter took their place, unshown) and named none of them."""
    app = make_app(feeds_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.query_one(FeedsList).focus()
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "jk Move" in footer and "⏎ Show" in footer, footer
        app.article_list.focus()
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "jk Move" in footer and "⏎ Read" in footer, footer
