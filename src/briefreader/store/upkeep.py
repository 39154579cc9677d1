"""Upkeep of the library file: statistics, the search index's segments, free pages
(run after a refresh or a prune, in the background), and the checks of ``briefreader
doctor``.

* ``PRAGMA optimize`` keeps the query planner's statistics current (cheap: it
  analyses only tables that changed a lot).
* FTS5 ``merge`` folds the search index's small segments together a bounded amount
  of work at a time (``automerge`` does some as articles arrive; deletes leave
  segments that only a merge cleans).
* ``PRAGMA incremental_vacuum`` gives free pages back to the file system after a
  large prune, a few thousand pages per transaction.  It works only in a file made
  with ``auto_vacuum = INCREMENTAL``: every library made since schema 10 is; an
  older file keeps ``auto_vacuum = NONE`` (SQLite reuses its free pages for new
  articles, so with retention the file stops growing but does not shrink) until
  ``briefreader doctor --vacuum`` rebuilds it (a whole VACUUM: it needs as much free
  disk as the library and holds the write lock throughout, so it is never done
  without being asked).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from briefreader.store.repair import DERIVED, SEARCH_INDEX, damaged_tables, derived_index_of
from briefreader.store.schema import APPLICATION_ID, SCHEMA_VERSION, write_transaction

__all__ = [
    "VACUUM_MIN_PAGES",
    "Health",
    "UpkeepReport",
    "check",
    "space",
    "tidy",
    "vacuum",
]

#: Free pages below this are left for new articles to reuse.
VACUUM_MIN_PAGES = 2048
#: Pages given back per transaction.
_VACUUM_STEP = 1024
#: FTS5 merge work per transaction (pages written).
_MERGE_STEP = 256
_MERGE_ROUNDS = 64
#: Rounds a full merge takes at most in one go (256 MB of index rewritten); a merge
#: left unfinished is carried on by the next tidy's rounds (FTS5 goes on with a merge
#: once started).
_FULL_MERGE_ROUNDS = 1024

AUTO_VACUUM = {0: "none", 1: "full", 2: "incremental"}


@dataclass(frozen=True, slots=True)
class Space:
    file_bytes: int
    wal_bytes: int
    page_size: int
    pages: int
    free_pages: int
    auto_vacuum: str

    @property
    def free_bytes(self) -> int:
        return self.free_pages * self.page_size


def space(db: sqlite3.Connection, path: Path | None = None) -> Space:
    """The file's size, its free pages and its vacuum mode."""

    def one(pragma: str) -> int:
        return int(db.execute(f"PRAGMA {pragma}").fetchone()[0])

    file_bytes = wal_bytes = 0
    if path is not None:
        with contextlib.suppress(OSError):
            file_bytes = os.stat(path).st_size
        with contextlib.suppress(OSError):
            wal_bytes = os.stat(f"{path}-wal").st_size
    return Space(
        file_bytes,
        wal_bytes,
        one("page_size"),
        one("page_count"),
        one("freelist_count"),
        AUTO_VACUUM.get(one("auto_vacuum"), "?"),
    )


@dataclass(slots=True)
class UpkeepReport:
    optimized: bool = False
    merge_rounds: int = 0
    pages_freed: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "statistics_updated": self.optimized,
            "search_index_merge_steps": self.merge_rounds,
            "free_pages_given_back": self.pages_freed,
            "seconds": round(self.seconds, 3),
        }

    def line(self) -> str:
        parts = ["statistics updated" if self.optimized else "statistics left"]
        parts.append(
            f"search index merged ({self.merge_rounds} step{'s' * (self.merge_rounds != 1)})"
            if self.merge_rounds
            else "search index already tidy"
        )
        if self.pages_freed:
            parts.append(f"{self.pages_freed:,} free pages given back")
        return ", ".join(parts) + f" in {self.seconds:.1f} s"


