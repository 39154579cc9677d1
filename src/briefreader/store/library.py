"""The library: one SQLite file holding articles, their sources and read/star state.

* Articles are keyed by their stable ``id``; storing an article again updates its
  content and keeps its read/star state (an UPSERT that never touches the state
  columns), and is skipped altogether when its content hash is unchanged.
* :class:`Library` is put together from parts, one module each: opening and write
  transactions (:mod:`.base`), feeds (:mod:`.feeds`), read/star state and deletes
  (:mod:`.state`), search (:mod:`.search`) and related articles
  (:mod:`.related_index`); storing and reading articles are here.

No parsing and no network here: callers hand in :class:`~briefreader.model.Article`
values.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from briefreader import related as _related
from briefreader.model import Article, legacy_article_ids
from briefreader.store.downloads import DownloadsMixin
from briefreader.store.feeds import FeedsMixin
from briefreader.store.related_index import RelatedMixin
from briefreader.store.rows import (
    ARTICLE_SELECT,
    ARTICLE_SELECT_EAGER,
    ARTICLE_VALUES_COLUMNS,
    ARTICLES_FROM,
    ROW_SELECT,
    SOURCE_NAME,
    ArticleRow,
    Filter,
    StoreCounts,
    article,
    article_row,
    article_values,
    chunks,
    content_hash,
    filter_sql,
    named,
    without_media,
)
from briefreader.store.schema import LAZY_SCHEMA, MEDIA_SCHEMA
from briefreader.store.state import StateMixin

if TYPE_CHECKING:
    from briefreader.store.repair import Salvage

Order = Literal["newest", "oldest", "feed", "unread"]
"""The article list's orders (the config's ``sort`` names them too)."""
ORDERS: tuple[Order, ...] = ("newest", "oldest", "feed", "unread")

#: ORDER BY for each order (``a``, ``s``, ``f`` of ARTICLES_FROM); ties newest first.
_ORDER_BY: dict[Order, str] = {
    "newest": "a.sort_ts DESC, a.rowid DESC",
    "oldest": "a.sort_ts, a.rowid",
    # By the source's name (as the list shows it: a feed's name), articles without one last.
    "feed": f"{SOURCE_NAME} = '', {SOURCE_NAME} COLLATE NOCASE, a.sort_ts DESC, a.rowid DESC",
    "unread": "a.read_at IS NOT NULL, a.sort_ts DESC, a.rowid DESC",
}

#: store() indexes a batch for related articles at once when it changed at most this
#: many articles; bigger (bulk) imports are left queued for index_related().
RELATED_SYNC_MAX = 200

#: Values of one stored row: the article's columns, then feed_id and sample.
_ROW_WIDTH = len(ARTICLE_VALUES_COLUMNS.split(",")) + 2

#: Rows written by one statement (see _upsert).
UPSERT_ROWS = 512

_UPSERT_TAIL = """
    ON CONFLICT(id) DO UPDATE SET
        title=excluded.title, summary=excluded.summary, url=excluded.url,
        source_id=excluded.source_id, author=excluded.author,
        published=excluded.published,
        sort_ts=CASE WHEN excluded.published IS NULL THEN articles.sort_ts
                     ELSE excluded.sort_ts END,
        image_caption=excluded.image_caption, takeaways=excluded.takeaways,
        takeaways_derived=excluded.takeaways_derived,
        analysis_label=excluded.analysis_label, analysis_title=excluded.analysis_title,
        analysis_body=excluded.analysis_body,
        analysis_byline=excluded.analysis_byline,
        analysis_kicker=excluded.analysis_kicker, has_analysis=excluded.has_analysis,
        body=excluded.body, tags=excluded.tags, related=excluded.related,
        origin=excluded.origin, content_hash=excluded.content_hash,
        updated_at=excluded.updated_at,
        feed_id=coalesce(excluded.feed_id, articles.feed_id),
        sample=excluded.sample,
        body_html=excluded.body_html, dek_html=excluded.dek_html,
        html_base=excluded.html_base, dek_base=excluded.dek_base,
        image_url=excluded.image_url, image_alt=excluded.image_alt,
        enclosures=excluded.enclosures
