"""Retention: a library that lives for years stays bounded (``keep_days``,
``keep_per_feed``; ``briefreader prune``).

What may go: a feed's article (it has a feed and came from it: its origin is an
http(s) URL) that is not starred, not a sample, and has no downloaded media.  What
never goes: starred articles, articles imported from local files or edited and added
back (their origin is a path), articles with no feed, downloaded enclosures' articles.

* ``keep_days``: an article goes once both its publication time and its arrival are
  older than this many days (a feed's old items you subscribe to today stay
  ``keep_days`` too).  0: no limit.
* ``keep_per_feed``: of a feed's articles that may go, the newest this many stay.
  0: no limit.
* ``[feeds."URL"]``: a feed's own rule, matched as subscriptions are compared
  (:func:`url_key`).  A rule that names no subscribed feed is reported
  (:func:`unmatched_rules`); a feed it nearly names (a trailing slash, the scheme,
  the host's case) is not pruned at all until the rule is fixed.

A pruned feed item leaves a tombstone (``deleted_articles``, as a delete does), so
the feed serving it again does not bring it back as new; ``Library.store`` touches
the tombstones of items a feed still serves (``seen_at``; a 304 counts, see
:func:`touch_feed`).  A tombstone goes once its feed has been fetched successfully
:data:`TOMBSTONE_GRACE` after it last served the item (it no longer does), or its
feed is gone, or its feed is an account's (the account's item map, ``sync_items``,
which a prune leaves alone, keeps the server from sending it again).

Everything hanging off an article (the search index, the related index, story
groups) goes with it through the schema's triggers, in the same transaction; a
prune deletes :data:`BATCH` articles per transaction, so the write lock is never
held for long (a refresh or the app waits at most one batch).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from briefreader.store.keep import may_go
from briefreader.store.library import Library
from briefreader.store.rows import chunks
from briefreader.store.schema import write_transaction
from briefreader.wording import counted, size_text

__all__ = [
    "BATCH",
    "DAY",
    "TOMBSTONE_GRACE",
    "FeedPrune",
    "PruneReport",
    "Retention",
    "UnmatchedRule",
    "prune",
    "touch_feed",
    "unmatched_rules",
    "url_key",
]

DAY = 86400.0
#: Articles deleted per write transaction.
BATCH = 250
#: A tombstone stays this long after its feed last served the item, and until a
#: successful fetch of the feed at least this much later.
TOMBSTONE_GRACE = 7 * DAY
#: Tombstones dropped per write transaction.
_TOMBSTONE_BATCH = 2000


@dataclass(frozen=True, slots=True)
class Retention:
    """How long articles are kept: in general, and per feed (by feed URL)."""

    keep_days: float = 0
    keep_per_feed: int = 0
    per_feed: Mapping[str, tuple[float | None, int | None]] = field(default_factory=dict)
    """``{feed url: (keep_days or None, keep_per_feed or None)}``: None is the general one."""

    def for_feed(self, url: str) -> tuple[float, int]:
        days, count = self.rule_for(url) or (None, None)
        return (
            self.keep_days if days is None else days,
            self.keep_per_feed if count is None else count,
        )

    def rule_for(self, url: str) -> tuple[float | None, int | None] | None:
        """The feed's own rule: named by its URL exactly, or as a subscription would be
        (:func:`url_key`: scheme and host in any case, "/" for no path); None: none."""
        rule = self.per_feed.get(url)
        if rule is None and self.per_feed:
            key = url_key(url)
            rule = next((r for u, r in self.per_feed.items() if url_key(u) == key), None)
        return rule

    @property
    def active(self) -> bool:
        return bool(
            self.keep_days or self.keep_per_feed or any(d or c for d, c in self.per_feed.values())
        )

    def describe(self) -> str:
        """The rule in the config's words: "keep_per_feed = 3", "keep_days = 30, …"."""
        parts = [
            f"{name} = {value:g}"
            for name, value in (
                ("keep_days", self.keep_days),
                ("keep_per_feed", self.keep_per_feed),
            )
            if value
        ]
        if any(d is not None or c is not None for d, c in self.per_feed.values()):
            parts.append("feeds' own rules")
        return ", ".join(parts)


