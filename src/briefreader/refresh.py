"""Refreshing feeds: fetch concurrently, parse off the event loop, store per feed.

:func:`refresh_feeds` is shared by ``briefreader refresh`` and the app's ``r`` key.
Fetching runs on one shared client (:mod:`briefreader.fetch`); each fetched body
is parsed in a worker process (parsing is CPU-bound; two cores parse twice as
fast) while the event loop goes on fetching; a feed's items are written as soon
as they are parsed, in one transaction with those of the other feeds parsed while
the writer was busy (one statement for them all: see ``_Run.store``).  One feed
failing never stops the others,
and nothing already stored is lost: a failed fetch or parse only records the error.

Also here: :func:`subscribe` (``briefreader add URL``: a feed URL or a page that
names its feeds) — network and parsing for the library, like refreshing.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NamedTuple, TypeVar

from briefreader.fetch import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BYTES,
    Fetcher,
    FetchRequest,
    FetchResult,
    fetch_one,
)
from briefreader.fetch.body import decode_body
from briefreader.fetch.errors import ExchangeState, Failure, describe
from briefreader.model import Article
from briefreader.sources import SourceError
from briefreader.sources.feed import ParsedFeed, parse_feed
from briefreader.store import FeedInfo, Library, StoreCounts
from briefreader.store.retention import touch_feed
from briefreader.store.rows import content_hash
from briefreader.wording import counted
from briefreader.workers import BrokenProcessPool, WorkerPool, parse_pool

__all__ = [
    "FeedOutcome",
    "RefreshReport",
    "SubscribeResult",
    "refresh",
    "refresh_feeds",
    "subscribe",
]

_T = TypeVar("_T")

Status = Literal["new", "updated", "unchanged", "not-modified", "failed", "skipped"]


@dataclass(slots=True)
class FeedOutcome:
    """How one feed's refresh went."""

    url: str
    title: str
    status: Status
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        name = self.title or self.url
        if self.status == "failed":
            return f"{name}: failed: {self.error}"
        if self.status == "skipped":
            return f"{name}: skipped: {self.error}"
        if self.status == "not-modified":
            return f"{name}: unchanged (not modified)"
        return f"{name}: {self.added} new, {self.updated} updated, {self.unchanged} unchanged"

    def as_dict(self) -> dict[str, object]:
        """The JSON form: every field but ``seconds``."""
        return {k: v for k, v in asdict(self).items() if k != "seconds"}


