"""JSON: articles in the model's own form, and JSON Feed 1.0/1.1.

Accepted shapes:

* one article object with the model's field names (what ``briefreader show
  --format json`` prints), a list of them, or ``{"articles": [...]}``;
* a JSON Feed (``"version": "https://jsonfeed.org/version/1.1"``, or any object
  with an ``items`` list): each item becomes an article, its ``content_html``
  converted to Markdown with its "Key takeaways" list and "Editor's analysis"
  section lifted out (see :func:`briefreader.sources.htmlparts.extract_brief_parts`).

Article objects are read leniently: ``published`` in any ISO 8601 / RFC 822 form,
``analysis`` as an object or a string, ``related`` as objects or plain strings,
``tags`` as a list or a comma-separated string, and a few common aliases
(``link`` for ``url``, ``description`` for ``summary``, ``content`` for ``body`` …).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from briefreader.model import (
    Article,
    ArticleState,
    Enclosure,
    Tombstone,
    article_id,
    parse_datetime,
)
from briefreader.sources import SourceError
from briefreader.sources.feedraw import http_url
from briefreader.sources.htmlparts import extract_brief_parts
from briefreader.sources.htmlrender import safe_url
from briefreader.sources.media import MAX_MEDIA
from briefreader.sources.vocabulary import strip_ordinals
from briefreader.textclean import clean_line, replace_surrogates

__all__ = [
    "article_item",
    "json_attachments",
    "parse",
    "parse_json_feed",
    "parse_tombstones",
    "parse_with_state",
    "replace_json_surrogates",
]

# model field → other names it is accepted under (first present wins)
_ALIASES: dict[str, tuple[str, ...]] = {
    "url": ("link", "href", "permalink"),
    "summary": ("dek", "description", "subtitle", "standfirst"),
    "body": ("content", "text", "content_text"),
    "published": ("date", "date_published", "published_at", "pubDate", "pub_date"),
    "source": ("site", "site_name", "publication"),
    "author": ("authors", "byline"),
    "image_caption": ("caption",),
    "takeaways": ("key_takeaways", "highlights"),
}
_BULLET = re.compile(r"^\s*(?:[-*•‣◦·]\s+)")


def parse(text: str, origin: str) -> list[Article]:
    """Parse a JSON file into articles; :class:`SourceError` when it holds none."""
    return parse_with_state(text, origin)[0]


def parse_with_state(text: str, origin: str) -> tuple[list[Article], list[ArticleState | None]]:
    """:func:`parse`, with the library state an export writes beside each article
    (``read_at``, ``starred_at``, ``feed_url``; see :class:`ArticleState`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            origin, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise SourceError(origin, "JSON too deeply nested to read") from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise SourceError(origin, f"invalid JSON: {_one_line(str(exc))}") from None
    data = replace_json_surrogates(data)
    if isinstance(data, dict):
        if _is_json_feed(data):
            feed = parse_json_feed(data, origin)
            return feed, [None] * len(feed)
        articles = data.get("articles")
        if isinstance(articles, list) and not _has_article_fields(data):
            return _article_list(articles, origin), _states(articles)
        return [_article(data, origin, "the JSON object")], _states([data])
    if isinstance(data, list):
        return _article_list(data, origin), _states(data)
    raise SourceError(origin, f"JSON holds {_kind(data)}, not an article or a list of articles")


#: The key of an export's tombstones document (``briefreader export --deleted``).
TOMBSTONES_KEY = "deleted_articles"


def parse_tombstones(text: str, origin: str) -> tuple[list[Tombstone], int] | None:
    """An export's tombstones document (``{"deleted_articles": [...]}``): the
    tombstones, and how many entries were left out (no id, no sane time); ``None``
    when ``text`` is not one."""
    if f'"{TOMBSTONES_KEY}"' not in text[:4096]:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None  # (the article reader says what is wrong with it)
    if not isinstance(data, dict) or not isinstance(data.get(TOMBSTONES_KEY), list):
        return None
    if "articles" in data or _has_article_fields(data):
        return None
    entries = data[TOMBSTONES_KEY]
    stones = [s for s in (Tombstone.from_dict(e) for e in entries) if s is not None]
    return stones, len(entries) - len(stones)


def replace_json_surrogates(data: Any) -> Any:
    """Loaded JSON with every unpaired surrogate (a ``"\\ud800"`` escape) in its
    strings and keys replaced by U+FFFD: such a string can be neither stored nor
    printed.  Iterative, so nesting depth costs no recursion."""
    if isinstance(data, str):
        return replace_surrogates(data)
    if not isinstance(data, dict | list):
        return data
    stack: list[dict[str, Any] | list[Any]] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if any(not key.isascii() and replace_surrogates(key) != key for key in node):
                fixed = {replace_surrogates(key): value for key, value in node.items()}
                node.clear()
                node.update(fixed)
            pairs: Any = node.items()
        else:
            pairs = enumerate(node)
        for key, value in list(pairs):
            if isinstance(value, str):
                if not value.isascii():
                    node[key] = replace_surrogates(value)
            elif isinstance(value, dict | list):
                stack.append(value)
    return data


def _article_list(items: list[Any], origin: str) -> list[Article]:
    if not items:
        raise SourceError(origin, "empty list: no articles")
    return [_article(item, origin, f"item {i}") for i, item in enumerate(items, 1)]


def _states(items: list[Any]) -> list[ArticleState | None]:
    return [ArticleState.from_dict(item) if isinstance(item, dict) else None for item in items]


def article_item(data: Any, origin: str, where: str) -> Article:
    """One item of a list of article objects (``where``: "item 3", for the error);
    :class:`SourceError` when it is not an article."""
    return _article(data, origin, where)


def _article(data: Any, origin: str, where: str) -> Article:
    if not isinstance(data, dict):
        raise SourceError(origin, f"{where} is {_kind(data)}, not an article object")
    if not data:
        raise SourceError(origin, f"{where} is empty, not an article")
    try:
        return Article.from_dict(_normalise(data), origin=origin)
    except (ValueError, TypeError, AttributeError) as exc:
        raise SourceError(origin, f"{where} is not an article ({_one_line(str(exc))})") from None


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    """Fill model fields from their aliases and loosen the shapes the model is strict on."""
    out = dict(data)
    for name, aliases in _ALIASES.items():
        if out.get(name) in (None, "", [], {}):
            for alias in aliases:
                if out.get(alias) not in (None, "", [], {}):
                    out[name] = out[alias]
                    break
    for name in ("author", "source"):
        out[name] = _names(out.get(name))
    takeaways = out.get("takeaways")
    if isinstance(takeaways, str):
        # One block of text: split it into items and drop bullets and ordinals.
        lines = [line for line in takeaways.splitlines() if line.strip()]
        out["takeaways"] = strip_ordinals([_BULLET.sub("", t) for t in lines])
    elif isinstance(takeaways, list):
        items = [t for t in takeaways if isinstance(t, str) and t.strip()]
        if "id" in out and "takeaways_derived" in out:
            # The model's own form (what export writes): already clean, kept verbatim.
            out["takeaways"] = items
        else:
            # Written by hand: "1. …" or "• …" items lose their ordinal or bullet.
            out["takeaways"] = strip_ordinals([_BULLET.sub("", t) for t in items])
    related = out.get("related")
    if isinstance(related, list):
        out["related"] = [_related(r) for r in related]
    if isinstance(out.get("analysis"), dict):
        analysis = dict(out["analysis"])
        if not analysis.get("body"):
            analysis["body"] = analysis.get("text") or analysis.get("content") or ""
        out["analysis"] = analysis
    return out


def _names(value: Any) -> Any:
    """``"Jo"``, ``{"name": "Jo"}`` or a list of either → ``"Jo, …"``."""
    if isinstance(value, dict):
        return value.get("name") if isinstance(value.get("name"), str) else ""
    if isinstance(value, list):
        names = [n for n in (_names(v) for v in value if not isinstance(v, list)) if n]
        return ", ".join(n for n in names if isinstance(n, str))
    return value


def _related(value: Any) -> Any:
    if isinstance(value, dict) and not value.get("url"):
        for alias in ("link", "href"):
            if isinstance(value.get(alias), str):
                return {**value, "url": value[alias]}
    return value


# ---------------------------------------------------------------------------------
# JSON Feed


def _is_json_feed(data: dict[str, Any]) -> bool:
    version = data.get("version")
    if isinstance(version, str) and "jsonfeed.org/version/" in version:
        return True
    return isinstance(data.get("items"), list) and not _has_article_fields(data)


def _has_article_fields(data: dict[str, Any]) -> bool:
    return any(data.get(k) for k in ("body", "takeaways", "summary"))


@dataclass(frozen=True, slots=True)
class _Feed:
    origin: str
    title: str
    home: str  # base for relative item URLs
    files_base: str  # base for relative attachment URLs: the feed's address if fetched
    key: str  # what an item id is qualified with when the item has no URL
    author: str


def parse_json_feed(feed: dict[str, Any], origin: str) -> list[Article]:
    """Articles from a decoded JSON Feed (1.0 or 1.1) object.

    Items with neither a title nor any content are skipped; a feed with items but
    none readable raises :class:`SourceError`.
    """
    items = feed.get("items")
    if not isinstance(items, list):
        raise SourceError(origin, "JSON Feed without an items list")
    home = safe_url(_str(feed.get("home_page_url")))
    feed_url = safe_url(_str(feed.get("feed_url")))
    title = _str(feed.get("title"))
    fetched = origin if origin.startswith(("http://", "https://")) else ""
    info = _Feed(
        origin,
        title,
        home or feed_url,
        fetched or feed_url or home,
        feed_url or home or title,
        _authors(feed),
    )
    articles = [a for item in items if (a := _feed_item(item, info)) is not None]
    if not articles and items:
        raise SourceError(origin, "JSON Feed has no readable items")
    return articles


def _feed_item(item: Any, feed: _Feed) -> Article | None:
    if not isinstance(item, dict):
        return None
    url = safe_url(_str(item.get("url")), feed.home) or safe_url(_str(item.get("external_url")))
    if url.startswith("mailto:"):
        url = ""
    title = _str(item.get("title"))
    summary = _str(item.get("summary"))
    html = _str(item.get("content_html"))
    takeaways: list[str] = []
    analysis = None
    if html:
        body, takeaways, analysis = extract_brief_parts(html, base_url=url or feed.home)
    else:
        body = _str(item.get("content_text"))
    if not (title or summary or body):
        return None
    published = parse_datetime(item.get("date_published")) or parse_datetime(
        item.get("date_modified")
    )
    item_id = _str(item.get("id"))
    if url:
        key = article_id(url=url)
    elif item_id:
        key = article_id(url=f"{feed.key}#{item_id}")
    else:
        key = article_id(
            title=title or summary or body[:80], source=feed.title, published=published
        )
    tags = item.get("tags")
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list):
        tags = []
    return Article(
        id=key,
        title=title,
        summary=summary,
        url=url,
        source=feed.title,
        author=_authors(item) or feed.author,
        published=published,
        takeaways=tuple(takeaways),
        analysis=analysis,
        body=body,
        tags=tuple(t.strip() for t in tags if isinstance(t, str) and t.strip()),
        origin=feed.origin,
        enclosures=json_attachments(item.get("attachments"), feed.files_base),
    )