def url_key(url: str) -> str:
    """A feed URL as subscriptions compare: scheme and host lower-cased, an empty
    path "/" ("HTTPS://Example.org" and "https://example.org/" are one feed)."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip()
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def _near_key(url: str) -> str:
    """What a mistyped rule still shares with its feed: the host (any case), the path
    without trailing slashes and the query; not the scheme."""
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}?{parts.query}"


@dataclass(frozen=True, slots=True)
class UnmatchedRule:
    """A ``[feeds."URL"]`` rule that names no subscribed feed.  ``nearest``: subscribed
    URLs it differs from only by a trailing slash, the scheme or the host's case; those
    feeds are left alone (nothing pruned) until the rule names them exactly, so a
    typo never lets the general rule delete what the reader meant to keep."""

    url: str
    nearest: tuple[str, ...] = ()

    def line(self, where: object = "the config") -> str:
        text = f'[feeds."{_printable(self.url)}"] in {where} matches no subscribed feed'
        if self.nearest:
            near = _printable(self.nearest[0])
            return (
                f'{text}; did you mean "{near}"? Nothing is pruned from that feed until '
                "the rule names it exactly"
            )
        return f"{text}; it does nothing (`briefreader feeds` lists the subscribed URLs)"


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:300]


def unmatched_rules(retention: Retention, feed_urls: Iterable[str]) -> list[UnmatchedRule]:
    """The per-feed rules that match no subscribed feed (see :class:`UnmatchedRule`)."""
    urls = list(feed_urls)
    keys = {url_key(u) for u in urls}
    out = []
    for rule in retention.per_feed:
        if url_key(rule) in keys:
            continue
        near = _near_key(rule)
        out.append(UnmatchedRule(rule, tuple(u for u in urls if _near_key(u) == near)))
    return out


@dataclass(slots=True)
class FeedPrune:
    feed_id: int
    name: str
    articles: int = 0
    bytes: int = 0


@dataclass(slots=True)
class PruneReport:
    """What a prune did (or, dry, would do)."""

    dry_run: bool
    feeds: list[FeedPrune] = field(default_factory=list)
    tombstones_dropped: int = 0
    batches: int = 0
    seconds: float = 0.0
    unmatched: list[UnmatchedRule] = field(default_factory=list)
    """Per-feed rules naming no subscribed feed (their near misses were left alone)."""
    arrived_recently: int = 0
    """Articles published longer ago than their keep_days but kept because they arrived
    within it (and no other rule takes them)."""
    arrived_days: float = 0
    """The keep_days those were counted against (the smallest, when feeds differ)."""
    now: float = 0.0

    @property
    def articles(self) -> int:
        return sum(f.articles for f in self.feeds)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.feeds)

    def line(self) -> str:
        verb = "would go" if self.dry_run else "pruned"
        feeds = sum(1 for f in self.feeds if f.articles)
        text = (
            f"{counted(self.articles, 'article')} {verb} from {counted(feeds, 'feed')} "
            f"(about {size_text(self.bytes)} of text)"
        )
        if self.tombstones_dropped:
            gone = "would go" if self.dry_run else "dropped"
            text += f"; {counted(self.tombstones_dropped, 'old tombstone')} {gone}"
        return text

    def arrival_line(self) -> str:
        """Why articles older than keep_days stayed, "" when none did: "10 articles
        published before 2026-11-03 were fetched within the last 30 days and are
        kept: keep_days counts from when an article arrived"."""
        n = self.arrived_recently
        if not n:
            return ""
        days = self.arrived_days
        before = time.strftime("%Y-%m-%d", time.localtime(self.now - days * DAY))
        were, are = ("was", "is") if n == 1 else ("were", "are")
        return (
            f"{counted(n, 'article')} published before {before} {were} fetched within "
            f"the last {days:g} day{'s' * (days != 1)} and {are} kept: keep_days counts from "
            "when an article arrived (or was published, if later)"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "articles": self.articles,
            "bytes": self.bytes,
            "tombstones_dropped": self.tombstones_dropped,
            "feeds": [
                {"feed_id": f.feed_id, "name": f.name, "articles": f.articles, "bytes": f.bytes}
                for f in self.feeds
                if f.articles
            ],
            "kept_arrived_recently": self.arrived_recently,
            "unmatched_rules": [
                {"rule": u.url, "nearest": list(u.nearest)} for u in self.unmatched
            ],
        }


