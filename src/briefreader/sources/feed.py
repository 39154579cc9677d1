"""Feeds: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and JSON Feed bytes → Articles.

:func:`parse_feed` takes the bytes a fetch returned (never a URL or a path) and gives
a :class:`ParsedFeed`.  There are two XML parsers behind it:

* the **fast path** (:func:`fast_parse`): lxml, strict, for well-formed RSS 2.0 and
  Atom 1.0 in UTF-8 — the common case; it reads the XML ~10× faster than feedparser
  with its sanitiser off and ~20× faster than with it on (benchmarks/bench_feed_parse.py);
* **feedparser** (:func:`reference_parse`), the reference, for everything else:
  ill-formed XML, other encodings, DOCTYPEs and entities, old formats, CDF.

The fast path does not guess.  Whenever the document holds something whose reading
feedparser defines differently from a plain reading of the XML (a DOCTYPE, a relative
``xml:base``, an element feedparser maps onto a field we use, a repeated element, markup
where text is expected, an unusual content type, an encoding other than UTF-8 …) it
*hands over* (raises :class:`HandOver`), and :func:`parse_feed` runs feedparser.  Both
parsers produce the same raw items (:class:`RawItem`), and one function turns a raw
item into an :class:`~briefreader.model.Article`, so a feed reads the same whichever
parser read it; ``tests/test_feed_corpus.py`` checks that over every corpus file.

Item HTML is sanitised with nh3 (no script/style/iframe/object/form, no ``on*`` or
``style`` attributes, links only http(s)/mailto) and then converted to Markdown by the
selectolax-based :func:`~briefreader.sources.html.extract_brief_parts`, which also lifts
out a "Key takeaways" list and an "Editor's note / Why it matters" section.  Items with
no takeaways are left without: derived ones are chosen when an article is read
(:func:`briefreader.insight.with_derived_takeaways`, applied by the library), not for
every item of every refresh.

After the XML read, most of the cost per item is the HTML→Markdown conversion, so it
sees only what it needs: the brief-parts search runs only when a heading could match
(:func:`html_to_brief`).  Everything is pure and picklable, so a caller can run
:func:`parse_feed` in worker processes.

Safety: feedparser gets an in-memory stream, so it never opens a URL or a file itself;
its DOCTYPE's internal subset is first reduced to entities whose expansion is no
longer than their reference (:func:`defuse_doctype`: no amplification, no nesting, no
external or parameter entities), both on the bytes given and — through a guard on
feedparser's own DOCTYPE step — on the UTF-8 feedparser converts them to (so UTF-16
documents and a DOCTYPE after a comment are covered); character references to
non-characters (lone surrogates) become U+FFFD; it never loads external DTDs.  The fast path never lets lxml see a DOCTYPE at all and
parses with entity resolution and network access off.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import html as htmllib
import html.entities
import io
import json
import re
import threading
import warnings as pywarnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import nh3
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from briefreader.model import Analysis, Article, RelatedLink, article_id, parse_datetime
from briefreader.sources import SourceError, clean_article, decode_bytes
from briefreader.sources.html import extract_brief_parts, html_to_markdown, safe_url
from briefreader.textclean import clean_line

__all__ = [
    "MAX_FEED_BYTES",
    "MAX_ITEMS",
    "HandOver",
    "ParsedFeed",
    "RawFeed",
    "RawItem",
    "RawText",
    "build_feed",
    "defuse_doctype",
    "fast_parse",
    "feed_item_id",
    "html_to_brief",
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
#: Longest dek (plain-text summary) kept, in characters.
MAX_SUMMARY_CHARS = 400
#: Derived takeaways look at no more than this much of the body (lead-weighted anyway).

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


class HandOver(Exception):
    """The fast path declines a document; ``str()`` says why."""


# ---------------------------------------------------------------------------------
# raw items: what either parser read, before it becomes an Article


@dataclass(slots=True)
class RawText:
    """A text construct: ``kind`` is ``"html"`` or ``"text"``; ``base`` the xml:base."""

    value: str
    kind: str
    base: str = ""


@dataclass(slots=True)
class RawLink:
    href: str
    rel: str = "alternate"
    type: str = ""
    title: str = ""


@dataclass(slots=True)
class RawItem:
    title: RawText | None = None
    links: list[RawLink] = field(default_factory=list)
    fallback_link: str = ""  # a permalink guid / Atom id standing in for a missing link
    guid: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: RawText | None = None
    content: RawText | None = None


@dataclass(slots=True)
class RawFeed:
    title: RawText | None
    links: list[RawLink]
    items: list[RawItem]
    authors: list[str] = field(default_factory=list)
    version: str = ""
    warnings: list[str] = field(default_factory=list)
    ends_early: bool = False


# ---------------------------------------------------------------------------------
# entry point


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse feed bytes fetched from ``url``.

    Raises :class:`SourceError` (``url``, one-line reason) for what is not a feed: an
    empty body, an HTML page, JSON that is not a JSON Feed, garbage.  Never raises
    anything else.
    """
    try:
        return _parse_feed(data, url=url, content_type=content_type)
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(url, "feed too deeply nested to read") from None
    except MemoryError:
        raise SourceError(url, "feed too large to read") from None
    except Exception as exc:  # a parser bug must not take a refresh down
        raise SourceError(
            url, f"could not read feed ({type(exc).__name__}: {_one_line(exc)})"
        ) from None


def _parse_feed(data: bytes, *, url: str, content_type: str | None) -> ParsedFeed:
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
        return fast_parse(data, url=url, content_type=content_type)
    except HandOver as reason:
        parsed = reference_parse(data, url=url, content_type=content_type)
        parsed.handover = str(reason)
        return parsed


