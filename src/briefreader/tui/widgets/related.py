"""The Related sidebar: "Same story" first, then the links an article names and
similar library articles ("Related").  Numbers run through both groups in order."""

from __future__ import annotations

from typing import ClassVar, NamedTuple
from urllib.parse import urlsplit

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Static

from briefreader.reading import RelatedEntry
from briefreader.tui.formatting import safe_line
from briefreader.tui.widgets.scrollbar import set_virtual_size

__all__ = ["RelatedEntry", "RelatedSidebar"]


class RelatedOption(NamedTuple):
    """One line group of the list: an entry (its prompt) or a group heading (disabled:
    the highlight skips it)."""

    prompt: RenderableType
    disabled: bool = False
    id: str = ""


class RelatedList(ScrollView, can_focus=True):
    """The numbered entries under their headings, drawn line by line.

    It was an ``OptionList``, which on every update built each entry's lines through
    Textual's general visual path (Rich rendering, link styles, per-line meta) and
    looked its line table up again for every line it drew: ~2/3 of the sidebar's
    update, which lands once an article a reader stays on.  Here an entry's lines
    are laid out once a width (:class:`_Hanging`) and each line drawn is kept until
    the entries, the width, the highlight or the styles change.  The keys, the
    highlight (``highlighted``: an option's index, headings counted) and the look
    are the option list's: up/down skip the headings and wrap, home/end, page
    up/down, enter; a click chooses; the mouse's entry is tinted.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("home", "first", "First", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "related-list--option",
        "related-list--highlighted",
        "related-list--heading",
        "related-list--hover",
    }

    # The option list's look (Textual 8's OptionList CSS, its compact form).
    DEFAULT_CSS = """
    RelatedList {
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .related-list--highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .related-list--highlighted {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
        & > .related-list--heading {
            color: $text-disabled;
        }
        & > .related-list--hover {
            background: $block-hover-background;
        }
    }
    """

    highlighted: reactive[int | None] = reactive(None, init=False, repaint=False)
    """The highlighted option (headings count), or None."""

    class Selected(Message):
        """An option was chosen (enter, or a click)."""

        def __init__(self, option: RelatedOption, index: int) -> None:
            super().__init__()
            self.option = option
            self.index = index

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._options: list[RelatedOption] = []
        self._width = -1  # the width the lines were laid out for
        self._lines: list[tuple[int, list[Segment]]] = []  # (option, its segments)
        self._first_line: list[int] = []  # each option's first line
        self._drawn: dict[tuple[int, str], Strip] = {}  # (line, its look): the strip
        self._hover: int | None = None

    # -- options --------------------------------------------------------------------

    @property
    def option_count(self) -> int:
        return len(self._options)

    def set_options(self, options: list[RelatedOption]) -> None:
        """Show these options (the highlight is cleared: the caller sets it)."""
        self._options = list(options)
        self._hover = None
        self.set_reactive(RelatedList.highlighted, None)
        self._width = -1
        self._lay_out()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def _lay_out(self) -> None:
        width = self.scrollable_content_region.width
        if width == self._width:
            return
        self._width = width
        self._drawn.clear()
        self._lines = []
        self._first_line = []
        if width > 0:
            console = self.app.console
            options = console.options.update(width=width, highlight=False, height=None)
            for index, option in enumerate(self._options):
                self._first_line.append(len(self._lines))
                lines = console.render_lines(option.prompt, options, pad=False)
                self._lines.extend((index, line) for line in lines)
        set_virtual_size(self, Size(width, len(self._lines)))  # (no screen layout)

    def _height_of(self, index: int) -> int:
        end = self._first_line[index + 1] if index + 1 < len(self._first_line) else len(self._lines)
        return end - self._first_line[index]

    # -- drawing --------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._lay_out()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._width
        line = y + round(self.scroll_offset.y)
        if not 0 <= line < len(self._lines):
            return Strip.blank(width, self.get_visual_style("related-list--option").rich_style)
        index, segments = self._lines[line]
        if self._options[index].disabled:
            look = "heading"
        elif index == self.highlighted:
            look = "highlighted"
        elif index == self._hover:
            look = "hover"
        else:
            look = ""
        strip = self._drawn.get((line, look))
        if strip is None:
            names = (
                ("related-list--option", f"related-list--{look}")
                if look
                else ("related-list--option",)
            )
            style = self.get_visual_style(*names).rich_style
            strip = Strip(Segment.apply_style(segments, style)).extend_cell_length(width, style)
            self._drawn[(line, look)] = strip
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out()
        self.scroll_to_highlight()

    def _refresh_option(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self._first_line):
            return
        y = self._first_line[index] - round(self.scroll_offset.y)
        self.refresh(Region(0, y, self.size.width, self._height_of(index)))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        self._refresh_option(old)
        self._refresh_option(new)
        if new is not None:
            self.scroll_to_highlight()

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        if highlighted is None or not self._options:
            return None
        return max(0, min(highlighted, len(self._options) - 1))

    def scroll_to_highlight(self) -> None:
        index = self.highlighted
        if index is None or not self.is_mounted or index >= len(self._first_line):
            return
        region = Region(0, self._first_line[index], self._width, self._height_of(index))
        self.scroll_to_region(region, force=True, animate=False, immediate=True)

    # -- keys and the mouse ---------------------------------------------------------

    def _next_enabled(self, direction: int) -> int | None:
        """The next option the highlight may take from where it is, wrapping round
        (none highlighted: the first, or going up the last)."""
        count = len(self._options)
        start = self.highlighted
        if start is None:
            start = -1 if direction > 0 else count
        for step in range(1, count + 1):
            index = (start + direction * step) % count
            if not self._options[index].disabled:
                return index
        return None

    def action_cursor_down(self) -> None:
        self.highlighted = self._next_enabled(1)

    def action_cursor_up(self) -> None:
        self.highlighted = self._next_enabled(-1)

    def action_first(self) -> None:
        self.highlighted = next((i for i, o in enumerate(self._options) if not o.disabled), None)

    def action_last(self) -> None:
        enabled = [i for i, o in enumerate(self._options) if not o.disabled]
        self.highlighted = enabled[-1] if enabled else None

    def _move_page(self, direction: int) -> None:
        if not self._lines:
            return
        here = self._first_line[self.highlighted or 0]
        line = max(
            0, min(here + direction * self.scrollable_content_region.height, len(self._lines) - 1)
        )
        index = self._lines[line][0]
        while 0 <= index < len(self._options) and self._options[index].disabled:
            index += direction
        if 0 <= index < len(self._options):
            self.highlighted = index

    def action_page_down(self) -> None:
        if self.highlighted is None:
            self.action_last()
        else:
            self._move_page(1)

    def action_page_up(self) -> None:
        if self.highlighted is None:
            self.action_first()
        else:
            self._move_page(-1)

    def action_select(self) -> None:
        index = self.highlighted
        if index is not None and not self._options[index].disabled:
            self.post_message(self.Selected(self._options[index], index))

    def _option_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        line = offset.y + round(self.scroll_offset.y)
        return self._lines[line][0] if 0 <= line < len(self._lines) else None

    def on_click(self, event: events.Click) -> None:
        index = self._option_at(event)
        if index is not None and not self._options[index].disabled:
            self.highlighted = index
            self.action_select()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._option_at(event)
        if index != self._hover:
            before, self._hover = self._hover, index
            self._refresh_option(before)
            self._refresh_option(index)

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            before, self._hover = self._hover, None
            self._refresh_option(before)


class RelatedSidebar(Vertical):
    """Numbered related articles; 1–9 open them (the app's bindings)."""

    class Chosen(Message):
        def __init__(self, entry: RelatedEntry) -> None:
            super().__init__()
            self.entry = entry

    #: The title says the entries are the previous article's ("Related …") only when
    #: the new ones take longer than this: they usually come within a few
    #: milliseconds, and redrawing the sidebar's frame twice a key press cost ~1/4 of
    #: drawing the next article.
    STALE_AFTER: float = 0.2

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: list[RelatedEntry] = []
        self._shown = False
        self._stale = False
        self._stale_timer: Timer | None = None
        self.border_title = "Related"

    @property
    def stale(self) -> bool:
        """True while the entries shown belong to the previous article."""
        return self._stale

    @stale.setter
    def stale(self, value: bool) -> None:
        if value == self._stale:
            return
        self._stale = value
        if self._stale_timer is not None:
            self._stale_timer.stop()
            self._stale_timer = None
        if value and self.is_mounted:
            self._stale_timer = self.set_timer(self.STALE_AFTER, self._show_stale)
        elif value:
            self._show_stale()
        elif self.border_title != "Related":
            self.border_title = "Related"

    def _show_stale(self) -> None:
        self._stale_timer = None
        if self._stale:
            self.border_title = "Related …"

    @property
    def entries(self) -> list[RelatedEntry]:
        return list(self._entries)

    def compose(self) -> ComposeResult:
        yield RelatedList(id="related-list")
        yield Static(id="related-empty", markup=False)

    def set_entries(
        self, entries: list[RelatedEntry], *, searching: bool = False, note: str = ""
    ) -> None:
        """Show entries; ``searching`` while the library's ranking is still running;
        ``note``: why there are none, said instead of "No related articles found"."""
        option_list = self.query_one(RelatedList)
        empty = self.query_one("#related-empty", Static)
        if entries != self._entries or not self._shown:
            self._shown = True
            self._entries = list(entries)
            option_list.set_options(_options(self._entries))
            # Highlight only while the list has focus, so it does not pull the eye.
            option_list.highlighted = (
                self._first_option() if entries and option_list.has_focus else None
            )
        if not entries:
            empty.update(
                Content(
                    "Looking for related articles…"
                    if searching
                    else note or "No related articles found"
                )
            )
        # (Changing what is displayed costs a screen layout: only when it changes.)
        if option_list.display != bool(entries):
            option_list.display = bool(entries)
        if empty.display != (not entries):
            empty.display = not entries

    def entry(self, number: int) -> RelatedEntry | None:
        """Entry ``number`` (1-based), if there is one."""
        return self._entries[number - 1] if 0 < number <= len(self._entries) else None

    def _first_option(self) -> int:
        """Index of the first entry's option (after a group heading, if any)."""
        return 1 if self._entries and self._entries[0].same_story else 0

    @on(events.DescendantFocus)
    def _focused(self) -> None:
        option_list = self.query_one(RelatedList)
        if option_list.highlighted is None and self._entries:
            option_list.highlighted = self._first_option()

    @on(RelatedList.Selected)
    def _chosen(self, event: RelatedList.Selected) -> None:
        event.stop()
        option_id = event.option.id
        entry = self.entry(int(option_id)) if option_id.isdigit() else None
        if entry is not None:
            self.post_message(self.Chosen(entry))


def _options(entries: list[RelatedEntry]) -> list[RelatedOption]:
    """Numbered options; "Same story" and "Related" headings when there are same-story
    entries (headings are disabled options, so the cursor skips them)."""
    grouped = any(e.same_story for e in entries)
    options: list[RelatedOption] = []
    heading = ""
    for n, entry in enumerate(entries, 1):
        if grouped:
            wanted = "Same story" if entry.same_story else "Related"
            if wanted != heading:
                heading = wanted
                options.append(
                    RelatedOption(Text(wanted.upper(), Style(bold=True)), True, f"heading-{wanted}")
                )
        options.append(RelatedOption(_prompt(n, entry), False, str(n)))
    return options


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


_BOLD = Style(bold=True)
_ITALIC = Style(italic=True)


class _Hanging:
    """``n Title`` with the title's lines hanging under the title, and each detail
    (the source, "also: …") on one line under them, cut with an ellipsis: what a
    two-column ``Table.grid`` (the number right-aligned and bold, one space, the
    title wrapping with ``overflow="ellipsis"``, a row of its own for each detail,
    not wrapped) drew, laid out here directly.  A feed's name of 90 characters took
    four lines an entry, and the sidebar showed five of its eight.  Textual renders
    an option's prompt once for its height and once to draw it; the table measured
    and laid out both columns each time (most of the sidebar's ~9 ms update), so the
    lines are also kept for the width they were made for."""

    def __init__(self, number: int, title: Text, details: list[Text]) -> None:
        self.number = str(number)
        self.title = title
        self.details = details
        self._lines: dict[int, list[Segment]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        segments = self._lines.get(width)
        if segments is None:
            segments = self._lines[width] = self._lay_out(console, width)
        yield from segments

    def _lay_out(self, console: Console, width: int) -> list[Segment]:
        gutter = len(self.number) + 1
        room = max(1, width - gutter)
        lines = list(self.title.wrap(console, room, justify="left", overflow="ellipsis"))
        for detail in self.details:
            one = detail.copy()
            one.truncate(room, overflow="ellipsis")
            lines.append(one)
        first = Segment(self.number + " ", _BOLD)
        blank = Segment(" " * gutter, _BOLD)
        out: list[Segment] = []
        for n, line in enumerate(lines):
            out.append(blank if n else first)
            out.extend(line.render(console))
            out.append(_NEW_LINE)
        return out


_NEW_LINE = Segment.line()


def _prompt(number: int, entry: RelatedEntry) -> _Hanging:
    """``n  Title`` with the title wrapping under itself, the source (and the other
    sources of its copies) below it, one line each."""
    title = safe_line(entry.title) or safe_line(entry.url) or "(untitled)"
    if entry.in_library:
        detail = safe_line(entry.source)
    else:
        host = _host(entry.url)
        detail = f"↗ {safe_line(host)}" if host else "not in the library"
    # (italic, not dim: a dimmed line falls under 4.5:1 in most themes)
    # (the style as a span: a Text's own style is its caller's to draw)
    details = [Text(end="").append(detail, _ITALIC)] if detail else []
    if entry.also:
        also = "also: " + ", ".join(safe_line(s) for s in entry.also)
        details.append(Text(end="").append(also, _ITALIC))
    return _Hanging(number, Text(title, end=""), details)
