"""What a change repaints: the refresh's progress line and the next-article key
redraw what changed, never the whole screen.  (The app's state was Textual
``reactive``s, each change of which repainted every cell: during a refresh of
500 feeds the status line changed 500 times, and each redraw of the list and the
article held up the reader's keys.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual._compositor import Compositor
from tui_helpers import screen_text, settle

from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


@pytest.fixture
def full_redraws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the whole screen was drawn (screen_text's own draw aside)."""
    count = [0]
    real = Compositor.render_full_update

    def counted(self: Compositor, *args: object, **kwargs: object) -> object:
        count[0] += 1
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Compositor, "render_full_update", counted)
    yield count


async def test_the_refresh_progress_line_repaints_only_itself(
    library_path: Path, make_app: MakeApp, full_redraws: list[int]
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.status_text = "Refreshing 0/500 feeds…"  # shown: the screen is laid out again
        await settle(pilot)
        before = full_redraws[0]
        for done in range(1, 21):
            app.status_text = f"Refreshing {done}/500 feeds · {done * 3} new"
            await pilot.pause()
        await settle(pilot)
        assert full_redraws[0] == before
        assert "Refreshing 20/500 feeds · 60 new" in screen_text(app)


async def test_reading_articles_redraws_no_whole_screen(
    library_path: Path, make_app: MakeApp, full_redraws: list[int]
) -> None:
    """j highlights the next article; m marks it read (the unread count in the
    titles changes)."""
    app = make_app(library_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        unread = app.unread_count
        first = app.article_list.current
        before = full_redraws[0]
        for _ in range(3):
            await pilot.press("j", "m")
            await settle(pilot)
        assert app.article_list.current != first
        assert app.unread_count == unread - 3
        assert full_redraws[0] == before
