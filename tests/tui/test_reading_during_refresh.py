"""Reading while a refresh runs: the list is re-read every second with the reader's
row kept in place; keys pressed while it is read must not be undone when it lands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import settle

from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


@pytest.mark.parametrize(
    "stay",
    [
        pytest.param(True, id="a refresh's re-read"),
        # Not only a refresh's: every re-read of the list (a filter, a star, a
        # delete, the prune after upkeep) highlights the row the reader is on when
        # it lands.
        pytest.param(False, id="any re-read"),
    ],
)
async def test_moves_made_while_the_list_is_re_read_are_kept(
    library_path: Path, make_app: MakeApp, stay: bool
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.article_list
        assert len(listing) >= 4 and listing.cursor == 0
        app.reload(stay=stay)  # as a refresh does when new articles arrive, or upkeep
        app.action_move(1)  # the reader moves on before the order has been read
        app.action_move(1)
        moved_to = listing.current
        assert moved_to is not None and listing.cursor == 2
        await settle(pilot)
        assert listing.current is not None and listing.current.id == moved_to.id
        assert app.current is not None and app.current.id == moved_to.id
        await pilot.press("j")
        await settle(pilot)
        assert listing.cursor == 3


async def test_background_indexing_yields_to_a_refresh_that_starts(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indexing started at launch stops between its steps when a refresh begins (the
    two took turns at the write lock: a refresh in the app at 100,000 articles took
    228-288 s instead of 47 s), and runs again when the refresh ends."""
    app = make_app(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        steps: list[bool] = []

        async def index_step(index_batch: int, story_batch: int) -> tuple[int, int, bool]:
            steps.append(app._refreshing)
            app._refreshing = len(steps) == 1  # a refresh begins during the first step
            return 0, 1, len(steps) < 5  # grouped one; more to do, four steps in all

        monkeypatch.setattr(app.service, "index_step", index_step)
        app._index_related()
        await settle(pilot)
        assert steps == [False]  # the step under way ended; no other began
        app._refreshing = False
        app._index_related()  # as the refresh does when it is done
        await settle(pilot)
        assert len(steps) == 5 and not any(steps)
