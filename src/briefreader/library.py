"""The library: one SQLite file holding articles, their sources and read/star state.

* Articles are keyed by their stable ``id``; storing an article again updates its
  content and keeps its read/star state (an UPSERT that never touches the state
  columns).
* Full-text search is an FTS5 index over title, dek, takeaways, analysis and body,
  kept in step by triggers (an external-content table, so the text is stored once).
* WAL mode, a busy timeout and ``BEGIN IMMEDIATE`` write transactions let a second
  running instance read and write without failing or corrupting anything.
* The schema version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` brings any
  older file up to date when it is opened.

No parsing and no network here: callers hand in :class:`~briefreader.model.Article`
values.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from briefreader import related as _related
from briefreader.insight import with_derived_takeaways
from briefreader.model import Analysis, Article, ArticleState, RelatedLink, legacy_article_ids
from briefreader.related import RelatedHit, StoryInfo

__all__ = [
    "SCHEMA_VERSION",
    "ArticleRow",
    "FeedInfo",
    "Library",
    "LibraryError",
    "RelatedHit",
    "SearchHit",
    "StoreCounts",
    "StoryInfo",
    "fts_query",
    "is_damage",
    "problem_line",
]

Filter = Literal["all", "unread", "starred"]

SCHEMA_VERSION = 4

#: Each entry brings the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first release.
    """
    CREATE TABLE sources (
        id    INTEGER PRIMARY KEY,
        name  TEXT NOT NULL UNIQUE
    );
    CREATE TABLE articles (
        rowid             INTEGER PRIMARY KEY,
        id                TEXT NOT NULL UNIQUE,
        title             TEXT NOT NULL,
        summary           TEXT NOT NULL DEFAULT '',
        url               TEXT NOT NULL DEFAULT '',
        source_id         INTEGER REFERENCES sources(id),
        author            TEXT NOT NULL DEFAULT '',
        published         TEXT,
        sort_ts           REAL NOT NULL,
        image_caption     TEXT NOT NULL DEFAULT '',
        takeaways         TEXT NOT NULL DEFAULT '',
        takeaways_derived INTEGER NOT NULL DEFAULT 0,
        analysis_label    TEXT NOT NULL DEFAULT '',
        analysis_title    TEXT NOT NULL DEFAULT '',
        analysis_body     TEXT NOT NULL DEFAULT '',
        analysis_byline   TEXT NOT NULL DEFAULT '',
        analysis_kicker   TEXT NOT NULL DEFAULT '',
        has_analysis      INTEGER NOT NULL DEFAULT 0,
        body              TEXT NOT NULL DEFAULT '',
        tags              TEXT NOT NULL DEFAULT '',
        related           TEXT NOT NULL DEFAULT '',
        origin            TEXT NOT NULL DEFAULT '',
        content_hash      TEXT NOT NULL,
        added_at          REAL NOT NULL,
        updated_at        REAL NOT NULL,
        read_at           REAL,
        starred_at        REAL
    );
    CREATE INDEX articles_by_time ON articles(sort_ts DESC);
    CREATE INDEX articles_unread ON articles(sort_ts DESC) WHERE read_at IS NULL;
    CREATE INDEX articles_starred ON articles(sort_ts DESC) WHERE starred_at IS NOT NULL;
    CREATE INDEX articles_by_url ON articles(url) WHERE url != '';
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, takeaways, analysis_body, body,
        content='articles', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, takeaways, analysis_body, body)
        VALUES (new.rowid, new.title, new.summary, new.takeaways, new.analysis_body, new.body);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, takeaways, analysis_body, body)
        VALUES ('delete', old.rowid, old.title, old.summary, old.takeaways, old.analysis_body,
                old.body);
    END;
    CREATE TRIGGER articles_fts_update
    AFTER UPDATE OF title, summary, takeaways, analysis_body, body ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, takeaways, analysis_body, body)
        VALUES ('delete', old.rowid, old.title, old.summary, old.takeaways, old.analysis_body,
                old.body);
        INSERT INTO articles_fts(rowid, title, summary, takeaways, analysis_body, body)
        VALUES (new.rowid, new.title, new.summary, new.takeaways, new.analysis_body, new.body);
    END;
    """,
    # 1 -> 2: feeds.
    """
    CREATE TABLE feeds (
        id             INTEGER PRIMARY KEY,
        url            TEXT NOT NULL UNIQUE,
        title          TEXT NOT NULL DEFAULT '',
        site_url       TEXT NOT NULL DEFAULT '',
        tags           TEXT NOT NULL DEFAULT '',
        etag           TEXT,
        last_modified  TEXT,
        added_at       REAL NOT NULL,
        last_fetched   REAL,
        last_ok        REAL,
        last_status    INTEGER,
        last_error     TEXT NOT NULL DEFAULT '',
        dead           INTEGER NOT NULL DEFAULT 0,
        retry_after    REAL
    );
    ALTER TABLE articles ADD COLUMN feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL;
    ALTER TABLE articles ADD COLUMN full_text TEXT;
    CREATE INDEX articles_by_feed ON articles(feed_id, sort_ts DESC);
    """,
    # 2 -> 3: the related-articles index (see briefreader.related): queued by triggers,
    # indexed in small batches by store() and in bulk by index_related().
    _related.MIGRATION_SQL,
    # 3 -> 4: data safety.
    # * ``meta``: facts set once (``samples_offered``: the app's first run is over).
    # * ``sample``: the bundled sample briefs, which give way to the first real article.
    # * ``deleted_articles``: tombstones, so a deleted feed item does not come back.
    # * The related queue's triggers no longer rely on ``INSERT OR IGNORE``: a trigger
    #   fired by an UPSERT takes the UPSERT's conflict policy (ABORT), so re-storing an
    #   article still queued failed with "UNIQUE constraint failed: related_pending.doc".
    """
    CREATE TABLE meta (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO meta(key, value)
        SELECT 'samples_offered', '1'
        WHERE EXISTS (SELECT 1 FROM articles) OR EXISTS (SELECT 1 FROM feeds);
    CREATE TABLE deleted_articles (
        id          TEXT PRIMARY KEY,
        deleted_at  REAL NOT NULL
    ) WITHOUT ROWID;
    ALTER TABLE articles ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
    UPDATE articles SET sample = 1
        WHERE feed_id IS NULL
          AND (origin LIKE '%/briefreader/samples/%' OR origin LIKE '%\\briefreader\\samples\\%');
    CREATE INDEX articles_samples ON articles(sample) WHERE sample != 0;
    DROP TRIGGER related_queue_insert;
    DROP TRIGGER related_queue_update;
    CREATE TRIGGER related_queue_insert AFTER INSERT ON articles BEGIN
        INSERT INTO related_pending(doc) SELECT new.rowid
        WHERE NOT EXISTS (SELECT 1 FROM related_pending WHERE doc = new.rowid);
    END;
    CREATE TRIGGER related_queue_update AFTER UPDATE OF title, summary, takeaways, body ON articles
    BEGIN
        INSERT INTO related_pending(doc) SELECT new.rowid
        WHERE NOT EXISTS (SELECT 1 FROM related_pending WHERE doc = new.rowid);
    END;
    """,
)

#: ``PRAGMA application_id`` of a briefreader library ("BrRd"): set on creation and
#: migration; a file with another non-zero application_id is refused.
APPLICATION_ID = 0x42725264

#: store() indexes a batch for related articles at once when it changed at most this
#: many articles; bigger (bulk) imports are left queued for index_related().
RELATED_SYNC_MAX = 200
#: related() on a writable library first indexes a queue of at most this many.
RELATED_CATCH_UP_MAX = 1000

# FTS5 column weights for bm25: title, summary, takeaways, analysis, body.
_BM25 = "bm25(articles_fts, 10.0, 4.0, 5.0, 2.0, 1.0)"

_ARTICLE_COLUMNS = (
    "a.id, a.title, a.summary, a.url, s.name, a.author, a.published, a.image_caption, "
    "a.takeaways, a.takeaways_derived, a.analysis_label, a.analysis_title, a.analysis_body, "
    "a.analysis_byline, a.analysis_kicker, a.has_analysis, a.body, a.tags, a.related, a.origin"
)


class LibraryError(Exception):
    """The library file cannot be opened or is not a briefreader library."""


def problem_line(path: str | Path, exc: sqlite3.Error) -> str:
    """One line saying what went wrong with the library file and what to do."""
    text = str(exc)
    if "readonly" in text.replace(" ", "").replace("-", "").lower():
        return (
            f"{path}: the library is read-only (the file or its folder cannot be written); "
            "reading commands still work"
        )
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return f"{path}: the library is busy (another briefreader is writing); try again"
    if isinstance(exc, sqlite3.OperationalError) and "malformed" not in text:
        return f"{path}: {text}"
    return (
        f"{path}: the library file is damaged ({text}); it was left as it is: restore it "
        "from a backup, or move it aside to start a new library"
    )


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error means the file itself is damaged (not busy, not
    interrupted, not read-only)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    text = str(exc)
    return type(exc) is sqlite3.DatabaseError or "malformed" in text or "not a database" in text


def _writable(path: Path) -> bool:
    """Whether the library file (or, for a new one, its folder) can be written, and
    its folder too (SQLite keeps its -wal and -shm files beside it)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return not folder.exists() or os.access(folder, os.W_OK)


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """What the article list needs of an article: cheap to load by the hundred thousand."""

    rowid: int
    id: str
    title: str
    source: str
    sort_ts: float
    read: bool
    starred: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    title: str
    source: str
    published: str | None
    origin: str
    url: str
    snippet: str
    score: float


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A subscription and how its last fetch went."""

    id: int
    url: str
    title: str
    site_url: str
    tags: tuple[str, ...]
    etag: str | None
    last_modified: str | None
    added_at: float
    last_fetched: float | None
    last_ok: float | None
    last_status: int | None
    last_error: str
    dead: bool
    retry_after: float | None
    item_count: int
    unread_count: int

    @property
    def name(self) -> str:
        return self.title or self.url


_FEED_COLUMNS = (
    "f.id, f.url, f.title, f.site_url, f.tags, f.etag, f.last_modified, f.added_at, f.last_fetched, "
    "f.last_ok, f.last_status, f.last_error, f.dead, f.retry_after, "
    "(SELECT count(*) FROM articles a WHERE a.feed_id = f.id), "
    "(SELECT count(*) FROM articles a WHERE a.feed_id = f.id AND a.read_at IS NULL)"
)


def _feed(r: Sequence[object]) -> FeedInfo:
    tags = str(r[4])
    return FeedInfo(
        id=int(str(r[0])),
        url=str(r[1]),
        title=str(r[2]),
        site_url=str(r[3]),
        tags=tuple(tags.split("\n")) if tags else (),
        etag=None if r[5] is None else str(r[5]),
        last_modified=None if r[6] is None else str(r[6]),
        added_at=float(str(r[7])),
        last_fetched=None if r[8] is None else float(str(r[8])),
        last_ok=None if r[9] is None else float(str(r[9])),
        last_status=None if r[10] is None else int(str(r[10])),
        last_error=str(r[11]),
        dead=bool(r[12]),
        retry_after=None if r[13] is None else float(str(r[13])),
        item_count=int(str(r[14])),
        unread_count=int(str(r[15])),
    )


@dataclass(slots=True)
class StoreCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _content_hash(article: Article) -> str:
    """A digest of every field (cheap: joined text, no JSON)."""
    a, an = article, article.analysis
    parts = (
        a.id, a.title, a.summary, a.url, a.source, a.author,
        a.published.isoformat() if a.published else "", a.image_caption,
        "\x1e".join(a.takeaways), "1" if a.takeaways_derived else "0",
        "\x1e".join((an.label, an.title, an.body, an.byline, an.kicker)) if an else "\x00",
        a.body, "\x1e".join(a.tags),
        "\x1e".join(f"{r.title}\x1d{r.url}" for r in a.related), a.origin,
    )  # fmt: skip
    payload = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


_TOKEN = re.compile(r'"[^"]*"|[^\s"]+')
_WORDISH = re.compile(r"\w", re.UNICODE)


def fts_query(text: str, *, prefix_last: bool = True) -> str:
    """Turn what a person typed into a safe FTS5 query.

    Words are ANDed; ``"quoted phrases"`` stay phrases; every term is quoted, so FTS5
    operators and punctuation in the input are never interpreted.  The last word
    matches as a prefix (results as you type).  Returns "" when nothing is searchable.
    """
    terms: list[str] = []
    tokens = _TOKEN.findall(text)
    for i, tok in enumerate(tokens):
        phrase = tok.strip('"')
        if not _WORDISH.search(phrase):
            continue
        quoted = '"' + phrase.replace('"', '""') + '"'
        is_last = i == len(tokens) - 1
        if prefix_last and is_last and not tok.startswith('"'):
            quoted += "*"
        terms.append(quoted)
    return " ".join(terms)


class Library:
    """An open library file.  Use as a context manager or call :meth:`close`."""

    @classmethod
    def for_reading(cls, path: str | Path) -> Library:
        """Open for a reading command: writable when it can be (so an older schema is
        brought up to date), else read-only (a 0444 file, a read-only folder or disk)."""
        p = Path(path)
        return cls(p, readonly=p.exists() and not _writable(p))

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if not readonly:
            if self.path.exists() and not _writable(self.path):
                raise LibraryError(
                    f"{self.path}: the library is read-only (the file or its folder cannot "
                    "be written); reading commands still work"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if readonly:
                self._db = self._connect_readonly()
            else:
                self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._check_ours()  # before anything could write to another program's file
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._db.execute("PRAGMA cache_size = -32768")  # 32 MB: FTS merges stay in memory
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if "malformed" in str(exc) or "readonly" in str(exc):
                raise LibraryError(problem_line(self.path, exc)) from None
            raise LibraryError(f"{self.path}: not a briefreader library ({exc})") from None
        self._source_ids: dict[str, int] = {}
        # Term ids and document frequencies the related ranking looked up (see related()).
        self._term_cache: _related.TermCache = {}
        self._term_cache_docs = 0

    def _connect_readonly(self) -> sqlite3.Connection:
        """``mode=ro``; when SQLite cannot make the WAL index beside a read-only file
        (a read-only folder), ``immutable=1``: nothing can be writing it then."""
        base = self.path.resolve().as_uri()
        if not self.path.exists():
            raise LibraryError(f"{self.path}: no such library")
        db = sqlite3.connect(
            base + "?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            db.close()
            db = sqlite3.connect(
                base + "?mode=ro&immutable=1",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
        return db

    # -- lifecycle ----------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def interrupt(self) -> None:
        """Abort a query running on this connection (safe to call from another thread)."""
        with contextlib.suppress(sqlite3.ProgrammingError):  # already closed
            self._db.interrupt()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction: ``BEGIN IMMEDIATE`` takes the write lock at once (a
        second instance waits up to the busy timeout instead of failing mid-way)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _check_ours(self) -> int:
        """The file's schema version; :class:`LibraryError` when the file is some other
        program's SQLite database (another application_id, or tables but neither our
        application_id nor our schema) or its version makes no sense."""
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(self._db.execute("PRAGMA application_id").fetchone()[0])
        if app_id not in (0, APPLICATION_ID):
            raise LibraryError(
                f"{self.path}: not a briefreader library (another program's SQLite file, "
                f"application_id {app_id:#x}); pass another --library"
            )
        if version < 0:
            raise LibraryError(f"{self.path}: not a briefreader library (schema version {version})")
        if version > SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path}: made by a newer briefreader (schema {version} > {SCHEMA_VERSION})"
            )
        if app_id == 0:
            tables = {
                str(r[0])
                for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if tables and (version == 0 or "articles" not in tables):
                raise LibraryError(
                    f"{self.path}: not a briefreader library (an SQLite file with other "
                    "tables); pass another --library"
                )
        return version

    def _migrate(self) -> None:
        version = self._check_ours()
        if self.readonly:
            return
        if version == SCHEMA_VERSION:
            if int(self._db.execute("PRAGMA application_id").fetchone()[0]) == 0:
                with self._transaction():
                    self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            return
        with self._transaction():
            # Re-read inside the lock: another instance may have migrated meanwhile.
            version = self._check_ours()
            for step in range(version, SCHEMA_VERSION):
                for statement in _split_sql(MIGRATIONS[step]):
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

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
        makes them give way (deleted, unless starred).
        """
        counts = StoreCounts()
        batch = list(articles)
        if not batch:
            return counts
        now = time.time()
        with self._transaction():
            ids = [a.id for a in batch]
            if feed_id is not None:
                gone = self._ids_in("deleted_articles", ids)
                if gone:
                    counts.unchanged += sum(1 for a in batch if a.id in gone)
                    batch = [a for a in batch if a.id not in gone]
                    ids = [a.id for a in batch]
            else:
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    self._db.execute(f"DELETE FROM deleted_articles WHERE id IN ({marks})", chunk)
            existing: dict[str, str] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                existing.update(
                    self._db.execute(
                        f"SELECT id, content_hash FROM articles WHERE id IN ({marks})", chunk
                    ).fetchall()
                )
            batch = self._adopt_legacy_ids(batch, existing)
            make_way = not sample and self._only_samples()
            rows = []
            seen: set[str] = set()
            for art in batch:
                digest = _content_hash(art)
                old = existing.get(art.id)
                if art.id in seen or old == digest:
                    counts.unchanged += 1
                    continue
                seen.add(art.id)
                if old is None:
                    counts.added += 1
                else:
                    counts.updated += 1
                rows.append((*self._row(art, digest, now), feed_id, int(sample)))
            self._db.executemany(
                """
                INSERT INTO articles (
                    id, title, summary, url, source_id, author, published, sort_ts,
                    image_caption, takeaways, takeaways_derived, analysis_label, analysis_title,
                    analysis_body, analysis_byline, analysis_kicker, has_analysis, body, tags,
                    related, origin, content_hash, added_at, updated_at, feed_id, sample
                ) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
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
                    sample=excluded.sample
                """,
                rows,
            )
            if make_way and counts.added:
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
        return counts

    def _row(self, art: Article, digest: str, now: float) -> tuple[object, ...]:
        an = art.analysis
        return (
            art.id,
            art.title,
            art.summary,
            art.url,
            self._source_id(art.source),
            art.author,
            art.published.isoformat() if art.published else None,
            art.published.timestamp() if art.published else now,
            art.image_caption,
            "\n".join(art.takeaways),
            int(art.takeaways_derived),
            an.label if an else "",
            an.title if an else "",
            an.body if an else "",
            an.byline if an else "",
            an.kicker if an else "",
            int(an is not None),
            art.body,
            "\n".join(art.tags),
            json.dumps([r.to_dict() for r in art.related], ensure_ascii=False)
            if art.related
            else "",
            art.origin,
            digest,
            now,
            now,
        )

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

    def _mark_read_where(self, column: Literal["id", "rowid"], keys: Sequence[object]) -> int:
        now = time.time()
        changed = 0
        with self._transaction():
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                cur = self._db.execute(
                    f"UPDATE articles SET read_at = ? WHERE read_at IS NULL AND {column} IN ({marks})",
                    [now, *chunk],
                )
                changed += cur.rowcount
        return changed

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
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found = self._db.execute(
                    f"SELECT id, feed_id FROM articles WHERE id IN ({marks})", chunk
                ).fetchall()
                self._db.executemany(
                    "INSERT INTO deleted_articles(id, deleted_at) VALUES (?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET deleted_at = excluded.deleted_at",
                    [(art_id, now) for art_id, feed in found if feed is not None],
                )
                self._db.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
                deleted += [str(art_id) for art_id, _ in found]
        return deleted

    def forget_deleted(self, article_ids: Sequence[str]) -> None:
        """Clear the tombstones of these ids (undoing a delete)."""
        ids = list(article_ids)
        with self._transaction():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                self._db.execute(f"DELETE FROM deleted_articles WHERE id IN ({marks})", chunk)

    def is_deleted(self, article_id: str) -> bool:
        """Whether this id has a tombstone (a deleted feed item)."""
        return (
            self._db.execute(
                "SELECT 1 FROM deleted_articles WHERE id = ?", (article_id,)
            ).fetchone()
            is not None
        )

    def _ids_in(
        self, table: Literal["articles", "deleted_articles"], ids: Sequence[str]
    ) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            found.update(
                str(r[0])
                for r in self._db.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk)
            )
        return found

    def _delete_where(self, where: str, params: Sequence[object] = ()) -> int:
        """Delete articles matching ``where`` (inside the caller's transaction)."""
        return int(self._db.execute(f"DELETE FROM articles WHERE {where}", params).rowcount)

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
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
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

    def _only_samples(self) -> bool:
        """Whether the library holds sample briefs and no real article."""
        if self._db.execute("SELECT 1 FROM articles WHERE sample != 0 LIMIT 1").fetchone() is None:
            return False
        return (
            self._db.execute("SELECT 1 FROM articles WHERE sample = 0 LIMIT 1").fetchone() is None
        )

    def remove_samples(self) -> int:
        """Delete the sample briefs (starred ones stay); returns how many went."""
        with self._transaction():
            return self._delete_where("sample != 0 AND starred_at IS NULL")

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

    # -- feeds ---------------------------------------------------------------------

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
        rows = self._db.execute(
            f"SELECT {_FEED_COLUMNS} FROM feeds f ORDER BY lower(coalesce(nullif(f.title, ''), f.url))"
        ).fetchall()
        return [_feed(r) for r in rows]

    def feed(self, key: str | int) -> FeedInfo | None:
        """A feed by id or URL."""
        if isinstance(key, int):
            r = self._db.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.id = ?", (key,)
            ).fetchone()
        else:
            r = self._db.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.url = ?", (key,)
            ).fetchone()
        return _feed(r) if r else None

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

    def feed_article_ids(self, feed_id: int) -> list[str]:
        return [
            r[0] for r in self._db.execute("SELECT id FROM articles WHERE feed_id = ?", (feed_id,))
        ]

    def rows_for_feed(self, feed_id: int) -> list[ArticleRow]:
        return [
            ArticleRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]))
            for r in self._db.execute(
                "SELECT a.rowid, a.id, a.title, coalesce(s.name, ''), a.sort_ts, "
                "a.read_at IS NOT NULL, a.starred_at IS NOT NULL "
                "FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.feed_id = ? "
                "ORDER BY a.sort_ts DESC, a.rowid DESC",
                (feed_id,),
            )
        ]

    # Added for the reading app's feed and tag filters: the list's order for some
    # feeds only (served by the articles_by_feed index), and its unread count.

    def row_ids_for_feeds(self, filter: Filter, feed_ids: Sequence[int]) -> list[int]:
        """Rowids of these feeds' articles, newest first (the article list's order)."""
        if not feed_ids:
            return []
        where = {
            "all": "",
            "unread": " AND read_at IS NULL",
            "starred": " AND starred_at IS NOT NULL",
        }
        marks = ",".join("?" * len(feed_ids))
        return [
            r[0]
            for r in self._db.execute(
                f"SELECT rowid FROM articles WHERE feed_id IN ({marks}){where[filter]} "
                "ORDER BY sort_ts DESC, rowid DESC",
                [int(f) for f in feed_ids],
            )
        ]

    def count_for_feeds(self, filter: Filter, feed_ids: Sequence[int]) -> int:
        """How many of these feeds' articles match ``filter``."""
        if not feed_ids:
            return 0
        where = {
            "all": "",
            "unread": " AND read_at IS NULL",
            "starred": " AND starred_at IS NOT NULL",
        }
        marks = ",".join("?" * len(feed_ids))
        r = self._db.execute(
            f"SELECT count(*) FROM articles WHERE feed_id IN ({marks}){where[filter]}",
            [int(f) for f in feed_ids],
        ).fetchone()
        return int(r[0])

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
        where = {
            "all": "",
            "unread": " WHERE read_at IS NULL",
            "starred": " WHERE starred_at IS NOT NULL",
        }
        return int(self._db.execute(f"SELECT count(*) FROM articles{where[filter]}").fetchone()[0])

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def rows(self, filter: Filter = "all", *, limit: int | None = None) -> list[ArticleRow]:
        """Rows for the article list, newest first."""
        where = {
            "all": "",
            "unread": "WHERE a.read_at IS NULL",
            "starred": "WHERE a.starred_at IS NOT NULL",
        }
        sql = (
            "SELECT a.rowid, a.id, a.title, coalesce(s.name, ''), a.sort_ts, "
            "a.read_at IS NOT NULL, a.starred_at IS NOT NULL "
            f"FROM articles a LEFT JOIN sources s ON s.id = a.source_id {where[filter]} "
            "ORDER BY a.sort_ts DESC, a.rowid DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [
            ArticleRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]))
            for r in self._db.execute(sql)
        ]

    def row(self, article_id: str) -> ArticleRow | None:
        r = self._db.execute(
            "SELECT a.rowid, a.id, a.title, coalesce(s.name, ''), a.sort_ts, "
            "a.read_at IS NOT NULL, a.starred_at IS NOT NULL "
            "FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return ArticleRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6])) if r else None

    # Added for the reading app's virtual list: the order comes from the covering
    # index alone (~50 ms for 100,000 articles, where rows() reads every table row,
    # ~600 ms), and the rows' text is read only for what is on screen.

    def row_ids(self, filter: Filter = "all") -> list[int]:
        """Rowids of the articles, newest first (the article list's order)."""
        where = {
            "all": "",
            "unread": " WHERE read_at IS NULL",
            "starred": " WHERE starred_at IS NOT NULL",
        }
        return [
            r[0]
            for r in self._db.execute(
                f"SELECT rowid FROM articles{where[filter]} ORDER BY sort_ts DESC, rowid DESC"
            )
        ]

    def rows_by_rowid(self, rowids: Sequence[int]) -> list[ArticleRow]:
        """List rows for these rowids, in the order given (unknown rowids left out)."""
        found: dict[int, ArticleRow] = {}
        for start in range(0, len(rowids), 500):
            chunk = [int(r) for r in rowids[start : start + 500]]
            marks = ",".join("?" * len(chunk))
            for r in self._db.execute(
                "SELECT a.rowid, a.id, a.title, coalesce(s.name, ''), a.sort_ts, "
                "a.read_at IS NOT NULL, a.starred_at IS NOT NULL "
                f"FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.rowid IN ({marks})",
                chunk,
            ):
                found[r[0]] = ArticleRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]))
        return [found[r] for r in rowids if r in found]

    def rows_for_ids(self, article_ids: Sequence[str]) -> list[ArticleRow]:
        """List rows for these article ids, in the order given (search results)."""
        found: dict[str, ArticleRow] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for r in self._db.execute(
                "SELECT a.rowid, a.id, a.title, coalesce(s.name, ''), a.sort_ts, "
                "a.read_at IS NOT NULL, a.starred_at IS NOT NULL "
                f"FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.id IN ({marks})",
                chunk,
            ):
                found[r[1]] = ArticleRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]))
        return [found[i] for i in article_ids if i in found]

    def ids_in_feeds(self, article_ids: Sequence[str], feed_ids: Sequence[int]) -> list[str]:
        """The given ids (order kept) of articles that came from one of these feeds."""
        feeds = list(feed_ids)
        if not feeds:
            return []
        keep: set[str] = set()
        fmarks = ",".join("?" * len(feeds))
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            keep.update(
                r[0]
                for r in self._db.execute(
                    f"SELECT id FROM articles WHERE id IN ({marks}) AND feed_id IN ({fmarks})",
                    [*chunk, *feeds],
                )
            )
        return [i for i in article_ids if i in keep]

    def ids_for_urls(self, urls: Sequence[str]) -> dict[str, str]:
        """``{url: article id}`` for the URLs some stored article has (newest wins)."""
        wanted = [u for u in dict.fromkeys(urls) if u]
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for url, art_id in self._db.execute(
                f"SELECT url, id FROM articles WHERE url IN ({marks}) AND url != '' "
                "ORDER BY sort_ts",
                chunk,
            ):
                found[url] = art_id
        return found

    def mark_read_rowids(self, rowids: Sequence[int]) -> int:
        """Mark many articles read by rowid (the app's "mark all shown read")."""
        return self._mark_read_where("rowid", [int(r) for r in rowids])

    def get(self, article_id: str) -> Article | None:
        r = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
            "WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return _article(r) if r else None

    def find(self, key: str) -> Article | None:
        """An article by id, URL or origin (file path or feed URL)."""
        art = self.get(key)
        if art is not None:
            return art
        r = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
            "WHERE a.url = ? OR a.origin = ? ORDER BY a.sort_ts DESC LIMIT 1",
            (key, key),
        ).fetchone()
        return _article(r) if r else None

    def state(self, article_id: str) -> tuple[float | None, float | None]:
        """``(read_at, starred_at)`` timestamps, ``(None, None)`` when unknown."""
        r = self._db.execute(
            "SELECT read_at, starred_at FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return (r[0], r[1]) if r else (None, None)

    # -- state for backups and scripts (export, add, mark, undoing a delete) ----------

    def get_stored(self, article_id: str) -> Article | None:
        """The article exactly as stored, without the derived takeaways :meth:`get`
        adds: what undoing a delete stores again."""
        r = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
            "WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        if r is None:
            return None
        article = _article(r)
        return article if r[8] else replace(article, takeaways=(), takeaways_derived=bool(r[9]))

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
            ids = list(dict.fromkeys(article_ids))
            rows = []
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
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

    def articles(self) -> Iterator[Article]:
        """Every article, oldest first (for export)."""
        cur = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
            "ORDER BY a.sort_ts, a.rowid"
        )
        for r in cur:
            yield _article(r)

    def search(self, query: str, *, limit: int = 20, prefix_last: bool = True) -> list[SearchHit]:
        """Ranked full-text search (bm25, title and takeaways weighted up) with snippets.

        Ranking touches the FTS index only; snippets and article fields are fetched
        for the few rows shown, not for every match.
        """
        match = fts_query(query, prefix_last=prefix_last)
        if not match:
            return []
        try:
            top = self._db.execute(
                f"SELECT rowid, {_BM25} AS score FROM articles_fts WHERE articles_fts MATCH ? "
                "ORDER BY score LIMIT ?",
                (match, int(limit)),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        if not top:
            return []
        marks = ",".join("?" * len(top))
        meta = {
            r[0]: r[1:]
            for r in self._db.execute(
                "SELECT a.rowid, a.id, a.title, coalesce(s.name, ''), a.published, a.origin, a.url "
                f"FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.rowid IN ({marks})",
                [rowid for rowid, _ in top],
            )
        }
        hits = []
        for rowid, score in top:
            m = meta.get(rowid)
            if m is None:
                continue
            snip = self._db.execute(
                "SELECT snippet(articles_fts, -1, '\x02', '\x03', '…', 16) FROM articles_fts "
                "WHERE articles_fts MATCH ? AND rowid = ?",
                (match, rowid),
            ).fetchone()
            hits.append(
                SearchHit(
                    m[0], m[1], m[2], m[3], m[4], m[5], snip[0] if snip else "", -float(score)
                )
            )
        return hits

    def search_ids(self, query: str, *, limit: int = 5000) -> list[str]:
        """Ids matching a query, best first (for filtering the article list as you type)."""
        match = fts_query(query)
        if not match:
            return []
        try:
            rows = self._db.execute(
                f"SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
                f"WHERE articles_fts MATCH ? ORDER BY {_BM25} LIMIT ?",
                (match, int(limit)),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [r[0] for r in rows]

    # -- related articles (briefreader.related) -------------------------------------

    def _has_related_index(self) -> bool:
        return self.schema_version >= 3

    def related(
        self,
        article: Article | str,
        *,
        limit: int = 8,
        min_score: float = _related.RELATED_MIN,
    ) -> list[RelatedHit]:
        """Articles that are the same story or its follow-up, best first.

        ``article`` is an :class:`Article` (it need not be stored) or an id.  Each hit
        has a score in 0..1 and ``same_story`` (show those first, as "Same story");
        near-identical copies of one text are folded into one hit that lists their
        ``other_sources``.  Articles scoring under ``min_score`` merely share some
        words and are left out (pass 0 to get them too).  Articles still queued for
        indexing (a bulk import not yet indexed, see :meth:`index_related`) are not
        found; on a writable library a short queue is indexed first.
        """
        if isinstance(article, str):
            found = self.get(article)
            if found is None:
                return []
            article = found
        if not self._has_related_index():
            return [_hit_from_search(h) for h in self._similar_fts(article, limit=limit)]
        if not self.readonly and 0 < _related.pending_count(self._db) <= RELATED_CATCH_UP_MAX:
            self.index_related()
        row = self._db.execute("SELECT rowid FROM articles WHERE id = ?", (article.id,)).fetchone()
        return _related.rank(
            self._db,
            title=article.title,
            summary=article.summary,
            # Derived takeaways repeat the body, and stored articles are indexed without them.
            takeaways="" if article.takeaways_derived else "\n".join(article.takeaways),
            body=article.body,
            published=article.published.timestamp() if article.published else None,
            source=article.source,
            exclude=int(row[0]) if row else None,
            exclude_id=article.id,
            limit=limit,
            min_score=min_score,
            cache=self._related_term_cache(),
        )

    def _related_term_cache(self) -> _related.TermCache:
        """The term cache for related(): dropped once the library has grown by 5% since
        it was started (document frequencies drift slowly; ids never change)."""
        docs = _related.indexed_count(self._db)
        if (
            not self._term_cache_docs
            or docs > self._term_cache_docs * 1.05
            or len(self._term_cache) > 500_000
        ):
            self._term_cache = {}
            self._term_cache_docs = max(1, docs)
        return self._term_cache

    def similar(self, article: Article, *, limit: int = 8) -> list[SearchHit]:
        """The related list as search hits (the app's first API; see :meth:`related`)."""
        return [
            SearchHit(h.id, h.title, h.source, h.published, h.origin, h.url, "", h.score)
            for h in self.related(article, limit=limit)
        ]

    def index_related(self, *, limit: int | None = None) -> int:
        """Index the articles queued for the related index (a bulk import); returns how
        many.  Incremental: only what arrived or changed since the last call."""
        if self.readonly or not self._has_related_index() or not _related.pending_count(self._db):
            return 0
        done = 0
        while True:
            step = 5000 if limit is None else min(5000, limit - done)
            if step <= 0:
                break
            with self._transaction():
                n = _related.index_pending(self._db, limit=step)
            done += n
            if n < step:
                break
        return done

    def related_pending(self) -> int:
        """How many articles wait to be indexed for related articles."""
        if not self._has_related_index():
            return self.count()
        return _related.pending_count(self._db)

    def update_stories(self, *, limit: int | None = None) -> int:
        """Group newly indexed articles into stories (what :meth:`story_sizes` reads).

        Each article joins the story of its best same-story match or starts one; only
        articles without a story are visited, newest first (what the list shows first).
        Costs ~2–4 ms an article: run it in the background after a refresh or import.
        """
        if self.readonly or not self._has_related_index():
            return 0
        self.index_related()
        done = 0
        while True:
            step = 500 if limit is None else min(500, limit - done)
            if step <= 0:
                break
            with self._transaction():
                n = _related.assign_stories(self._db, limit=step, cache=self._related_term_cache())
            done += n
            if n < step:
                break
        return done

    def stories_pending(self) -> int:
        """How many indexed articles are not yet grouped into a story (see
        :meth:`update_stories`)."""
        if not self._has_related_index():
            return 0
        r = self._db.execute("SELECT count(*) FROM related_docs WHERE story IS NULL").fetchone()
        return int(r[0])

    def story_sizes(self, article_ids: Sequence[str]) -> dict[str, StoryInfo]:
        """``{id: StoryInfo}`` for the given articles that have been grouped into a story:
        ``info.others`` is how many other articles cover it ("+3 sources")."""
        if not self._has_related_index():
            return {}
        return _related.story_sizes(self._db, article_ids)

    def _similar_fts(self, article: Article, *, limit: int = 8) -> list[SearchHit]:
        """The first ranking (bm25 over the article's salient words): used only on a
        library opened read-only before its related index exists."""
        words = _salient_words(article)
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        try:
            rows = self._db.execute(
                f"""
                SELECT a.id, a.title, coalesce(s.name, ''), a.published, a.origin, a.url, '',
                       {_BM25} AS score
                FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
                LEFT JOIN sources s ON s.id = a.source_id
                WHERE articles_fts MATCH ? AND a.id != ?
                ORDER BY score LIMIT ?
                """,
                (match, article.id, int(limit)),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], -float(r[7])) for r in rows]


