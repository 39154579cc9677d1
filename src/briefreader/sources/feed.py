"""Feeds: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and JSON Feed bytes → Articles.

:func:`parse_feed` takes the bytes a fetch returned (never a URL or a path) and gives
a :class:`ParsedFeed`.  There are two XML parsers behind it, each in its own module:

* the **fast path** (:mod:`~briefreader.sources.feedfast`, :func:`fast_parse`): lxml,
  strict, for well-formed RSS 2.0 and Atom 1.0 in UTF-8 — the common case; it reads
  the XML ~10× faster than feedparser with its sanitiser off and ~20× faster than
  with it on (benchmarks/bench_feed_parse.py).  It does not guess: for anything
  whose reading feedparser defines differently it *hands over* (:class:`HandOver`);
* **feedparser** (:mod:`~briefreader.sources.feedreference`, :func:`reference_parse`),
  the reference, for everything else: ill-formed XML, other encodings, DOCTYPEs
  (defused first, :mod:`~briefreader.sources.doctype`) and entities, old formats, CDF.

Both produce the same raw items (:mod:`~briefreader.sources.feedraw`), and one
builder here (:func:`build_feed`) turns them into Articles, so a feed reads the same
whichever parser read it; ``tests/test_feed_corpus.py`` checks that over every
corpus file.  JSON Feed is read here too, by the JSON reader's item mapping.

Item HTML is sanitised with nh3 (:mod:`~briefreader.sources.sanitize`: no
script/style/iframe/object/form, no ``on*`` or ``style`` attributes, links only
http(s)/mailto; a lazy item's when it is first read) and then converted to Markdown by
:func:`~briefreader.sources.htmlparts.extract_brief_parts`, which also lifts out a
"Key takeaways" list and an "Editor's note / Why it matters" section (the shared
vocabulary, :mod:`~briefreader.sources.vocabulary`); the search runs only when a
heading could match (:func:`html_to_brief`).  Items with no takeaways are left
without: derived ones are chosen when an article is read
(:func:`briefreader.insight.with_derived_takeaways`).  Everything is pure and
picklable, so a caller can run :func:`parse_feed` in worker processes.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

from briefreader.model import UNTITLED, Article, Enclosure, RelatedLink, article_id
from briefreader.sources import SourceError, clean_article, decode_bytes
from briefreader.sources.doctype import defuse_doctype
from briefreader.sources.feedfast import raw_fast
from briefreader.sources.feedlazy import (
    LazyArticle,
    first_paragraph,
    html_to_brief,
    markdown_to_plain,
    provisional_dek,
    render_parts,
    shorten,
)
from briefreader.sources.feedraw import (
    HandOver,
    RawFeed,
    RawItem,
    RawLink,
    RawText,
    absolute_base,
    content_type_parts,
    http_url,
    one_line,
    text_value,
)
from briefreader.sources.feedreference import raw_feedparser, xml_ends_early
from briefreader.sources.htmlrender import squash
from briefreader.sources.media import enclosures, lead_image
from briefreader.sources.sanitize import kept_html, sanitize_html
from briefreader.textclean import clean_line, feed_name

__all__ = [
    "MAX_FEED_BYTES",
    "MAX_ITEMS",
    "HandOver",
    "LazyArticle",
    "ParsedFeed",
    "RawFeed",
    "RawItem",
    "RawText",
    "build_feed",
    "defuse_doctype",
    "fast_parse",
    "feed_item_id",
    "html_to_brief",
    "json_ends_early",
    "parse_feed",
    "raw_fast",
    "raw_feedparser",
    "reference_parse",
    "sanitize_html",
    "sniff_kind",
]

#: Bytes beyond this are refused (the fetch layer caps downloads well below this).
MAX_FEED_BYTES = 32 * 1024 * 1024
#: Items read from one feed document, in document order (feeds list the newest first);
#: an archive feed of thousands of items would otherwise cost seconds per refresh.
MAX_ITEMS = 1000

ParserName = Literal["fast", "feedparser", "json"]


@dataclass(slots=True)
class ParsedFeed:
    """What one feed document held.

    ``parser`` says which parser read it: ``"fast"`` (lxml), ``"feedparser"`` or
    ``"json"`` (JSON Feed).  ``handover`` is why the fast path declined, when it did.
    ``warnings`` are one-line notes (malformed XML read leniently, bad encoding …).
    """

    title: str
    site_url: str
    items: list[Article]
    parser: ParserName
    warnings: list[str] = field(default_factory=list)
    handover: str = ""
    version: str = ""
    #: The XML stops before its root element is closed: the body was cut short
    #: (a wrong Content-Length); what was read of it is not the feed.
    ends_early: bool = False


# ---------------------------------------------------------------------------------
# entry point


def parse_feed(
    data: bytes, *, url: str, content_type: str | None = None, lazy: bool = False
) -> ParsedFeed:
    """Parse feed bytes fetched from ``url``.

    Raises :class:`SourceError` (``url``, one-line reason) for what is not a feed: an
    empty body, an HTML page, JSON that is not a JSON Feed, garbage.  Never raises
    anything else.

    ``lazy`` (a refresh): items are :class:`LazyArticle` — their body, takeaways,
    analysis and dek are rendered from the stored item HTML when first read
    (:mod:`~briefreader.sources.feedlazy`); JSON Feed items and items without a
    title are rendered at once either way.
    """
    try:
        return _parse_feed(data, url=url, content_type=content_type, lazy=lazy)
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(url, "feed too deeply nested to read") from None
    except MemoryError:
        raise SourceError(url, "feed too large to read") from None
    except Exception as exc:  # a parser bug must not take a refresh down
        raise SourceError(
            url, f"could not read feed ({type(exc).__name__}: {one_line(exc)})"
        ) from None


def _parse_feed(data: bytes, *, url: str, content_type: str | None, lazy: bool) -> ParsedFeed:
    _check_size(data, url)
    kind = sniff_kind(data, content_type)
    if kind == "empty":
        raise SourceError(url, "empty document, not a feed")
    if kind == "json":
        return _parse_json_feed(data, url)
    if kind == "html":
        raise SourceError(url, "an HTML page, not a feed")
    if kind == "binary":
        raise SourceError(url, "binary data, not a feed")
    try:
        return fast_parse(data, url=url, content_type=content_type, lazy=lazy)
    except HandOver as reason:
        parsed = reference_parse(data, url=url, content_type=content_type, lazy=lazy)
        parsed.handover = str(reason)
        return parsed


def fast_parse(
    data: bytes, *, url: str, content_type: str | None = None, lazy: bool = False
) -> ParsedFeed:
    """The fast path alone; raises :class:`HandOver` for what it does not read."""
    raw = raw_fast(data, content_type=content_type)
    # (lxml reads only whole documents; checked all the same, as for feedparser)
    raw.ends_early = xml_ends_early(data)
    return build_feed(raw, url=url, parser="fast", lazy=lazy)


def reference_parse(
    data: bytes, *, url: str, content_type: str | None = None, lazy: bool = False
) -> ParsedFeed:
    """feedparser alone (for any XML feed); :class:`SourceError` for what is not a feed."""
    _check_size(data, url)
    try:
        raw = raw_feedparser(data, url=url, content_type=content_type)
    except SourceError:
        charset = content_type_parts(content_type)[1]
        if not charset:
            raise
        # A server that names the wrong charset: read the document by its own
        # declaration (or BOM, or UTF-8) instead, and say so.
        raw = raw_feedparser(data, url=url, content_type=None)
        raw.warnings.insert(0, f"ignored the HTTP charset {charset}: the document is not in it")
    return build_feed(raw, url=url, parser="feedparser", lazy=lazy)


def _check_size(data: bytes, url: str) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise SourceError(url, f"expected bytes, got {type(data).__name__}")
    if len(data) > MAX_FEED_BYTES:
        raise SourceError(url, f"feed too large ({len(data) / 1e6:.1f} MB)")


# ---------------------------------------------------------------------------------
# sniffing


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_LEADING_MISC = re.compile(rb"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*", re.DOTALL)
_HTML_START = re.compile(rb"(?:<!doctype\s+html\b|<html\b|<head\b|<body\b|<meta\b|<title\b)")
_FEED_START = re.compile(rb"<(?:[a-z][\w.-]*:)?(?:rss|feed|rdf|channel)\b")
_XHTML_DOCTYPE = re.compile(rb"<!doctype\s+html\b[^>]*>\s*", re.DOTALL)
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


def sniff_kind(data: bytes, content_type: str | None = None) -> str:
    """Guess what ``data`` is: ``"json"``, ``"xml"`` (perhaps a feed), ``"html"``,
    ``"empty"`` or ``"binary"``.  Only looks at the first few KB."""
    head = bytes(data[:4096])
    for bom in _BOMS:
        if head.startswith(bom):
            if bom == b"\xef\xbb\xbf":
                head = head[3:]
                break
            return "xml"  # UTF-16/32: let feedparser decide
    if not head.strip():
        return "empty"
    if head[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00") or head[:2] in (b"\x00<", b"<\x00"):
        return "xml"  # UTF-16/32 without a BOM
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    low = head.lower()
    misc = _LEADING_MISC.match(low)
    start = low[misc.end() if misc else 0 :]
    if _HTML_START.match(start):
        # an XHTML DOCTYPE in front of a feed happens (see feedparser's
        # illformed/always_strip_doctype): look past it before calling it a page
        after = _XHTML_DOCTYPE.match(start)
        if after is None:
            return "html"
        rest = start[after.end() :]
        lead = _LEADING_MISC.match(rest)
        if not _FEED_START.match(rest[lead.end() if lead else 0 :]):
            return "html"
    if b"\x00" in head:
        return "binary"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(head) // 20):
        return "binary"
    if ctype in ("text/html", "application/xhtml+xml") and not _FEED_START.search(low):
        return "html"
    return "xml"


# ---------------------------------------------------------------------------------
# raw items → Articles


def _plain_to_html(text: str) -> str:
    """A plain-text construct as paragraphs of HTML.  Character references in it are
    read as what they name: a text summary holding "&nbsp;" or "&amp;" is a
    publisher's HTML put in a text field (the reader would see "&nbsp;" else)."""
    if "&" in text:
        text = htmllib.unescape(text).replace("\xa0", " ")
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "".join(
        "<p>" + htmllib.escape(p.strip(), quote=False).replace("\n", "<br>") + "</p>"
        for p in paragraphs
        if p.strip()
    )


