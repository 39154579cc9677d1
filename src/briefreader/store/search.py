"""Full-text search: what a person typed as a safe FTS5 query, ranked hits with
snippets, and the plain BM25 ranking of an article's salient words (the related list
of a read-only library whose related index does not exist yet).

The FTS5 index covers title, dek, takeaways, analysis and body; it is an
external-content table over the article columns, kept in step by triggers (see
:mod:`briefreader.store.schema`).

Ranking every match of a common word costs time in proportion to its matches (bm25
reads the whole of each term's list: 1.5 s for "the" at 1,000,000 articles), so a
query is first asked for its newest :data:`RANK_WINDOW` + 1 matches, which FTS5 reads
from the end of its lists and stops (a few ms).  A query with no more than that is
ranked exactly (bm25) and its count is exact; a commoner one is ranked within its
newest :data:`RANK_WINDOW` only (matches in the title first, then in the dek or
takeaways, newest first within each) and its count is an estimate
(:class:`Matches`, ``exact`` False: "about 960,000").
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefreader.model import Article, ArticleRef
from briefreader.store.base import StoreBase
from briefreader.store.rows import ARTICLES_FROM, SOURCE_NAME, named
from briefreader.store.unspaced import (
    CONTAINS,
    MAX_SUBSTRINGS,
    TEXT_COLUMNS,
    is_unspaced,
    like_pattern,
    snippet,
    substring_terms,
)

if TYPE_CHECKING:
    from briefreader.related import RelatedHit

# FTS5 column weights for bm25: title, summary, takeaways, analysis, body.
_BM25 = "bm25(articles_fts, 10.0, 4.0, 5.0, 2.0, 1.0)"

_HIT_REST = "a.published AS published, a.origin AS origin, a.url AS url"

#: What a hit shows of its article (over :data:`~rows.ARTICLES_FROM`): a feed's article
#: by the feed's name, as the list shows it (a rename wins).
_HIT_COLUMNS = f"a.id AS id, a.title AS title, {SOURCE_NAME} AS source, {_HIT_REST}"

#: The same over ``articles`` and ``sources`` only (the fallback for old files).
_HIT_COLUMNS_PLAIN = f"a.id AS id, a.title AS title, coalesce(s.name, '') AS source, {_HIT_REST}"


@dataclass(frozen=True, slots=True)
class SearchHit(ArticleRef):
    """One search result: the article's :class:`ArticleRef` fields, then the matching
    text (``\x02``/``\x03`` around the matched words) and the bm25 score (higher is
    better)."""

    snippet: str
    score: float


#: SQLite's steps between two looks at whether a reading of every article's text is
#: still wanted (each look a Python call: a few microseconds in a ~0.3 s scan).
STALE_STEPS = 20_000

#: A query with more matches than this is ranked within its newest this many only.
RANK_WINDOW = 2000
#: The same while typing (each keystroke's search, and the rows it loads).
TYPING_WINDOW = 500


@dataclass(frozen=True, slots=True)
class Matches:
    """What a query matched: ``(rowid, score)`` best first (at most the limit asked),
    and how many articles match in all: exact when ``exact``, else an estimate from
    how densely the newest :data:`RANK_WINDOW` matches lie (a common word)."""

    top: list[tuple[int, float]]
    total: int
    exact: bool


def about(n: int) -> int:
    """An estimated count rounded to two significant figures (12,345 → 12,000)."""
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return int(round(n / step) * step)


def _hit(r: sqlite3.Row, snippet: str, score: float) -> SearchHit:
    return SearchHit(
        r["id"], r["title"], r["source"], r["published"], r["origin"], r["url"], snippet, score
    )


_TOKEN = re.compile(r'"[^"]*"|[^\s"]+')
_WORDISH = re.compile(r"\w", re.UNICODE)


def last_prefix(text: str) -> str:
    """The word :func:`fts_query` would match as a prefix ("" when none would be)."""
    tokens = _TOKEN.findall(text)
    if not tokens or tokens[-1].startswith('"') or not _WORDISH.search(tokens[-1]):
        return ""
    return str(tokens[-1])


#: A prefix whose words' lists fill more pages of the search index than this is
#: matched as a whole word instead while typing: FTS5 merges the lists of every
#: word a prefix begins before it reads the first match ("mar" at 1,000,000 articles:
#: market, march, … 26,000 pages, 7 s; "str": 94 pages, 20 ms).
PREFIX_PAGES_MAX = 1000

#: The leaf pages of the search index that terms from ?2 up to ?1 span: per segment,
#: from the page where ?2 would be to the first page starting at or after ?1 (the
#: ``%_idx`` table holds each leaf page's first term; segments found by skip-scan).
_PREFIX_PAGES = """
WITH RECURSIVE seg(id) AS (
    SELECT min(segid) FROM articles_fts_idx
    UNION ALL
    SELECT (SELECT min(segid) FROM articles_fts_idx WHERE segid > seg.id) FROM seg
    WHERE seg.id IS NOT NULL
)
SELECT sum(
    coalesce(
        (SELECT pgno FROM articles_fts_idx WHERE segid = seg.id AND term >= ?1
         ORDER BY term LIMIT 1),
        (SELECT pgno FROM articles_fts_idx WHERE segid = seg.id ORDER BY term DESC LIMIT 1))
    - coalesce(
        (SELECT pgno FROM articles_fts_idx WHERE segid = seg.id AND term <= ?2
         ORDER BY term DESC LIMIT 1), 1))
