"""The reading app: the article list, the article, the Related sidebar, and feeds.

Structure (see docs/ARCHITECTURE.md):

* The app talks to the :class:`~briefreader.library.Library` only.  It never
  parses a file and never opens a socket.
* Anything that can take more than a few milliseconds on a 100,000-article
  library runs in a thread worker on a separate read-only connection (the list
  order, search, related articles, mark-all-read, the first-run sample import) and
  posts a message back (:mod:`briefreader.tui.messages`).
* Every key is a :class:`~textual.binding.Binding` in :attr:`BriefReaderApp.BINDINGS`
  with a description and an ``id``; the config file's ``[keys]`` table rebinds by
  id through :meth:`~textual.app.App.set_keymap`.  The help screen and the command
  palette are built from the same list.
* Article text is never markup: widgets get :class:`~textual.content.Content` /
  :class:`rich.text.Text` made from plain strings, toasts use ``markup=False``.
* Feeds (``r``, ``a``, the feeds screen, ``F``): refreshing runs
  :func:`~briefreader.refresh.refresh_feeds` in an async worker on its own
  library connection, parsing in a spawned process pool; the list is re-read
  (debounced) as feeds arrive, keeping the cursor's article where it is on
  screen.  After a refresh or import, a thread worker indexes new articles for
  Related and groups them into stories (the list's "+N"), a batch at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from briefreader.config import Config, load_config, refresh_seconds, save_theme
from briefreader.library import (
    ArticleRow,
    FeedInfo,
    Library,
    LibraryError,
    is_damage,
    problem_line,
)
from briefreader.model import Article, ArticleState
from briefreader.tui.commands import BriefReaderCommands
from briefreader.tui.formatting import safe_line
from briefreader.tui.messages import (
    FeedRemoved,
    FeedSubscribed,
    FullTextReady,
    MarkedRead,
    RelatedIndexed,
    RelatedReady,
    RowsLoaded,
    SamplesImported,
    SearchDone,
    StoriesUpdated,
)
from briefreader.tui.screens.feeds import FeedScope, FeedsScreen
from briefreader.tui.screens.help import HelpEntry, HelpScreen
from briefreader.tui.widgets.article_list import ArticleList
from briefreader.tui.widgets.article_view import ArticleView
from briefreader.tui.widgets.footer import BriefFooter
from briefreader.tui.widgets.related import RelatedEntry, RelatedSidebar

if TYPE_CHECKING:
    from briefreader.refresh import FeedOutcome

__all__ = ["BriefReaderApp", "run_app"]

FilterName = Literal["all", "unread", "starred"]
FILTERS: tuple[FilterName, ...] = ("all", "unread", "starred")

_MOVE = Binding.Group("Move", compact=True)

#: Which help section each binding id is listed under, in this order.
SECTIONS: dict[str, tuple[str, ...]] = {
    "Moving": (
        "move_down",
        "move_up",
        "first",
        "last",
        "next_unread",
        "previous_unread",
        "page_down",
        "page_up",
        "next_pane",
        "previous_pane",
    ),
    "Reading": (
        "read",
        "star",
        "toggle_read",
        "mark_all_read",
        "delete",
        "undo_delete",
        "search",
        "filter",
        "back",
    ),
    "Feeds": ("refresh", "add_feed", "feeds", "full_text"),
    "Sharing": ("open", "copy_link", "share"),
    "Related": ("toggle_related", *(f"related_{n}" for n in range(1, 10))),
    "App": ("help", "quit"),
}


@dataclass(frozen=True, slots=True)
class _Deleted:
    """What undoing a delete puts back: the article as stored, its state, its full text."""

    article: Article
    state: ArticleState
    full_text: str | None


#: How many deletes ``z`` can undo, newest first.
UNDO_DEPTH = 50


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    title: str
    action: str
    keys: str


class BriefReaderApp(App[None]):
    """briefreader's reading app over one library file."""

    TITLE = "briefreader"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {BriefReaderCommands}
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 - Textual's own (non-ClassVar) declaration
        (0, "-single"),
        (60, "-medium"),
        (110, "-wide"),
    ]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down",
            "move(1)",
            "Down",
            id="move_down",
            group=_MOVE,
            tooltip="Next article in the list",
        ),
        Binding(
            "k,up",
            "move(-1)",
            "Up",
            id="move_up",
            group=_MOVE,
            tooltip="Previous article in the list",
        ),
        Binding(
            "g,home", "first", "First", id="first", show=False, tooltip="First article in the list"
        ),
        Binding("G,end", "last", "Last", id="last", show=False, tooltip="Last article in the list"),
        Binding(
            "enter",
            "read",
            "Read",
            id="read",
            tooltip="Read the highlighted article (marks it read)",
        ),
        Binding(
            "tab",
            "app.focus_next",
            "Next pane",
            id="next_pane",
            show=False,
            tooltip="Move to the next pane",
        ),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "Previous pane",
            id="previous_pane",
            show=False,
            tooltip="Move to the previous pane",
        ),
        Binding(
            "space,pagedown",
            "page_down",
            "Page down",
            id="page_down",
            show=False,
            tooltip="Scroll the article down a page",
        ),
        Binding(
            "b,pageup",
            "page_up",
            "Page up",
            id="page_up",
            show=False,
            tooltip="Scroll the article up a page",
        ),
        Binding(
            "n",
            "next_unread",
            "Next unread",
            id="next_unread",
            show=False,
            tooltip="Read the next unread article",
        ),
        Binding(
            "p",
            "previous_unread",
            "Previous unread",
            id="previous_unread",
            show=False,
            tooltip="Read the previous unread article",
        ),
        Binding(
            "o", "open_in_browser", "Open", id="open", tooltip="Open the article in the web browser"
        ),
        Binding(
            "c",
            "copy_link",
            "Copy link",
            id="copy_link",
            tooltip="Copy the article's link to the clipboard",
        ),
        Binding(
            "S",
            "share",
            "Share",
            id="share",
            tooltip="Share the article: link, Markdown, citation, brief, social sites",
        ),
        Binding("s", "star", "Star", id="star", tooltip="Star or unstar the article"),
        Binding(
            "m",
            "toggle_read",
            "Read/unread",
            id="toggle_read",
            show=False,
            tooltip="Mark the article read or unread",
        ),
        Binding(
            "M",
            "mark_all_read",
            "Mark all read",
            id="mark_all_read",
            show=False,
            tooltip="Mark every article in the list read",
        ),
        Binding(
            "d,delete",
            "delete",
            "Delete",
            id="delete",
            show=False,
            tooltip="Delete the article from the library (z undoes it)",
        ),
        Binding(
            "z",
            "undo_delete",
            "Undo delete",
            id="undo_delete",
            show=False,
            tooltip="Bring back the last article deleted",
        ),
        Binding(
            "slash", "search", "Search", id="search", tooltip="Search all articles (esc clears)"
        ),
        Binding(
            "f",
            "cycle_filter",
            "Filter",
            id="filter",
            tooltip="Show all, unread or starred articles",
        ),
        Binding(
            "right_square_bracket",
            "toggle_related",
            "Related",
            id="toggle_related",
            show=False,
            tooltip="Show or hide the Related sidebar",
        ),
        *(
            Binding(
                str(n),
                f"open_related({n})",
                f"Related {n}",
                id=f"related_{n}",
                show=False,
                tooltip=f"Open related article {n}",
            )
            for n in range(1, 10)
        ),
        Binding(
            "r",
            "refresh",
            "Refresh",
            id="refresh",
            show=False,
            tooltip="Refresh every feed (new articles appear as they arrive)",
        ),
        Binding(
            "a",
            "add_feed",
            "Add feed",
            id="add_feed",
            show=False,
            tooltip="Subscribe to a feed (its address, or a web page that names it)",
        ),
        Binding(
            "f2,ctrl+f",
            "feeds",
            "Feeds",
            id="feeds",
            show=False,
            tooltip="Feeds and tags: status, errors; show one feed's or tag's articles",
        ),
        Binding(
            "F",
            "full_text",
            "Full text",
            id="full_text",
            show=False,
            tooltip="Fetch the article's full text from its page (kept for next time)",
        ),
        Binding("question_mark,f1", "help", "Help", id="help", tooltip="Show every key"),
        Binding(
            "escape",
            "go_back",
            "Back",
            id="back",
            show=False,
            tooltip="Clear the search, close the overlay, or go back to the list",
        ),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit briefreader"),
    ]

    #: Seconds to wait after the cursor stops before ranking related articles.
    RELATED_DELAY: ClassVar[float] = 0.25
    #: Keep the garbage collector's full passes away from key presses (see _tune_gc).
    #: Process-wide, so only :func:`run_app` turns it on (not tests, not embedders).
    TUNE_GC: ClassVar[bool] = False
    #: Seconds to wait before writing a theme choice to the config file.
    THEME_SAVE_DELAY: ClassVar[float] = 0.5
    #: While refreshing, re-read the list at most this often (seconds).
    LIST_UPDATE_DELAY: ClassVar[float] = 1.0
    #: Articles grouped into stories per batch in the background (then "+N" repaints).
    STORY_BATCH: ClassVar[int] = 50
    #: Parse feeds in this many spawned processes (None: the refresh module's default).
    PARSE_WORKERS: ClassVar[int | None] = None

    filter: reactive[FilterName] = reactive[FilterName]("all", init=False)
    unread_count: reactive[int] = reactive(0, init=False)
    scope: reactive[FeedScope | None] = reactive[FeedScope | None](None, init=False)
    """The feed or tag the list is narrowed to (the feeds screen), or None."""
    status_text: reactive[str] = reactive("", init=False)
    """The status line above the footer (refresh progress); hidden when empty."""

    def __init__(
        self,
        library_path: Path,
        *,
        config: Config | None = None,
        config_path: Path | None = None,
        load_samples: bool = True,
        clock: Callable[[], float] | None = None,
        save_config: bool = True,
    ) -> None:
        """Open the library (raises :class:`LibraryError` when it cannot be opened).

        ``config`` skips reading the config file; ``clock`` fixes "now" for relative
        ages (tests, screenshots); ``load_samples=False`` leaves an empty library
        empty; ``save_config=False`` never writes the config file.
        """
        self.library_path = Path(library_path)
        self.library = Library(self.library_path)
        self.library_problem: str | None = None
        """Why the app quit over the library file (one line), or None."""
        self._reader: Library | None = None
        self._background_pool: Executor | None = None
        self._reader_lock = threading.Lock()
        problems: list[str] = []
        if config is None:
            result = load_config(config_path)
            config, problems = result.config, result.problems
            config_path = result.path
        self.config = config
        self.config_path = config_path
        self._config_problems = problems
        self.refresh_interval: float | None = None
        """Seconds between automatic refreshes while the app runs; None: off."""
        self._save_config = save_config and config_path is not None
        self._saved_theme = config.theme
        self._theme_timer: Timer | None = None
        self._key_overrides: dict[str, str] = {}
        self.load_samples = load_samples
        self.clock: Callable[[], float] = clock or time.time
        self.current: Article | None = None
        self._search = ""
        self._search_rows: list[ArticleRow] = []
        self._deleted: list[_Deleted] = []  # what z brings back, last deleted last
        self._generation = 0
        self._loaded = False
        self._importing = False
        self._related_wanted = ""
        self._related_timer: Timer | None = None
        self._article_subtitle = ""
        self._last_input = 0.0
        self._scope_feeds: list[int] | None = None
        self._refreshing = False
        self._refresh_new = 0
        self._list_timer: Timer | None = None
        self._executor: Executor | None = None
        self._index_again = False
        super().__init__()

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="list-pane"):
                yield Input(id="search", placeholder="Search all articles…", compact=True)
                yield ArticleList(
                    id="articles",
                    loader=self.library.rows_by_rowid,
                    story_loader=self._story_counts,
                    clock=self.clock,
                    density=self.config.density,
                    empty_message="Loading…",
                )
            yield ArticleView(id="article")
            yield RelatedSidebar(id="related")
        yield Static(id="status", markup=False)
        yield BriefFooter()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def sidebar(self) -> RelatedSidebar:
        return self.query_one(RelatedSidebar)

    @property
    def search_input(self) -> Input:
        return self.query_one("#search", Input)

    def on_mount(self) -> None:
        self._apply_keymap()
        self._apply_theme()
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for problem in self._config_problems:
            self.notify(problem, title="Config", severity="warning", markup=False, timeout=10)
        if not self.config.sidebar:
            self.screen.add_class("-related-hidden")
        self.query_one("#article", ArticleView).border_title = "Article"
        self._update_titles()
        self.article_list.focus()
        if self.load_samples and not self.library.readonly and self.library.first_run():
            self._importing = True
            self.article_view.show_message("Opening the sample briefs…")
            self._import_samples()
        else:
            if self.load_samples and not self.library.readonly:
                # Remember the first run is over (a library that had content then, or
                # whose samples were deleted, never gets them back unasked).
                with contextlib.suppress(sqlite3.Error):
                    if not self.library.samples_offered():
                        self.library.mark_samples_offered()
            self.reload()
        self.set_interval(60, self.article_list.refresh_ages)
        # Bounded (1 minute .. a week) even for a Config built in code, not read.
        self.refresh_interval = refresh_seconds(self.config.refresh_minutes)
        if self.refresh_interval is not None:
            self.set_interval(self.refresh_interval, self._refresh_on_timer)

    def _handle_exception(self, error: Exception) -> None:
        # A damaged library file (corrupt pages behind a valid header) shows up as a
        # DatabaseError in whatever query reads the bad page first: quit with one
        # line naming the file instead of a traceback (the file is left as it is).
        cause = getattr(error, "error", error)  # WorkerFailed wraps the worker's error
        if isinstance(cause, sqlite3.DatabaseError) and not self.library_problem:
            self.library_problem = problem_line(self.library_path, cause)
            self.exit(return_code=1)
            return
        if self.library_problem is not None:
            return  # already quitting over the library
        super()._handle_exception(error)

    def on_unmount(self) -> None:
        if self._theme_timer is not None:
            self._theme_timer.stop()
            self._save_theme_now()
        # Stop queries still running in workers: quitting waits for their threads.
        self.workers.cancel_group(self, "index")
        if self._reader is not None:
            self._reader.interrupt()
        if self._background_pool is not None:
            self._background_pool.shutdown(wait=False, cancel_futures=True)
            self._background_pool = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def _shutdown_libraries(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        self.library.close()

    # -- config: keys and theme -----------------------------------------------------

    def binding_ids(self) -> set[str]:
        return {b.id for b in self._own_bindings() if b.id}

    def _own_bindings(self) -> list[Binding]:
        return [b for b in self.BINDINGS if isinstance(b, Binding)]

    def _apply_keymap(self) -> None:
        known = self.binding_ids()
        keys: dict[str, str] = {}
        unknown: list[str] = []
        for binding_id, value in self.config.keys.items():
            if binding_id in known:
                keys[binding_id] = value
            else:
                unknown.append(binding_id)
        if unknown:  # one message, however many there are
            shown = ", ".join(repr(b) for b in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            called = "called" if len(unknown) == 1 else "called any of"
            self.notify(
                f"Config: no key binding {called} {shown}{more} (press ? for the ids); ignored",
                title="Config",
                severity="warning",
                markup=False,
                timeout=10,
            )
        self._key_overrides = keys
        if keys:
            self.set_keymap(keys)

    def _apply_theme(self) -> None:
        name = self.config.theme
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(
                f"Config: there is no theme called {name!r}; using {self.theme}",
                title="Config",
                severity="warning",
                markup=False,
                timeout=10,
            )
            self._saved_theme = self.theme

    def _theme_changed(self, theme: Theme) -> None:
        if not self._save_config or theme.name == self._saved_theme:
            return
        if self._theme_timer is not None:
            self._theme_timer.stop()
        if self.THEME_SAVE_DELAY <= 0:
            self._save_theme_now()
        else:
            self._theme_timer = self.set_timer(self.THEME_SAVE_DELAY, self._save_theme_now)

    def _save_theme_now(self) -> None:
        self._theme_timer = None
        name = self.theme
        if not self._save_config or name == self._saved_theme:
            return
        problem = save_theme(name, self.config_path)
        if problem:
            self.notify(problem, title="Config", severity="warning", markup=False)
        else:
            self._saved_theme = name

    # -- loading the list -----------------------------------------------------------

    def _get_reader(self) -> Library:
        """The workers' read-only connection (call with ``_reader_lock`` held)."""
        if self._reader is None:
            self._reader = Library(self.library_path, readonly=True)
        return self._reader

    def reload(self, keep: int | None = None, *, stay: bool = False) -> None:
        """Read the list's order for the current filter and scope again (in a worker).

        ``stay``: new rows are arriving (a refresh); keep the highlighted article where
        it is on screen.
        """
        if keep is None and (row := self.article_list.current) is not None:
            keep = row.rowid
        self._generation += 1
        self._load_rows(self.filter, self._generation, keep, self.scope, stay)

    def _tune_gc(self) -> None:
        """A full garbage collection takes ~20 ms here; during a key press it is a
        visible stutter.  Freeze what exists after the first load (it lives as long
        as the app), make full passes rare, and run them when the reader is idle."""
        gc.freeze()
        gen0, gen1, _gen2 = gc.get_threshold()
        gc.set_threshold(gen0, gen1, 1000)
        self.set_interval(15, self._collect_when_idle)

    def _collect_when_idle(self) -> None:
        if time.monotonic() - self._last_input > 3:
            gc.collect()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
        await super().on_event(event)

    @work(thread=True, exclusive=True, group="rows", exit_on_error=False)
    def _load_rows(
        self,
        filter: FilterName,
        generation: int,
        keep: int | None,
        scope: FeedScope | None = None,
        stay: bool = False,
    ) -> None:
        with self._reader_lock:
            reader = self._get_reader()
            if scope is None:
                feed_ids = None
                rowids = reader.row_ids(filter)
                unread = reader.count("unread")
            else:
                feed_ids = scope.feed_ids(reader.feeds())
                rowids = reader.row_ids_for_feeds(filter, feed_ids)
                unread = reader.count_for_feeds("unread", feed_ids)
        self.post_message(
            RowsLoaded(rowids, unread, generation, keep, stay=stay, feed_ids=feed_ids)
        )

    @on(RowsLoaded)
    def _rows_loaded(self, message: RowsLoaded) -> None:
        if message.generation != self._generation:
            return
        if not self._loaded and self.TUNE_GC:
            self._tune_gc()
        self._loaded = True
        self.unread_count = message.unread
        self._scope_feeds = message.feed_ids
        self.article_list.empty_message = self._empty_list_message()
        if self._search:
            self._run_search(self._search)
            return
        self.article_list.set_rowids(message.rowids, keep=message.keep, stay=message.stay)
        self._update_titles()
        self._update_article_subtitle()
        self._index_related()

    def _index_related(self) -> None:
        """Bring the related index and the story groups up to date, in the background.

        After imports and refreshes (and at start): one worker at a time; asked again
        while it runs, it runs once more when it finishes.
        """
        running = any(
            w.group == "index" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for w in self.workers
        )
        if running:
            self._index_again = True
            return
        self._index_again = False
        self._index_worker()

    @work(group="index", exit_on_error=False)
    async def _index_worker(self) -> None:
        """Index articles a bulk import or refresh left queued, so Related can find
        them, then group them into stories (the list's "+N").

        The work runs in a separate low-priority process, a batch at a time, so it
        never holds the GIL against the keyboard; between batches the app repaints.
        """
        from briefreader.workers import background_pool, index_and_group

        if self._background_pool is None:
            self._background_pool = background_pool()
        loop = asyncio.get_running_loop()
        path = str(self.library_path)
        for _ in range(100_000):  # bounded: each step indexes or groups something, or stops
            indexed, grouped, more = await loop.run_in_executor(
                self._background_pool, index_and_group, path, 2000, max(1, self.STORY_BATCH)
            )
            if indexed:
                self.post_message(RelatedIndexed())
            if grouped:
                self.post_message(StoriesUpdated())
            if not more or not (indexed or grouped):
                break

    @on(RelatedIndexed)
    def _related_indexed(self) -> None:
        if self.current is not None:
            self._request_related(self.current)

    @on(StoriesUpdated)
    def _stories_updated(self) -> None:
        self.article_list.refresh_stories()

    def _story_counts(self, article_ids: Sequence[str]) -> dict[str, int]:
        """``{id: other articles in its story}`` for the list's "+N" (a window at a time)."""
        return {
            art_id: info.others
            for art_id, info in self.library.story_sizes(article_ids).items()
            if info.others > 0
        }

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        error = worker.error
        if worker.state == WorkerState.ERROR and isinstance(error, Exception) and is_damage(error):
            self._handle_exception(error)  # a damaged library: quit with one line
            return
        if (
            worker.group == "index"
            and worker.is_finished
            and self._index_again
            and not worker.is_cancelled
        ):
            self._index_related()

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import_samples(self) -> None:
        try:
            from briefreader.ingest import import_samples

            with Library(self.library_path) as writer:
                report = import_samples(writer)
        except Exception as exc:  # a broken install must not stop the app
            self.post_message(SamplesImported(0, [f"could not load the sample briefs: {exc}"]))
        else:
            self.post_message(SamplesImported(report.added, list(report.errors)))

    @on(SamplesImported)
    def _samples_imported(self, message: SamplesImported) -> None:
        self._importing = False
        if message.errors:
            self.notify(
                "\n".join(message.errors[:3]),
                title="Sample briefs",
                severity="warning",
                markup=False,
                timeout=10,
            )
        self.reload()

    # -- showing an article ---------------------------------------------------------

    @on(ArticleList.Highlighted)
    def _highlighted(self, event: ArticleList.Highlighted) -> None:
        if event.row is None:
            self._show_nothing()
        else:
            self.show_article(event.row.id)
        self._update_article_subtitle()

    @on(ArticleList.Selected)
    def _clicked(self, event: ArticleList.Selected) -> None:
        self.show_article(event.row.id, mark_read=True)
        if self.screen.has_class("-single"):
            self.screen.add_class("-reading")
            self.article_view.focus()

    def show_article(self, article_id: str, *, mark_read: bool = False) -> Article | None:
        """Show an article in the article pane; ``mark_read`` when it is being read."""
        article = self.current
        if article is None or article.id != article_id:
            article = self.library.get(article_id)
            if article is None:
                self.notify(
                    "That article is no longer in the library.", severity="warning", markup=False
                )
                return None
            full_text = self.library.full_text(article_id)
            if full_text:
                article = _with_full_text(article, full_text)
            self.current = article
            self.article_view.show_article(article, full_text=bool(full_text))
            self._request_related(article)
        if mark_read:
            self._set_read(article_id, True)
        self._update_article_subtitle()
        return article

    def _show_nothing(self) -> None:
        self.current = None
        self._related_wanted = ""
        if self._importing or not self._loaded:
            return
        if self._search:
            self.article_view.show_message(
                f"Nothing matches “{safe_line(self._search)}”",
                "Try other words, or press esc to clear the search.",
            )
        elif self.filter == "unread" and len(self.article_list) == 0:
            self.article_view.show_message("No unread articles", "Press f to show all articles.")
        elif self.filter == "starred" and len(self.article_list) == 0:
            self.article_view.show_message(
                "No starred articles", "Press s on an article to star it; f shows all articles."
            )
        elif self.scope is not None and len(self.article_list) == 0:
            self.article_view.show_message(
                f"No articles from {self.scope.label}",
                "Press r to refresh, F2 for the feeds and their errors, esc to show all articles.",
            )
        else:
            self.article_view.show_message(
                "Your library is empty",
                "Press a to subscribe to a feed (its address, or a web page that names it), "
                "then r to refresh.\n\n"
                "Or add files from a terminal, then press r here:\n\n"
                "  briefreader add FILE_OR_FOLDER\n\n"
                "Briefs can be plain text (.txt), Markdown (.md), JSON or saved web pages (.html).",
            )
        self.sidebar.set_entries([])
        self.sidebar.stale = False
        self._update_article_subtitle()

    def _empty_list_message(self) -> str:
        if self._search:
            return "No matches"
        return {
            "all": "No articles yet",
            "unread": "No unread articles",
            "starred": "No starred articles",
        }[self.filter]

    def _set_read(self, article_id: str, read: bool) -> None:
        row = self.library.row(article_id)
        if row is None or row.read == read:
            return
        self.library.set_read(article_id, read)
        self.article_list.update_row(row.rowid, read=read)
        self.unread_count = max(0, self.unread_count + (-1 if read else 1))
        self._update_article_subtitle()

    def _update_titles(self) -> None:
        pane = self.query_one("#list-pane")
        name = self.scope.label if self.scope is not None else "Articles"
        pane.border_title = Content(f"{name} ({self.unread_count:,} unread)")
        parts: list[str] = []
        if self.filter != "all":
            parts.append(self.filter)
        if self._search:
            count = len(self.article_list)
            parts.append(f"“{safe_line(self._search)}”: {count:,} found")
        pane.border_subtitle = Content(" · ".join(parts)) if parts else None

    def _update_article_subtitle(self) -> None:
        view = self.article_view
        article = self.current
        if article is None:
            if self._article_subtitle:
                self._article_subtitle = ""
                view.border_subtitle = None
            return
        row = self.library.row(article.id)
        bits = []
        if row is not None and row.starred:
            bits.append("★ starred")
        if row is not None and not row.read:
            bits.append("unread")
        listing = self.article_list
        if listing.current is not None and listing.current.id == article.id:
            bits.append(f"{listing.cursor + 1:,} of {len(listing):,}")
        text = " · ".join(bits)
        if text != self._article_subtitle:  # setting a border title repaints the pane
            self._article_subtitle = text
            view.border_subtitle = Content(text) if text else None

    def watch_unread_count(self) -> None:
        self._update_titles()

    # -- related articles -----------------------------------------------------------

    def _request_related(self, article: Article) -> None:
        # The sidebar keeps the previous entries (marked stale in its title) until
        # the new ones arrive: changing them now would cost a layout in the frame
        # that shows the article.
        self._related_wanted = article.id
        self.sidebar.stale = True
        if self._related_timer is not None:
            self._related_timer.stop()
            self._related_timer = None
        if self.RELATED_DELAY <= 0:
            self._find_related(article)
        else:
            self._related_timer = self.set_timer(
                self.RELATED_DELAY, lambda: self._find_related(article)
            )

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def _find_related(self, article: Article) -> None:
        if self._related_wanted != article.id:
            return
        with self._reader_lock:
            if self._related_wanted != article.id:  # the reader moved on while we waited
                return
            reader = self._get_reader()
            known = reader.ids_for_urls([link.url for link in article.related])
            rows = {row.id: row for row in reader.rows_for_ids(list(known.values()))}
            hits = reader.related(article, limit=8)
        # "Same story" first, then "Related": the links the article names, then the
        # rest of the ranking.  Folded copies are listed on their entry ("also: …").
        entries: list[RelatedEntry] = []
        seen = {article.id}
        for hit in hits:
            if hit.same_story and hit.id not in seen:
                seen.update((hit.id, *hit.copies))
                entries.append(
                    RelatedEntry(
                        title=hit.title,
                        article_id=hit.id,
                        url=hit.url,
                        source=hit.source,
                        same_story=True,
                        also=tuple(hit.other_sources),
                    )
                )
        for link in article.related:
            article_id = known.get(link.url, "")
            if article_id in seen:
                continue
            row = rows.get(article_id)
            if article_id:
                seen.add(article_id)
            entries.append(
                RelatedEntry(
                    title=link.title or (row.title if row else link.url),
                    article_id=article_id,
                    url=link.url,
                    source=row.source if row else "",
                    declared=True,
                )
            )
        for hit in hits:
            if hit.id not in seen:
                seen.update((hit.id, *hit.copies))
                entries.append(
                    RelatedEntry(
                        title=hit.title,
                        article_id=hit.id,
                        url=hit.url,
                        source=hit.source,
                        also=tuple(hit.other_sources),
                    )
                )
        self.post_message(RelatedReady(article.id, entries))

    @on(RelatedReady)
    def _related_ready(self, message: RelatedReady) -> None:
        if self.current is not None and message.article_id == self.current.id:
            self.sidebar.set_entries(message.entries)
            self.sidebar.stale = False

    @on(RelatedSidebar.Chosen)
    def _related_chosen(self, message: RelatedSidebar.Chosen) -> None:
        self.open_related_entry(message.entry)

    def open_related_entry(self, entry: RelatedEntry) -> None:
        if entry.article_id:
            row = self.library.row(entry.article_id)
            if row is not None and (index := self.article_list.index_of(row.rowid)) is not None:
                self.article_list.move_to(index)
            self.show_article(entry.article_id, mark_read=True)
            if self.screen.has_class("-related-overlay"):
                self.screen.remove_class("-related-overlay")
                self.article_view.focus()
        elif entry.url:
            self._open_url(entry.url)
        else:
            self.notify(
                f"“{safe_line(entry.title)}” has no link and is not in the library.",
                severity="warning",
                markup=False,
            )

    # -- links ----------------------------------------------------------------------

    def _open_url(self, url: str) -> None:
        from briefreader.tui.share_menu import open_url_with_toast

        open_url_with_toast(self, url)

    @on(ArticleView.LinkClicked)
    def _link_clicked(self, message: ArticleView.LinkClicked) -> None:
        self._open_url(message.url)

    # -- search ---------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        query = event.value.strip()
        if query == self._search:
            return
        self._search = query
        if query:
            self._run_search(query)
        else:
            self._end_search()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.article_list.focus()

    def _run_search(self, query: str) -> None:
        self._search_worker(query)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search_worker(self, query: str) -> None:
        if query != self._search:
            return
        with self._reader_lock:
            if query != self._search:
                return
            reader = self._get_reader()
            ids = reader.search_ids(query, limit=2000)
            scope = self._scope_feeds
            if scope is not None:  # a feed or tag is chosen: search within it
                ids = reader.ids_in_feeds(ids, scope)
            rows = reader.rows_for_ids(ids)
        self.post_message(SearchDone(query, rows))

    @on(SearchDone)
    def _search_done(self, message: SearchDone) -> None:
        if message.query != self._search:
            return
        self._search_rows = message.rows
        self._show_search_rows()

    def _show_search_rows(self) -> None:
        rows = self._search_rows
        if self.filter == "unread":
            rows = [r for r in rows if not r.read]
        elif self.filter == "starred":
            rows = [r for r in rows if r.starred]
        self.article_list.empty_message = self._empty_list_message()
        self.article_list.set_rows(rows)
        self._update_titles()
        self._update_article_subtitle()

    def _end_search(self) -> None:
        self._search = ""
        self._search_rows = []
        self.article_list.empty_message = self._empty_list_message()
        keep = self.article_list.current
        self.reload(keep=keep.rowid if keep else None)

    # -- actions --------------------------------------------------------------------

    def _move_to(self, index: int) -> None:
        listing = self.article_list
        before = listing.cursor
        listing.move_to(index)
        # Show the article now, in the same frame as the cursor (not a frame later
        # when the Highlighted message arrives): one repaint per key press.
        if (row := listing.current) is not None:
            self.show_article(row.id)
            step = 1 if listing.cursor >= before else -1
            self.call_after_refresh(self._prefetch, listing.cursor + step)

    def _prefetch(self, index: int) -> None:
        """Render the article the reader will probably move to next, while idle."""
        row = self.article_list.row_at(index)
        if row is not None and (article := self.library.get(row.id)) is not None:
            self.article_view.prefetch(article)

    def action_move(self, delta: int) -> None:
        listing = self.article_list
        if len(listing):
            self._move_to(max(0, listing.cursor) + delta)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self.article_list) - 1)

    def action_read(self) -> None:
        row = self.article_list.current
        if row is None:
            return
        self.show_article(row.id, mark_read=True)
        if self.screen.has_class("-single"):
            self.screen.add_class("-reading")
        self.article_view.focus()

    def action_page_down(self) -> None:
        self.article_view.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.article_view.scroll_page_up(animate=False)

    def _jump_unread(self, forward: bool) -> None:
        index = self.article_list.find(lambda row: not row.read, forward=forward)
        if index is None:
            where = "below" if forward else "above"
            self.notify(f"No unread articles {where} this one.", timeout=3, markup=False)
            return
        self.article_list.move_to(index)
        row = self.article_list.current
        if row is not None:
            self.show_article(row.id, mark_read=True)

    def action_next_unread(self) -> None:
        self._jump_unread(True)

    def action_previous_unread(self) -> None:
        self._jump_unread(False)

    def _need_article(self) -> Article | None:
        if self.current is None:
            self.notify("No article is open.", severity="warning", timeout=3, markup=False)
        return self.current

    def action_open_in_browser(self) -> None:
        article = self._need_article()
        if article is None:
            return
        if not article.url.strip():
            self.notify(
                "This article has no link to open. Press S to share its citation instead.",
                severity="warning",
                markup=False,
            )
            return
        self._open_url(article.url.strip())

    def action_copy_link(self) -> None:
        article = self._need_article()
        if article is not None:
            from briefreader.tui.share_menu import copy_article_link

            copy_article_link(self, article)

    def action_share(self) -> None:
        article = self._need_article()
        if article is not None:
            from briefreader.tui.share_menu import ShareMenu

            self.push_screen(ShareMenu(article))

    def action_star(self) -> None:
        article = self._need_article()
        if article is None:
            return
        row = self.library.row(article.id)
        if row is None:
            return
        starred = not row.starred
        self.library.set_starred(article.id, starred)
        self.article_list.update_row(row.rowid, starred=starred)
        self._update_article_subtitle()

    def action_toggle_read(self) -> None:
        article = self._need_article()
        if article is None:
            return
        row = self.library.row(article.id)
        if row is not None:
            self._set_read(article.id, not row.read)

    def action_delete(self) -> None:
        """Delete the article shown (a feed item stays deleted on refresh); z undoes."""
        article = self.current
        if article is None:
            self.notify("No article to delete.", severity="warning", timeout=3, markup=False)
            return
        stored = self.library.get_stored(article.id)
        row = self.library.row(article.id)
        if stored is None or row is None:
            return
        state = self.library.states([article.id]).get(article.id, ArticleState())
        full_text = self.library.full_text(article.id)
        if not self.library.delete_articles([article.id]):
            return
        self._deleted = [*self._deleted[-(UNDO_DEPTH - 1) :], _Deleted(stored, state, full_text)]
        self._search_rows = [r for r in self._search_rows if r.rowid != row.rowid]
        if not row.read:
            self.unread_count = max(0, self.unread_count - 1)
        listing = self.article_list
        if listing.index_of(row.rowid) is not None:
            listing.remove_rows([row.rowid])  # the next row is highlighted and shown
        elif (shown := listing.current) is not None:  # it was opened from Related
            self.show_article(shown.id)
        else:
            self._show_nothing()
        self._update_titles()
        self.notify(
            f"Deleted — {self._key_for('undo_delete')} to undo\n“{safe_line(stored.title)}”",
            timeout=8,
            markup=False,
        )

    def action_undo_delete(self) -> None:
        if not self._deleted:
            self.notify("Nothing to undo.", timeout=3, markup=False)
            return
        gone = self._deleted.pop()
        art_id = gone.article.id
        self.library.forget_deleted([art_id])
        self.library.store([gone.article])
        self.library.restore_states({art_id: gone.state})
        if gone.full_text is not None:
            self.library.set_full_text(art_id, gone.full_text)
        row = self.library.row(art_id)
        self.reload(keep=row.rowid if row is not None else None)
        self.notify(f"Restored “{safe_line(gone.article.title)}”.", timeout=3, markup=False)

    def action_mark_all_read(self) -> None:
        rowids = list(self.article_list.rowids)
        if not rowids:
            return
        self._mark_all_worker(rowids, self._scope_feeds)

    @work(thread=True, exclusive=True, group="mark", exit_on_error=False)
    def _mark_all_worker(self, rowids: list[int], feed_ids: list[int] | None) -> None:
        with Library(self.library_path) as writer:
            changed = writer.mark_read_rowids(rowids)
            if feed_ids is None:
                unread = writer.count("unread")
            else:
                unread = writer.count_for_feeds("unread", feed_ids)
        self.post_message(MarkedRead(rowids, changed, unread))

    @on(MarkedRead)
    def _marked_read(self, message: MarkedRead) -> None:
        self.article_list.mark_all(read=True)
        self._search_rows = [replace(r, read=True) for r in self._search_rows]
        self.unread_count = message.unread
        self._update_article_subtitle()
        noun = "article" if message.changed == 1 else "articles"
        self.notify(f"Marked {message.changed:,} {noun} read.", timeout=3, markup=False)

    def action_search(self) -> None:
        pane = self.query_one("#list-pane")
        pane.add_class("-searching")
        if self.screen.has_class("-reading"):
            self.screen.remove_class("-reading")
        self.search_input.focus()

    def action_cycle_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]

    def watch_filter(self) -> None:
        self.article_list.empty_message = self._empty_list_message()
        self._update_titles()
        if self._search:
            self._show_search_rows()
        else:
            self.reload()

    def action_toggle_related(self) -> None:
        screen = self.screen
        if screen.has_class("-wide"):
            screen.toggle_class("-related-hidden")
            if screen.has_class("-related-hidden") and self.sidebar.has_focus_within:
                self.article_list.focus()
            return
        screen.toggle_class("-related-overlay")
        if screen.has_class("-related-overlay"):
            self.sidebar.query_one("#related-list").focus()
        elif self.sidebar.has_focus_within:
            self._focus_main()

    def _focus_main(self) -> None:
        if self.screen.has_class("-single") and self.screen.has_class("-reading"):
            self.article_view.focus()
        else:
            self.article_list.focus()

    def action_open_related(self, number: int) -> None:
        if self.sidebar.stale:
            self.notify("Still finding related articles…", timeout=2, markup=False)
            return
        entry = self.sidebar.entry(number)
        if entry is None:
            self.notify(f"There is no related article {number}.", timeout=3, markup=False)
            return
        self.open_related_entry(entry)

    # -- feeds: refresh, add, the feeds screen, full text -----------------------------

    def action_refresh(self) -> None:
        if self._refreshing:
            self.notify("Already refreshing the feeds…", timeout=2, markup=False)
            return
        self._refreshing = True
        self._refresh_worker()

    def _refresh_on_timer(self) -> None:
        if not self._refreshing:
            self._refreshing = True
            self._refresh_worker(quiet=True)

    def _key_for(self, binding_id: str) -> str:
        binding = next((b for b in self._own_bindings() if b.id == binding_id), None)
        keys = self.keys_for(binding) if binding is not None else []
        return keys[0] if keys else binding_id

    def _get_executor(self) -> Executor:
        """The process pool that parses feeds (spawned, as the app has threads); kept
        for the next refresh, shut down on quit."""
        if self._executor is None:
            from briefreader.workers import parse_pool

            self._executor = parse_pool(self.PARSE_WORKERS, in_app=True)
        return self._executor

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh_worker(self, quiet: bool = False) -> None:
        """Refresh every feed on this worker's own library connection (its writes run
        in the refresh module's writer thread; parsing in the process pool)."""
        from briefreader.refresh import refresh_feeds

        try:
            library = Library(self.library_path)
        except LibraryError as exc:
            self._refreshing = False
            self.notify(str(exc), title="Refresh", severity="error", markup=False)
            return
        try:
            feeds = library.feeds()
            if not feeds:
                self.reload()
                if not quiet:
                    self.notify(
                        f"No feeds yet: press {self._key_for('add_feed')} to add one "
                        "(or from a terminal: briefreader add URL, briefreader import FILE.opml). "
                        "The list was reloaded from the library.",
                        title="Refresh",
                        markup=False,
                        timeout=8,
                    )
                return
            self._refresh_new = 0
            self.status_text = f"Refreshing 0/{len(feeds)} feeds…"
            report = await refresh_feeds(
                library,
                feeds,
                executor=self._get_executor(),
                progress=self._refresh_progress,
            )
        except Exception as exc:  # never a traceback over the reader's screen
            self.notify(
                f"Refresh stopped: {type(exc).__name__}: {exc}",
                title="Refresh",
                severity="error",
                markup=False,
            )
            return
        finally:
            library.close()
            self._refreshing = False
            self.status_text = ""
        self._refresh_done(report.totals(), quiet=quiet)

    def _refresh_progress(self, outcome: FeedOutcome, done: int, total: int) -> None:
        """One feed finished (called on the event loop, from the refresh worker)."""
        self._refresh_new += outcome.added
        self.status_text = f"Refreshing {done}/{total} feeds · {self._refresh_new:,} new"
        if outcome.added or outcome.updated:
            self._schedule_list_update()

    def _schedule_list_update(self) -> None:
        """Re-read the list soon (at most every LIST_UPDATE_DELAY s while feeds arrive)."""
        if self._list_timer is None:
            self._list_timer = self.set_timer(self.LIST_UPDATE_DELAY, self._list_update)

    def _list_update(self) -> None:
        self._list_timer = None
        self.reload(stay=True)
        self._reload_feeds_screen()

    def _reload_feeds_screen(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, FeedsScreen):
                screen.reload()

    def _refresh_done(self, totals: dict[str, int], *, quiet: bool) -> None:
        if self._list_timer is not None:
            self._list_timer.stop()
            self._list_timer = None
        self.reload(stay=True)
        self._reload_feeds_screen()
        self._index_related()
        feeds, new, failed = totals["feeds"], totals["new_items"], totals["failed"]
        text = f"{feeds:,} feed{'s' if feeds != 1 else ''} refreshed: {new:,} new article"
        text += "" if new == 1 else "s"
        if totals["skipped"]:
            text += f", {totals['skipped']:,} skipped"
        if failed:
            text += (
                f", {failed:,} failed. Press {self._key_for('feeds')} for the feeds "
                "and their errors."
            )
        if quiet and not new and not failed:
            return
        self.notify(
            text,
            title="Refresh",
            severity="warning" if failed else "information",
            markup=False,
            timeout=8 if failed else 4,
        )

    def watch_status_text(self, text: str) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(bool(text), "-shown")

    def action_add_feed(self) -> None:
        from briefreader.tui.screens.dialogs import AddFeedScreen

        def chosen(url: str | None) -> None:
            if url:
                self.status_text = f"Adding {safe_line(url)}…"
                self._subscribe_worker(url)

        self.push_screen(AddFeedScreen(), chosen)

    @work(thread=True, group="subscribe", exit_on_error=False)
    def _subscribe_worker(self, url: str) -> None:
        from briefreader.refresh import subscribe_async

        try:
            with Library(self.library_path) as writer:
                result = asyncio.run(subscribe_async(writer, url))
        except Exception as exc:  # e.g. the library is locked: one line, not a traceback
            self.post_message(FeedSubscribed(url, "", False, 0, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(
            FeedSubscribed(result.url, result.title, result.created, result.items, result.error)
        )

    @on(FeedSubscribed)
    def _feed_subscribed(self, message: FeedSubscribed) -> None:
        if self.status_text.startswith("Adding "):
            self.status_text = ""
        if message.error:
            self.notify(
                f"{safe_line(message.url)}: {safe_line(message.error)}",
                title="Could not add the feed",
                severity="error",
                markup=False,
                timeout=10,
            )
            return
        name = safe_line(message.title or message.url)
        noun = "article" if message.items == 1 else "articles"
        if message.created:
            text = f"Subscribed to {name}: {message.items:,} {noun}."
        else:
            text = f"Already subscribed to {name}; {message.items:,} {noun} read again."
        self.notify(text, title="Feed added", markup=False)
        self.reload(stay=True)
        self._reload_feeds_screen()
        self._index_related()

    def action_feeds(self) -> None:
        def chosen(scope: FeedScope | None) -> None:
            if scope is not None:
                self.scope = scope

        self.push_screen(FeedsScreen(self._load_feeds, clock=self.clock), chosen)

    def _load_feeds(self) -> list[FeedInfo]:
        """Every feed with its counts (called from the feeds screen's worker thread)."""
        with self._reader_lock:
            return self._get_reader().feeds()

    def watch_scope(self) -> None:
        self.article_list.empty_message = self._empty_list_message()
        if self.screen.has_class("-reading"):
            self.screen.remove_class("-reading")
        self._update_titles()
        self.reload()
        self.article_list.focus()

    def remove_feed(self, url: str, name: str) -> None:
        """Unsubscribe (the feeds screen's ``d``, after its question), in a worker."""
        self._remove_feed_worker(url, name)

    @work(thread=True, group="remove", exit_on_error=False)
    def _remove_feed_worker(self, url: str, name: str) -> None:
        try:
            with Library(self.library_path) as writer:
                removed = writer.remove_feed(url)
        except Exception as exc:
            self.post_message(FeedRemoved(url, f"{name} ({type(exc).__name__}: {exc})", None))
            return
        self.post_message(FeedRemoved(url, name, removed))

    @on(FeedRemoved)
    def _feed_removed(self, message: FeedRemoved) -> None:
        if message.removed is None:
            self.notify(
                f"Could not remove {safe_line(message.name)}.", severity="error", markup=False
            )
        else:
            noun = "article" if message.removed == 1 else "articles"
            self.notify(
                f"Removed {safe_line(message.name)} and {message.removed:,} {noun}.",
                title="Feed removed",
                markup=False,
            )
        if self.scope is not None and self.scope.kind == "feed":
            # The feed is gone: so is the filter on it.
            with self._reader_lock:
                exists = self._get_reader().feed(int(self.scope.value)) is not None
            if not exists:
                self.scope = None
        self.reload()
        self._reload_feeds_screen()

    def action_full_text(self) -> None:
        article = self._need_article()
        if article is None:
            return
        if self.article_view.full_text and self.article_view.article is article:
            self.notify("This is already the article's full text.", timeout=3, markup=False)
            return
        url = article.url.strip()
        if not url:
            self.notify(
                "This article has no link to fetch its full text from.",
                severity="warning",
                markup=False,
            )
            return
        self.notify("Fetching the full text…", timeout=2, markup=False)
        self._full_text_worker(article.id, url)

    @work(exclusive=True, group="fulltext", exit_on_error=False)
    async def _full_text_worker(self, article_id: str, url: str) -> None:
        from briefreader.fulltext import fetch_full_text

        try:
            result = await fetch_full_text(url)
        except Exception as exc:
            self.post_message(FullTextReady(article_id, "", f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(FullTextReady(article_id, result.text, result.error))

    @on(FullTextReady)
    def _full_text_ready(self, message: FullTextReady) -> None:
        if message.error or not message.text:
            self.notify(
                f"{safe_line(message.error or 'no text found')}. Showing the feed's text.",
                title="No full text",
                severity="warning",
                markup=False,
                timeout=8,
            )
            return
        self.library.set_full_text(message.article_id, message.text)
        if self.current is not None and self.current.id == message.article_id:
            article = _with_full_text(self.current, message.text)
            self.current = article
            self.article_view.show_article(article, full_text=True)

    def action_help(self) -> None:
        self.push_screen(
            HelpScreen(self.help_entries(), str(self.config_path) if self.config_path else "")
        )

    def action_go_back(self) -> None:
        screen = self.screen
        if screen.has_class("-related-overlay"):
            screen.remove_class("-related-overlay")
            self._focus_main()
        elif self.query_one("#list-pane").has_class("-searching"):
            self.query_one("#list-pane").remove_class("-searching")
            self.search_input.value = ""
            self.article_list.focus()
        elif screen.has_class("-reading"):
            screen.remove_class("-reading")
            self.article_list.focus()
        elif not self.article_list.has_focus:
            self.article_list.focus()
        elif self.scope is not None:
            self.scope = None

    async def action_quit(self) -> None:
        self.exit()

    # -- help and palette -----------------------------------------------------------

    def keys_for(self, binding: Binding) -> list[str]:
        """The keys a binding has now (after the config's keymap), for display."""
        keys = self._key_overrides.get(binding.id or "", binding.key)
        shown = []
        for key in keys.split(","):
            key = key.strip()
            if key:
                shown.append(self.get_key_display(Binding(key, "")))
        return shown

    def help_entries(self) -> list[HelpEntry]:
        by_id = {b.id: b for b in self._own_bindings() if b.id}
        entries: list[HelpEntry] = []
        for section, ids in SECTIONS.items():
            for binding_id in ids:
                binding = by_id.get(binding_id)
                if binding is None:
                    continue
                entries.append(
                    HelpEntry(
                        "  ".join(self.keys_for(binding)),
                        binding.tooltip or binding.description,
                        binding_id,
                        section,
                    )
                )
        entries.append(HelpEntry("^p", "Command palette: every action, themes", "", "App"))
        entries.append(HelpEntry("^q", "Quit", "", "App"))
        return entries

    def palette_commands(self) -> list[PaletteCommand]:
        commands = []
        for binding in self._own_bindings():
            if binding.id in ("back", "next_pane", "previous_pane"):
                continue
            commands.append(
                PaletteCommand(
                    binding.tooltip or binding.description,
                    binding.action,
                    "  ".join(self.keys_for(binding)),
                )
            )
        return commands


def _with_full_text(article: Article, text: str) -> Article:
    """The article with its page's full text as the body; derived takeaways are
    chosen again from it (the teaser's say little)."""
    if article.takeaways_derived:
        from briefreader.insight import with_derived_takeaways

        return with_derived_takeaways(
            article.with_changes(body=text, takeaways=(), takeaways_derived=False)
        )
    return article.with_changes(body=text)


def run_app(library_path: Path) -> int:
    """Run the reading app until the user quits; the process exit status."""
    try:
        app = BriefReaderApp(library_path)
    except LibraryError as exc:
        print(f"briefreader: {exc}", file=sys.stderr)
        return 1
    # Let the UI thread take the GIL back from a busy worker sooner (default 5 ms).
    sys.setswitchinterval(0.001)
    app.TUNE_GC = True  # type: ignore[misc]
    try:
        app.run()
    finally:
        app._shutdown_libraries()
    if app.library_problem:
        print(f"briefreader: {app.library_problem}", file=sys.stderr)
    return app.return_code or 0
