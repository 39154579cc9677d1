"""80×24 (issue 10, item 5): what the screen holds at the smallest common terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import screen_text, settle

from briefreader.tui.app import BriefReaderApp
from briefreader.tui.share_menu import ShareMenu

MakeApp = Callable[..., BriefReaderApp]


async def test_share_menu_rows_stay_on_one_line_at_80x24(
    make_app: MakeApp, library_path: Path
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, ShareMenu)
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "1  Link" in line)
        last = next(i for i, line in enumerate(lines) if "x  X" in line)
        rows = lines[first : last + 1]
        assert len(rows) == 11, "\n".join(rows)  # one line per option, none wrapped
        markdown = next(line for line in rows if "Markdown link" in line)
        assert "[Markets slide as the chip export rule bites](" in markdown
        assert markdown.rstrip().endswith("… │") or markdown.rstrip().endswith("…│")


async def test_list_titles_get_the_row_at_80x24(make_app: MakeApp, library_path: Path) -> None:
    """At 80×24 the list is ~30 columns: the age moves under the title, beside the
    source, so the title shows 26 characters instead of 21."""
    app = make_app(library_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        pane = app.query_one("#list-pane").region
        rows = [line[pane.x + 1 : pane.right - 1] for line in lines[pane.y + 1 : pane.y + 3]]
        assert "Markets slide as the chip" in rows[0], rows
        assert "2h" not in rows[0] and "Northgate Wire" in rows[1] and "2h" in rows[1], rows
    app = make_app(library_path)
    async with app.run_test(size=(160, 48)) as pilot:  # wide: the age stays on the title's line
        await settle(pilot)
        lines = screen_text(app).splitlines()
        pane = app.query_one("#list-pane").region
        first = lines[pane.y + 1][pane.x + 1 : pane.right - 1]
        assert "Markets slide as the chip export rule bites" in first and "2h" in first, first