def tidy(
    db: sqlite3.Connection,
    *,
    merge: bool = True,
    vacuum_pages: int | None = None,
    min_pages: int = VACUUM_MIN_PAGES,
    full_merge: bool = False,
) -> UpkeepReport:
    """``PRAGMA optimize``, bounded FTS5 merging and (in an incremental-vacuum file
    with at least :data:`VACUUM_MIN_PAGES` free) giving free pages back, each step
    its own short transaction.  ``vacuum_pages``: at most this many (None: all).

    ``full_merge``: merge every segment of the search index, :data:`_MERGE_STEP`
    pages a transaction (FTS5 ``merge`` with a negative count starts it, positive
    ones carry it on).  A deleted article's entries leave the index only when the
    segments holding them are merged; automerge reaches the big old segments rarely,
    so after months of pruning the index is up to several times its live size between
    those merges.  A full merge a week keeps it within about twice."""
    started = time.perf_counter()
    report = UpkeepReport()
    db.execute("PRAGMA optimize")
    report.optimized = True
    if merge or full_merge:
        for n in range(_FULL_MERGE_ROUNDS if full_merge else _MERGE_ROUNDS):
            with write_transaction(db):
                before = db.total_changes
                db.execute(
                    "INSERT INTO articles_fts(articles_fts, rank) VALUES ('merge', ?)",
                    (-_MERGE_STEP if full_merge and n == 0 else _MERGE_STEP,),
                )
                # FTS5: a merge that did nothing writes nothing.
                done = db.total_changes - before <= 1
            if done:
                break
            report.merge_rounds += 1
    report.pages_freed = vacuum(db, vacuum_pages, min_pages=min_pages)
    report.seconds = time.perf_counter() - started
    return report


def vacuum(
    db: sqlite3.Connection, limit: int | None = None, *, min_pages: int = VACUUM_MIN_PAGES
) -> int:
    """Give free pages back to the file system (incremental-vacuum files only), a
    step per transaction; returns how many pages went."""
    if int(db.execute("PRAGMA auto_vacuum").fetchone()[0]) != 2:
        return 0
    free = int(db.execute("PRAGMA freelist_count").fetchone()[0])
    if free < min_pages:
        return 0
    todo = free if limit is None else min(free, limit)
    freed = 0
    for _ in range(1 + todo // _VACUUM_STEP):
        step = min(_VACUUM_STEP, todo - freed)
        if step <= 0:
            break
        before = int(db.execute("PRAGMA freelist_count").fetchone()[0])
        try:
            # Through executescript: the sqlite3 module steps a PRAGMA that returns no
            # rows only once, and incremental_vacuum frees one page a step.
            db.executescript(f"BEGIN IMMEDIATE; PRAGMA incremental_vacuum({int(step)}); COMMIT;")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        after = int(db.execute("PRAGMA freelist_count").fetchone()[0])
        if after >= before:
            break
        freed += before - after
    return freed


@dataclass(slots=True)
class Health:
    """What ``doctor`` found: ``problems`` (damage) and ``facts`` (lines to show)."""

    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    schema_version: int = 0
    integrity_check: str = "quick_check"
    """Which check ran: ``quick_check`` or (``--full``) ``integrity_check``."""
    integrity_ok: bool | None = None
    """None: not checked (not a briefreader library)."""
    search_index: str = "not checked"
    """``ok``, ``damaged`` or ``not checked (why)``."""
    damaged_indexes: list[str] = field(default_factory=list)
    """The indexes made from the articles found damaged ("search index", "related
    index"): doctor can rebuild them."""
    other_damage: bool = False
    """Damage in the articles or the other tables."""
    damaged_tables: list[str] = field(default_factory=list)
    """Those tables (each with its indexes): ``doctor --reindex`` makes their indexes
    again, which mends damage in the indexes alone."""
    loose_pages: bool = False
    """Damage in pages no table uses, or the free-page list (a rebuild cut short
    before its VACUUM): every table reads whole; ``doctor --vacuum`` mends it."""

    @property
    def only_loose_pages(self) -> bool:
        return self.loose_pages and not self.damaged_indexes and not self.other_damage

    @property
    def only_indexes_damaged(self) -> bool:
        """Damaged, and only in indexes doctor can rebuild."""
        return bool(self.damaged_indexes) and not self.other_damage

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "schema_version": self.schema_version,
            "schema_current": SCHEMA_VERSION,
            "integrity_check": self.integrity_check,
            "integrity_ok": self.integrity_ok,
            "search_index": self.search_index,
            "damaged_indexes": list(self.damaged_indexes),
            "damaged_tables": list(self.damaged_tables),
            "loose_pages": self.loose_pages,
            "problems": list(self.problems),
        }


