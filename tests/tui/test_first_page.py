"""A big library's list shows its first page before its whole order is read (at
1,000,000 articles the order takes seconds, the first page milliseconds); the whole
list follows and the cursor stays where it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import screen_text, settle

from briefreader.store import Library
from briefreader.tui import app as app_module
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


async def test_the_first_page_comes_first_then_the_whole_list(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "FIRST_PAGE", 3)
    asked: list[int | None] = []
    row_ids = Library.row_ids

    def spy(self: Library, *args: Any, limit: int | None = None, **kwargs: Any) -> list[int]:
        got = row_ids(self, *args, limit=limit, **kwargs)
        asked.append(limit)
        return got

    monkeypatch.setattr(Library, "row_ids", spy)
    app = make_app(library_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert asked[:2] == [3, None]  # the first page, then the whole order
        assert len(app.article_list) == 8
        # The cursor's row was found near the top, without mapping every row (at
        # 1,000,000 rows the map is ~100 MB).
        assert app.article_list._index is None
        assert "Articles (8 unread)" in screen_text(app)
        await pilot.press("j", "j")
        await settle(pilot)
        assert app.article_list.cursor == 2
        # Reloads later read the whole order at once.
        asked.clear()
        app.reload()
        await settle(pilot)
        assert asked == [None]
        assert app.article_list.cursor == 2
