"""Which articles a removal may take: the one rule retention, unsubscribing a feed,
an account's removal and a server dropping a feed all follow.

Starred articles, the bundled samples, articles edited and added back (their origin
a path, not a feed's URL) and articles a row of another part keeps (a downloaded
enclosure) never go with their feed; they stay without it.
"""

from __future__ import annotations

import sqlite3

__all__ = ["KEEPERS", "MAY_GO", "delete_feed", "may_go"]

#: Articles that may go (``a``: articles), apart from :data:`KEEPERS`.
MAY_GO = (
    "a.starred_at IS NULL AND a.sample = 0 "
    "AND (a.origin LIKE 'http://%' OR a.origin LIKE 'https://%')"
)

#: Tables of other parts whose rows keep an article: (table, column holding the
#: article's id).  ``downloads`` (schema 11, store/media.py): an enclosure the reader
#: downloaded keeps its article, complete or not.  Checked when present.
KEEPERS: tuple[tuple[str, str], ...] = (("downloads", "article_id"),)


def may_go(db: sqlite3.Connection) -> str:
    """:data:`MAY_GO` with the conditions of the :data:`KEEPERS` tables this file has."""
    tables = {str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return MAY_GO + "".join(
        f" AND NOT EXISTS (SELECT 1 FROM {t} k WHERE k.{c} = a.id)"
        for t, c in KEEPERS
        if t in tables
    )


def delete_feed(db: sqlite3.Connection, feed_id: int) -> int:
    """Delete a feed and those of its articles that may go (the rest stay without a
    feed), inside the caller's transaction; how many articles went."""
    cur = db.execute(f"DELETE FROM articles AS a WHERE a.feed_id = ? AND {may_go(db)}", (feed_id,))
    db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
    return cur.rowcount
