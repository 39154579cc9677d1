"""At 80×24 the feeds pane and the Related sidebar are overlays: each covers one
pane exactly, so no column of the pane beside it is cut off (a new user's trial
read "ank of Albion Cuts…" beside the feeds overlay and "he Bank" beside Related)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest
from tui_helpers import settle

from briefreader.config import Config, Density
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.widgets.article_view import ArticleView
from briefreader.tui.widgets.feeds_pane import FeedsPane
from briefreader.tui.widgets.related import RelatedSidebar

MakeApp = Callable[..., BriefReaderApp]


@pytest.mark.parametrize("density", get_args(Density))
async def test_the_overlays_cover_whole_panes_at_80x24(
    library_path: Path, make_app: MakeApp, density: Density
) -> None:
    app = make_app(library_path, config=Config(density=density))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.article_list.density == density
        listing = app.query_one("#list-pane").region
        article = app.query_one(ArticleView).region
        await pilot.press("left_square_bracket")
        await settle(pilot)
        feeds = app.query_one(FeedsPane).region
        assert feeds.width > 0
        assert (feeds.x, feeds.right) == (listing.x, listing.right)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        related = app.query_one(RelatedSidebar).region
        assert app.query_one(FeedsPane).region.width == 0  # one overlay at a time
        assert (related.x, related.right) == (article.x, article.right)
