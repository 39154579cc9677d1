"""The reading app: the article list, the article, the Related sidebar.

Structure (see docs/ARCHITECTURE.md): :class:`BriefReaderApp` is built from rooms
over the shared state of :class:`~briefreader.tui.base.ReaderBase`:

* this module: the layout, loading the list, showing an article, related
  articles, moving, and the panes;
* :mod:`~briefreader.tui.search_actions`: search as one types;
* :mod:`~briefreader.tui.article_actions`: star, read/unread, mark all, delete, undo;
* :mod:`~briefreader.tui.feed_actions`: refresh, add and remove feeds, the feeds
  screen, full text (the network and worker processes only through
  :class:`~briefreader.services.FeedService`);
* :mod:`~briefreader.tui.upkeep`: the related index and story groups, kept up to
  date in the background;
* :mod:`~briefreader.tui.settings`: the config's keys and theme, help and palette;
* :mod:`~briefreader.tui.bindings`: every key, written once.

Slow work runs in workers on a separate read-only connection and posts a message
back (:mod:`briefreader.tui.messages`); a worker that fails says what failed
(:mod:`briefreader.tui.failures`).  Article text is never markup.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.theme import Theme
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from briefreader.config import refresh_seconds
from briefreader.links import article_links
from briefreader.model import Article
from briefreader.reading import article_as_read
from briefreader.share import refusal_reason
from briefreader.store import (
    Library,
    LibraryError,
    is_damage,
    problem_line,
)
from briefreader.tui.article_actions import SORT_LABELS
from briefreader.tui.base import FILTERS, FilterName, ReaderBase
from briefreader.tui.bindings import (
    BINDINGS,
)
from briefreader.tui.commands import BriefReaderCommands
from briefreader.tui.failures import failure_line
from briefreader.tui.feed_actions import FeedActions
from briefreader.tui.feeds_pane_actions import FeedsPaneActions
from briefreader.tui.formatting import cut_to, safe_line
from briefreader.tui.media_actions import MediaActions
from briefreader.tui.messages import (
    RowsLoaded,
    SamplesImported,
)
from briefreader.tui.related_actions import RelatedActions
from briefreader.tui.screens.feeds import FeedScope
from briefreader.tui.screens.links import LinksScreen
from briefreader.tui.search_actions import SearchActions
from briefreader.tui.settings import KeysAndTheme
from briefreader.tui.upkeep import Upkeep
from briefreader.tui.widgets.article_list import ArticleList
from briefreader.tui.widgets.article_view import ArticleView
from briefreader.tui.widgets.feeds_pane import FeedsPane, scope_key
from briefreader.tui.widgets.footer import BriefFooter
from briefreader.tui.widgets.related import RelatedSidebar
from briefreader.tui.widgets.search_input import SearchInput

__all__ = ["BriefReaderApp", "run_app"]

#: Rows of a big library's list read first, before its whole order (see _load_rows).
FIRST_PAGE = 200


class BriefReaderApp(
    FeedActions,
    FeedsPaneActions,
    MediaActions,
    RelatedActions,
    SearchActions,
    Upkeep,
    KeysAndTheme,
    ReaderBase,
):
    """briefreader's reading app over one library file."""

    TITLE = "briefreader"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {BriefReaderCommands}
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 - Textual's own (non-ClassVar) declaration
        (0, "-single"),
        (60, "-medium"),
        (110, "-wide"),
    ]

    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    @property
    def current_theme(self) -> Theme:
        """Textual's copies the registry of themes twice each time it is asked, and it is
        asked for every line drawn (``ansi_theme``): ~190 times a key press."""
        theme = self._registered_themes.get(self.theme)
        return theme if theme is not None else super().current_theme

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield FeedsPane(self._unread_counts, id="feeds-pane")
            with Vertical(id="list-pane", classes=f"-{self.config.density}"):
                yield SearchInput(id="search", placeholder="Search all articles…", compact=True)
                yield ArticleList(
                    id="articles",
                    loader=self.library.rows_by_rowid,
                    story_loader=self._story_counts,
                    clock=self.clock,
                    density=self.config.density,
                    empty_message="Loading…",
                )
            yield ArticleView(id="article", image_hint=self.config.images != "auto")
            yield RelatedSidebar(id="related")
        yield Static(id="status", markup=False)
        yield BriefFooter()

    def on_mount(self) -> None:
        # (The main screen has its density and sidebar classes from the start:
        # ReaderBase.get_default_screen.)
        self._apply_keymap()
        self._apply_theme()
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for problem in self._config_problems:
            self.notify(problem, title="Config", severity="warning", markup=False, timeout=10)
        self._warn_retention_rules()
        if self.library.readonly:
            self.notify(
                "Read-only library: marks, stars and deletes are not saved.",
                severity="warning",
                markup=False,
                timeout=10,
            )
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
        if self.refresh_interval is not None and not self.library.readonly:
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
        if self._service is not None:
            self._service.close()

    def _shutdown_libraries(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        self.library.close()

    # -- loading the list -----------------------------------------------------------

    def reload(self, keep: int | None = None, *, stay: bool = False) -> None:
        """Read the list's order for the current filter and scope again (in a worker).

        ``keep``: the row to highlight then (None: the row the cursor is on when the
        order arrives).  ``stay``: new rows are arriving (a refresh); keep the
        highlighted article where it is on screen.
        """
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
        if isinstance(event, events.Key) and self._exit:
            # Keys typed after q in one burst ("qu") ran as the app closed: u opened
            # the links dialog on the way out, and its start failed with a traceback.
            event.stop()
            return
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
            if isinstance(event, events.Key) and self._typed_ahead(event):
                return
        await super().on_event(event)

    def _typed_ahead(self, event: events.Key) -> bool:
        """A letter typed before a text field had focus goes into the field, not to
        the list's bindings: "/grid", or "a" and an address, typed fast or pasted as
        keys.  The terminal delivers them in one read; every key is queued for the
        list before "/" or "a" has opened the field, and then bubbles up to the app
        as a key nothing took (it ran as a command: g, r, i and d were top, reload,
        images and delete; a dialog lost them).  Returns whether it was taken.

        (A text field stops every letter it receives itself, so a letter that bubbles
        up to the app while one has focus was sent to another widget.)"""
        if not (event.is_forwarded and event.is_printable and event.character):
            return False
        field = self.screen.focused
        if not isinstance(field, Input):
            return False
        field.insert_text_at_cursor(event.character)
        event.stop()
        return True

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
            if scope is None and not self._loaded and self.sort == "newest" and keep is None:
                # The first screen at once: the whole order of a big library takes
                # seconds to read (1,000,000 rowids), its first page milliseconds.
                head = reader.row_ids(filter, "newest", limit=FIRST_PAGE)
                if len(head) == FIRST_PAGE:
                    self.post_message(RowsLoaded(head, None, generation, None, partial=True))
            if scope is None:
                feed_ids = None
                rowids = reader.row_ids(filter, self.sort)
                unread = reader.count("unread")
            else:
                feed_ids = scope.feed_ids(reader.feeds())
                rowids = reader.row_ids(filter, self.sort, feed_ids)
                unread = reader.count_for_feeds("unread", feed_ids)
        self.post_message(
            RowsLoaded(rowids, unread, generation, keep, stay=stay, feed_ids=feed_ids)
        )

    @on(RowsLoaded)
    def _rows_loaded(self, message: RowsLoaded) -> None:
        if message.generation != self._generation:
            return
        if message.partial:  # the first page of a big library, the rest on its way
            if not self._loaded and not self._search:
                self.article_list.set_rowids(message.rowids)
                self._update_article_subtitle()
            return
        if message.keep is None and (row := self.article_list.current) is not None:
            # The row the reader is on now, not at the request: keys pressed while the
            # order was read (0.1-0.5 s at 100,000; a refresh re-reads it every
            # second) count.  Before the first load: where the first page left it.
            message.keep = row.rowid
            message.stay = message.stay or not self._loaded
        if not self._loaded and self.TUNE_GC:
            self._tune_gc()
        self._loaded = True
        if message.unread is not None:
            self.unread_count = message.unread
        self._scope_feeds = message.feed_ids
        self.article_list.empty_message = self._empty_list_message()
        if self._search:
            self._run_search(self._search)
            return
        self.article_list.set_rowids(message.rowids, keep=message.keep, stay=message.stay)
        anchor, landed = self._filter_anchor
        if anchor is not None and landed is None and message.keep == anchor:
            row = self.article_list.current
            self._filter_anchor = (anchor, row.rowid if row is not None else None)
        self._update_titles()
        self._update_article_subtitle()
        self._index_related()
        self.feeds_pane.reload()

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        error = worker.error
        if worker.state == WorkerState.ERROR:
            if isinstance(error, Exception) and is_damage(error):
                if worker.group in ("related", "index"):
                    self._related_index_damaged(error)  # reading goes on
                else:
                    self._handle_exception(error)  # a damaged library: quit with one line
                return
            self._worker_failed(worker)
        if (
            worker.group == "index"
            and worker.is_finished
            and self._index_again
            and not worker.is_cancelled
        ):
            self._index_related()

    def _worker_failed(self, worker: Worker[object]) -> None:
        """Any worker that fails: say what failed, and clear what would stay on screen."""
        line = failure_line(worker)
        self.notify(line, severity="error", markup=False, timeout=10)
        group = worker.group
        if group == "rows" and not self._loaded:
            self._loaded = True
            self.article_list.empty_message = "Could not load the articles"
            self.article_list.refresh()
            self.article_view.show_message("Could not load the articles", line)
        elif group == "search":
            self._search_rows = []
            self.article_list.empty_message = "Search failed"
            self.article_list.set_rows([])
            self._update_titles()
        elif group == "related":
            self.sidebar.set_entries([])
            self.sidebar.stale = False
        elif group == "import":
            self._importing = False
            self.reload()
        elif group == "refresh":
            self._refreshing = False
            self.status_text = ""
        elif group == "subscribe" and self.status_text.startswith("Adding "):
            self.status_text = ""

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
            found = article_as_read(self.library, article_id)
            if found is None:
                self.notify(
                    "That article is no longer in the library.", severity="warning", markup=False
                )
                return None
            article, full_text = found
            self.current = article
            self.article_view.show_article(article, full_text=full_text)
            self._request_related(article)
            self.media_article_shown(article)
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
        if self.library.readonly:  # reading an article marks nothing (said at start)
            return
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
        unread = f" ({self.unread_count:,} unread)"
        # (a feed's long name is cut, not the count after it: the border would cut that)
        room = max(12, (pane.size.width or 60) - cell_len(unread) - 6)
        if cell_len(name) > room:
            name = cut_to(Text(name), room).plain.rstrip()
        pane.border_title = Content(name + unread)
        parts: list[str] = []
        if self.filter != "all":
            parts.append(self.filter)
        if self.sort != "newest":
            parts.append(SORT_LABELS[self.sort])
        if self._search:
            count = len(self.article_list)
            total, exact = self._search_total
            if not exact:  # a common word: its newest matches shown
                count_text = f"{count:,} of about {total:,}"
            elif total > len(self._search_rows):
                count_text = f"{count:,} of {total:,}"
            else:
                count_text = f"{count:,}"
            # The count first: a cut at 80 columns takes the end of the query, not it.
            parts.append(f"{count_text} found: “{safe_line(self._search)}”")
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
        if self._loaded:
            self.feeds_pane.reload()

    # -- links ----------------------------------------------------------------------

    def _open_url(self, url: str, opened: Callable[[], None] | None = None) -> None:
        from briefreader.tui.share_menu import open_url_with_toast

        open_url_with_toast(self, url, opened=opened)

    @on(ArticleView.LinkClicked)
    def _link_clicked(self, message: ArticleView.LinkClicked) -> None:
        self._open_url(message.url)

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

    def _in_article(self) -> bool:
        """The article pane has focus: j/k and g/G scroll it, as the arrows and
        home/end do there (the help says so)."""
        return self.focused is self.article_view

    def action_move(self, delta: int) -> None:
        if self._in_article():
            view = self.article_view
            view.action_scroll_down() if delta > 0 else view.action_scroll_up()
            return
        if (related := self._related_list()) is not None:
            related.action_cursor_down() if delta > 0 else related.action_cursor_up()
            return
        listing = self.article_list
        if len(listing):
            self._move_to(max(0, listing.cursor) + delta)

    def action_first(self) -> None:
        self._to_end(last=False)

    def action_last(self) -> None:
        self._to_end(last=True)

    def _to_end(self, *, last: bool) -> None:
        """To the top or the end of what has the focus: the article, the related
        list or the article list."""
        if self._in_article():
            view = self.article_view
            view.action_scroll_end() if last else view.action_scroll_home()
        elif (related := self._related_list()) is not None:
            related.action_last() if last else related.action_first()
        else:
            self._move_to(len(self.article_list) - 1 if last else 0)

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
        url = article.url.strip()
        read = self.config.open_marks_read and refusal_reason(url) is None
        # Read once a browser has it: not when none could be started.
        self._open_url(url, (lambda: self._set_read(article.id, True)) if read else None)

    def action_links(self) -> None:
        article = self._need_article()
        if article is None:
            return
        links = article_links(article)
        if not links:
            self.notify("This article has no links.", timeout=3, markup=False)
            return
        self.push_screen(LinksScreen(article.title, links))

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

    def action_cycle_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]

    def watch_filter(self) -> None:
        self.article_list.empty_message = self._empty_list_message()
        self._update_titles()
        if self._search:
            self._show_search_rows()
            return
        # `f f f` comes back to the article the reader was on, though a filter between
        # (starred, say) did not hold it: while the cursor stays where the last `f` left
        # it, the next `f` looks for the article before the first.
        row = self.article_list.current
        here = row.rowid if row is not None else None
        anchor, landed = self._filter_anchor
        if anchor is None or here != landed:
            anchor = here
        self._filter_anchor = (anchor, None)
        self.reload(keep=anchor)

    def _focus_main(self) -> None:
        if self.screen.has_class("-single") and self.screen.has_class("-reading"):
            self.article_view.focus()
        else:
            self.article_list.focus()

    def watch_scope(self) -> None:
        self.feeds_pane.current = scope_key(self.scope)
        self.search_input.placeholder = (
            f"Search {self.scope.label}…" if self.scope is not None else "Search all articles…"
        )
        self.article_list.empty_message = self._empty_list_message()
        if self.screen.has_class("-reading"):
            self.screen.remove_class("-reading")
        self._update_titles()
        self.reload()
        self.article_list.focus()

    def action_go_back(self) -> None:
        screen = self.screen
        if screen.has_class("-related-overlay"):
            screen.remove_class("-related-overlay")
            self._focus_main()
        elif screen.has_class("-feeds-overlay"):
            self.action_toggle_feeds()
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
        if not self.download_stops_quit():  # (a first q during a download says so)
            self.exit()

    # -- help and palette -----------------------------------------------------------


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