def fast_parse(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """The fast path alone; raises :class:`HandOver` for what it does not read."""
    raw = raw_fast(data, content_type=content_type)
    return build_feed(raw, url=url, parser="fast")


def reference_parse(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """feedparser alone (for any XML feed); :class:`SourceError` for what is not a feed."""
    _check_size(data, url)
    try:
        raw = raw_feedparser(data, url=url, content_type=content_type)
    except SourceError:
        charset = _content_type_parts(content_type)[1]
        if not charset:
            raise
        # A server that names the wrong charset: read the document by its own
        # declaration (or BOM, or UTF-8) instead, and say so.
        raw = raw_feedparser(data, url=url, content_type=None)
        raw.warnings.insert(0, f"ignored the HTTP charset {charset}: the document is not in it")
    return build_feed(raw, url=url, parser="feedparser")


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
# text helpers shared by both parsers

# feedparser maps C1 controls to the windows-1252 characters they were meant to be
_CP1252 = {
    i: bytes([i]).decode("cp1252", "ignore") or chr(i)
    for i in range(0x80, 0xA0)
    if bytes([i]).decode("cp1252", "ignore")
}
_WS = re.compile(r"\s+")
_TAGLIKE = re.compile(r"</?[A-Za-z][^>]*>")


def _one_line(exc: BaseException | str) -> str:
    return " ".join(str(exc).split())[:200]


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _fp_text(value: str) -> str:
    """What feedparser does to every element value (see ``_FeedParserMixin.pop``)."""
    value = value.strip()
    if not value.isascii():
        # undo UTF-8 read as ISO-8859-1 ("CafÃ©" → "Café"), as feedparser does
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            value = value.encode("iso-8859-1").decode("utf-8")
        value = value.translate(_CP1252)
    return value


def html_to_text(value: str) -> str:
    """Plain text of an HTML snippet (a title): tags dropped, entities decoded."""
    if "<" not in value:
        return _squash(htmllib.unescape(value)) if "&" in value else _squash(value)
    tree = LexborHTMLParser(value)
    body = tree.body
    if body is None:
        return _squash(htmllib.unescape(_TAGLIKE.sub(" ", value)))
    for node in body.css("script, style, template, noscript"):
        node.decompose()
    return _squash(body.text(deep=True))


def _text_value(text: RawText | None) -> str:
    if text is None or not text.value:
        return ""
    return html_to_text(text.value) if text.kind == "html" else _squash(text.value)


def _http_url(href: str, base: str = "") -> str:
    """``href`` resolved against ``base``, if it is http(s); else ``""``."""
    url = safe_url(href, base)
    return url if url.startswith(("http://", "https://")) else ""


def _absolute_base(base: str) -> str:
    return base if _http_url(base) else ""


_EMAIL = re.compile(r"<?(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")


def _author_name(author: str) -> str:
    """A byline from an RSS author field: ``"jo@example.com (Jo Bloggs)"`` and
    ``"Jo Bloggs <jo@example.com>"`` → ``"Jo Bloggs"``; a bare address → ``""``.

    (feedparser's own split cuts top-level domains to four letters, so both parsers
    go through this one.)
    """
    author = author.strip()
    if "@" not in author:
        return author
    name = _EMAIL.sub("", author).strip()
    name = name.replace("()", "").replace("<>", "").strip()
    if name.startswith("(") and name.endswith(")"):
        name = name[1:-1]
    return name.strip(" ,;")


# ---------------------------------------------------------------------------------
# dates

try:  # feedparser's own date parser: many formats, ~4 µs a date, and the same answer
    from feedparser.datetimes import _parse_date as _fp_parse_date
except ImportError:  # pragma: no cover - feedparser moved it
    _fp_parse_date = None


def _struct_to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_feed_date(text: str) -> datetime | None:
    """An RFC 822 / W3C-DTF / … date string → an aware UTC datetime (or ``None``)."""
    text = text.strip()
    if not text:
        return None
    if _fp_parse_date is not None:
        try:
            return _struct_to_datetime(_fp_parse_date(text))
        except Exception:  # feedparser's date handlers are many and old
            return None
    parsed = parse_datetime(text)  # pragma: no cover
    return parsed.astimezone(UTC).replace(microsecond=0) if parsed else None  # pragma: no cover


# ---------------------------------------------------------------------------------
# the fast path (lxml)

_ATOM = "http://www.w3.org/2005/Atom"
_XHTML = "http://www.w3.org/1999/xhtml"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_MEDIA = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


_A = {name: _q(_ATOM, name) for name in (
    "feed", "entry", "title", "link", "id", "published", "updated", "author", "name",
    "email", "uri", "category", "summary", "content", "contributor", "source", "rights",
    "subtitle",
)}  # fmt: skip

# Namespaces whose elements feedparser ignores (no handler): safe to skip.
_IGNORED_NAMESPACES = frozenset(
    {
        "http://wellformedweb.org/CommentAPI/",
        "http://purl.org/rss/1.0/modules/slash/",
        "http://rssnamespace.org/feedburner/ext/1.0",
        "http://purl.org/syndication/thread/1.0",
        "com-wordpress:feed-additions:1",
        "http://madskills.com/public/xml/rss/module/trackback/",
        "http://www.pheedo.com/namespace/pheedo",
        "http://search.yahoo.com/mrss/#",
        "http://www.w3.org/2003/01/geo/wgs84_pos#",
        "http://backend.userland.com/creativeCommonsRssModule",
        "http://www.google.com/schemas/reader/atom/",
        "http://purl.org/atompub/rank/1.0",
        "http://www.w3.org/2007/app",
    }
)
# Elements feedparser reads into fields we do not use (or not at all): safe to skip.
_RSS_ITEM_SKIP = frozenset(
    {"comments", "enclosure", "source", _q(_DCTERMS, "created")}
    | {_q(_DC, n) for n in ("language", "rights", "publisher", "contributor", "identifier",
                            "format", "type", "relation", "coverage", "source")}
    | {_q(m, n) for m in _MEDIA for n in ("thumbnail", "content", "player", "credit", "rating",
                                          "restriction", "license", "group", "text", "hash",
                                          "embed", "price", "status", "copyright", "community")}
)  # fmt: skip
_ATOM_ENTRY_SKIP = frozenset(
    {_A["contributor"], _A["source"], _A["rights"]}
    | {_q(_DC, n) for n in ("language", "rights", "publisher", "contributor", "identifier",
                            "format", "type", "relation", "coverage", "source")}
    | {_q(m, n) for m in _MEDIA for n in ("thumbnail", "content", "player", "credit", "rating",
                                          "restriction", "license", "group", "text", "hash",
                                          "embed", "price", "status", "copyright", "community")}
)  # fmt: skip
# media:group / media:content may hold these, which feedparser reads as title,
# summary/content or tags: hand over when they appear anywhere in the document.
_MEDIA_FIELDS = tuple(
    _q(m, n) for m in _MEDIA for n in ("title", "description", "category", "keywords")
)
_ITUNES_FIELDS = tuple(
    _q(ns, n)
    for ns in (
        "http://www.itunes.com/dtds/podcast-1.0.dtd",
        "http://example.com/DTDs/PodCast-1.0.dtd",
    )
    for n in ("summary", "subtitle", "author", "keywords", "category", "name", "email", "owner")
)

_LOCAL = threading.local()


def _xml_parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            strip_cdata=True,
            recover=False,
            collect_ids=False,
        )
        _LOCAL.parser = parser
    return parser


_XML_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def _content_type_parts(content_type: str | None) -> tuple[str, str]:
    if not content_type:
        return "", ""
    main, _, params = content_type.partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    return main.strip().lower(), charset


def _check_encoding(data: bytes, content_type: str | None) -> bytes:
    """Hand over unless the document is UTF-8 (or ASCII) by every account (RFC 3023)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00", b"\x00<", b"<\x00")):
        raise HandOver("UTF-16/32 document")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    match = (
        _XML_DECL.match(body.lstrip()[:200])
        if body[:1] in (b"<", b" ", b"\t", b"\r", b"\n")
        else None
    )
    declared = match.group(1).decode("ascii", "replace").strip().lower() if match else ""
    if declared and declared not in _UTF8_NAMES:
        raise HandOver(f"declared encoding {declared}")
    mime, charset = _content_type_parts(content_type)
    if charset:
        effective = charset
    elif mime.startswith("text/"):
        effective = "us-ascii"  # RFC 3023: text/* without a charset is US-ASCII
    else:
        effective = declared or "utf-8"
    if effective not in _UTF8_NAMES:
        raise HandOver(f"HTTP charset {effective}")
    if effective in ("us-ascii", "ascii") and not body.isascii():
        raise HandOver("non-ASCII bytes in a document served as US-ASCII")
    return data


def _root_start(data: bytes) -> int:
    """Offset of the root element's ``<`` (skipping declarations and comments)."""
    pos = 0
    size = len(data)
    while True:
        lt = data.find(b"<", pos)
        if lt < 0 or lt + 1 >= size:
            return -1
        nxt = data[lt + 1 : lt + 2]
        if nxt == b"?":
            end = data.find(b"?>", lt + 2)
            if end < 0:
                return -1
            pos = end + 2
        elif data.startswith(b"<!--", lt):
            end = data.find(b"-->", lt + 4)
            if end < 0:
                return -1
            pos = end + 3
        elif nxt == b"!":
            return -2  # a DOCTYPE (or worse) before the root element
        else:
            return lt


def raw_fast(data: bytes, *, content_type: str | None = None) -> RawFeed:
    """Read well-formed UTF-8 RSS 2.0 / Atom 1.0 with lxml; :class:`HandOver` otherwise."""
    data = bytes(data)
    _check_encoding(data, content_type)
    start = _root_start(data)
    if start == -2:  # lxml never sees a DOCTYPE (nor its entities)
        raise HandOver("document has a DOCTYPE")
    if start < 0:
        raise HandOver("no root element found")
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise HandOver(f"not well-formed XML ({_one_line(exc)})") from None
    except (ValueError, LookupError) as exc:
        raise HandOver(f"XML not readable by lxml ({_one_line(exc)})") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise HandOver("document has a DOCTYPE")
    bases: list[str] = [str(b) for b in root.xpath("//@xml:base")]
    for base in bases:
        if not _http_url(base) or urlsplit(base.strip()).scheme.lower() not in ("http", "https"):
            raise HandOver("relative or non-http xml:base")
    for tag in (*_MEDIA_FIELDS, *_ITUNES_FIELDS):
        if next(root.iter(tag), None) is not None:
            raise HandOver(f"{_short(tag)} element (feedparser reads it as a main field)")
    has_base = bool(bases)
    if root.tag == "rss":
        version = (root.get("version") or "").strip()
        if not version.startswith("2."):
            raise HandOver(f"RSS version {version or 'missing'}")
        return _FastRss(root, has_base).read()
    if root.tag == _A["feed"]:
        return _FastAtom(root, has_base).read()
    raise HandOver(f"root element <{_short(str(root.tag))}> (not RSS 2.0 or Atom 1.0)")


def _skippable(tag: str, known: frozenset[str]) -> bool:
    """An element feedparser ignores or reads into fields we do not use."""
    if tag in known:
        return True
    return tag.startswith("{") and tag[1:].partition("}")[0] in _IGNORED_NAMESPACES


def _short(tag: str) -> str:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return f"{ns.rstrip('/').rsplit('/', 1)[-1]}:{local}"
    return tag


def _leaf_text(el: etree._Element) -> str:
    """Text of an element that should hold only text; markup inside → hand over."""
    if len(el):
        raise HandOver(f"markup inside <{_short(str(el.tag))}>")
    return el.text or ""


def _base_of(el: etree._Element, has_base: bool) -> str:
    return (el.base or "") if has_base else ""


def _resolve(value: str, base: str, *, empty: bool = False) -> str:
    """Resolve as feedparser does (``_urljoin``): only when there is a base."""
    if not base or not (value or empty):
        return value
    try:
        return urljoin(base, re.sub(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)", r"\1\3", value))
    except ValueError:
        return ""


class _FastRss:
    def __init__(self, root: etree._Element, has_base: bool) -> None:
        self.root = root
        self.has_base = has_base

    def read(self) -> RawFeed:
        channels = self.root.findall("channel")
        if len(channels) != 1:
            raise HandOver(f"{len(channels)} <channel> elements")
        channel = channels[0]
        items = channel.findall("item")
        if sum(1 for _ in self.root.iter("item")) != len(items):
            raise HandOver("<item> outside the channel")
        if next(self.root.iter(_q(_XHTML, "body")), None) is not None:
            raise HandOver("xhtml:body content")
        title: RawText | None = None
        links: list[RawLink] = []
        for child in channel:
            tag = child.tag
            if tag == "title":
                if title is not None:
                    raise HandOver("two channel titles")
                value = _fp_text(_leaf_text(child))
                title = RawText(value, _rss_text_kind(value), _base_of(child, self.has_base))
            elif tag == "link":
                href = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", _fp_text(_leaf_text(child)))
                links.append(RawLink(_resolve(href, _base_of(child, self.has_base))))
            elif tag == _A["link"]:
                links.append(_atom_link(child, self.has_base))
            elif tag in (_q(_DC, "title"), _A["title"]):
                raise HandOver(f"channel <{_short(str(tag))}>")
        return RawFeed(title, links, [self._item(item) for item in items], version="rss20")

    def _item(self, item: etree._Element) -> RawItem:
        raw = RawItem()
        seen: set[str] = set()
        link_el: etree._Element | None = None
        guid_el: etree._Element | None = None
        for child in item:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in _RSS_SINGLE:
                if tag in seen:
                    raise HandOver(f"repeated <{_short(tag)}> in an item")
                seen.add(tag)
            if tag == "title":
                value = _fp_text(_leaf_text(child))
                raw.title = RawText(value, _rss_text_kind(value), _base_of(child, self.has_base))
            elif tag == "link":
                link_el = child
            elif tag == "guid":
                guid_el = child
            elif tag == "description":
                raw.summary = RawText(
                    _fp_text(_leaf_text(child)), "html", _base_of(child, self.has_base)
                )
            elif tag == _q(_CONTENT, "encoded"):
                raw.content = RawText(
                    _fp_text(_leaf_text(child)), "html", _base_of(child, self.has_base)
                )
            elif tag in ("pubDate", _q(_DCTERMS, "issued"), _A["published"]):
                if raw.published is not None or "published" in seen:
                    raise HandOver("two publication dates in an item")
                seen.add("published")
                raw.published = parse_feed_date(_fp_text(_leaf_text(child)))
            elif tag in (_q(_DC, "date"), _q(_DCTERMS, "modified"), _A["updated"]):
                if "updated" in seen:
                    raise HandOver("two update dates in an item")
                seen.add("updated")
                raw.updated = parse_feed_date(_fp_text(_leaf_text(child)))
            elif tag == "author" or tag == _q(_DC, "creator"):
                if "author" in seen:
                    raise HandOver("several authors in an item")
                seen.add("author")
                name = _author_name(_fp_text(_leaf_text(child)))
                if name:
                    raw.authors.append(name)
            elif tag == "category" or tag == _q(_DC, "subject"):
                term = _fp_text(_leaf_text(child))
                if term and term not in raw.tags:
                    raw.tags.append(term)
            elif tag == _A["link"]:
                raise HandOver("atom:link inside an RSS item")
            elif not _skippable(tag, _RSS_ITEM_SKIP):
                raise HandOver(f"item element <{_short(tag)}>")
        if link_el is not None:
            href = _fp_text(_leaf_text(link_el)).replace("&amp;", "&")
            href = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", href)
            href = _resolve(href, _base_of(link_el, self.has_base))
            if not href:  # feedparser's reading then depends on element order
                raise HandOver("empty <link> in an item")
            raw.links.append(RawLink(href))
        if guid_el is not None:
            flags = [v for k, v in guid_el.attrib.items() if str(k).lower() == "ispermalink"]
            if len(flags) > 1:
                raise HandOver("two isPermaLink attributes")
            permalink = flags[0] if flags else "true"
            value = _fp_text(_leaf_text(guid_el))
            if permalink == "true":
                value = _resolve(value, _base_of(guid_el, self.has_base))
                raw.fallback_link = value
            raw.guid = value
        return raw


_RSS_SINGLE = frozenset({"title", "link", "guid", "description", _q(_CONTENT, "encoded")})


def _rss_text_kind(value: str) -> str:
    """feedparser's guess for RSS "text" elements: HTML when it looks like HTML."""
    return "html" if _looks_like_html(value) else "text"


try:
    from feedparser.sanitizer import _HTMLSanitizer

    _ACCEPTABLE_ELEMENTS = frozenset(_HTMLSanitizer.acceptable_elements)
except ImportError:  # pragma: no cover
    _ACCEPTABLE_ELEMENTS = frozenset(
        "a abbr acronym address area article aside audio b big blockquote br button canvas"
        " caption center cite code col colgroup command datagrid datalist dd del details dfn"
        " dialog dir div dl dt em event-source fieldset figcaption figure font footer form h1"
        " h2 h3 h4 h5 h6 header hr i img input ins kbd keygen label legend li m map menu meter"
        " multicol nav nextid noscript ol optgroup option output p pre progress q s samp"
        " section select small sound source spacer span strike strong sub sup table tbody td"
        " textarea tfoot th thead time tr tt u ul var video".split()
    )
_CLOSE_TAG = re.compile(r"</(\w+)>")
_ENTITY = re.compile(r"&#?\w+;")
_ANY_TAG = re.compile(r"</?(\w+)")
_NAMED_ENTITY = re.compile(r"&(\w+);")


def _looks_like_html(value: str) -> bool:
    if not (_CLOSE_TAG.search(value) or _ENTITY.search(value)):
        return False
    if any(t.lower() not in _ACCEPTABLE_ELEMENTS for t in _ANY_TAG.findall(value)):
        return False
    return all(e in html.entities.entitydefs for e in _NAMED_ENTITY.findall(value))


class _FastAtom:
    def __init__(self, root: etree._Element, has_base: bool) -> None:
        self.root = root
        self.has_base = has_base

    def read(self) -> RawFeed:
        entries = self.root.findall(_A["entry"])
        if sum(1 for _ in self.root.iter(_A["entry"])) != len(entries):
            raise HandOver("nested <entry>")
        title: RawText | None = None
        links: list[RawLink] = []
        authors: list[str] = []
        for child in self.root:
            tag = child.tag
            if tag == _A["title"]:
                if title is not None:
                    raise HandOver("two feed titles")
                title = self._text(child)
            elif tag == _A["link"]:
                links.append(_atom_link(child, self.has_base))
            elif tag == _A["author"]:
                authors.extend(self._authors(child))
        items = [self._entry(entry) for entry in entries]
        return RawFeed(title, links, items, authors=authors, version="atom10")

    def _text(self, el: etree._Element) -> RawText:
        kind = (el.get("type") or "text").strip().lower()
        base = _base_of(el, self.has_base)
        if el.get("src"):
            raise HandOver("out-of-line content (src=)")
        if kind in ("text", "text/plain"):
            return RawText(_fp_text(_leaf_text(el)), "text", base)
        if kind in ("html", "text/html"):
            return RawText(_fp_text(_leaf_text(el)), "html", base)
        if kind in ("xhtml", "application/xhtml+xml"):
            return RawText(_fp_text(_xhtml_inner(el)), "html", base)
        raise HandOver(f"Atom text of type {kind!r}")

    def _authors(self, el: etree._Element) -> list[str]:
        name = ""
        for child in el:
            if child.tag == _A["name"]:
                name = _leaf_text(child).strip()  # feedparser leaves names as they are
            elif child.tag in (_A["email"], _A["uri"]):
                _leaf_text(child)
            elif isinstance(child.tag, str):
                raise HandOver(f"author element <{_short(child.tag)}>")
        return [name] if name else []

    def _entry(self, entry: etree._Element) -> RawItem:
        raw = RawItem()
        seen: set[str] = set()
        for child in entry:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in _ATOM_SINGLE:
                if tag in seen:
                    raise HandOver(f"repeated <{_short(tag)}> in an entry")
                seen.add(tag)
            if tag == _A["title"]:
                raw.title = self._text(child)
            elif tag == _A["link"]:
                raw.links.append(_atom_link(child, self.has_base))
            elif tag == _A["id"]:
                value = _resolve(_fp_text(_leaf_text(child)), _base_of(child, self.has_base))
                raw.guid = value  # (feedparser also takes it as the link; we do not)
            elif tag == _A["published"]:
                raw.published = parse_feed_date(_fp_text(_leaf_text(child)))
            elif tag == _A["updated"]:
                raw.updated = parse_feed_date(_fp_text(_leaf_text(child)))
            elif tag == _A["author"]:
                raw.authors.extend(self._authors(child))
            elif tag == _A["category"]:
                if len(child):
                    raise HandOver("markup inside <category>")
                term = child.get("term")
                if term is None or (child.text or "").strip():
                    raise HandOver("category without a term attribute")
                term = term.strip()
                if term and term not in raw.tags:
                    raw.tags.append(term)
            elif tag == _A["summary"]:
                raw.summary = self._text(child)
            elif tag == _A["content"]:
                raw.content = self._text(child)
            elif not _skippable(tag, _ATOM_ENTRY_SKIP):
                raise HandOver(f"entry element <{_short(tag)}>")
        return raw


_ATOM_SINGLE = frozenset(
    {_A["title"], _A["id"], _A["published"], _A["updated"], _A["summary"], _A["content"]}
)


def _atom_link(el: etree._Element, has_base: bool) -> RawLink:
    href = el.get("href")
    if href is None or len(el) or (el.text or "").strip():
        raise HandOver("atom:link without href")
    rel = el.get("rel", "alternate")
    ltype = el.get("type", "application/atom+xml" if rel == "self" else "text/html")
    # feedparser resolves hrefs even when empty; attributes are taken as they are
    return RawLink(
        _resolve(href, _base_of(el, has_base), empty=True), rel, ltype, el.get("title", "")
    )


def _xhtml_inner(el: etree._Element) -> str:
    """The HTML inside Atom ``type="xhtml"`` content (its one wrapping ``<div>``)."""
    children = [c for c in el if isinstance(c.tag, str)]
    if (el.text or "").strip() or len(children) != 1 or children[0].tag != _q(_XHTML, "div"):
        raise HandOver("xhtml content not wrapped in one xhtml:div")
    div = children[0]
    if (div.tail or "").strip():
        raise HandOver("text after the xhtml:div")
    copy = etree.fromstring(etree.tostring(div))
    for node in copy.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            node.tag = node.tag.partition("}")[2]
        for name in [n for n in node.attrib if n.startswith("{")]:
            del node.attrib[name]
    etree.cleanup_namespaces(copy)
    parts = [htmllib.escape(copy.text or "", quote=False)]
    for child in copy:
        parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=True))
    return "".join(parts)


