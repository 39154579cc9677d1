"""The library's side of syncing with a reader's server (schema 7): accounts, the
feeds each owns, server item ids <-> article ids with the state the server had,
the queue of local read/star changes not yet pushed, and the checkpoints.

The queue is written by triggers (``sync_queue_read``/``sync_queue_star``) in the
same transaction as the local change, whichever way it was made (the app, ``mark``,
an import restoring state, undo); the server's own changes are applied inside
:meth:`SyncStore._quiet`, which the triggers see and do not queue.

:class:`SyncStore` works on an open :class:`~briefreader.store.Library`'s
connection; the network side is :mod:`briefreader.sync`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefreader.store.keep import delete_feed
from briefreader.store.library import Library
from briefreader.store.rows import chunks
from briefreader.store.schema import write_transaction

if TYPE_CHECKING:
    from briefreader.store.sync_removal import Removal

__all__ = ["Account", "ItemState", "Pending", "SyncStore"]


def _later_state(server: bool, local_at: float | None, arrived: float | None) -> bool:
    """A newly mapped item's read (or star): the server's when it is set or the
    article has none; else the article's own when it was made after the item reached
    the server, or when that time is unknown (see :meth:`SyncStore.map_items`)."""
    if server or local_at is None:
        return server
    return arrived is None or float(local_at) >= arrived


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    endpoint: str
    username: str
    added_at: float
    last_sync: float | None = None
    last_pull: float | None = None
    last_error: str = ""
    feeds: int = 0

    @property
    def name(self) -> str:
        """How messages name the account: ``user@endpoint``."""
        return f"{self.username}@{self.endpoint}"


@dataclass(frozen=True, slots=True)
class ItemState:
    """A known server item: its article, the state the server had when last seen
    (``remote_*``), and the article's state in the library now (``local_*``)."""

    remote_id: str
    article_id: str
    remote_read: bool
    remote_starred: bool
    local_read: bool
    local_starred: bool


@dataclass(frozen=True, slots=True)
class Pending:
    """A local change not yet pushed: ``kind`` is "read" or "star"."""

    article_id: str
    kind: str
    value: bool
    changed_at: float
    remote_ids: tuple[str, ...]


_ACCOUNT_SELECT = (
    "SELECT a.id, a.endpoint, a.username, a.added_at, a.last_sync, a.last_pull, "
    "a.last_error, (SELECT count(*) FROM sync_feeds f WHERE f.account_id = a.id) "
    "FROM sync_accounts a"
)


