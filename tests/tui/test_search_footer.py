"""In search mode the footer says how to leave it: esc clears the search, enter
goes to the results (the search box's own keys), at 160 and at 80 columns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import screen_text, settle

from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


@pytest.mark.parametrize("width", [160, 80])
async def test_the_footer_shows_esc_and_enter_while_searching(
    library_path: Path, make_app: MakeApp, width: int
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press("g", "r", "i", "d")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "esc Clear search" in footer, footer
        assert "Results" in footer, footer
        await pilot.press("enter")
        await settle(pilot)
        assert app.article_list.has_focus
        assert app.search_input.value == "grid"
        await pilot.press("slash")
        await pilot.press("escape")
        await settle(pilot)
        assert app.search_input.value == ""
