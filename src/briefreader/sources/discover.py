"""Feed autodiscovery: which feeds a web page names, and whether fetched bytes are a feed.

:func:`discover_feeds` reads the ``<link rel="alternate" type="application/rss+xml">``
(Atom, JSON Feed) elements of an HTML page, in page order: ``rel`` tokens are matched
in any letter case, ``href`` is resolved against the page's ``<base href>`` and URL,
and only http(s) URLs are kept, each once.  :func:`looks_like_feed` tells a feed from
an HTML page (or anything else) after a fetch, from the first bytes and the
Content-Type, so ``briefreader add URL`` knows whether to subscribe or to discover.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from briefreader.sources import SourceError, decode_bytes
from briefreader.sources.doctype import wide_encoding
from briefreader.sources.feed import sniff_kind
from briefreader.textclean import clean_line

__all__ = ["FEED_TYPES", "DiscoveredFeed", "discover_feeds", "looks_like_feed"]

#: Link types that name a feed, and what they are.
FEED_TYPES: dict[str, str] = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
    "application/rdf+xml": "rss",
    "application/x.atom+xml": "atom",
    "application/x-atom+xml": "atom",
}
#: Only the first part of a page is searched for links (they belong in <head>).
MAX_HTML_CHARS = 2_000_000


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    """A feed a page links to: its URL, the link's title, and ``rss``/``atom``/``json``."""

    url: str
    title: str = ""
    kind: str = ""


def _http_url(href: str, base: str) -> str:
    href = href.strip()
    if not href:
        return ""
    try:
        url = urljoin(base, href) if base else href
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url


def _text(html: str | bytes) -> str:
    if isinstance(html, str):
        return html
    try:
        return decode_bytes(bytes(html[: MAX_HTML_CHARS * 2]), "page").text
    except SourceError:
        return ""


def discover_feeds(html: str | bytes, base_url: str) -> list[DiscoveredFeed]:
    """The feeds ``html`` (fetched from ``base_url``) names, in page order, each once.

    ``type="application/json"`` links to a WordPress REST API (``/wp-json/``) are
    left out: they are not feeds, and WordPress puts one on every page.
    """
    text = _text(html)[:MAX_HTML_CHARS]
    if "<link" not in text.lower():
        return []
    tree = LexborHTMLParser(text)
    base = base_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        resolved = _http_url(base_node.attributes.get("href") or "", base_url)
        if resolved:
            base = resolved
    found: list[DiscoveredFeed] = []
    seen: set[str] = set()
    for node in tree.css("link[href]"):
        attrs = node.attributes
        rels = (attrs.get("rel") or "").lower().split()
        if "alternate" not in rels:
            continue
        mime = (attrs.get("type") or "").split(";", 1)[0].strip().lower()
        kind = FEED_TYPES.get(mime)
        if kind is None:
            continue
        url = _http_url(attrs.get("href") or "", base)
        if not url or url in seen:
            continue
        if mime == "application/json" and "/wp-json/" in url:
            continue
        seen.add(url)
        found.append(DiscoveredFeed(url=url, title=clean_line(attrs.get("title") or ""), kind=kind))
    return found


_FEED_ROOT = re.compile(
    rb"^\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>\s*)*"
    rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF|channel)\b",
    re.DOTALL | re.IGNORECASE,
)
_FEED_MIME = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)


def looks_like_feed(data: bytes, content_type: str | None = None) -> bool:
    """Whether fetched bytes are a feed (RSS, Atom, RDF, CDF or JSON Feed), not a page.

    Looks at the document, not only the Content-Type (feeds are often served as
    ``text/html`` or ``text/plain``, and pages as ``application/xml``).
    """
    kind = sniff_kind(data, content_type)
    if kind in ("empty", "binary", "html"):
        return False
    head = bytes(data[:65536])
    if kind == "json":
        return _json_feed_head(data)
    head = _utf8_head(head)
    if _FEED_ROOT.match(head):
        return True
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    return mime in _FEED_MIME and b"<html" not in head[:2048].lower()


def _utf8_head(head: bytes) -> bytes:
    """The first bytes as UTF-8, whatever the BOM or UTF-16/32 layout says."""
    found = wide_encoding(head)
    if found is None:
        return head
    encoding, skip = found
    body = head[skip:]
    if encoding.startswith("utf-32"):
        body = body[: len(body) // 4 * 4]
    elif encoding.startswith("utf-16"):
        body = body[: len(body) // 2 * 2]
    return body.decode(encoding, "ignore").encode("utf-8")


def _json_feed_head(data: bytes) -> bool:
    head = bytes(data[:65536])
    if b"jsonfeed.org/version" in head:
        return True
    if len(data) <= 4 * 1024 * 1024:
        try:
            obj = json.loads(bytes(data).decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            return False
        return isinstance(obj, dict) and isinstance(obj.get("items"), list)
    return b'"items"' in head