# ---------------------------------------------------------------------------------
# feedparser


_SAFE_ENTITY = re.compile(rb'<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|\'([^\']*)\')\s*>')
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")
_NAME_END = re.compile(rb"[\s\[>]")


class UnsafeDoctype(Exception):
    """A DOCTYPE that cannot be read safely; ``str()`` says why."""


def _valid_char_ref(ref: bytes) -> bool:
    """``&#…;`` names a character XML allows (not NUL, not a surrogate, in range)."""
    value = int(ref[1:], 16) if ref[:1] in (b"x", b"X") else int(ref)
    return value in (0x9, 0xA, 0xD) or 0x20 <= value <= 0xD7FF or 0xE000 <= value <= 0x10FFFF


def neutralise_char_refs(data: bytes) -> bytes:
    """Character references to what is not a character (a lone surrogate, NUL, past
    U+10FFFF) → ``&#xFFFD;``: feedparser's lenient parser would fail on the whole feed."""
    if b"&#" not in data:
        return data
    return _CHAR_REF.sub(lambda m: m.group(0) if _valid_char_ref(m.group(1)) else b"&#xFFFD;", data)


def _keep_entity(decl: bytes) -> bytes | None:
    """A general entity whose expansion is never longer than its reference
    (``&name;``): one valid character reference, or a plain literal no longer than
    the reference.  ``None`` for every other declaration."""
    match = _SAFE_ENTITY.fullmatch(decl)
    if match is None:
        return None
    name = match.group(1)
    value = match.group(2) if match.group(2) is not None else match.group(3)
    if value.startswith(b"&#") and value.endswith(b";") and value.count(b"&") == 1:
        ref = value[2:-1]
        if _CHAR_REF.fullmatch(value) and _valid_char_ref(ref):
            return b'<!ENTITY %b "%b">' % (name, value)
        return None
    if any(c in value for c in b"&%<>\"'") or len(value) > len(name) + 2:
        return None
    return b'<!ENTITY %b "%b">' % (name, value)


