"""The open library file: a connection, read-only or writable, and its write
transactions.  The parts of :class:`~briefreader.store.Library` build on this.

WAL mode, a busy timeout and ``BEGIN IMMEDIATE`` write transactions let a second
running instance read and write without failing or corrupting anything.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Self

from briefreader.store.rows import chunks
from briefreader.store.schema import (
    LibraryError,
    check_ours,
    migrate,
    opens_read_only,
    prepare_new,
    problem_line,
    writable,
    write_transaction,
)

#: Pages (4 KiB) the WAL may hold before a commit checkpoints it (SQLite's: 1,000).
WAL_CHECKPOINT_PAGES = 10_000
#: What the WAL file is cut back to after a checkpoint (SQLite's: never).
WAL_KEEP_BYTES = 16 * 1024 * 1024


class StoreBase:
    """An open library file.  Use as a context manager or call :meth:`close`."""

    @classmethod
    def for_reading(cls, path: str | Path) -> Self:
        """Open for a reading command: writable when it can be (so an older schema is
        brought up to date), else read-only (a 0444 file, a read-only folder or disk).
        When there is no library at ``path``, an empty one in memory (``missing``):
        reading creates no file and no folder."""
        p = Path(path)
        if not p.exists():
            return cls(p, in_memory=True)
        return cls(p, readonly=opens_read_only(p))

    def __init__(
        self, path: str | Path, *, readonly: bool = False, in_memory: bool = False
    ) -> None:
        """Open (or create) the library at ``path``; ``in_memory``: an empty library
        that lives in memory only (``path`` names it in messages, nothing is written)."""
        self.path = Path(path)
        self.readonly = readonly
        self.missing = in_memory
        """Whether this is the empty stand-in for a library that does not exist yet."""
        if in_memory:
            self._db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA foreign_keys = ON")
            migrate(self._db, self.path, readonly=False)
            return
        if not readonly:
            if self.path.exists() and not writable(self.path):
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
            # Before anything could write to another program's file:
            check_ours(self._db, self.path)
            if not readonly:
                prepare_new(self._db)
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._db.execute("PRAGMA cache_size = -32768")  # 32 MB: FTS merges stay in memory
                # Checkpoint the WAL every ~40 MB instead of SQLite's 4 MB: a refresh
                # writes hundreds of MB, and each checkpoint writes the pages changed
                # since the last one (the full-text index's, the B-trees' inner pages:
                # the same pages again and again) and syncs the file.  The shared
                # workload's refresh: 11.5 -> 10.5 s median (five and seven runs).
                # Past a checkpoint the WAL file is cut back to 16 MB.
                self._db.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
                self._db.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
            self._db.execute("PRAGMA foreign_keys = ON")
            migrate(self._db, self.path, readonly=readonly)
        except sqlite3.DatabaseError as exc:
            if "malformed" in str(exc) or "readonly" in str(exc):
                raise LibraryError(problem_line(self.path, exc)) from None
            raise LibraryError(f"{self.path}: not a briefreader library ({exc})") from None

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        """A write transaction (``BEGIN IMMEDIATE``: a second instance waits up to the
        busy timeout instead of failing mid-way)."""
        return write_transaction(self._db)

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- helpers for the parts -------------------------------------------------------

    def _ids_in(
        self, table: Literal["articles", "deleted_articles"], ids: Sequence[str]
    ) -> set[str]:
        found: set[str] = set()
        for chunk, marks in chunks(ids):
            found.update(
                str(r[0])
                for r in self._db.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk)
            )
        return found

    def _delete_where(self, where: str, params: Sequence[object] = ()) -> int:
        """Delete articles matching ``where`` (inside the caller's transaction)."""
        return int(self._db.execute(f"DELETE FROM articles WHERE {where}", params).rowcount)

    def _only_samples(self) -> bool:
        """Whether the library holds sample briefs and no real article."""
        if self._db.execute("SELECT 1 FROM articles WHERE sample != 0 LIMIT 1").fetchone() is None:
            return False
        return (
            self._db.execute("SELECT 1 FROM articles WHERE sample = 0 LIMIT 1").fetchone() is None
        )
