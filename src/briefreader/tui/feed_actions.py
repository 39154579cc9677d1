"""The app's feeds: refresh (``r``, and on a timer), add a feed (``a``), the feeds
screen (F2) and its renames and removals, and an article's full text (``F``).

Everything that reaches the network or a worker process goes through the
:class:`~briefreader.services.FeedService` (``self.service``).  Refreshing runs in
a process of the service's (:mod:`briefreader.refresh_child`: fetching, parsing
and storing never compete with the keyboard), watched by an async worker; the
list is re-read (debounced) as feeds arrive, keeping the cursor's article where
it is on screen.  Subscribing, removing and fetching full
text run in workers and post a message back (:mod:`briefreader.tui.messages`).
"""

from __future__ import annotations

import sqlite3
import time

from textual import on, work
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widgets import Static

from briefreader.reading import with_full_text
from briefreader.services import FeedDone
from briefreader.store import FeedInfo, Library, LibraryError
from briefreader.store.sync import SyncStore
from briefreader.tui.base import ReaderBase
from briefreader.tui.failures import error_text
from briefreader.tui.formatting import safe_line
from briefreader.tui.messages import FeedRemoved, FeedSubscribed, FullTextReady
from briefreader.tui.screens.feeds import FeedScope, FeedsListing, FeedsScreen, account_label
from briefreader.wording import counted

__all__ = ["FeedActions"]


