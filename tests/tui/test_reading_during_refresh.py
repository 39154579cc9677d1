"""Reading while a refresh runs: the list is re-read every second with the reader's
row kept in place; keys pressed while it is read must not be undone when it lands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import settle

from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


async def test_moves_made_while_the_list_is_re_read_are_kept(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.article_list
        assert len(listing) >= 4 and listing.cursor == 0
        app.reload(stay=True)  # as a refresh does when new articles arrive
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