def _as_html(text: RawText) -> str:
    return text.value if text.kind == "html" else _plain_to_html(text.value)


# (kept under their old names for the JSON Feed path below)
_markdown_to_plain = markdown_to_plain
_shorten = shorten
_first_paragraph = first_paragraph


def feed_item_id(
    feed_url: str, guid: str, link: str, title: str, published: datetime | None
) -> str:
    """The stable id of a feed item: from its guid, else its link, else title + date."""
    if guid:
        key = "guid:" + feed_url + "\x00" + guid
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    if link:
        return article_id(url=link)
    day = published.astimezone(UTC).isoformat() if published else ""
    key = "item:" + feed_url + "\x00" + squash(title).casefold() + "\x00" + day
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _pick_link(links: list[RawLink], fallback: str, feed_url: str) -> str:
    """The first http(s) ``alternate`` link; the fallback only when there is none at all
    (``gemini:`` and ``gopher:`` alternates are skipped, never opened)."""
    alternates = [link for link in links if link.rel == "alternate"]
    for link in alternates:
        if url := http_url(link.href, feed_url):
            return url
    return http_url(fallback, feed_url) if fallback and not alternates else ""


def _fallback_title(summary: str, body: str, link: str) -> str:
    text = summary or _first_paragraph(body)
    if text:
        return _shorten(text, 80)
    if link:
        parts = urlsplit(link)
        return (parts.netloc + parts.path).rstrip("/")[:80]
    return UNTITLED


