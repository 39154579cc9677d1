"""Compact rows (density "compact") at 80×24: the list takes half of the two panes
and a row gives its title the width (the source only where the title keeps
COMPACT_TITLE_MIN cells beside it), so a title shows ~28 characters instead of 20."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import make_article, screen_text, settle

from briefreader.config import Config
from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]

TITLES = (
    "Harbour authority approves the long-delayed dredging of the northern channel",
    "City council votes to extend the night tram service through the winter months",
    "Regional orchestra announces a season of forgotten baroque composers",
)
BODIES = (
    "Dredgers will start in March; the port expects deeper berths by autumn.",
    "Trams will run until two in the morning on weekdays from November.",
    "The programme opens with three Venetian cantatas unheard since 1730.",
)


@pytest.fixture
def distinct_library(tmp_path: Path) -> Path:
    """Three articles on three unrelated stories (no "+N" beside any title)."""
    path = tmp_path / "compact.sqlite3"
    with Library(path) as library:
        library.store(
            [
                make_article(n, title=t, body=b, related=(), analysis=None, takeaways=())
                for n, (t, b) in enumerate(zip(TITLES, BODIES, strict=True))
            ]
        )
    return path


def list_rows(app: BriefReaderApp) -> list[str]:
    """The list's rows as the screen shows them (inside the pane's border)."""
    pane = app.query_one("#list-pane").region
    lines = screen_text(app).splitlines()[pane.y + 1 : pane.bottom - 1]
    return [line[pane.x + 1 : pane.right - 1] for line in lines]


def visible_title(row: str) -> str:
    """The title's characters the row shows: after the marks, up to its ellipsis."""
    return row[4:].split("…")[0]


async def test_a_compact_row_at_80x24_shows_as_much_title_as_fits(
    distinct_library: Path, make_app: MakeApp
) -> None:
    app = make_app(distinct_library, config=Config(density="compact"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = list_rows(app)
        shown = [visible_title(r) for r in rows[:3]]
        for title, seen in zip(TITLES, shown, strict=True):
            assert title.startswith(seen)
            # 27 characters and the ellipsis (were 19: "Harbour authority a…").
            assert len(seen) >= 27, (seen, rows[:3])
        assert all(r.rstrip().endswith(("h", "d")) for r in rows[:3])  # the age kept
        # The list takes half the screen; the article the other half.
        assert app.query_one("#list-pane").region.width == 40
        # Related over the article: the list keeps its width and its titles.
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert [visible_title(r) for r in list_rows(app)[:3]] == shown


async def test_comfortable_rows_keep_the_two_pane_split_at_80x24(
    distinct_library: Path, make_app: MakeApp
) -> None:
    app = make_app(distinct_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one("#list-pane").region.width == 32


async def test_a_wide_compact_row_still_names_its_source(
    distinct_library: Path, make_app: MakeApp
) -> None:
    app = make_app(distinct_library, config=Config(density="compact", sidebar=False))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        rows = list_rows(app)
        assert "Northgate" in rows[0] and "Kestrel" in rows[1]
        assert len(visible_title(rows[0])) >= 27
