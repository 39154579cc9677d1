"""Where a damaged library file's damage is, and the rebuilding of the two indexes
that are made from the articles (the search index, the related index) when the
damage is only there: ``briefreader doctor --rebuild-search`` / ``--rebuild-related``.

* SQLite's ``quick_check`` names pages, not tables.  Once the file's check has
  failed, ``PRAGMA quick_check(TABLE)`` checks each table with its indexes on its
  own (:func:`damaged_tables`), so that doctor can say whether the articles are hurt
  or only an index that can be made again.
* An index is rebuilt by dropping its tables and making them again from the SQL the
  file keeps for them (:func:`rebuild`).  When its pages are too damaged for
  ``DROP TABLE`` to walk them, its entries are taken out of the schema instead: its
  pages are then used by nothing, and a ``VACUUM`` (which copies only what the schema
  reaches) leaves them behind; :func:`rebuild` says when that is needed.
* The search index is then filled from the articles at once (FTS5 ``rebuild``); the
  related index's tables start empty with every article queued, and
  ``Library.index_related`` and ``update_stories`` index and group them again.
* When the articles themselves are damaged, :class:`Salvage` reads what can still be
  read, one article at a time (``export`` falls back on it): a query over the whole
  table stops at the first damaged page, and every article after it would be lost.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from briefreader.model import Article, ArticleState
from briefreader.related.index import RESET as _RELATED_RESET
from briefreader.store.rows import ARTICLES_FROM, article, named
from briefreader.store.schema import is_damage, write_transaction

__all__ = [
    "DERIVED",
    "RELATED_INDEX",
    "SEARCH_INDEX",
    "DerivedIndex",
    "Salvage",
    "damaged_tables",
    "index_damaged",
    "rebuild",
    "reindex",
]


@dataclass(frozen=True, slots=True)
class DerivedIndex:
    """Tables whose whole content is made from the articles."""

    name: str
    """As doctor says it: "search index"."""
    option: str
    """doctor's option that rebuilds it."""
    prefix: str
    """Its tables' names: this, or this and "_" and more."""
    fill: tuple[str, ...]
    """Statements run once its tables are made again."""
    virtual: bool = False
    """One FTS5 table: making it again makes its shadow tables."""

    def holds(self, table: str) -> bool:
        return table == self.prefix or table.startswith(self.prefix + "_")


SEARCH_INDEX = DerivedIndex(
    "search index",
    "--rebuild-search",
    "articles_fts",
    (
        "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
        # (schema 9's setting, kept in the table's config: made again with it)
        "INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8)",
    ),
    virtual=True,
)
RELATED_INDEX = DerivedIndex("related index", "--rebuild-related", "related", _RELATED_RESET)
DERIVED = (SEARCH_INDEX, RELATED_INDEX)


def derived_index_of(table: str) -> DerivedIndex | None:
    return next((index for index in DERIVED if index.holds(table)), None)


def damaged_tables(db: sqlite3.Connection, pragma: str = "quick_check") -> list[str]:
    """The tables (each with its indexes) that SQLite's ``pragma`` (``quick_check``, or
    ``integrity_check``, which also compares each index with its table) finds
    damaged, in the schema's order.  As long as the file's own check at most (each
    table is read once); call it only once that check has failed."""
    names = [
        str(row[0])
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%'"
        )
    ]
    return [name for name in names if _table_damaged(db, name, pragma)]