def untitled_feed_name(site: str, url: str) -> str:
    """The name of a feed that gives none: its site's host; without a site, its own
    address less the scheme and any user name or password (two untitled feeds of one
    host stay apart: its path and query are kept, a long one cut in its middle; a
    query that may hold a secret, a token or a key, is left out)."""
    if site:
        return clean_line(_host(site) or site)
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query and not _SECRET_KEY.search(parts.query) else ""
    name = clean_line(_host(url) + parts.path.rstrip("/") + query or _host(url) or url)
    return name if len(name) <= 80 else f"{name[:50]}…{name[-29:]}"


#: A query that may hold a secret (a private feed's token): left out of a name that
#: is shown and shared.
_SECRET_KEY = re.compile(
    r"(?:^|[&;])[^=&;]*(?:token|key|auth|secret|pass|pwd|sig|session|sid|hash|access|private)",
    re.IGNORECASE,
)


def _host(url: str) -> str:
    """``host[:port]`` of an address, without its user name and password."""
    netloc = urlsplit(url).netloc
    return netloc.rpartition("@")[2]


@dataclass(slots=True)
class _FeedInfo:
    url: str
    title: str
    authors: str


def build_feed(raw: RawFeed, *, url: str, parser: ParserName, lazy: bool = False) -> ParsedFeed:
    """Turn what a parser read into a :class:`ParsedFeed` of clean Articles
    (``lazy``: items with a title are :class:`LazyArticle`, rendered when read)."""
    title = feed_name(text_value(raw.title))
    site = clean_line(_pick_link(raw.links, "", url))
    warn = [clean_line(f"{url}: {w}") for w in raw.warnings]
    if not title:
        title = untitled_feed_name(site, url)
    info = _FeedInfo(url, title, ", ".join(raw.authors))
    items: list[Article] = []
    seen_guids: set[str] = set()
    seen_links: set[str] = set()
    skipped = 0
    if len(raw.items) > MAX_ITEMS:
        warn.append(f"{url}: {len(raw.items)} items; read the first {MAX_ITEMS}")
    for item in raw.items[:MAX_ITEMS]:
        link = _pick_link(item.links, item.fallback_link, url)
        # An item is identified by its guid; by its link only when it has none (the
        # episodes of a podcast often all link to the show's page).
        if item.guid and item.guid in seen_guids:
            continue
        if not item.guid and link and link in seen_links:
            continue
        try:
            article = _article(item, info, link, lazy)
        except (ValueError, TypeError, RecursionError) as exc:
            skipped += 1
            warn.append(f"{url}: item skipped ({one_line(exc)})")
            continue
        if article is None:
            skipped += 1
            continue
        if item.guid:
            seen_guids.add(item.guid)
        elif link:
            seen_links.add(link)
        items.append(article)
    if skipped:
        warn.append(f"{url}: {skipped} empty item(s) skipped")
    return ParsedFeed(
        title=title,
        site_url=site,
        items=items,
        parser=parser,
        warnings=warn,
        version=raw.version,
        ends_early=raw.ends_early,
    )


