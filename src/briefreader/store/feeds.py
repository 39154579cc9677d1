"""The library's subscriptions: feeds, how their last fetch went, and their articles
(the app's feed and tag filters)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from briefreader.store.base import StoreBase
from briefreader.store.rows import (
    FEED_SELECT,
    FeedCount,
    FeedInfo,
    Filter,
    UnreadCounts,
    chunks,
    feed_info,
    filter_sql,
    named,
)


class FeedsMixin(StoreBase):
    """The library's feed methods."""

    def add_feed(
        self, url: str, *, title: str = "", site_url: str = "", tags: Sequence[str] = ()
    ) -> tuple[FeedInfo, bool]:
        """Subscribe to a feed; returns it and whether it is new (tags are merged)."""
        existing = self.feed(url)
        if existing is not None:
            merged = tuple(dict.fromkeys([*existing.tags, *tags]))
            if merged != existing.tags or (title and not existing.title):
                self._db.execute(
                    "UPDATE feeds SET tags = ?, title = CASE WHEN title = '' THEN ? ELSE title END "
                    "WHERE id = ?",
                    ("\n".join(merged), title, existing.id),
                )
            feed = self.feed(url)
            assert feed is not None
            return feed, False
        with self._transaction():
            self._db.execute(
                "INSERT INTO feeds(url, title, site_url, tags, added_at) VALUES (?, ?, ?, ?, ?)",
                (url, title, site_url, "\n".join(dict.fromkeys(tags)), time.time()),
            )
            if self._only_samples():  # the first real feed: the samples give way
                self._delete_where("sample != 0 AND starred_at IS NULL")
        feed = self.feed(url)
        assert feed is not None
        return feed, True

    def feeds(self) -> list[FeedInfo]:
        """Every feed, by title, with its item and unread counts."""
        rows = named(
            self._db,
            f"{FEED_SELECT} FROM feeds f ORDER BY lower(coalesce(nullif(f.title, ''), f.url))",
        ).fetchall()
        return [feed_info(r) for r in rows]

    def feed(self, key: str | int) -> FeedInfo | None:
        """A feed by id or URL."""
        column = "f.id" if isinstance(key, int) else "f.url"
        r = named(self._db, f"{FEED_SELECT} FROM feeds f WHERE {column} = ?", (key,)).fetchone()
        return feed_info(r) if r else None

    def remove_feed(self, url: str) -> int | None:
        """Unsubscribe; the feed's articles go too, except starred ones.

        Returns how many articles were removed, or None when there is no such feed.
        """
        feed = self.feed(url)
        if feed is None:
            return None
        with self._transaction():
            cur = self._db.execute(
                "DELETE FROM articles WHERE feed_id = ? AND starred_at IS NULL", (feed.id,)
            )
            removed = cur.rowcount
            self._db.execute("DELETE FROM feeds WHERE id = ?", (feed.id,))
        return removed

    def record_fetch(
        self,
        feed_id: int,
        *,
        ok: bool,
        status: int | None = None,
        error: str = "",
        etag: str | None = None,
        last_modified: str | None = None,
        title: str = "",
        site_url: str = "",
        new_url: str | None = None,
        dead: bool = False,
        retry_after: float | None = None,
    ) -> None:
        """Remember how a fetch went: validators for the next conditional GET, the error."""
        now = time.time()
        sets = [
            "last_fetched = ?",
            "last_status = ?",
            "last_error = ?",
            "dead = ?",
            "retry_after = ?",
        ]
        values: list[object] = [now, status, error, int(dead), retry_after]
        if ok:
            sets += ["last_ok = ?", "etag = ?", "last_modified = ?"]
            values += [now, etag, last_modified]
        if title:
            sets.append("title = ?")
            values.append(title)
        if site_url:
            sets.append("site_url = ?")
            values.append(site_url)
        if new_url and self.feed(new_url) is None:
            sets.append("url = ?")
            values.append(new_url)
        self._db.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE id = ?", [*values, feed_id])

    # The reading app's feed and tag filters: the list's order for some feeds only
    # (served by the articles_by_feed index), and its unread count.

    def row_ids_for_feeds(self, filter: Filter, feed_ids: Sequence[int]) -> list[int]:
        """Rowids of these feeds' articles, newest first (the article list's order)."""
        if not feed_ids:
            return []
        marks = ",".join("?" * len(feed_ids))
        where = filter_sql(filter, join="AND")
        return [
            r[0]
            for r in self._db.execute(
                f"SELECT rowid FROM articles WHERE feed_id IN ({marks}){where} "
                "ORDER BY sort_ts DESC, rowid DESC",
                [int(f) for f in feed_ids],
            )
        ]

    def count_for_feeds(self, filter: Filter, feed_ids: Sequence[int]) -> int:
        """How many of these feeds' articles match ``filter``."""
        if not feed_ids:
            return 0
        marks = ",".join("?" * len(feed_ids))
        r = self._db.execute(
            f"SELECT count(*) FROM articles WHERE feed_id IN ({marks})"
            f"{filter_sql(filter, join='AND')}",
            [int(f) for f in feed_ids],
        ).fetchone()
        return int(r[0])

    def ids_in_feeds(self, article_ids: Sequence[str], feed_ids: Sequence[int]) -> list[str]:
        """The given ids (order kept) of articles that came from one of these feeds."""
        feeds = list(feed_ids)
        if not feeds:
            return []
        keep: set[str] = set()
        fmarks = ",".join("?" * len(feeds))
        for chunk, marks in chunks(article_ids):
            keep.update(
                r[0]
                for r in self._db.execute(
                    f"SELECT id FROM articles WHERE id IN ({marks}) AND feed_id IN ({fmarks})",
                    [*chunk, *feeds],
                )
            )
        return [i for i in article_ids if i in keep]

    # The feeds pane: unread counts in all, per tag and per feed, and marking a feed's
    # or a tag's articles read.  Both are served by the articles_unread_by_feed index
    # (a scan of the unread articles' feed ids, never of the article rows).

    def unread_counts(self) -> UnreadCounts:
        """Unread articles in all, per tag and per feed: one pass over the unread
        articles' index (~5 ms for 40,000 unread of 100,000), plus the feeds table."""
        per_feed: dict[int | None, int] = {
            r[0]: int(r[1])
            for r in self._db.execute(
                "SELECT feed_id, count(*) FROM articles WHERE read_at IS NULL GROUP BY feed_id"
            )
        }
        feeds = tuple(
            FeedCount(
                int(r[0]),
                str(r[1] or r[2]),
                tuple(str(r[3]).split("\n")) if r[3] else (),
                per_feed.get(int(r[0]), 0),
            )
            for r in self._db.execute(
                "SELECT id, title, url, tags FROM feeds "
                "ORDER BY lower(coalesce(nullif(title, ''), url))"
            )
        )
        tags: dict[str, int] = {}
        for feed in feeds:
            for tag in feed.tags:
                tags[tag] = tags.get(tag, 0) + feed.unread
        return UnreadCounts(
            total=sum(per_feed.values()),
            tags=tuple(sorted(tags.items(), key=lambda item: (item[0].lower(), item[0]))),
            feeds=feeds,
        )

    def mark_feeds_read(self, feed_ids: Sequence[int] | None) -> list[str]:
        """Mark every article of these feeds read (``None``: every article in the
        library); returns the ids of those that changed (what an undo marks unread
        again, :meth:`set_state`)."""
        now = time.time()
        changed: list[str] = []
        with self._transaction():
            if feed_ids is None:
                cur = self._db.execute(
                    "UPDATE articles SET read_at = ? WHERE read_at IS NULL RETURNING id",
                    (now,),
                )
                changed += [str(r[0]) for r in cur]
            else:
                for chunk, marks in chunks([int(f) for f in feed_ids]):
                    cur = self._db.execute(
                        f"UPDATE articles SET read_at = ? "
                        f"WHERE read_at IS NULL AND feed_id IN ({marks}) RETURNING id",
                        [now, *chunk],
                    )
                    changed += [str(r[0]) for r in cur]
        return changed
