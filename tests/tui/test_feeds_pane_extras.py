"""The feeds pane, continued: a feed whose last fetch failed is marked (and F2 says
why), ``A`` on "All" asks before marking everything read, and at 80×24 the pane's
overlay and the Related overlay never show together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual.color import Color
from textual.strip import Strip
from tui_helpers import make_article, screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.dialogs import ConfirmScreen
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]
WIDE = (160, 40)
ERROR = "HTTP 500 Internal Server Error"


@pytest.fixture
def pane_library(tmp_path: Path) -> Path:
    """Alpha News (fine): articles 0-2; Beta Times (its last fetch failed): 3-4;
    5-6 from files."""
    path = tmp_path / "pane.sqlite3"
    with Library(path) as library:
        alpha, _ = library.add_feed("https://alpha.example/feed", title="Alpha News")
        beta, _ = library.add_feed("https://beta.example/feed", title="Beta Times")
        library.store([make_article(n) for n in (0, 1, 2)], feed_id=alpha.id)
        library.store([make_article(n) for n in (3, 4)], feed_id=beta.id)
        library.store([make_article(n) for n in (5, 6)])
        library.record_fetch(alpha.id, ok=True, status=200)
        library.record_fetch(beta.id, ok=False, status=500, error=ERROR)
    return path


def pane_lines(app: BriefReaderApp) -> list[str]:
    pane = app.feeds_pane.region
    lines = screen_text(app).splitlines()[pane.y + 1 : pane.bottom - 1]
    return [" ".join(line[pane.x + 1 : pane.right - 1].split()) for line in lines if line.strip()]


def asking(app: BriefReaderApp) -> bool:
    """Whether a yes/no question is on top."""
    return isinstance(app.screen, ConfirmScreen)


def painted_cells(app: BriefReaderApp, y: int) -> list[Segment]:
    """Line ``y`` of the screen as the terminal gets it."""
    update: Any = app.screen._compositor.render_update(full=True)
    line = update.strips[y]
    parts = [line] if isinstance(line, Strip) else line
    return [segment for strip in parts for segment in strip]


async def test_a_failing_feed_is_marked_in_the_pane_and_f2_says_why(
    pane_library: Path, make_app: MakeApp
) -> None:
    app = make_app(pane_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        lines = pane_lines(app)
        assert "Beta Times ! 2" in lines, lines
        assert "Alpha News 3" in lines  # no mark
        # The mark is drawn in the theme's error colour.
        pane = app.feeds_pane.region
        row = next(
            y
            for y, line in enumerate(screen_text(app).splitlines())
            if "Beta Times" in line[pane.x : pane.right]
        )
        marks = [s for s in painted_cells(app, row) if s.text.strip() == "!"]
        assert marks and marks[0].style is not None and marks[0].style.color is not None
        error = Color.parse(app.theme_variables["text-error"])
        drawn = Color.from_rich_color(marks[0].style.color)
        assert drawn.hex == error.hex
        # F2: the feed's row says error, and its detail the error itself.
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        for _ in range(10):  # bounded: the feeds are four
            if screen.current_feed is not None and screen.current_feed.title == "Beta Times":
                break
            await pilot.press("j")
        await settle(pilot)  # (the detail follows the highlight a message later)
        text = screen_text(app)
        assert f"Last error: {ERROR}" in text
        beta_row = next(line for line in text.splitlines() if "Beta Times" in line and "│" in line)
        assert "error" in beta_row


async def test_a_on_all_asks_first_and_no_leaves_everything_unread(
    pane_library: Path, make_app: MakeApp
) -> None:
    app = make_app(pane_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert pane_lines(app)[0] == "All 7"
        await pilot.press("A")  # from the list, which shows everything
        await settle(pilot)
        assert asking(app)
        text = screen_text(app)
        assert "Mark all 7 unread articles read, in every feed and file?" in text
        assert "z undoes it." in text
        await pilot.press("n")
        await settle(pilot)
        assert not asking(app)
        assert pane_lines(app)[0] == "All 7"
        with Library(pane_library, readonly=True) as library:
            assert library.count("unread") == 7
        # Yes: everything read, and z brings it back.
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert pane_lines(app)[0] == "All"
        assert "Marked 7 articles read: every article — z to undo." in "\n".join(
            str(n.message) for n in app._notifications
        )
        await pilot.press("z")
        await settle(pilot)
        assert pane_lines(app)[0] == "All 7"


async def test_a_on_one_feed_marks_it_at_once(pane_library: Path, make_app: MakeApp) -> None:
    app = make_app(pane_library)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "j")  # All → Alpha News
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert not asking(app)
        assert "Alpha News" in pane_lines(app)  # its count gone
        assert pane_lines(app)[0] == "All 4"


def overlays(app: BriefReaderApp) -> tuple[bool, bool]:
    """(the feeds pane over the list, the Related sidebar over the article), as the
    screen shows them."""
    text = screen_text(app)
    return "FEEDS" in text, "Related" in text.splitlines()[0] or any(
        "╭─ Related" in line for line in text.splitlines()
    )


async def test_at_80x24_opening_one_overlay_closes_the_other(
    pane_library: Path, make_app: MakeApp
) -> None:
    app = make_app(pane_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert overlays(app) == (False, False)
        await pilot.press("left_square_bracket")  # the feeds pane over the list
        await settle(pilot)
        assert overlays(app) == (True, False)
        await pilot.press("right_square_bracket")  # Related: the feeds pane closes
        await settle(pilot)
        assert overlays(app) == (False, True)
        assert app.sidebar.has_focus_within
        await pilot.press("left_square_bracket")  # and the other way round
        await settle(pilot)
        assert overlays(app) == (True, False)
        assert app.feeds_pane.has_focus_within
        await pilot.press("escape")
        await settle(pilot)
        assert overlays(app) == (False, False)


@pytest.mark.parametrize(
    ("size", "related_hidden"),
    [((60, 20), False), ((80, 24), False), ((100, 30), False), ((120, 36), False),
     ((139, 36), False), ((120, 36), True)],
)  # fmt: skip
async def test_the_feeds_overlay_covers_the_list_exactly(
    pane_library: Path, make_app: MakeApp, size: tuple[int, int], related_hidden: bool
) -> None:
    """At 60x20 the list keeps its least width (30 columns) and showed to the right of a
    24-column pane ("╮─────╮" on the screen).  From 110 to 139 columns (three panes, the
    list a third of the width) the overlay was the medium layout's 40% and cut the
    article's first eight columns off ("le ───" for its title, "ank of Albion")."""
    app = make_app(pane_library)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if related_hidden:  # (the wide layout's list is wider then)
            await pilot.press("right_square_bracket")
            await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert overlays(app)[0]
        assert app.screen.has_class("-feeds-overlay")
        pane, listing = app.feeds_pane.region, app.query_one("#list-pane").region
        assert (pane.x, pane.width) == (listing.x, listing.width)
