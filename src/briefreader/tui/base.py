"""The reading app's shared state: what every part of the app reads and writes.

:class:`ReaderBase` holds the app's settings (class variables tests change), its
reactive state (filter, scope, unread count, status line), the state set up in
``__init__``, the panes, the workers' read-only library connection, the feed
service and the keys as currently bound.  The rooms of the app
(:mod:`~briefreader.tui.feed_actions`, :mod:`~briefreader.tui.article_actions`)
and :class:`~briefreader.tui.app.BriefReaderApp` build on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from briefreader.config import Config, load_config
from briefreader.model import Article, ArticleState
from briefreader.services import FeedService
from briefreader.store import ArticleRow, Library, opens_read_only
from briefreader.tui.bindings import key_hint, keys_for
from briefreader.tui.screens.feeds import FeedScope
from briefreader.tui.widgets.article_list import ArticleList
from briefreader.tui.widgets.article_view import ArticleView
from briefreader.tui.widgets.related import RelatedSidebar

__all__ = ["FILTERS", "UNDO_DEPTH", "FilterName", "ReaderBase"]

FilterName = Literal["all", "unread", "starred"]
FILTERS: tuple[FilterName, ...] = ("all", "unread", "starred")


@dataclass(frozen=True, slots=True)
class _Deleted:
    """What undoing a delete puts back: the article as stored, its state, its full
    text, and whether it was a sample brief."""

    article: Article
    state: ArticleState
    full_text: str | None
    sample: bool = False
    offer: str = ""
    """The toast that offered the undo (taken off the screen once undone)."""


#: How many deletes ``z`` can undo, newest first.
UNDO_DEPTH = 50


class ReaderBase(App[None]):
    """State and helpers shared by every part of the reading app."""

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
    #: Parse feeds in this many processes (forked from the refresh's own process;
    #: None: the refresh module's default).
    PARSE_WORKERS: ClassVar[int | None] = None

    # The app's state is ``var``: each watcher updates the widgets that show it.  (A
    # ``reactive`` of the app repaints the whole screen on every change: the status
    # line's text changes once a feed during a refresh, and each change redrew the
    # whole screen, list and article, under the reader's keys.)
    filter: var[FilterName] = var[FilterName]("all", init=False)
    unread_count: var[int] = var(0, init=False)
    scope: var[FeedScope | None] = var[FeedScope | None](None, init=False)
    """The feed or tag the list is narrowed to (the feeds screen), or None."""
    status_text: var[str] = var("", init=False)
    """The status line above the footer (refresh progress); hidden when empty."""

    def get_default_screen(self) -> Screen[None]:
        """The main screen, with the classes the app's stylesheet reads from the start:
        the list's density (the overlays' widths) and, with the sidebar off by the
        config, ``-related-hidden``.  Added on mount they restyled every widget once
        more: ~10% of the app's start-up CPU.  So does the width's breakpoint class
        (``-single``, ``-medium``, ``-wide``), which Textual adds when the screen is
        first sized: given here for the terminal's size now, that changes nothing."""
        classes = f"-list-{self.config.density}"
        if not self.config.sidebar:
            classes += " -related-hidden"
        width = self.size.width
        for needed, name in sorted(self.HORIZONTAL_BREAKPOINTS or [], reverse=True):
            if width >= needed:  # (as Screen._get_breakpoint_classes chooses)
                classes += f" {name}"
                break
        return Screen(id="_default", classes=classes)

    def __init__(
        self,
        library_path: Path,
        *,
        config: Config | None = None,
        config_path: Path | None = None,
        load_samples: bool = True,
        clock: Callable[[], float] | None = None,
        save_config: bool = True,
        readonly: bool | None = None,
    ) -> None:
        """Open the library (raises :class:`LibraryError` when it cannot be opened).

        ``config`` skips reading the config file; ``clock`` fixes "now" for relative
        ages (tests, screenshots); ``load_samples=False`` leaves an empty library
        empty; ``save_config=False`` never writes the config file.  ``readonly``:
        open the library read-only (None: when the file cannot be written, see
        :func:`~briefreader.store.opens_read_only`); the app then reads, and every
        action that would write says it cannot be saved (:meth:`refuse_write`).
        """
        self.library_path = Path(library_path)
        if readonly is None:
            readonly = opens_read_only(self.library_path)
        self.library = Library(self.library_path, readonly=readonly)
        self.library_problem: str | None = None
        """Why the app quit over the library file (one line), or None."""
        self._reader: Library | None = None
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
        self._search_total: tuple[int, bool] = (0, True)  # matches in all; exact?
        self._generation = 0
        self._loaded = False
        self._importing = False
        self._related_wanted = ""
        self._related_timer: Timer | None = None
        self._article_subtitle = ""
        self._last_input = 0.0
        self._filter_anchor: tuple[int | None, int | None] = (None, None)
        """The row the reader was on before ``f`` changed the filter, and the row that
        change left the cursor on (see ``watch_filter``)."""
        self._scope_feeds: list[int] | None = None
        self._refreshing = False
        self._refresh_new = 0
        self._list_timer: Timer | None = None
        self._service: FeedService | None = None
        self._index_again = False
        super().__init__()

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

    def _get_reader(self) -> Library:
        """The workers' read-only connection (call with ``_reader_lock`` held)."""
        if self._reader is None:
            self._reader = Library(self.library_path, readonly=True)
        return self._reader

    def refuse_write(self, what: str) -> bool:
        """On a read-only library, say in one line that ``what`` cannot be saved, and
        return True (the caller then does nothing); else False."""
        if not self.library.readonly:
            return False
        self.notify(
            f"Read-only library: {what} cannot be saved.",
            severity="warning",
            timeout=4,
            markup=False,
        )
        return True

    def _need_article(self) -> Article | None:
        if self.current is None:
            self.notify("No article is open.", severity="warning", timeout=3, markup=False)
        return self.current

    @property
    def service(self) -> FeedService:
        """Feeds, full text and background upkeep (the network and the process pools:
        started on first use, stopped on quit)."""
        if self._service is None:
            self._service = FeedService(self.library_path, parse_workers=self.PARSE_WORKERS)
        return self._service

    @property
    def key_overrides(self) -> dict[str, str]:
        """The config's ``[keys]`` table (binding id → keys), as applied."""
        return self._key_overrides

    def keys_for(self, binding: Binding) -> list[str]:
        """The keys a binding has now (after the config's keymap), for display."""
        return keys_for(self, self._key_overrides, binding)

    def _key_for(self, binding_id: str) -> str:
        """The key named in a hint ("z to undo"), as bound now."""
        return key_hint(self, binding_id)

    if TYPE_CHECKING:  # defined by the app and its rooms

        def reload(self, keep: int | None = None, *, stay: bool = False) -> None: ...

        def show_article(self, article_id: str, *, mark_read: bool = False) -> Article | None:
            raise NotImplementedError

        def _show_nothing(self) -> None: ...

        def _set_read(self, article_id: str, read: bool) -> None: ...

        def _request_related(self, article: Article) -> None: ...

        def _open_url(self, url: str, opened: Callable[[], None] | None = None) -> None: ...

        def _update_titles(self) -> None: ...

        def _update_article_subtitle(self) -> None: ...

        def _empty_list_message(self) -> str:
            raise NotImplementedError

        def _index_related(self) -> None: ...

        def _forget_undo(self) -> None: ...
