"""What a briefreader library file is: its schema, its migrations, and the checks
made on opening one.

* The schema version lives in ``PRAGMA user_version``; :data:`MIGRATIONS` brings any
  older file up to date when it is opened, inside ``BEGIN IMMEDIATE`` (two instances
  starting at once do not both migrate).
* ``PRAGMA application_id`` marks the file as ours: another program's SQLite file,
  or a version that makes no sense, is refused with one line (:class:`LibraryError`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from briefreader import related as _related
from briefreader.store import lazy as _lazy
from briefreader.store import media as _media

SCHEMA_VERSION = 13


def _sync_queue_trigger(kind: str, column: str) -> str:
    """6 -> 7's trigger that queues a change of a synced article's read or star state
    (``sync_pending``), unless a sync is applying the server's (``sync_quiet``)."""
    return f"""CREATE TRIGGER IF NOT EXISTS sync_queue_{kind} AFTER UPDATE OF {column} ON articles
    WHEN (old.{column} IS NULL) != (new.{column} IS NULL)
        AND EXISTS (SELECT 1 FROM sync_items WHERE article_id = new.id)
        AND NOT EXISTS (SELECT 1 FROM sync_quiet)
    BEGIN
        DELETE FROM sync_pending WHERE article_id = new.id AND kind = '{kind}';
        INSERT INTO sync_pending(article_id, kind, value, changed_at)
        VALUES (new.id, '{kind}', new.{column} IS NOT NULL,
                (julianday('now') - 2440587.5) * 86400.0);
    END;
    """


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
    # 4 -> 5: unread articles by feed, for the feeds pane's counts (Library.unread_counts)
    # and marking a feed read: without it every count reads each article's row (read_at
    # and feed_id are stored after the body): ~300 ms at 100,000 articles, ~5 ms with it.
    """
    CREATE INDEX articles_unread_by_feed ON articles(feed_id) WHERE read_at IS NULL;
    """,
    # 5 -> 6: the name a user gave a feed (`rename`, an OPML file's name), which wins
    # over the feed's own title everywhere the feed is named ('' = the feed's title).
    """
    ALTER TABLE feeds ADD COLUMN user_title TEXT NOT NULL DEFAULT '';
    """,
    # 6 -> 7: accounts on a reader's server (briefreader.sync; store/sync.py).
    # * ``sync_accounts``: the server's endpoint and user (the password is in the keyring
    #   or the credentials file, never here) and the checkpoints of the last good sync.
    # * ``sync_feeds``: which of the library's feeds an account owns (by its stream id):
    #   those are fetched by the server, never by refresh.
    # * ``sync_items``: the server's item ids <-> article ids, with the read/starred state
    #   the server had when last seen (so a change on either side can be told apart).
    # * ``sync_pending``: local read/star changes not yet pushed, one row per article and
    #   kind (the latest wins), written by triggers in the same transaction as the change
    #   itself; ``sync_quiet`` holds a row only while a sync applies the server's state
    #   (inside its own transaction), so those changes are not queued back.
    """
    CREATE TABLE IF NOT EXISTS sync_accounts (
        id            INTEGER PRIMARY KEY,
        endpoint      TEXT NOT NULL,
        username      TEXT NOT NULL,
        added_at      REAL NOT NULL,
        last_sync     REAL,
        last_pull     REAL,
        last_error    TEXT NOT NULL DEFAULT '',
        UNIQUE (endpoint, username)
    );
    CREATE TABLE IF NOT EXISTS sync_feeds (
        account_id  INTEGER NOT NULL REFERENCES sync_accounts(id) ON DELETE CASCADE,
        stream_id   TEXT NOT NULL,
        feed_id     INTEGER NOT NULL UNIQUE REFERENCES feeds(id) ON DELETE CASCADE,
        PRIMARY KEY (account_id, stream_id)
    );
    CREATE TABLE IF NOT EXISTS sync_items (
        account_id      INTEGER NOT NULL REFERENCES sync_accounts(id) ON DELETE CASCADE,
        remote_id       TEXT NOT NULL,
        article_id      TEXT NOT NULL,
        remote_read     INTEGER NOT NULL,
        remote_starred  INTEGER NOT NULL,
        PRIMARY KEY (account_id, remote_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS sync_items_by_article ON sync_items(article_id);
    CREATE TABLE IF NOT EXISTS sync_pending (
        article_id  TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('read', 'star')),
        value       INTEGER NOT NULL,
        changed_at  REAL NOT NULL,
        PRIMARY KEY (article_id, kind)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS sync_quiet (one INTEGER PRIMARY KEY CHECK (one = 1));
    """
    + _sync_queue_trigger("read", "read_at")
    + _sync_queue_trigger("star", "starred_at"),
    # 7 -> 8: feed items stored as their sanitised HTML and rendered when first read
    # (store/lazy.py, sources/feedlazy.py).  Rows stored before stay as they are
    # until their feed next brings them: their content hash covered the Markdown,
    # a lazy item's covers its HTML, so the first refresh after this migration
    # stores each item once more (counted as updated; its read/star state kept).
    _lazy.MIGRATION_SQL,
    # 8 -> 9: the search index merges its segments eight at a time instead of four
    # (FTS5's automerge): about half the rewriting as articles arrive (storing an item
    # costs ~12% less CPU on the shared refresh workload), for a few more segments
    # to read per query.  A setting of the index only: nothing is rebuilt.
    """
    INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8);
    """,
    # 9 -> 10: retention (store/retention.py).  A tombstone remembers its feed and when
    # that feed last served the item (``seen_at``; a 304 counts), so tombstones of items
    # a feed no longer serves can go; ``pruned``: left by retention, not by the user.
    # Tombstones from before have no feed and are kept, as they always were.
    """
    ALTER TABLE deleted_articles ADD COLUMN feed_id INTEGER;
    ALTER TABLE deleted_articles ADD COLUMN seen_at REAL;
    ALTER TABLE deleted_articles ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX IF NOT EXISTS deleted_by_feed ON deleted_articles(feed_id, seen_at)
        WHERE feed_id IS NOT NULL;
    """,
    # 10 -> 11: pictures and media (store/media.py): an article's lead image (address,
    # alt text) and enclosures, and the enclosures downloaded to disk.  Rows stored
    # before have none until their feed brings the item again (an item with media
    # hashes differently, so the next refresh stores it once more, state kept).
    _media.MIGRATION_SQL,
    # 11 -> 12: sync (store/sync.py), issue 13's leftovers.
    # * ``sync_feeds`` is rebuilt without ``UNIQUE (feed_id)``: two accounts subscribed
    #   to one feed URL share its feed (before, each sync of one took it from the other);
    #   ``adopted_at``: when an account adopted a feed the library followed before it
    #   (NULL: the feed came with the account), with the feed's tags then
    #   (``local_tags``), so removing the account gives the feed back as it was.  Rows
    #   from before count a feed added before its account as adopted.
    # * ``deleted_articles.url``: a deleted article's link, so that a server item of a
    #   feed adopted later is matched to it by link when the server tells no guid
    #   (FreshRSS), as it is to a live article, and stays deleted.
    """
    DROP TABLE IF EXISTS sync_feeds_v12;
    CREATE TABLE sync_feeds_v12 (
        account_id  INTEGER NOT NULL REFERENCES sync_accounts(id) ON DELETE CASCADE,
        stream_id   TEXT NOT NULL,
        feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        adopted_at  REAL,
        local_tags  TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (account_id, stream_id),
        UNIQUE (account_id, feed_id)
    );
    INSERT OR IGNORE INTO sync_feeds_v12(account_id, stream_id, feed_id, adopted_at)
        SELECT s.account_id, s.stream_id, s.feed_id,
               CASE WHEN f.added_at < a.added_at THEN a.added_at END
        FROM sync_feeds s JOIN feeds f ON f.id = s.feed_id
        JOIN sync_accounts a ON a.id = s.account_id;
    DROP TABLE sync_feeds;
    ALTER TABLE sync_feeds_v12 RENAME TO sync_feeds;
    CREATE INDEX IF NOT EXISTS sync_feeds_by_feed ON sync_feeds(feed_id);
    ALTER TABLE deleted_articles ADD COLUMN url TEXT NOT NULL DEFAULT '';
    CREATE INDEX IF NOT EXISTS deleted_by_url ON deleted_articles(url) WHERE url != '';
    """,
    # 12 -> 13: the related index takes a deleted article's terms (and an edited one's
    # old terms) off its document frequencies (related/index.py, ``related_gone``).
    _related.FORGET_MIGRATION_SQL,
)

