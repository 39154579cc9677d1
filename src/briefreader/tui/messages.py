"""Messages the app's workers post back to the UI thread (``post_message`` is thread-safe)."""

from __future__ import annotations

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


class RowsLoaded(Message):
    """The article list's order for the current filter was read from the library."""

    def __init__(
        self,
        rowids: list[int],
        unread: int | None,
        generation: int,
        keep: int | None,
        *,
        stay: bool = False,
        feed_ids: list[int] | None = None,
        partial: bool = False,
    ) -> None:
        super().__init__()
        self.partial = partial
        """Only the first page of the list (the whole order follows)."""
        self.rowids = rowids
        self.unread = unread
        self.generation = generation
        self.keep = keep
        self.stay = stay
        self.feed_ids = feed_ids


class SearchDone(Message):
    """Full-text search results for ``query``, best first, and how many articles
    match (``exact`` False: an estimate, a common word's newest shown)."""

    def __init__(self, query: str, rows: list[ArticleRow], total: int, exact: bool) -> None:
        super().__init__()
        self.query = query
        self.rows = rows
        self.total = total
        self.exact = exact


class RelatedReady(Message):
    """The Related sidebar's entries for one article."""

    def __init__(self, article_id: str, entries: list[RelatedEntry]) -> None:
        super().__init__()
        self.article_id = article_id
        self.entries = entries


class SamplesImported(Message):
    """The first-run import of the bundled samples finished."""

    def __init__(self, added: int, errors: list[str]) -> None:
        super().__init__()
        self.added = added
        self.errors = errors


class MarkedRead(Message):
    """Many articles were marked read at once (``M``)."""

    def __init__(self, rowids: list[int], changed: int, unread: int) -> None:
        super().__init__()
        self.rowids = rowids
        self.changed = changed
        self.unread = unread


class RelatedIndexed(Message):
    """Articles queued for the related-articles index were indexed."""


class StoriesUpdated(Message):
    """A batch of articles was grouped into stories: the list's "+N" may change."""


class FeedSubscribed(Message):
    """``a``: subscribing finished (``error`` says why it failed).  ``typed``: what
    the person typed (the dialog opens again with it after an error); ``account``:
    the account subscribed through ("" for this device), ``line`` its sync's
    summary; ``samples_removed``: sample briefs that gave way to the feed."""

    def __init__(
        self,
        url: str,
        title: str,
        created: bool,
        items: int,
        error: str,
        *,
        typed: str = "",
        account: str = "",
        line: str = "",
        samples_removed: int = 0,
    ) -> None:
        super().__init__()
        self.url = url
        self.title = title
        self.created = created
        self.items = items
        self.error = error
        self.typed = typed
        self.account = account
        self.line = line
        self.samples_removed = samples_removed


class FeedRemoved(Message):
    """A feed was removed from the feeds screen (``removed``: its articles deleted)."""

    def __init__(self, url: str, name: str, removed: int | None) -> None:
        super().__init__()
        self.url = url
        self.name = name
        self.removed = removed


class FullTextReady(Message):
    """``F``: an article's full text was fetched (or ``error`` says why not)."""

    def __init__(self, article_id: str, text: str, error: str) -> None:
        super().__init__()
        self.article_id = article_id
        self.text = text
        self.error = error
