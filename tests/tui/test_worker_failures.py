"""No silent failures: whatever worker fails, a message names what failed and
nothing stays "Loading…" or stale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)


def boom(*args: object, **kwargs: object) -> object:
    raise RuntimeError("disk on fire")


def toasts(app: BriefReaderApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_the_list_failing_to_load_says_so(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Library, "row_ids", boom)
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "Loading the articles failed: RuntimeError: disk on fire" in toasts(app)
        text = screen_text(app)
        assert "Loading…" not in text
        assert "Could not load the articles" in text


async def test_search_failing_says_so(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(Library, "search_rowids", boom)
        await pilot.press("slash", *"quota")
        await settle(pilot)
        assert "Search failed: RuntimeError: disk on fire" in toasts(app)
        assert "Loading…" not in screen_text(app)
        assert len(app.article_list) == 0


async def test_related_failing_clears_the_stale_sidebar(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.sidebar.entries
        monkeypatch.setattr(Library, "related", boom)
        await pilot.press("j")
        await settle(pilot)
        assert "Finding related articles failed: RuntimeError: disk on fire" in toasts(app)
        assert not app.sidebar.stale
        assert app.sidebar.entries == []
        assert "Related …" not in screen_text(app)


async def test_mark_all_read_failing_says_so(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(Library, "mark_read_rowids", boom)
        await pilot.press("M")
        await settle(pilot)
        assert "Marking the articles read failed: RuntimeError: disk on fire" in toasts(app)
        assert "Loading…" not in screen_text(app)


async def test_the_feeds_screen_failing_to_load_says_so(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(Library, "feeds", boom)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        assert "Reading the feeds failed: RuntimeError: disk on fire" in toasts(app)
        assert "Reading the feeds failed" in screen_text(app)
