"""The feeds pane, left of the article list: "All", then tags, then feeds, each with
its unread articles.  Enter narrows the list to the highlighted entry (the same
:class:`~briefreader.tui.screens.feeds.FeedScope` the feeds screen hands back);
the app's keys toggle the pane (``[``) and mark an entry read (``A``).

The counts come from one cheap library query
(:meth:`~briefreader.store.Library.unread_counts`), read in a thread worker with
the loader the app hands in (its read-only connection).  Feed titles and tags come
from the network: they are shown as plain :class:`rich.text.Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import Worker, WorkerState, get_current_worker

from briefreader.store import FeedCount, UnreadCounts
from briefreader.tui.bindings import MOVE_GROUP
from briefreader.tui.failures import failure_line
from briefreader.tui.formatting import safe_line
from briefreader.tui.screens.feeds import FeedScope

__all__ = ["FeedsList", "FeedsPane", "PaneCounts", "scope_key"]


@dataclass(frozen=True, slots=True)
class PaneCounts(UnreadCounts):
    """The counts, and the account owning each account's feed: the pane then shows
    this device's feeds and each account's under their own headings."""

    owners: tuple[tuple[int, str], ...] = ()
    """``(feed id, its account's heading)``."""


CountsLoader = Callable[[], UnreadCounts]

ALL = "all"


def scope_key(scope: FeedScope | None) -> str:
    """The pane's key for what the list shows: ``all``, ``tag:NAME`` or ``feed:ID``."""
    return ALL if scope is None else f"{scope.kind}:{scope.value}"


class FeedsList(OptionList):
    """The entries (j/k and g/G move as in the other lists; enter chooses)."""

    # Shown as the app's own j/k and enter are (they took the footer's place: with the
    # pane focused, the footer lost "jk Move ⏎ Read" and said nothing of these).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", id="feeds_pane_down", group=MOVE_GROUP),
        Binding("k", "cursor_up", "Up", id="feeds_pane_up", group=MOVE_GROUP),
        Binding("g", "first", "First", show=False, id="feeds_pane_first"),
        Binding("G", "last", "Last", show=False, id="feeds_pane_last"),
        Binding("enter", "select", "Show", id="feeds_pane_show"),
    ]