class FeedActions(ReaderBase):
    """Refresh, add and remove feeds, the feeds screen, and full text."""

    #: The URLs of the feeds that failed in the last refresh (an automatic refresh
    #: reports a feed's failure once, when it starts).
    _failing_feeds: frozenset[str] = frozenset()
    #: When the list was last re-read for a refresh (time.monotonic()).
    _list_updated_at: float = float("-inf")
    #: The accounts the running refresh syncs first (their headings, in order).
    _refresh_accounts: list[str] = []  # noqa: RUF012 - replaced, never changed in place

    def action_refresh(self) -> None:
        if self.refuse_write("refreshed feeds"):
            return
        if self._refreshing:
            self._feeds_notice("Already refreshing the feeds…", timeout=2)
            return
        self._refreshing = True
        self._refresh_worker()

    def _refresh_on_timer(self) -> None:
        if not self._refreshing and not self.library.readonly:
            self._refreshing = True
            self._refresh_worker(quiet=True)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh_worker(self, quiet: bool = False) -> None:
        """Refresh every feed, in the service's refresh process (this worker reads the
        feeds and accounts, then hears how each feed went)."""
        try:
            library = Library(self.library_path)
        except LibraryError as exc:
            self._refreshing = False
            self.notify(str(exc), title="Refresh", severity="error", markup=False)
            return
        try:
            feeds = library.feeds()
            try:
                accounts = [account_label(a) for a in SyncStore(library).accounts()]
            except sqlite3.Error:  # a library from before accounts
                accounts = []
            if not feeds and not accounts:
                self.reload()
                if not quiet and isinstance(self.screen, FeedsScreen):
                    # (its detail line says how to add a feed already)
                    self._feeds_notice("Nothing to refresh yet.", timeout=8)
                elif not quiet:
                    self._feeds_notice(
                        f"No feeds yet: press {self._key_for('add_feed')} to add one "
                        "(or from a terminal: briefreader add URL, briefreader import FILE.opml). "
                        "The list was reloaded from the library.",
                        timeout=8,
                    )
                return
            self._refresh_new = 0
            self._refresh_accounts = accounts
            # The accounts are synced first (their server fetches their feeds).
            if accounts:
                self.status_text = f"Syncing {', '.join(accounts)}…"
            else:
                self.status_text = f"Refreshing 0/{len(feeds)} feeds…"
            library.close()  # (the refresh's process has its own connection)
            report = await self.service.refresh(feeds, progress=self._refresh_progress)
        except Exception as exc:  # never a traceback over the reader's screen
            self.notify(
                f"Refresh stopped: {error_text(exc)}",
                title="Refresh",
                severity="error",
                markup=False,
            )
            return
        finally:
            library.close()
            self._refreshing = False
            self.status_text = ""
        failing = {o.url: o.title or o.url for o in report.failed}
        self._refresh_done(
            report.totals(), quiet=quiet, failing=failing, headline=report.headline()
        )

    def _refresh_progress(self, outcome: FeedDone, done: int, total: int) -> None:
        """One feed finished (called on the event loop, from the refresh worker)."""
        self._refresh_new += outcome.added
        synced = len(self._refresh_accounts)  # (their outcomes come first)
        if done <= synced:
            label = self._refresh_accounts[done - 1]
            self.status_text = f"Synced {label} · {self._refresh_new:,} new"
            if done < synced:
                self.status_text += f" · syncing {self._refresh_accounts[done]}…"
            elif total > synced:
                self.status_text += f" · refreshing {total - synced:,} feeds…"
        else:
            self.status_text = (
                f"Refreshing {done - synced}/{total - synced} feeds · {self._refresh_new:,} new"
            )
        if outcome.added or outcome.updated:
            self._schedule_list_update()

    def _schedule_list_update(self) -> None:
        """Re-read the list: at once when it was not re-read in the last
        LIST_UPDATE_DELAY s (the first feed of a refresh shows at once), else when
        that much time has passed (at most that often while feeds arrive)."""
        if self._list_timer is not None:
            return
        since = time.monotonic() - self._list_updated_at
        if since >= self.LIST_UPDATE_DELAY:
            self._list_update()
        else:
            self._list_timer = self.set_timer(self.LIST_UPDATE_DELAY - since, self._list_update)

    def _list_update(self) -> None:
        self._list_timer = None
        self._list_updated_at = time.monotonic()
        self.reload(stay=True)
        self._reload_feeds_screen()

    def _reload_feeds_screen(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, FeedsScreen):
                screen.reload()

    def _refresh_done(
        self,
        totals: dict[str, int],
        *,
        quiet: bool,
        failing: dict[str, str] | None = None,
        headline: str = "",
    ) -> None:
        """The list re-read and one toast: after ``r``, the whole summary; after an
        automatic refresh, only new articles and feeds that have just started failing
        (a feed that stays down is reported once; the feeds screen shows its error)."""
        if self._list_timer is not None:
            self._list_timer.stop()
            self._list_timer = None
        self.reload(stay=True)
        self._reload_feeds_screen()
        self._housekeeping_due = True  # retention and upkeep after the indexing (upkeep.py)
        self._index_related()
        failing = failing or {}
        known = self._failing_feeds
        self._failing_feeds = frozenset(failing)
        feeds, new, failed = totals["feeds"], totals["new_items"], totals["failed"]
        on_feeds_screen = isinstance(self.screen, FeedsScreen)
        errors_hint = (
            ""
            if on_feeds_screen
            else f"press {self._key_for('feeds')} for the feeds and their errors"
        )
        if quiet:
            newly = [name for url, name in failing.items() if url not in known]
            parts = [counted(new, "new article")] if new else []
            if newly:
                names = ", ".join(safe_line(n) for n in newly[:3])
                more = f" and {len(newly) - 3} more" if len(newly) > 3 else ""
                parts.append(
                    f"{names}{more} failed to refresh"
                    + (f" ({errors_hint})" if errors_hint else "")
                )
            if parts:
                self._feeds_notice(
                    "; ".join(parts) + ".",
                    severity="warning" if newly else "information",
                    timeout=8 if newly else 4,
                )
            return
        # The headline is the refresh report's, as the CLI prints it: a failed feed
        # is never counted as refreshed.
        text = headline or f"{counted(feeds, 'feed')} refreshed"
        if feeds - failed - totals["skipped"] > 0 or not failed:
            text += f": {counted(new, 'new article')}"
        text += "."
        if failed and errors_hint:
            text += f" {errors_hint[0].upper()}{errors_hint[1:]}."
        self._feeds_notice(
            text, severity="warning" if failed else "information", timeout=8 if failed else 4
        )

    def _feeds_notice(
        self, text: str, *, severity: SeverityLevel = "information", timeout: float
    ) -> None:
        """A refresh's word: on the feeds screen, its own message line (a toast would
        cover the feed's detail, where the errors are); elsewhere a toast."""
        screen = self.screen
        if isinstance(screen, FeedsScreen):
            screen.show_message(text, severity=severity)
            return
        self.notify(
            text,
            title="Refresh",
            severity=severity,
            markup=False,
            timeout=timeout,
        )

    def watch_status_text(self, text: str) -> None:
        # One line of a fixed height across the screen: new text never changes its
        # size, so it repaints that line only.  (Static.update lays out the whole
        # screen again by default, and a refresh changes the text once a feed: 500
        # full-screen redraws during a refresh of 500 feeds.)  Showing or hiding the
        # line is a change of display, which lays out the screen by itself.
        status = self.query_one("#status", Static)
        status.update(Content(text), layout=False)
        status.set_class(bool(text), "-shown")

    def action_add_feed(self) -> None:
        if self.refuse_write("new feeds"):
            return
        self._open_add_feed()

    def _open_add_feed(
        self, text: str = "", error: str = "", account_id: int | None = None
    ) -> None:
        """The add-feed dialog (again, after an error: with what was typed and why it
        failed); with accounts, it asks where to subscribe."""
        from briefreader.tui.screens.dialogs import AddFeedRequest, AddFeedScreen

        def chosen(request: AddFeedRequest | None) -> None:
            if request is None:
                return
            if request.account_id is None:
                self.status_text = f"Adding {safe_line(request.text)}…"
                self._subscribe_worker(request.text)
            else:
                label = accounts.get(request.account_id, "the account")
                self.status_text = f"Subscribing on {label}…"
                self._subscribe_account_worker(request.account_id, label, request.text)

        accounts = self._account_labels()
        self.push_screen(
            AddFeedScreen(text, error, accounts=list(accounts.items()), account_id=account_id),
            chosen,
        )

    def _account_labels(self) -> dict[int, str]:
        """``{account id: its heading}`` (a tiny table; none in an old library)."""
        try:
            with self._reader_lock:
                found = SyncStore(self._get_reader()).accounts()
        except sqlite3.Error:
            return {}
        return {a.id: account_label(a) for a in found}

    def _sample_count(self) -> int:
        with Library(self.library_path, readonly=True) as library:
            return library.sample_count()

    @work(thread=True, group="subscribe", exit_on_error=False)
    def _subscribe_worker(self, text: str) -> None:
        try:
            samples = self._sample_count()
            result = self.service.subscribe(text)
            gone = samples - self._sample_count() if samples else 0
        except Exception as exc:  # e.g. the library is locked: one line, not a traceback
            self.post_message(FeedSubscribed(text, "", False, 0, error_text(exc), typed=text))
            return
        self.post_message(
            FeedSubscribed(
                result.url,
                result.title,
                result.created,
                result.items,
                result.error,
                typed=text,
                samples_removed=gone,
            )
        )

    @work(thread=True, group="subscribe", exit_on_error=False)
    def _subscribe_account_worker(self, account_id: int, label: str, text: str) -> None:
        from briefreader.tui.screens.dialogs import normalise_feed_url

        url = normalise_feed_url(text)
        try:
            samples = self._sample_count()
            line = self.service.subscribe_account(account_id, url)
            gone = samples - self._sample_count() if samples else 0
        except Exception as exc:  # AccountError: the server refused, or is down
            error = str(exc) if type(exc).__name__ == "AccountError" else error_text(exc)
            self.post_message(FeedSubscribed(url, "", False, 0, error, typed=text, account=label))
            return
        self.post_message(
            FeedSubscribed(
                url, "", True, 0, "", typed=text, account=label, line=line, samples_removed=gone
            )
        )

    @on(FeedSubscribed)
    def _feed_subscribed(self, message: FeedSubscribed) -> None:
        if self.status_text.startswith(("Adding ", "Subscribing on ")):
            self.status_text = ""
        if message.error:
            # The dialog again, with what was typed and why it failed.
            where = next(
                (i for i, label in self._account_labels().items() if label == message.account),
                None,
            )
            self._open_add_feed(message.typed or message.url, safe_line(message.error), where)
            return
        name = safe_line(message.title or message.url)
        noun = "article" if message.items == 1 else "articles"
        if message.account:
            text = f"Subscribed to {name} on {message.account}: {safe_line(message.line)}."
            title = "Feed added"
        elif message.created:
            text, title = f"Subscribed to {name}: {message.items:,} {noun}.", "Feed added"
        else:
            text = f"Already subscribed to {name}; {message.items:,} {noun} read again."
            title = "Already subscribed"
        if not message.account and "://" not in message.typed:
            scheme = message.url.partition("://")[0]
            if scheme == "http":
                text += " Over plain http: https did not connect."
        if message.samples_removed:
            count = message.samples_removed
            text += (
                f" The {count:,} sample brief{'' if count == 1 else 's'} made way for it "
                "(starred ones stay); from a terminal, briefreader add --samples brings "
                "them back."
            )
        self.notify(text, title=title, markup=False, timeout=10 if message.samples_removed else 5)
        self.reload(stay=True)
        self._reload_feeds_screen()
        self._index_related()

    def action_feeds(self) -> None:
        def chosen(scope: FeedScope | None) -> None:
            if scope is not None:
                self.scope = scope

        self.push_screen(FeedsScreen(self._load_feeds, clock=self.clock), chosen)

    def _load_feeds(self) -> FeedsListing:
        """Every feed with its counts and its account, if any, and the library's
        counts (called from the feeds screen's worker thread)."""
        with self._reader_lock:
            reader = self._get_reader()
            try:
                owners = SyncStore(reader).feed_accounts()
            except sqlite3.Error:  # a library from before accounts, opened read-only
                owners = {}
            return FeedsListing(
                reader.feeds(), owners, total=reader.count("all"), unread=reader.count("unread")
            )

    def rename_feed(self, feed_id: int, name: str) -> None:
        """Give a feed the user's name ("" = its own title again; the feeds screen's
        ``e``), in a worker; then everything that names it is drawn again."""
        if self.refuse_write("renaming a feed"):
            return
        self._rename_feed_worker(feed_id, name)

    @work(thread=True, group="rename", description="Renaming the feed", exit_on_error=False)
    def _rename_feed_worker(self, feed_id: int, name: str) -> None:
        with Library(self.library_path) as writer:
            feed = writer.rename_feed(feed_id, name)
        if feed is not None:
            self.call_from_thread(self._feed_renamed, feed)

    def _feed_renamed(self, feed: FeedInfo) -> None:
        name = safe_line(feed.name)
        if feed.user_title:
            self.notify(f"The feed is now called {name}.", timeout=4, markup=False)
        else:
            self.notify(f"The feed goes by its own title again: {name}.", timeout=4, markup=False)
        article = self.current
        if article is not None:  # its meta line names the feed: drawn again
            self.current = None
            self.show_article(article.id)
        if (
            self.scope is not None
            and self.scope.kind == "feed"
            and self.scope.value == str(feed.id)
        ):
            self.scope = FeedScope("feed", str(feed.id), name)  # (reloads the list)
        else:
            self.reload()  # the rows are read again (their source), the pane's counts too
        self._reload_feeds_screen()

    def remove_feed(self, url: str, name: str) -> None:
        """Unsubscribe (the feeds screen's ``d``, after its question), in a worker."""
        if self.refuse_write("removing a feed"):
            return
        self._remove_feed_worker(url, name)

    @work(thread=True, group="remove", exit_on_error=False)
    def _remove_feed_worker(self, url: str, name: str) -> None:
        try:
            removed = self.service.remove_feed(url)
        except Exception as exc:
            self.post_message(FeedRemoved(url, f"{name} ({error_text(exc)})", None))
            return
        self.post_message(FeedRemoved(url, name, removed))

    @on(FeedRemoved)
    def _feed_removed(self, message: FeedRemoved) -> None:
        if message.removed is None:
            self.notify(
                f"Could not remove {safe_line(message.name)}.", severity="error", markup=False
            )
        else:
            self._forget_undo()  # (z cannot bring a feed back, nor go past its removal)
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
        try:
            result = await self.service.full_text(url)
        except Exception as exc:
            self.post_message(FullTextReady(article_id, "", error_text(exc)))
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
        if not self.refuse_write("the full text (shown now)"):
            self.library.set_full_text(message.article_id, message.text)
        if self.current is not None and self.current.id == message.article_id:
            article = with_full_text(self.current, message.text)
            self.current = article
            self.article_view.show_article(article, full_text=True)
