"""Google Reader API items → Articles, through the feed item builder every feed
item goes through (:func:`briefreader.sources.feed.build_feed`): the same HTML
sanitising, Markdown, takeaways and analysis lifting, cleaning and ids, so an item
from a server is a brief like any other.

Pure: JSON objects in, Articles out (no network, no library).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from briefreader.fetch.greader import short_item_id
from briefreader.sources.feed import build_feed, feed_item_id
from briefreader.sources.feedraw import RawFeed, RawItem, RawLink, RawText
from briefreader.sources.media import MAX_MEDIA, RawMedia

__all__ = [
    "RemoteItem",
    "StreamFeed",
    "item_arrived",
    "item_guid",
    "item_state",
    "items_to_articles",
    "parse_batch",
    "server_article_id",
]

_READ = re.compile(r"^user/[^/]*/state/com\.google/read$")
_STARRED = re.compile(r"^user/[^/]*/state/com\.google/starred$")
#: Most characters of a server's item text read (the builder caps bodies later too).
_MAX_TEXT = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class StreamFeed:
    """What the sync knows of a feed stream: its URL (the article ids' key) and title."""

    url: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """One server item as an Article: ``remote_id`` is its decimal id, ``stream_id``
    its feed's stream, ``read``/``starred`` the state the item itself carried,
    ``arrived`` when the server got the item (Unix time by the server's clock, from
    ``crawlTimeMsec`` or ``timestampUsec``; None when it gives neither)."""

    remote_id: str
    stream_id: str
    article: Any  # briefreader.model.Article (Any: keeps this dataclass picklable-simple)
    read: bool
    starred: bool
    arrived: float | None = None
    guid: str = ""
    """The feed's own id of the item when the server tells it (``originId``, or
    FreshRSS's ``guid`` in its export form; FreshRSS's API gives neither): with the
    link, what finds the article a feed followed here before its account had it."""


def item_guid(remote_id: str) -> str:
    """The guid an item is stored under: its long item id (from the decimal one)."""
    return f"tag:google.com,2005:reader/item/{int(remote_id):016x}"


def server_article_id(feed_url: str, remote_id: str) -> str:
    """The id of the article a server item of the feed at ``feed_url`` is stored as
    (:func:`items_to_articles`), to tell the server's copies from articles that were
    the feed's own before its account adopted it."""
    return feed_item_id(feed_url, item_guid(remote_id), "", "", None)


def item_state(item: Mapping[str, Any]) -> tuple[bool, bool]:
    """``(read, starred)`` from an item's categories."""
    cats = item.get("categories")
    if not isinstance(cats, list):
        return False, False
    names = [c for c in cats if isinstance(c, str)]
    return any(_READ.match(c) for c in names), any(_STARRED.match(c) for c in names)


def item_arrived(item: Mapping[str, Any]) -> float | None:
    """When the server got the item (Unix seconds, its clock): ``crawlTimeMsec``
    (milliseconds), else ``timestampUsec`` (microseconds); None when neither is a
    plausible time."""
    for key, scale in (("crawlTimeMsec", 1e3), ("timestampUsec", 1e6)):
        value = item.get(key)
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
            value = int(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value / scale
            if 0 < seconds < 253402300799:  # up to year 9999
                return float(seconds)
    return None


def _text(value: object) -> RawText | None:
    if isinstance(value, Mapping):
        value = value.get("content")
    if not isinstance(value, str) or not value.strip():
        return None
    return RawText(value[:_MAX_TEXT], "html")


def _when(value: object) -> datetime | None:
    try:
        seconds = float(value) if isinstance(value, int | float | str) else None
    except ValueError:
        return None
    if seconds is None or not 0 < seconds < 253402300799:  # up to year 9999
        return None
    return datetime.fromtimestamp(seconds, UTC)


def _links(item: Mapping[str, Any]) -> list[RawLink]:
    links: list[RawLink] = []
    for key in ("alternate", "canonical"):
        value = item.get(key)
        if not isinstance(value, list):
            continue
        for link in value:
            href = link.get("href") if isinstance(link, Mapping) else None
            if isinstance(href, str) and href.strip():
                links.append(RawLink(href.strip()[:8192], "alternate"))
    return links


def _guid(item: Mapping[str, Any]) -> str:
    """The feed's own guid of an item, when the server gives it (not its own item id)."""
    for key in ("originId", "guid"):
        value = item.get(key)
        if isinstance(value, str) and value.strip() and value != item.get("id"):
            return value.strip()[:2000]
    return ""


#: The figure FreshRSS appends to an item's HTML for each enclosure (a player, an
#: image, a "💾" download link): the enclosures themselves come as data.
_ENCLOSURE_FIGURE = re.compile(r'\s*<figure class="enclosure">.*?</figure>\s*', re.DOTALL)


def _media(item: Mapping[str, Any]) -> RawMedia | None:
    """The item's ``enclosure`` list (``href``, ``type``, ``length``), as a feed's
    enclosures: the same FILES block (and lead image, for a picture) as the feed
    fetched itself gives.  A bare kind for a type ("audio", FreshRSS's "image" for
    a picture without one) becomes that kind's range ("audio/*")."""
    listed = item.get("enclosure")
    if not isinstance(listed, list):
        return None
    found: list[dict[str, str]] = []
    for entry in listed[:MAX_MEDIA]:
        href = entry.get("href") if isinstance(entry, Mapping) else None
        if not isinstance(href, str) or not href.strip():
            continue
        kind = entry.get("type")
        kind = kind.strip()[:100] if isinstance(kind, str) else ""
        if kind in ("image", "audio", "video"):
            kind += "/*"
        length = entry.get("length")
        size = str(length) if isinstance(length, int) and not isinstance(length, bool) else ""
        found.append({"href": href.strip()[:8192], "type": kind, "length": size})
    return RawMedia(enclosures=found) if found else None


#: A title that is an item's guid: a hash (SHA-1 or longer, as FreshRSS makes for an
#: item without one), or a URN-like token ("source:empty", "tag:…", "urn:…").
_ID_TITLE = re.compile(r"[0-9a-fA-F]{32,}|(?:source|tag|urn|uuid):\S+", re.IGNORECASE)


def _raw_item(item: Mapping[str, Any], guid: str) -> RawItem:
    title = item.get("title")
    author = item.get("author")
    media = _media(item)
    summary, content = _text(item.get("summary")), _text(item.get("content"))
    if media is not None:  # (the server's own rendering of them, as text: left out)
        summary, content = _without_figures(summary), _without_figures(content)
    if (
        isinstance(title, str)
        and _ID_TITLE.fullmatch(title.strip())
        and summary is None
        and content is None
    ):
        # FreshRSS gives an item with no title and no text its guid for a title
        # ("source:empty", a hash): it has none, and is named (or left out) as the
        # feed fetched directly names it.
        title = None
    return RawItem(
        title=RawText(title[:8192], "html") if isinstance(title, str) else None,
        links=_links(item),
        guid=guid,
        published=_when(item.get("published")),
        updated=_when(item.get("updated")),
        authors=[author[:500]] if isinstance(author, str) and author.strip() else [],
        summary=summary,
        content=content,
        media=media,
    )


def _without_figures(text: RawText | None) -> RawText | None:
    if text is None or '<figure class="enclosure">' not in text.value:
        return text
    rest = _ENCLOSURE_FIGURE.sub("\n", text.value).strip()
    return RawText(rest, text.kind, text.base) if rest else None


def items_to_articles(
    items: Sequence[Mapping[str, Any]],
    feeds: Mapping[str, StreamFeed],
    *,
    endpoint: str,
    lazy: bool = False,
) -> tuple[list[RemoteItem], list[str]]:
    """Articles for these server items, and one-line notes on items left out.

    ``feeds`` maps stream ids to what is known of them; an item from a stream the
    account does not list (a starred item of a feed unsubscribed since) is keyed by
    the endpoint and its stream id.  An item's id is the builder's id for its feed
    URL and its long item id as the guid: stable across syncs, distinct per server.
    ``lazy``: items are stored as their sanitised HTML and rendered when first read,
    as a refresh stores feed items (:mod:`briefreader.sources.feedlazy`).
    """
    groups: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    notes: list[str] = []
    skipped = 0
    for item in items:
        short = short_item_id(item.get("id"))
        origin = item.get("origin")
        stream = origin.get("streamId") if isinstance(origin, Mapping) else None
        if short is None or not isinstance(stream, str) or not stream:
            skipped += 1
            continue
        groups.setdefault(stream[:2000], []).append((short, item))
    out: list[RemoteItem] = []
    for stream, members in groups.items():
        known = feeds.get(stream)
        url = known.url if known else f"{endpoint}#{stream}"
        first_origin = members[0][1].get("origin")
        origin_title = first_origin.get("title") if isinstance(first_origin, Mapping) else None
        title = (known.title if known else "") or (
            origin_title if isinstance(origin_title, str) else ""
        )
        site = first_origin.get("htmlUrl") if isinstance(first_origin, Mapping) else None
        guids = {short: item_guid(short) for short, _ in members}
        raw = RawFeed(
            title=RawText(title, "text") if title else None,
            links=[RawLink(site, "alternate")] if isinstance(site, str) and site else [],
            items=[_raw_item(item, guids[short]) for short, item in members],
        )
        parsed = build_feed(raw, url=url, parser="json", lazy=lazy)
        by_id = {a.id: a for a in parsed.items}
        for short, item in members:
            art = by_id.get(feed_item_id(url, guids[short], "", "", None))
            if art is None:
                skipped += 1
                continue
            read, starred = item_state(item)
            out.append(
                RemoteItem(short, stream, art, read, starred, item_arrived(item), _guid(item))
            )
    if skipped:
        notes.append(f"{skipped} item(s) without an id, a feed or any text left out")
    return out, notes


def parse_batch(
    items: Sequence[Mapping[str, Any]], feeds: Mapping[str, StreamFeed], endpoint: str
) -> tuple[list[RemoteItem], list[str]] | str:
    """:func:`items_to_articles` for a worker process: never raises (an exception
    that cannot be rebuilt in the parent would break the pool); a failure comes back
    as one line.  Items are lazy, as a refresh's are: a sync brings many times more
    items than anyone opens."""
    try:
        return items_to_articles(items, feeds, endpoint=endpoint, lazy=True)
    except Exception as exc:
        return f"could not read a batch of items ({type(exc).__name__}: {exc})"[:300]