def index_damaged(path: str | os.PathLike[str], index: DerivedIndex) -> bool:
    """Whether SQLite's quick_check finds ``index``'s own tables damaged (a read-only
    connection of its own; each table read once: seconds for a million articles'
    related index).  For the app, told of damage by a query that read both an index
    and articles: only damage the index holds leaves reading possible."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        db.execute("PRAGMA busy_timeout = 5000")
        names = [
            str(row[0])
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if index.holds(str(row[0]))
        ]
        return any(_table_damaged(db, name, "quick_check") for name in names)
    except sqlite3.DatabaseError:
        return False  # (the schema itself unreadable: not the index's alone)
    finally:
        db.close()


def _table_damaged(db: sqlite3.Connection, name: str, pragma: str) -> bool:
    quoted = name.replace('"', '""')
    try:
        rows = [str(row[0]) for row in db.execute(f'PRAGMA {pragma}("{quoted}")')]
    except sqlite3.DatabaseError:
        return True
    return rows != ["ok"]


def rebuild(db: sqlite3.Connection, index: DerivedIndex) -> bool:
    """Drop ``index``'s tables and make them again, filled by its ``fill``, all in
    one write transaction (cut short, nothing changes).  True when the damaged tables
    could not be dropped and were taken out of the schema instead: the file then
    holds pages nothing uses, and needs a VACUUM.  :class:`LookupError` when the
    file has no such index (a library made before it, not yet opened by this
    version); a busy or full disk raises as it is (nothing is taken out)."""
    entries = [
        (str(kind), str(name), str(sql))
        for kind, name, table, sql in db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE type IN ('table', 'index') ORDER BY rowid"
        )
        if index.holds(str(table)) and sql is not None
    ]
    if index.virtual:  # (its shadow tables come with it)
        entries = [e for e in entries if e[1] == index.prefix]
    if not entries:
        raise LookupError(f"no {index.name} in this library yet")
    tables = [name for kind, name, _ in entries if kind == "table"]

    def make_again() -> None:
        for _kind, _name, sql in sorted(entries, key=lambda e: e[0] != "table"):
            db.execute(sql)
        for statement in index.fill:
            db.execute(statement)

    try:
        with write_transaction(db):
            for name in tables:
                db.execute(f'DROP TABLE IF EXISTS "{name}"')
            make_again()
        return False
    except sqlite3.DatabaseError as exc:  # (rolled back: nothing changed)
        if not is_damage(exc):
            raise
    # Pages DROP TABLE cannot walk: out of the schema instead (a failed statement
    # leaves its transaction unable to write the schema: a new one).
    with write_transaction(db):
        _unlink(db, index)
        make_again()
    return True


def reindex(db: sqlite3.Connection, table: str) -> bool:
    """Make ``table``'s indexes again from its rows (``doctor --reindex``: damage in
    an index alone, the rows whole), in one transaction.  True when an index's pages
    could not be cleared and its entry was taken out of the schema and made again
    instead (the file then needs a VACUUM).  Raises (nothing changed) when the rows
    themselves cannot be read."""
    made = [
        (str(name), str(sql))
        for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
    ]
    quoted = table.replace('"', '""')
    try:
        with write_transaction(db):
            db.execute(f'REINDEX "{quoted}"')
        return False
    except sqlite3.DatabaseError as exc:  # (rolled back: nothing changed)
        if not is_damage(exc) or not made:
            raise
    with write_transaction(db):
        _unlink_names(db, [name for name, _ in made])
        for _name, sql in made:
            db.execute(sql)  # (reads every row: fails, and rolls back, if they are damaged)
    return True


def _unlink(db: sqlite3.Connection, index: DerivedIndex) -> None:
    """Take every table and index of ``index`` out of the schema (not their pages),
    inside the caller's transaction."""
    _unlink_names(
        db,
        [
            str(name)
            for name, table in db.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"
            )
            if index.holds(str(table)) or index.holds(str(name))
        ],
    )


def _unlink_names(db: sqlite3.Connection, names: list[str]) -> None:
    """Take these schema entries out of the schema (not their pages), inside the
    caller's transaction."""
    version = int(db.execute("PRAGMA schema_version").fetchone()[0])
    db.execute("PRAGMA writable_schema = ON")
    try:
        marks = ", ".join("?" * len(names))
        db.execute(f"DELETE FROM sqlite_master WHERE name IN ({marks})", names)
        # (a new schema cookie: the schema is read again, here and by every connection)
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = RESET")  # (off, and the schema read again)


