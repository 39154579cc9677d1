"""The Related sidebar says its entries are the previous article's ("Related …") only
when the new ones are slow to come: a key press that gets them at once redraws no
frame of the sidebar's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tui_helpers import screen_text, settle

from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


async def test_the_stale_marker_shows_only_when_the_entries_are_slow(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        sidebar = app.sidebar
        await pilot.press("j")
        await settle(pilot)
        assert not sidebar.stale
        assert "Related …" not in screen_text(app) and "Related" in screen_text(app)
        # Slow entries: the flag at once (1-9 wait for them), the marker a moment later.
        sidebar.stale = True
        await pilot.pause()
        assert sidebar.stale and "Related …" not in screen_text(app)
        await asyncio.sleep(sidebar.STALE_AFTER + 0.1)
        await pilot.pause()
        assert "Related …" in screen_text(app)
        sidebar.stale = False
        await pilot.pause()
        assert "Related …" not in screen_text(app)
        # Entries that come before the delay: no marker at all.
        sidebar.stale = True
        sidebar.stale = False
        await asyncio.sleep(sidebar.STALE_AFTER + 0.1)
        await pilot.pause()
        assert "Related …" not in screen_text(app)