_STOPWORDS = frozenset(
    """a about after again against all also an and any are as at be because been before being
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just last more most my
    new no nor not now of off on once only or other our out over own said same says she should so
    some such than that the their them then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would year years you
    your week weeks month months day days today yesterday""".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}", re.UNICODE)


def _salient_words(article: Article, limit: int = 12) -> list[str]:
    """Words that best name an article: from its title and takeaways first, then its dek."""
    counts: dict[str, float] = {}
    weighted = (
        (article.title, 3.0),
        (" ".join(article.takeaways), 1.5),
        (article.summary, 1.0),
        (article.body[:2000], 0.3),
    )
    for text, weight in weighted:
        for word in _WORD.findall(text):
            w = word.lower().strip("'’-")
            if len(w) < 3 or w in _STOPWORDS:
                continue
            counts[w] = counts.get(w, 0.0) + weight * (1.5 if word[0].isupper() else 1.0)
    return [w for w, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:limit]]


def _hit_from_search(h: SearchHit) -> RelatedHit:
    return RelatedHit(h.id, h.title, h.source, h.published, h.origin, h.url, h.score, False)


def _article(r: Sequence[object]) -> Article:
    published = datetime.fromisoformat(str(r[6])) if r[6] else None
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    analysis = (
        Analysis(
            label=str(r[10]),
            title=str(r[11]),
            body=str(r[12]),
            byline=str(r[13]),
            kicker=str(r[14]),
        )
        if r[15]
        else None
    )
    related_json = str(r[18])
    related = (
        tuple(RelatedLink.from_dict(d) for d in json.loads(related_json)) if related_json else ()
    )
    takeaways = str(r[8])
    tags = str(r[17])
    article = Article(
        id=str(r[0]),
        title=str(r[1]),
        summary=str(r[2]),
        url=str(r[3]),
        source=str(r[4] or ""),
        author=str(r[5]),
        published=published,
        image_caption=str(r[7]),
        takeaways=tuple(takeaways.split("\n")) if takeaways else (),
        takeaways_derived=bool(r[9]),
        analysis=analysis,
        body=str(r[16]),
        tags=tuple(tags.split("\n")) if tags else (),
        related=related,
        origin=str(r[19]),
    )
    # An article with no takeaways of its own gets derived ones when it is read
    # (cheap for one article; far too dear for every item of every refresh).
    return with_derived_takeaways(article) if not takeaways else article


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (trigger bodies kept whole)."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.strip().splitlines():
        current.append(line)
        joined = "\n".join(current).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    if "\n".join(current).strip():
        statements.append("\n".join(current).strip())
    return statements
