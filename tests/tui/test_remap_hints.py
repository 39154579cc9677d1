"""Dialog keys have ids too, and the hints on screen follow a remapping."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import screen_text, settle

from briefreader.config import Config
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.share_menu import ShareMenu

MakeApp = Callable[..., BriefReaderApp]


async def test_remapped_dialog_and_undo_keys_show_in_the_hints(
    library_path: Path, make_app: MakeApp
) -> None:
    config = Config(keys={"share_close": "w", "share_link": "0", "undo_delete": "u"})
    app = make_app(library_path, config=config)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert not any("no key binding" in str(n.message) for n in app._notifications)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, ShareMenu)
        text = screen_text(app)
        assert "w close" in text and "esc close" not in text
        assert " 0 " in text
        await pilot.press("w")  # the remapped key closes the menu
        await settle(pilot)
        after: object = app.screen  # read again: mypy keeps the narrowing above
        assert not isinstance(after, ShareMenu)
        await pilot.press("d")
        await settle(pilot)
        toasts = "\n".join(str(n.message) for n in app._notifications)
        assert "Deleted — u to undo" in toasts, toasts
