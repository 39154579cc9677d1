"""The reference parser: feedparser reads any XML feed (from memory) into raw items.

feedparser gets an in-memory stream, so it never opens a URL or a file itself; its
DOCTYPE is first defused (:mod:`~briefreader.sources.doctype`), both on the bytes
given and — through a guard on feedparser's own DOCTYPE step — on the UTF-8
feedparser converts them to (so UTF-16 documents and a DOCTYPE after a comment are
covered); it never loads external DTDs.
"""

from __future__ import annotations

import io
import re
import warnings as pywarnings
from collections.abc import Mapping
from typing import Any

from briefreader.sources import SourceError
from briefreader.sources.doctype import UnsafeDoctype, defuse_doctype, neutralise_char_refs
from briefreader.sources.feedraw import (
    RawFeed,
    RawItem,
    RawLink,
    RawText,
    author_name,
    one_line,
    struct_to_datetime,
)
from briefreader.sources.media import media_from_feedparser
from briefreader.wording import counted

__all__ = ["raw_feedparser", "repair_utf8_noise", "xml_ends_early"]


def _guarded_replace_doctype(original: Any) -> Any:
    """feedparser's own DOCTYPE step, run after :func:`defuse_doctype` and
    :func:`neutralise_char_refs` on the UTF-8 feedparser made of the document."""

    def replace_doctype(data: bytes) -> Any:
        return original(neutralise_char_refs(defuse_doctype(data)))

    replace_doctype.briefreader_guard = True  # type: ignore[attr-defined]
    return replace_doctype


def _guard_feedparser() -> bool:
    """Make feedparser defuse every document it parses *after* converting it to UTF-8
    (so UTF-16 and other encodings are covered).  False if its internals moved.

    It also gets an encoding detector (:func:`detect_encoding`) where it has none
    (chardet is not installed): without one, a feed in Shift_JIS or windows-1255 that
    declares no encoding was read as windows-1252, garbled and its text lost."""
    try:
        import feedparser.api as fp_api
        import feedparser.encodings as fp_encodings
    except ImportError:  # pragma: no cover
        return False
    current = getattr(fp_api, "replace_doctype", None)
    if current is None:  # pragma: no cover - feedparser changed
        return False
    if not getattr(current, "briefreader_guard", False):
        fp_api.replace_doctype = _guarded_replace_doctype(current)
    if getattr(fp_encodings, "chardet", True) is None:  # (its hook when chardet is absent)
        fp_encodings.lazy_chardet_encoding = detect_encoding
    return True


#: How much of a document the encoding detector reads.
DETECT_BYTES = 256 * 1024


def detect_encoding(data: bytes) -> str:
    """The encoding of a document that declares none: "" for UTF-8 (feedparser tries
    that next, as before), else charset-normalizer's best guess ("" when it has none).
    feedparser calls it only when neither HTTP, the XML declaration nor a BOM says."""
    try:
        data.decode("utf-8")
        return ""
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(bytes(data[:DETECT_BYTES])).best()
    return best.encoding if best is not None else ""


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)


def repair_utf8_noise(data: bytes, content_type: str | None = None) -> tuple[bytes, int]:
    """A document in UTF-8 (so declared, or declaring nothing) with a few stray bytes
    that are not: those replaced by U+FFFD, and how many.  Without this the whole
    document was read in a guessed single-byte encoding (cp866, windows-1252) and
    every one of its non-ASCII characters garbled for one bad byte.  It is UTF-8
    with noise when it holds valid multi-byte characters and at most two bad bytes,
    or a quarter as many as those (a windows-1252 document holds almost none of the
    former)."""
    try:
        data.decode("utf-8")
        return data, 0
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data, 0
    declared = _DECLARED.match(data[:512])
    charset = _CHARSET.search(content_type or "")
    for name in (
        declared.group(1).decode() if declared else "",
        charset.group(1) if charset else "",
    ):
        if name and name.lower().replace("_", "-") not in ("utf-8", "utf8"):
            return data, 0
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    wide = sum(1 for c in text if ord(c) > 0x7F) - bad
    if wide < 1 or (bad > 2 and bad * 4 > wide):
        return data, 0
    return text.encode("utf-8"), bad