class FeedsPane(Vertical):
    """The feeds pane: "All", tags and feeds with unread counts; enter narrows the list."""

    class CountsLoaded(Message):
        """The counts were read (bubbles to the app: the pane may now show or hide)."""

        def __init__(self, counts: UnreadCounts) -> None:
            super().__init__()
            self.counts = counts

    class Chosen(Message):
        """Enter on an entry: show its articles (``None``: every article)."""

        def __init__(self, scope: FeedScope | None) -> None:
            super().__init__()
            self.scope = scope

    def __init__(
        self, loader: CountsLoader, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._loader = loader
        self.counts: UnreadCounts | None = None
        self._current = ALL
        self._drawn_width = 0
        #: What each entry drawn shows, in order (at ``_drawn_width``).
        self._drawn_specs: list[tuple[str, _Spec]] = []
        self.border_title = "Feeds"

    def compose(self) -> ComposeResult:
        yield FeedsList(id="feeds-list", markup=False)
        yield Static(id="feeds-empty", markup=False)

    @property
    def has_feeds(self) -> bool:
        """Whether the library has any feed (known once the counts are read)."""
        return bool(self.counts is not None and self.counts.feeds)

    # -- the counts -------------------------------------------------------------------

    def reload(self) -> None:
        """Read the counts again (in a worker) and redraw, keeping the highlighted entry."""
        self._load()

    @work(thread=True, exclusive=True, group="feeds-pane", exit_on_error=False)
    def _load(self) -> None:
        counts = self._loader()
        if not get_current_worker().is_cancelled:  # a newer load was started meanwhile
            self.post_message(self.CountsLoaded(counts))

    @on(CountsLoaded)
    def _loaded(self, message: CountsLoaded) -> None:
        self.show_counts(message.counts)

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            line = failure_line(event.worker)
            self.app.notify(line, severity="error", markup=False, timeout=10)
            self.query_one("#feeds-empty", Static).update(
                Content("Could not count the unread articles")
            )

    def show_counts(self, counts: UnreadCounts) -> None:
        if counts == self.counts:
            return  # (a reload that changed no read state: nothing to redraw)
        self.counts = counts
        self._redraw()

    @property
    def current(self) -> str:
        """The key of the entry whose articles the list shows (drawn in bold)."""
        return self._current

    @current.setter
    def current(self, key: str) -> None:
        if key != self._current:
            self._current = key
            self._redraw()

    def _redraw(self) -> None:
        counts = self.counts
        if counts is None:
            return
        option_list = self.query_one(FeedsList)
        # Each entry is one line cut to the width: a folded pane (no width) is drawn
        # when it is shown (on_resize).
        padding = option_list.get_component_styles("option-list--option").padding
        width = option_list.scrollable_content_region.width - padding.width
        same_width, self._drawn_width = width == self._drawn_width, width
        if width <= 0:
            return
        specs = _specs(counts, self._current)
        drawn = self._drawn_specs
        if same_width and [i for i, _ in specs] == [i for i, _ in drawn]:
            # The same entries in the same order (counts changed: a refresh brings new
            # articles every second): only the entries that changed are drawn again,
            # and the pane keeps its scroll position and highlight.
            for (option_id, spec), (_, old) in zip(specs, drawn, strict=True):
                if spec != old:
                    option_list.replace_option_prompt(option_id, _prompt_of(spec, width))
        else:
            keep = self.highlighted_key or self._current
            option_list.highlighted = None
            option_list.set_options(_option(i, spec, width) for i, spec in specs)
            # Highlighted only while the pane has focus, so it does not pull the eye
            # (the entry the list shows is bold).
            if option_list.has_focus:
                index = _index_of(option_list, keep)
                option_list.highlighted = index if index is not None else 0
        self._drawn_specs = specs
        empty = self.query_one("#feeds-empty", Static)
        if counts.feeds:
            empty.display = False
        else:
            empty.update(
                Content(
                    "No feeds yet. Press a to subscribe to one; "
                    "its unread articles are counted here."
                )
            )
            empty.display = True

    # -- the highlighted entry ----------------------------------------------------------

    @property
    def highlighted_key(self) -> str:
        """The highlighted entry's key (``all``, ``tag:NAME``, ``feed:ID``), or ""."""
        option = self.query_one(FeedsList).highlighted_option
        return option.id or "" if option is not None else ""

    @property
    def highlighted_scope(self) -> FeedScope | None:
        """What the highlighted entry would show (``None``: every article)."""
        return self.scope_for(self.highlighted_key)

    def scope_for(self, key: str) -> FeedScope | None:
        """The :class:`FeedScope` of an entry's key (``None`` for "All" or unknown)."""
        counts = self.counts
        if key.startswith("tag:"):
            tag = key.removeprefix("tag:")
            return FeedScope("tag", tag, f"# {safe_line(tag)}")
        if key.startswith("feed:") and counts is not None:
            feed_id = int(key.removeprefix("feed:"))
            feed = next((f for f in counts.feeds if f.id == feed_id), None)
            if feed is not None:
                return FeedScope("feed", str(feed.id), safe_line(feed.name))
        return None

    def unread_of(self, key: str) -> int:
        """The unread count shown beside an entry."""
        counts = self.counts
        if counts is None:
            return 0
        if key == ALL:
            return counts.total
        if key.startswith("tag:"):
            return dict(counts.tags).get(key.removeprefix("tag:"), 0)
        if key.startswith("feed:"):
            feed_id = int(key.removeprefix("feed:"))
            return next((f.unread for f in counts.feeds if f.id == feed_id), 0)
        return 0

    def on_resize(self) -> None:
        option_list = self.query_one(FeedsList)
        padding = option_list.get_component_styles("option-list--option").padding
        if option_list.scrollable_content_region.width - padding.width != self._drawn_width:
            self._redraw()

    @on(events.DescendantFocus)
    def _focused(self) -> None:
        option_list = self.query_one(FeedsList)
        if option_list.highlighted is None and option_list.option_count:
            option_list.highlighted = _index_of(option_list, self._current) or 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id or ""
        if key == ALL or key.startswith(("tag:", "feed:")):
            self.post_message(self.Chosen(self.scope_for(key)))


def _index_of(option_list: OptionList, key: str) -> int | None:
    try:
        return option_list.get_option_index(key)
    except OptionDoesNotExist:
        return None


class _Spec(NamedTuple):
    """What one entry shows: equal specs, equal lines (at the same width)."""

    label: str
    unread: int = 0
    current: bool = False
    failing: bool = False
    heading: bool = False


def _specs(counts: UnreadCounts, current: str) -> list[tuple[str, _Spec]]:
    """Each entry of the pane, in order: (its option id, what it shows)."""
    specs = [(ALL, _Spec("All", counts.total, current == ALL))]
    if counts.tags:
        specs.append(("heading-Tags", _Spec("Tags", heading=True)))
        specs += [
            (f"tag:{tag}", _Spec(f"# {safe_line(tag)}", unread, current == f"tag:{tag}"))
            for tag, unread in counts.tags
        ]
    owners = dict(counts.owners) if isinstance(counts, PaneCounts) else {}
    groups: dict[str, list[FeedCount]] = {}
    for feed in counts.feeds:  # this device's first, then each account's
        groups.setdefault(owners.get(feed.id, ""), []).append(feed)
    for owner, feeds in sorted(groups.items()):
        name = owner or ("This device" if owners else "Feeds")
        specs.append((f"heading-{name}", _Spec(name, heading=True)))
        for feed in feeds:
            key = f"feed:{feed.id}"
            specs.append(
                (key, _Spec(safe_line(feed.name), feed.unread, current == key, feed.failing))
            )
    return specs


def _prompt_of(spec: _Spec, width: int) -> Content:
    if spec.heading:
        return _heading_text(spec.label, width)
    return _prompt(spec.label, spec.unread, spec.current, width, failing=spec.failing)


def _option(option_id: str, spec: _Spec, width: int) -> Option:
    return Option(_prompt_of(spec, width), id=option_id, disabled=spec.heading)


def _heading_text(name: str, width: int = 0) -> Content:
    """A group's heading (cut to one line: an account's can be long)."""
    text = name.upper()
    if width and len(text) > width:
        text = text[: max(1, width - 1)] + "…"
    return Content("\n" + text)


#: After the name of a feed whose last fetch failed (its error is on the feeds screen).
FAILING_MARK = "!"


def _prompt(name: str, unread: int, current: bool, width: int, *, failing: bool = False) -> Content:
    """``Name      12`` in ``width`` cells: the name cut with an ellipsis, the unread
    count right-aligned (none when everything is read); the list's entry in bold;
    ``Name    ! 12`` (the mark in the error colour) when the feed's last fetch failed.

    One :class:`_Line` (not a Rich table): the option list measures every entry each
    time the counts change, ~1 ms a table; with hundreds of feeds that was a stall."""
    count = f"{unread:,}" if unread else ""
    mark = f" {FAILING_MARK}" if failing else ""
    room = max(1, width - len(count) - (1 if count else 0) - len(mark))
    label = Content.styled(name, "bold" if current else "").truncate(room, ellipsis=True, pad=True)
    line = Content.assemble(
        label, (mark, "bold $text-error"), " " if count else "", (count, "bold")
    )
    return _Line(line.plain, list(line.spans), line.cell_length)


class _Line(Content):
    """An entry: one line already cut to the pane's width, so its height is known
    without wrapping it (the option list asks for every entry's height on each
    change: ~0.1 ms a wrap, times two, times every feed)."""

    __slots__ = ()

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1