def _skip_quoted(data: bytes, i: int) -> int:
    """Past the string literal starting at ``data[i]`` (a quote)."""
    end = data.find(data[i : i + 1], i + 1)
    if end < 0:
        raise UnsafeDoctype("unterminated string in the DOCTYPE")
    return end + 1


def _skip_past(data: bytes, i: int, token: bytes, what: str) -> int:
    end = data.find(token, i)
    if end < 0:
        raise UnsafeDoctype(f"unterminated {what}")
    return end + len(token)


def _markup_decl_end(data: bytes, i: int) -> int:
    """Past the ``>`` ending the declaration at ``data[i]`` (quotes honoured)."""
    size = len(data)
    while i < size:
        ch = data[i]
        if ch in b"\"'":
            i = _skip_quoted(data, i)
        elif ch == 0x3E:  # >
            return i + 1
        else:
            i += 1
    raise UnsafeDoctype("unterminated declaration in the DOCTYPE")


def _internal_subset(data: bytes, i: int) -> tuple[list[bytes], int]:
    """The declarations kept from the internal subset starting after its ``[`` at
    ``i``, and the offset past its ``]``."""
    kept: list[bytes] = []
    size = len(data)
    while i < size:
        ch = data[i]
        if ch in b" \t\r\n":
            i += 1
        elif ch == 0x5D:  # ]
            return kept, i + 1
        elif data.startswith(b"<!--", i):
            i = _skip_past(data, i + 4, b"-->", "comment in the DOCTYPE")
        elif data.startswith(b"<?", i):
            i = _skip_past(data, i + 2, b"?>", "processing instruction in the DOCTYPE")
        elif data.startswith(b"<!", i):
            end = _markup_decl_end(data, i + 2)
            decl = _keep_entity(data[i:end]) if data.startswith(b"<!ENTITY", i) else None
            if decl is not None:
                kept.append(decl)
            i = end
        elif ch == 0x25:  # %name; a parameter-entity reference: dropped
            i = _skip_past(data, i + 1, b";", "parameter-entity reference")
        else:
            raise UnsafeDoctype("unreadable internal subset in the DOCTYPE")
    raise UnsafeDoctype("unterminated internal subset in the DOCTYPE")