"""


@functools.cache
def _upsert_sql(n: int) -> str:
    """The UPSERT of ``n`` rows in one statement."""
    row = "(" + ",".join("?" * _ROW_WIDTH) + ")"
    return (
        f"INSERT INTO articles ({ARTICLE_VALUES_COLUMNS}, feed_id, sample) "
        f"VALUES {','.join([row] * n)}{_UPSERT_TAIL}"
    )


class Library(FeedsMixin, StateMixin, RelatedMixin, DownloadsMixin):
    """An open library file.  Use as a context manager or call :meth:`close`."""

    def __init__(
        self, path: str | Path, *, readonly: bool = False, in_memory: bool = False
    ) -> None:
        super().__init__(path, readonly=readonly, in_memory=in_memory)
        self._source_ids: dict[str, int] = {}
        # Term ids and document frequencies the related ranking looked up (see related()).
        self._term_cache = {}
        self._idf_memo = _related.IdfMemo()
        self._term_cache_docs = 0
        # A library opened read-only is not migrated: before LAZY_SCHEMA every row is eager.
        self._select = (
            ARTICLE_SELECT if self.schema_version >= LAZY_SCHEMA else ARTICLE_SELECT_EAGER
        )
        if self.schema_version < MEDIA_SCHEMA:  # no lead images or enclosures yet
            self._select = without_media(self._select)

    # -- writing ------------------------------------------------------------------

    def _source_id(self, name: str) -> int | None:
        if not name:
            return None
        cached = self._source_ids.get(name)
        if cached is not None:
            return cached
        self._db.execute("INSERT OR IGNORE INTO sources(name) VALUES (?)", (name,))
        row = self._db.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
        self._source_ids[name] = int(row[0])
        return int(row[0])

    def store(
        self,
        articles: Iterable[Article],
        *,
        feed_id: int | None = None,
        index: bool = True,
        sample: bool = False,
        give_way: bool = True,
    ) -> StoreCounts:
        """Insert or update articles in one transaction; read/star state is kept.

        An article whose content did not change is left alone (counted unchanged).
        ``feed_id`` records the feed the articles came from; feed items the user
        deleted (tombstoned, see :meth:`delete_articles`) are skipped (counted
        unchanged), while articles stored without a feed (an explicit ``add``) clear
        their tombstones.  ``index=False`` leaves small batches queued for the related
        index too (a refresh of hundreds of feeds indexes afterwards, in the
        background: :meth:`index_related`).  ``sample`` marks the bundled sample
        briefs; the first real article to arrive in a library holding only samples
        makes them give way (deleted, unless starred).  ``give_way=False`` never
        does (undoing a delete puts an article back as it was, nothing more).
        """
        batch = list(articles)
        if not batch:
            return StoreCounts()
        return self._store_batches([(feed_id, batch)], index, sample, give_way)[0]

    def store_feeds(
        self,
        batches: Sequence[tuple[int, Sequence[Article]]],
        *,
        index: bool = False,
        digests: Sequence[Sequence[str] | None] | None = None,
    ) -> list[StoreCounts]:
        """Several feeds' items, ``(feed_id, articles)`` each, stored in one transaction
        and as few statements as can be; the counts of each feed are what :meth:`store`
        would have given, feed after feed (an item two of them carry is added by the
        first and unchanged or updated by the next).  A refresh's writer stores this
        way all the feeds parsed while it wrote the last ones: every transaction (and
        every statement) makes the search index write a segment of its own."""
        return self._store_batches(
            [(feed_id, list(items)) for feed_id, items in batches], index, False, True, digests
        )

    def _store_batches(
        self,
        batches: Sequence[tuple[int | None, list[Article]]],
        index: bool,
        sample: bool,
        give_way: bool,
        digests: Sequence[Sequence[str] | None] | None = None,
    ) -> list[StoreCounts]:
        now = time.time()
        results: list[StoreCounts] = []
        with self._transaction():
            make_way = give_way and not sample and self._only_samples()
            rows: list[tuple[object, ...]] = []
            written: dict[str, str] = {}  # ids of rows made for an earlier batch: hash
            for n, (feed_id, batch) in enumerate(batches):
                counts = StoreCounts()
                given = digests[n] if digests is not None else None
                rows.extend(self._rows(batch, feed_id, sample, now, counts, written, given))
                results.append(counts)
            self._upsert(rows)
            if make_way and any(c.added for c in results):
                self._delete_where("sample != 0 AND starred_at IS NULL")
            if index and rows and len(rows) <= RELATED_SYNC_MAX:
                # Keep the related index current for everyday arrivals (feed refreshes).
                marks = ",".join("?" * len(rows))
                docs = [
                    r[0]
                    for r in self._db.execute(
                        f"SELECT rowid FROM articles WHERE id IN ({marks})", [r[0] for r in rows]
                    )
                ]
                _related.index_pending(self._db, docs=docs)
        return results

    def _rows(
        self,
        batch: list[Article],
        feed_id: int | None,
        sample: bool,
        now: float,
        counts: StoreCounts,
        written: dict[str, str],
        given: Sequence[str] | None = None,
    ) -> list[tuple[object, ...]]:
        """The rows to write for one batch (counted in ``counts``): not the articles
        tombstoned, nor those whose content hash is the stored one (or the one of a
        row made for an earlier batch, in ``written``, which gains this batch's)."""
        # Content hashes computed in a refresh's parse worker, by object (an article
        # _adopt_legacy_ids replaces is hashed here, as every one was before).
        known = {id(a): d for a, d in zip(batch, given, strict=True)} if given else {}
        ids = [a.id for a in batch]
        if feed_id is not None:
            gone = self._ids_in("deleted_articles", ids)
            if gone:
                # Still served: the tombstone stays (store/retention.py).
                self._touch_tombstones(feed_id, sorted(gone), now)
                counts.unchanged += sum(1 for a in batch if a.id in gone)
                batch = [a for a in batch if a.id not in gone]
                ids = [a.id for a in batch]
        else:
            self._forget_deleted(ids)
        existing: dict[str, str] = {}
        for chunk, marks in chunks(ids):
            existing.update(
                self._db.execute(
                    f"SELECT id, content_hash FROM articles WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        existing.update((i, written[i]) for i in ids if i in written)
        batch = self._adopt_legacy_ids(batch, existing)
        rows = []
        seen: set[str] = set()
        for art in batch:
            digest = known.get(id(art)) or content_hash(art)
            old = existing.get(art.id)
            if art.id in seen or old == digest:
                counts.unchanged += 1
                continue
            seen.add(art.id)
            if old is None:
                counts.added += 1
            else:
                counts.updated += 1
            values = article_values(art, self._source_id(art.source), digest, now)
            rows.append((*values, feed_id, int(sample)))
            written[art.id] = digest
        return rows

    def _upsert(self, rows: Sequence[tuple[object, ...]]) -> None:
        """Write rows with as few statements as the variable limit allows, not one
        statement a row (``executemany``): the search index's triggers make each
        statement a savepoint, and FTS5 writes out everything it holds in memory at
        every savepoint, so row by row each article became a segment of its own, to
        be merged again and again (the shared refresh workload: storing ~45% less
        CPU written this way)."""
        limit = self._db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // _ROW_WIDTH
        step = max(1, min(UPSERT_ROWS, limit))
        for start in range(0, len(rows), step):
            part = rows[start : start + step]
            self._db.execute(_upsert_sql(len(part)), [v for r in part for v in r])

    def _adopt_legacy_ids(self, batch: list[Article], existing: dict[str, str]) -> list[Article]:
        """Keep a local file's article under the id an older briefreader gave it.

        Before schema 4 a local article with no URL and no explicit id was keyed by
        its title, source and day alone (so files with one title overwrote each
        other); now the key includes the file's path.  When a file is added again and
        its article is not stored under the new id, but an article stored under the
        old id came from the same file (same origin), that stored article is updated
        in place and keeps its id and read/star state."""
        candidates: dict[int, list[str]] = {}
        for i, art in enumerate(batch):
            if art.url or not art.origin or art.id in existing:
                continue
            legacy = legacy_article_ids(art)
            if art.id not in legacy:
                candidates[i] = legacy
        if not candidates:
            return batch
        wanted = list({legacy for ids in candidates.values() for legacy in ids})
        stored: dict[str, tuple[str, str]] = {}
        for chunk, marks in chunks(wanted):
            for art_id, origin, digest in self._db.execute(
                f"SELECT id, origin, content_hash FROM articles WHERE id IN ({marks})", chunk
            ):
                stored[str(art_id)] = (str(origin), str(digest))
        if not stored:
            return batch
        taken = {a.id for a in batch}
        out = list(batch)
        for i, legacy in candidates.items():
            for old_id in legacy:
                hit = stored.get(old_id)
                if hit is not None and hit[0] == out[i].origin and old_id not in taken:
                    out[i] = out[i].with_changes(id=old_id)
                    existing[old_id] = hit[1]
                    taken.add(old_id)
                    break
        return out

    def remove_samples(self) -> int:
        """Delete the sample briefs (starred ones stay); returns how many went."""
        with self._transaction():
            return self._delete_where("sample != 0 AND starred_at IS NULL")

    def is_sample(self, article_id: str) -> bool:
        """Whether this stored article is one of the sample briefs."""
        if self.schema_version < 4:
            return False
        r = self._db.execute("SELECT sample FROM articles WHERE id = ?", (article_id,)).fetchone()
        return bool(r and r[0])

    def sample_count(self) -> int:
        if self.schema_version < 4:
            return 0
        return int(
            self._db.execute("SELECT count(*) FROM articles WHERE sample != 0").fetchone()[0]
        )

    # -- facts set once (the meta table) -------------------------------------------

    def samples_offered(self) -> bool:
        """Whether the app's first run (which loads the samples) is over."""
        return self.meta("samples_offered") is not None

    def mark_samples_offered(self) -> None:
        self.set_meta("samples_offered", "1")

    def first_run(self) -> bool:
        """Whether this library should get the sample briefs: they were never offered
        and there is nothing in it yet."""
        return (
            not self.samples_offered()
            and self.is_empty()
            and self._db.execute("SELECT 1 FROM feeds LIMIT 1").fetchone() is None
        )

    def meta(self, key: str) -> str | None:
        if self.schema_version < 4:
            return None
        r = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(r[0]) if r else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- full text -------------------------------------------------------------------

    def set_full_text(self, article_id: str, text: str) -> None:
        """Cache an article's full text (fetched from its page)."""
        self._db.execute("UPDATE articles SET full_text = ? WHERE id = ?", (text, article_id))

    def full_text(self, article_id: str) -> str | None:
        r = self._db.execute(
            "SELECT full_text FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return str(r[0]) if r and r[0] is not None else None

    # -- reading ------------------------------------------------------------------

    def count(self, filter: Filter = "all") -> int:
        sql = f"SELECT count(*) FROM articles{filter_sql(filter)}"
        return int(self._db.execute(sql).fetchone()[0])

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def rows(self, filter: Filter = "all", *, limit: int | None = None) -> list[ArticleRow]:
        """Rows for the article list, newest first."""
        sql = f"{ROW_SELECT} {ARTICLES_FROM}{filter_sql(filter)} ORDER BY a.sort_ts DESC, a.rowid DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [article_row(r) for r in named(self._db, sql)]

    def row(self, article_id: str) -> ArticleRow | None:
        r = named(
            self._db, f"{ROW_SELECT} {ARTICLES_FROM} WHERE a.id = ?", (article_id,)
        ).fetchone()
        return article_row(r) if r else None

    # The reading app's virtual list: the order comes from the covering index alone
    # (~50 ms for 100,000 articles, where rows() reads every table row, ~600 ms), and
    # the rows' text is read only for what is on screen.

    def row_ids(
        self,
        filter: Filter = "all",
        order: Order = "newest",
        feed_ids: Sequence[int] | None = None,
        *,
        limit: int | None = None,
    ) -> list[int]:
        """Rowids of the articles in the article list's ``order`` (see :data:`ORDERS`);
        only those of ``feed_ids`` when given.  Newest first is served by the indexes
        alone (as before); the other orders sort every row they list (not measured at
        100,000 articles yet).  ``limit``: the first so many only (newest first, all
        feeds: the app's first page)."""
        if order == "newest" and feed_ids is not None:
            return self.row_ids_for_feeds(filter, feed_ids)
        if order == "newest":
            return [
                r[0]
                for r in self._db.execute(
                    f"SELECT rowid FROM articles{filter_sql(filter)} "
                    "ORDER BY sort_ts DESC, rowid DESC LIMIT ?",
                    (-1 if limit is None else int(limit),),
                )
            ]
        where = filter_sql(filter)
        params: list[int] = []
        if feed_ids is not None:
            if not feed_ids:
                return []
            params = [int(f) for f in feed_ids]
            marks = ",".join("?" * len(params))
            where = f" WHERE a.feed_id IN ({marks}){filter_sql(filter, join='AND')}"
        return [
            r[0]
            for r in self._db.execute(
                f"SELECT a.rowid {ARTICLES_FROM}{where} ORDER BY {_ORDER_BY[order]}", params
            )
        ]

    def rows_by_rowid(self, rowids: Sequence[int]) -> list[ArticleRow]:
        """List rows for these rowids, in the order given (unknown rowids left out)."""
        found = {r.rowid: r for r in self._rows_where("a.rowid", [int(r) for r in rowids])}
        return [found[r] for r in rowids if r in found]

    def rows_for_ids(self, article_ids: Sequence[str]) -> list[ArticleRow]:
        """List rows for these article ids, in the order given (search results)."""
        found = {r.id: r for r in self._rows_where("a.id", article_ids)}
        return [found[i] for i in article_ids if i in found]

    def _rows_where(self, column: str, keys: Sequence[object]) -> Iterator[ArticleRow]:
        for chunk, marks in chunks(keys):
            sql = f"{ROW_SELECT} {ARTICLES_FROM} WHERE {column} IN ({marks})"
            yield from (article_row(r) for r in named(self._db, sql, chunk))

    def ids_for_urls(self, urls: Sequence[str]) -> dict[str, str]:
        """``{url: article id}`` for the URLs some stored article has (newest wins)."""
        found: dict[str, str] = {}
        for chunk, marks in chunks([u for u in dict.fromkeys(urls) if u]):
            for url, art_id in self._db.execute(
                f"SELECT url, id FROM articles WHERE url IN ({marks}) AND url != '' "
                "ORDER BY sort_ts",
                chunk,
            ):
                found[url] = art_id
        return found

    def get(self, article_id: str) -> Article | None:
        r = named(self._db, f"{self._select} {ARTICLES_FROM} WHERE a.id = ?", (article_id,))
        row = r.fetchone()
        return article(row) if row else None

    def find(self, key: str) -> Article | None:
        """An article by id, URL or origin (file path or feed URL)."""
        art = self.get(key)
        if art is not None:
            return art
        r = named(
            self._db,
            f"{self._select} {ARTICLES_FROM} "
            "WHERE a.url = ? OR a.origin = ? ORDER BY a.sort_ts DESC LIMIT 1",
            (key, key),
        ).fetchone()
        return article(r) if r else None

    def get_stored(self, article_id: str) -> Article | None:
        """The article exactly as stored, without the derived takeaways :meth:`get`
        adds: what undoing a delete stores again."""
        r = named(
            self._db, f"{self._select} {ARTICLES_FROM} WHERE a.id = ?", (article_id,)
        ).fetchone()
        return article(r, derive=False) if r else None

    def articles(self) -> Iterator[Article]:
        """Every article, oldest first (for export)."""
        for r in named(self._db, f"{self._select} {ARTICLES_FROM} ORDER BY a.sort_ts, a.rowid"):
            yield article(r)

    def salvage(self, skip: AbstractSet[str] = frozenset()) -> Salvage:
        """What can still be read of a damaged library's articles, one at a time, but
        those in ``skip`` (:class:`briefreader.store.repair.Salvage`; for export)."""
        from briefreader.store.repair import Salvage

        return Salvage(self._db, self._select, skip)
