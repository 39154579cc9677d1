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
from dataclasses import dataclass, field
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from briefreader.store import FeedInfo
from briefreader.store.sync import Account
from briefreader.tui.failures import failure_line
from briefreader.tui.formatting import relative_age, safe_block, safe_line
from briefreader.tui.keyhints import key_hint
from briefreader.tui.widgets.legible import LegibleDataTable, LegibleStatic, LegibleVertical
from briefreader.wording import counted

__all__ = ["FeedScope", "FeedsListing", "FeedsScreen", "account_label", "feed_status"]


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


def feed_status(feed: FeedInfo, owner: Account | None = None) -> str:
    """``ok``, ``error``, ``dead`` (410 Gone) or ``new`` (never fetched); a feed an
    account's server fetches (``owner``) and this device never did: its account's
    ``synced`` (``new`` until the first sync, ``error`` after a failed one)."""
    if feed.dead:
        return "dead"
    if feed.last_error:
        return "error"
    if feed.last_fetched is None:
        if owner is not None:
            return "error" if owner.last_error else ("synced" if owner.last_sync else "new")
        return "new"
    return "ok"


_STATUS_STYLE = {
    "ok": Style(color="green"),
    "synced": Style(color="green"),
    "error": Style(color="red", bold=True),
    "dead": Style(color="red", dim=True),
    "new": Style(dim=True),
}

#: The name column's width: as wide as the screen leaves, within these.
NAME_MIN, NAME_MAX = 16, 48
#: A feed's tags are cut to this many cells.
TAGS_WIDTH = 16


class FeedsTable(LegibleDataTable):
    """The feeds screen's table: Home and End go to the first and the last row (a
    table of rows has nothing to scroll sideways to), as g and G do."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]


@dataclass(frozen=True, slots=True)
class FeedsListing:
    """What the feeds screen shows: the feeds, the account owning each account's
    feed (by feed id), and the whole library's article and unread counts."""

    feeds: list[FeedInfo]
    owners: dict[int, Account] = field(default_factory=dict)
    total: int | None = None
    unread: int | None = None


FeedLoader = Callable[[], "FeedsListing | list[FeedInfo]"]


def account_label(account: Account) -> str:
    """An account as its heading names it: "FreshRSS · reader@127.0.0.1"."""
    parts = urlsplit(account.endpoint)
    kind = "FreshRSS" if "greader.php" in parts.path else "Reader account"
    host = parts.hostname or account.endpoint
    return f"{kind} · {safe_line(account.username)}@{safe_line(host)}"


