"""The widgets on their own: the virtual list, relative ages, the article pane."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
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


def _grid_prompt(number: int, title: Any, details: list[Any]) -> Any:
    """How a Rich ``Table.grid`` lays an entry out (the sidebar used one once): the
    reference.  The title wraps; each detail has a row of its own, on one line."""
    from rich.style import Style
    from rich.table import Table

    grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
    grid.add_column(justify="right", no_wrap=True, style=Style(bold=True))
    grid.add_column(ratio=1)
    grid.add_row(str(number), title)
    for detail in details:
        one = detail.copy()
        one.no_wrap = True
        one.overflow = "ellipsis"
        grid.add_row("", one)
    return grid


def _cells(lines: Iterable[Iterable[Any]]) -> list[list[tuple[str, Any]]]:
    """Each line's characters with their styles (however the segments split them; the
    mouse's meta aside)."""
    from rich.style import Style

    return [
        [(c, (seg.style or Style()).clear_meta_and_links()) for seg in line for c in seg.text]
        for line in lines
    ]


@pytest.mark.parametrize("width", [12, 20, 30, 44])
def test_a_related_entry_is_laid_out_as_the_table_grid_did_once_per_width(width: int) -> None:
    """The sidebar's entries hang their lines under the title as a two-column Rich
    table did (the same cells: text, styles and widths, a long word cut with an
    ellipsis, numbers past 9), without the table's cost; Textual renders a prompt
    twice an update (for the height, then to draw), and it is laid out once a width."""
    from rich.console import Console

    from briefreader.reading import RelatedEntry
    from briefreader.tui.widgets import related

    entries = [
        RelatedEntry(
            title="Harbour cranes idle as the strike enters its second week",
            url="https://news.example/cranes",
            source="Coast Ledger",
            article_id="a1",
        ),
        RelatedEntry(title="Supercalifragilisticexpialidocious-ly long", url="https://x.example/a"),
        RelatedEntry(title="Rates held", article_id="a2", source="Ledger", also=("Wire", "Post")),
        RelatedEntry(  # (a feed named at length: its one line cut with an ellipsis)
            title="Nokia tools",
            article_id="a3",
            source="Programs for Nokia 5800 and Nokia N97: everything for the XpressMusic",
        ),
        RelatedEntry(title="", url=""),
    ]
    console = Console(width=width, color_system="truecolor", force_terminal=True)
    for number in (3, 12):
        for entry in entries:
            prompt = related._prompt(number, entry)
            want = console.render_lines(
                _grid_prompt(number, prompt.title, prompt.details), console.options
            )
            got = console.render_lines(prompt, console.options)
            assert _cells(got) == _cells(want), (number, entry.title, width)
    prompt = related._prompt(3, entries[0])
    calls = 0
    lay_out = prompt._lay_out

    def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return lay_out(*args)

    setattr(prompt, "_lay_out", counting)  # noqa: B010 (an instance attribute over the method)
    list(console.render(prompt))
    list(console.render(prompt))
    assert calls == 1
    list(console.render(prompt, console.options.update_width(width - 2)))
    assert calls == 2


async def test_the_related_list_draws_and_moves_as_the_option_list_it_replaced() -> None:
    """RelatedList draws its lines itself (an OptionList's cost most of a sidebar
    update): beside an OptionList of the same options, styled as the sidebar's was,
    every cell is the same, unfocused, focused, highlighted on an entry and after the
    keys, in a dark and a light theme."""
    from textual.app import App
    from textual.containers import Horizontal
    from textual.geometry import Region
    from textual.widgets import OptionList
    from textual.widgets.option_list import Option

    from briefreader.reading import RelatedEntry
    from briefreader.tui.widgets import related

    entries = [
        RelatedEntry(
            title=f"Entry {n}: harbour cranes idle as the strike enters week {n}",
            article_id=f"a{n}",
            source="Coast Ledger",
            same_story=n < 3,
            also=("Wire",) if n == 1 else (),
        )
        for n in range(1, 8)
    ] + [RelatedEntry(title="An outside analysis", url="https://elsewhere.example/a")]
    options = related._options(entries)

    class Both(App[None]):
        CSS = """
        Horizontal > * { width: 1fr; height: 1fr; border: none; padding: 0;
                         background: transparent; scrollbar-size-vertical: 1; }
        #old > .option-list--option-disabled { color: $text; }
        #new > .related-list--heading { color: $text; }
        """

        def compose(self) -> Any:
            with Horizontal():
                yield OptionList(
                    *(Option(o.prompt, id=o.id, disabled=o.disabled) for o in options), id="old"
                )
                yield related.RelatedList(id="new")

    app = Both()
    async with app.run_test(size=(80, 16)) as pilot:
        old = app.query_one("#old", OptionList)
        new = app.query_one("#new", related.RelatedList)
        new.set_options(options)
        old.highlighted = None  # (the sidebar highlights only once the list has focus)
        await pilot.pause()

        def lines(widget: OptionList | related.RelatedList) -> list[list[tuple[str, Any]]]:
            return _cells(widget.render_lines(Region(0, 0, widget.size.width, widget.size.height)))

        def same(
            want: list[list[tuple[str, Any]]], got: list[list[tuple[str, Any]]], state: str
        ) -> None:
            assert old.size == new.size
            for y, (a, b) in enumerate(zip(want, got, strict=True)):
                assert b == a, (state, y, "".join(c for c, _ in a))

        same(lines(old), lines(new), "unfocused")
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            moves: dict[str, list[int | None]] = {}
            drawn = {}
            for widget in (old, new):
                widget.focus()
                await pilot.pause()
                widget.highlighted = 1
                await pilot.pause()
                moves[str(widget.id)] = []
                for key in ("down", "down", "up", "pagedown", "end", "down", "home", "up"):
                    await pilot.press(key)
                    await pilot.pause()
                    moves[str(widget.id)].append(widget.highlighted)
                drawn[str(widget.id)] = lines(widget)  # focused, where the keys left it
            assert moves["new"] == moves["old"]
            same(drawn["old"], drawn["new"], f"{theme}: focused on {new.highlighted}")
            app.set_focus(None)
            await pilot.pause()
            same(lines(old), lines(new), f"{theme}: blurred")


def test_a_body_too_long_to_show_is_cut_at_a_paragraph_and_says_how_to_read_it() -> None:
    from briefreader.tui.widgets.body import MAX_BODY_CHARS, parse_markdown

    paragraph = "The crane strike in the harbour went on for another day. " * 20
    doc = parse_markdown("\n\n".join([paragraph.strip()] * (2 * MAX_BODY_CHARS // len(paragraph))))
    *shown, note = doc.blocks
    assert note.kind == "note" and "briefreader show prints it all" in note.text
    assert all(b.spans[0][0].endswith("another day.") for b in shown)  # whole paragraphs
