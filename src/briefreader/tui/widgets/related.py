"""The Related sidebar: "Same story" first, then the links an article names and
similar library articles ("Related").  Numbers run through both groups in order."""

from __future__ import annotations

from urllib.parse import urlsplit

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from briefreader.reading import RelatedEntry
from briefreader.tui.formatting import safe_line

__all__ = ["RelatedEntry", "RelatedSidebar"]


class RelatedList(OptionList):
    """The numbered entries (an ``OptionList``: there are never more than a few)."""


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
        yield RelatedList(id="related-list", markup=False)
        yield Static(id="related-empty", markup=False)

    def set_entries(self, entries: list[RelatedEntry], *, searching: bool = False) -> None:
        """Show entries; ``searching`` while the library's ranking is still running."""
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
                    "Looking for related articles…" if searching else "No related articles found"
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

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        entry = self.entry(int(option_id)) if option_id.isdigit() else None
        if entry is not None:
            self.post_message(self.Chosen(entry))


def _options(entries: list[RelatedEntry]) -> list[Option]:
    """Numbered options; "Same story" and "Related" headings when there are same-story
    entries (headings are disabled options, so the cursor skips them)."""
    grouped = any(e.same_story for e in entries)
    options: list[Option] = []
    heading = ""
    for n, entry in enumerate(entries, 1):
        if grouped:
            wanted = "Same story" if entry.same_story else "Related"
            if wanted != heading:
                heading = wanted
                options.append(
                    Option(
                        Text(wanted.upper(), Style(bold=True)),
                        id=f"heading-{wanted}",
                        disabled=True,
                    )
                )
        options.append(Option(_prompt(n, entry), id=str(n)))
    return options


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


_BOLD = Style(bold=True)


class _Hanging:
    """``n Title`` with the title's lines, and the source's, hanging under the title:
    what a two-column ``Table.grid`` (the number right-aligned and bold, one space,
    the text wrapping with ``overflow="ellipsis"``) drew, laid out here directly.
    Textual renders an option's prompt once for its height and once to draw it; the
    table measured and laid out both columns each time (most of the sidebar's ~9 ms
    update), so the lines are also kept for the width they were made for."""

    def __init__(self, number: int, text: Text) -> None:
        self.number = str(number)
        self.text = text
        self._lines: dict[int, list[Segment]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        segments = self._lines.get(width)
        if segments is None:
            segments = self._lines[width] = self._lay_out(console, width)
        yield from segments

    def _lay_out(self, console: Console, width: int) -> list[Segment]:
        gutter = len(self.number) + 1
        lines = self.text.wrap(console, max(1, width - gutter), justify="left", overflow="ellipsis")
        first = Segment(self.number + " ", _BOLD)
        blank = Segment(" " * gutter, _BOLD)
        out: list[Segment] = []
        for n, line in enumerate(lines):
            out.append(blank if n else first)
            out.extend(line.render(console))
            out.append(_NEW_LINE)
        return out

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        gutter = len(self.number) + 1
        text = Measurement.get(console, options, self.text)
        return Measurement(text.minimum + gutter, text.maximum + gutter).clamp(
            max_width=options.max_width
        )


_NEW_LINE = Segment.line()


def _prompt(number: int, entry: RelatedEntry) -> _Hanging:
    """``n  Title`` with the title wrapping under itself, the source below it."""
    title = safe_line(entry.title) or safe_line(entry.url) or "(untitled)"
    if entry.in_library:
        detail = safe_line(entry.source)
    else:
        host = _host(entry.url)
        detail = f"↗ {safe_line(host)}" if host else "not in the library"
    text = Text(title, end="")
    # (italic, not dim: a dimmed line falls under 4.5:1 in most themes)
    if detail:
        text.append("\n" + detail, Style(italic=True))
    if entry.also:
        text.append("\nalso: " + ", ".join(safe_line(s) for s in entry.also), Style(italic=True))
    return _Hanging(number, text)
