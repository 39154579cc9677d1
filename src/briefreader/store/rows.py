"""Row mapping: the values the library hands out and how table rows become them.

Every query that reads articles or feeds uses one of the column lists below, whose
columns are named (``expr AS name``), and maps the rows by name through one function:
:func:`article_row` (the article list), :func:`article` (a whole article) and
:func:`feed_info` (a subscription).  :func:`article_values` is the other direction:
an article as the ``INSERT`` of :meth:`~briefreader.store.Library.store` wants it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal, TypeVar, cast
from urllib.parse import urlsplit

from briefreader.model import Analysis, Article, RelatedLink
from briefreader.store.lazy import default_base, rendered
from briefreader.store.media import enclosures_from_json, enclosures_json

if TYPE_CHECKING:
    from briefreader.sources.feedlazy import LazyArticle

Filter = Literal["all", "unread", "starred"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """What the article list needs of an article: cheap to load by the hundred thousand."""

    rowid: int
    id: str
    title: str
    source: str
    sort_ts: float
    read: bool
    starred: bool
    origin: str = ""

    @property
    def shown_source(self) -> str:
        """The source as the list names it: an article with none (a file that names
        none) goes by where it came from, its file's name or its page's host."""
        return self.source or origin_name(self.origin)


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A subscription and how its last fetch went."""

    id: int
    url: str
    title: str
    """The feed's own title (from its document, or the name it was first added with)."""
    site_url: str
    tags: tuple[str, ...]
    etag: str | None
    last_modified: str | None
    added_at: float
    last_fetched: float | None
    last_ok: float | None
    last_status: int | None
    last_error: str
    dead: bool
    retry_after: float | None
    item_count: int
    unread_count: int
    user_title: str = ""
    """The name the user gave it (``rename``, an imported OPML file); "" for none."""

    @property
    def name(self) -> str:
        """What the feed is called everywhere (:data:`FEED_NAME`): the user's name for
        it, else its own title, else its URL."""
        return self.titled_name or self.url

    @property
    def titled_name(self) -> str:
        """The user's name for it, else its own title ("" when it has neither)."""
        return self.user_title or self.title

    @property
    def failing(self) -> bool:
        """Whether its last fetch failed (or it is gone)."""
        return bool(self.last_error) or self.dead


@dataclass(frozen=True, slots=True)
class FeedCount:
    """A feed in the feeds pane: its name, tags and unread articles."""

    id: int
    name: str
    """The feed's name (:attr:`FeedInfo.name`)."""
    tags: tuple[str, ...]
    unread: int
    failing: bool = False
    """Its last fetch failed (or it is gone): the pane marks it."""


@dataclass(frozen=True, slots=True)
class UnreadCounts:
    """Unread articles: in all, per tag and per feed (:meth:`Library.unread_counts`)."""

    total: int
    """Every unread article, from feeds or not (the "All" entry)."""
    tags: tuple[tuple[str, int], ...]
    """``(tag, unread)`` for every tag of a feed, by name; a tag's count sums its feeds'."""
    feeds: tuple[FeedCount, ...]
    """Every feed, by name."""


@dataclass(slots=True)
class StoreCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


_FILTERS = {"all": "", "unread": "read_at IS NULL", "starred": "starred_at IS NOT NULL"}


def filter_sql(filter: Filter, *, join: Literal["WHERE", "AND"] = "WHERE") -> str:
    """The condition ``filter`` puts on the ``articles`` table, after ``join`` ("" for
    every article)."""
    condition = _FILTERS[filter]
    return f" {join} {condition}" if condition else ""


