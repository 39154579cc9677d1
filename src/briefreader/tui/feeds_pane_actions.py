"""The feeds pane's room of the app: where the pane sits (beside the list, over it, or
away) and where the Related sidebar sits (``]``; one overlay at a time), choosing a
feed or tag from the pane, and marking one read (``A``, undone by ``z``; everything
only after a question)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work

from briefreader.store import Library, UnreadCounts
from briefreader.store.sync import SyncStore
from briefreader.tui.article_actions import ArticleActions, _MarkedAllRead
from briefreader.tui.screens.dialogs import ConfirmScreen
from briefreader.tui.screens.feeds import FeedScope, account_label
from briefreader.tui.widgets.feeds_pane import ALL, FeedsPane, PaneCounts, scope_key


class FeedsPaneActions(ArticleActions):
    """The feeds pane's placement, choices and mark-read (on top of the article actions,
    whose undo history ``A`` joins)."""

    #: The feeds pane shows beside the list from this many columns; below, it folds
    #: away (its key shows it over the list instead).  At 120 columns four panes left
    #: the article ~30 columns of text (a reader's trial found it cramped): from 140
    #: it keeps ~40.
    FEEDS_PANE_MIN_WIDTH: ClassVar[int] = 140
    _feeds_pane_wanted: bool | None = None
    """Shown (True) or hidden (False) with its key; None: shown when there are feeds."""

    @property
    def feeds_pane(self) -> FeedsPane:
        return self.query_one(FeedsPane)

    def _unread_counts(self) -> UnreadCounts:
        """The feeds pane's counts, with each account feed's account (called from its
        worker thread)."""
        with self._reader_lock:
            reader = self._get_reader()
            counts = reader.unread_counts()
            try:
                owners = SyncStore(reader).feed_accounts()
            except sqlite3.Error:  # a library from before accounts
                return counts
        if not owners:
            return counts
        named = tuple((feed_id, account_label(a)) for feed_id, a in owners.items())
        return PaneCounts(counts.total, counts.tags, counts.feeds, named)

    def on_resize(self, event: events.Resize) -> None:
        self._place_feeds_pane(event.size.width)  # (before App's own handler: the new width)

    @on(FeedsPane.CountsLoaded)
    def _feeds_counted(self) -> None:
        self._place_feeds_pane()

    def _place_feeds_pane(self, width: int | None = None) -> None:
        """Beside the list when there is room and it is wanted (by default: when there
        are feeds); folded away below FEEDS_PANE_MIN_WIDTH columns."""
        pane = self.feeds_pane
        screen = pane.screen
        wide = (width or self.size.width) >= self.FEEDS_PANE_MIN_WIDTH
        wanted = self._feeds_pane_wanted
        shown = wide and (pane.has_feeds if wanted is None else wanted)
        screen.set_class(shown, "-feeds-shown")
        if wide:
            screen.remove_class("-feeds-overlay")
        if not shown and not screen.has_class("-feeds-overlay") and pane.has_focus_within:
            self._focus_main()

    def action_toggle_feeds(self) -> None:
        pane = self.feeds_pane
        screen = pane.screen
        if self.size.width >= self.FEEDS_PANE_MIN_WIDTH:
            self._feeds_pane_wanted = not screen.has_class("-feeds-shown")
            self._place_feeds_pane()
        else:
            screen.toggle_class("-feeds-overlay")
            screen.remove_class("-related-overlay")
        if screen.has_class("-feeds-shown") or screen.has_class("-feeds-overlay"):
            pane.query_one("#feeds-list").focus()
        elif pane.has_focus_within:
            self._focus_main()

    def action_toggle_related(self) -> None:
        """``]``: hide or show the Related sidebar (wide), else show or hide it over the
        article, closing the feeds pane's overlay (two overlays would cover each other)."""
        screen = self.screen
        if screen.has_class("-wide"):
            screen.toggle_class("-related-hidden")
            if screen.has_class("-related-hidden") and self.sidebar.has_focus_within:
                self.article_list.focus()
            return
        screen.toggle_class("-related-overlay")
        if screen.has_class("-related-overlay"):
            screen.remove_class("-feeds-overlay")
            self.sidebar.query_one("#related-list").focus()
        elif self.sidebar.has_focus_within:
            self._focus_main()

    @on(FeedsPane.Chosen)
    def _feeds_pane_chosen(self, message: FeedsPane.Chosen) -> None:
        self.feeds_pane.screen.remove_class("-feeds-overlay")
        if message.scope == self.scope:
            self._focus_main()
        else:
            self.scope = message.scope  # watch_scope reloads the list and focuses it

    def action_mark_feed_read(self) -> None:
        """``A``: every article of the feed or tag highlighted in the feeds pane (when it
        has focus), else of the feed or tag the list shows (else every article)."""
        pane = self.feeds_pane
        scope = pane.highlighted_scope if pane.has_focus_within else self.scope
        key = scope_key(scope)
        if self.refuse_write("read marks"):
            return
        if pane.counts is not None and not pane.unread_of(key):
            self.notify("Nothing unread there.", timeout=3, markup=False)
            return
        if scope is not None:  # one feed or tag: at once (z undoes it)
            self._mark_feed_worker(scope)
            return
        # Everything in the library, beyond what any list shows: asked first, saying
        # how many (z still undoes it).
        unread = pane.unread_of(ALL) if pane.counts is not None else self.library.count("unread")
        noun = "article" if unread == 1 else "articles"
        question = (
            f"Mark all {unread:,} unread {noun} read, in every feed and file?\n"
            f"{self._key_for('undo_delete')} undoes it."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._mark_feed_worker(None)

        self.push_screen(ConfirmScreen("Mark everything read", question, "mark read"), answered)

    @work(thread=True, group="mark-feed", description="Marking the feed read", exit_on_error=False)
    def _mark_feed_worker(self, scope: FeedScope | None) -> None:
        with Library(self.library_path) as writer:
            feed_ids = None if scope is None else scope.feed_ids(writer.feeds())
            changed = writer.mark_feeds_read(feed_ids)
        self.call_from_thread(self._feed_marked_read, scope, changed)

    def _feed_marked_read(self, scope: FeedScope | None, changed: list[str]) -> None:
        self.reload()
        name = "every article" if scope is None else scope.label
        noun = "article" if len(changed) == 1 else "articles"
        text = f"Marked {len(changed):,} {noun} read: {name}"
        if changed:  # z marks exactly these unread again, as after M
            text += f" — {self._key_for('undo_delete')} to undo"
            self._remember(_MarkedAllRead(tuple(changed), f"{text}."))
        self.notify(f"{text}.", timeout=5, markup=False)

    if TYPE_CHECKING:  # defined by the app

        def _focus_main(self) -> None: ...
