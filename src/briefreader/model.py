"""The article model: pure data, no I/O.

Every reader in :mod:`briefreader.sources` produces :class:`Article` values, the
library stores them, and the TUI shows them.  The JSON form (``to_dict`` /
``from_dict``) uses the field names below as keys; it is what
``briefreader show --format json`` prints and what the JSON reader accepts.
"""

from __future__ import annotations

import hashlib
import operator
import re
import time
import types
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

__all__ = [
    "STATE_KEYS",
    "Analysis",
    "Article",
    "ArticleRef",
    "ArticleState",
    "Enclosure",
    "RelatedLink",
    "article_id",
    "iso_time",
    "legacy_article_ids",
    "local_article_id",
    "parse_datetime",
]


#: A letter of Chinese (Han) or Japanese (kana), scripts written without spaces.
_HAN_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class Analysis:
    """The editor's analysis panel of a brief ("Editor's Desk")."""

    body: str
    label: str = "Editor's Analysis"
    title: str = ""
    byline: str = ""
    kicker: str = ""

    def to_dict(self) -> dict[str, str]:
        # (label and title first: the order of the JSON an export writes)
        return {key: getattr(self, key) for key in ("label", "title", "body", "byline", "kicker")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        return cls(
            body=str(data.get("body") or ""),
            label=str(data.get("label") or "Editor's Analysis"),
            title=str(data.get("title") or ""),
            byline=str(data.get("byline") or ""),
            kicker=str(data.get("kicker") or ""),
        )


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """A related article the source itself names."""

    title: str
    url: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | str) -> RelatedLink:
        if isinstance(data, str):
            return cls(title=data)
        return cls(
            title=str(data.get("title") or data.get("url") or ""), url=str(data.get("url") or "")
        )


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file an item carries (a podcast episode, a video, an attachment): its
    http(s) address, MIME type, size in bytes and duration in seconds (0: unknown)."""

    url: str
    type: str = ""
    length: int = 0
    duration: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | str) -> Enclosure | None:
        """The enclosure of its JSON form; ``None`` unless its URL is http(s)."""
        if isinstance(data, str):
            data = {"url": data}
        url = _text(data.get("url"))
        if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
            return None
        return cls(
            url=url,
            type=_text(data.get("type")).lower()[:100],
            length=_count(data.get("length")),
            duration=_count(data.get("duration")),
        )


def _count(value: Any) -> int:
    """A non-negative whole number of a JSON value (a byte count, seconds); else 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float) and value == value and 0 <= value < 2**53:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 16:
        return int(value.strip())
    return 0