def defuse_doctype(data: bytes) -> bytes:
    """The document with its DOCTYPE's internal subset reduced to entities that cannot
    amplify; :class:`UnsafeDoctype` when the prolog cannot be read.

    The prolog is scanned as an XML parser reads it — an optional BOM, white space,
    processing instructions and comments (whatever they contain), then the DOCTYPE —
    so a DOCTYPE after a comment or a processing instruction is found.  Of its internal
    subset only general entities whose expansion is no longer than their reference
    are kept (one character reference, or a literal as short as ``&name;``): no long
    literal, no nesting, no parameter entity, no external entity, nothing for an
    ``<!ELEMENT>``/``<!ATTLIST>``; each kept one starts a line, where feedparser looks
    for them.  The external identifier is kept (feedparser reads the RSS version from
    it) and is never loaded.  Works on any ASCII-compatible encoding (feedparser hands
    its UTF-8 conversion of UTF-16 documents here, see :func:`raw_feedparser`).
    """
    if b"<!" not in data:
        return data
    size = len(data)
    i = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while i < size:
        ch = data[i]
        if ch in b" \t\r\n":
            i += 1
        elif data.startswith(b"<?", i):
            i = _skip_past(data, i + 2, b"?>", "processing instruction")
        elif data.startswith(b"<!--", i):
            i = _skip_past(data, i + 4, b"-->", "comment")
        elif data.startswith(b"<!DOCTYPE", i) or data[i : i + 9].upper() == b"<!DOCTYPE":
            j = i + 9
            while j < size and data[j] not in b"[>":
                j = _skip_quoted(data, j) if data[j] in b"\"'" else j + 1
            if j >= size:
                raise UnsafeDoctype("unterminated DOCTYPE")
            if data[j] == 0x3E:  # > : no internal subset
                return data
            kept, k = _internal_subset(data, j + 1)
            while k < size and data[k] in b" \t\r\n":
                k += 1
            if not data.startswith(b">", k):
                raise UnsafeDoctype("DOCTYPE not closed after its internal subset")
            subset = b"".join(b"\n" + decl for decl in kept)
            return data[:i] + b"\n" + data[i:j] + b"[" + subset + b"\n]>" + data[k + 1 :]
        else:
            return data  # the root element (or something no parser will take as a prolog)
    return data


