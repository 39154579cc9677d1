"""The article list: a line-rendered virtual list that stays fast at 100,000 rows.

Like toolong's ``LogLines``, this is a :class:`~textual.scroll_view.ScrollView`
whose :meth:`render_line` draws only the rows on screen, each into a
:class:`~textual.strip.Strip` (cached), from plain
:class:`~briefreader.store.ArticleRow` tuples.  No widget per row, no markup:
titles are :class:`rich.text.Text` built from plain strings.

The list holds only the order (library rowids, ~50 ms for 100,000 from a covering
index); the rows' text is read a window at a time as it comes on screen, through
the ``loader`` the app gives it.

A row is ``● ★ Title…   2h`` over ``source  +3`` (density "comfortable"), or
``● ★ Title…  +3  source  2h`` on one line (density "compact"; the source only where
the title keeps :data:`COMPACT_TITLE_MIN` cells beside it); ``+3`` is how many
other articles cover the same story (read a window at a time, like the rows,
through the ``story_loader``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from briefreader.store import ArticleRow
from briefreader.tui.formatting import (
    cut_to,
    foreground,
    legible_colour,
    relative_age,
    safe_line,
)
from briefreader.tui.widgets.scrollbar import set_virtual_size, steady_vertical_scrollbar

__all__ = ["ArticleList"]

AGE_WIDTH = 4
#: Below this width a comfortable row puts its age on the second line, beside the
#: source, so the title gets those columns (at 80×24 the list is ~30 columns wide).
NARROW_ROW = 40
MARKS_WIDTH = 4
#: A compact row shows its source only when the title keeps this many cells beside it
#: (else the title has the row: at 80×24 a source cut to 8 cells left it 20).
COMPACT_TITLE_MIN = 28
#: How many rows are read from the library at a time when drawing.
WINDOW = 256

Loader = Callable[[Sequence[int]], list[ArticleRow]]
"""Reads rows by library rowid (any order; missing ones left out)."""
StoryLoader = Callable[[Sequence[str]], dict[str, int]]
"""``{article id: other articles in its story}`` for the ids given (0s may be left out)."""


class ArticleList(ScrollView, can_focus=True, inherit_bindings=False):
    """Newest-first rows of the library; the app owns the data and the keys."""

    BINDINGS: ClassVar[list[BindingType]] = []

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--cursor",
        "article-list--unread",
        "article-list--read",
        "article-list--dot",
        "article-list--star",
        "article-list--meta",
        "article-list--story",
        "article-list--empty",
    }

    DEFAULT_CSS = """
    ArticleList {
        overflow-x: hidden;
        overflow-y: auto;
        & > .article-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .article-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .article-list--unread { text-style: bold; }
        & > .article-list--read { color: $text-muted; }
        & > .article-list--dot { color: $text-accent; }
        & > .article-list--star { color: $text-warning; }
        & > .article-list--meta { color: $text-muted; }
        & > .article-list--story { color: $text-accent; }
        & > .article-list--empty { color: $text-muted; text-style: italic; }
    }
    """

    cursor: reactive[int] = reactive(-1, repaint=False, init=False)
    """Index of the highlighted row (-1 when the list is empty)."""

    density: reactive[str] = reactive("comfortable", init=False)
    """"comfortable" (two lines per row) or "compact" (one)."""

    class Highlighted(Message):
        """The cursor moved to a row (or the list became empty: ``row`` is None)."""

        def __init__(self, row: ArticleRow | None) -> None:
            super().__init__()
            self.row = row

    class Selected(Message):
        """A row was chosen with the mouse."""

        def __init__(self, row: ArticleRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        *,
        loader: Loader | None = None,
        story_loader: StoryLoader | None = None,
        clock: Callable[[], float] = time.time,
        density: str = "comfortable",
        empty_message: str = "No articles",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._loader = loader
        self._story_loader = story_loader
        self._stories: dict[str, int] = {}
        self._story_known: set[str] = set()
        self._rowids: list[int] = []
        self._rows: dict[int, ArticleRow] = {}
        self._index: dict[int, int] | None = None
        self._clock = clock
        self._now = clock()
        self._cache: LRUCache[tuple[Any, ...], Strip] = LRUCache(1024)
        self._base: Style | None = None
        self._frame: tuple[int, int] | None = None
        self.empty_message = empty_message
        self.set_reactive(ArticleList.density, density)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Repainted only when its cells change (not on every one-row scroll).
        return steady_vertical_scrollbar(self)

    # -- data -----------------------------------------------------------------------

    @property
    def rowids(self) -> Sequence[int]:
        """The rows shown, in order (library rowids)."""
        return self._rowids

    def __len__(self) -> int:
        return len(self._rowids)

    @property
    def row_height(self) -> int:
        return 1 if self.density == "compact" else 2

    @property
    def current(self) -> ArticleRow | None:
        return self.row_at(self.cursor)

    def row_at(self, index: int) -> ArticleRow | None:
        """The row at ``index``, read from the library (a window at a time) when needed."""
        if not 0 <= index < len(self._rowids):
            return None
        rowid = self._rowids[index]
        row = self._rows.get(rowid)
        if row is None and self._loader is not None:
            start = max(0, index - WINDOW // 4)
            wanted = [r for r in self._rowids[start : start + WINDOW] if r not in self._rows]
            for loaded in self._loader(wanted):
                self._rows[loaded.rowid] = loaded
            row = self._rows.get(rowid)
        if row is not None and self._story_loader is not None and row.id not in self._story_known:
            start = max(0, index - WINDOW // 4)
            ids = [
                r.id
                for rid in self._rowids[start : start + WINDOW]
                if (r := self._rows.get(rid)) is not None and r.id not in self._story_known
            ]
            self._stories.update(self._story_loader(ids))
            self._story_known.update(ids)
        return row

    def others(self, row: ArticleRow) -> int:
        """How many other articles cover ``row``'s story (0 when none, or not known yet)."""
        return self._stories.get(row.id, 0)

    def refresh_stories(self) -> None:
        """Stories changed (articles were grouped): read the "+N" counts again.

        The window around the rows on screen is read now (one query, between key
        presses) and only the rows whose count changed are repainted; the rest of
        the list is read again as it comes on screen.  (Clearing every drawn row
        here made the next frame draw the whole list anew: while a large library is
        grouped, a batch ends every second or so, often in a key press's frame.)
        """
        shown: dict[str, int] = {}  # id -> index, the rows read around the screen
        if self._story_loader is not None and self._rowids:
            top = max(0, round(self.scroll_offset.y) // self.row_height)
            start = max(0, top - WINDOW // 4)
            for index in range(start, min(len(self._rowids), start + WINDOW)):
                row = self._rows.get(self._rowids[index])
                if row is not None:
                    shown[row.id] = index
        before = self._stories
        self._stories = self._story_loader(list(shown)) if shown and self._story_loader else {}
        self._story_known = set(shown)
        for art_id, index in shown.items():
            if before.get(art_id, 0) != self._stories.get(art_id, 0):
                self._refresh_row(index)  # (its "+N" is part of the drawn row's key)

    def iter_rows(self, start: int, *, forward: bool = True) -> Iterator[tuple[int, ArticleRow]]:
        """``(index, row)`` from ``start`` onwards (or backwards), loading as it goes."""
        step = 1 if forward else -1
        index = start
        while 0 <= index < len(self._rowids):
            row = self.row_at(index)
            if row is not None:
                yield index, row
            index += step

    def index_of(self, rowid: int) -> int | None:
        if self._index is None:
            # A row near the top (the usual case) is found without the whole map:
            # at 1,000,000 rows the map costs ~100 MB and a fraction of a second.
            head = self._rowids[:1024]
            if rowid in head:
                return head.index(rowid)
            self._index = {r: i for i, r in enumerate(self._rowids)}
        return self._index.get(rowid)

    def set_rows(self, rows: list[ArticleRow], *, keep: int | None = None) -> None:
        """Show exactly these rows (search results), in this order."""
        before = self.current
        self._rows = {row.rowid: row for row in rows}
        self._set_order([row.rowid for row in rows], keep, before=before)

    def set_rowids(self, rowids: list[int], *, keep: int | None = None, stay: bool = False) -> None:
        """Show these library rows in this order; their text is read when drawn.

        ``stay``: keep the ``keep`` row where it is on screen (new rows arriving above
        it during a refresh must not move what the reader is looking at).
        """
        before = self.current
        self._rows = {}
        self._set_order(rowids, keep, stay=stay, before=before)

    def _set_order(
        self,
        rowids: list[int],
        keep: int | None,
        *,
        stay: bool = False,
        before: ArticleRow | None,
    ) -> None:
        """``before``: the row highlighted until now, as it was read then (read again,
        its rowid may name another article: SQLite numbers new rows from the highest
        left, so after the last rows were deleted, the next ones take their numbers)."""
        screen_y = self.cursor * self.row_height - round(self.scroll_offset.y)
        self._rowids = rowids
        self._index = None
        # The drawn rows are kept: a row is drawn again only if its text, flags, age or
        # story count changed (all in the cache's key).  A refresh re-reads the order
        # every second; clearing them made each re-read's frame draw the whole list
        # anew (~15 ms at 160x48, in whatever key press's frame it landed).
        self._now = self._clock()
        index = self.index_of(keep) if keep is not None else None
        if index is None:
            index = 0 if rowids else -1
        self._update_virtual_size()
        self.set_reactive(ArticleList.cursor, index)
        kept = keep is not None and before is not None and before.rowid == keep
        if rowids and stay and kept and 0 <= screen_y < self.size.height:
            y = max(0, index * self.row_height - screen_y)
            self.scroll_to(y=y, animate=False, immediate=True, force=True)
        elif rowids:
            self._scroll_to_cursor(center=keep is not None)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        after = self.current
        if keep is None or (before.id if before else None) != (after.id if after else None):
            self.post_message(self.Highlighted(after))

    def remove_rows(self, rowids: Collection[int]) -> None:
        """Take rows out of the list (deleted articles).  The cursor keeps its place:
        the row below a removed cursor row takes it (the one above, at the end)."""
        gone = set(rowids).intersection(self._rowids)
        if not gone:
            return
        before = self.current
        above = sum(1 for r in self._rowids[: max(0, self.cursor)] if r in gone)
        self._rowids = [r for r in self._rowids if r not in gone]
        for rowid in gone:
            self._rows.pop(rowid, None)
        self._index = None
        self._cache.clear()
        self._update_virtual_size()
        index = min(self.cursor - above, len(self._rowids) - 1) if self._rowids else -1
        self.set_reactive(ArticleList.cursor, index)
        if self._rowids:
            self._scroll_to_cursor()
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        after = self.current
        if (before.id if before else None) != (after.id if after else None):
            self.post_message(self.Highlighted(after))

    def update_row(self, rowid: int, **changes: Any) -> None:
        """Change a row's read/starred flags in place."""
        row = self._rows.get(rowid)
        if row is not None:
            self._rows[rowid] = replace(row, **changes)
        index = self.index_of(rowid)
        if index is not None:
            self._refresh_row(index)

    def mark_all(self, **changes: Any) -> None:
        """Change the flags of every row shown (rows not yet read come fresh from disk)."""
        self._rows = {rowid: replace(row, **changes) for rowid, row in self._rows.items()}
        self._cache.clear()
        self.refresh()

    def refresh_ages(self) -> None:
        self._now = self._clock()
        self._cache.clear()
        self.refresh()

    # -- moving ---------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        if self._rowids:
            self.cursor = max(0, min(index, len(self._rowids) - 1))

    def find(self, predicate: Callable[[ArticleRow], bool], *, forward: bool = True) -> int | None:
        """Index of the next (or previous) row after the cursor matching ``predicate``."""
        start = self.cursor + 1 if forward else self.cursor - 1
        for index, row in self.iter_rows(start, forward=forward):
            if predicate(row):
                return index
        return None

    def validate_cursor(self, value: int) -> int:
        if not self._rowids:
            return -1
        return max(0, min(value, len(self._rowids) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self.current))

    def watch_density(self) -> None:
        self._cache.clear()
        self._update_virtual_size()
        self._scroll_to_cursor(center=True)
        self.refresh()

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        if self.cursor < 0:
            return
        h = self.row_height
        self.scroll_to_region(
            Region(0, self.cursor * h, max(1, self.scrollable_content_region.width), h),
            animate=False,
            center=center,
            force=True,
            immediate=True,
            x_axis=False,
        )

    def _update_virtual_size(self) -> None:
        # No screen layout unless the scrollbar appears or goes (a refresh's re-read
        # changes the number of rows about once a second).  As wide as the rows are
        # drawn, the scrollbar's column left out: wider, Textual's centring would put
        # the cursor's row at the top instead.
        width = self.scrollable_content_region.width
        set_virtual_size(self, Size(width, len(self._rowids) * self.row_height))

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._update_virtual_size()
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._cache.clear()

    def on_focus(self, event: events.Focus) -> None:
        self._base = None
        self._cache.clear()
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self._base = None
        self._cache.clear()
        self.refresh()

    def _refresh_row(self, index: int) -> None:
        if index < 0:
            return
        h = self.row_height
        y = index * h - round(self.scroll_offset.y)
        if -h < y < self.size.height:
            self.refresh(Region(0, y, self.size.width, h))

    # -- mouse ----------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + round(self.scroll_offset.y)) // self.row_height
        row = self.row_at(index)
        if row is not None:
            self.focus()
            self.cursor = index
            self.post_message(self.Selected(row))

    # -- drawing --------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The lines of one frame share the width and the scroll offset: looked up once
        # (~10 µs each a line, 45 lines when the list scrolls a row).
        self._frame = (self.scrollable_content_region.width, round(self.scroll_offset.y))
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        if self._frame is None:
            width, scroll_y = self.scrollable_content_region.width, round(self.scroll_offset.y)
        else:
            width, scroll_y = self._frame
        line = y + scroll_y
        if self._base is None:  # ``rich_style`` walks the DOM on every call
            self._base = self.rich_style
        base = self._base
        if not self._rowids:
            if y == 1 and self.empty_message:
                style = foreground(self.get_component_rich_style("article-list--empty"))
                text = Text("  " + self.empty_message, style=style, end="")
                text.truncate(width, overflow="ellipsis", pad=True)
                segments = Segment.apply_style(text.render(self.app.console), base)
                return Strip(_legible(segments), width)
            return Strip.blank(width, base)
        index, sub = divmod(line, self.row_height)
        row = self.row_at(index) if width > 0 else None
        if row is None:
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        others = self._stories.get(row.id, 0)
        age = relative_age(row.sort_ts, self._now)
        key = (row, sub, width, is_cursor, self.has_focus, self.density, others, age)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._draw(row, sub, width, is_cursor, base, others, age)
            self._cache[key] = strip
        return strip

    def _draw(
        self,
        row: ArticleRow,
        sub: int,
        width: int,
        is_cursor: bool,
        base: Style,
        others: int,
        age: str,
    ) -> Strip:
        def get(name: str) -> Style:
            style = foreground(self.get_component_rich_style(name))
            # On the cursor row every part is drawn in the cursor's colour (as Textual's
            # own lists do): a part's colour chosen for the panel is unreadable on it.
            return style.without_color if is_cursor else style

        if is_cursor:
            base = base + self.get_component_rich_style("article-list--cursor")
        meta_style = get("article-list--meta")
        text = Text(end="", no_wrap=True)
        age = age.rjust(AGE_WIDTH)
        source = safe_line(row.shown_source)
        story = f"+{others}" if others else ""
        if sub == 0:
            text.append("● " if not row.read else "  ", get("article-list--dot"))
            text.append("★ " if row.starred else "  ", get("article-list--star"))
            title_style = get("article-list--read" if row.read else "article-list--unread")
            if self.density == "compact":
                right = f"  {age}"
                room = width - MARKS_WIDTH - cell_len(right)
                cells = max(8, width // 5)  # (by the width alone: every row alike)
                if source and room - cells - 2 >= COMPACT_TITLE_MIN:
                    right = f"  {_clip(source, cells)}{right}"
                    room = width - MARKS_WIDTH - cell_len(right)
                if story:
                    room -= cell_len(story) + 2
            elif width < NARROW_ROW:  # the age goes under it, beside the source
                right = ""
                room = width - MARKS_WIDTH
            else:
                right = f" {age}"
                room = width - MARKS_WIDTH - cell_len(right)
            title = Text(safe_line(row.title), style=title_style, end="", no_wrap=True)
            if room > 0:
                text.append_text(cut_to(title, room))
                if story and self.density == "compact":
                    text.append("  " + story, get("article-list--story"))
                text.append(right, meta_style)
        else:
            text.append(" " * MARKS_WIDTH)
            tail: list[tuple[str, Style]] = []
            if story:  # right-aligned under the age
                tail.append((" " + story, get("article-list--story")))
            if width < NARROW_ROW:  # the age moved down from the title's line
                tail.append((" " + age, meta_style))
            if tail:
                room = width - MARKS_WIDTH - sum(cell_len(t) for t, _ in tail)
                left = Text(source, style=meta_style, end="", no_wrap=True)
                text.append_text(cut_to(left, max(1, room)))
                for part, style in tail:
                    text.append(part, style)
            else:
                text.append(source or " ", meta_style)
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        return Strip(_legible(Segment.apply_style(segments, base)), width)


def _legible(segments: Iterable[Segment]) -> list[Segment]:
    """Every segment's text at least :data:`MIN_CONTRAST` on its own background."""
    out: list[Segment] = []
    for segment in segments:
        style = segment.style
        if style is not None and style.color is not None and style.bgcolor is not None:
            fg, bg = (style.bgcolor, style.color) if style.reverse else (style.color, style.bgcolor)
            colour = legible_colour(fg, bg)
            if colour is not fg:
                change = Style(bgcolor=colour) if style.reverse else Style(color=colour)
                segment = Segment(segment.text, style + change, segment.control)
        out.append(segment)
    return out


def _clip(text: str, cells: int) -> str:
    if cell_len(text) <= cells:
        return text
    clipped = Text(text, end="")
    clipped.truncate(cells, overflow="ellipsis")
    return clipped.plain
