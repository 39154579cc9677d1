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
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from briefreader.related.index import RESET as _RELATED_RESET
from briefreader.store.schema import write_transaction

__all__ = ["DERIVED", "RELATED_INDEX", "SEARCH_INDEX", "DerivedIndex", "damaged_tables", "rebuild"]


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
    ("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",),
    virtual=True,
)
RELATED_INDEX = DerivedIndex("related index", "--rebuild-related", "related", _RELATED_RESET)
DERIVED = (SEARCH_INDEX, RELATED_INDEX)


def derived_index_of(table: str) -> DerivedIndex | None:
    return next((index for index in DERIVED if index.holds(table)), None)


def damaged_tables(db: sqlite3.Connection) -> list[str]:
    """The tables (each with its indexes) that SQLite's quick_check finds damaged, in
    the schema's order.  As long as the file's own check at most (each table is read
    once); call it only once that check has failed."""
    names = [
        str(row[0])
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%'"
        )
    ]
    damaged = []
    for name in names:
        quoted = name.replace('"', '""')
        try:
            rows = [str(row[0]) for row in db.execute(f'PRAGMA quick_check("{quoted}")')]
        except sqlite3.DatabaseError:
            rows = ["unreadable"]
        if rows != ["ok"]:
            damaged.append(name)
    return damaged


def rebuild(db: sqlite3.Connection, index: DerivedIndex) -> bool:
    """Drop ``index``'s tables and make them again (filled by its ``fill``), each
    step in one transaction.  True when the damaged tables could not be dropped and
    were taken out of the schema instead: the file then holds pages nothing uses, and
    needs a VACUUM.  :class:`LookupError` when the file has no such index (a library
    made by a version before it, not yet opened by this one)."""
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
    left_pages = False
    try:
        with write_transaction(db):
            for name in tables:
                db.execute(f'DROP TABLE IF EXISTS "{name}"')
    except sqlite3.DatabaseError:  # pages DROP TABLE cannot walk
        _unlink(db, index)
        left_pages = True
    with write_transaction(db):
        for _kind, _name, sql in sorted(entries, key=lambda e: e[0] != "table"):
            db.execute(sql)
        for statement in index.fill:
            db.execute(statement)
    return left_pages


def _unlink(db: sqlite3.Connection, index: DerivedIndex) -> None:
    """Take every table and index of ``index`` out of the schema (not their pages)."""
    names = [
        str(name)
        for name, table in db.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"
        )
        if index.holds(str(table)) or index.holds(str(name))
    ]
    db.execute("PRAGMA writable_schema = ON")
    try:
        with write_transaction(db):
            version = int(db.execute("PRAGMA schema_version").fetchone()[0])
            marks = ", ".join("?" * len(names))
            db.execute(f"DELETE FROM sqlite_master WHERE name IN ({marks})", names)
            # (a new schema cookie: every connection reads the schema again)
            db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