def check(db: sqlite3.Connection, *, full: bool = False, fts: bool = True) -> Health:
    """The file's integrity (``quick_check``, or ``integrity_check`` when ``full``),
    the search index's (FTS5 ``integrity-check`` against the articles: needs a
    writable connection, though it writes nothing), and its schema version."""
    health = Health()
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    health.schema_version = version
    app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    if app_id not in (0, APPLICATION_ID):
        health.problems.append(f"not a briefreader library (application_id {app_id:#x})")
        return health
    if version > SCHEMA_VERSION:
        health.facts.append(f"schema {version}: made by a newer briefreader ({SCHEMA_VERSION})")
    elif version < SCHEMA_VERSION:
        health.facts.append(f"schema {version} (brought to {SCHEMA_VERSION} when next written)")
    else:
        health.facts.append(f"schema {version} (current)")
    pragma = health.integrity_check = "integrity_check" if full else "quick_check"
    try:
        rows = [str(r[0]) for r in db.execute(f"PRAGMA {pragma}(20)")]
    except sqlite3.DatabaseError as exc:  # (a page it cannot even read)
        rows = [str(exc)]
    health.integrity_ok = rows == ["ok"]
    if rows != ["ok"]:
        _where_the_damage_is(db, health, pragma)
        lines = [line for row in rows for line in row.splitlines() if line.strip()]
        health.problems += [f"{pragma}: {line}" for line in lines if not line.startswith("***")]
    elif full:
        health.facts.append(
            "integrity_check: ok (SQLite read every page, row and index of the file: no damage)"
        )
    else:
        health.facts.append(
            "quick_check: ok (SQLite's quick look at every page of the file found no damage; "
            "--full also compares each index with its table)"
        )
    if fts and not health.problems:
        try:
            db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.OperationalError as exc:
            health.search_index = f"not checked ({exc})"
            health.facts.append(f"search index not checked ({exc})")
        except sqlite3.DatabaseError as exc:
            health.search_index = "damaged"
            health.damaged_indexes.append(SEARCH_INDEX.name)
            health.problems.append(f"search index: {exc} (rebuild it: doctor --rebuild-search)")
        else:
            health.search_index = "ok"
            health.facts.append("search index: ok (it matches the articles it indexes)")
    elif not fts:
        health.search_index = "not checked (read-only file)"
    return health


def _where_the_damage_is(db: sqlite3.Connection, health: Health, pragma: str) -> None:
    """Once the file's check has failed: which tables are damaged, as problems in
    plain words, the indexes doctor can rebuild named as such."""
    damaged = damaged_tables(db, pragma)
    indexes: dict[str, list[str]] = {}
    for table in damaged:
        index = derived_index_of(table)
        if index is None:
            health.other_damage = True
            health.damaged_tables.append(table)
            health.problems.append(f"table {table}: damaged")
        else:
            indexes.setdefault(index.name, []).append(table)
    for index in DERIVED:
        if index.name in indexes:
            health.damaged_indexes.append(index.name)
            tables = ", ".join(indexes[index.name])
            health.problems.append(f"{index.name}: damaged ({tables})")
    if SEARCH_INDEX.name in indexes:
        health.search_index = "damaged"
    if not damaged:  # every table reads whole: pages none of them uses, the free list
        health.loose_pages = True
        health.problems.append(
            "pages no table uses (every table reads whole: nothing is lost; "
            "doctor --vacuum rebuilds the file without them)"
        )


def full_vacuum(db: sqlite3.Connection) -> None:
    """Rebuild the whole file with ``auto_vacuum = INCREMENTAL`` (``doctor --vacuum``)."""
    db.execute("PRAGMA auto_vacuum = INCREMENTAL")
    db.execute("VACUUM")
