"""An article's lead image and enclosures as stored, and the downloads table.

Imported by the schema (no store imports here).

Schema 11 (:data:`MIGRATION_SQL`) adds ``image_url``, ``image_alt`` and
``enclosures`` (JSON, ``""`` for none) to ``articles``, and the ``downloads`` table:
one row per enclosure address fetched to disk (``briefreader download`` or the
app's key), with the file's path, the bytes on disk and whether it is whole.

**Retention**: an article that has a row in ``downloads`` must never be pruned
(the reader kept its file on purpose), nor its file removed:
:meth:`briefreader.store.downloads.DownloadsMixin.downloaded_article_ids` (or ``SELECT article_id FROM
downloads``) gives the ids to spare.
"""

from __future__ import annotations

import json

from briefreader.model import Enclosure

__all__ = ["MIGRATION_SQL", "enclosures_from_json", "enclosures_json"]

MIGRATION_SQL = """
ALTER TABLE articles ADD COLUMN image_url TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN image_alt TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN enclosures TEXT NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS downloads (
    url        TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    path       TEXT NOT NULL,
    size       INTEGER NOT NULL DEFAULT 0,
    complete   INTEGER NOT NULL DEFAULT 0,
    added_at   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS downloads_by_article ON downloads(article_id);
"""


def enclosures_json(items: tuple[Enclosure, ...]) -> str:
    """The stored form of an article's enclosures (``""`` for none)."""
    if not items:
        return ""
    return json.dumps([e.to_dict() for e in items], ensure_ascii=False)


def enclosures_from_json(text: str) -> tuple[Enclosure, ...]:
    """Enclosures of their stored form; a damaged value gives none."""
    if not text:
        return ()
    try:
        data = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(data, list):
        return ()
    found = (Enclosure.from_dict(d) for d in data if isinstance(d, dict))
    return tuple(e for e in found if e is not None)
