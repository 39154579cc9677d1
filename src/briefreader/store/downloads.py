"""Enclosures downloaded to disk (the ``downloads`` table of schema 11, see
:mod:`briefreader.store.media`).  Articles with a download are never to be pruned:
:meth:`DownloadsMixin.downloaded_article_ids`."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from briefreader.store.base import StoreBase

__all__ = ["Download", "DownloadsMixin"]


@dataclass(frozen=True, slots=True)
class Download:
    """An enclosure fetched to disk (whole when ``complete``)."""

    url: str
    article_id: str
    path: str
    size: int
    complete: bool


class DownloadsMixin(StoreBase):
    """The ``downloads`` table (schema 11)."""

    def _has_downloads(self) -> bool:
        try:
            self._db.execute("SELECT 1 FROM downloads LIMIT 0")
        except sqlite3.OperationalError:  # an older file opened read-only
            return False
        return True

    def record_download(
        self, url: str, article_id: str, path: str, size: int, *, complete: bool
    ) -> None:
        """Remember (or update) the file an enclosure was downloaded to."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO downloads (url, article_id, path, size, complete, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
                " article_id = excluded.article_id, path = excluded.path,"
                " size = excluded.size, complete = excluded.complete",
                (url, article_id, path, int(size), int(complete), time.time()),
            )

    def download(self, url: str) -> Download | None:
        """The download of an enclosure address, if any."""
        if not self._has_downloads():
            return None
        r = self._db.execute(
            "SELECT url, article_id, path, size, complete FROM downloads WHERE url = ?", (url,)
        ).fetchone()
        return Download(str(r[0]), str(r[1]), str(r[2]), int(r[3]), bool(r[4])) if r else None

    def downloaded_urls(self) -> set[str]:
        """Enclosure addresses downloaded whole (the app marks them)."""
        if not self._has_downloads():
            return set()
        return {str(r[0]) for r in self._db.execute("SELECT url FROM downloads WHERE complete")}

    def downloaded_article_ids(self) -> set[str]:
        """Articles with a downloaded enclosure (never to be pruned)."""
        if not self._has_downloads():
            return set()
        return {str(r[0]) for r in self._db.execute("SELECT DISTINCT article_id FROM downloads")}
