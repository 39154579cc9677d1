"""What a fetch is asked and what it answers, and the defaults of the fetch layer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from briefreader import __version__

USER_AGENT = f"briefreader/{__version__} (+https://github.com/briefreader/briefreader)"
DEFAULT_CONCURRENCY = 16
DEFAULT_DEADLINE = 30.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
#: Retry-After values are clamped to this (a day): a hostile or broken server
#: must not be able to park a feed forever.
MAX_RETRY_AFTER = 24 * 3600.0

#: Accept header for feeds (the default).
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)
#: Accept header for web pages (full text, autodiscovery of a home page).
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, application/xml;q=0.8, */*;q=0.5"


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One URL to fetch, with the validators stored from its last fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one fetch. ``error`` is None exactly when it succeeded.

    - ``url``: the URL as requested; ``final_url``: where the answer came from.
    - ``body``: decoded bytes of a 2xx answer (empty otherwise, and for 304); from a
      fetcher that leaves decoding to its caller, the bytes as they came, and
      ``encoding`` their Content-Encoding ("" for none) for
      :func:`~briefreader.fetch.body.decode_body`.
    - ``content_type``: the media type, lower-case, without parameters
      ("application/rss+xml"); ``charset``: its charset parameter, lower-case.
    - ``etag`` / ``last_modified``: validators to store for the next fetch (for a
      304 without new ones, those sent are returned, so they can be kept).
    - ``not_modified``: a 304 answer; nothing to parse.
    - ``gone``: 410 Gone (``error`` is set too); the caller marks the feed dead.
    - ``permanent_url``: set when every redirect hop was 301/308 and the fetch
      succeeded: the caller should store this URL instead of ``url``.
    - ``retry_after``: seconds to wait before the next try (429/503), clamped to
      ``MAX_RETRY_AFTER``.
    - ``elapsed``: seconds spent on the exchange (waiting for a slot excluded).
    - ``redirects``: each URL redirected to, in order.
    """

    url: str
    final_url: str
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    not_modified: bool = False
    gone: bool = False
    permanent_url: str | None = None
    retry_after: float | None = None
    error: str | None = None
    elapsed: float = 0.0
    redirects: tuple[str, ...] = ()
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


OnResult = Callable[[FetchResult], Awaitable[Any] | None]
