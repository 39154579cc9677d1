"""What a "next article" key press costs, counted (not timed): the work a frame does.

* The list's scrollbar is not drawn again when the list scrolls by a row and its
  thumb stays on the same cells (100,000 rows); it is when the thumb moves.
* New "+N" story counts repaint only the rows whose count changed.
* The next article is rendered ahead, after the frame (not in it), so the key that
  shows it renders nothing.
* The list's order read again (a refresh does it every second) draws no row anew
  that looks the same; a row whose title, flags or age changed is drawn again.
* A new number of rows in the list, or of lines in the related list, lays out no
  screen (its scroll bar is updated), unless the scroll bar appears or goes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from tui_helpers import FIXED_NOW, settle

from briefreader.store import ArticleRow
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.widgets.article_list import ArticleList
from briefreader.tui.widgets.article_view import ArticleView
from briefreader.tui.widgets.related import RelatedList, RelatedOption
from briefreader.tui.widgets.scrollbar import SteadyScrollBar

MakeApp = Callable[..., BriefReaderApp]


class ListApp(App[None]):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.stories: dict[str, int] = {}
        self.story_reads = 0
        self.titles: dict[int, str] = {}
        self.read: set[int] = set()

    def load(self, rowids: Sequence[int]) -> list[ArticleRow]:
        return [
            ArticleRow(
                r,
                f"id{r}",
                self.titles.get(r, f"Title {r}"),
                "Source",
                FIXED_NOW - r * 60,
                r in self.read,
                False,
            )
            for r in rowids
        ]

    def story_counts(self, ids: Sequence[str]) -> dict[str, int]:
        self.story_reads += 1
        return {i: self.stories[i] for i in ids if i in self.stories}

    def compose(self) -> ComposeResult:
        yield ArticleList(loader=self.load, story_loader=self.story_counts, clock=lambda: FIXED_NOW)


def _count_calls(obj: Any, name: str) -> list[int]:
    """Count calls of ``obj.name`` (an instance attribute wrapping the method)."""
    calls = [0]
    method = getattr(obj, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return method(*args, **kwargs)

    setattr(obj, name, counted)
    return calls


async def test_the_scrollbar_is_drawn_again_only_when_its_thumb_moves() -> None:
    app = ListApp(100_000)
    async with app.run_test(size=(60, 30)) as pilot:
        listing = app.query_one(ArticleList)
        listing.set_rowids(list(range(app.count)))
        await pilot.pause()
        await pilot.pause()  # the bar drawn once
        bar = listing.vertical_scrollbar
        assert isinstance(bar, SteadyScrollBar)
        assert listing.show_vertical_scrollbar
        renders = _count_calls(bar, "render")
        for index in range(1, 41):  # past the bottom of the screen: ~25 one-row scrolls
            listing.move_to(index)
            await pilot.pause()
        assert listing.scroll_offset.y > 0
        assert renders[0] == 0  # the thumb stayed on its cells: nothing drawn
        assert bar.repaints_skipped > 0
        listing.move_to(99_999)  # the thumb goes to the bottom: drawn
        await pilot.pause()
        assert renders[0] >= 1


async def test_new_story_counts_repaint_only_the_rows_that_changed() -> None:
    app = ListApp(1_000)
    async with app.run_test(size=(60, 30)) as pilot:
        listing = app.query_one(ArticleList)
        listing.set_rowids(list(range(app.count)))
        await pilot.pause()
        draws = _count_calls(listing, "_draw")
        listing.refresh_stories()  # a batch grouped, nothing on screen changed
        await pilot.pause()
        assert draws[0] == 0
        app.stories["id3"] = 2
        reads = app.story_reads
        listing.refresh_stories()
        await pilot.pause()
        assert app.story_reads == reads + 1  # one read for the rows around the screen
        assert draws[0] == listing.row_height  # row 3's lines, no other row's
        assert "+2" in "".join(listing.render_line(y).text for y in range(6, 8))


async def test_the_order_read_again_draws_only_the_rows_that_changed() -> None:
    app = ListApp(1_000)
    now = [FIXED_NOW]
    async with app.run_test(size=(60, 30)) as pilot:
        listing = app.query_one(ArticleList)
        listing._clock = lambda: now[0]
        listing.set_rowids(list(range(app.count)))
        await pilot.pause()
        on_screen = listing.size.height // listing.row_height
        draws = _count_calls(listing, "_draw")
        # A refresh re-reads the order: two new rows at the top, the cursor's row
        # kept where it is on screen.  The rows on screen look as they did.
        listing.set_rowids([-2, -1, *range(app.count)], keep=0, stay=True)
        await pilot.pause()
        assert listing.scroll_offset.y == 2 * listing.row_height
        assert draws[0] == 0
        # A row retitled and one marked read since: those two are drawn again.
        app.titles[3] = "Retitled by its feed"
        app.read.add(5)
        listing.set_rowids([-2, -1, *range(app.count)], keep=0, stay=True)
        await pilot.pause()
        assert draws[0] == 2 * listing.row_height
        lines = [listing.render_line(y).text for y in range(listing.size.height)]
        assert any("Retitled by its feed" in line for line in lines)
        # An hour later every age on screen reads differently: every row is drawn.
        now[0] += 3600
        before = draws[0]
        listing.set_rowids([-2, -1, *range(app.count)], keep=0, stay=True)
        await pilot.pause()
        assert draws[0] - before >= on_screen * listing.row_height - listing.row_height
        assert "1h" in "".join(listing.render_line(y).text for y in range(listing.size.height))


async def test_the_next_article_is_rendered_ahead_after_the_frame(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = app.query_one(ArticleView)
        before = view.prefetched
        await pilot.press("j")
        await asyncio.sleep(ArticleView.PREFETCH_DELAY + 0.05)
        await settle(pilot)
        assert view.prefetched == before + 1  # the article after this one, once
        monkeypatch.setattr(ArticleView, "PREFETCH_DELAY", 60.0)  # (none during the check)
        draws = _count_calls(view, "_draw")
        await pilot.press("j")
        await pilot.pause()
        current = app.article_list.current
        assert current is not None and app.current is not None
        assert app.current.id == current.id
        assert safe_title(app.current.title) in view.text
        assert draws[0] == 0  # shown from what was rendered ahead


def safe_title(title: str) -> str:
    return " ".join(title.split()[:3])


def _bar_shown(view: Any) -> bool:
    return bool(view.show_vertical_scrollbar)


async def test_more_rows_lay_out_no_screen_unless_the_scrollbar_appears() -> None:
    app = ListApp(1_000)
    async with app.run_test(size=(60, 30)) as pilot:
        listing = app.query_one(ArticleList)
        listing.set_rowids(list(range(5)))  # fewer than the screen holds: no scrollbar
        await pilot.pause()
        assert not _bar_shown(listing)
        layouts = _count_calls(app.screen, "_refresh_layout")
        listing.set_rowids(list(range(8)), keep=0, stay=True)  # still no scrollbar
        await pilot.pause()
        assert layouts[0] == 0
        listing.set_rowids(list(range(500)), keep=0, stay=True)  # the bar appears: laid out
        await pilot.pause()
        assert _bar_shown(listing)
        assert layouts[0] >= 1
        bar = listing.vertical_scrollbar
        assert bar.window_virtual_size == 500 * listing.row_height
        for _ in range(5):  # the bar's own layouts all done (a busy machine: a pause later)
            before = layouts[0]
            await pilot.pause()
            if layouts[0] == before:
                break
        listing.set_rowids(list(range(900)), keep=0, stay=True)  # a refresh's re-read
        await pilot.pause()
        assert layouts[0] == before
        assert bar.window_virtual_size == 900 * listing.row_height  # its thumb follows
        assert listing.virtual_size.height == 900 * listing.row_height


class SidebarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield RelatedList()


def _options(count: int) -> list[RelatedOption]:
    return [RelatedOption(f"{n}. The harbour strike") for n in range(count)]


async def test_a_new_set_of_related_entries_lays_out_no_screen() -> None:
    app = SidebarApp()
    async with app.run_test(size=(40, 30)) as pilot:
        related = app.query_one(RelatedList)
        related.set_options(_options(3))
        await pilot.pause()
        layouts = _count_calls(app.screen, "_refresh_layout")
        for count in (4, 2, 5, 3):  # each a different number of lines, all on screen
            related.set_options(_options(count))
            await pilot.pause()
            assert related.virtual_size.height == count
        assert layouts[0] == 0
        related.set_options(_options(60))  # more than fit: the bar appears
        await pilot.pause()
        assert related.show_vertical_scrollbar
        assert layouts[0] >= 1


async def test_centring_the_cursor_with_the_scrollbar_shown_centres_it() -> None:
    """The list's rows and its scrollable width leave the scrollbar's column out: a
    region wider than the window made Textual's centring put the row at the top."""
    app = ListApp(200)
    async with app.run_test(size=(60, 30)) as pilot:
        listing = app.query_one(ArticleList)
        listing.set_rowids(list(range(app.count)))
        await pilot.pause()
        assert _bar_shown(listing)
        listing.set_reactive(ArticleList.cursor, 40)
        listing._scroll_to_cursor(center=True)
        rows_above = (40 * listing.row_height - listing.scroll_offset.y) // listing.row_height
        shown = listing.size.height // listing.row_height
        assert abs(rows_above - shown // 2) <= 1  # in the middle, not at the top