class Salvage:
    """What can still be read of a damaged library's articles: iterate for each
    ``(article, state)`` (the state ``None`` when it has none), in the order they were
    stored; ``unreadable`` then counts the articles known to be there (an index
    names them) that could not be read.  An article whose feed cannot be read comes
    without it.  ``skip``: ids already saved (an export that read up to the damage)."""

    def __init__(self, db: sqlite3.Connection, select: str, skip: AbstractSet[str] = frozenset()):
        self._db = db
        self._select = select
        self._skip = skip
        self.unreadable = 0

    def __iter__(self) -> Iterator[tuple[Article, ArticleState | None]]:
        db = self._db
        bare = _bare_from(self._select)
        feeds: dict[int, str] = {}
        rowids, listed = _rowids(db)
        for rowid in rowids:
            row = None
            for source in (ARTICLES_FROM, bare):
                try:
                    row = named(
                        db, f"{self._select} {source} WHERE a.rowid = ?", (rowid,)
                    ).fetchone()
                    break
                except sqlite3.DatabaseError:
                    row = False
            if row is None:
                continue  # (no article under this rowid)
            try:
                if row is False:
                    raise ValueError
                found = article(row)
                read_at, starred_at, feed_id = db.execute(
                    "SELECT read_at, starred_at, feed_id FROM articles WHERE rowid = ?", (rowid,)
                ).fetchone()
            except (sqlite3.DatabaseError, ValueError, TypeError, KeyError):
                # (a rowid tried only for being in range may never have held one)
                self.unreadable += rowid in listed
                continue
            if found.id in self._skip:
                continue
            feed_url = _feed_url(db, feeds, feed_id)
            state = (
                ArticleState(read_at, starred_at, feed_url)
                if read_at is not None or starred_at is not None or feed_url
                else None
            )
            yield found, state


#: Where a damaged library's article rowids may still be listed, each read as far as
#: it goes: its indexes (readable when only the table's pages are damaged), the
#: search and related indexes' own lists, and the table itself.
_ROWID_SOURCES = (
    "SELECT rowid FROM articles INDEXED BY articles_by_time",
    "SELECT rowid FROM articles INDEXED BY articles_by_feed",
    "SELECT id FROM articles_fts_docsize",
    "SELECT doc FROM related_docs",
    "SELECT rowid FROM articles",
)
#: Every rowid up to the highest one is tried too while they are at most this many
#: times the rowids found (a few µs each: rows no list names are found this way).
_RANGE_FACTOR = 4


def _rowids(db: sqlite3.Connection) -> tuple[list[int], set[int]]:
    """Every rowid to try, and those some list names (an article known to be there:
    the others may never have held one)."""
    found: set[int] = set()
    for sql in _ROWID_SOURCES:
        try:
            for (rowid,) in db.execute(sql):
                found.add(int(rowid))
        except sqlite3.DatabaseError:
            continue  # (what it listed before the damaged page is kept)
    with_max: list[int] = list(found)
    try:
        top = db.execute("SELECT max(rowid) FROM articles").fetchone()[0]
        if top is not None:
            with_max.append(int(top))
    except sqlite3.DatabaseError:
        pass
    top = max(with_max, default=0)
    listed = set(found)
    if top <= _RANGE_FACTOR * len(found) + 100_000:
        found.update(range(1, top + 1))
    return sorted(found), listed


def _bare_from(select: str) -> str:
    """:data:`ARTICLES_FROM` with the sources and feeds tables left out (each column
    the select reads of them NULL): for a row whose source or feed cannot be read."""

    def empty(alias: str) -> str:
        columns = sorted(set(re.findall(rf"\b{alias}\.(\w+)", select))) or ["id"]
        return "(SELECT " + ", ".join(f"NULL AS {c}" for c in columns) + f") {alias} ON 0"

    return f"FROM articles a LEFT JOIN {empty('s')} LEFT JOIN {empty('f')}"


def _feed_url(db: sqlite3.Connection, known: dict[int, str], feed_id: int | None) -> str:
    if feed_id is None:
        return ""
    if feed_id not in known:
        try:
            row = db.execute("SELECT url FROM feeds WHERE id = ?", (feed_id,)).fetchone()
            known[feed_id] = str(row[0]) if row else ""
        except sqlite3.DatabaseError:
            known[feed_id] = ""
    return known[feed_id]