class FeedsScreen(ModalScreen[FeedScope | None]):
    """Every feed and tag; enter narrows the article list, esc goes back."""

    CSS_PATH = "feeds.tcss"
    HELP_SECTION = "Feeds screen"
    """The heading of this screen's keys in the help (``?`` here)."""
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
        Binding("g", "edge(False)", "First", show=False, id="feeds_first"),
        Binding("G", "edge(True)", "Last", show=False, id="feeds_last"),
    ]

    def __init__(self, loader: FeedLoader, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._loader = loader
        self._clock = clock
        self.feeds: list[FeedInfo] = []
        self.accounts: dict[int, Account] = {}
        self._listing: FeedsListing | None = None
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
            table: DataTable[Text] = FeedsTable(
                id="feeds-table", cursor_type="row", zebra_stripes=True
            )
            table.add_column(Text("Feed"), key="feed")
            table.add_column(Text("Status"), key="status")
            table.add_column(Text("Last OK", justify="right"), key="fetched")
            table.add_column(Text("Items", justify="right"), key="items")
            table.add_column(Text("Unread", justify="right"), key="unread")
            table.add_column(Text("Tags"), key="tags")
            yield LegibleStatic(id="feeds-message", markup=False)
            yield table
            yield LegibleStatic(id="feed-detail", markup=False)

    def show_message(self, text: str, *, severity: SeverityLevel = "information") -> None:
        """A line above the table (what a refresh did): a toast would cover the
        feed's detail, where its error is."""
        line = self.query_one("#feeds-message", Static)
        line.update(Content(text))
        line.set_class(True, "-shown")
        line.set_class(severity != "information", "-warning")

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
        listing = self._loader()
        self.app.call_from_thread(self.show_feeds, listing)

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            line = failure_line(event.worker)
            self.app.notify(line, severity="error", markup=False, timeout=10)
            self.query_one("#feed-detail", Static).update(Content(line))

    def on_resize(self) -> None:
        if self._listing is not None:  # the name column's width follows the screen's
            self.show_feeds(self._listing)

    def show_feeds(self, listing: FeedsListing | list[FeedInfo]) -> None:
        if isinstance(listing, list):
            listing = FeedsListing(listing)
        self._listing = listing
        feeds = listing.feeds
        table = self.query_one(DataTable)
        keep = self.current_key
        self.feeds = feeds
        self.accounts = {a.id: a for a in listing.owners.values()}
        now = self._clock()
        blank = Text("")
        rows: list[tuple[str, list[Text]]] = [("all", [
            Text("All articles", Style(bold=True)),
            blank, blank,
            _num(listing.total) if listing.total is not None else blank,
            _num(listing.unread) if listing.unread is not None else blank,
            blank,
        ])]  # fmt: skip
        tags: dict[str, list[FeedInfo]] = {}
        for feed in feeds:
            for tag in feed.tags:
                tags.setdefault(tag, []).append(feed)
        for tag in sorted(tags, key=str.lower):
            members = tags[tag]
            rows.append((f"tag:{tag}", [
                Text(f"# {safe_line(tag)}", Style(bold=True)),
                Text(counted(len(members), "feed"), Style(dim=True)),
                blank,
                _num(sum(f.item_count for f in members)),
                _num(sum(f.unread_count for f in members)),
                blank,
            ]))  # fmt: skip
        groups: dict[int, list[FeedInfo]] = {}
        for feed in feeds:
            owner = listing.owners.get(feed.id)
            groups.setdefault(owner.id if owner else 0, []).append(feed)
        for account_id, members in sorted(groups.items()):
            if listing.owners:  # with an account, every group has its heading
                rows.append(self._heading_row(account_id, members, now))
            owner = self.accounts.get(account_id)
            rows.extend((f"feed:{f.id}", self._feed_row(f, now, owner)) for f in members)
        self._fit(table, rows)
        table.clear()
        self._keys = []
        for key, cells in rows:
            table.add_row(*cells, key=key)
            self._keys.append(key)
        if keep in self._keys:
            table.move_cursor(row=self._keys.index(keep), animate=False)
        self._show_detail()

    def _heading_row(
        self, account_id: int, members: list[FeedInfo], now: float
    ) -> tuple[str, list[Text]]:
        """An account's heading over its feeds (0: the feeds of this device alone)."""
        account = self.accounts.get(account_id)
        if account is None:
            key, name, status, synced = "local", "This device", "", ""
        else:
            key, name = f"account:{account.id}", account_label(account)
            status = "error" if account.last_error else ("ok" if account.last_sync else "new")
            synced = relative_age(account.last_sync, now) if account.last_sync else "never"
        return key, [
            Text(name, Style(bold=True)),
            Text(status, _STATUS_STYLE.get(status, Style())),
            Text(synced, justify="right"),
            _num(sum(f.item_count for f in members)),
            _num(sum(f.unread_count for f in members)),
            Text(counted(len(members), "feed"), Style(dim=True)),
        ]

    def _feed_row(self, feed: FeedInfo, now: float, owner: Account | None = None) -> list[Text]:
        status = feed_status(feed, owner)
        # The last good fetch (a failed attempt is the status's and the detail's); for
        # a feed its account's server fetches, the account's last sync.
        last_ok = feed.last_ok or (owner.last_sync if owner is not None else None)
        fetched = relative_age(last_ok, now) if last_ok else "never"
        indent = "  " if self._listing is not None and self._listing.owners else ""
        return [
            Text(indent + safe_line(feed.name)),
            Text(status, _STATUS_STYLE[status]),
            Text(fetched, justify="right"),
            _num(feed.item_count),
            _num(feed.unread_count),
            Text(", ".join(safe_line(t) for t in feed.tags), Style(dim=True)),
        ]

    def _fit(self, table: DataTable[Text], rows: list[tuple[str, list[Text]]]) -> None:
        """Cut names and tags (with an ellipsis) so that every column fits the
        table's width: no column hides behind a sideways scroll at 80 columns."""
        width = (table.size.width or self.app.size.width - 4) - 1  # the scrollbar
        padding = 2 * table.cell_padding
        for _key, cells in rows:
            cells[-1].truncate(TAGS_WIDTH, overflow="ellipsis")
        columns = table.ordered_columns
        widths = [0] * len(columns)
        for index, column in enumerate(columns[1:], start=1):
            widest = max([column.label.cell_len, *(cells[index].cell_len for _k, cells in rows)])
            widths[index] = widest
        others = sum(w + padding for w in widths[1:])
        longest = max(cells[0].cell_len for _k, cells in rows)
        name_width = max(NAME_MIN, min(NAME_MAX, width - others - padding, longest))
        for _key, cells in rows:
            cells[0].truncate(name_width, overflow="ellipsis")
        widths[0] = max(columns[0].label.cell_len, *(cells[0].cell_len for _k, cells in rows))
        # Each column as wide as its widest cell now, not only once the table measures
        # the new rows (it only ever widens a column, so a narrower listing would keep
        # the old widths): a frame drawn in between showed the names 4 cells wide, the
        # label's width, and its rows stayed so until the cursor passed them (a
        # newcomer's trial, adding feeds on this screen).
        for column, content_width in zip(columns, widths, strict=True):
            column.content_width = content_width

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
            elif key.startswith("account:"):
                text = self._account_detail(int(key.removeprefix("account:")))
            elif key == "local":
                text = "Feeds this device fetches itself (no account's server)."
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
        now = self._clock()
        if feed.last_error:
            lines.append(f"Last error: {safe_block(feed.last_error)}")
            failed = f"Failed {_ago(feed.last_fetched, now)}; " if feed.last_fetched else ""
            worked = f"last worked {_ago(feed.last_ok, now)}" if feed.last_ok else "never worked"
            lines.append(f"{failed}{worked}".capitalize() if not failed else failed + worked)
        elif feed.last_ok:
            lines.append(f"Fetched without error {_ago(feed.last_ok, now)}")
        elif (owner := self._owner_of(feed)) is not None:
            synced = (
                f"last synced {_ago(owner.last_sync, now)}" if owner.last_sync else "not synced yet"
            )
            lines.append(f"Fetched by {account_label(owner)}'s server: {synced}")
        detail.update(Content("\n".join(lines)))

    def _owner_of(self, feed: FeedInfo) -> Account | None:
        return self._listing.owners.get(feed.id) if self._listing is not None else None

    def _account_detail(self, account_id: int) -> str:
        account = self.accounts.get(account_id)
        if account is None:
            return ""
        now = self._clock()
        lines = [
            f"{account_label(account)}: its feeds come from its server "
            f"({safe_line(account.endpoint)}) when {self._hint('feeds_refresh')} syncs it.",
        ]
        if account.last_error:
            lines.append(f"Last sync error: {safe_block(account.last_error)}")
        if account.last_sync:
            lines.append(f"Last synced {_ago(account.last_sync, now)}")
        else:
            lines.append("Not synced yet.")
        return "\n".join(lines)

    # -- actions --------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + delta), animate=False)

    def action_edge(self, last: bool) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.row_count - 1 if last else 0, animate=False)

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
        elif key != "all":  # an account's heading: its feeds are the rows below
            self.notify("Choose one of the feeds below the heading.", timeout=3, markup=False)
        else:
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

    def _feed_to(self, verb: str, doing: str) -> FeedInfo | None:
        """The highlighted feed, to ``verb`` ("rename"); None once the user has been
        told why not: no feed highlighted, or a read-only library (``doing``: what
        cannot be saved, "renaming a feed")."""
        feed = self.current_feed
        if feed is None:
            self.notify(f"Choose a feed to {verb}.", timeout=3, markup=False)
            return None
        refuse = getattr(self.app, "refuse_write", None)
        if refuse is not None and refuse(doing):
            return None
        return feed

    def action_rename(self) -> None:
        from briefreader.tui.screens.dialogs import RenameFeedScreen

        feed = self._feed_to("rename", "renaming a feed")
        if feed is None:
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

        feed = self._feed_to("remove", "removing a feed")
        if feed is None:
            return  # (with a read-only library: not even the question)
        items = counted(feed.item_count, "article")
        question = f"Unsubscribe from {safe_line(feed.name)}?\nIts {items} go too (starred, edited and downloaded ones stay)."

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