def _article(raw: RawItem, feed: _FeedInfo, link: str, lazy: bool = False) -> Article | None:
    title = text_value(raw.title)
    main = raw.content or raw.summary
    separate_summary = (
        raw.summary is not None
        and raw.content is not None
        and not _same_words(raw.summary.value, raw.content.value)
        and bool(raw.summary.value.strip())
    )
    # Lazy: rendered when first read, and sanitised then (every read renders through
    # render_item, which sanitises): what is kept is the item's HTML as it came,
    # sanitised now only when it holds what the sanitiser drops with its content
    # (sources/sanitize.py).  An item without a title is rendered now, as its title
    # (and so perhaps its id) comes from its text.
    lazy = lazy and bool(clean_line(title))
    html, base, words = "", "", ""
    if main is not None and main.value.strip():
        base = absolute_base(main.base) or link or feed.url
        if lazy:
            html, words = kept_html(_as_html(main))
        else:
            html = sanitize_html(_as_html(main))
    dek_html: str | None = None
    dek_base, dek_words = "", ""
    if separate_summary and raw.summary is not None:
        dek_base = absolute_base(raw.summary.base) or link or feed.url
        if lazy:
            dek_html, dek_words = kept_html(_as_html(raw.summary))
        else:
            dek_html = sanitize_html(_as_html(raw.summary))
    if lazy and (html or dek_html is not None):
        parts = (html, base, dek_html, dek_base)
        return _lazy_article(raw, feed, link, title, parts, words, dek_words)
    body, takeaways, analysis, summary = render_parts(html, base, dek_html, dek_base)
    if not (title or body or summary or link):
        # Nothing to read, but perhaps files (a video, an episode): named by the first.
        files = enclosures(raw.media, feed.url) if raw.media is not None else ()
        if not files:
            return None
        path = urlsplit(files[0].url).path
        title = clean_line(path.rsplit("/", 1)[-1])[:80] or _fallback_title("", "", files[0].url)
    if not title:
        title = _fallback_title(summary, body, link)
    article = _shell(raw, feed, link, title).with_changes(
        summary=summary, takeaways=tuple(takeaways), analysis=analysis, body=body
    )
    return clean_article(article)