def _guarded_replace_doctype(original: Any) -> Any:
    """feedparser's own DOCTYPE step, run after :func:`defuse_doctype` and
    :func:`neutralise_char_refs` on the UTF-8 feedparser made of the document."""

    def replace_doctype(data: bytes) -> Any:
        return original(neutralise_char_refs(defuse_doctype(data)))

    replace_doctype.briefreader_guard = True  # type: ignore[attr-defined]
    return replace_doctype


def _guard_feedparser() -> bool:
    """Make feedparser defuse every document it parses *after* converting it to UTF-8
    (so UTF-16 and other encodings are covered).  False if its internals moved."""
    try:
        import feedparser.api as fp_api
    except ImportError:  # pragma: no cover
        return False
    current = getattr(fp_api, "replace_doctype", None)
    if current is None:  # pragma: no cover - feedparser changed
        return False
    if not getattr(current, "briefreader_guard", False):
        fp_api.replace_doctype = _guarded_replace_doctype(current)
    return True


def raw_feedparser(data: bytes, *, url: str, content_type: str | None = None) -> RawFeed:
    """Read any XML feed with feedparser (from memory); :class:`SourceError` if not a feed."""
    import feedparser

    headers = {"content-type": content_type} if content_type else None
    data = bytes(data)
    try:
        if not _guard_feedparser() and b"<!ENTITY" in data:
            raise UnsafeDoctype("entity declarations (not read without a guard)")
        data = neutralise_char_refs(defuse_doctype(data))
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")
            result = feedparser.parse(
                # a stream: feedparser never opens a URL or a path
                io.BytesIO(data),
                response_headers=headers,
                resolve_relative_uris=False,  # html_to_markdown resolves links itself
                sanitize_html=False,  # nh3 does it, ~2× faster
            )
    except UnsafeDoctype as unsafe:
        raise SourceError(url, f"refused: {unsafe}") from None
    version = str(result.get("version") or "")
    feed = result.get("feed") or {}
    entries = result.get("entries") or []
    warn: list[str] = []
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        name = type(exc).__name__ if exc is not None else "error"
        if name == "CharacterEncodingOverride":
            warn.append(f"encoding: {_one_line(exc or '')}")
        elif name == "NonXMLContentType":
            warn.append(f"served as {content_type or 'no content type'}; read anyway")
        else:
            warn.append(f"malformed feed, read leniently ({_one_line(exc or name)})")
    if not version and not entries and not (feed.get("title") or feed.get("link")):
        reason = "not a feed (no RSS, Atom or JSON Feed found)"
        if result.get("bozo"):
            reason = f"not a feed ({_one_line(result.get('bozo_exception') or 'unreadable')})"
        raise SourceError(url, reason)
    atom = version.startswith("atom")
    items = [_raw_fp_entry(entry, atom) for entry in entries]
    ends_early = bool(result.get("bozo")) and _ends_early(data)
    # Atom's feed-level author stands for entries without one; RSS has no such rule
    # (its managingEditor is an address, not a byline).
    authors = _fp_authors(feed) if atom else []
    return RawFeed(
        _fp_detail(feed.get("title_detail"), feed.get("title")),
        _fp_links(feed),
        items,
        authors=authors,
        version=version or "unknown",
        warnings=warn,
        ends_early=ends_early,
    )


_UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00", b"\x00<", b"<\x00")
# The end of a complete XML document: an end tag (or an empty root), then only
# white space, comments and processing instructions.
_DOCUMENT_END = re.compile(
    rb"(?:</[^<>\s]+\s*>|/>)\s*(?:<!--(?:(?!-->).)*-->\s*|<\?(?:(?!\?>).)*\?>\s*)*\Z",
    re.DOTALL,
)


def _ends_early(data: bytes) -> bool:
    """Whether XML bytes stop before the document's end (a body cut short)."""
    if data.startswith(_UTF16_OR_32):
        return False  # (not worth decoding for; the check is a courtesy)
    return _DOCUMENT_END.search(data[-4096:].rstrip()) is None


def _fp_detail(detail: Any, fallback: Any = None) -> RawText | None:
    if isinstance(detail, Mapping):
        value = detail.get("value")
        if not isinstance(value, str):
            return None
        kind = _kind_of(str(detail.get("type") or ""))
        if kind is None:
            return None
        return RawText(value, kind, str(detail.get("base") or ""))
    if isinstance(fallback, str) and fallback:
        return RawText(fallback, "text")
    return None


def _kind_of(mime: str) -> str | None:
    mime = mime.lower()
    if mime in ("text/html", "application/xhtml+xml", "html", "xhtml"):
        return "html"
    if mime in ("text/plain", "text", ""):
        return "text"
    if mime.endswith(("+xml", "/xml")):
        return "html"
    if mime.startswith("text/"):
        return "text"
    return None  # base64 images and the like