@dataclass(slots=True)
class RefreshReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)
    seconds: float = 0.0
    pruned: str = ""
    """What retention did after the refresh (briefreader.housekeeping), "" for nothing."""

    @property
    def failed(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def totals(self) -> dict[str, int]:
        return {
            "feeds": len(self.outcomes),
            "new_items": sum(o.added for o in self.outcomes),
            "updated_items": sum(o.updated for o in self.outcomes),
            "not_modified": sum(1 for o in self.outcomes if o.status == "not-modified"),
            "failed": len(self.failed),
            "skipped": sum(1 for o in self.outcomes if o.status == "skipped"),
        }

    def headline(self) -> str:
        """How many feeds were refreshed (and accounts synced), truthfully: "3 feeds
        refreshed", with failures "0 of 3 feeds refreshed, 3 failed"; an account's
        sync (its outcome is named by the account, user@endpoint, where a feed's is
        its http(s) URL) is counted apart: "1 account synced; 2 feeds refreshed".
        The app's toast and the CLI's summary both start with it."""

        def counted(outcomes: list[FeedOutcome], noun: str, verb: str) -> str:
            total = len(outcomes)
            failed = sum(1 for o in outcomes if o.status == "failed")
            skipped = sum(1 for o in outcomes if o.status == "skipped")
            nouns = noun if total == 1 else noun + "s"
            if not failed and not skipped:
                return f"{total:,} {nouns} {verb}"
            text = f"{total - failed - skipped:,} of {total:,} {nouns} {verb}"
            text += f", {failed:,} failed" if failed else ""
            return text + (f", {skipped:,} skipped" if skipped else "")

        accounts = [o for o in self.outcomes if not o.url.startswith(("http://", "https://"))]
        feeds = [o for o in self.outcomes if o.url.startswith(("http://", "https://"))]
        parts = [counted(accounts, "account", "synced")] if accounts else []
        if feeds or not accounts:
            parts.append(counted(feeds, "feed", "refreshed"))
        return "; ".join(parts)

    def summary(self) -> str:
        t = self.totals()
        return (
            f"{self.headline()}: {counted(t['new_items'], 'new item')}, {t['updated_items']:,} updated, "
            f"{t['not_modified']} not modified in {self.seconds:.1f} s"
        ) + (f"; {self.pruned}" if self.pruned else "")


Progress = Callable[[FeedOutcome, int, int], None]


#: Feeds fetched but not yet parsed and stored, beyond the fetches in flight.
BACKLOG = 8

#: Most items stored in one write (several feeds parsed while the last write ran).
STORE_BATCH = 400


class _Waiting(NamedTuple):
    """A feed waiting for the writer (see _Run.store)."""

    feed_id: int
    items: list[Article]
    digests: list[str] | None  # (the items' content hashes; None: not computed)
    future: asyncio.Future[StoreCounts]


#: Why a feed failed when the process parsing it died (a crash, not a bad feed).
WORKER_DIED = "could not parse: the parser process died while reading it"


def _parse(body: bytes, url: str, content_type: str | None) -> ParsedFeed | str:
    """Parse a feed, in a worker process: the feed, or why not as one line.

    Never raises: what crosses back from a worker is plain values, as an exception
    that cannot be rebuilt in the parent (SourceError cannot) breaks the pool and
    every other feed in it."""
    try:
        # Items are rendered when first read (sources/feedlazy.py): a refresh reads
        # many times more items than anyone opens.
        return parse_feed(body, url=url, content_type=content_type, lazy=True)
    except SourceError as exc:
        return exc.reason or str(exc)
    except Exception as exc:
        return f"could not parse ({type(exc).__name__}: {exc})".replace("\n", " ")[:300]


def _parse_to_store(
    body: bytes,
    url: str,
    content_type: str | None,
    encoding: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> _Parsed | str:
    """:func:`_parse` of the body decoded (``encoding``: its Content-Encoding, as the
    fetcher left it; at most ``max_bytes`` decoded, as the fetcher's cap), and each
    item's content hash (in a worker: the storing thread compares it with the stored
    one; ~30 µs an item it no longer holds the GIL for).  Decoding here, not in the
    fetching process, spares that process inflating every body and handing the
    workers four times the bytes (it is the refresh's busiest)."""
    if encoding:
        try:
            body = decode_body(body, encoding, max_bytes=max_bytes)
        except Failure as exc:
            return str(exc)
    parsed = _parse(body, url, content_type)
    if isinstance(parsed, str):
        return parsed
    return _Parsed(parsed, [content_hash(a) for a in parsed.items], len(body))


class _Parsed(NamedTuple):
    """A feed parsed in a worker, with its items' content hashes (in order) and the
    size of the body it read, decoded."""

    feed: ParsedFeed
    digests: list[str]
    size: int


def _cut_short(result: FetchResult, size: int | None = None) -> str:
    """Why a feed whose XML stops before its end is refused: its body (``size``
    bytes decoded, if not ``result.body``'s) was cut short (a Content-Length smaller
    than the document).  Nothing of it is stored."""
    length = (result.headers.get("content-length") or "").strip()
    # (All the bytes the server announced came: the document it serves is broken.)
    said = (
        f" (all {length} bytes its Content-Length announced: the server's copy is cut short or broken)"
        if length.isdigit()
        else ""
    )
    size = len(result.body) if size is None else size
    return f"truncated: the feed stops mid-document after {size} bytes{said}"


def _settle(future: asyncio.Future[StoreCounts], outcome: StoreCounts | Exception) -> None:
    """Hand a feed its store's counts or error (unless it stopped waiting: cancelled)."""
    if future.done():
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class _Run:
    def __init__(
        self,
        library: Library,
        executor: Executor | None,
        progress: Progress | None,
        total: int,
    ) -> None:
        self.library = library
        self.executor = executor
        #: The cap on a feed's decoded body (the fetcher leaves decoding to the parse).
        self.max_bytes = DEFAULT_MAX_BYTES
        self.progress = progress
        self.total = total
        self.report = RefreshReport()
        # One thread does every library write, in order: SQLite releases the GIL while
        # it works (FTS indexing is most of a store), so the event loop goes on
        # fetching meanwhile.
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefreader-store")
        # Feeds parsed and waiting to be stored (see store()), and whether a write of
        # them is under way.
        self.waiting: list[_Waiting] = []
        self.drainer: asyncio.Task[None] | None = None
        self.store_calls = 0

    async def write(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.writer, functools.partial(fn, *args, **kwargs))

    async def store(
        self, feed_id: int, items: list[Article], digests: list[str] | None = None
    ) -> StoreCounts:
        """Store one feed's items; the counts are the feed's own.

        Feeds parsed while the writer is busy are stored together when it is free
        (up to :data:`STORE_BATCH` items a write): one transaction and one statement
        for them all, so the search index writes one segment, not one a feed
        (storing ~17% less CPU on the shared refresh workload).  A feed waits for no
        other: when the writer is idle it is written at once, alone.  If a write of
        several fails, each is stored again alone, so a feed fails only by itself."""
        future: asyncio.Future[StoreCounts] = asyncio.get_running_loop().create_future()
        self.waiting.append(_Waiting(feed_id, items, digests, future))
        if self.drainer is None or self.drainer.done():
            self.drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        """Store the waiting feeds, a batch at a time, until none waits."""
        while self.waiting:
            taken, size = 0, 0
            while taken < len(self.waiting) and (
                not taken or size + len(self.waiting[taken].items) <= STORE_BATCH
            ):
                size += len(self.waiting[taken].items)
                taken += 1
            batch, self.waiting = self.waiting[:taken], self.waiting[taken:]
            await self._store_batch(batch)

    async def _store_batch(self, batch: list[_Waiting]) -> None:
        lib = self.library
        self.store_calls += 1
        try:
            results = await self.write(
                lib.store_feeds,
                [(w.feed_id, w.items) for w in batch],
                digests=[w.digests for w in batch],
            )
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0].future, exc)
                return
            for w in batch:
                try:
                    alone = await self.write(
                        lib.store_feeds, [(w.feed_id, w.items)], digests=[w.digests]
                    )
                except Exception as error:
                    _settle(w.future, error)
                else:
                    _settle(w.future, alone[0])
            return
        for w, counts in zip(batch, results, strict=True):
            _settle(w.future, counts)

    def done(self, outcome: FeedOutcome) -> None:
        self.report.outcomes.append(outcome)
        if self.progress is not None:
            self.progress(outcome, len(self.report.outcomes), self.total)

    async def succeed(self, feed: FeedInfo, result: FetchResult, **details: str) -> None:
        """Record a good fetch: its validators, a permanent move, and ``details``
        (a title or site URL the feed did not have)."""
        await self.write(
            self.library.record_fetch,
            feed.id,
            ok=True,
            status=result.status,
            etag=result.etag,
            last_modified=result.last_modified,
            new_url=result.permanent_url,
            **details,
        )

    async def fail(
        self,
        feed: FeedInfo,
        result: FetchResult,
        reason: str,
        *,
        dead: bool = False,
        retry_after: float | None = None,
    ) -> None:
        """Record a failed feed (its stored articles are not touched) and report it."""
        await self.write(
            self.library.record_fetch,
            feed.id,
            ok=False,
            status=result.status,
            error=reason,
            dead=dead,
            retry_after=retry_after,
        )
        self.done(
            FeedOutcome(
                feed.url,
                feed.titled_name,
                "failed",
                error=reason,
                seconds=result.elapsed,
            )
        )

    async def parse(self, result: FetchResult, url: str, content_type: str | None) -> _Parsed | str:
        """The parsed feed, or why not.  A worker that dies breaks the pool and every
        feed in it: the pool replaces itself, and each feed the break took down is
        parsed again alone, so only a feed that kills its worker again fails."""
        args = (result.body, url, content_type, result.encoding, self.max_bytes)
        if self.executor is None:
            return _parse_to_store(*args)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, _parse_to_store, *args)
        except BrokenProcessPool:
            pass
        except Exception as exc:  # the pool could not take it (shut down, unpicklable)
            return f"could not parse ({type(exc).__name__}: {exc})".replace("\n", " ")[:300]
        if not isinstance(self.executor, WorkerPool):
            return WORKER_DIED
        try:
            return await self.executor.run_alone(_parse_to_store, *args)
        except BrokenProcessPool:
            return WORKER_DIED
        except Exception as exc:
            return f"could not parse ({type(exc).__name__}: {exc})".replace("\n", " ")[:300]

    async def handle(self, feed: FeedInfo, result: FetchResult) -> None:
        lib = self.library
        now = time.time()
        if result.error is not None:
            retry_at = now + result.retry_after if result.retry_after else None
            await self.fail(feed, result, result.error, dead=result.gone, retry_after=retry_at)
            return
        if result.not_modified:
            await self.succeed(feed, result)
            # It still serves what it served: its tombstones stay (store/retention.py).
            await self.write(touch_feed, lib, feed.id)
            self.done(
                FeedOutcome(feed.url, feed.titled_name, "not-modified", seconds=result.elapsed)
            )
            return
        content_type = result.headers.get("content-type") or result.content_type
        done = await self.parse(result, feed.url, content_type)
        if isinstance(done, str):
            await self.fail(feed, result, done)
            return
        parsed = done.feed
        if parsed.ends_early:
            await self.fail(feed, result, _cut_short(result, done.size))
            return
        # The related index is brought up to date after the run (index_related), not
        # feed by feed: it would double the refresh's cost on the event loop.
        counts = await self.store(feed.id, list(parsed.items), done.digests)
        title = feed.title or parsed.title
        await self.succeed(
            feed,
            result,
            title=title if not feed.title else "",
            site_url=parsed.site_url if not feed.site_url else "",
        )
        status: Status = "new" if counts.added else "updated" if counts.updated else "unchanged"
        self.done(
            FeedOutcome(
                feed.url,
                feed.user_title or title,  # (the user's name for it, else the title just read)
                status,
                added=counts.added,
                updated=counts.updated,
                unchanged=counts.unchanged,
                seconds=result.elapsed,
            )
        )


