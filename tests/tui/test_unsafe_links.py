"""The real app never copies, shares or opens a link the link rule refuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import make_article, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]
WIDE = (140, 40)


UNSAFE_URLS = [
    "javascript:alert(document.cookie)",
    "file:///etc/passwd",
    "--option",
    "https://bank.example@evil.example/",
    "https://ba\u200bnk.example/",
]


async def test_c_and_the_share_menu_copy_nothing_unsafe(
    tmp_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    """One article per unsafe link, newest first, in one app: each is tried in turn."""
    from briefreader.tui.share_menu import ShareMenu

    path = tmp_path / "unsafe.sqlite3"
    with Library(path) as library:
        library.store(
            [
                make_article(n, url=url, title=f"Hostile link {n}")
                for n, url in enumerate(UNSAFE_URLS)
            ]
        )
    app = make_app(path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        for n, url in enumerate(UNSAFE_URLS):
            if n:
                await pilot.press("j")
                await settle(pilot)
            assert app.current is not None and app.current.url == url, url
            app.clear_notifications()
            await pilot.press("c")
            await settle(pilot)
            assert app.clipboard == "", url
            assert any(note.message.startswith("Not copied:") for note in app._notifications), url
            await pilot.press("S")
            await settle(pilot)
            assert isinstance(app.screen, ShareMenu), url
            await pilot.press("1", "2", "b", "x", "l")  # (each key waits for idle)
            assert isinstance(app.screen, ShareMenu) and app.clipboard == "", url
            await pilot.press("o")  # not a menu key; close and try the opener
            await pilot.press("escape")
            await pilot.press("o")
            await settle(pilot)
            assert opened == [] and app.clipboard == "", url
            assert not isinstance(app.screen, ShareMenu), url
        await pilot.press("q")
        await settle(pilot)
        assert not app.is_running