def _same_words(a: str, b: str) -> bool:
    """``squash(a) == squash(b)``, answered by the first words when they differ (a
    teaser and its full text: squashing 8 KB of content cost ~50 µs an item)."""
    if a == b:
        return True
    if a.split(None, 16)[:16] != b.split(None, 16)[:16]:
        return False
    return a.split() == b.split()


def _shell(raw: RawItem, feed: _FeedInfo, link: str, title: str) -> Article:
    """An item's Article without its body, takeaways, analysis and dek."""
    published = raw.published or raw.updated
    image_url, image_alt, files = _media(raw, link or feed.url)
    related = tuple(
        RelatedLink(title=squash(lk.title) or url, url=url)
        for lk in raw.links
        if lk.rel == "related" and (url := http_url(lk.href, feed.url)) and url != link
    )
    return Article(
        id=feed_item_id(feed.url, raw.guid.strip(), link, title, published),
        title=title,
        url=link,
        source=feed.title,
        author=", ".join(dict.fromkeys(raw.authors)) or feed.authors,
        published=published,
        tags=tuple(raw.tags),
        related=tuple(dict.fromkeys(related)),
        origin=feed.url,
        image_url=image_url,
        image_alt=image_alt,
        enclosures=files,
    )


def _media(raw: RawItem, base: str) -> tuple[str, str, tuple[Enclosure, ...]]:
    """The item's lead image (url, alt) and enclosures (see sources/media.py)."""
    main = raw.content or raw.summary
    html = main.value if main is not None and main.kind == "html" else ""
    html_base = (absolute_base(main.base) if main is not None else "") or base
    url, alt = lead_image(raw.media, html, base, html_base)
    return url, alt, enclosures(raw.media, base)


def _lazy_article(
    raw: RawItem,
    feed: _FeedInfo,
    link: str,
    title: str,
    parts: tuple[str, str, str | None, str],
    text: str,
    dek_text: str,
) -> LazyArticle:
    """A :class:`LazyArticle`: the shell cleaned as every article is, the item's
    words (``text``, already clean) as its body, a provisional dek (from the
    separate summary's words, ``dek_text``, if any), and what renders it."""
    html, base, dek_html, dek_base = parts
    shell = clean_article(_shell(raw, feed, link, title))
    return LazyArticle(
        id=shell.id,
        title=shell.title,
        summary=provisional_dek(dek_text or text),
        url=shell.url,
        source=shell.source,
        author=shell.author,
        published=shell.published,
        body=text,
        tags=shell.tags,
        related=shell.related,
        origin=shell.origin,
        image_url=shell.image_url,
        image_alt=shell.image_alt,
        enclosures=shell.enclosures,
        html=html,
        html_base=base,
        dek_html=dek_html,
        dek_base=dek_base,
    )


# ---------------------------------------------------------------------------------
# JSON Feed


_JSON_CLOSERS = {"}": "{", "]": "["}


def json_ends_early(text: str, error: ValueError) -> bool:
    """Whether JSON that does not parse stops before its end: its error is the end of
    the text (a string, an object or an array still open, every bracket so far
    matched, and what the parser stumbled on is the last, unfinished token), not a
    mistake somewhere in the middle."""
    pos = getattr(error, "pos", None)
    if not isinstance(pos, int):
        return False
    if not str(error).startswith("Unterminated string"):  # (which runs to the end)
        tail = text[pos:].strip()
        if len(tail) > 24:
            return False
        if tail and not (
            any(word.startswith(tail) for word in ("true", "false", "null"))
            or all(ch in "0123456789+-.eE" for ch in tail)
            or tail.startswith('"')  # a key or a value cut before its escape ended
            or (str(error).startswith("Invalid \\uXXXX") and len(tail) < 6)  # "\u00
        ):
            return False
    open_brackets: list[str] = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            open_brackets.append(ch)
        elif ch in _JSON_CLOSERS:
            if not open_brackets or open_brackets.pop() != _JSON_CLOSERS[ch]:
                return False
            if not open_brackets:
                return False  # the top value closed: whatever is wrong, it is not a cut
    return in_string or bool(open_brackets)