@dataclass(frozen=True, slots=True)
class Article:
    """One story, as a brief.

    ``id`` is stable across re-imports of the same article (see :func:`article_id`).
    ``published`` is timezone-aware or ``None``.  ``takeaways`` hold the text of each
    takeaway with its ordinal stripped.  ``body`` is Markdown.  ``origin`` is the file
    path or feed URL the article was read from.  ``image_url`` is the lead image (an
    http(s) address; never fetched unless the reader asks, see
    :mod:`briefreader.media`) and ``image_alt`` its alt text; ``enclosures`` the
    files the item carries (podcast audio and the like).
    """

    id: str
    title: str
    summary: str = ""
    url: str = ""
    source: str = ""
    author: str = ""
    published: datetime | None = None
    image_caption: str = ""
    takeaways: tuple[str, ...] = ()
    takeaways_derived: bool = False
    analysis: Analysis | None = None
    body: str = ""
    tags: tuple[str, ...] = ()
    related: tuple[RelatedLink, ...] = ()
    origin: str = ""
    image_url: str = ""
    image_alt: str = ""
    enclosures: tuple[Enclosure, ...] = ()

    # -- derived views -------------------------------------------------------------

    @property
    def word_count(self) -> int:
        """Words of the text, two Chinese or Japanese letters counting as one (they
        are written without spaces: a whole article was "3 words", "1 min read")."""
        text = " ".join((self.summary, " ".join(self.takeaways), self.body))
        if self.analysis:
            text += " " + self.analysis.body
        if text.isascii():
            return len(text.split())
        spaced, letters = _HAN_KANA.subn(" ", text)
        return len(spaced.split()) + (letters + 1) // 2

    @property
    def reading_minutes(self) -> int:
        """Reading time at 230 words a minute (~460 Chinese or Japanese letters), at
        least one minute."""
        return max(1, round(self.word_count / 230))

    # -- JSON form ---------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "url": self.url,
            "source": self.source,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "image_caption": self.image_caption,
            "takeaways": list(self.takeaways),
            "takeaways_derived": self.takeaways_derived,
            "analysis": self.analysis.to_dict() if self.analysis else None,
            "body": self.body,
            "tags": list(self.tags),
            "related": [r.to_dict() for r in self.related],
            "origin": self.origin,
            "image_url": self.image_url,
            "image_alt": self.image_alt,
            "enclosures": [e.to_dict() for e in self.enclosures],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, origin: str = "") -> Article:
        """Build an article from its JSON form; missing fields take defaults.

        Raises ``ValueError`` when the data has no title and no body (not an article).
        """
        title = _text(data.get("title"))
        body = _text(data.get("body"))
        summary = _text(data.get("summary"))
        if not (title or body or summary):
            raise ValueError("no title, summary or body")
        analysis_data = data.get("analysis")
        analysis: Analysis | None = None
        if isinstance(analysis_data, dict) and (
            analysis_data.get("body") or analysis_data.get("title")
        ):
            analysis = Analysis.from_dict(analysis_data)
        elif isinstance(analysis_data, str) and analysis_data.strip():
            analysis = Analysis(body=analysis_data.strip())
        url = _text(data.get("url"))
        source = _text(data.get("source"))
        published = parse_datetime(data.get("published"))
        title = title or summary[:80] or body.strip().splitlines()[0][:80]
        art_id = _text(data.get("id")) or article_id(
            url=url, title=title, source=source, published=published
        )
        return cls(
            id=art_id,
            title=title,
            summary=summary,
            url=url,
            source=source,
            author=_text(data.get("author")),
            published=published,
            image_caption=_text(data.get("image_caption")),
            takeaways=tuple(_text(t) for t in _list(data.get("takeaways")) if _text(t)),
            takeaways_derived=bool(data.get("takeaways_derived", False)),
            analysis=analysis,
            body=body,
            tags=tuple(_text(t) for t in _list(data.get("tags")) if _text(t)),
            related=tuple(
                RelatedLink.from_dict(r)
                for r in _list(data.get("related"))
                if isinstance(r, dict | str) and r
            ),
            origin=_text(data.get("origin")) or origin,
            image_url=_http(_text(data.get("image_url"))),
            image_alt=_text(data.get("image_alt")),
            enclosures=_enclosures(data.get("enclosures")),
        )

    def with_changes(self, **changes: Any) -> Article:
        return replace(self, **changes)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its class and its field values in order (a refresh's parse
        workers send every item back so): ~25% cheaper both ways than the state
        dataclasses give slotted classes, whose every pickling walks ``fields()``."""
        cls = type(self)
        return (_rebuild, (cls, _pickling(cls).values(self)))


class _Pickling(NamedTuple):
    """How :meth:`Article.__reduce__` and :func:`_rebuild` take a dataclass apart and
    put it together: its field values in order (an ``attrgetter``), and for each
    field a setter taking ``(obj, value)``: its slot's (a member descriptor), or
    ``object.__setattr__`` by name for a subclass without slots."""

    values: Any
    setters: tuple[Any, ...]


_PICKLING: dict[type, _Pickling] = {}


def _setter(cls: type, name: str) -> Any:
    slot = next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)
    if isinstance(slot, types.MemberDescriptorType):
        return slot.__set__
    return lambda obj, value: object.__setattr__(obj, name, value)


def _pickling(cls: type) -> _Pickling:
    known = _PICKLING.get(cls)
    if known is None:  # (made whole before it is shared: threads unpickle at once)
        names = [f.name for f in fields(cls)]
        known = _PICKLING[cls] = _Pickling(
            operator.attrgetter(*names), tuple(_setter(cls, n) for n in names)
        )
    return known


def _rebuild(cls: type, values: tuple[Any, ...]) -> Any:
    """An instance of the dataclass ``cls`` with ``values`` (as
    :meth:`Article.__reduce__` gave them), without calling ``__init__`` (as
    unpickling never does)."""
    obj: Any = object.__new__(cls)
    for setter, value in zip(_pickling(cls).setters, values, strict=True):
        setter(obj, value)
    return obj


#: At most this many enclosures are kept of an article.
MAX_ENCLOSURES = 20


def _enclosures(value: Any) -> tuple[Enclosure, ...]:
    """The http(s) enclosures of a JSON list, each address once, at most
    :data:`MAX_ENCLOSURES`."""
    found: dict[str, Enclosure] = {}
    for item in _list(value)[: 4 * MAX_ENCLOSURES]:
        enc = Enclosure.from_dict(item) if isinstance(item, dict | str) else None
        if enc is not None and enc.url not in found:
            found[enc.url] = enc
    return tuple(found.values())[:MAX_ENCLOSURES]


def _http(url: str) -> str:
    """``url`` if it is an http(s) address without spaces, else ``""``."""
    ok = url.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in url)
    return url if ok else ""


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Article))

#: The keys an export writes beside an article's fields (see :class:`ArticleState`).
STATE_KEYS: tuple[str, ...] = ("read_at", "starred_at", "feed_url")


@dataclass(frozen=True, slots=True)
class ArticleState:
    """What the library knows of an article beyond its content: when it was read and
    starred (Unix times) and the URL of the feed it came from.

    Not part of :class:`Article`: an export writes it as extra keys beside the
    article's fields (``read_at`` / ``starred_at`` as ISO 8601 times or null,
    ``feed_url``), the JSON and Markdown readers pass it through, and importing the
    export restores it.
    """

    read_at: float | None = None
    starred_at: float | None = None
    feed_url: str = ""
    #: What :meth:`from_dict` left out and why (``read_at 12345 (not an ISO 8601
    #: time)``): the readers turn it into a warning naming the file.
    ignored: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read_at": iso_time(self.read_at),
            "starred_at": iso_time(self.starred_at),
            "feed_url": self.feed_url,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleState | None:
        """The state in an article's JSON form or front matter; ``None`` when it has
        none.  A value that is not an ISO 8601 time (a number is not taken for a Unix
        time), a time outside :func:`state_time_ok`'s range, or a feed URL that is not
        http(s) is left out and named in ``ignored``."""
        ignored: list[str] = []
        read_at = _state_time(data, "read_at", ignored)
        starred_at = _state_time(data, "starred_at", ignored)
        raw = data.get("feed_url")
        feed_url = _text(raw) if isinstance(raw, str) else ""
        if not feed_url.startswith(("http://", "https://")) or any(c.isspace() for c in feed_url):
            if feed_url or raw not in (None, ""):
                ignored.append(f"feed_url {_shown(raw)} (not an http(s) address)")
            feed_url = ""
        if read_at is None and starred_at is None and not feed_url and not ignored:
            return None
        return cls(read_at, starred_at, feed_url, tuple(ignored))

    @property
    def empty(self) -> bool:
        """Whether it carries nothing to restore."""
        return self.read_at is None and self.starred_at is None and not self.feed_url


#: The title an article without one is given when nothing else names it.
UNTITLED = "(untitled)"


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A feed item the reader deleted (or retention pruned), remembered so that its
    feed does not bring it back.  An export carries them as ``{"deleted_articles":
    [{"id", "url", "feed_url", "deleted_at", "pruned"}, …]}``; importing that restores
    them, so a library restored on a new machine does not fill up again with what was
    deleted on the old one."""

    id: str
    url: str = ""
    feed_url: str = ""
    deleted_at: float = 0.0
    pruned: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "feed_url": self.feed_url,
            "deleted_at": iso_time(self.deleted_at),
            "pruned": self.pruned,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Tombstone | None:
        """One entry of an export's ``deleted_articles``; ``None`` for one without an
        id or whose time is not an ISO 8601 time from 1990 to now."""
        if not isinstance(data, dict):
            return None
        art_id = _text(data.get("id")) if isinstance(data.get("id"), str) else ""
        ignored: list[str] = []
        when = _state_time(data, "deleted_at", ignored)
        if not art_id or when is None or any(c.isspace() for c in art_id):
            return None
        url = data.get("url")
        feed_url = data.get("feed_url")
        return cls(
            art_id,
            url.strip() if isinstance(url, str) else "",
            feed_url.strip() if isinstance(feed_url, str) else "",
            when,
            data.get("pruned") is True,
        )