def _columns(columns: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{expr} AS {name}" for name, expr in columns)


#: A feed's one name (``f``): the user's name for it, else its own title, else its URL.
FEED_NAME = "coalesce(nullif(f.user_title, ''), nullif(f.title, ''), f.url)"

#: The name an article's source goes by (``a``, ``s``, ``f`` of :data:`ARTICLES_FROM`):
#: a feed's articles carry the feed's name (:data:`FEED_NAME`), so the list, the
#: article and the feeds pane agree and a rename shows everywhere; other articles
#: (files) their own source's.
SOURCE_NAME = "coalesce(nullif(f.user_title, ''), nullif(f.title, ''), s.name, '')"

#: Articles with their source's name and their feed (``a``, ``s`` and ``f``; the feed
#: by its primary key, one lookup a row).
ARTICLES_FROM = (
    "FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
    "LEFT JOIN feeds f ON f.id = a.feed_id"
)

#: The article list's row: :class:`ArticleRow`'s fields.
ROW_SELECT = "SELECT " + _columns(
    (
        ("rowid", "a.rowid"),
        ("id", "a.id"),
        ("title", "a.title"),
        ("source", SOURCE_NAME),
        ("sort_ts", "a.sort_ts"),
        ("read", "a.read_at IS NOT NULL"),
        ("starred", "a.starred_at IS NOT NULL"),
        ("origin", "a.origin"),
    )
)

#: A whole article: :class:`~briefreader.model.Article`'s fields, as stored.
ARTICLE_SELECT = "SELECT " + _columns(
    (
        ("id", "a.id"),
        ("title", "a.title"),
        ("summary", "a.summary"),
        ("url", "a.url"),
        ("source", SOURCE_NAME),
        ("author", "a.author"),
        ("published", "a.published"),
        ("image_caption", "a.image_caption"),
        ("takeaways", "a.takeaways"),
        ("takeaways_derived", "a.takeaways_derived"),
        ("analysis_label", "a.analysis_label"),
        ("analysis_title", "a.analysis_title"),
        ("analysis_body", "a.analysis_body"),
        ("analysis_byline", "a.analysis_byline"),
        ("analysis_kicker", "a.analysis_kicker"),
        ("has_analysis", "a.has_analysis"),
        ("body", "a.body"),
        ("tags", "a.tags"),
        ("related", "a.related"),
        ("origin", "a.origin"),
        # a feed item stored lazily (store/lazy.py); body_html NULL: an eager row
        ("body_html", "a.body_html"),
        ("dek_html", "a.dek_html"),
        ("html_base", "a.html_base"),
        ("dek_base", "a.dek_base"),
        ("content_hash", "a.content_hash"),
        # the lead image and enclosures (store/media.py, schema 11)
        ("image_url", "a.image_url"),
        ("image_alt", "a.image_alt"),
        ("enclosures", "a.enclosures"),
    )
)


def without_media(select: str) -> str:
    """An article query for a library from before schema 11 (one opened read-only is
    not migrated): no lead image, no enclosures."""
    return (
        select.replace("a.image_url AS", "'' AS")
        .replace("a.image_alt AS", "'' AS")
        .replace("a.enclosures AS", "'' AS")
    )


#: :data:`ARTICLE_SELECT` for a library whose schema predates lazy feed items (one
#: opened read-only is not migrated): every row an eager one.
ARTICLE_SELECT_EAGER = (
    ARTICLE_SELECT.replace("a.body_html AS", "NULL AS")
    .replace("a.dek_html AS", "NULL AS")
    .replace("a.html_base AS", "'' AS")
    .replace("a.dek_base AS", "'' AS")
)

#: A subscription with its item and unread counts (``FROM feeds f``).
FEED_SELECT = "SELECT " + _columns(
    (
        ("id", "f.id"),
        ("url", "f.url"),
        ("title", "f.title"),
        ("user_title", "f.user_title"),
        ("site_url", "f.site_url"),
        ("tags", "f.tags"),
        ("etag", "f.etag"),
        ("last_modified", "f.last_modified"),
        ("added_at", "f.added_at"),
        ("last_fetched", "f.last_fetched"),
        ("last_ok", "f.last_ok"),
        ("last_status", "f.last_status"),
        ("last_error", "f.last_error"),
        ("dead", "f.dead"),
        ("retry_after", "f.retry_after"),
        ("item_count", "(SELECT count(*) FROM articles a WHERE a.feed_id = f.id)"),
        (
            "unread_count",
            "(SELECT count(*) FROM articles a WHERE a.feed_id = f.id AND a.read_at IS NULL)",
        ),
    )
)


def named(
    db: sqlite3.Connection, sql: str, params: Sequence[object] | Mapping[str, object] = ()
) -> sqlite3.Cursor:
    """Run a query whose rows are read by column name (:class:`sqlite3.Row`)."""
    cur = db.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, params)