class SyncStore:
    """The sync tables of one open library (a writable one, for anything that writes)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._db = library._db  # the store package's own connection

    # -- transactions --------------------------------------------------------------

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """A write transaction whose read/star changes are the server's: not queued."""
        with write_transaction(self._db):
            self._db.execute("INSERT OR IGNORE INTO sync_quiet(one) VALUES (1)")
            try:
                yield
            finally:
                self._db.execute("DELETE FROM sync_quiet")

    # -- accounts ------------------------------------------------------------------

    def add_account(self, endpoint: str, username: str) -> tuple[Account, bool]:
        """The account (made when new) and whether it is new."""
        found = self.account_by(endpoint, username)
        if found is not None:
            return found, False
        with write_transaction(self._db):
            self._db.execute(
                "INSERT INTO sync_accounts(endpoint, username, added_at) VALUES (?, ?, ?)",
                (endpoint, username, time.time()),
            )
        made = self.account_by(endpoint, username)
        assert made is not None
        return made, True

    def accounts(self) -> list[Account]:
        rows = self._db.execute(f"{_ACCOUNT_SELECT} ORDER BY a.id").fetchall()
        return [Account(*r) for r in rows]

    def account(self, account_id: int) -> Account | None:
        r = self._db.execute(f"{_ACCOUNT_SELECT} WHERE a.id = ?", (account_id,)).fetchone()
        return Account(*r) if r else None

    def account_by(self, endpoint: str, username: str) -> Account | None:
        r = self._db.execute(
            f"{_ACCOUNT_SELECT} WHERE a.endpoint = ? AND a.username = ?", (endpoint, username)
        ).fetchone()
        return Account(*r) if r else None

    def find_account(self, key: str) -> list[Account]:
        """Accounts a user named on the command line: by number, ``user@endpoint``,
        or endpoint (every user of it)."""
        key = key.strip()
        if key.isdigit():
            found = self.account(int(key))
            return [found] if found else []
        return [
            a
            for a in self.accounts()
            if key in (a.name, a.endpoint, a.endpoint.rstrip("/")) or key.rstrip("/") == a.endpoint
        ]

    def remove_account(
        self,
        account_id: int,
        server_copy: Callable[[str, str], str],
        *,
        dry_run: bool = False,
    ) -> Removal:
        """Forget an account, keeping what the user had and kept (see
        :mod:`briefreader.store.sync_removal`); ``dry_run``: only count."""
        from briefreader.store.sync_removal import remove_account

        return remove_account(self, account_id, server_copy, dry_run=dry_run)

    def record_sync(
        self,
        account_id: int,
        *,
        pulled_at: float | None = None,
        synced_at: float | None = None,
        error: str = "",
    ) -> None:
        """Checkpoints: ``pulled_at`` (the start of the last complete pull: the next
        asks for items since shortly before it), ``synced_at`` (a whole sync), and
        the last error ("" clears it)."""
        with write_transaction(self._db):
            self._db.execute(
                "UPDATE sync_accounts SET last_pull = coalesce(?, last_pull), "
                "last_sync = coalesce(?, last_sync), last_error = ? WHERE id = ?",
                (pulled_at, synced_at, error, account_id),
            )

    def retry_at(self, account_id: int) -> float | None:
        """When the account's server said (429/503 Retry-After) it may be asked again."""
        value = self.library.meta(f"sync_retry_at:{account_id}")
        try:
            return float(value) if value else None
        except ValueError:
            return None

    def set_retry_at(self, account_id: int, when: float | None) -> None:
        with write_transaction(self._db):
            if when is None:
                self._db.execute("DELETE FROM meta WHERE key = ?", (f"sync_retry_at:{account_id}",))
            else:
                self.library.set_meta(f"sync_retry_at:{account_id}", repr(when))

    # -- feeds ---------------------------------------------------------------------

    def feed_ids(self, account_id: int) -> dict[str, int]:
        """``{stream id: feed id}`` of the account's feeds."""
        rows = self._db.execute(
            "SELECT stream_id, feed_id FROM sync_feeds WHERE account_id = ?", (account_id,)
        )
        return {str(s): int(f) for s, f in rows}

    def owned_feed_ids(self) -> set[int]:
        """Every feed some account owns (refresh leaves these to their server)."""
        return {int(r[0]) for r in self._db.execute("SELECT feed_id FROM sync_feeds")}

    def feed_accounts(self) -> dict[int, Account]:
        """``{feed id: the account owning it}`` for every account's feed (the app's
        feeds screen groups them under their account)."""
        accounts = {a.id: a for a in self.accounts()}
        # (a feed two accounts follow: under the one that had it first)
        rows = self._db.execute(
            "SELECT feed_id, account_id FROM sync_feeds ORDER BY account_id DESC"
        )
        return {int(f): accounts[int(a)] for f, a in rows if int(a) in accounts}

    def feed_owners(self, feed_id: int) -> list[tuple[Account, str]]:
        """Every account following a feed, first first, with the feed's stream id."""
        rows = self._db.execute(
            "SELECT account_id, stream_id FROM sync_feeds WHERE feed_id = ? ORDER BY account_id",
            (feed_id,),
        ).fetchall()
        found = [(self.account(int(a)), str(s)) for a, s in rows]
        return [(a, s) for a, s in found if a is not None]

    def set_feeds(
        self,
        account_id: int,
        feeds: Sequence[tuple[str, str, str, str, Sequence[str]]],
    ) -> tuple[int, int]:
        """Make the account's feeds these ``(stream id, url, title, site url, folders)``:
        new ones are subscribed, the folders become their tags, and feeds the server
        no longer lists are unsubscribed locally (articles retention keeps stay).

        A feed the library already has (same URL) is not subscribed twice: one
        followed here is adopted (when, and its tags then, are kept for removing the
        account: store/sync_removal.py); one another account follows is shared, and
        keeps the folders and title of the account that had it first.  A feed the
        server no longer lists that another account still follows stays with it.
        Returns (added, removed)."""
        current = self.feed_ids(account_id)
        wanted = {f[0] for f in feeds}
        added = removed = 0
        updates = []
        for stream_id, url, title, site_url, folders in feeds:
            feed_id = current.get(stream_id)
            if feed_id is None:
                feed, new = self.library.add_feed(url, title=title, site_url=site_url)
                feed_id = feed.id
                held = self._db.execute(
                    "SELECT 1 FROM sync_feeds WHERE feed_id = ? AND account_id != ?",
                    (feed_id, account_id),
                ).fetchone()
                adopted = None if new or held else time.time()
                with write_transaction(self._db):
                    self._db.execute(
                        "DELETE FROM sync_feeds WHERE account_id = ? AND "
                        "(feed_id = ? OR stream_id = ?)",
                        (account_id, feed_id, stream_id),
                    )
                    self._db.execute(
                        "INSERT INTO sync_feeds(account_id, stream_id, feed_id, adopted_at, "
                        "local_tags) VALUES (?, ?, ?, ?, ?)",
                        (
                            account_id,
                            stream_id,
                            feed_id,
                            adopted,
                            "\n".join(feed.tags) if adopted else "",
                        ),
                    )
                added += 1
            tags = "\n".join(dict.fromkeys(folders))
            updates.append(
                (tags, title, title, site_url, feed_id, tags, title, title, site_url, account_id)
            )
        with write_transaction(self._db):
            self._db.executemany(
                "UPDATE feeds SET tags = ?, "
                "title = CASE WHEN ? != '' THEN ? ELSE title END, "
                "site_url = CASE WHEN site_url = '' THEN ? ELSE site_url END "
                "WHERE id = ? AND (tags != ? OR (? != '' AND title != ?) "
                "OR (site_url = '' AND ? != '')) AND NOT EXISTS (SELECT 1 FROM sync_feeds o "
                "WHERE o.feed_id = feeds.id AND o.account_id < ?)",
                updates,
            )
        for stream_id, feed_id in current.items():
            if stream_id in wanted:
                continue
            self._drop_feed(account_id, stream_id, feed_id)
            removed += 1
        return added, removed

    def _drop_feed(self, account_id: int, stream_id: str, feed_id: int) -> None:
        """The server no longer lists the account's feed: unsubscribed here, its
        articles gone but those retention keeps (starred, edited, downloaded: they
        stay without a feed), unless another account follows it too (then it stays
        with that one, which takes over its adoption)."""
        with write_transaction(self._db):
            row = self._db.execute(
                "SELECT adopted_at, local_tags FROM sync_feeds WHERE account_id = ? "
                "AND stream_id = ?",
                (account_id, stream_id),
            ).fetchone()
            self._db.execute(
                "DELETE FROM sync_feeds WHERE account_id = ? AND stream_id = ?",
                (account_id, stream_id),
            )
            other = self._db.execute(
                "SELECT min(account_id) FROM sync_feeds WHERE feed_id = ?", (feed_id,)
            ).fetchone()[0]
            if other is not None:
                if row is not None and row[0] is not None:
                    self._db.execute(
                        "UPDATE sync_feeds SET adopted_at = ?, local_tags = ? "
                        "WHERE feed_id = ? AND account_id = ? AND adopted_at IS NULL",
                        (row[0], row[1], feed_id, other),
                    )
                return
            delete_feed(self._db, feed_id)

    def link_feed(self, account_id: int, stream_id: str, feed_id: int) -> None:
        with write_transaction(self._db):
            self._db.execute(
                "INSERT OR REPLACE INTO sync_feeds(account_id, stream_id, feed_id) VALUES (?, ?, ?)",
                (account_id, stream_id, feed_id),
            )

    # -- items ---------------------------------------------------------------------

    def known(self, account_id: int, remote_ids: Iterable[str]) -> set[str]:
        """Which of these server ids the library already maps to an article."""
        ids = list(remote_ids)
        found: set[str] = set()
        for chunk, marks in chunks(ids):
            found.update(
                str(r[0])
                for r in self._db.execute(
                    f"SELECT remote_id FROM sync_items WHERE account_id = ? "
                    f"AND remote_id IN ({marks})",
                    [account_id, *chunk],
                )
            )
        return found

    def local_matches(
        self,
        feed_id: int,
        items: Sequence[tuple[str, str, Sequence[str], str, str]],
        account_id: int | None = None,
    ) -> dict[str, str]:
        """Articles of a feed here before the account had it (followed here, or by
        another account) that are these server items ``(remote id, the item's own
        article id, ids the feed's own copy would have, link, title)`` (those ids:
        from the item's guid when the server tells it, and from its link, which a
        guid-less feed item is keyed by).  Returns ``{remote id: article id}``; an
        item whose own article is here already (an account added again) is left to it.

        An article matches by one of those ids, else by being the one article of the
        feed with that link (several: the one with that title too).  A deleted or
        pruned one matches too, by its tombstone in this feed (by id, else by its
        link when the tombstone has one and no article of the feed has it), so that
        it does not come back.  Only articles no item of the account (``account_id``;
        None: of any account) is mapped to yet match, each at most once.  A feed
        with no article nor tombstone here (an account's own new feed) costs one query."""
        if (
            not items
            or not self._db.execute(
                "SELECT 1 FROM articles WHERE feed_id = ? UNION ALL "
                "SELECT 1 FROM deleted_articles WHERE feed_id = ? LIMIT 1",
                (feed_id, feed_id),
            ).fetchone()
        ):
            return {}
        own: set[str] = set()
        for chunk, marks in chunks([o for _r, o, _i, _l, _t in items]):
            own.update(
                str(r[0])
                for r in self._db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            )
        items = [it for it in items if it[1] not in own]
        whose = "" if account_id is None else f" AND s.account_id = {int(account_id)}"
        unmapped = (
            "NOT EXISTS (SELECT 1 FROM sync_items s WHERE s.article_id = {0}.id" + whose + ")"
        )
        all_ids = list({i for _r, _o, ids, _l, _t in items for i in ids if i})
        by_id: set[str] = set()
        for chunk, marks in chunks(all_ids):
            by_id.update(
                str(r[0])
                for r in self._db.execute(
                    f"SELECT a.id FROM articles a WHERE a.id IN ({marks}) AND a.feed_id = ? "
                    f"AND {unmapped.format('a')} UNION "
                    f"SELECT d.id FROM deleted_articles d WHERE d.id IN ({marks}) "
                    f"AND d.feed_id = ? AND {unmapped.format('d')}",
                    [*chunk, feed_id, *chunk, feed_id],
                )
            )
        links = list({link for _r, _o, _ids, link, _t in items if link})
        by_link: dict[str, list[tuple[str, str]]] = {}
        gone_link: dict[str, list[str]] = {}
        for chunk, marks in chunks(links):
            for aid, url, title in self._db.execute(
                f"SELECT a.id, a.url, a.title FROM articles a WHERE a.url IN ({marks}) "
                f"AND a.feed_id = ? AND {unmapped.format('a')}",
                [*chunk, feed_id],
            ):
                by_link.setdefault(str(url), []).append((str(aid), str(title)))
            for did, url in self._db.execute(
                f"SELECT d.id, d.url FROM deleted_articles d WHERE d.url IN ({marks}) "
                f"AND d.feed_id = ? AND {unmapped.format('d')}",
                [*chunk, feed_id],
            ):
                gone_link.setdefault(str(url), []).append(str(did))
        found: dict[str, str] = {}
        taken: set[str] = set()
        for remote_id, _own, ids, link, title in items:
            match = next((i for i in ids if i in by_id and i not in taken), None)
            if match is None:
                same = [a for a, _t in by_link.get(link, ()) if a not in taken]
                if len(same) > 1:
                    key = title.strip().casefold()
                    same = [
                        a
                        for a, t in by_link[link]
                        if a not in taken and t.strip().casefold() == key
                    ]
                elif not same and link not in by_link:
                    same = [d for d in gone_link.get(link, ()) if d not in taken]
                match = same[0] if len(same) == 1 else None
            if match is not None:
                found[remote_id] = match
                taken.add(match)
        return found

    def forget_unlisted(self, account_id: int, listed: set[str]) -> int:
        """Drop the id map of items whose article is gone (pruned or deleted) and that
        the server no longer lists (``listed``: its unread, starred and recent ids),
        unless a local change of theirs still waits to be pushed.  While the server
        lists an item, its map row stays: that is what keeps a sync from asking for
        a pruned item again (store/retention.py).  Returns how many went."""
        gone = [
            str(r[0])
            for r in self._db.execute(
                "SELECT s.remote_id FROM sync_items s WHERE s.account_id = ? "
                "AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id) "
                "AND NOT EXISTS (SELECT 1 FROM sync_pending p WHERE p.article_id = s.article_id)",
                (account_id,),
            )
            if str(r[0]) not in listed
        ]
        if not gone:
            return 0
        with write_transaction(self._db):
            for chunk, marks in chunks(gone):
                self._db.execute(
                    f"DELETE FROM sync_items WHERE account_id = ? AND remote_id IN ({marks})",
                    [account_id, *chunk],
                )
        return len(gone)

    def item_states(self, account_id: int) -> list[ItemState]:
        """Every known item of the account whose article is still in the library."""
        rows = self._db.execute(
            "SELECT s.remote_id, s.article_id, s.remote_read, s.remote_starred, "
            "a.read_at IS NOT NULL, a.starred_at IS NOT NULL "
            "FROM sync_items s JOIN articles a ON a.id = s.article_id WHERE s.account_id = ?",
            (account_id,),
        ).fetchall()
        return [
            ItemState(str(r[0]), str(r[1]), bool(r[2]), bool(r[3]), bool(r[4]), bool(r[5]))
            for r in rows
        ]

    def map_items(
        self,
        account_id: int,
        items: Sequence[tuple[str, str, bool, bool]],
        arrived: Mapping[str, float] | None = None,
    ) -> None:
        """Record new server items ``(remote id, article id, read, starred)`` and give
        their articles the server's state, in one quiet transaction (the articles
        were stored just before).

        An article the library already had (a starred one kept when its account was
        removed, then the account added again) may hold a read or a star the server's
        item lacks.  The later wins: the server's unread/unstarred is the state the
        item had when it reached the server (``arrived``: remote id -> that time, by
        our clock), so a local read or star made after that is kept and queued to be
        sent; one made before gives way.  With no arrival time the local read or star
        is kept (a read or a star is somebody's act; the server's default is not):
        so it is for an article a feed brought here before its account adopted the
        feed (:meth:`local_matches`), whose server copy is newer than it and starts
        unread.
        A read or star the server has and the article lacks is always taken (the
        library keeps no time for an unread)."""
        if not items:
            return
        now = time.time()
        when = arrived or {}
        local: dict[str, tuple[float | None, float | None]] = {}
        for chunk, marks in chunks(list(dict.fromkeys(aid for _r, aid, _d, _s in items))):
            for aid, read_at, starred_at in self._db.execute(
                f"SELECT id, read_at, starred_at FROM articles WHERE id IN ({marks})", chunk
            ):
                local[str(aid)] = (read_at, starred_at)
        states: list[tuple[str, bool, bool]] = []
        queued: list[tuple[str, str, float]] = []
        taken: list[tuple[str, str, bool]] = []  # the server's state, changing the article's
        for rid, aid, rd, st in items:
            read_at, starred_at = local.get(aid, (None, None))
            read = _later_state(rd, read_at, when.get(rid))
            star = _later_state(st, starred_at, when.get(rid))
            states.append((aid, read, star))
            if aid in local:
                if read != (read_at is not None):
                    taken.append((aid, "read", read))
                if star != (starred_at is not None):
                    taken.append((aid, "star", star))
            if read and not rd and read_at is not None:
                queued.append((aid, "read", float(read_at)))
            if star and not st and starred_at is not None:
                queued.append((aid, "star", float(starred_at)))
        with self._quiet():
            self._db.executemany(
                "INSERT INTO sync_items(account_id, remote_id, article_id, remote_read, "
                "remote_starred) VALUES (?, ?, ?, ?, ?) ON CONFLICT(account_id, remote_id) "
                "DO UPDATE SET article_id = excluded.article_id",
                [(account_id, rid, aid, int(rd), int(st)) for rid, aid, rd, st in items],
            )
            self._set_states(now, states)
            self._db.executemany(
                "INSERT OR REPLACE INTO sync_pending(article_id, kind, value, changed_at) "
                "VALUES (?, ?, 1, ?)",
                queued,
            )
            self._queue_for_others(account_id, now, taken)

    def _queue_for_others(
        self, account_id: int, now: float, changed: Sequence[tuple[str, str, bool]]
    ) -> None:
        """A server's change applied here (``(article id, kind, value)``) is queued for
        the other accounts following the same article whose servers lack it: the
        queue's row leaves once every account has it (:meth:`pushed`).  Inside the
        caller's quiet transaction."""
        self._db.executemany(
            "INSERT OR REPLACE INTO sync_pending(article_id, kind, value, changed_at) "
            "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM sync_items s "
            "WHERE s.article_id = ?1 AND s.account_id != ?5 AND "
            "(CASE ?2 WHEN 'read' THEN s.remote_read ELSE s.remote_starred END) != ?3)",
            [(aid, kind, int(value), now, account_id) for aid, kind, value in changed],
        )

    def _set_states(
        self, now: float, states: Sequence[tuple[str, bool | None, bool | None]]
    ) -> None:
        read_rows = [(now, aid) for aid, rd, _ in states if rd is True]
        unread_rows = [(aid,) for aid, rd, _ in states if rd is False]
        star_rows = [(now, aid) for aid, _, st in states if st is True]
        unstar_rows = [(aid,) for aid, _, st in states if st is False]
        self._db.executemany(
            "UPDATE articles SET read_at = ? WHERE id = ? AND read_at IS NULL", read_rows
        )
        self._db.executemany(
            "UPDATE articles SET read_at = NULL WHERE id = ? AND read_at IS NOT NULL", unread_rows
        )
        self._db.executemany(
            "UPDATE articles SET starred_at = ? WHERE id = ? AND starred_at IS NULL", star_rows
        )
        self._db.executemany(
            "UPDATE articles SET starred_at = NULL WHERE id = ? AND starred_at IS NOT NULL",
            unstar_rows,
        )

    def apply_remote(
        self,
        account_id: int,
        changes: Sequence[tuple[str, str, bool | None, bool | None]],
        snapshots: Sequence[tuple[str, bool, bool]],
        dropped: Sequence[tuple[str, str]],
    ) -> None:
        """In one quiet transaction: give articles the server's state
        (``changes``: ``(remote id, article id, read or None, starred or None)``),
        record what the server had (``snapshots``: ``(remote id, read, starred)``)
        and drop queued local changes the server's later change overrode
        (``dropped``: ``(article id, kind)``)."""
        if not (changes or snapshots or dropped):
            return
        with self._quiet():
            now = time.time()
            self._set_states(now, [(aid, rd, st) for _rid, aid, rd, st in changes])
            self._db.executemany(
                "UPDATE sync_items SET remote_read = ?, remote_starred = ? "
                "WHERE account_id = ? AND remote_id = ?",
                [(int(rd), int(st), account_id, rid) for rid, rd, st in snapshots],
            )
            self._db.executemany(
                "DELETE FROM sync_pending WHERE article_id = ? AND kind = ?", list(dropped)
            )
            self._queue_for_others(
                account_id,
                now,
                [(aid, "read", rd) for _rid, aid, rd, _st in changes if rd is not None]
                + [(aid, "star", st) for _rid, aid, _rd, st in changes if st is not None],
            )

    # -- the queue of local changes --------------------------------------------------

    def pending(self, account_id: int) -> list[Pending]:
        """Queued local changes of the account's articles, oldest first."""
        rows = self._db.execute(
            "SELECT p.article_id, p.kind, p.value, p.changed_at, group_concat(s.remote_id) "
            "FROM sync_pending p JOIN sync_items s ON s.article_id = p.article_id "
            "WHERE s.account_id = ? GROUP BY p.article_id, p.kind ORDER BY p.changed_at",
            (account_id,),
        ).fetchall()
        return [
            Pending(str(r[0]), str(r[1]), bool(r[2]), float(r[3]), tuple(str(r[4]).split(",")))
            for r in rows
        ]

    def unsent(self, account_id: int) -> int:
        """How many queued changes the account's server has yet to be sent (a change
        its server has already, waiting for another account following the article,
        is not counted)."""
        return int(
            self._db.execute(
                "SELECT count(DISTINCT p.article_id || p.kind) FROM sync_pending p "
                "JOIN sync_items s ON s.article_id = p.article_id WHERE s.account_id = ? "
                "AND (CASE p.kind WHEN 'read' THEN s.remote_read ELSE s.remote_starred END) "
                "!= p.value",
                (account_id,),
            ).fetchone()[0]
        )

    def pending_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM sync_pending").fetchone()[0])

    def pushed(self, account_id: int, done: Sequence[Pending]) -> None:
        """The server has these changes: record the server's new state and drop them
        from the queue (unless the article changed again meanwhile, or another
        account following it has yet to be sent them), in one transaction."""
        if not done:
            return
        with write_transaction(self._db):
            for p in done:
                column = "remote_read" if p.kind == "read" else "remote_starred"
                for chunk, marks in chunks(list(p.remote_ids)):
                    self._db.execute(
                        f"UPDATE sync_items SET {column} = ? WHERE account_id = ? "
                        f"AND remote_id IN ({marks})",
                        [int(p.value), account_id, *chunk],
                    )
                self._db.execute(
                    "DELETE FROM sync_pending WHERE article_id = ? AND kind = ? "
                    "AND value = ? AND changed_at = ? AND NOT EXISTS (SELECT 1 FROM "
                    f"sync_items s WHERE s.article_id = ? AND s.{column} != ?)",
                    (p.article_id, p.kind, int(p.value), p.changed_at, p.article_id, int(p.value)),
                )
