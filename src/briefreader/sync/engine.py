"""One sync of one account: pull subscriptions, new items and the server's
read/starred state; reconcile with local changes; push what is queued.

The order makes an interrupted sync (a lost connection, kill -9) harmless, and the
next one completes it with nothing lost or doubled:

1. **Read** everything needed from the server first (subscriptions, the unread and
   starred id lists, the ids of items since the last pull, the contents of items the
   library does not have).  A failure here changes nothing in the library.
2. **Store**: feeds (folders as tags), then articles, then their id map and server
   state (one quiet transaction per batch; articles have stable ids, so storing a
   batch again is a no-op).
3. **Reconcile** known items: a state the server changed since the last pull is
   applied locally, unless the same article has a queued local change that is
   later (see :func:`server_is_later`).  A new item whose article the library
   already had keeps a local read or star made after the item reached the server
   (its ``crawlTimeMsec``, by our clock through the answers' ``updated``), and
   that is queued to be pushed.
4. **Push** the queue with ``edit-tag`` in batches; each change leaves the queue only
   once the server has taken it (and only if it did not change again meanwhile).
5. The checkpoint (``last_pull``) moves only after 1-3 are done.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from briefreader.fetch.errors import one_line
from briefreader.fetch.greader import (
    READ,
    READING_LIST,
    STARRED,
    GReaderClient,
    GReaderError,
    ItemIds,
    Subscription,
)
from briefreader.sources.feed import feed_item_id
from briefreader.store import Library
from briefreader.store.sync import Account, Pending, SyncStore
from briefreader.sync.items import RemoteItem, StreamFeed, parse_batch

__all__ = ["FIRST_SYNC_ITEMS", "SINCE_MARGIN", "SyncReport", "server_is_later", "sync_account"]

#: Items the first sync brings (newest first), beside every unread and starred one.
FIRST_SYNC_ITEMS = 10_000
#: A pull asks for items the server got since this many seconds before the last pull
#: began (clock differences, items being stored while we listed).
SINCE_MARGIN = 6 * 3600

#: Items asked for per items/contents request.
_CONTENTS_BATCH = 250
#: Articles stored per transaction (with their id map right after).
_STORE_BATCH = 1000
#: Queued changes sent per step (each step leaves the queue once the server took it).
_PUSH_BATCH = 1000

Progress = Callable[[str], None]
T = TypeVar("T")

#: For tests only (tests/test_sync_cli.py): ``BRIEFREADER_SYNC_TEST_PAUSE=N:PATH``
#: makes a sync that has just stored its Nth batch of articles (their id map not yet
#: written) create the file PATH and sleep there (60 s at most), so that the test can
#: kill -9 the process at that known point instead of after a guessed delay.
_TEST_PAUSE = "BRIEFREADER_SYNC_TEST_PAUSE"


def _pause_for_tests(batch: int) -> None:
    spec = os.environ.get(_TEST_PAUSE)
    if not spec:
        return
    count, _, path = spec.partition(":")
    if path and count.isdigit() and int(count) == batch:
        with open(path, "w"):
            pass
        time.sleep(60)


@dataclass(slots=True)
class SyncReport:
    """What one account's sync did; ``error`` is set (one line) when it failed."""

    account: str
    feeds_added: int = 0
    feeds_removed: int = 0
    new_items: int = 0
    pulled_changes: int = 0
    pushed: int = 0
    pending: int = 0
    requests: int = 0
    notes: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)
    """Notes on what could not be done because the server lacks a call (also in
    ``notes``; kept as the account's last error)."""
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error

    def line(self) -> str:
        if self.error:
            return self.error
        text = (
            f"{self.account}: {self.new_items} new items, {self.pulled_changes} changes from the "
            f"server, {self.pushed} pushed"
        )
        if self.feeds_added or self.feeds_removed:
            text += f", feeds +{self.feeds_added} -{self.feeds_removed}"
        if self.pending:
            text += f", {self.pending} still to push"
        return text + f" in {self.seconds:.1f} s"

    def as_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "ok": self.ok,
            "feeds_added": self.feeds_added,
            "feeds_removed": self.feeds_removed,
            "new_items": self.new_items,
            "pulled_changes": self.pulled_changes,
            "pushed": self.pushed,
            "pending": self.pending,
            "notes": list(self.notes),
            "error": self.error,
        }


