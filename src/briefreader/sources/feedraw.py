"""What either feed parser reads, before it becomes an Article: raw feeds and items
(:class:`RawFeed`, :class:`RawItem`, :class:`RawText`, :class:`RawLink`), and the
text, URL and date readings both parsers share, so that a feed reads the same
whichever parser read it."""

from __future__ import annotations

import calendar
import contextlib
import html as htmllib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from selectolax.lexbor import LexborHTMLParser

from briefreader.model import parse_datetime
from briefreader.sources.htmlrender import safe_url, squash
from briefreader.sources.media import RawMedia

__all__ = [
    "HandOver",
    "RawFeed",
    "RawItem",
    "RawLink",
    "RawText",
    "absolute_base",
    "author_name",
    "content_type_parts",
    "fp_text",
    "html_to_text",
    "http_url",
    "one_line",
    "parse_feed_date",
    "struct_to_datetime",
    "text_value",
]


class HandOver(Exception):
    """The fast path declines a document; ``str()`` says why."""


# ---------------------------------------------------------------------------------
# raw items: what either parser read, before it becomes an Article


class RawText(NamedTuple):
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
    media: RawMedia | None = None  # media:*, enclosures, itunes:duration (sources/media.py)


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
# text helpers shared by both parsers

# feedparser maps C1 controls to the windows-1252 characters they were meant to be
_CP1252 = {
    i: bytes([i]).decode("cp1252", "ignore") or chr(i)
    for i in range(0x80, 0xA0)
    if bytes([i]).decode("cp1252", "ignore")
}
# Only these code points change; str.translate with a dict looks up every character
# (~0.1 µs each: a 5 KB item body cost ~0.5 ms), so it runs only when one is there.
_C1 = re.compile("[\x80-\x9f]")
_TAGLIKE = re.compile(r"</?[A-Za-z][^>]*>")


def one_line(exc: BaseException | str) -> str:
    return " ".join(str(exc).split())[:200]


def fp_text(value: str) -> str:
    """What feedparser does to every element value (see ``_FeedParserMixin.pop``)."""
    value = value.strip()
    if not value.isascii():
        # undo UTF-8 read as ISO-8859-1 ("CafÃ©" → "Café"), as feedparser does
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            value = value.encode("iso-8859-1").decode("utf-8")
        if _C1.search(value) is not None:
            value = value.translate(_CP1252)
    return value


def fp_text_no_c1(value: str) -> str:
    """:func:`fp_text` of text known to hold no C1 control (see :func:`may_hold_c1`):
    the search for one, ~25 µs in a 5 KB item, left out."""
    value = value.strip()
    if not value.isascii():
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            value = value.encode("iso-8859-1").decode("utf-8")
    return value


_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REF = re.compile(rb"&#(?:[xX]0*[89][0-9a-fA-F]|0*1(?:2[89]|[3-5][0-9]));")


def may_hold_c1(data: bytes) -> bool:
    """Whether text an XML parser reads from UTF-8 ``data`` may hold a C1 control
    (U+0080-U+009F): only a character encoded as such (``C2 80``-``C2 9F``) or a
    character reference to one (``&#147;``, ``&#x93;``) gives one.  Also one
    :func:`fp_text` makes by undoing mojibake has one: it comes from ``Â`` followed
    by a C1 control in the text.  Each search looks for a literal first (fast);
    one pattern for both would test every byte."""
    return (b"\xc2" in data and _C1_UTF8.search(data) is not None) or (
        b"&#" in data and _C1_REF.search(data) is not None
    )


def html_to_text(value: str) -> str:
    """Plain text of an HTML snippet (a title): tags dropped, entities decoded."""
    if "<" not in value:
        return squash(htmllib.unescape(value)) if "&" in value else squash(value)
    tree = LexborHTMLParser(value)
    body = tree.body
    if body is None:
        return squash(htmllib.unescape(_TAGLIKE.sub(" ", value)))
    for node in body.css("script, style, template, noscript"):
        node.decompose()
    return squash(body.text(deep=True))


def text_value(text: RawText | None) -> str:
    if text is None or not text.value:
        return ""
    return html_to_text(text.value) if text.kind == "html" else squash(text.value)


def http_url(href: str, base: str = "") -> str:
    """``href`` resolved against ``base``, if it is http(s); else ``""``."""
    url = safe_url(href, base)
    return url if url.startswith(("http://", "https://")) else ""


def absolute_base(base: str) -> str:
    return base if http_url(base) else ""


_EMAIL = re.compile(r"<?(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")


def author_name(author: str) -> str:
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


def struct_to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


_MONTHS = {
    m: n for n, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)
}
# The two forms nearly every feed writes, strictly: RFC 822 with a four-digit year,
# seconds and a numeric or UTC zone ("Sun, 03 Mar 2024 01:51:16 +0000"), and W3C-DTF
# with seconds and "Z" or "±hh:mm" ("2024-02-04T20:30:46Z").  feedparser tries its
# W3C-DTF reader first, then RFC 822; neither form is read by the other.
_RFC822 = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun),\s+)?(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+"
    r"(\d\d):(\d\d):(\d\d)\s+(?:([+-])(\d\d)(\d\d)|gmt|utc?|z)",
    re.ASCII,
)
_W3DTF = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)t(\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?(?:z|([+-])(\d\d):(\d\d))",
    re.ASCII,
)


def _fast_date(text: str) -> datetime | None:
    """What feedparser makes of ``text`` when it is in one of the two common forms
    (its readers' arithmetic, without the nine-tuple and the seven other readers
    tried after them); ``None`` when it is not, or is out of the ordinary (a day or
    an hour out of range, a year outside 1900-2200): feedparser reads those."""
    low = text.lower()
    if (m := _RFC822.fullmatch(low)) is not None:
        day, month_name, year, hour, minute, second, sign, tzh, tzm = m.groups()
        month = _MONTHS.get(month_name)
        if month is None:
            return None
    elif (m := _W3DTF.fullmatch(low)) is not None:
        year, month_text, day, hour, minute, second, sign, tzh, tzm = m.groups()
        month = int(month_text)
    else:
        return None
    if not 1900 <= int(year) <= 2200:
        return None
    try:
        stamp = datetime(
            int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError:
        return None
    if sign is None:
        return stamp
    offset = timedelta(hours=int(tzh), minutes=int(tzm))
    return stamp + offset if sign == "-" else stamp - offset


def parse_feed_date(text: str) -> datetime | None:
    """An RFC 822 / W3C-DTF / … date string → an aware UTC datetime (or ``None``):
    feedparser's reading (its common forms read here first, ~4× faster: see
    :func:`_fast_date`; ``tests/test_refresh_fast_paths.py`` compares the two)."""
    text = text.strip()
    if not text:
        return None
    fast = _fast_date(text)
    if fast is not None:
        return fast
    if _fp_parse_date is not None:
        try:
            return struct_to_datetime(_fp_parse_date(text))
        except Exception:  # feedparser's date handlers are many and old
            return None
    parsed = parse_datetime(text)  # pragma: no cover
    return parsed.astimezone(UTC).replace(microsecond=0) if parsed else None  # pragma: no cover


def content_type_parts(content_type: str | None) -> tuple[str, str]:
    if not content_type:
        return "", ""
    main, _, params = content_type.partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    return main.strip().lower(), charset
