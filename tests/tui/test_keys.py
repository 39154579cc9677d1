"""Every key of the reading app, driven through Pilot; asserts on the screen and the library."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.widgets import Input
from tui_helpers import screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.help import HelpScreen
from briefreader.tui.widgets.article_list import ArticleList
from briefreader.tui.widgets.article_view import ArticleView
from briefreader.tui.widgets.related import RelatedList, RelatedSidebar

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)


def state(path: Path, article_id: str) -> tuple[bool, bool]:
    """(read, starred) as stored, read through a fresh connection."""
    with Library(path) as library:
        read_at, starred_at = library.state(article_id)
    return read_at is not None, starred_at is not None


def current_id(app: BriefReaderApp) -> str | None:
    return app.current.id if app.current else None


async def test_opens_on_the_newest_article_and_j_k_g_G_move(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        # Opens on the newest article.
        assert current_id(app) == "art000"
        assert app.article_list.cursor == 0
        assert len(app.article_list) == 8
        text = screen_text(app)
        assert "Articles (8 unread)" in text
        assert "Markets slide as the chip export rule bites" in text
        assert "KEY TAKEAWAYS" in text
        assert "EDITOR'S DESK" in text
        assert "Related" in text
        # Previewing does not mark read.
        assert state(library_path, "art000") == (False, False)
        # j, k and the arrows move.
        await pilot.press("j")
        assert current_id(app) == "art001"
        await pilot.press("down")
        assert current_id(app) == "art002"
        await pilot.press("k")
        assert current_id(app) == "art001"
        await pilot.press("up", "up", "up")  # stops at the first
        assert current_id(app) == "art000"
        await settle(pilot)
        assert "Story number 1" in screen_text(app)
        # g and G (home and end) go to the first and the last.
        await pilot.press("G")
        assert current_id(app) == "art007"
        await pilot.press("g")
        assert current_id(app) == "art000"
        await pilot.press("end")
        assert current_id(app) == "art007"
        await pilot.press("home")
        assert current_id(app) == "art000"


async def test_enter_reads_and_marks_read_at_once(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        assert current_id(app) == "art001"
        assert state(library_path, "art001") == (True, False)
        assert isinstance(app.focused, ArticleView)
        await settle(pilot)
        assert "Articles (7 unread)" in screen_text(app)


async def test_tab_and_shift_tab_cycle_panes_and_bracket_toggles_the_sidebar(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)

        def focused() -> object:
            return app.focused

        assert focused() is app.article_list
        await pilot.press("tab")
        assert focused() is app.article_view
        await pilot.press("tab")
        assert isinstance(focused(), RelatedList)
        assert app.focused is not None and app.focused.id == "related-list"
        await pilot.press("shift+tab")
        assert isinstance(focused(), ArticleView)
        # ] toggles the sidebar when the terminal is wide.
        sidebar = app.query_one(RelatedSidebar)
        assert sidebar.display and sidebar.region.width > 0
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert sidebar.region.width == 0
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert sidebar.region.width > 0


async def test_space_and_page_keys_scroll_the_article(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        view = app.article_view
        assert view.scroll_y == 0
        await pilot.press("space")
        await pilot.pause()
        first = view.scroll_y
        assert first > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.scroll_y > first
        await pilot.press("pageup")
        await pilot.pause()
        assert view.scroll_y == first
        await pilot.press("b")
        await pilot.pause()
        assert view.scroll_y == 0
        view.focus()  # the arrow keys scroll the article while it has focus
        await pilot.press("down", "down")
        await pilot.pause()
        assert view.scroll_y == 2
        assert app.current is not None and app.current.id == "art000"
        await pilot.press("end")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 0


async def test_n_and_p_read_the_next_and_previous_unread(
    library_path: Path, make_app: MakeApp
) -> None:
    with Library(library_path) as library:
        library.set_read("art001")
        library.set_read("art002")
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert current_id(app) == "art003"  # skips the two read ones
        assert state(library_path, "art003")[0] is True
        await pilot.press("p")
        assert current_id(app) == "art000"
        assert state(library_path, "art000")[0] is True
        await pilot.press("p")  # nothing above: stays, says so
        assert current_id(app) == "art000"
        await settle(pilot)
        assert any("No unread" in str(n.message) for n in app._notifications)


async def test_o_c_and_S_on_the_article_link(
    library_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    from briefreader.tui.share_menu import ShareMenu

    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        # o opens the article in the browser.
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://news.example/0"]
        # S opens the share menu for it; escape closes it.
        await pilot.press("S")
        await settle(pilot)
        menu = app.screen
        assert isinstance(menu, ShareMenu)
        assert menu.article.id == "art000"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ShareMenu)
        # c copies the link.
        await pilot.press("j", "c")
        await settle(pilot)
        assert app.clipboard == "https://news.example/1"
        assert any("https://news.example/1" in str(n.message) for n in app._notifications)
        # o on an article without a link says so.
        await pilot.press("j", "j", "j")
        assert current_id(app) == "art004"
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://news.example/0"]
        assert any("no link" in str(n.message) for n in app._notifications)


async def test_s_stars_and_unstars_and_m_toggles_read(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert state(library_path, "art000") == (False, True)
        await settle(pilot)
        assert "★" in screen_text(app)
        await pilot.press("s")
        assert state(library_path, "art000") == (False, False)
        await pilot.press("m")
        assert state(library_path, "art000")[0] is True
        assert app.unread_count == 7
        await pilot.press("m")
        assert state(library_path, "art000")[0] is False
        assert app.unread_count == 8
        # q quits.
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_M_marks_every_shown_article_read(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        with Library(library_path) as library:
            assert library.count("unread") == 0
        assert app.unread_count == 0
        assert all(row.read for _, row in app.article_list.iter_rows(0))
        assert "Articles (0 unread)" in screen_text(app)


async def test_M_marks_only_the_search_results(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"auction", "enter")
        await settle(pilot)
        assert len(app.article_list) == 1
        await pilot.press("M")
        await settle(pilot)
        with Library(library_path) as library:
            assert library.count("unread") == 7
        assert state(library_path, "art007")[0] is True


async def test_search_filters_as_you_type_and_escape_clears(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        # A search with no match says so.
        await pilot.press("slash", *"zzzqqq")
        await settle(pilot)
        assert len(app.article_list) == 0
        assert "Nothing matches" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.article_list) == 8
        # Filters as you type.
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"auction")
        await settle(pilot)
        assert len(app.article_list) == 1
        assert current_id(app) == "art007"
        assert "found" in screen_text(app)
        await pilot.press("backspace", "backspace", "backspace", "backspace")  # "auc"
        await settle(pilot)
        assert len(app.article_list) == 1  # prefix search
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.article_list) == 8
        assert isinstance(app.focused, ArticleList)
        assert not app.search_input.display or not app.query_one("#list-pane").has_class(
            "-searching"
        )


async def test_slash_and_a_word_in_one_burst_search_for_the_word(
    library_path: Path, make_app: MakeApp
) -> None:
    """A terminal delivers "/auction" typed fast (or pasted) as one read: every key is
    queued before "/" has opened the field.  The letters go into the field; none runs
    as a list command (a: add a feed, u: links, c: copy, t, i, o: open, n: next)."""
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for char in "/auction":
            app.post_message(events.Key("slash" if char == "/" else char, char))
        await settle(pilot)
        assert app.search_input.value == "auction"
        assert len(app.screen_stack) == 1  # no dialog opened by a letter
        assert len(app.article_list) == 1 and current_id(app) == "art007"
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.article_list) == 8
        # Letters typed into the open field are taken once (not twice).
        await pilot.press("slash", *"auc")
        await settle(pilot)
        assert app.search_input.value == "auc"


async def test_keys_typed_after_q_in_one_burst_do_nothing(
    library_path: Path, make_app: MakeApp
) -> None:
    """ "squ" in one read (a burst, or a paste): u opened the links dialog while the app
    closed, and its start failed with a traceback over the terminal."""
    from briefreader.tui.screens.links import LinksScreen

    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:  # (the dialog's failure raised here)
        await settle(pilot)
        for char in "qu":
            app.post_message(events.Key(char, char))
        await pilot.pause()
        assert not any(isinstance(screen, LinksScreen) for screen in app.screen_stack)
    assert app._exit and app.return_code == 0


async def test_a_and_an_address_in_one_burst_type_the_address_into_the_dialog(
    library_path: Path, make_app: MakeApp
) -> None:
    """ "a" and an address typed fast (or pasted) in one read: the address goes into the
    add-a-feed dialog's field.  (Its letters were queued before the dialog had given
    its field focus, and were lost; a letter the list binds would have run there.)"""
    with Library(library_path) as library:
        library.add_feed("https://one.example/feed", title="One Example")
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        unread, first = app.unread_count, current_id(app)
        for char in "ahttps://news.example/rss":
            app.post_message(events.Key(char if char.isalnum() else _key_name(char), char))
        await settle(pilot)
        dialog = app.screen.query_one("#add-url", Input)
        assert dialog.value == "https://news.example/rss"
        assert len(app.screen_stack) == 2
        # No letter ran as a command (n: next unread, m: mark read, s: star, …).
        assert (app.unread_count, current_id(app)) == (unread, first)
        with Library(library_path, readonly=True) as library:
            assert not library.row_ids("starred")
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        # Letters typed into the open field are taken once.
        await pilot.press("a", *"abc")
        await settle(pilot)
        assert app.screen.query_one("#add-url", Input).value == "abc"
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert len(app.article_list) == 8


def _key_name(char: str) -> str:
    return {":": "colon", "/": "slash", ".": "full_stop"}[char]


async def test_f_cycles_all_unread_starred(library_path: Path, make_app: MakeApp) -> None:
    with Library(library_path) as library:
        library.set_read("art000")
        library.set_starred("art005")
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert len(app.article_list) == 8
        await pilot.press("f")
        await settle(pilot)
        assert str(app.filter) == "unread"
        assert len(app.article_list) == 7
        assert "unread" in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
        assert str(app.filter) == "starred"
        assert [r.id for _, r in app.article_list.iter_rows(0)] == ["art005"]
        await pilot.press("f")
        await settle(pilot)
        assert str(app.filter) == "all"
        assert len(app.article_list) == 8


async def test_f_f_f_comes_back_to_the_article_the_reader_was_on(
    library_path: Path, make_app: MakeApp
) -> None:
    """The starred view did not hold the article: the cursor went to the top, and
    back at "all" it stayed there.  Moving in between starts from the new place."""
    with Library(library_path) as library:
        library.set_starred("art005")
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        await settle(pilot)
        here = current_id(app)
        top = app.article_list.row_at(0)
        assert top is not None and here not in ("art005", top.id)
        for _ in range(3):  # unread, starred, all
            await pilot.press("f")
            await settle(pilot)
        assert str(app.filter) == "all"
        assert current_id(app) == here
        assert app.article_list.current is not None and app.article_list.current.id == here
        await pilot.press("f")  # unread
        await settle(pilot)
        await pilot.press("j")  # the reader moves: the next cycle starts here
        await settle(pilot)
        moved = current_id(app)
        assert moved != here
        await pilot.press("f")  # starred: art005, its only article
        await settle(pilot)
        assert current_id(app) == "art005"
        await pilot.press("f")
        await settle(pilot)
        assert str(app.filter) == "all"
        assert current_id(app) == moved


async def test_bracket_shows_the_sidebar_as_an_overlay_at_80_columns(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sidebar = app.query_one(RelatedSidebar)
        assert sidebar.region.width == 0  # folded away
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert sidebar.region.width > 0
        assert app.focused is not None and app.focused.id == "related-list"
        await pilot.press("escape")
        await settle(pilot)
        assert sidebar.region.width == 0
        assert isinstance(app.focused, ArticleList)


async def test_number_keys_open_related_articles(
    library_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        entries = app.sidebar.entries
        # "Same story" first, then "Related": the declared link outside the library,
        # then the rest of the ranking.
        same = [e for e in entries if e.same_story]
        assert same and entries[: len(same)] == same
        # (The declared art002 is a near-copy of art001: folded into its entry.)
        assert "art002" not in [e.article_id for e in entries]
        outside = len(same)
        assert entries[outside].url == "https://elsewhere.example/analysis"
        assert entries[outside].declared and not entries[outside].in_library
        await pilot.press(str(outside + 1))
        await settle(pilot)
        assert opened == ["https://elsewhere.example/analysis"]
        first = entries[0].article_id
        await pilot.press("1")
        await settle(pilot)
        assert current_id(app) == first
        assert state(library_path, first)[0] is True
        assert app.article_list.current is not None
        assert app.article_list.current.id == first
        await pilot.press("9")  # may not exist: never crashes
        await settle(pilot)
        # With the sidebar hidden, a number opens nothing the reader cannot see.
        await pilot.press("j", "right_square_bracket")
        await settle(pilot)
        shown = current_id(app)
        await pilot.press("1")
        await settle(pilot)
        assert current_id(app) == shown
        said = " ".join(str(n.message) for n in app._notifications)
        assert "The Related list is hidden: ] shows it" in said


async def test_related_selection_with_the_mouse_and_enter(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        first = app.sidebar.entries[0].article_id
        assert first and app.sidebar.entries[0].same_story
        app.query_one("#related-list").focus()
        await pilot.press("enter")  # the first entry (under the "Same story" heading)
        await settle(pilot)
        assert current_id(app) == first
        # A click on an entry's second line opens it; on a heading, nothing.
        related = app.query_one("#related-list", RelatedList)
        entries = app.sidebar.entries
        target = next(e for e in entries if e.in_library and e.article_id != first)
        index = next(
            i for i, o in enumerate(related._options) if o.id == str(entries.index(target) + 1)
        )
        await pilot.click(related, offset=(4, related._first_line[index] + 1))
        await settle(pilot)
        assert current_id(app) == target.article_id
        shown = current_id(app)
        assert related._options[0].disabled
        await pilot.click(related, offset=(4, 0))  # "SAME STORY"
        await settle(pilot)
        assert current_id(app) == shown


async def test_j_k_g_and_G_move_through_the_related_list_when_it_has_focus(
    library_path: Path, make_app: MakeApp
) -> None:
    """In the Related sidebar j/k and g/G move its highlight, as the arrows and
    home/end do (the help lists them as one key); they changed the article."""
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        article = current_id(app)
        related = app.query_one("#related-list", RelatedList)
        related.focus()
        await settle(pilot)
        start = related.highlighted
        assert start is not None
        await pilot.press("j")
        await settle(pilot)
        assert related.highlighted is not None and related.highlighted > start
        assert current_id(app) == article  # the article stayed
        await pilot.press("k")
        await settle(pilot)
        assert related.highlighted == start
        await pilot.press("G")
        await settle(pilot)
        assert related.highlighted == related.option_count - 1
        await pilot.press("g")
        await settle(pilot)
        assert related.highlighted == start  # (the first entry, under its heading)
        assert current_id(app) == article
        chosen = app.sidebar.entries[0].article_id
        await pilot.press("enter")
        await settle(pilot)
        assert current_id(app) == chosen
        # Back in the list, j moves to the next article again.
        app.article_list.focus()
        await settle(pilot)
        before = current_id(app)
        await pilot.press("j")
        await settle(pilot)
        assert current_id(app) != before


async def test_no_related_articles_found(tmp_path: Path, make_app: MakeApp) -> None:
    from tui_helpers import make_article

    path = tmp_path / "one.sqlite3"
    with Library(path) as library:
        library.store([make_article(0, related=())])
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.sidebar.entries == []
        assert "No related articles found" in screen_text(app)


async def test_question_mark_and_f1_show_every_binding(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            listed = {entry.binding_id for entry in app.screen.entries}
            assert app.binding_ids() <= listed
            assert "Star or unstar the article" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, HelpScreen)


async def test_the_help_scrolls_with_j_k_g_and_G(library_path: Path, make_app: MakeApp) -> None:
    """The help lists g/G as first/last: in the help they go to its top and end."""
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        scroll = app.screen.query_one("#help-scroll")
        assert scroll.max_scroll_y > 2  # (longer than the screen)
        await pilot.press("G")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("k")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y - 1
        await pilot.press("g")
        await settle(pilot)
        assert scroll.scroll_y == 0
        await pilot.press("j")
        await settle(pilot)
        assert scroll.scroll_y == 1
        # space pages down, as it does in the article (a newcomer trial: it did nothing)
        await pilot.press("space")
        await settle(pilot)
        assert scroll.scroll_y == min(
            scroll.max_scroll_y, 1 + scroll.scrollable_content_region.height
        )
        await pilot.press("b")  # and b pages up, as in the article
        await settle(pilot)
        assert scroll.scroll_y == max(
            0,
            min(scroll.max_scroll_y, 1 + scroll.scrollable_content_region.height)
            - scroll.scrollable_content_region.height,
        )
        assert isinstance(app.screen, HelpScreen)


async def test_command_palette_lists_and_runs_every_action(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        actions = {command.action for command in app.palette_commands()}
        for binding in app._own_bindings():
            if binding.id not in ("back", "next_pane", "previous_pane"):
                assert binding.action in actions
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"star or unstar")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert state(library_path, "art000")[1] is True


async def test_the_palette_has_no_keys_panel_and_one_quit(
    library_path: Path, make_app: MakeApp
) -> None:
    # (A newcomer trial: Textual's "Keys" docked a panel that squeezed the article to
    # ~23 columns, and "Quit" was listed twice.)
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and "Quit" not in titles and "Theme" in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"keys")
        await settle(pilot)
        assert "Show help for the focused widget" not in screen_text(app)
        await pilot.press(*["backspace"] * 4, *"quit")
        await settle(pilot)
        text = screen_text(app)
        assert "q  ·  Quit briefreader" in text, text
        assert "Quit the application as soon as possible" not in text, text
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f2")  # over a dialog the app's own commands are not listed
        await settle(pilot)
        assert "Quit" in [c.title for c in app.get_system_commands(app.screen)]


async def test_r_refreshes_the_list_from_the_library(library_path: Path, make_app: MakeApp) -> None:
    from tui_helpers import make_article

    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        with Library(library_path) as other:  # another process adds an article
            other.store([make_article(99, title="Fresh from another process")])
        await pilot.press("r")
        await settle(pilot)
        assert len(app.article_list) == 9
        assert app.unread_count == 9


async def test_click_reads_a_row_and_the_wheel_scrolls(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(140, 12)) as pilot:
        await settle(pilot)
        listing = app.article_list
        await pilot.click(ArticleList, offset=(6, 2))  # second row (two lines a row)
        await settle(pilot)
        assert current_id(app) == "art001"
        assert state(library_path, "art001")[0] is True
        await pilot._post_mouse_events([events.MouseScrollDown], ArticleList, offset=(5, 3))
        await settle(pilot)
        assert listing.scroll_y > 0


async def test_single_pane_below_60_columns(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(50, 20)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-single")
        assert app.article_view.region.width == 0  # the list alone
        await pilot.press("enter")
        await settle(pilot)
        assert app.article_list.region.width == 0  # the article alone
        assert app.article_view.region.width == 50
        await pilot.press("escape")
        await settle(pilot)
        assert app.article_view.region.width == 0
        assert isinstance(app.focused, ArticleList)


WORDS = (
    "Cranes stood idle while ships queued offshore and pilots waited. Union leaders met "
    "the port authority twice. Hauliers parked their trucks along the ring road. Fish "
    "traders moved to the northern quay. Ferry crews voted to join the walkout. Grain "
    "exporters warned of contract penalties. The mayor called for mediation by Friday. "
    "Insurers raised premiums on berthed vessels. Tug operators offered to help. Rail "
    "freight was rerouted inland. Customs officers cleared cargo by hand at night."
).split()


async def test_the_sidebar_lists_nine_entries_one_for_each_number_key(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """The help lists 1 to 9, and the sidebar listed at most 8: key 9 never had an
    entry.  With sixteen articles on one story it lists nine, and 9 opens the last."""
    from briefreader.model import Article

    path = tmp_path / "story.sqlite3"
    with Library(path) as library:
        library.store(
            [
                Article(
                    id=f"s{n:02d}",
                    title=f"Harbour cranes strike, report {n}",
                    source=f"Outlet {n}",
                    body=" ".join(
                        [
                            "The dockers' strike at the harbour container terminal went on.",
                            *WORDS[n * 3 : n * 3 + 14],
                            f"Report number {n} of the strike.",
                        ]
                    ),
                )
                for n in range(16)
            ]
        )
        library.index_related()
        library.update_stories()
    app = make_app(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        entries = app.sidebar.entries
        assert len(entries) == 9, [e.title for e in entries]
        await pilot.press("9")
        await settle(pilot)
        assert current_id(app) == entries[8].article_id


async def test_the_palette_names_each_command_and_finds_it_by_its_words(
    library_path: Path, make_app: MakeApp
) -> None:
    """Each command is named as the footer names its key ("Star"), its help beside it;
    a query matches a name letter by letter, and the help only by whole words (a
    newcomer's trial typed "star" and got about twelve sentences that merely hold
    s…t…a…r, "Sort the list…" and "Load the article's images…" among them)."""
    from textual.command import CommandList

    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"star")
        await pilot.pause(0.3)  # (the palette searches after a short debounce)
        await settle(pilot)
        hits = app.screen.query_one(CommandList)
        names = [str(hits.get_option_at_index(i).prompt).split("\n")[0]
                 for i in range(hits.option_count)]  # fmt: skip
        assert names[0].startswith("Star"), names
        assert not any(name.startswith(("Sort", "Images", "Share")) for name in names), names
        assert any(name.startswith("Filter") for name in names), names  # ("…starred…")
        assert "Star or unstar the article" in screen_text(app)  # (its help, beside it)


def test_a_palette_help_line_is_shown_as_written() -> None:
    """The palette reads a command's help line as markup: "player = [...]" stays."""
    from textual.content import Content

    from briefreader.tui.bindings import PaletteCommand
    from briefreader.tui.commands import _help

    line = _help(PaletteCommand("Play", "Play it in your player (player = [...])", "play", "P"))
    assert Content.from_markup(line).plain == "P  ·  Play it in your player (player = [...])"


async def test_search_finds_a_word_inside_a_run_of_japanese(
    library_path: Path, make_app: MakeApp
) -> None:
    """The list shows the one article whose text holds the word mid-sentence (the
    index alone found nothing)."""
    from tui_helpers import make_article

    with Library(library_path) as library:
        library.store(
            [
                make_article(
                    30, title="港区の図書館が夜間開館を試行", body="図書館は来月から開館する。"
                )
            ]
        )
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"夜間開館")
        await settle(pilot)
        assert len(app.article_list) == 1
        assert current_id(app) == "art030"
        assert "港区の図書館が夜間開館を試行" in screen_text(app)