async def sync_accounts_first(
    library: Library, deadline: float, executor: Executor | None = None
) -> tuple[list[FeedOutcome], set[int]]:
    """Accounts on a reader's server (briefreader.sync) are synced before the feeds
    are fetched, each one outcome in the report, so one key and one command do
    everything; the feeds an account owns are its server's to fetch, and the
    refresh leaves them out (their ids are returned)."""
    import sqlite3

    from briefreader.store.sync import SyncStore
    from briefreader.sync import sync_accounts

    store = SyncStore(library)
    try:
        if not store.accounts():
            return [], set()
    except sqlite3.OperationalError:  # a read-only library from before accounts
        return [], set()
    outcomes: list[FeedOutcome] = []
    for r in await sync_accounts(library, deadline=deadline, executor=executor):
        status: Status = "failed" if r.error else "new" if r.new_items else "unchanged"
        error = r.error.removeprefix(f"{r.account}: ")
        outcomes.append(
            FeedOutcome(r.account, r.account, status, r.new_items, error=error, seconds=r.seconds)
        )
    return outcomes, store.owned_feed_ids()


async def refresh_feeds(
    library: Library,
    feeds: Sequence[FeedInfo] | None = None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    per_host: int | None = None,
    deadline: float = 30.0,
    executor: Executor | None = None,
    progress: Progress | None = None,
    include_dead: bool = False,
) -> RefreshReport:
    """Refresh feeds (all by default); returns what happened to each.

    Dead feeds (410 Gone) are skipped unless ``include_dead``; a feed that asked us
    to come back later (Retry-After) is skipped until then.
    """
    started = time.perf_counter()
    accounts, owned = await sync_accounts_first(library, deadline, executor)
    targets = [f for f in (library.feeds() if feeds is None else feeds) if f.id not in owned]
    now = time.time()
    run = _Run(library, executor, progress, len(targets) + len(accounts))
    for outcome in accounts:
        run.done(outcome)
    to_fetch: list[FeedInfo] = []
    for feed in targets:
        if feed.dead and not include_dead:
            run.done(
                FeedOutcome(
                    feed.url,
                    feed.titled_name,
                    "skipped",
                    error="gone (HTTP 410); remove it or re-add it",
                )
            )
        elif feed.retry_after and feed.retry_after > now:
            wait = int(feed.retry_after - now)
            run.done(
                FeedOutcome(
                    feed.url,
                    feed.titled_name,
                    "skipped",
                    error=f"server asked to wait {wait} s more",
                )
            )
        else:
            to_fetch.append(feed)
    # Feeds fetched and not yet stored are bounded (BACKLOG beyond the fetches in
    # flight): parsing and storing are slower than fetching, and the bodies and parsed
    # items of hundreds of feeds would otherwise wait in memory (~1 MB a feed).
    backlog = asyncio.Semaphore(concurrency + BACKLOG)

    async def one(fetcher: Fetcher, feed: FeedInfo) -> None:
        async with backlog:
            request = FetchRequest(feed.url, feed.etag, feed.last_modified)
            try:
                result = await fetcher.fetch(request)
            except Exception as exc:  # (as Fetcher.iter_fetch: a bug here fails one feed)
                error = describe(exc, ExchangeState(feed.url), deadline)
                result = FetchResult(url=feed.url, final_url=feed.url, error=error)
            await run.handle(feed, result)

    try:
        async with Fetcher(
            concurrency=concurrency,
            per_host=per_host,
            deadline=deadline,
            max_bytes=run.max_bytes,
            decode=False,  # (in the parse: _parse_to_store)
        ) as fetcher:
            await asyncio.gather(*(one(fetcher, feed) for feed in to_fetch))
    finally:
        run.writer.shutdown(wait=True)
    run.report.seconds = time.perf_counter() - started
    return run.report


