"""Messages the app's workers post back to the UI thread (``post_message`` is thread-safe).

Dataclasses, as Textual allows (``Message.__post_init__``); ``eq=False`` keeps each
message equal only to itself, as before."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from textual.message import Message

from briefreader.store import ArticleRow
from briefreader.tui.widgets.related import RelatedEntry

__all__ = [
    "FeedRemoved",
    "FeedSubscribed",
    "FullTextReady",
    "MarkedRead",
    "RelatedIndexed",
    "RelatedReady",
    "RowsLoaded",
    "SamplesImported",
    "SearchDone",
    "StoriesUpdated",
]


@dataclass(eq=False)
class RowsLoaded(Message):
    """The article list's order for the current filter was read from the library."""

    rowids: list[int]
    unread: int | None
    generation: int
    keep: int | None
    _: KW_ONLY
    stay: bool = False
    feed_ids: list[int] | None = None
    partial: bool = False
    """Only the first page of the list (the whole order follows)."""


@dataclass(eq=False)
class SearchDone(Message):
    """Full-text search results for ``query``, best first, and how many articles
    match (``exact`` False: an estimate, a common word's newest shown)."""

    query: str
    rows: list[ArticleRow]
    total: int
    exact: bool


@dataclass(eq=False)
class RelatedReady(Message):
    """The Related sidebar's entries for one article."""

    article_id: str
    entries: list[RelatedEntry]


@dataclass(eq=False)
class SamplesImported(Message):
    """The first-run import of the bundled samples finished."""

    added: int
    errors: list[str]


@dataclass(eq=False)
class MarkedRead(Message):
    """Many articles were marked read at once (``M``)."""

    rowids: list[int]
    changed: int
    unread: int


class RelatedIndexed(Message):
    """Articles queued for the related-articles index were indexed."""


class StoriesUpdated(Message):
    """A batch of articles was grouped into stories: the list's "+N" may change."""


@dataclass(eq=False)
class FeedSubscribed(Message):
    """``a``: subscribing finished (``error`` says why it failed).  ``typed``: what
    the person typed (the dialog opens again with it after an error); ``account``:
    the account subscribed through ("" for this device), ``line`` its sync's
    summary; ``samples_removed``: sample briefs that gave way to the feed."""

    url: str
    title: str
    created: bool
    items: int
    error: str
    _: KW_ONLY
    typed: str = ""
    account: str = ""
    line: str = ""
    samples_removed: int = 0


@dataclass(eq=False)
class FeedRemoved(Message):
    """A feed was removed from the feeds screen (``removed``: its articles deleted)."""

    url: str
    name: str
    removed: int | None


@dataclass(eq=False)
class FullTextReady(Message):
    """``F``: an article's full text was fetched (or ``error`` says why not)."""

    article_id: str
    text: str
    error: str
