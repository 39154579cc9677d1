"""The library store: one SQLite file holding articles, feeds, read/star state and
the search and related-articles indexes.

* :mod:`.schema`: the schema, its migrations and the checks made on opening a file
* :mod:`.rows`: the values handed out (:class:`ArticleRow`, :class:`FeedInfo`, …)
  and the named column lists every query reads them with
* :mod:`.base`: the connection and its write transactions
* :mod:`.library`: :class:`Library`, storing and reading articles, put together from
  :mod:`.feeds`, :mod:`.state`, :mod:`.search` and :mod:`.related_index`
"""

from typing import TYPE_CHECKING

from briefreader.store.library import Library
from briefreader.store.rows import (
    ArticleRow,
    FeedCount,
    FeedInfo,
    Filter,
    StoreCounts,
    UnreadCounts,
)
from briefreader.store.schema import (
    SCHEMA_VERSION,
    LibraryError,
    is_damage,
    opens_read_only,
    problem_line,
)
from briefreader.store.search import SearchHit, fts_query

if TYPE_CHECKING:
    from briefreader.related import RelatedHit, StoryInfo

__all__ = [
    "SCHEMA_VERSION",
    "ArticleRow",
    "FeedCount",
    "FeedInfo",
    "Filter",
    "Library",
    "LibraryError",
    "RelatedHit",
    "SearchHit",
    "StoreCounts",
    "StoryInfo",
    "UnreadCounts",
    "fts_query",
    "is_damage",
    "opens_read_only",
    "problem_line",
]


def __getattr__(name: str) -> object:
    """``RelatedHit`` and ``StoryInfo``, from :mod:`briefreader.related` when first
    asked for (its ranking modules are loaded only by what ranks)."""
    if name in ("RelatedHit", "StoryInfo"):
        from briefreader import related

        return getattr(related, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
