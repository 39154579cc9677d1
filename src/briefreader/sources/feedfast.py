"""The fast path: lxml reads well-formed UTF-8 RSS 2.0 / Atom 1.0 into raw items.

It does not guess: whenever the document holds something whose reading feedparser
defines differently from a plain reading of the XML (a DOCTYPE, a relative
``xml:base``, an element feedparser maps onto a field we use, a repeated element,
markup where text is expected, an unusual content type, an encoding other than
UTF-8 …) it hands over (raises :class:`~briefreader.sources.feedraw.HandOver`) to
feedparser (:mod:`~briefreader.sources.feedreference`).  lxml never sees a
DOCTYPE, and parses with entity resolution and network access off.
"""

from __future__ import annotations

import html as htmllib
import html.entities
import re
from collections.abc import Callable, Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree

from briefreader.sources.feedraw import (
    HandOver,
    RawFeed,
    RawItem,
    RawLink,
    RawText,
    author_name,
    content_type_parts,
    fp_text,
    fp_text_no_c1,
    http_url,
    may_hold_c1,
    one_line,
    parse_feed_date,
)
from briefreader.sources.media import media_from_element
from briefreader.sources.vocabulary import safe_xml_parser

__all__ = ["raw_fast"]

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
_DC_MEDIA_SKIP = frozenset(
    {_q(_DC, n) for n in ("language", "rights", "publisher", "contributor", "identifier",
                          "format", "type", "relation", "coverage", "source")}
    | {_q(m, n) for m in _MEDIA for n in ("thumbnail", "content", "player", "credit", "rating",
                                          "restriction", "license", "group", "text", "hash",
                                          "embed", "price", "status", "copyright", "community")}
)  # fmt: skip
# (read apart from the fields, by sources/media.py)
_ITUNES_DURATION = _q("http://www.itunes.com/dtds/podcast-1.0.dtd", "duration")
_RSS_ITEM_SKIP = _DC_MEDIA_SKIP | {
    "comments", "enclosure", "source", _q(_DCTERMS, "created"), _ITUNES_DURATION
}  # fmt: skip
_ATOM_ENTRY_SKIP = _DC_MEDIA_SKIP | {
    _A["contributor"], _A["source"], _A["rights"], _ITUNES_DURATION
}  # fmt: skip
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


