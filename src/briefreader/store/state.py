"""The library's per-article state: read and star times, deletes and their
tombstones, and the state backups and scripts carry (export, add, mark, undo).

Read and star state are timestamp columns on the article row; storing an article
never writes them.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from briefreader.model import ArticleState, Tombstone
from briefreader.store import keep
from briefreader.store.base import StoreBase
from briefreader.store.rows import chunks


@dataclass(slots=True)
class TombstonesRestored:
    """What :meth:`StateMixin.restore_tombstones` did."""

    added: int = 0
    """Tombstones added."""
    removed: int = 0
    """Articles the library held that the restored deletions took away."""
    kept: int = 0
    """Articles the library held and keeps (starred, downloaded, not a feed item)."""
    known: int = 0
    """Deletions the library knew already."""


class StateMixin(StoreBase):
    """The library's read/star, delete and state methods."""

    def set_read(self, article_id: str, read: bool = True) -> None:
        self._db.execute(
            "UPDATE articles SET read_at = ? WHERE id = ?",
            (time.time() if read else None, article_id),
        )

    def set_starred(self, article_id: str, starred: bool = True) -> None:
        self._db.execute(
            "UPDATE articles SET starred_at = ? WHERE id = ?",
            (time.time() if starred else None, article_id),
        )

    def mark_read(self, article_ids: Sequence[str]) -> int:
        """Mark many articles read at once; returns how many changed."""
        return self._mark_read_where("id", list(article_ids))

    def mark_read_rowids(self, rowids: Sequence[int]) -> int:
        """Mark many articles read by rowid (the app's "mark all shown read")."""
        return self._mark_read_where("rowid", [int(r) for r in rowids])

    def _mark_read_where(self, column: Literal["id", "rowid"], keys: Sequence[object]) -> int:
        now = time.time()
        changed = 0
        with self._transaction():
            for chunk, marks in chunks(keys):
                cur = self._db.execute(
                    f"UPDATE articles SET read_at = ? WHERE read_at IS NULL AND {column} IN ({marks})",
                    [now, *chunk],
                )
                changed += cur.rowcount
        return changed

    def state(self, article_id: str) -> tuple[float | None, float | None]:
        """``(read_at, starred_at)`` timestamps, ``(None, None)`` when unknown."""
        r = self._db.execute(
            "SELECT read_at, starred_at FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return (r[0], r[1]) if r else (None, None)

    # -- deleting ---------------------------------------------------------------------

    def delete(self, article_id: str) -> bool:
        return bool(self.delete_articles([article_id]))

    def delete_articles(self, article_ids: Sequence[str]) -> list[str]:
        """Delete articles and everything hanging off them (search index, related
        index and story groups via triggers, the full-text cache in the row), in one
        transaction.  A deleted feed item gets a tombstone, so the next refresh does
        not bring it back (:meth:`forget_deleted` clears it).  Returns the ids that
        were deleted (unknown ids are left out)."""
        wanted = list(dict.fromkeys(article_ids))
        if not wanted:
            return []
        deleted: list[str] = []
        now = time.time()
        with self._transaction():
            for chunk, marks in chunks(wanted):
                found = self._db.execute(
                    f"SELECT id, feed_id, url FROM articles WHERE id IN ({marks})", chunk
                ).fetchall()
                # (the link: a server item of the feed adopted later by an account, told
                # by its link alone, is matched to it and stays deleted: store/sync.py)
                self._db.executemany(
                    "INSERT INTO deleted_articles(id, deleted_at, feed_id, seen_at, url) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                    "deleted_at = excluded.deleted_at, feed_id = excluded.feed_id, "
                    "seen_at = excluded.seen_at, pruned = 0, url = excluded.url",
                    [(i, now, feed, now, url) for i, feed, url in found if feed is not None],
                )
                self._db.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
                deleted += [str(art_id) for art_id, _, _ in found]
        return deleted

    def tombstones(self) -> list[Tombstone]:
        """Every tombstone, oldest first, with its feed's address (for an export)."""
        return [
            Tombstone(str(i), str(url or ""), str(feed or ""), float(at), bool(pruned))
            for i, url, feed, at, pruned in self._db.execute(
                "SELECT d.id, d.url, f.url, d.deleted_at, d.pruned FROM deleted_articles d "
                "LEFT JOIN feeds f ON f.id = d.feed_id ORDER BY d.deleted_at, d.id"
            )
        ]

    def restore_tombstones(self, tombstones: Sequence[Tombstone]) -> TombstonesRestored:
        """Add an export's tombstones (a restore): each one's feed found by its address,
        seen now (so it lasts as long as a new one while the feed serves the item).

        The deletion wins over an article the library holds under its id (a refresh
        on the new machine before the restore brought it back, or an old export's
        file of it) when the reader deleted it there and retention could take it here
        (not starred, not downloaded, a feed item: store/keep.py).  Such an article
        is kept otherwise, and no tombstone is added for it: what the other library's
        retention pruned is this library's retention's to decide.  A deletion known
        already is linked to its feed if it had none (restored before the feeds)."""
        done = TombstonesRestored()
        if not tombstones:
            return done
        now = time.time()
        feeds = {str(url): int(i) for i, url in self._db.execute("SELECT id, url FROM feeds")}
        may_go = keep.may_go(self._db)
        with self._transaction():
            for stone in tombstones:
                held = self._db.execute(
                    f"SELECT {may_go} FROM articles a WHERE a.id = ?", (stone.id,)
                ).fetchone()
                if held is not None:
                    # (what the other library's retention pruned is this one's
                    # retention's to decide)
                    if not held[0] or stone.pruned:
                        done.kept += 1
                        continue
                    self._db.execute("DELETE FROM articles WHERE id = ?", (stone.id,))
                    done.removed += 1
                feed_id = feeds.get(stone.feed_url)
                if self._db.execute(
                    "SELECT 1 FROM deleted_articles WHERE id = ?", (stone.id,)
                ).fetchone():
                    done.known += 1
                    if feed_id is not None:  # (restored before its feed was followed)
                        self._db.execute(
                            "UPDATE deleted_articles SET feed_id = ? "
                            "WHERE id = ? AND feed_id IS NULL",
                            (feed_id, stone.id),
                        )
                    continue
                self._db.execute(
                    "INSERT INTO deleted_articles(id, deleted_at, feed_id, seen_at, pruned, url) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (stone.id, stone.deleted_at, feed_id, now, int(stone.pruned), stone.url),
                )
                done.added += 1
        return done

    def forget_deleted(self, article_ids: Sequence[str]) -> None:
        """Clear the tombstones of these ids (undoing a delete)."""
        with self._transaction():
            self._forget_deleted(list(article_ids))

    def _forget_deleted(self, ids: Sequence[str]) -> None:
        """:meth:`forget_deleted` inside the caller's transaction."""
        for chunk, marks in chunks(ids):
            self._db.execute(f"DELETE FROM deleted_articles WHERE id IN ({marks})", chunk)

    def _touch_tombstones(self, feed_id: int, ids: Sequence[str], now: float) -> None:
        """The feed still serves these deleted items: their tombstones stay until it
        has not for a while (store/retention.py), inside the caller's transaction."""
        for chunk, marks in chunks(ids):
            self._db.execute(
                f"UPDATE deleted_articles SET seen_at = ?, feed_id = ? WHERE id IN ({marks})",
                [now, feed_id, *chunk],
            )

    def is_deleted(self, article_id: str) -> bool:
        """Whether this id has a tombstone (a deleted feed item)."""
        return (
            self._db.execute(
                "SELECT 1 FROM deleted_articles WHERE id = ?", (article_id,)
            ).fetchone()
            is not None
        )

    # -- state for backups and scripts (export, add, mark, undoing a delete) ----------

    def states(self, article_ids: Sequence[str] | None = None) -> dict[str, ArticleState]:
        """``{id: ArticleState}``: read and star times and the URL of the feed, for
        these articles (every article when ``None``) that have any of them."""
        sql = (
            "SELECT a.id, a.read_at, a.starred_at, coalesce(f.url, '') FROM articles a "
            "LEFT JOIN feeds f ON f.id = a.feed_id WHERE (a.read_at IS NOT NULL "
            "OR a.starred_at IS NOT NULL OR a.feed_id IS NOT NULL)"
        )
        if article_ids is None:
            rows = self._db.execute(sql).fetchall()
        else:
            rows = []
            for chunk, marks in chunks(list(dict.fromkeys(article_ids))):
                rows += self._db.execute(f"{sql} AND a.id IN ({marks})", chunk).fetchall()
        return {str(r[0]): ArticleState(r[1], r[2], str(r[3])) for r in rows}

    def restore_states(self, states: Mapping[str, ArticleState]) -> int:
        """Apply state an export carried to the stored articles, never clobbering: a
        read or star time is set only where the article has none (an import never
        un-reads, un-stars or moves a time), and an article with no feed is linked
        to the feed the state names when that feed is subscribed.  Returns how many
        articles changed."""
        if self.readonly or not states:
            return 0
        changed = 0
        with self._transaction():
            for art_id, st in states.items():
                cur = self._db.execute(
                    """
                    UPDATE articles SET
                        read_at = coalesce(read_at, :read),
                        starred_at = coalesce(starred_at, :star),
                        feed_id = coalesce(feed_id, (SELECT id FROM feeds WHERE url = :feed))
                    WHERE id = :id AND (
                        (read_at IS NULL AND :read IS NOT NULL)
                        OR (starred_at IS NULL AND :star IS NOT NULL)
                        OR (feed_id IS NULL AND EXISTS (SELECT 1 FROM feeds WHERE url = :feed)))
                    """,
                    {"id": art_id, "read": st.read_at, "star": st.starred_at, "feed": st.feed_url},
                )
                changed += cur.rowcount
        return changed

    def set_state(
        self, article_ids: Sequence[str], *, read: bool | None = None, starred: bool | None = None
    ) -> int:
        """Mark articles read or unread, starred or not (``None``: leave it).  An
        article already read (starred) keeps the time it was first marked.  Returns
        how many articles changed."""
        sets: list[str] = []
        changes: list[str] = []
        for column, value in (("read_at", read), ("starred_at", starred)):
            if value is True:
                sets.append(f"{column} = coalesce({column}, :now)")
                changes.append(f"{column} IS NULL")
            elif value is False:
                sets.append(f"{column} = NULL")
                changes.append(f"{column} IS NOT NULL")
        ids = list(dict.fromkeys(article_ids))
        if not sets or not ids:
            return 0
        changed = 0
        params: dict[str, object] = {"now": time.time()}
        with self._transaction():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                keys = {f"k{i}": art_id for i, art_id in enumerate(chunk)}
                cur = self._db.execute(
                    f"UPDATE articles SET {', '.join(sets)} "
                    f"WHERE id IN ({','.join(':' + k for k in keys)}) AND ({' OR '.join(changes)})",
                    {**params, **keys},
                )
                changed += cur.rowcount
        return changed
