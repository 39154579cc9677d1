"""The keyboard's way to an article's links (u), and j/k in the article pane, through
Pilot: numbered links open through the safe opener or are copied; unsafe ones are
listed and refused with the reason; j/k agree with the arrows (and the help)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import OptionList
from tui_helpers import screen_text, settle

from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.help import HelpScreen
from briefreader.tui.screens.links import LinksScreen

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)


def links_open(app: BriefReaderApp) -> bool:
    return isinstance(app.screen, LinksScreen)


async def test_u_lists_the_links_numbered_and_a_number_opens_one(
    library_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.current is not None and app.current.id == "art000"
        await pilot.press("u")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LinksScreen)
        assert [link.url for link in screen.links] == [
            "https://news.example/0",
            "https://gov.example/rule",
            "ftp://files.example/etc/passwd",
        ]
        text = screen_text(app)
        for shown in (
            "1 page",
            "https://news.example/0",
            "2 link",
            "the rule",
            "https://gov.example/rule",
            "3 link",
            "ftp://files.example/etc/passwd",
            "refused: only http and https links are opened or copied",
        ):
            assert shown in text, shown
        # A number opens that link through the safe opener and closes the list.
        await pilot.press("2")
        await settle(pilot)
        assert opened == ["https://gov.example/rule"]
        assert not links_open(app)


async def test_a_number_past_the_list_says_there_is_no_such_link(
    library_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("7")  # three links
        await settle(pilot)
        assert links_open(app) and opened == []
        # Said in the dialog, where the keys are (a toast would be hidden under it).
        assert "There is no link 7." in screen_text(app)
        assert "enter or number open" not in screen_text(app)
        assert not app._notifications
        assert app.screen.query_one(OptionList).highlighted == 0


async def test_enter_opens_c_copies_and_an_unsafe_link_is_refused(
    library_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        # The unsafe link: refused with the reason, the list stays open.
        await pilot.press("3")
        await settle(pilot)
        assert opened == []
        assert links_open(app)
        assert any(
            "ftp://files.example/etc/passwd" in str(n.message)
            and "only http and https" in str(n.message)
            for n in app._notifications
        )
        # Nor is it copied.
        assert app.screen.query_one(OptionList).highlighted == 2
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard != "ftp://files.example/etc/passwd"
        assert links_open(app)
        # k moves up; c copies the highlighted link and closes.
        await pilot.press("k")
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == "https://gov.example/rule"
        assert not links_open(app)
        # enter opens the highlighted one (the first: the article itself).
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert opened == ["https://news.example/0"]
        # escape closes without opening anything.
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not links_open(app)
        assert opened == ["https://news.example/0"]


async def test_u_on_an_article_without_links_says_so(library_path: Path, make_app: MakeApp) -> None:
    from tui_helpers import make_article

    from briefreader.store import Library

    with Library(library_path) as library:
        library.store([make_article(99, url="", body="No links at all.")])
    app = make_app(library_path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("G")  # the oldest
        await settle(pilot)
        assert app.current is not None and app.current.id == "art099"
        await pilot.press("u")
        await settle(pilot)
        assert not links_open(app)
        assert any("no links" in str(n.message) for n in app._notifications)


async def test_in_the_article_pane_j_and_k_scroll_as_the_arrows_do(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # reads art000 (a long body) and focuses the article
        await settle(pilot)
        view = app.article_view
        assert app.focused is view and view.scroll_y == 0
        await pilot.press("j")
        await pilot.pause()
        assert app.current is not None and app.current.id == "art000"
        assert view.scroll_y == 1
        await pilot.press("down")
        await pilot.pause()
        assert view.scroll_y == 2
        await pilot.press("k")
        await pilot.pause()
        assert view.scroll_y == 1
        await pilot.press("G")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        await pilot.pause()
        assert view.scroll_y == 0
        assert app.current.id == "art000"
        # In the list they move between articles, as before.
        await pilot.press("escape")
        await pilot.press("j")
        await settle(pilot)
        assert app.current is not None and app.current.id == "art001"
        # The help says what j/k do in each pane, and lists u.
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        entries = {entry.binding_id: entry for entry in app.screen.entries}
        assert "in the article, scroll down a line" in entries["move_down"].description
        assert entries["links"].keys == "u"


async def test_at_80x24_a_long_address_stays_one_line_under_its_label(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A reader's trial at 80x24: a long address folded at the dialog's edge and went
    on at its first column ("│ ce-inbox-v109112.html"), under the numbers."""
    from tui_helpers import make_article

    from briefreader.store import Library

    long_url = "https://forum.example/programs/2009/05/" + "voice-inbox-" * 8 + "v109112.html"
    path = tmp_path / "links.sqlite3"
    with Library(path) as library:
        library.store([make_article(0, url=long_url, body="Read [the notes](" + long_url + "#n).")])
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert links_open(app)
        lines = screen_text(app).splitlines()
        shown = [line for line in lines if "forum.example" in line]
        assert len(shown) == 2, lines  # the page and the link, one line each
        for line in shown:
            assert "https://forum.example/programs" in line and "…" in line
        assert not any("v109112.html" in line and "https://" not in line for line in lines)


async def test_at_80x24_a_long_list_leaves_no_blank_rows_under_its_keys(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A reader's trial: with more links than fit, the list was cut at its max height
    but the dialog stayed as tall as the uncut list: blank rows under the line of keys."""
    from tui_helpers import make_article

    from briefreader.store import Library

    body = " ".join(f"See [link {i}](https://site{i}.example/page.html)." for i in range(15))
    path = tmp_path / "many.sqlite3"
    with Library(path) as library:
        library.store([make_article(0, body=body)])
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        hint = next(i for i, line in enumerate(lines) if "esc close" in line)
        assert lines[hint + 1].lstrip().startswith("╰"), lines[hint - 2 : hint + 3]
        await pilot.press("end")  # the list scrolls to its last link
        await settle(pilot)
        assert "https://site14.example/page.html" in screen_text(app)
