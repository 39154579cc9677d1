"""The feeds screen (F2): every subscription with its status, and the list's filters.

One row per feed (title, status, last fetched, items, unread, tags) under "All
articles" and one row per tag; below the table, the highlighted feed's URL and its
last error in full.  Enter filters the article list to that feed or tag (dismissing
with a :class:`FeedScope`); ``e`` renames a feed (the user's name wins wherever it
is named; an empty name goes back to its own title); ``d`` removes a feed (after a
yes/no question); ``a`` and ``r`` add and refresh as on the main screen; ``?`` shows
the keys.

Feed titles, URLs and errors come from the network: they are shown as plain
:class:`rich.text.Text`, never as markup (DataTable would parse a ``str`` cell).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from briefreader.store import FeedInfo
from briefreader.tui.failures import failure_line
from briefreader.tui.formatting import relative_age, safe_block, safe_line
from briefreader.tui.keyhints import key_hint
from briefreader.tui.widgets.legible import LegibleDataTable, LegibleStatic, LegibleVertical

__all__ = ["FeedScope", "FeedsScreen", "feed_status"]


@dataclass(frozen=True, slots=True)
class FeedScope:
    """What the article list is narrowed to: one feed, or every feed with a tag."""

    kind: Literal["feed", "tag"]
    value: str
    """The feed's id (as text) or the tag."""
    label: str

    def feed_ids(self, feeds: list[FeedInfo]) -> list[int]:
        if self.kind == "feed":
            return [int(self.value)]
        return [f.id for f in feeds if self.value in f.tags]


def feed_status(feed: FeedInfo) -> str:
    """``ok``, ``error``, ``dead`` (410 Gone) or ``new`` (never fetched)."""
    if feed.dead:
        return "dead"
    if feed.last_error:
        return "error"
    if feed.last_fetched is None:
        return "new"
    return "ok"


_STATUS_STYLE = {
    "ok": Style(color="green"),
    "error": Style(color="red", bold=True),
    "dead": Style(color="red", dim=True),
    "new": Style(dim=True),
}

FeedLoader = Callable[[], list[FeedInfo]]