def chunks(items: Sequence[_T], size: int = 500) -> Iterator[tuple[list[_T], str]]:
    """``items`` a few hundred at a time (SQLite's limit on bound parameters), each
    chunk with its ``?,?,…`` placeholders."""
    for start in range(0, len(items), size):
        chunk = list(items[start : start + size])
        yield chunk, ",".join("?" * len(chunk))


def article_row(r: sqlite3.Row) -> ArticleRow:
    """A :data:`ROW_SELECT` row."""
    return ArticleRow(
        r["rowid"],
        r["id"],
        r["title"],
        r["source"],
        r["sort_ts"],
        bool(r["read"]),
        bool(r["starred"]),
        r["origin"] or "",
    )


def origin_name(origin: str) -> str:
    """A short name for where an article came from: a page's host, a file's name."""
    if "://" in origin:
        with contextlib.suppress(ValueError):
            return urlsplit(origin).hostname or ""
        return ""
    return PurePath(origin).name


def feed_info(r: sqlite3.Row) -> FeedInfo:
    """A :data:`FEED_SELECT` row."""
    tags = str(r["tags"])
    return FeedInfo(
        id=int(str(r["id"])),
        url=str(r["url"]),
        title=str(r["title"]),
        site_url=str(r["site_url"]),
        tags=tuple(tags.split("\n")) if tags else (),
        etag=None if r["etag"] is None else str(r["etag"]),
        last_modified=None if r["last_modified"] is None else str(r["last_modified"]),
        added_at=float(str(r["added_at"])),
        last_fetched=None if r["last_fetched"] is None else float(str(r["last_fetched"])),
        last_ok=None if r["last_ok"] is None else float(str(r["last_ok"])),
        last_status=None if r["last_status"] is None else int(str(r["last_status"])),
        last_error=str(r["last_error"]),
        dead=bool(r["dead"]),
        retry_after=None if r["retry_after"] is None else float(str(r["retry_after"])),
        item_count=int(str(r["item_count"])),
        unread_count=int(str(r["unread_count"])),
        user_title=str(r["user_title"]),
    )


def article(r: sqlite3.Row, *, derive: bool = True) -> Article:
    """An :data:`ARTICLE_SELECT` row.  An article with no takeaways of its own gets
    derived ones (cheap for one article; far too dear for every item of every
    refresh), unless ``derive`` is false: the article exactly as stored."""
    published = datetime.fromisoformat(str(r["published"])) if r["published"] else None
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    analysis = (
        Analysis(
            label=str(r["analysis_label"]),
            title=str(r["analysis_title"]),
            body=str(r["analysis_body"]),
            byline=str(r["analysis_byline"]),
            kicker=str(r["analysis_kicker"]),
        )
        if r["has_analysis"]
        else None
    )
    related_json = str(r["related"])
    related = (
        tuple(RelatedLink.from_dict(d) for d in json.loads(related_json)) if related_json else ()
    )
    tags = str(r["tags"])
    takeaways = str(r["takeaways"])
    stored = Article(
        id=str(r["id"]),
        title=str(r["title"]),
        summary=str(r["summary"]),
        url=str(r["url"]),
        source=str(r["source"]),
        author=str(r["author"]),
        published=published,
        image_caption=str(r["image_caption"]),
        takeaways=tuple(takeaways.split("\n")) if takeaways else (),
        takeaways_derived=bool(r["takeaways_derived"]),
        analysis=analysis,
        body=str(r["body"]),
        tags=tuple(tags.split("\n")) if tags else (),
        related=related,
        origin=str(r["origin"]),
        image_url=str(r["image_url"]),
        image_alt=str(r["image_alt"]),
        enclosures=enclosures_from_json(str(r["enclosures"])),
    )
    stored = rendered(stored, r)  # a lazily stored feed item: rendered now (cached)
    if derive and not stored.takeaways:
        # Imported here: insight compiles its patterns on import (~50 ms), which a
        # command that never reads a whole article (search, list) need not pay.
        from briefreader.insight import with_derived_takeaways

        return with_derived_takeaways(stored)
    return stored