def _parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    from briefreader.sources.jsonfile import parse_json_feed, replace_json_surrogates

    decoded = decode_bytes(bytes(data), url)
    try:
        obj = json.loads(decoded.text)
    except RecursionError:
        raise SourceError(url, "JSON too deeply nested to read") from None
    except ValueError as exc:
        if json_ends_early(decoded.text, exc):
            raise SourceError(
                url, f"truncated: the JSON Feed stops mid-document ({one_line(exc)})"
            ) from None
        raise SourceError(url, f"invalid JSON ({one_line(exc)})") from None
    obj = replace_json_surrogates(obj)
    if not isinstance(obj, dict):
        raise SourceError(url, "JSON, but not a JSON Feed (not an object)")
    version = obj.get("version")
    items = obj.get("items")
    is_feed = isinstance(version, str) and "jsonfeed.org/version/" in version
    if not is_feed and not isinstance(items, list):
        raise SourceError(url, "JSON, but not a JSON Feed (no version, no items)")
    if not isinstance(items, list):
        raise SourceError(url, "JSON Feed without an items list")
    warn = [f"{url}: {decoded.warning}"] if decoded.warning else []
    if isinstance(version, str) and not re.search(r"jsonfeed\.org/version/1(?:\.1)?/?$", version):
        warn.append(f"{url}: unknown JSON Feed version {version[:60]!r}; read as 1.1")
    title = obj.get("title") if isinstance(obj.get("title"), str) else ""
    home = obj.get("home_page_url") if isinstance(obj.get("home_page_url"), str) else ""
    site = http_url(home or "", url)
    feed_title = feed_name(title or "") or untitled_feed_name(site, url)
    shell = {k: v for k, v in obj.items() if k != "items"}
    shell["title"] = feed_title
    articles: list[Article] = []
    seen_guids: set[str] = set()
    seen_links: set[str] = set()
    skipped = 0
    if len(items) > MAX_ITEMS:
        warn.append(f"{url}: {len(items)} items; read the first {MAX_ITEMS}")
    for item in items[:MAX_ITEMS]:
        if not isinstance(item, dict):
            skipped += 1
            continue
        prepared = dict(item)
        for key in ("content_html", "summary"):
            if not isinstance(prepared.get(key), str):
                prepared.pop(key, None)
        if isinstance(prepared.get("content_html"), str):
            prepared["content_html"] = sanitize_html(prepared["content_html"])
        try:
            found = parse_json_feed({**shell, "items": [prepared]}, url)
        except SourceError:
            skipped += 1
            continue
        if not found:
            skipped += 1
            continue
        raw_id = item.get("id")
        guid = str(raw_id).strip() if isinstance(raw_id, str | int) and raw_id != "" else ""
        article = _finish_json_item(found[0], guid, url)
        if guid and guid in seen_guids:  # identified by its id; by its link only without
            continue
        if not guid and article.url and article.url in seen_links:
            continue
        if guid:
            seen_guids.add(guid)
        elif article.url:
            seen_links.add(article.url)
        articles.append(article)
    if skipped:
        warn.append(f"{url}: {skipped} unreadable item(s) skipped")
    return ParsedFeed(
        title=feed_title,
        site_url=clean_line(site),
        items=articles,
        parser="json",
        warnings=[clean_line(w) for w in warn],
        version="json" + (version.rsplit("/", 1)[-1] if isinstance(version, str) else ""),
    )


def _finish_json_item(article: Article, guid: str, url: str) -> Article:
    link = article.url if article.url.startswith(("http://", "https://")) else ""
    summary = _shorten(squash(article.summary)) if article.summary else ""
    if not summary:
        summary = _first_paragraph(article.body)
    title = article.title or _fallback_title(summary, article.body, link)
    published = article.published.astimezone(UTC) if article.published else None
    return clean_article(
        article.with_changes(
            id=feed_item_id(url, guid, link, title, published),
            published=published,
            url=link,
            title=title,
            summary=summary,
            origin=url,
        )
    )