def server_is_later(local_changed_at: float, last_pull: float | None, now: float) -> bool:
    """Whether a change the server made since the last pull is later than a local
    change made at ``local_changed_at``.

    The Google Reader API does not say when an item's state changed, only that it
    did between the last pull and this one (FreshRSS keeps no such time; an item's
    ``crawlTimeMsec``/``timestampUsec`` is when the server got the item, which for
    an item already known is before the last pull, so it narrows nothing; a
    stream's ``updated`` is the server's clock now).  A local change made before
    the last pull is certainly earlier.  Otherwise both happened in that window,
    and the server's change is taken to have happened in its middle (the best
    guess without a time): the later of the two wins.  The local change's time is
    the queue's (when it was made, by this machine's clock, as ``last_pull`` and
    ``now`` are).  Items new to the library but whose article it already had follow
    :meth:`~briefreader.store.sync.SyncStore.map_items`'s rule (their arrival time
    is used there).
    """
    if last_pull is None or local_changed_at <= last_pull:
        return True
    return (last_pull + now) / 2 > local_changed_at


class _Sync:
    def __init__(
        self,
        library: Library,
        account: Account,
        client: GReaderClient,
        progress: Progress | None,
        first_items: int,
        executor: Executor | None = None,
    ) -> None:
        self.executor = executor
        self.library = library
        self.store = SyncStore(library)
        self.account = account
        self.client = client
        self.progress = progress
        self.first_items = first_items
        self.report = SyncReport(account.name)

    def say(self, text: str) -> None:
        if self.progress is not None:
            self.progress(f"{self.account.name}: {text}")

    async def run(self, password: str) -> None:
        started = time.time()
        acct = self.account
        self.say("logging in")
        await self.client.login(acct.username, password)
        # 1. read (a call the server lacks: a note naming what could not be done)
        self.say("reading subscriptions")
        subs = await self._optional(
            "read its subscriptions (its feeds here stay as they were)",
            self.client.subscriptions(),
        )
        unread = await self._optional(
            "list its unread items (an item read or unread there is seen only when new)",
            self.client.item_ids(READING_LIST, exclude=READ),
        )
        starred = await self._optional(
            "list its starred items (an item starred or unstarred there is seen only when new)",
            self.client.item_ids(STARRED),
        )
        if acct.last_pull is None:
            listing = self.client.item_ids(READING_LIST, limit=self.first_items)
        else:
            listing = self.client.item_ids(READING_LIST, since=int(acct.last_pull) - SINCE_MARGIN)
        recent = await self._optional("list its new items", listing) or ItemIds()
        ids = [*recent.ids, *(unread.ids if unread else []), *(starred.ids if starred else [])]
        wanted = list(dict.fromkeys(ids))
        known = self.store.known(acct.id, wanted)
        missing = [i for i in wanted if i not in known]
        if subs is None:
            streams = self._known_streams()
        else:
            streams = {s.id: StreamFeed(s.url, s.title) for s in subs}
        items = await self._optional("read its new items", self._contents(missing, streams)) or []
        # 2. store
        if subs is not None:
            self._store_feeds(subs)
        self._store_items(items)
        # 3. reconcile
        self._reconcile(
            set(unread.ids) if unread and not unread.truncated else None,
            set(starred.ids) if starred and not starred.truncated else None,
            started,
        )
        if unread and starred and not (unread.truncated or starred.truncated):
            # Items pruned here (store/retention.py) that the server lists no more.
            self.store.forget_unlisted(acct.id, {*unread.ids, *starred.ids, *recent.ids})
        self.store.record_sync(acct.id, pulled_at=started, error=self._degraded())
        # 4. push
        await self._push()
        self.store.record_sync(acct.id, synced_at=time.time(), error=self._degraded())

    async def _optional(self, doing: str, call: Awaitable[T]) -> T | None:
        """``await call``; None, with a note naming the account and what could not be
        done, when the server does not offer the call (404/405/501, "unknown
        method"); any other failure stops the sync as before."""
        try:
            return await call
        except GReaderError as exc:
            if not exc.unsupported:
                raise
            self._note_unsupported(doing, exc)
            return None

    def _note_unsupported(self, doing: str, exc: GReaderError) -> None:
        what = f" {exc.call}" if exc.call else " that call"
        note = f"{self.account.name}: could not {doing}: the server does not offer{what}"
        self.report.degraded.append(note)
        self.report.notes.append(note)

    def _degraded(self) -> str:
        """The account's last error after a sync that could not do everything ("" when
        it could): what the server lacks, one line."""
        if not self.report.degraded:
            return ""
        prefix = f"{self.account.name}: "
        parts = [note.removeprefix(prefix) for note in self.report.degraded]
        return one_line(prefix + "; ".join(parts), 600)

    def _known_streams(self) -> dict[str, StreamFeed]:
        """The account's feeds as the library has them (for a server that does not
        list its subscriptions: items of feeds known before keep their articles' ids)."""
        streams: dict[str, StreamFeed] = {}
        for stream, feed_id in self.store.feed_ids(self.account.id).items():
            feed = self.library.feed(feed_id)
            if feed is not None:
                streams[stream] = StreamFeed(feed.url, feed.title)
        return streams

    async def _contents(
        self, ids: Sequence[str], streams: Mapping[str, StreamFeed]
    ) -> list[RemoteItem]:
        """The missing items' contents, batch by batch: the next batch is asked for
        while this one is turned into articles (in the executor's worker processes
        when there is one, so several batches are read at once)."""
        batches = [ids[i : i + _CONTENTS_BATCH] for i in range(0, len(ids), _CONTENTS_BATCH)]
        if not batches:
            return []
        loop = asyncio.get_running_loop()
        parsed: list[asyncio.Future[tuple[list[RemoteItem], list[str]] | str]] = []
        nxt: asyncio.Task[list[dict[str, Any]]] | None = asyncio.create_task(
            self._batch(batches[0])
        )
        endpoint = self.account.endpoint
        try:
            for n in range(len(batches)):
                assert nxt is not None
                got = await nxt
                nxt = (
                    asyncio.create_task(self._batch(batches[n + 1]))
                    if n + 1 < len(batches)
                    else None
                )
                self.say(f"reading items {min((n + 1) * _CONTENTS_BATCH, len(ids))}/{len(ids)}")
                if self.executor is None:
                    done: asyncio.Future[tuple[list[RemoteItem], list[str]] | str] = (
                        loop.create_future()
                    )
                    done.set_result(parse_batch(got, streams, endpoint))
                else:
                    done = loop.run_in_executor(self.executor, parse_batch, got, streams, endpoint)
                parsed.append(done)
        finally:
            if nxt is not None:
                nxt.cancel()
        out: list[RemoteItem] = []
        for n, fut in enumerate(parsed):
            try:
                result = await fut
            except Exception:  # a worker died or the pool is gone: read it here
                result = parse_batch(await self._batch(batches[n]), streams, endpoint)
            if isinstance(result, str):
                self.report.notes.append(result)
                continue
            out += result[0]
            self.report.notes += result[1]
        return out

    async def _batch(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """One items/contents batch; an answer over the size cap is asked for again in
        halves, and an item too large alone is left out with a note (it is asked for
        again by the next sync), so one huge item never stops every sync."""
        try:
            return await self.client.item_contents_batch(ids)
        except GReaderError as exc:
            if not exc.too_large:
                raise
            if len(ids) == 1:
                self.report.notes.append(f"item {ids[0]} left out: {exc}")
                return []
        half = len(ids) // 2
        return [*await self._batch(ids[:half]), *await self._batch(ids[half:])]

    def _store_feeds(self, subs: Sequence[Subscription]) -> None:
        added, removed = self.store.set_feeds(
            self.account.id, [(s.id, s.url, s.title, s.site_url, s.folders) for s in subs]
        )
        self.report.feeds_added, self.report.feeds_removed = added, removed

    def _store_items(self, items: Sequence[RemoteItem]) -> None:
        if not items:
            return
        feed_ids = self.store.feed_ids(self.account.id)
        offset = self.client.clock_offset or 0.0  # items' times are by the server's clock
        by_feed: dict[int | None, list[RemoteItem]] = {}
        for item in items:
            by_feed.setdefault(feed_ids.get(item.stream_id), []).append(item)
        batches = 0
        for feed_id, group in by_feed.items():
            for start in range(0, len(group), _STORE_BATCH):
                part = group[start : start + _STORE_BATCH]
                mine = self._local_matches(feed_id, part)
                fresh = [i for i in part if i.remote_id not in mine]
                counts = self.library.store(
                    [i.article for i in fresh], feed_id=feed_id, index=False
                )
                self.report.new_items += counts.added
                batches += 1
                _pause_for_tests(batches)
                # An item matched to an article here keeps that article (its text and
                # state); no arrival time: the server's unread/unstarred is only the
                # state its newer copy started with, so a read or star made here stays
                # and is sent (SyncStore.map_items).
                self.store.map_items(
                    self.account.id,
                    [
                        (i.remote_id, mine.get(i.remote_id, i.article.id), i.read, i.starred)
                        for i in part
                    ],
                    {i.remote_id: i.arrived - offset for i in fresh if i.arrived is not None},
                )

    def _local_matches(self, feed_id: int | None, part: Sequence[RemoteItem]) -> dict[str, str]:
        """``{remote id: article id}`` of items that a feed followed here before its
        account adopted it already brought (same guid, else same link): mapped to
        that article instead of stored a second time."""
        feed = self.library.feed(feed_id) if feed_id is not None else None
        if feed is None:
            return {}
        keys: list[tuple[str, str, Sequence[str], str, str]] = []
        for i in part:
            link = i.article.url or ""
            ids = [
                feed_item_id(feed.url, i.guid, "", "", None) if i.guid else "",
                feed_item_id(feed.url, "", link, "", None) if link else "",
            ]
            keys.append(
                (i.remote_id, i.article.id, [x for x in ids if x], link, i.article.title or "")
            )
        return self.store.local_matches(feed.id, keys, self.account.id)

    def _reconcile(self, unread: set[str] | None, starred: set[str] | None, now: float) -> None:
        pending = {(p.article_id, p.kind): p for p in self.store.pending(self.account.id)}
        last_pull = self.account.last_pull
        changes: list[tuple[str, str, bool | None, bool | None]] = []
        snapshots: list[tuple[str, bool, bool]] = []
        dropped: list[tuple[str, str]] = []
        for it in self.store.item_states(self.account.id):
            server_read = None if unread is None else it.remote_id not in unread
            server_star = None if starred is None else it.remote_id in starred
            new_read: bool | None = None
            new_star: bool | None = None
            for kind, server, snap, local in (
                ("read", server_read, it.remote_read, it.local_read),
                ("star", server_star, it.remote_starred, it.local_starred),
            ):
                if server is None or server == snap:
                    continue
                mine = pending.get((it.article_id, kind))
                if mine is None or server_is_later(mine.changed_at, last_pull, now):
                    if mine is not None and mine.value != server:
                        # (one that agrees stays queued: another account following
                        # the article may lack it; it leaves once all have it)
                        dropped.append((it.article_id, kind))
                    if local != server:
                        if kind == "read":
                            new_read = server
                        else:
                            new_star = server
            if new_read is not None or new_star is not None:
                changes.append((it.remote_id, it.article_id, new_read, new_star))
                self.report.pulled_changes += 1
            if (server_read is not None and server_read != it.remote_read) or (
                server_star is not None and server_star != it.remote_starred
            ):
                snapshots.append(
                    (
                        it.remote_id,
                        it.remote_read if server_read is None else server_read,
                        it.remote_starred if server_star is None else server_star,
                    )
                )
        self.store.apply_remote(self.account.id, changes, snapshots, dropped)

    async def _push(self) -> None:
        pending = self.store.pending(self.account.id)
        if not pending:
            return
        snaps = {
            it.remote_id: (it.remote_read, it.remote_starred)
            for it in self.store.item_states(self.account.id)
        }
        groups: dict[tuple[str, bool], list[Pending]] = {}
        for p in pending:
            groups.setdefault((p.kind, p.value), []).append(p)
        for (kind, value), group in groups.items():
            tag = READ if kind == "read" else STARRED
            column = 0 if kind == "read" else 1
            self.say(f"sending {len(group)} {'read' if kind == 'read' else 'star'} change(s)")
            for start in range(0, len(group), _PUSH_BATCH):
                part = group[start : start + _PUSH_BATCH]
                ids = [
                    rid
                    for p in part
                    for rid in p.remote_ids
                    if snaps.get(rid, (None, None))[column] != value
                ]
                try:
                    await self.client.edit_tag(
                        ids, add=tag if value else None, remove=None if value else tag
                    )
                except GReaderError as exc:
                    if not exc.unsupported:
                        raise
                    left = self.store.unsent(self.account.id)
                    self._note_unsupported(
                        f"send {left} read/star change(s) (kept, to send later)",
                        exc,
                    )
                    return
                self.store.pushed(self.account.id, part)
                sent = set(ids)  # (a change this server has: another account's to send)
                self.report.pushed += sum(1 for p in part if sent.intersection(p.remote_ids))


async def sync_account(
    library: Library,
    account: Account,
    password: str,
    *,
    progress: Progress | None = None,
    deadline: float = 30.0,
    first_items: int = FIRST_SYNC_ITEMS,
    transport: Any = None,
    executor: Executor | None = None,
    app: tuple[str, str] | None = None,
) -> SyncReport:
    """Sync one account; never raises for a server's or the network's problem (the
    report's ``error`` is one line naming the account).  ``executor``: a process
    pool to turn items into articles in (the refresh's parse pool); ``app``: the
    account's app id and key (sent on every request)."""
    started = time.perf_counter()
    store = SyncStore(library)
    report = SyncReport(account.name)
    retry_at = store.retry_at(account.id)
    if retry_at is not None and retry_at > time.time():
        report.error = (
            f"{account.name}: the server asked to wait (Retry-After): not asked again for "
            f"{retry_at - time.time():.0f} s"
        )
        report.pending = store.unsent(account.id)
        return report
    try:
        async with GReaderClient(
            account.endpoint, name=account.name, deadline=deadline, transport=transport, app=app
        ) as client:
            run = _Sync(library, account, client, progress, first_items, executor)
            report = run.report
            try:
                await run.run(password)
            finally:
                report.requests = client.requests
    except GReaderError as exc:
        report.error = str(exc)
        store.record_sync(account.id, error=str(exc))
        if exc.retry_after:
            store.set_retry_at(account.id, time.time() + exc.retry_after)
    else:
        if retry_at is not None:
            store.set_retry_at(account.id, None)
    report.pending = store.unsent(account.id)
    report.seconds = time.perf_counter() - started
    return report