_SAX_PLACE = re.compile(r"^<unknown>:(\d+):(\d+): ")


def _xml_error(exc: object) -> str:
    """feedparser's complaint about a document, in words ("<unknown>:6:0: no element
    found" is a document with nothing but comments in it)."""
    text = one_line(str(exc) if exc else "unreadable")
    place = _SAX_PLACE.match(text)
    if place is None:
        return text
    what = text[place.end() :]
    if what == "no element found":
        return "the document holds no XML element: empty"
    return f"malformed XML at line {place.group(1)}, column {place.group(2)}: {what}"


def raw_feedparser(data: bytes, *, url: str, content_type: str | None = None) -> RawFeed:
    """Read any XML feed with feedparser (from memory); :class:`SourceError` if not a feed."""
    import feedparser

    headers = {"content-type": content_type} if content_type else None
    data = original = bytes(data)
    data, replaced = repair_utf8_noise(data, content_type)
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
    if replaced:
        warn.append(f"encoding: {counted(replaced, 'byte')} not in UTF-8 replaced by �")
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        name = type(exc).__name__ if exc is not None else "error"
        if name == "CharacterEncodingOverride":
            warn.append(f"encoding: {one_line(exc or '')}")
        elif name == "NonXMLContentType":
            warn.append(f"served as {content_type or 'no content type'}; read anyway")
        else:
            warn.append(f"malformed feed, read leniently ({one_line(exc or name)})")
    if not version and not entries and not (feed.get("title") or feed.get("link")):
        reason = "not a feed (no RSS, Atom or JSON Feed found)"
        if result.get("bozo"):
            reason = f"not a feed ({_xml_error(result.get('bozo_exception'))})"
        raise SourceError(url, reason)
    atom = version.startswith("atom")
    items = [_raw_fp_entry(entry, atom) for entry in entries]
    ends_early = xml_ends_early(original)
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


_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xef\xbb\xbf", "latin-1"),
)


