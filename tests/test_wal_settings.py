"""A writable library checkpoints its WAL every ~40 MB (a refresh writes hundreds of
MB; SQLite's 4 MB default rewrote the same index pages many times over) and cuts the
WAL file back to 16 MB afterwards; a read-only one leaves the file's settings alone."""

from __future__ import annotations

from pathlib import Path

from briefreader.store import Library
from briefreader.store.base import WAL_CHECKPOINT_PAGES, WAL_KEEP_BYTES


def test_a_writable_library_checkpoints_every_40_mb_and_keeps_16(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as library:
        db = library._db
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_CHECKPOINT_PAGES
        assert db.execute("PRAGMA journal_size_limit").fetchone()[0] == WAL_KEEP_BYTES
        assert db.execute("PRAGMA page_size").fetchone()[0] * WAL_CHECKPOINT_PAGES <= 48 << 20
    with Library.for_reading(path) as reader:
        assert reader._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
