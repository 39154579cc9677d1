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
