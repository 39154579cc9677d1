"""Feed items stored as HTML and rendered when read (see
:mod:`briefreader.sources.feedlazy`).

A refresh stores a :class:`~briefreader.sources.feedlazy.LazyArticle` with its
item HTML in ``body_html`` (and a separate summary's in ``dek_html``) — not
sanitised: :func:`~briefreader.sources.feedlazy.render_item` sanitises it on every
read (:mod:`briefreader.sources.sanitize`) —
the item's plain text in ``body`` and a provisional dek in ``summary`` — what the
search index and the related index read — and no takeaways or analysis.  Every
read of a whole article (:meth:`Library.get`, ``find``, ``articles``: the app, ``show``,
export, sharing) goes through :func:`rendered`, which renders such a row with the
eager path's own code and keeps the result in a small cache for the process
(keyed by the article's id and content hash, which covers the stored HTML, so a
cached rendering is never stale; the other fields come from the row read each time,
so a feed's rename shows at once).  A row whose ``body_html`` is NULL is an
eager one: its columns are the article, as before.

A lazy row stays lazy: rendering never writes (the app reads on a read-only
connection, and a write would wait on a refresh's); an article costs ~1 ms to
render the first time it is shown in a process.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict

from briefreader.model import Article

__all__ = ["CACHE_SIZE", "MIGRATION_SQL", "clear_cache", "default_base", "rendered"]

#: Rendered articles kept per process (a few KB each).
CACHE_SIZE = 512

#: The columns of a lazily stored feed item (``body_html`` NULL: an eager row).
#: ``html_base``/``dek_base`` are "" when the base is the article's URL (else its
#: origin), as it nearly always is.
MIGRATION_SQL = """
ALTER TABLE articles ADD COLUMN body_html TEXT;
ALTER TABLE articles ADD COLUMN dek_html TEXT;
ALTER TABLE articles ADD COLUMN html_base TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN dek_base TEXT NOT NULL DEFAULT '';
"""

_cache: OrderedDict[tuple[str, str], Article] = OrderedDict()
_lock = threading.Lock()


def default_base(url: str, origin: str) -> str:
    """The base a feed item's links resolve against unless its feed said otherwise."""
    return url or origin


def rendered(stored: Article, r: sqlite3.Row) -> Article:
    """The whole article of a row read with the lazy columns: ``stored`` itself for
    an eager row, else ``stored`` with its body, takeaways, analysis and dek
    rendered from the row's HTML (cached)."""
    html = r["body_html"]
    if html is None:
        return stored
    key = (stored.id, str(r["content_hash"]))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
    if hit is not None:
        # Only what the HTML gave comes from the cache: the rest is the row as read
        # now (a feed renamed since carries its new name; the hash does not cover it).
        return stored.with_changes(
            summary=hit.summary, takeaways=hit.takeaways, analysis=hit.analysis, body=hit.body
        )
    from briefreader.sources.feedlazy import render_item

    base = default_base(stored.url, stored.origin)
    art = render_item(
        stored,
        str(html),
        str(r["html_base"]) or base,
        None if r["dek_html"] is None else str(r["dek_html"]),
        str(r["dek_base"]) or base,
    )
    with _lock:
        _cache[key] = art
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return art


def clear_cache() -> None:
    """Forget every rendering (tests)."""
    with _lock:
        _cache.clear()
