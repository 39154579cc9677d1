"""OPML: subscription lists in and out.

:func:`parse_opml` reads OPML 1.0/2.0 (and the usual quirks: ``xmlurl`` in any
letter case, a missing ``type="rss"``, ``feed://`` URLs, unescaped ``&`` in
attributes) into :class:`OpmlFeed` values: each feed once, with the folders it sits
in (outer to inner) as its tags; a feed listed in several folders gets all their
names.  :func:`write_opml` writes OPML 2.0 with a folder per tag (a feed with two
tags sits in both folders) and the tags also in each outline's ``category``
attribute, so that ``parse_opml(write_opml(feeds)) == feeds``.

Safety: the DOCTYPE (with any entity declarations) is removed before lxml sees the
document, and lxml runs with entity resolution, DTD loading and network access off,
so an OPML file cannot expand entities (billion laughs) or read files or URLs.
Outlines of ``type="include"`` are not followed.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from briefreader.sources import SourceError
from briefreader.sources.doctype import neutralise_char_refs, wide_encoding
from briefreader.sources.vocabulary import safe_xml_parser
from briefreader.textclean import clean_line, feed_name

__all__ = ["OpmlFeed", "parse_opml", "write_opml"]

#: Outlines nested deeper than this are not read (no real OPML comes close).
MAX_DEPTH = 64
#: OPML files larger than this are refused.
MAX_OPML_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One subscription: the feed's URL, its title and site, and its folders as tags."""

    url: str
    title: str = ""
    site_url: str = ""
    tags: tuple[str, ...] = ()