#: The first schema with lead images and enclosures (store/media.py).
MEDIA_SCHEMA = MIGRATIONS.index(_media.MIGRATION_SQL) + 1

#: The first schema with lazily stored feed items (store/lazy.py).
LAZY_SCHEMA = MIGRATIONS.index(_lazy.MIGRATION_SQL) + 1

#: ``PRAGMA application_id`` of a briefreader library ("BrRd"): set on creation and
#: migration; a file with another non-zero application_id is refused.
APPLICATION_ID = 0x42725264


class LibraryError(Exception):
    """The library file cannot be opened or is not a briefreader library."""


class NewerLibraryError(LibraryError):
    """The file was made (or upgraded) by a newer briefreader: its schema is ahead."""


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
        f"{path}: the library file is damaged ({text}); it was left as it is: "
        "`briefreader doctor` says where (a damaged search or related index is made "
        "again from the articles, nothing lost); if the articles are, restore it from a "
        "backup, or move it aside to start a new library (first, `briefreader export` "
        "saves every article that can still be read, with its read and star state)"
    )


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error means the file itself is damaged (not busy, not
    interrupted, not read-only)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    text = str(exc)
    return type(exc) is sqlite3.DatabaseError or "malformed" in text or "not a database" in text


def writable(path: Path) -> bool:
    """Whether the library file (or, for a new one, its folder) can be written, and
    its folder too (SQLite keeps its -wal and -shm files beside it)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return not folder.exists() or os.access(folder, os.W_OK)


def opens_read_only(path: Path) -> bool:
    """Whether the library file at ``path`` exists but cannot be written (its mode,
    its folder's, a read-only disk), so that it can only be opened read-only."""
    return path.exists() and not writable(path)


@contextlib.contextmanager
def write_transaction(db: sqlite3.Connection) -> Iterator[None]:
    """A write transaction: ``BEGIN IMMEDIATE`` takes the write lock at once (a
    second instance waits up to the busy timeout instead of failing mid-way)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def check_ours(db: sqlite3.Connection, path: Path) -> int:
    """The file's schema version; :class:`LibraryError` when the file is some other
    program's SQLite database (another application_id, or tables but neither our
    application_id nor our schema) or its version makes no sense."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    if app_id not in (0, APPLICATION_ID):
        raise LibraryError(
            f"{path}: not a briefreader library (another program's SQLite file, "
            f"application_id {app_id:#x}); pass another --library"
        )
    if version < 0:
        raise LibraryError(f"{path}: not a briefreader library (schema version {version})")
    if version > SCHEMA_VERSION:
        raise NewerLibraryError(
            f"{path}: made by a newer briefreader (schema {version} > {SCHEMA_VERSION})"
        )
    if app_id == 0:
        tables = {
            str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if tables and (version == 0 or "articles" not in tables):
            raise LibraryError(
                f"{path}: not a briefreader library (an SQLite file with other "
                "tables); pass another --library"
            )
    return version


def prepare_new(db: sqlite3.Connection) -> None:
    """On a new, empty file (before anything else is written to it, WAL mode
    included): ``auto_vacuum = INCREMENTAL``, so the free pages a prune leaves can
    be given back a few at a time (store/upkeep.py).  An existing file keeps its
    mode: changing it takes a whole VACUUM (``briefreader doctor --vacuum``)."""
    if int(db.execute("PRAGMA user_version").fetchone()[0]) == 0 and (
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
    ):
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")


def migrate(db: sqlite3.Connection, path: Path, *, readonly: bool) -> None:
    """Bring the file to :data:`SCHEMA_VERSION` (a read-only one is only checked)."""
    version = check_ours(db, path)
    if readonly:
        if 2 <= version < 6:  # no user_title: the feeds' own titles, as before
            db.execute("CREATE TEMP VIEW feeds AS SELECT *, '' AS user_title FROM main.feeds")
        return
    if version == SCHEMA_VERSION:
        if int(db.execute("PRAGMA application_id").fetchone()[0]) == 0:
            with write_transaction(db):
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        return
    with write_transaction(db):
        # Re-read inside the lock: another instance may have migrated meanwhile.
        version = check_ours(db, path)
        for step in range(version, SCHEMA_VERSION):
            for statement in split_sql(MIGRATIONS[step]):
                try:
                    db.execute(statement)
                except sqlite3.OperationalError as exc:
                    # A column a file already has (its user_version set back by hand,
                    # or by a test): the step is done.
                    if "duplicate column name" not in str(exc):
                        raise
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def split_sql(script: str) -> list[str]:
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