#: The columns :func:`article_values` fills, in its order.
ARTICLE_VALUES_COLUMNS = (
    "id, title, summary, url, source_id, author, published, sort_ts, "
    "image_caption, takeaways, takeaways_derived, analysis_label, analysis_title, "
    "analysis_body, analysis_byline, analysis_kicker, has_analysis, body, tags, "
    "related, origin, content_hash, added_at, updated_at, "
    "body_html, dek_html, html_base, dek_base, image_url, image_alt, enclosures"
)


def article_values(
    art: Article, source_id: int | None, digest: str, now: float
) -> tuple[object, ...]:
    """An article as stored (:data:`ARTICLE_VALUES_COLUMNS`)."""
    an = art.analysis
    return (
        art.id,
        art.title,
        art.summary,
        art.url,
        source_id,
        art.author,
        art.published.isoformat() if art.published else None,
        art.published.timestamp() if art.published else now,
        art.image_caption,
        "\n".join(art.takeaways),
        int(art.takeaways_derived),
        an.label if an else "",
        an.title if an else "",
        an.body if an else "",
        an.byline if an else "",
        an.kicker if an else "",
        int(an is not None),
        art.body,
        "\n".join(art.tags),
        json.dumps([r.to_dict() for r in art.related], ensure_ascii=False) if art.related else "",
        art.origin,
        digest,
        now,
        now,
        *_lazy_values(art),
        art.image_url,
        art.image_alt,
        enclosures_json(art.enclosures),
    )


def _lazy(art: Article) -> LazyArticle | None:
    """``art`` if it is a refresh's lazy item.  (Its module is not imported here: a
    command that only reads, ``briefreader search``, starts ~8 ms sooner, and no
    object can be a LazyArticle before its module is loaded.)"""
    module = sys.modules.get("briefreader.sources.feedlazy")
    if module is None or not isinstance(art, module.LazyArticle):
        return None
    return cast("LazyArticle", art)  # (the check above is on the module's class)


def _lazy_values(art: Article) -> tuple[str | None, str | None, str, str]:
    """``body_html, dek_html, html_base, dek_base`` (store/lazy.py): NULLs for an
    article stored as it is."""
    lazy = _lazy(art)
    if lazy is None:
        return None, None, "", ""
    base = default_base(lazy.url, lazy.origin)
    return (
        lazy.html,
        lazy.dek_html,
        "" if lazy.html_base == base else lazy.html_base,
        "" if lazy.dek_base == base else lazy.dek_base,
    )


def content_hash(article: Article) -> str:
    """A digest of every field (cheap: joined text, no JSON)."""
    a, an = article, article.analysis
    parts: tuple[str, ...] = (
        a.id, a.title, a.summary, a.url, a.source, a.author,
        a.published.isoformat() if a.published else "", a.image_caption,
        "\x1e".join(a.takeaways), "1" if a.takeaways_derived else "0",
        "\x1e".join((an.label, an.title, an.body, an.byline, an.kicker)) if an else "\x00",
        a.body, "\x1e".join(a.tags),
        "\x1e".join(f"{r.title}\x1d{r.url}" for r in a.related), a.origin,
    )  # fmt: skip
    if a.image_url or a.image_alt or a.enclosures:  # (none: the hash as before schema 11)
        media = "\x1e".join(
            f"{e.url}\x1d{e.type}\x1d{e.length}\x1d{e.duration}" for e in a.enclosures
        )
        parts = (*parts, "media", a.image_url, a.image_alt, media)
    lazy = _lazy(a)
    if lazy is not None:  # what it renders from (its body is the HTML's text)
        dek = "\x00" if lazy.dek_html is None else lazy.dek_html
        parts = (*parts, "lazy", lazy.html, lazy.html_base, dek, lazy.dek_base)
    payload = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(payload, digest_size=16).hexdigest()