def _fp_authors(ctx: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    authors = ctx.get("authors")
    if isinstance(authors, list):
        for author in authors:
            if isinstance(author, Mapping):
                name = author.get("name")
                if isinstance(name, str) and name.strip() and name.strip() not in names:
                    names.append(name.strip())
    if not names:
        detail = ctx.get("author_detail")
        if isinstance(detail, Mapping) and isinstance(detail.get("name"), str):
            names.append(detail["name"].strip())
    return [n for n in names if n]


def _fp_links(ctx: Mapping[str, Any]) -> list[RawLink]:
    links = []
    for link in ctx.get("links") or []:
        if isinstance(link, Mapping) and isinstance(link.get("href"), str):
            links.append(
                RawLink(
                    link["href"],
                    str(link.get("rel") or "alternate"),
                    str(link.get("type") or ""),
                    str(link.get("title") or ""),
                )
            )
    return links


def _raw_get(entry: Mapping[str, Any], key: str) -> Any:
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _raw_fp_entry(entry: Mapping[str, Any], atom: bool) -> RawItem:
    links = _fp_links(entry)
    content = None
    contents = [c for c in entry.get("content") or [] if isinstance(c, Mapping)]
    for candidate in contents:  # the first readable one, in document order
        content = _fp_detail(candidate)
        if content is not None:
            break
    if atom:
        authors = _fp_authors(entry)
    else:  # RSS: the author field as written (see _author_name)
        raw_author = entry.get("author")
        name = _author_name(raw_author) if isinstance(raw_author, str) else ""
        authors = [name] if name else []
    tags = []
    for tag in entry.get("tags") or []:
        if isinstance(tag, Mapping):
            term = tag.get("term")  # (a label alone is not a tag, as on the fast path)
            if isinstance(term, str) and term.strip() and term.strip() not in tags:
                tags.append(term.strip())
    guid = entry.get("id")
    # feedparser takes a permalink guid (RSS) or an id (Atom) as the link when there is
    # no <link>; we take only RSS permalink guids (Atom ids are often tag: URIs)
    link = entry.get("id") if entry.get("guidislink") and not atom else ""
    return RawItem(
        title=_fp_detail(entry.get("title_detail"), entry.get("title")),
        links=links,
        fallback_link=link if isinstance(link, str) else "",
        guid=guid.strip() if isinstance(guid, str) else "",
        # dict.get: FeedParserDict.get would map a missing updated_parsed to
        # published_parsed, with a deprecation warning
        published=_struct_to_datetime(_raw_get(entry, "published_parsed")),
        updated=_struct_to_datetime(_raw_get(entry, "updated_parsed")),
        authors=authors,
        tags=tags,
        summary=_fp_detail(entry.get("summary_detail"), entry.get("summary")),
        content=content,
    )


# ---------------------------------------------------------------------------------
# raw items → Articles


def _cleaner() -> nh3.Cleaner:
    attributes = {
        tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag not in _NO_TAGS
    }
    attributes["*"] = {"class", "id", "hidden", "title"}
    return nh3.Cleaner(
        tags=set(nh3.ALLOWED_TAGS) - _NO_TAGS,
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


_NO_TAGS = frozenset({"img", "map", "area"})  # images are not shown in a terminal
_DROP_WITH_CONTENT = frozenset(
    "script style iframe object embed applet noscript noembed noframes template svg math"
    " form textarea select button title head frameset frame".split()
)
_CLEANER: nh3.Cleaner | None = None
_CLEANER_LOCK = threading.Lock()


def sanitize_html(html: str) -> str:
    """Safe HTML: no script/style/iframe/object/embed/form, no ``on*``/``style``
    attributes, links only http(s)/mailto, no images.  (Relative links are kept;
    the Markdown conversion resolves them.)"""
    global _CLEANER
    cleaner = _CLEANER
    if cleaner is None:
        with _CLEANER_LOCK:
            cleaner = _CLEANER = _CLEANER or _cleaner()
    return str(cleaner.clean(html))


# Words without which extract_brief_parts finds neither takeaways nor an analysis (a
# superset of its heading and class patterns, entity-encoded spellings included).
# Substring tests on the lower-cased HTML: ~10 µs for 3 KB, where one case-insensitive
# alternation regex took ~140 µs.
_BRIEF_WORDS = (
    "takeaway",
    "points",
    "facts",
    "findings",
    "highlight",
    "glance",
    "brief",
    "analysis",
    "editor",
    "matters",
    "bottom",
)
_TLDR = re.compile(r"tl[^a-z]{0,8}dr")
_OUR_TAKE = re.compile(r"our[^a-z]{1,8}take")


def _may_have_brief_parts(html: str) -> bool:
    low = html.lower()
    if any(word in low for word in _BRIEF_WORDS):
        return True
    if "dr" in low and _TLDR.search(low):
        return True
    return "take" in low and _OUR_TAKE.search(low) is not None


def html_to_brief(html: str, base_url: str = "") -> tuple[str, list[str], Analysis | None]:
    """:func:`extract_brief_parts`, skipping its search when no heading could match
    (same result; a third cheaper for the many items without a brief's parts)."""
    if not _may_have_brief_parts(html):
        return html_to_markdown(html, base_url), [], None
    return extract_brief_parts(html, base_url)


def _plain_to_html(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "".join(
        "<p>" + htmllib.escape(p.strip(), quote=False).replace("\n", "<br>") + "</p>"
        for p in paragraphs
        if p.strip()
    )


def _as_html(text: RawText) -> str:
    return text.value if text.kind == "html" else _plain_to_html(text.value)


_MD_LINK = re.compile(r"!?\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)")
_MD_LEAD = re.compile(r"^(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)+")


def _markdown_to_plain(block: str) -> str:
    text = _MD_LINK.sub(lambda m: m.group(1).replace("\\[", "[").replace("\\]", "]"), block)
    lines = [_MD_LEAD.sub("", line).strip() for line in text.split("\n")]
    return _squash(" ".join(line for line in lines if line and not line.startswith("```")))


def _shorten(text: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    for end in (". ", "! ", "? "):
        pos = cut.rfind(end)
        if pos >= limit // 2:
            return cut[: pos + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(",;:—– ") + "…"


def _first_paragraph(markdown: str) -> str:
    for block in markdown.split("\n\n"):
        stripped = block.lstrip()
        if not stripped or stripped.startswith(("#", "```", "- ", "* ", "|")):
            continue
        if re.match(r"\d+\.\s", stripped):
            continue
        plain = _markdown_to_plain(block)
        if len(plain) >= 2:
            return _shorten(plain)
    return ""


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
    key = "item:" + feed_url + "\x00" + _squash(title).casefold() + "\x00" + day
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _pick_link(links: list[RawLink], fallback: str, feed_url: str) -> str:
    """The first http(s) ``alternate`` link; the fallback only when there is none at all
    (``gemini:`` and ``gopher:`` alternates are skipped, never opened)."""
    alternates = [link for link in links if link.rel == "alternate"]
    for link in alternates:
        if url := _http_url(link.href, feed_url):
            return url
    return _http_url(fallback, feed_url) if fallback and not alternates else ""


def _fallback_title(summary: str, body: str, link: str) -> str:
    text = summary or _first_paragraph(body)
    if text:
        return _shorten(text, 80)
    if link:
        parts = urlsplit(link)
        return (parts.netloc + parts.path).rstrip("/")[:80]
    return "(untitled)"


@dataclass(slots=True)
class _FeedInfo:
    url: str
    title: str
    authors: str


def build_feed(raw: RawFeed, *, url: str, parser: ParserName) -> ParsedFeed:
    """Turn what a parser read into a :class:`ParsedFeed` of clean Articles."""
    title = clean_line(_text_value(raw.title))
    site = clean_line(_pick_link(raw.links, "", url))
    warn = [clean_line(f"{url}: {w}") for w in raw.warnings]
    if not title:
        title = clean_line(urlsplit(site or url).netloc or url)
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
            article = _article(item, info, link)
        except (ValueError, TypeError, RecursionError) as exc:
            skipped += 1
            warn.append(f"{url}: item skipped ({_one_line(exc)})")
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


def _article(raw: RawItem, feed: _FeedInfo, link: str) -> Article | None:
    title = _text_value(raw.title)
    main = raw.content or raw.summary
    separate_summary = (
        raw.summary is not None
        and raw.content is not None
        and _squash(raw.summary.value) != _squash(raw.content.value)
        and bool(raw.summary.value.strip())
    )
    body, analysis = "", None
    takeaways: list[str] = []
    if main is not None and main.value.strip():
        base = _absolute_base(main.base) or link or feed.url
        body, takeaways, analysis = html_to_brief(sanitize_html(_as_html(main)), base)
    summary = ""
    if separate_summary and raw.summary is not None:
        base = _absolute_base(raw.summary.base) or link or feed.url
        md = html_to_markdown(sanitize_html(_as_html(raw.summary)), base)
        summary = _shorten(_markdown_to_plain(md.replace("\n\n", " ")))
    if not summary:
        summary = _first_paragraph(body)
    if not (title or body or summary or link):
        return None
    published = raw.published or raw.updated
    guid = raw.guid.strip()
    if not title:
        title = _fallback_title(summary, body, link)
    derived = False
    related = tuple(
        RelatedLink(title=_squash(lk.title) or url, url=url)
        for lk in raw.links
        if lk.rel == "related" and (url := _http_url(lk.href, feed.url)) and url != link
    )
    article = Article(
        id=feed_item_id(feed.url, guid, link, title, published),
        title=title,
        summary=summary,
        url=link,
        source=feed.title,
        author=", ".join(dict.fromkeys(raw.authors)) or feed.authors,
        published=published,
        takeaways=tuple(takeaways),
        takeaways_derived=derived,
        analysis=analysis,
        body=body,
        tags=tuple(raw.tags),
        related=tuple(dict.fromkeys(related)),
        origin=feed.url,
    )
    return clean_article(article)


# ---------------------------------------------------------------------------------
# JSON Feed


def _parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    from briefreader.sources.jsonfile import parse_json_feed, replace_json_surrogates

    decoded = decode_bytes(bytes(data), url)
    try:
        obj = json.loads(decoded.text)
    except RecursionError:
        raise SourceError(url, "JSON too deeply nested to read") from None
    except ValueError as exc:
        raise SourceError(url, f"invalid JSON ({_one_line(exc)})") from None
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
    site = _http_url(home or "", url)
    feed_title = clean_line(title or "") or clean_line(urlsplit(site or url).netloc or url)
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
    summary = _shorten(_squash(article.summary)) if article.summary else ""
    if not summary:
        summary = _first_paragraph(article.body)
    title = article.title or _fallback_title(summary, article.body, link)
    takeaways, derived = article.takeaways, article.takeaways_derived
    published = article.published.astimezone(UTC) if article.published else None
    return clean_article(
        article.with_changes(
            id=feed_item_id(url, guid, link, title, published),
            published=published,
            url=link,
            title=title,
            summary=summary,
            takeaways=takeaways,
            takeaways_derived=derived,
            origin=url,
        )
    )