#: What an article takes, roughly: its text columns (indexes and FTS come on top).
_ROW_BYTES = (
    "length(a.title) + length(a.summary) + length(a.body) + length(a.takeaways) "
    "+ length(a.analysis_body) + coalesce(length(a.body_html), 0) "
    "+ coalesce(length(a.dek_html), 0) + coalesce(length(a.full_text), 0) + length(a.id) "
    "+ length(a.url) + length(a.origin) + 200"
)


def _prunable(db: sqlite3.Connection) -> str:
    """Articles that may go (``a``: articles): the rule of store/keep.py, and only
    articles of a feed (a file's article has none)."""
    return f"{may_go(db)} AND a.feed_id IS NOT NULL"


def _doomed(
    db: sqlite3.Connection, feed_id: int, days: float, count: int, now: float, prunable: str
) -> list[tuple[int, str, int]]:
    """``(rowid, id, bytes)`` of the feed's articles that go, oldest first."""
    found: dict[int, tuple[int, str, int]] = {}
    select = (
        f"SELECT a.rowid, a.id, {_ROW_BYTES} FROM articles a WHERE a.feed_id = ? AND {prunable}"
    )
    if days > 0:
        cutoff = now - days * DAY
        for r in db.execute(
            f"{select} AND a.sort_ts < ? AND a.added_at < ?", (feed_id, cutoff, cutoff)
        ):
            found[int(r[0])] = (int(r[0]), str(r[1]), int(r[2]))
    if count > 0:
        for r in db.execute(
            f"{select} ORDER BY a.sort_ts DESC, a.rowid DESC LIMIT -1 OFFSET ?",
            (feed_id, int(count)),
        ):
            found[int(r[0])] = (int(r[0]), str(r[1]), int(r[2]))
    return sorted(found.values())


def _arrived_recently(
    db: sqlite3.Connection, feed_id: int, days: float, now: float, prunable: str, doomed: set[int]
) -> int:
    """How many of the feed's articles that may go were published more than ``days``
    ago but arrived since (so keep_days keeps them), not counting ``doomed`` ones."""
    cutoff = now - days * DAY
    return sum(
        1
        for (rowid,) in db.execute(
            f"SELECT a.rowid FROM articles a WHERE a.feed_id = ? AND {prunable} "
            "AND a.sort_ts < ? AND a.added_at >= ?",
            (feed_id, cutoff, cutoff),
        )
        if rowid not in doomed
    )


def _expired_tombstones(db: sqlite3.Connection, now: float, limit: int) -> list[str]:
    """Ids of tombstones that can go (see the module's docstring)."""
    return [
        str(r[0])
        for r in db.execute(
            """
            SELECT d.id FROM deleted_articles d
            LEFT JOIN feeds f ON f.id = d.feed_id
            WHERE d.feed_id IS NOT NULL
              AND coalesce(d.seen_at, d.deleted_at) < :old
              AND (f.id IS NULL
                   OR EXISTS (SELECT 1 FROM sync_feeds s WHERE s.feed_id = f.id)
                   OR f.last_ok >= coalesce(d.seen_at, d.deleted_at) + :grace)
            LIMIT :limit
            """,
            {"old": now - TOMBSTONE_GRACE, "grace": TOMBSTONE_GRACE, "limit": limit},
        )
    ]


def touch_feed(library: Library, feed_id: int, now: float | None = None) -> None:
    """The feed answered 304 Not Modified: it still serves what it served, so its
    tombstones stay."""
    with write_transaction(library._db):
        library._db.execute(
            "UPDATE deleted_articles SET seen_at = ? WHERE feed_id = ?",
            (time.time() if now is None else now, feed_id),
        )


