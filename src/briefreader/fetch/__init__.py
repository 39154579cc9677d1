"""HTTP fetching for feeds and pages: concurrency, conditional GET, caps, timeouts.

No UI, no database, no feed parsing: bytes in, :class:`FetchResult` out.

One :class:`Fetcher` (an async context manager holding one shared
``httpx.AsyncClient``) serves a whole refresh run::

    async with Fetcher(concurrency=16, per_host=4) as fetcher:
        async for result in fetcher.iter_fetch(requests):   # as they complete
            ...
        results = await fetcher.fetch_many(requests, on_result=callback)

A per-feed problem never raises: the result carries a one-line ``error``.

Rules enforced here:

- redirects are followed by hand: at most ``max_redirects`` (5), only to http(s),
  relative ``Location`` resolved, loops refused; a chain whose every hop is a
  permanent redirect (301/308) reports ``permanent_url``;
- conditional GET with If-None-Match and If-Modified-Since; 304 → ``not_modified``;
- an overall deadline per request around the whole exchange (all hops, headers
  and body), so a server that drips one byte a second is cut off at the deadline;
- caps on raw and on decoded bytes, enforced while streaming: the body is
  decoded here (gzip, deflate, brotli) in pieces of at most 256 KB, so a small
  gzip that inflates to gigabytes is stopped at the cap with bounded memory (or,
  ``Fetcher(decode=False)``, a body of up to 1 MB on the wire left as it came for
  ``body.decode_body`` to decode later the same way: the refresh does it in its
  parse workers);
- 410 → ``gone``; 429/503 → ``retry_after`` from Retry-After (seconds or date).

The package: :mod:`.results` (requests, results, defaults), :mod:`.client` (the
fetcher and its loop), :mod:`.urls` (URL checks, redirects, validators, headers),
:mod:`.decode` (streaming decoders) and :mod:`.errors` (failures as one line).
This package is the only place that imports httpx.
"""

from __future__ import annotations

from briefreader.fetch.client import Fetcher, fetch_one
from briefreader.fetch.decode import BROTLI_AVAILABLE
from briefreader.fetch.results import (
    DEFAULT_CONCURRENCY,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    FEED_ACCEPT,
    MAX_REDIRECTS,
    MAX_RETRY_AFTER,
    PAGE_ACCEPT,
    USER_AGENT,
    FetchRequest,
    FetchResult,
    OnResult,
)
from briefreader.fetch.urls import parse_retry_after

__all__ = [
    "BROTLI_AVAILABLE",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "FEED_ACCEPT",
    "MAX_REDIRECTS",
    "MAX_RETRY_AFTER",
    "PAGE_ACCEPT",
    "USER_AGENT",
    "FetchRequest",
    "FetchResult",
    "Fetcher",
    "OnResult",
    "fetch_one",
    "parse_retry_after",
]