def _xml_text(data: bytes, *, lower: bool = False) -> str:
    """XML bytes as text good enough to find markup in: UTF-16/32 decoded (by BOM,
    or by the zero bytes of ``<?xml`` / ``<rss`` in them), anything else read byte
    for byte (markup is ASCII in every encoding a feed uses besides those).

    ``lower``: lower-cased, for comparing tag names regardless of case.  Text read
    byte for byte is lowered as bytes (ASCII letters only): ``str.lower`` walks the
    Unicode tables character by character once the text has a non-ASCII byte,
    ~2.5 ms for a 240 KB feed; the Latin-1 letters it would lower too are never
    part of the markup looked for."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            rest = data[len(bom) :]
            if codec == "latin-1":
                return (rest.lower() if lower else rest).decode("latin-1")
            wide = rest.decode(codec, "ignore")
            return wide.lower() if lower else wide
    head = data[:4]
    codec = ""
    if len(head) == 4 and head[1] == head[2] == 0 and (head[0] == 0) != (head[3] == 0):
        codec = "utf-32-be" if head[0] == 0 else "utf-32-le"
    elif len(head) >= 2 and (head[0] == 0) != (head[1] == 0):
        codec = "utf-16-be" if head[0] == 0 else "utf-16-le"
    if codec:
        wide = data.decode(codec, "ignore")
        return wide.lower() if lower else wide
    return (data.lower() if lower else data).decode("latin-1")


def _closing_angle(text: str, start: int, *, subset: bool = False) -> int:
    """The first ``>`` from ``start`` that is outside quoted strings (and, with
    ``subset``, outside ``[…]``: a DOCTYPE's internal subset); -1 if none is."""
    quote = ""
    depth = 0
    for j in range(start, len(text)):
        ch = text[j]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif subset and ch == "[":
            depth += 1
        elif subset and ch == "]":
            depth -= 1
        elif ch == ">" and depth <= 0:
            return j
    return -1


def _declaration_end(text: str, i: int) -> int:
    """The end of ``<!DOCTYPE …>`` starting at ``i`` (an internal subset and quoted
    strings skipped); -1 if the text stops inside it."""
    end = _closing_angle(text, i + 2, subset=True)
    return end + 1 if end >= 0 else -1


def _root_tag(text: str) -> tuple[str, int, bool] | None:
    """The root element's name, the end of its start tag and whether it is empty
    (``<rss/>``); None when the text stops before that start tag ends."""
    i, size = 0, len(text)
    while True:
        while i < size and (text[i].isspace() or text[i] == "\ufeff"):
            i += 1
        if i >= size:
            return None
        if text.startswith("<?", i):
            end = text.find("?>", i + 2)
            i = end + 2 if end >= 0 else -1
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            i = end + 3 if end >= 0 else -1
        elif text.startswith("<!", i):
            i = _declaration_end(text, i)
        elif text.startswith("<", i):
            break
        else:  # text before any markup: not XML as far as this check can tell
            return "", 0, True
        if i < 0:
            return None
    j = i + 1
    while j < size and not (text[j].isspace() or text[j] in "/>"):
        j += 1
    end = _closing_angle(text, j)
    return None if end < 0 else (text[i + 1 : j], end + 1, text[end - 1] == "/")


#: End tags of the root looked at, from the last one back, before giving up.
_MAX_CANDIDATES = 16


def _inside(text: str, pos: int, opening: str, closing: str) -> bool:
    """Whether the last ``opening`` before ``pos`` comes after the last ``closing``
    before it.  (Only after that ``opening`` is a ``closing`` looked for: searching
    back through a whole 250 KB feed twice for each was 3% of a fast parse; the two
    never start at the same place, so the answer is the same.)"""
    start = text.rfind(opening, 0, pos)
    return start >= 0 and text.rfind(closing, start + 1, pos) < 0


def xml_ends_early(data: bytes) -> bool:
    """Whether XML bytes stop before the document's end (a body cut short).

    The document is whole only once the end tag of its root element (the first
    element after the prolog — ``rss``, ``feed``, ``rdf:RDF`` …) has come, outside
    any comment or CDATA section; after it may come only white space, comments and
    processing instructions (anything else there is junk after the feed, not a
    missing part of it).  UTF-16/32 documents are decoded first."""
    low = _xml_text(bytes(data), lower=True)  # (tag names compared regardless of case)
    root = _root_tag(low)
    if root is None:
        return True
    name, start_end, empty = root
    if empty or not name:
        return False
    closing = "</" + name
    pos = len(low)
    # (a forward search for each marker once: rfind searches back byte by byte)
    cdata, comments = "<![cdata[" in low, "<!--" in low
    for _ in range(_MAX_CANDIDATES):
        pos = low.rfind(closing, start_end, pos)
        if pos < 0:
            return True
        after = pos + len(closing)
        while after < len(low) and low[after].isspace():
            after += 1
        if (
            after < len(low)
            and low[after] == ">"
            and not (cdata and _inside(low, pos, "<![cdata[", "]]>"))
            and not (comments and _inside(low, pos, "<!--", "-->"))
        ):
            return False
    return False  # (that many end tags in comments: not worth telling)


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
    else:  # RSS: the author field as written (see author_name)
        raw_author = entry.get("author")
        name = author_name(raw_author) if isinstance(raw_author, str) else ""
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
        published=struct_to_datetime(_raw_get(entry, "published_parsed")),
        updated=struct_to_datetime(_raw_get(entry, "updated_parsed")),
        authors=authors,
        tags=tags,
        summary=_fp_detail(entry.get("summary_detail"), entry.get("summary")),
        content=content,
        media=media_from_feedparser(entry),
    )
