"""The widgets on their own: the virtual list, relative ages, the article pane."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from tui_helpers import FIXED_NOW, make_article, settle

from briefreader.store import ArticleRow
from briefreader.tui.formatting import relative_age
from briefreader.tui.widgets.article_list import WINDOW, ArticleList
from briefreader.tui.widgets.article_view import ArticleView

HOUR = 3600.0


@pytest.mark.parametrize(
    ("age", "shown"),
    [
        (-5 * HOUR, "now"),
        (30, "now"),
        (5 * 60, "5m"),
        (2 * HOUR, "2h"),
        (5 * HOUR, "5h"),
        (26 * HOUR, "1d"),
        (6 * 24 * HOUR, "6d"),
        (21 * 24 * HOUR, "3w"),
        (100 * 24 * HOUR, "3mo"),
        (800 * 24 * HOUR, "2y"),
    ],
)
def test_relative_age(age: float, shown: str) -> None:
    assert relative_age(FIXED_NOW - age, FIXED_NOW) == shown
    assert len(shown) <= 4


class ListApp(App[None]):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.loaded: list[int] = []

    def load(self, rowids: Sequence[int]) -> list[ArticleRow]:
        self.loaded.append(len(rowids))
        return [
            ArticleRow(
                r,
                f"id{r}",
                f"Title {r} " + "long " * 20,
                "Source",
                FIXED_NOW - r * 60,
                r % 3 == 0,
                r % 7 == 0,
            )
            for r in rowids
        ]

    def compose(self) -> ComposeResult:
        yield ArticleList(loader=self.load, clock=lambda: FIXED_NOW)


async def test_the_list_reads_only_what_is_on_screen() -> None:
    app = ListApp(100_000)
    async with app.run_test(size=(60, 30)) as pilot:
        listing = app.query_one(ArticleList)
        listing.set_rowids(list(range(app.count)))
        await pilot.pause()
        assert len(listing) == 100_000
        assert sum(app.loaded) <= WINDOW
        started = time.thread_time()
        listing.move_to(99_999)
        await pilot.pause()
        assert time.thread_time() - started < 1.0
        assert listing.current is not None and listing.current.id == "id99999"
        assert sum(app.loaded) <= 3 * WINDOW  # a window at each end, not 100,000 rows
        assert listing.virtual_size.height == 200_000


async def test_list_rows_are_literal_and_truncated() -> None:
    app = ListApp(3)
    async with app.run_test(size=(40, 10)) as pilot:
        listing = app.query_one(ArticleList)
        listing.set_rowids([0, 1, 2])
        await pilot.pause()
        first = listing.render_line(0).text
        assert first.startswith("  ★ Title 0 long")  # read, starred (0 % 3, 0 % 7)
        assert "…" in first and first.rstrip().endswith("now")
        assert len(first) == listing.scrollable_content_region.width
        second = listing.render_line(2).text
        assert second.startswith("●   Title 1")


async def test_theme_change_restyles_the_article(library_path: Path, make_app: Any) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = app.query_one(ArticleView)
        before = [seg.style for seg in view.render_line(1)]
        app.theme = "textual-light"
        await settle(pilot)
        after = [seg.style for seg in view.render_line(1)]
        assert before != after
        assert "Markets slide" in view.render_line(1).text


def test_make_article_helper_is_deterministic() -> None:
    assert make_article(3) == make_article(3)


def test_a_related_entry_is_laid_out_once_per_width() -> None:
    """The sidebar's entries are Rich tables, which Textual renders twice an update
    (for the height, then to draw): the layout is kept per width, and it is what the
    table itself draws."""
    from rich.console import Console
    from rich.segment import Segment

    from briefreader.reading import RelatedEntry
    from briefreader.tui.widgets import related

    entry = RelatedEntry(
        title="Harbour cranes idle as the strike enters its second week",
        url="https://news.example/cranes",
        source="Coast Ledger",
        article_id="a1",
    )
    prompt = related._prompt(3, entry)
    console = Console(width=30, color_system=None)
    narrow = console.options.update_width(20)
    for options in (console.options, narrow):
        want = list(console.render(prompt.renderable, options))
        assert list(console.render(prompt, options)) == want
    calls = 0

    class Counting:
        def __rich_console__(self, console: Console, options: object) -> Any:
            nonlocal calls
            calls += 1
            yield Segment("x")

    laid = related._LaidOut(Counting())  # type: ignore[arg-type]
    list(console.render(laid))
    list(console.render(laid))
    assert calls == 1
    list(console.render(laid, narrow))
    assert calls == 2
