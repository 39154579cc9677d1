"""The network and the worker processes, as a service for the reading app.

The app never opens a socket or starts a process itself: it asks a
:class:`FeedService` to refresh feeds, subscribe, remove a feed, fetch an
article's full text, or do a step of background upkeep (related indexing and
story grouping).  The service owns the process pools (started on first use,
shut down by :meth:`FeedService.close`) and imports the fetching modules only
when first asked, so opening the app costs none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from briefreader.store import Library, LibraryError

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from briefreader.config import Config
    from briefreader.enclosures import DownloadOutcome
    from briefreader.fulltext import FullText
    from briefreader.media.cache import ImageCache
    from briefreader.media.loader import ImageOutcome
    from briefreader.model import Article, Enclosure
    from briefreader.refresh import RefreshReport, SubscribeResult
    from briefreader.store import FeedInfo

__all__ = ["FeedDone", "FeedService", "Progress", "subscribe_typed"]


class FeedDone(Protocol):
    """What a progress callback learns of one feed that finished refreshing."""

    @property
    def added(self) -> int: ...

    @property
    def updated(self) -> int: ...


#: Called on the event loop as each feed finishes: (the feed, feeds done, feeds in all).
Progress = Callable[[FeedDone, int, int], None]


#: How a fetch's error starts when https could not be spoken at all (no TLS on
#: that port, nothing listening): then an address typed without a scheme is tried
#: as http, as a browser's address bar does.
NO_HTTPS = ("TLS error", "connection refused", "cannot connect")


async def subscribe_typed(library: Library, text: str) -> SubscribeResult:
    """Subscribe to what was typed: a URL as it is; an address with no scheme as
    https, else (https could not connect) as http.  The result's ``url`` says
    which was used; when both fail, the error names both."""
    from briefreader.refresh import SubscribeResult, subscribe_async

    text = text.strip()
    if any(c.isspace() for c in text):  # (fetched, it was a DNS lookup of "a%20b")
        return SubscribeResult(
            url=text,
            error="that is not a web address (it has spaces); "
            "a feed's address looks like example.com/feed.xml",
        )
    if "://" in text:
        return await subscribe_async(library, text)
    secure = await subscribe_async(library, "https://" + text)
    if not secure.error or not secure.error.startswith(NO_HTTPS):
        return secure
    plain = await subscribe_async(library, "http://" + text)
    if plain.error and plain.error.startswith(NO_HTTPS):  # (neither connected)
        plain.error = f"{plain.error} (and over https: {secure.error})"
    return plain


class FeedService:
    """Feeds, full text and background upkeep for one library file.

    ``parse_workers``: processes that parse feeds (None: the refresh module's
    default), forked from the refresh's own process.
    """

    def __init__(self, library_path: Path, *, parse_workers: int | None = None) -> None:
        self.library_path = Path(library_path)
        self.parse_workers = parse_workers
        #: The process of the refresh under way (:meth:`refresh`), None when none is.
        self.refresh_pid: int | None = None
        self._background_pool: Executor | None = None
        self._image_cache: ImageCache | None = None
        #: Where images are cached and enclosures downloaded (None: the platform's).
        self.image_folder: Path | None = None
        self.download_folder: Path | None = None

    # -- the processes -----------------------------------------------------------------

    def close(self) -> None:
        """Stop the background pool (at once: queued work is dropped) and a refresh
        under way (its process; nothing stored is lost)."""
        if self._background_pool is not None:
            self._background_pool.shutdown(wait=False, cancel_futures=True)
        self._background_pool = None
        pid = self.refresh_pid
        if pid is not None:
            from briefreader.workers import started_here

            if started_here(pid):
                with contextlib.suppress(OSError):  # (it ended meanwhile)
                    os.kill(pid, signal.SIGTERM)

    # -- feeds -----------------------------------------------------------------------

    async def refresh(
        self, feeds: Sequence[FeedInfo], *, progress: Progress | None = None
    ) -> RefreshReport:
        """Refresh ``feeds`` of the library (accounts first, as ``briefreader
        refresh`` does) in a low-priority process of its own
        (:mod:`briefreader.refresh_child`): the app's process only hears how each
        feed went.  ``RefreshProcessError`` when that process stops without a report."""
        from briefreader.refresh_child import refresh_in_child

        def started(pid: int) -> None:
            self.refresh_pid = pid

        try:
            return await refresh_in_child(
                self.library_path,
                [feed.id for feed in feeds],
                workers=self.parse_workers,
                progress=progress,
                started=started,
            )
        finally:
            self.refresh_pid = None

    def subscribe(self, url: str) -> SubscribeResult:
        """Subscribe to ``url`` (a feed or a page that names one) and read its items
        (blocking: call it from a thread).  An address typed without a scheme is
        tried as https, then as http when https cannot connect
        (:func:`subscribe_typed`)."""
        with Library(self.library_path) as writer:
            return asyncio.run(subscribe_typed(writer, url))

    def remove_feed(self, url: str) -> int | None:
        """Unsubscribe; how many of its articles were deleted, None when there is no
        such feed (blocking).  A feed an account owns is unsubscribed on its server
        first (briefreader.sync; ``AccountError`` when that fails)."""
        from briefreader.sync import unsubscribe_feed

        with Library(self.library_path) as writer:
            feed = writer.feed(url)
            removed = asyncio.run(unsubscribe_feed(writer, feed.id)) if feed else None
            return writer.remove_feed(url) if removed is None else removed

    def subscribe_account(self, account_id: int, url: str, *, folder: str = "") -> str:
        """Subscribe an account (by its id) to a feed on its server, then sync it so
        the feed and its items arrive (blocking: call it from a thread).  Returns the
        sync's one-line summary; ``AccountError`` when it cannot be done."""
        from briefreader.store.sync import SyncStore
        from briefreader.sync import AccountError, subscribe_feed

        with Library(self.library_path) as writer:
            account = SyncStore(writer).account(account_id)
            if account is None:
                raise AccountError(f"no account {account_id}")
            report = asyncio.run(subscribe_feed(writer, account, url, folder=folder))
        if not report.ok:
            raise AccountError(report.error)
        return report.line()

    # -- pictures and media (briefreader.media, briefreader.enclosures) -------------

    async def load_image(self, url: str, *, fetch: bool = True) -> ImageOutcome:
        """A lead image from the disk cache, else (``fetch``) from the network,
        decoded off the event loop; an outcome with a note when there is none."""
        from briefreader.media.cache import ImageCache, default_cache_dir
        from briefreader.media.loader import load_image

        if self._image_cache is None:
            self._image_cache = ImageCache(self.image_folder or default_cache_dir())
        return await load_image(url, self._image_cache, fetch=fetch)

    async def download_enclosure(
        self,
        article: Article,
        enclosure: Enclosure,
        *,
        on_progress: Callable[[int, int | None], None] | None = None,
    ) -> DownloadOutcome:
        """Download an enclosure into the downloads folder (resumable) and remember
        it in the library."""
        from briefreader.enclosures import download_enclosure
        from briefreader.paths import downloads_dir

        with Library(self.library_path) as writer:
            return await download_enclosure(
                writer, article, enclosure, self.download_folder or downloads_dir(),
                on_progress=on_progress,
            )  # fmt: skip

    def play(self, enclosure: Enclosure, player: tuple[str, ...]) -> str:
        """Play an enclosure in the user's player (its downloaded file when whole,
        else its address); a one-line note of what happened."""
        from briefreader.enclosures import play

        with Library.for_reading(self.library_path) as reader:
            known = reader.download(enclosure.url)
        if known is not None and known.complete and Path(known.path).is_file():
            return play(known.path, player)
        return play(enclosure.url, player)

    async def full_text(self, url: str) -> FullText:
        """An article page's main text (``error`` says why there is none)."""
        from briefreader.fulltext import fetch_full_text

        return await fetch_full_text(url)

    # -- background upkeep -------------------------------------------------------------

    async def index_step(self, index_batch: int, story_batch: int) -> tuple[int, int, bool]:
        """Index up to ``index_batch`` queued articles for Related, then group up to
        ``story_batch`` into stories, in a low-priority process.  Returns (indexed,
        grouped, more to do)."""
        from briefreader.workers import background_pool, index_and_group

        if not await asyncio.to_thread(self._upkeep_pending):
            return 0, 0, False  # nothing queued: no process is started for nothing
        if self._background_pool is None:
            self._background_pool = background_pool()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._background_pool,
            index_and_group,
            str(self.library_path),
            index_batch,
            story_batch,
        )

    async def housekeeping(self, config: Config) -> str:
        """The config's retention, then the file's upkeep (statistics, search index
        segments, free pages: briefreader.housekeeping), in the low-priority background
        process.  Returns what was pruned, "" for nothing."""
        from briefreader.housekeeping import background_upkeep
        from briefreader.workers import background_pool

        if self._background_pool is None:
            self._background_pool = background_pool()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._background_pool, background_upkeep, str(self.library_path), config
        )

    def _upkeep_pending(self) -> bool:
        """Whether any article waits to be indexed or grouped (a read-only look)."""
        try:
            with Library(self.library_path, readonly=True) as library:
                return bool(library.related_pending() or library.stories_pending())
        except (LibraryError, sqlite3.Error):
            return True  # let the background process find out, and report it