def refresh(
    library: Library,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    per_host: int | None = None,
    deadline: float = 30.0,
    progress: Progress | None = None,
    include_dead: bool = False,
) -> RefreshReport:
    """Blocking refresh for the command line: parses in a process pool."""
    with parse_pool() as executor:
        # Start the workers before the event loop (and its threads) exist.
        executor.submit(int).result()
        report = asyncio.run(
            refresh_feeds(
                library,
                concurrency=concurrency,
                per_host=per_host,
                deadline=deadline,
                executor=executor,
                progress=progress,
                include_dead=include_dead,
            )
        )
    from briefreader.housekeeping import after_refresh

    report.pruned = after_refresh(library).line()  # the config's retention, then upkeep
    return report


# ---------------------------------------------------------------------------------
# subscribing


@dataclass(slots=True)
class SubscribeResult:
    url: str = ""
    title: str = ""
    created: bool = False
    items: int = 0
    """Items stored or updated by this subscription (new to the library)."""
    served: int = 0
    """Items the feed serves now (stored before, or by this subscription)."""
    error: str = ""
    candidates: list[str] = field(default_factory=list)


async def subscribe_async(
    library: Library, url: str, *, tags: Sequence[str] = ()
) -> SubscribeResult:
    """Subscribe to ``url``: a feed, or a web page whose ``<link rel=alternate>``
    names its feeds (the first is taken; all are listed in ``candidates``).

    The feed is fetched and parsed once, so a wrong URL fails here, not later, and
    its first items are stored at once.
    """
    from briefreader.sources.discover import discover_feeds, looks_like_feed

    result = await fetch_one(url)
    if result.error is not None:
        return SubscribeResult(url=url, error=result.error)
    feed_url = result.permanent_url or url
    body, content_type = result.body, result.headers.get("content-type") or result.content_type
    candidates: list[str] = []
    if not looks_like_feed(body, result.content_type):
        found = discover_feeds(body, result.final_url)
        candidates = [f.url for f in found]
        if not found:
            if not body.strip():  # (as a refresh of it says)
                return SubscribeResult(url=url, error="empty document, not a feed")
            return SubscribeResult(url=url, error="not a feed, and the page names no feed")
        feed_url = found[0].url
        result = await fetch_one(feed_url)
        if result.error is not None:
            return SubscribeResult(url=feed_url, error=result.error, candidates=candidates)
        feed_url = result.permanent_url or feed_url
        body, content_type = result.body, result.headers.get("content-type") or result.content_type
    parsed = await asyncio.to_thread(_parse, body, feed_url, content_type)
    if isinstance(parsed, str):
        return SubscribeResult(url=feed_url, error=parsed, candidates=candidates)
    if parsed.ends_early:
        return SubscribeResult(url=feed_url, error=_cut_short(result), candidates=candidates)
    feed, created = library.add_feed(
        feed_url, title=parsed.title, site_url=parsed.site_url, tags=tags
    )
    counts = library.store(parsed.items, feed_id=feed.id)
    library.record_fetch(
        feed.id, ok=True, status=result.status, etag=result.etag, last_modified=result.last_modified
    )
    return SubscribeResult(
        url=feed.url,
        title=feed.title or parsed.title,
        created=created,
        items=counts.added + counts.updated,
        served=counts.added + counts.updated + counts.unchanged,
        candidates=candidates,
    )


def subscribe(library: Library, url: str, *, tags: Sequence[str] = ()) -> SubscribeResult:
    return asyncio.run(subscribe_async(library, url, tags=tags))