def json_attachments(value: object, base: str) -> tuple[Enclosure, ...]:
    """A JSON Feed item's ``attachments`` (its podcast episode, its files) as
    enclosures: http(s) addresses (resolved against the feed's), their MIME type, size
    and duration where given as numbers; at most :data:`MAX_MEDIA`, each address once."""
    if not isinstance(value, list):
        return ()
    files: dict[str, Enclosure] = {}
    for entry in value[: MAX_MEDIA * 2]:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        href = http_url(entry["url"].strip(), base)
        if not href or href in files:
            continue
        kind = entry.get("mime_type")
        size = entry.get("size_in_bytes")
        seconds = entry.get("duration_in_seconds")
        files[href] = Enclosure(
            clean_line(href),
            clean_line(kind)[:100] if isinstance(kind, str) else "",
            int(size) if isinstance(size, int | float) and 0 <= size < 2**53 else 0,
            int(seconds) if isinstance(seconds, int | float) and 0 <= seconds < 2**31 else 0,
        )
        if len(files) >= MAX_MEDIA:
            break
    return tuple(files.values())


def _authors(obj: dict[str, Any]) -> str:
    """Names from 1.1 ``authors`` or 1.0 ``author``."""
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")]
    names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
    return ", ".join(dict.fromkeys(n for n in names if n))


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _one_line(text: str) -> str:
    return " ".join(text.split())