_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_BARE_AMP = re.compile(rb"&(?!(?:[A-Za-z][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_FEED_TYPES = frozenset({"rss", "atom", "feed", "rdf", "jsonfeed", "json"})
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def _as_utf8(data: bytes) -> bytes:
    """UTF-16/32 OPML as UTF-8 (its XML declaration replaced), so the byte-level
    repairs below see ASCII; a lone surrogate in it becomes U+FFFD.  Other bytes as
    they are."""
    found = wide_encoding(data)
    if found is None or found[0] == "utf-8":
        return data
    encoding, skip = found
    text = _XML_DECL.sub("", data[skip:].decode(encoding, "replace"), count=1)
    return b'<?xml version="1.0" encoding="utf-8"?>' + text.encode("utf-8")


def _root(data: bytes, origin: str) -> etree._Element:
    if len(data) > MAX_OPML_BYTES:
        raise SourceError(origin, f"too large for an OPML file ({len(data) / 1e6:.1f} MB)")
    if not data.strip():
        raise SourceError(origin, "empty file, not OPML")
    data = _as_utf8(data)
    # No DTD is ever needed: drop it, so no entity can be declared, expanded or fetched.
    head_end = data.find(b"<opml")
    if head_end < 0:
        head_end = data.lower().find(b"<opml")
    head = data[: head_end if head_end >= 0 else 4096]
    if b"<!" in head:
        data = _DOCTYPE.sub(b"", head, count=1) + data[len(head) :]
    # A reference to what is no character (a lone surrogate, NUL) becomes U+FFFD: lxml's
    # recovering parser would keep its bytes, and reading the attribute would fail.
    data = neutralise_char_refs(data)
    root: etree._Element | None = None
    error = ""
    for recover in (False, True):
        if recover:  # the usual fault: a bare & in a URL attribute
            data = _BARE_AMP.sub(b"&amp;", data)
        try:
            root = etree.fromstring(data, safe_xml_parser(recover=recover))
        except etree.XMLSyntaxError as exc:
            error = " ".join(str(exc).split())[:160]
            continue
        except (ValueError, LookupError) as exc:
            error = " ".join(str(exc).split())[:160]
            break
        if root is not None:
            break
    if root is None:
        raise SourceError(origin, f"not OPML: not readable as XML ({error or 'no root element'})")
    name = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if name.lower() != "opml":
        raise SourceError(origin, f"not OPML (root element <{name or '?'}>)")
    return root


def _attrs(el: etree._Element) -> dict[str, str]:
    """Attributes by lower-cased local name (``xmlUrl``, ``xmlurl`` and ``XMLURL`` alike)."""
    out: dict[str, str] = {}
    for key, value in el.attrib.items():
        local = str(key).rpartition("}")[2].lower()
        out.setdefault(local, str(value))
    return out


def _feed_url(value: str, origin: str) -> str:
    url = value.strip()
    if not url:
        return ""
    low = url.lower()
    if low.startswith("feed://"):
        url = "http://" + url[7:]
    elif low.startswith("feed:"):  # feed:https://example.com/rss
        url = url[5:]
    if "://" not in url and origin.startswith(("http://", "https://")):
        try:
            url = urljoin(origin, url)
        except ValueError:
            return ""
    return _site_url(url)


def _site_url(value: str) -> str:
    """``value`` (cleaned) if it is an absolute http(s) URL, else ``""``."""
    url = value.strip()
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        if parts.scheme.lower() in ("http", "https") and parts.netloc:
            return clean_line(url)
    return ""


def _outlines(body: etree._Element) -> Iterator[tuple[etree._Element, tuple[str, ...]]]:
    """Every outline under ``body``, in document order, with the names of the folders
    around it (outer to inner).  Iterative, and no deeper than :data:`MAX_DEPTH`."""

    def children(node: etree._Element) -> list[etree._Element]:
        return [
            c
            for c in node
            if isinstance(c.tag, str) and etree.QName(c).localname.lower() == "outline"
        ]

    stack: list[tuple[etree._Element, tuple[str, ...], int]] = [
        (c, (), 1) for c in reversed(children(body))
    ]
    while stack:
        node, folders, depth = stack.pop()
        yield node, folders
        attrs = _attrs(node)
        if depth >= MAX_DEPTH or attrs.get("type", "").lower() == "include":
            continue
        inner = folders
        if not (attrs.get("xmlurl") or _is_feed_by_url(attrs)):
            name = clean_line(attrs.get("title") or attrs.get("text") or "")
            if name:
                inner = (*folders, name)
        stack.extend((c, inner, depth + 1) for c in reversed(children(node)))


def _is_feed_by_url(attrs: dict[str, str]) -> bool:
    return bool(attrs.get("url")) and attrs.get("type", "").strip().lower() in _FEED_TYPES


def _categories(value: str) -> list[str]:
    """OPML 2.0 ``category``: comma-separated, slash-delimited paths → tag names."""
    tags = []
    for part in value.split(","):
        name = clean_line(part.strip().strip("/"))
        if name and name not in tags:
            tags.append(name)
    return tags


def parse_opml(data: bytes, origin: str, skipped: list[str] | None = None) -> list[OpmlFeed]:
    """The feeds an OPML file subscribes to, each once, in document order.

    Raises :class:`SourceError` (naming ``origin``) for what is not OPML.  An OPML
    file with no feeds gives ``[]``.  Only http(s) feed URLs are kept (``feed://``
    becomes ``http://``); relative ones are resolved when ``origin`` is a URL.  Each
    feed address left out (``file:``, ``javascript:`` …) gets a line in ``skipped``.
    """
    root = _root(bytes(data), origin)
    body = next(
        (c for c in root if isinstance(c.tag, str) and etree.QName(c).localname.lower() == "body"),
        None,
    )
    if body is None:
        raise SourceError(origin, "not OPML: no <body>")
    found: dict[str, OpmlFeed] = {}
    for outline, folders in _outlines(body):
        attrs = _attrs(outline)
        raw = attrs.get("xmlurl") or (attrs.get("url") if _is_feed_by_url(attrs) else "")
        if not raw:
            continue
        url = _feed_url(raw, origin)
        if not url:
            if skipped is not None:
                shown = clean_line(raw.strip())[:120]
                skipped.append(f"{origin}: not an http(s) URL: {shown!r}; skipped")
            continue
        title = feed_name(attrs.get("title") or attrs.get("text") or "")
        if title == raw.strip() or title == url:
            title = ""  # the URL standing in for a missing title (see write_opml)
        site = _site_url(attrs.get("htmlurl", ""))
        tags = list(_categories(attrs.get("category", "")))
        tags += [f for f in folders if f not in tags]
        old = found.get(url)
        if old is None:
            found[url] = OpmlFeed(url=url, title=title, site_url=site, tags=tuple(tags))
        else:
            merged = list(old.tags) + [t for t in tags if t not in old.tags]
            found[url] = OpmlFeed(
                url=url,
                title=old.title or title,
                site_url=old.site_url or site,
                tags=tuple(merged),
            )
    return list(found.values())


def write_opml(feeds: Iterable[OpmlFeed], title: str = "briefreader subscriptions") -> str:
    """OPML 2.0 for ``feeds``: a folder per tag (in order of first use), untagged feeds
    at the top level, each outline with ``type="rss"``, ``text``, ``title``,
    ``xmlUrl``, ``htmlUrl`` and (when it has tags) ``category``."""
    feeds = list(feeds)
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = _xml_text(title)
    body = ET.SubElement(opml, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        attrs = {"type": "rss", "text": _xml_text(feed.title or feed.url)}
        if feed.title:
            attrs["title"] = _xml_text(feed.title)
        attrs["xmlUrl"] = _xml_text(feed.url)
        if feed.site_url:
            attrs["htmlUrl"] = _xml_text(feed.site_url)
        tags = [t for t in (_xml_text(t) for t in feed.tags) if t]
        listed = [t for t in tags if "," not in t and t.strip("/") == t]
        if listed:
            attrs["category"] = ",".join("/" + t for t in listed)
        if not tags:
            ET.SubElement(body, "outline", attrs)
        for tag in tags:
            folder = folders.get(tag)
            if folder is None:
                folder = folders[tag] = ET.SubElement(body, "outline", text=tag, title=tag)
            ET.SubElement(folder, "outline", attrs)
    ET.indent(opml, space="  ")
    return ET.tostring(opml, encoding="unicode", xml_declaration=True) + "\n"


# XML 1.0 cannot carry most control characters, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", clean_line(text))