#: The earliest read or star time a backup can restore (1990-01-01, UTC).
EARLIEST_STATE_TIME = datetime(1990, 1, 1, tzinfo=UTC).timestamp()
#: How far in the future (seconds) a restored read or star time may be (clock skew).
STATE_TIME_SLACK = 86_400.0


def state_time_ok(ts: float, now: float | None = None) -> bool:
    """Whether ``ts`` is a sane read or star time: from 1990 to a day from now."""
    latest = (time.time() if now is None else now) + STATE_TIME_SLACK
    return EARLIEST_STATE_TIME <= ts <= latest


_NOT_A_STATE_TIME = "not an ISO 8601 time from 1990 to now"


def _state_time(data: dict[str, Any], key: str, ignored: list[str]) -> float | None:
    """A read or star time of an export (an ISO 8601 string, or the datetime YAML
    makes of one); anything else, or a time out of range, is noted in ``ignored``."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str | date):  # a datetime is a date too
        ignored.append(f"{key} {_shown(value)} ({_NOT_A_STATE_TIME})")
        return None
    ts = _timestamp(value)
    if ts is None:
        ignored.append(f"{key} {_shown(value)} ({_NOT_A_STATE_TIME})")
        return None
    if not state_time_ok(ts):
        ignored.append(f"{key} {_shown(value)} ({_NOT_A_STATE_TIME})")
        return None
    return ts


def _shown(value: Any) -> str:
    """A value for a one-line warning: its repr, escapes and all, at most 40 characters."""
    text = repr(value.isoformat() if isinstance(value, date) else value)
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """A stored article as a list of hits shows it (search and related results extend it)."""

    id: str
    title: str
    source: str
    published: str | None
    origin: str
    url: str


def iso_time(ts: float | None) -> str | None:
    """An ISO 8601 time; ``None`` for none, and for one no datetime can hold (a
    library written before times were checked may have one: year 10000, NaN)."""
    if ts is None:
        return None
    try:
        return datetime.fromtimestamp(ts, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _timestamp(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    when = parse_datetime(value)
    if when is None:
        return None
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    return ""


def _list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str) and value.strip():
        return [s for s in (p.strip() for p in value.split(",")) if s]
    return []


_WS = re.compile(r"\s+")


def article_id(
    *, url: str = "", title: str = "", source: str = "", published: datetime | None = None
) -> str:
    """A stable id: from the URL when there is one, else from title + source + date.

    Re-importing the same article (same URL, or the same brief pasted again) gives the
    same id, so its read/star state is kept.
    """
    if url:
        key = "url:" + url.strip()
    else:
        day = published.astimezone(UTC).date().isoformat() if published else ""
        key = "brief:" + "|".join(
            _WS.sub(" ", part).strip().casefold() for part in (title, source, day)
        )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def local_article_id(origin: str, key: str = "") -> str:
    """The id of an article read from a local file that has no URL and no explicit id:
    from the file's path (and, for a file holding several articles, ``key``, which
    tells them apart).  Two different files never share an id; the same file read
    again gives the same id.  (Before schema 4 such an article was keyed by title,
    source and day alone, so files with one title overwrote each other.)"""
    raw = "file:" + origin + ("\x1f" + key if key else "")
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def legacy_article_ids(article: Article) -> list[str]:
    """The ids the readers derive from an article's content when it has no URL and no
    explicit id (title, source and day, or title and source): what local files were
    keyed by before :func:`local_article_id`.  Empty for an article with a URL."""
    if article.url:
        return []
    with_day = article_id(title=article.title, source=article.source, published=article.published)
    without = article_id(title=article.title, source=article.source)
    return [with_day] if with_day == without else [with_day, without]


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
)


def parse_datetime(value: Any) -> datetime | None:
    """Parse an ISO 8601 / RFC 822 / plain date into an aware datetime (UTC if naive)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _convertible(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if hasattr(value, "isoformat") and hasattr(value, "year"):  # datetime.date from YAML
        try:
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        except (TypeError, ValueError):
            return None
    text = str(value).strip()
    if not text or len(text) > 64:
        return None
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        parsed = None
    if parsed is None:
        from email.utils import parsedate_to_datetime

        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return _convertible(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def _convertible(when: datetime) -> datetime | None:
    """``when``, or ``None`` when it has no UTC time (9999-12-31T23:59-23:59 is in the
    year 10000 in UTC: it could be neither sorted nor written out again)."""
    try:
        when.astimezone(UTC)
    except OverflowError:
        return None
    return when