FROM seg WHERE seg.id IS NOT NULL
"""


def fts_query(text: str, *, prefix_last: bool = True, stars: bool = True) -> str:
    """Turn what a person typed into a safe FTS5 query.

    Words are ANDed; ``"quoted phrases"`` stay phrases; every term is quoted, so FTS5
    operators and punctuation in the input are never interpreted.  The last word
    matches as a prefix (results as you type), and so does any word written with a
    trailing ``*`` (``strik*``: the command line matches whole words otherwise) unless
    ``stars`` is False (the app's as-you-type search, which bounds what a prefix may
    cost: see :meth:`SearchMixin.search_rowids`).  Returns "" when nothing is
    searchable.  (Words of a script written without spaces are left out: see
    :func:`query_parts`.)
    """
    return query_parts(text, prefix_last=prefix_last, stars=stars)[0]


def query_parts(
    text: str, *, prefix_last: bool = True, stars: bool = True
) -> tuple[str, tuple[str, ...]]:
    """What a person typed as :func:`fts_query`'s query of the words the index can
    find, and the terms it cannot, looked for as substrings: those holding a letter
    of a script written without spaces (:mod:`briefreader.store.unspaced`)."""
    terms: list[str] = []
    substrings: list[str] = []
    tokens = _TOKEN.findall(text)
    for i, tok in enumerate(tokens):
        starred = stars and not tok.startswith('"') and tok.endswith("*")
        phrase = tok.rstrip("*") if starred else tok.strip('"')
        if not _WORDISH.search(phrase):
            continue
        if is_unspaced(phrase):
            substrings.extend(substring_terms(phrase))
            continue
        quoted = '"' + phrase.replace('"', '""') + '"'
        is_last = i == len(tokens) - 1
        if starred or (prefix_last and is_last and not tok.startswith('"')):
            quoted += "*"
        terms.append(quoted)
    return " ".join(terms), tuple(dict.fromkeys(substrings))[:MAX_SUBSTRINGS]


def _plain_words(text: str) -> list[str]:
    """The words of a query that the index finds (as typed, without quotes or stars):
    marked in a snippet made for the terms it cannot find."""
    return [
        word
        for tok in _TOKEN.findall(text)
        if not is_unspaced(tok)
        for word in tok.strip('"*').split()
        if _WORDISH.search(word)
    ]


class SearchMixin(StoreBase):
    """The library's search methods."""

    def matches(
        self,
        match: str,
        *,
        limit: int,
        window: int | None = None,
        substrings: tuple[str, ...] = (),
        stale: Callable[[], bool] | None = None,
    ) -> Matches:
        """The best ``limit`` matches of an FTS5 query (see :func:`fts_query`) and how
        many there are; a query with more than ``window`` (default
        :data:`RANK_WINDOW`) matches is ranked within its newest ``window`` only (see
        the module's note).  An invalid query matches nothing.  With ``substrings``
        (:func:`query_parts`) only articles holding each of them match too."""
        db = self._db
        size = RANK_WINDOW if window is None else max(1, int(window))
        if substrings:
            return self._substring_matches(match, substrings, limit=limit, size=size, stale=stale)
        try:
            newest = [
                r[0]
                for r in db.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                    "ORDER BY rowid DESC LIMIT ?",
                    (match, size + 1),
                )
            ]
            if len(newest) <= size:
                top = db.execute(
                    f"SELECT rowid, {_BM25} AS score FROM articles_fts "
                    "WHERE articles_fts MATCH ? ORDER BY score LIMIT ?",
                    (match, int(limit)),
                ).fetchall()
                return Matches([(r[0], -float(r[1])) for r in top], len(newest), True)
            newest = newest[:size]
            low = newest[-1]
            tiers: dict[int, float] = {}
            for columns, tier in (("{summary takeaways}", 1.0), ("{title}", 2.0)):
                for (rowid,) in db.execute(
                    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ?",
                    (f"{columns} : ({match})", low),
                ):
                    tiers[rowid] = tier
            estimate = self._estimate(low, size)
        except sqlite3.OperationalError:
            return Matches([], 0, True)
        ranked = sorted(newest, key=lambda rowid: (-tiers.get(rowid, 0.0), -rowid))
        return Matches(
            [(rowid, tiers.get(rowid, 0.0)) for rowid in ranked[: int(limit)]], estimate, False
        )

    def _estimate(self, low: int, size: int) -> int:
        """How many articles match in all, estimated from the rowid ``low`` of the
        oldest of the newest ``size`` matches (how densely they lie)."""
        first, last = self._db.execute(
            "SELECT (SELECT min(rowid) FROM articles), (SELECT max(rowid) FROM articles)"
        ).fetchone()
        span = max(1, int(last) - low + 1)
        estimate = min(int(last) - int(first) + 1, size * (int(last) - int(first) + 1) // span)
        return about(max(estimate, size + 1))

    def _substring_matches(
        self,
        match: str,
        substrings: tuple[str, ...],
        *,
        limit: int,
        size: int,
        stale: Callable[[], bool] | None = None,
    ) -> Matches:
        """:meth:`matches` of a query with terms the index cannot find: the newest
        ``size`` articles holding every substring (and matching ``match``, if any),
        ranked as a common word is (the first term in the title, then in the dek or
        takeaways, newest first within each); its count exact unless there are more.
        It reads every article's text (~0.3 s at 100,000): ``stale`` is asked every
        :data:`STALE_STEPS` steps of SQLite's, and True stops it (nothing matches)."""
        params: dict[str, object] = {f"s{n}": like_pattern(t) for n, t in enumerate(substrings)}
        where = [CONTAINS.format(p=f":s{n}") for n in range(len(substrings))]
        if match:
            where.insert(0, "rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :m)")
            params["m"] = match
        params["n"] = size + 1
        if stale is not None:
            self._db.set_progress_handler(lambda: 1 if stale() else 0, STALE_STEPS)
        try:
            newest = self._db.execute(
                "SELECT rowid, CASE WHEN title LIKE :s0 ESCAPE '\\' THEN 2.0"
                " WHEN summary LIKE :s0 ESCAPE '\\' OR takeaways LIKE :s0 ESCAPE '\\'"
                " THEN 1.0"
                f" ELSE 0.0 END FROM articles WHERE {' AND '.join(where)}"
                " ORDER BY rowid DESC LIMIT :n",
                params,
            ).fetchall()
            exact = len(newest) <= size
            total = len(newest) if exact else self._estimate(int(newest[size - 1][0]), size)
        except sqlite3.OperationalError:  # (stale: "interrupted")
            return Matches([], 0, True)
        finally:
            if stale is not None:
                self._db.set_progress_handler(None, 0)
        ranked = sorted(newest[:size], key=lambda r: (-float(r[1]), -int(r[0])))
        return Matches([(int(r[0]), float(r[1])) for r in ranked[: int(limit)]], total, exact)

    def search(self, query: str, *, limit: int = 20, prefix_last: bool = True) -> list[SearchHit]:
        """Ranked full-text search (bm25, title and takeaways weighted up) with snippets.

        Ranking touches the FTS index only; snippets and article fields are fetched
        for the few rows shown, not for every match.  A common word is ranked within
        its newest matches (:meth:`matches`); :meth:`search_with_count` says how many.
        """
        return self.search_with_count(query, limit=limit, prefix_last=prefix_last)[0]

    def search_with_count(
        self, query: str, *, limit: int = 20, prefix_last: bool = True
    ) -> tuple[list[SearchHit], int, bool]:
        """:meth:`search`'s hits, the number of matches, and whether that number is
        exact (else an estimate: a common word)."""
        match, substrings = query_parts(query, prefix_last=prefix_last)
        if not match and not substrings:
            return [], 0, True
        found = self.matches(match, limit=limit, substrings=substrings)
        hits = self._hits(match, found.top, substrings, _plain_words(query))
        return hits, found.total, found.exact

    def _hits(
        self,
        match: str,
        top: list[tuple[int, float]],
        substrings: tuple[str, ...] = (),
        words: Sequence[str] = (),
    ) -> list[SearchHit]:
        if not top:
            return []
        marks = ",".join("?" * len(top))
        texts = "".join(f", a.{c} AS text_{c}" for c in TEXT_COLUMNS) if substrings else ""
        shown = {
            r["rowid"]: r
            for r in named(
                self._db,
                f"SELECT a.rowid AS rowid, {_HIT_COLUMNS}{texts} {ARTICLES_FROM} "
                f"WHERE a.rowid IN ({marks})",
                [rowid for rowid, _ in top],
            )
        }
        hits = []
        for rowid, score in top:
            m = shown.get(rowid)
            if m is None:
                continue
            if substrings:  # (the index cannot place these terms: see store.unspaced)
                texts_in_order = [str(m[f"text_{c}"] or "") for c in TEXT_COLUMNS]
                hits.append(_hit(m, snippet(texts_in_order, substrings, words), score))
                continue
            snip = self._db.execute(
                "SELECT snippet(articles_fts, -1, '\x02', '\x03', '…', 16) FROM articles_fts "
                "WHERE articles_fts MATCH ? AND rowid = ?",
                (match, rowid),
            ).fetchone()
            hits.append(_hit(m, snip[0] if snip else "", score))
        return hits

    def prefix_pages(self, prefix: str) -> int:
        """How many pages of the search index the words beginning with ``prefix``
        fill (an estimate from the index's page directory; 0 when unknown)."""
        low = ("0" + prefix.lower()).encode()  # "0": the main index's terms
        try:
            row = self._db.execute(_PREFIX_PAGES, (low + b"\xff", low)).fetchone()
        except sqlite3.Error:
            return 0
        return int(row[0] or 0) if row else 0

    def search_rowids(
        self, query: str, *, wide: bool = False, stale: Callable[[], bool] | None = None
    ) -> Matches:
        """What the article list shows while typing: the best matches' rowids (the
        last word a prefix, unless the words it begins are too many to merge in time:
        :data:`PREFIX_PAGES_MAX`), and how many match (a common word: its newest,
        counted approximately; see :meth:`matches`).  At most :data:`TYPING_WINDOW`
        of a query's newest matches are looked at (``wide``: :data:`RANK_WINDOW`).
        ``stale`` (say, "the reader typed on") stops a reading of every article's text
        (:meth:`_substring_matches`) as soon as it answers True: nothing matches."""
        limit = window = RANK_WINDOW if wide else TYPING_WINDOW
        prefix = last_prefix(query)
        affordable = bool(prefix) and self.prefix_pages(prefix) <= PREFIX_PAGES_MAX
        match, substrings = query_parts(query, prefix_last=affordable, stars=False)
        if not match and not substrings:
            return Matches([], 0, True)
        return self.matches(match, limit=limit, window=window, substrings=substrings, stale=stale)

    def search_ids(self, query: str) -> list[str]:
        """Ids matching a query, best first (:meth:`search_rowids`, wide)."""
        top = self.search_rowids(query, wide=True).top
        ids: dict[int, str] = {}
        for start in range(0, len(top), 500):
            chunk = [rowid for rowid, _ in top[start : start + 500]]
            marks = ",".join("?" * len(chunk))
            ids.update(
                self._db.execute(f"SELECT rowid, id FROM articles WHERE rowid IN ({marks})", chunk)
            )
        return [ids[rowid] for rowid, _ in top if rowid in ids]

    def _similar_fts(self, article: Article, *, limit: int = 8) -> list[SearchHit]:
        """The first ranking (bm25 over the article's salient words): used only on a
        library opened read-only before its related index exists (and as the
        baseline the related ranking is measured against)."""
        words = _salient_words(article)
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        try:
            rows = named(
                self._db,
                f"""
                SELECT {_HIT_COLUMNS_PLAIN}, {_BM25} AS score
                FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
                LEFT JOIN sources s ON s.id = a.source_id
                WHERE articles_fts MATCH ? AND a.id != ?
                ORDER BY score LIMIT ?
                """,
                (match, article.id, int(limit)),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [_hit(r, "", -float(r["score"])) for r in rows]


_STOPWORDS = frozenset(
    """a about after again against all also an and any are as at be because been before being
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just last more most my
    new no nor not now of off on once only or other our out over own said same says she should so
    some such than that the their them then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would year years you
    your week weeks month months day days today yesterday""".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}", re.UNICODE)


def _salient_words(article: Article, limit: int = 12) -> list[str]:
    """Words that best name an article: from its title and takeaways first, then its dek."""
    counts: dict[str, float] = {}
    weighted = (
        (article.title, 3.0),
        (" ".join(article.takeaways), 1.5),
        (article.summary, 1.0),
        (article.body[:2000], 0.3),
    )
    for text, weight in weighted:
        for word in _WORD.findall(text):
            w = word.lower().strip("'’-")
            if len(w) < 3 or w in _STOPWORDS:
                continue
            counts[w] = counts.get(w, 0.0) + weight * (1.5 if word[0].isupper() else 1.0)
    return [w for w, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:limit]]


def related_hit(h: SearchHit) -> RelatedHit:
    """A search hit as an entry of the related list (never "same story")."""
    from briefreader.related import RelatedHit  # (loaded by what ranks: see related/)

    return RelatedHit(h.id, h.title, h.source, h.published, h.origin, h.url, h.score, False)