_XML_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


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
    mime, charset = content_type_parts(content_type)
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
        root = etree.fromstring(data, safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise HandOver(f"not well-formed XML ({one_line(exc)})") from None
    except (ValueError, LookupError) as exc:
        raise HandOver(f"XML not readable by lxml ({one_line(exc)})") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise HandOver("document has a DOCTYPE")
    bases: list[str] = [str(b) for b in root.xpath("//@xml:base")]
    for base in bases:
        if not http_url(base) or urlsplit(base.strip()).scheme.lower() not in ("http", "https"):
            raise HandOver("relative or non-http xml:base")
    for tag in (*_MEDIA_FIELDS, *_ITUNES_FIELDS):
        if next(root.iter(tag), None) is not None:
            raise HandOver(f"{_short(tag)} element (feedparser reads it as a main field)")
    has_base = bool(bases)
    fp = fp_text if may_hold_c1(data) else fp_text_no_c1
    if root.tag == "rss":
        version = (root.get("version") or "").strip()
        if not version.startswith("2."):
            raise HandOver(f"RSS version {version or 'missing'}")
        return _FastRss(root, has_base, fp).read()
    if root.tag == _A["feed"]:
        return _FastAtom(root, has_base, fp).read()
    raise HandOver(f"root element <{_short(str(root.tag))}> (not RSS 2.0 or Atom 1.0)")


_MEDIA_PREFIXES = tuple("{" + ns + "}" for ns in _MEDIA)


def _may_be_media(tag: str) -> bool:
    """Whether an item's child is one :func:`media_from_element` reads (a Media RSS
    element, an itunes:duration; an RSS enclosure is told apart by the caller):
    items with none have no media, and are not walked again for them."""
    return tag.startswith(_MEDIA_PREFIXES) or tag == _ITUNES_DURATION


def _skippable(tag: str, known: frozenset[str]) -> bool:
    """An element feedparser ignores or reads into fields we do not use."""
    if tag in known:
        return True
    return tag.startswith("{") and tag[1:].partition("}")[0] in _IGNORED_NAMESPACES


def _children(
    el: etree._Element, single: frozenset[str], seen: set[str], where: str
) -> Iterator[tuple[str, etree._Element]]:
    """The element children of an item or entry with their tags; :class:`HandOver`
    when one that may appear only once repeats (``seen`` collects them)."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in single:
            if tag in seen:
                raise HandOver(f"repeated <{_short(tag)}> in {where}")
            seen.add(tag)
        yield tag, child


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


class _FastReader:
    """What both fast readers hold: the document's root, whether any element sets
    xml:base, and the text cleaner."""

    def __init__(
        self, root: etree._Element, has_base: bool, fp: Callable[[str], str] = fp_text
    ) -> None:
        self.root = root
        self.has_base = has_base
        self.fp = fp  # fp_text, or fp_text_no_c1 when the document can hold no C1


class _FastRss(_FastReader):
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
                value = self.fp(_leaf_text(child))
                title = RawText(value, _rss_text_kind(value), _base_of(child, self.has_base))
            elif tag == "link":
                href = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", self.fp(_leaf_text(child)))
                links.append(RawLink(_resolve(href, _base_of(child, self.has_base))))
            elif tag == _A["link"]:
                links.append(_atom_link(child, self.has_base))
            elif tag in _CHANNEL_OTHER_TITLES:
                raise HandOver(f"channel <{_short(str(tag))}>")
        return RawFeed(title, links, [self._item(item) for item in items], version="rss20")

    def _item(self, item: etree._Element) -> RawItem:
        raw = RawItem()
        seen: set[str] = set()
        link_el: etree._Element | None = None
        guid_el: etree._Element | None = None
        media = False  # whether a child may be read by media_from_element
        for tag, child in _children(item, _RSS_SINGLE, seen, "an item"):
            if tag == "title":
                value = self.fp(_leaf_text(child))
                raw.title = RawText(value, _rss_text_kind(value), _base_of(child, self.has_base))
            elif tag == "link":
                link_el = child
            elif tag == "guid":
                guid_el = child
            elif tag == "description":
                raw.summary = RawText(
                    self.fp(_leaf_text(child)), "html", _base_of(child, self.has_base)
                )
            elif tag == _CONTENT_ENCODED:
                raw.content = RawText(
                    self.fp(_leaf_text(child)), "html", _base_of(child, self.has_base)
                )
            elif tag in _RSS_PUBLISHED:
                if raw.published is not None or "published" in seen:
                    raise HandOver("two publication dates in an item")
                seen.add("published")
                raw.published = parse_feed_date(self.fp(_leaf_text(child)))
            elif tag in _RSS_UPDATED:
                if "updated" in seen:
                    raise HandOver("two update dates in an item")
                seen.add("updated")
                raw.updated = parse_feed_date(self.fp(_leaf_text(child)))
            elif tag in _RSS_AUTHOR:
                if "author" in seen:
                    raise HandOver("several authors in an item")
                seen.add("author")
                name = author_name(self.fp(_leaf_text(child)))
                if name:
                    raw.authors.append(name)
            elif tag in _RSS_CATEGORY:
                term = self.fp(_leaf_text(child))
                if term and term not in raw.tags:
                    raw.tags.append(term)
            elif tag == _A["link"]:
                raise HandOver("atom:link inside an RSS item")
            elif _skippable(tag, _RSS_ITEM_SKIP):
                media = media or tag == "enclosure" or _may_be_media(tag)
            else:
                raise HandOver(f"item element <{_short(tag)}>")
        if link_el is not None:
            href = self.fp(_leaf_text(link_el)).replace("&amp;", "&")
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
            value = self.fp(_leaf_text(guid_el))
            if permalink == "true":
                value = _resolve(value, _base_of(guid_el, self.has_base))
                raw.fallback_link = value
            raw.guid = value
        raw.media = media_from_element(item) if media else None
        return raw


_RSS_SINGLE = frozenset({"title", "link", "guid", "description", _q(_CONTENT, "encoded")})
# (the tags an item's elements are compared with, made once, not per element)
_CONTENT_ENCODED = _q(_CONTENT, "encoded")
_RSS_PUBLISHED = frozenset({"pubDate", _q(_DCTERMS, "issued"), _A["published"]})
_RSS_UPDATED = frozenset({_q(_DC, "date"), _q(_DCTERMS, "modified"), _A["updated"]})
_RSS_AUTHOR = frozenset({"author", _q(_DC, "creator")})
_RSS_CATEGORY = frozenset({"category", _q(_DC, "subject")})
_CHANNEL_OTHER_TITLES = frozenset({_q(_DC, "title"), _A["title"]})


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


class _FastAtom(_FastReader):
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
            return RawText(self.fp(_leaf_text(el)), "text", base)
        if kind in ("html", "text/html"):
            return RawText(self.fp(_leaf_text(el)), "html", base)
        if kind in ("xhtml", "application/xhtml+xml"):
            return RawText(self.fp(_xhtml_inner(el)), "html", base)
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
        media = False  # whether a child may be read by media_from_element
        for tag, child in _children(entry, _ATOM_SINGLE, seen, "an entry"):
            if tag == _A["title"]:
                raw.title = self._text(child)
            elif tag == _A["link"]:
                raw.links.append(_atom_link(child, self.has_base))
            elif tag == _A["id"]:
                value = _resolve(self.fp(_leaf_text(child)), _base_of(child, self.has_base))
                raw.guid = value  # (feedparser also takes it as the link; we do not)
            elif tag == _A["published"]:
                raw.published = parse_feed_date(self.fp(_leaf_text(child)))
            elif tag == _A["updated"]:
                raw.updated = parse_feed_date(self.fp(_leaf_text(child)))
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
            elif _skippable(tag, _ATOM_ENTRY_SKIP):
                media = media or _may_be_media(tag)
            else:
                raise HandOver(f"entry element <{_short(tag)}>")
        if media or any(link.rel == "enclosure" for link in raw.links):
            raw.media = media_from_element(entry, atom_links=raw.links)
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