class FeedsScreen(ModalScreen[FeedScope | None]):
    """Every feed and tag; enter narrows the article list, esc goes back."""

    CSS_PATH = "feeds.tcss"
    AUTO_FOCUS = "#feeds-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="feeds_close", tooltip="Back to the articles"),
        Binding(
            "enter",
            "choose",
            "Show articles",
            id="feeds_choose",
            tooltip="Show this feed's or tag's articles",
        ),
        Binding("e", "rename", "Rename", id="feeds_rename", tooltip="Give the feed your own name"),
        Binding(
            "d,delete", "remove", "Remove", id="feeds_remove", tooltip="Unsubscribe from the feed"
        ),
        Binding("a", "app.add_feed", "Add", id="feeds_add", tooltip="Subscribe to a feed"),
        Binding("r", "app.refresh", "Refresh", id="feeds_refresh", tooltip="Refresh every feed"),
        Binding("question_mark,f1", "app.help", "Help", show=False, id="feeds_help"),
        Binding("j", "cursor(1)", "Down", show=False, id="feeds_down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="feeds_up"),
    ]

    def __init__(self, loader: FeedLoader, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._loader = loader
        self._clock = clock
        self.feeds: list[FeedInfo] = []
        self._keys: list[str] = []

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="feeds-dialog") as dialog:
            dialog.border_title = "Feeds"
            key = self._hint
            dialog.border_subtitle = (
                f"{key('feeds_choose')} show · {key('feeds_rename')} rename · "
                f"{key('feeds_remove')} remove · "
                f"{key('feeds_add')} add · {key('feeds_refresh')} refresh · {key('feeds_help')} help · "
                f"{key('feeds_close')} back"
            )
            table: DataTable[Text] = LegibleDataTable(
                id="feeds-table", cursor_type="row", zebra_stripes=True
            )
            table.add_column(Text("Feed"), key="feed")
            table.add_column(Text("Status"), key="status")
            table.add_column(Text("Fetched", justify="right"), key="fetched")
            table.add_column(Text("Items", justify="right"), key="items")
            table.add_column(Text("Unread", justify="right"), key="unread")
            table.add_column(Text("Tags"), key="tags")
            yield table
            yield LegibleStatic(id="feed-detail", markup=False)

    def _hint(self, binding_id: str) -> str:
        return key_hint(self.app, binding_id, self.BINDINGS)

    def on_mount(self) -> None:
        self.reload()

    # -- data -----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the feeds again (in a worker) and redraw, keeping the cursor's row."""
        self._load()

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def _load(self) -> None:
        feeds = self._loader()
        self.app.call_from_thread(self.show_feeds, feeds)

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            line = failure_line(event.worker)
            self.app.notify(line, severity="error", markup=False, timeout=10)
            self.query_one("#feed-detail", Static).update(Content(line))

    def show_feeds(self, feeds: list[FeedInfo]) -> None:
        table = self.query_one(DataTable)
        keep = self.current_key
        self.feeds = feeds
        now = self._clock()
        table.clear()
        self._keys = []
        # (No counts: "All articles" includes articles from files, not only feeds.)
        self._add(table, "all", Text("All articles", Style(bold=True)), [Text("")] * 5)
        tags: dict[str, list[FeedInfo]] = {}
        for feed in feeds:
            for tag in feed.tags:
                tags.setdefault(tag, []).append(feed)
        for tag in sorted(tags, key=str.lower):
            members = tags[tag]
            noun = "feed" if len(members) == 1 else "feeds"
            self._add(table, f"tag:{tag}", Text(f"# {safe_line(tag)}", Style(bold=True)), [
                Text(f"{len(members)} {noun}", Style(dim=True)),
                Text(""),
                _num(sum(f.item_count for f in members)),
                _num(sum(f.unread_count for f in members)),
                Text(""),
            ])  # fmt: skip
        for feed in feeds:
            status = feed_status(feed)
            fetched = relative_age(feed.last_fetched, now) if feed.last_fetched else "never"
            self._add(table, f"feed:{feed.id}", Text(safe_line(feed.name)), [
                Text(status, _STATUS_STYLE[status]),
                Text(fetched, justify="right"),
                _num(feed.item_count),
                _num(feed.unread_count),
                Text(", ".join(safe_line(t) for t in feed.tags), Style(dim=True)),
            ])  # fmt: skip
        if keep in self._keys:
            table.move_cursor(row=self._keys.index(keep), animate=False)
        self._show_detail()

    def _add(self, table: DataTable[Text], key: str, first: Text, rest: list[Text]) -> None:
        first.truncate(48, overflow="ellipsis")
        table.add_row(first, *rest, key=key)
        self._keys.append(key)

    @property
    def current_key(self) -> str:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self._keys):
            return self._keys[table.cursor_row]
        return ""

    @property
    def current_feed(self) -> FeedInfo | None:
        key = self.current_key
        if key.startswith("feed:"):
            feed_id = int(key.removeprefix("feed:"))
            return next((f for f in self.feeds if f.id == feed_id), None)
        return None

    # -- the detail line ------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#feed-detail", Static)
        feed = self.current_feed
        key = self.current_key
        if feed is None:
            if not self.feeds:
                text = (
                    f"No feeds yet. Press {self._hint('feeds_add')} to add one (a feed's address, or a web page that "
                    "names its feed), or from a terminal: briefreader add URL, "
                    "briefreader import FILE.opml"
                )
            elif key.startswith("tag:"):
                text = f"Every feed tagged {safe_line(key.removeprefix('tag:'))}. Enter shows their articles."
            else:
                text = "Enter shows every article. Choose a feed or a tag to see only its articles."
            detail.update(Content(text))
            return
        lines = [safe_line(feed.name)] if feed.name != feed.url else []
        if feed.user_title and feed.title and feed.title != feed.user_title:
            lines[0] += f"  (renamed; its own title: {safe_line(feed.title)})"
        lines.append(safe_line(feed.url))
        if feed.site_url and feed.site_url != feed.url:
            lines.append(f"site: {safe_line(feed.site_url)}")
        status = feed_status(feed)
        if status == "dead":
            lines.append("Gone (HTTP 410): no longer fetched. Remove it, or add it again.")
        if feed.last_error:
            lines.append(f"Last error: {safe_block(feed.last_error)}")
        elif feed.last_ok:
            lines.append(f"Fetched without error {_ago(feed.last_ok, self._clock())}")
        detail.update(Content("\n".join(lines)))

    # -- actions --------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + delta), animate=False)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        key = self.current_key
        if key.startswith("feed:"):
            feed = self.current_feed
            if feed is not None:
                self.dismiss(FeedScope("feed", str(feed.id), safe_line(feed.name)))
        elif key.startswith("tag:"):
            tag = key.removeprefix("tag:")
            self.dismiss(FeedScope("tag", tag, f"# {safe_line(tag)}"))
        else:
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_rename(self) -> None:
        from briefreader.tui.screens.dialogs import RenameFeedScreen

        feed = self.current_feed
        if feed is None:
            self.notify("Choose a feed to rename.", timeout=3, markup=False)
            return
        refuse = getattr(self.app, "refuse_write", None)
        if refuse is not None and refuse("renaming a feed"):
            return

        def answered(name: str | None) -> None:
            rename = getattr(self.app, "rename_feed", None)
            if name is not None and rename is not None and name != feed.user_title:
                rename(feed.id, name)

        own = safe_line(feed.title)
        self.app.push_screen(
            RenameFeedScreen(safe_line(feed.user_title or feed.title), own), answered
        )

    def action_remove(self) -> None:
        from briefreader.tui.screens.dialogs import ConfirmScreen

        feed = self.current_feed
        if feed is None:
            self.notify("Choose a feed to remove.", timeout=3, markup=False)
            return
        refuse = getattr(self.app, "refuse_write", None)
        if refuse is not None and refuse("removing a feed"):
            return  # a read-only library: not even the question
        items = f"{feed.item_count:,} article" + ("" if feed.item_count == 1 else "s")
        question = (
            f"Unsubscribe from {safe_line(feed.name)}?\nIts {items} go too (starred ones stay)."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                remove = getattr(self.app, "remove_feed", None)
                if remove is not None:
                    remove(feed.url, feed.name)

        self.app.push_screen(ConfirmScreen("Remove feed", question, "remove"), answered)


def _ago(timestamp: float, now: float) -> str:
    age = relative_age(timestamp, now)
    return "just now" if age == "now" else f"{age} ago"


def _num(value: int) -> Text:
    return Text(f"{value:,}", justify="right")
