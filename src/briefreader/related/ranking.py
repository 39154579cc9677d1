"""Ranking: retrieval from the index, re-ranking by score, folding of copies."""

from __future__ import annotations

import heapq
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, NamedTuple

from briefreader.model import ArticleRef
from briefreader.related.index import A_TAKEAWAYS, TermCache, lookup, meta
from briefreader.related.scoring import (
    ENTITY_BOOST,
    RELATED_MIN,
    SAME_STORY_THRESHOLD,
    ArticleText,
    Profile,
    copy_similarity,
    idf_table,
    profile,
    profile_of,
    similarity,
    weigh,
)
from briefreader.related.terms import BODY_CHARS

__all__ = [
    "CANDIDATES",
    "CANDIDATE_SQL",
    "Candidate",
    "RelatedHit",
    "by_score",
    "candidate",
    "fold_copies",
    "query_weights",
    "rank",
    "row_text",
]

#: Terms of the target looked up in the index.
QUERY_TERMS = 24
#: Signature and query terms are chosen by ``tf ** TF_POWER × idf``: the words a
#: story repeats before words that are merely rare.
TF_POWER = 2.0
#: A term in more than this share of the articles is not looked up (it selects nothing).
MAX_DF_SHARE = 0.05
#: Articles re-ranked after retrieval.
CANDIDATES = 40
#: Two hits whose texts are this alike (cosine) are copies of one text: shown once.
COPY_THRESHOLD = 0.85


@dataclass(frozen=True, slots=True)
class RelatedHit(ArticleRef):
    """One entry of the related list (the article's :class:`ArticleRef` fields first).

    ``score`` is in 0..1; ``same_story`` is ``score >= SAME_STORY_THRESHOLD``.
    ``other_sources`` names the outlets whose near-identical copies of this article
    were folded into it (``copies`` holds their ids).
    """

    score: float
    same_story: bool
    other_sources: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "score": round(self.score, 4)}


class Candidate(NamedTuple):
    """An article being re-ranked: its row id, what a hit shows of it, its profile."""

    rowid: int
    hit: RelatedHit
    profile: Profile

    @property
    def id(self) -> str:
        return self.hit.id

    @property
    def source(self) -> str:
        return self.hit.source


#: A candidate's row: rowid, the :class:`ArticleRef` fields, then :func:`row_text`'s.
CANDIDATE_SQL = (
    "SELECT a.rowid, a.id, a.title, coalesce(s.name, ''), a.published, a.origin, a.url, "
    f"a.summary, {A_TAKEAWAYS}, substr(a.body, 1, {BODY_CHARS}), a.sort_ts "
    "FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.rowid IN ({marks})"
)


def row_text(r: Sequence[Any]) -> ArticleText:
    """The text of a :data:`CANDIDATE_SQL` row."""
    return ArticleText(r[2], r[7], r[8], r[9], float(r[10]), r[3])


def candidate(r: Sequence[Any], prof: Profile) -> Candidate:
    """A :data:`CANDIDATE_SQL` row as a candidate (scored 0) with its profile."""
    return Candidate(r[0], RelatedHit(r[1], r[2], r[3], r[4], r[5], r[6], 0.0, False), prof)


def query_weights(target: Profile, known: TermCache, n_docs: int) -> dict[int, float]:
    """``{term id: weight}`` of the target's best :data:`QUERY_TERMS` terms that the
    index knows and that are not too common (what retrieval looks up)."""
    max_df = max(50, int(n_docs * MAX_DF_SHARE))
    log_n = math.log(n_docs + 1.0)
    scored: list[tuple[float, int]] = []
    for term, w in target.terms.items():
        entry = known.get(term)
        if entry is None or entry[1] > max_df:
            continue  # unknown to the index (nothing to find) or too common
        x = w**TF_POWER * (log_n - math.log(entry[1] + 0.5))
        scored.append((x * ENTITY_BOOST if term in target.entities else x, entry[0]))
    return {term_id: x for x, term_id in heapq.nlargest(QUERY_TERMS, scored)}


def _retrieve(
    db: sqlite3.Connection,
    target: Profile,
    known: TermCache,
    n_docs: int,
    exclude: int | None,
    candidates: int = CANDIDATES,
) -> list[int]:
    """Stage 1: the articles whose signatures best match the target's best terms."""
    weights = query_weights(target, known, n_docs)
    if not weights:
        return []
    marks = ",".join("?" * len(weights))
    acc: dict[int, float] = {}
    get = acc.get
    for term_id, doc, w in db.execute(
        f"SELECT term, doc, w FROM related_postings WHERE term IN ({marks})", list(weights)
    ):
        acc[doc] = get(doc, 0.0) + weights[term_id] * w
    if exclude is not None:
        acc.pop(exclude, None)
    return heapq.nlargest(candidates, acc, key=acc.__getitem__)


def _load_candidates(db: sqlite3.Connection, rowids: Sequence[int]) -> list[Candidate]:
    if not rowids:
        return []
    sql = CANDIDATE_SQL.format(marks=",".join("?" * len(rowids)))
    return [candidate(r, profile_of(row_text(r))) for r in db.execute(sql, list(rowids))]


def rank(
    db: sqlite3.Connection,
    *,
    title: str,
    summary: str,
    takeaways: str,
    body: str,
    published: float | None,
    source: str,
    exclude: int | None = None,
    exclude_id: str = "",
    limit: int = 8,
    min_score: float = RELATED_MIN,
    cache: TermCache | None = None,
    candidates: int = CANDIDATES,
) -> list[RelatedHit]:
    """The related list for an article (given by its text), best first.

    ``cache`` (kept by the caller between calls) saves looking up the same terms'
    ids and document frequencies again; it may be slightly stale, which only nudges
    scores.
    """
    target = profile(title, summary, takeaways, body, published=published, source=source)
    n_docs = max(1, meta(db, "docs"))
    known = lookup(db, target.terms, cache)
    rowids = _retrieve(db, target, known, n_docs, exclude, candidates)
    found = [c for c in _load_candidates(db, rowids) if c.id != exclude_id]
    if not found:
        return []
    union: set[str] = set()
    for c in found:
        union.update(c.profile.terms)
    union.difference_update(known)
    known.update(lookup(db, union, cache))
    idf = idf_table({t: v[1] for t, v in known.items()}, n_docs)
    weigh(target, idf, n_docs)
    for c in found:
        weigh(c.profile, idf, n_docs)
    scored = by_score(target, found)
    return fold_copies([(x, c) for x, c in scored if x >= min_score], limit)


def by_score(target: Profile, found: list[Candidate]) -> list[tuple[float, Candidate]]:
    """The candidates with their scores against the (weighed) target, best first."""
    scored = [(similarity(target, c.profile), c) for c in found]
    scored.sort(key=lambda xc: (-xc[0], xc[1].rowid))
    return scored


def fold_copies(scored: list[tuple[float, Candidate]], limit: int) -> list[RelatedHit]:
    """Show near-identical copies once: the best-ranked, labelled with the others."""
    kept: list[tuple[float, Candidate, list[Candidate]]] = []
    for score, c in scored:
        for _, head, copies in kept:
            if copy_similarity(head.profile, c.profile) >= COPY_THRESHOLD:
                copies.append(c)
                break
        else:
            if len(kept) >= limit:
                break
            kept.append((score, c, []))
    return [
        replace(
            head.hit,
            score=score,
            same_story=score >= SAME_STORY_THRESHOLD,
            other_sources=list(
                dict.fromkeys(c.source for c in copies if c.source and c.source != head.source)
            ),
            copies=[c.id for c in copies],
        )
        for score, head, copies in kept
    ]