def prune(
    library: Library,
    retention: Retention,
    *,
    dry_run: bool = False,
    now: float | None = None,
    batch: int = BATCH,
    between: Callable[[], None] | None = None,
    explain: bool = False,
) -> PruneReport:
    """Apply ``retention`` to the library (or, ``dry_run``, only say what would go).

    ``explain``: also count what ``keep_days`` keeps only because it arrived
    recently (a scan of each feed's old articles; the ``prune`` command says it).
    Each batch of at most ``batch`` articles is one write transaction (tombstones,
    the articles, and through triggers their search and related index rows);
    ``between`` is called between batches (a pause, a progress line)."""
    started = time.perf_counter()
    now = time.time() if now is None else now
    report = PruneReport(dry_run, now=now)
    db = library._db
    prunable = _prunable(db)
    feeds = [
        (int(r[0]), str(r[1]), str(r[2]))
        for r in db.execute(
            "SELECT id, url, CASE WHEN user_title != '' THEN user_title "
            "WHEN title != '' THEN title ELSE url END FROM feeds ORDER BY id"
        )
    ]
    report.unmatched = unmatched_rules(retention, (url for _, url, _ in feeds))
    held = {near for rule in report.unmatched for near in rule.nearest}
    for feed_id, url, name in feeds:
        if url in held and retention.rule_for(url) is None:
            continue  # a rule meant for it, mistyped: never the general rule instead
        days, count = retention.for_feed(url)
        if not (days > 0 or count > 0):
            continue
        doomed = _doomed(db, feed_id, days, count, now, prunable)
        if explain and days > 0:
            recent = _arrived_recently(db, feed_id, days, now, prunable, {r for r, _, _ in doomed})
            if recent:
                report.arrived_recently += recent
                report.arrived_days = min(report.arrived_days or days, days)
        if not doomed:
            continue
        entry = FeedPrune(feed_id, name)
        report.feeds.append(entry)
        if dry_run:
            entry.articles = len(doomed)
            entry.bytes = sum(b for _, _, b in doomed)
            continue
        for part, marks in chunks(doomed, max(1, min(batch, 500))):
            with write_transaction(db):
                # Re-checked inside the lock: starred (or given media) meanwhile stays.
                rowids = [r for r, _, _ in part]
                still = {
                    int(r[0])
                    for r in db.execute(
                        f"SELECT a.rowid FROM articles a WHERE a.rowid IN ({marks}) AND {prunable}",
                        rowids,
                    )
                }
                gone = [p for p in part if p[0] in still]
                if not gone:
                    continue
                # (with its link: store/sync.py matches a server's item to it by link)
                db.executemany(
                    "INSERT INTO deleted_articles(id, deleted_at, feed_id, seen_at, pruned, url) "
                    "SELECT id, ?, ?, ?, 1, url FROM articles WHERE rowid = ? "
                    "ON CONFLICT(id) DO UPDATE SET "
                    "deleted_at = excluded.deleted_at, feed_id = excluded.feed_id, "
                    "seen_at = excluded.seen_at, pruned = 1, url = excluded.url",
                    [(now, feed_id, now, rowid) for rowid, _, _ in gone],
                )
                gmarks = ",".join("?" * len(gone))
                db.execute(
                    f"DELETE FROM articles WHERE rowid IN ({gmarks})", [r for r, _, _ in gone]
                )
            entry.articles += len(gone)
            entry.bytes += sum(b for _, _, b in gone)
            report.batches += 1
            if between is not None:
                between()
    report.tombstones_dropped = _drop_tombstones(library, now, dry_run)
    if report.batches:
        # The pruned articles' terms off the related index's frequencies (their
        # postings went with them): a transaction of a few thousand at a time.
        library.forget_related()
    report.seconds = time.perf_counter() - started
    return report


def _drop_tombstones(library: Library, now: float, dry_run: bool) -> int:
    db = library._db
    if dry_run:
        return len(_expired_tombstones(db, now, 10_000_000))
    dropped = 0
    for _ in range(100_000):  # bounded: each round drops some or stops
        ids = _expired_tombstones(db, now, _TOMBSTONE_BATCH)
        if not ids:
            break
        with write_transaction(db):
            for part, marks in chunks(ids):
                db.execute(f"DELETE FROM deleted_articles WHERE id IN ({marks})", part)
        dropped += len(ids)
    return dropped
