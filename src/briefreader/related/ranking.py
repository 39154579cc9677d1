"""Ranking: retrieval from the index, re-ranking by score, folding of copies."""

from __future__ import annotations

import heapq
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from operator import itemgetter
from typing import Any, NamedTuple

from briefreader.model import ArticleRef
from briefreader.related.index import A_TAKEAWAYS, IdfMemo, TermCache, lookup, meta
from briefreader.related.scoring import (
    ENTITY_BOOST,
    RELATED_MIN,
    SAME_STORY_AGREEMENT,
    SAME_STORY_CORE,
    SAME_STORY_MIN,
    SAME_STORY_SHARE_OF_BEST,
    SAME_STORY_SHARED_TERMS,
    ArticleText,
    Profile,
    add_details,
    copy_similarity,
    cosine,
    idf_table,
    profile,
    profile_of,
    similarity,
    weigh,
)
from briefreader.related.terms import ANALYSIS_CHARS, PROFILE_CHARS

__all__ = [
    "CANDIDATES",
    "CANDIDATE_SQL",
    "Candidate",
    "Group",
    "RelatedHit",
    "best_in_full",
    "by_score",
    "candidate",
    "fold_copies",
    "hits_of",
    "query_weights",
    "rank",
    "row_text",
    "same_story_flags",
]

#: Terms of the target looked up in the index.
QUERY_TERMS = 40
#: Signature and query terms are chosen by ``tf ** TF_POWER × idf``: the words a
#: story repeats before words that are merely rare.
TF_POWER = 2.0
#: A term in more than this share of the articles is not looked up (it selects nothing).
MAX_DF_SHARE = 0.05
#: ...nor one in more than this many: its postings are what retrieval reads, so this
#: bounds the sidebar's cost as the library grows (5% of 1,000,000 articles let a
#: query read ~190,000 postings, 4× the work at 250,000; 5,000 is 5% of 100,000).
MAX_DF = 5000
#: Articles re-ranked after retrieval (by their terms and names)...
CANDIDATES = 24
#: ...of which this many best are ranked in full (numbers, phrases, years too).
FULL_RANK = 16
#: Two hits whose texts are this alike (cosine) are copies of one text: shown once.
COPY_THRESHOLD = 0.85


@dataclass(frozen=True, slots=True)
class RelatedHit(ArticleRef):
    """One entry of the related list (the article's :class:`ArticleRef` fields first).

    ``score`` is in 0..1; ``same_story`` is the stricter decision of
    :func:`same_story_flags`.
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
    f"a.summary, {A_TAKEAWAYS}, substr(a.body, 1, {PROFILE_CHARS}), a.sort_ts, "
    f"substr(a.analysis_body, 1, {ANALYSIS_CHARS}) "
    "FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.rowid IN ({marks})"
)


def row_text(r: Sequence[Any]) -> ArticleText:
    """The text of a :data:`CANDIDATE_SQL` row."""
    return ArticleText(r[2], r[7], r[8], r[9], float(r[10]), r[3], r[11])


def candidate(r: Sequence[Any], prof: Profile) -> Candidate:
    """A :data:`CANDIDATE_SQL` row as a candidate (scored 0) with its profile."""
    return Candidate(r[0], RelatedHit(r[1], r[2], r[3], r[4], r[5], r[6], 0.0, False), prof)


def query_weights(
    target: Profile, known: TermCache, n_docs: int, *, stored: bool = True
) -> dict[int, float]:
    """``{term id: weight}`` of the target's best :data:`QUERY_TERMS` terms that the
    index knows and that are not too common (what retrieval looks up).

    ``stored``: the target is in the index, so a term only it has (document
    frequency 1) can find nothing else and is not looked up — a regional piece's own
    words (the baker, the oven) would otherwise crowd out the story's (the town,
    the quake)."""
    max_df = min(MAX_DF, max(50, int(n_docs * MAX_DF_SHARE)))
    min_df = 2 if stored else 1
    log_n = math.log(n_docs + 1.0)
    scored: list[tuple[float, int]] = []
    for term, w in target.terms.items():
        entry = known.get(term)
        if entry is None or not min_df <= entry[1] <= max_df:
            continue  # unknown to the index, only the target's, or too common
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
    """Stage 1: the articles whose signatures best match the target's best terms.

    One statement reads every term's postings window and sums them per article in
    SQLite (a Python loop over the ~20,000 postings read was a third of the
    sidebar's time at 1,000,000 articles); ties go to the newer article."""
    weights = query_weights(target, known, n_docs, stored=exclude is not None)
    if not weights:
        return []
    args: list[float] = []
    if exclude is None:  # an article not stored: the newest postings
        window = _NEWEST_WINDOW
        for term_id, x in weights.items():
            args += (x, term_id, POSTINGS_PER_TERM)
    else:  # those of the articles stored nearest it, before and after
        window = _NEAREST_WINDOWS
        half = POSTINGS_PER_TERM // 2
        for term_id, x in weights.items():
            args += (x, term_id, exclude, half, x, term_id, exclude, half)
    sql = (
        "SELECT doc FROM (" + " UNION ALL ".join([window] * len(weights)) + ") "
        "WHERE doc != ? GROUP BY doc ORDER BY sum(s) DESC, doc DESC LIMIT ?"
    )
    no_doc = -1 if exclude is None else exclude
    return [doc for (doc,) in db.execute(sql, [*args, no_doc, candidates])]


#: At most this many postings of a term are read (of the articles stored nearest the
#: target: the same story arrives around the same time): a term's list grows with the
#: library, and so would the sidebar's cost (at 1,000,000 synthetic articles a query
#: read ~200,000 postings).  Lists this short are read whole: every library up to
#: ~50,000 articles, and the eval sets.
POSTINGS_PER_TERM = 500
#: One term's postings, weighed by the term's query weight (``s``): the newest...
_NEWEST_WINDOW = (
    "SELECT doc, w * ? AS s FROM (SELECT doc, w FROM related_postings WHERE term = ? "
    "ORDER BY doc DESC LIMIT ?)"
)
#: ...or those nearest an article, half before it and half after.
_NEAREST_WINDOWS = (
    "SELECT doc, w * ? AS s FROM (SELECT doc, w FROM related_postings WHERE term = ? "
    "AND doc < ? ORDER BY doc DESC LIMIT ?) UNION ALL "
    "SELECT doc, w * ? FROM (SELECT doc, w FROM related_postings WHERE term = ? "
    "AND doc > ? ORDER BY doc LIMIT ?)"
)


#: A term cache entry's document frequency.
_DF = itemgetter(1)


def _load_candidates(db: sqlite3.Connection, rowids: Sequence[int]) -> list[Candidate]:
    if not rowids:
        return []
    sql = CANDIDATE_SQL.format(marks=",".join("?" * len(rowids)))
    return [
        candidate(r, profile_of(row_text(r), details=False)) for r in db.execute(sql, list(rowids))
    ]


def rank(
    db: sqlite3.Connection,
    *,
    title: str,
    summary: str,
    takeaways: str,
    body: str,
    published: float | None,
    source: str,
    analysis: str = "",
    exclude: int | None = None,
    exclude_id: str = "",
    limit: int = 8,
    min_score: float = RELATED_MIN,
    cache: TermCache | None = None,
    idf_memo: IdfMemo | None = None,
    candidates: int = CANDIDATES,
) -> list[RelatedHit]:
    """The related list for an article (given by its text), best first.

    ``cache`` (kept by the caller between calls) saves looking up the same terms'
    ids and document frequencies again; it may be slightly stale, which only nudges
    scores.  ``idf_memo`` (kept with the cache, and dropped when it is) saves
    weighing them again: the scores are the same with it or without.
    """
    target = profile(
        title, summary, takeaways, body, published=published, source=source, analysis=analysis
    )
    n_docs = max(1, meta(db, "docs"))
    known = lookup(db, target.terms, cache)
    rowids = _retrieve(db, target, known, n_docs, exclude, candidates)
    found = [c for c in _load_candidates(db, rowids) if c.id != exclude_id]
    if not found:
        return []
    idf = _idf(db, target, found, known, n_docs, cache, idf_memo)
    weigh(target, idf, n_docs)
    for c in found:
        weigh(c.profile, idf, n_docs)
    scored = by_score(target, best_in_full(target, found, FULL_RANK, idf, n_docs))
    groups = fold_copies([(x, c) for x, c in scored if x >= min_score], limit)
    hits = hits_of(groups, same_story_flags(target, groups))
    return sorted(hits, key=lambda h: not h.same_story)  # same story first, else by rank


def _idf(
    db: sqlite3.Connection,
    target: Profile,
    found: list[Candidate],
    known: TermCache,
    n_docs: int,
    cache: TermCache | None,
    memo: IdfMemo | None,
) -> dict[str, float]:
    """``{term: idf}`` for every term of the target and the candidates that the index
    knows (``known``: the target's, already looked up) — and only those: a number or
    a phrase's word that is none of them is weighed as unseen.  With a memo, only the
    terms it lacks are looked up and weighed; the table is then read out of it."""
    union: set[str] = set()
    for c in found:
        union.update(c.profile.terms)
    if memo is None or cache is None:
        union.difference_update(known)
        known = {**known, **lookup(db, union, cache)}
        return idf_table(dict(zip(known, map(_DF, known.values()), strict=True)), n_docs)
    union.update(known)
    with memo.lock:  # (a Library may be shared by threads: one count at a time)
        if memo.n_docs != n_docs:
            memo.idf.clear()
            memo.n_docs = n_docs
        idf = memo.idf
        missing = union.difference(idf)
        if missing:
            new = lookup(db, missing, cache)
            idf.update(idf_table(dict(zip(new, map(_DF, new.values()), strict=True)), n_docs))
        terms = list(filter(idf.__contains__, union))
        return dict(zip(terms, map(idf.__getitem__, terms), strict=True))


def best_in_full(
    target: Profile, found: list[Candidate], keep: int, idf: dict[str, float], n_docs: int
) -> list[Candidate]:
    """The ``keep`` candidates closest to the target by terms and names, with their
    details (numbers, phrases, years) found and weighed: the rest could not make the
    list, and finding details is the costly part of a profile."""
    if len(found) > keep:
        tv, tn = target.vectors[0], target.norms[0]
        found = sorted(
            found,
            key=lambda c: (-cosine(tv, c.profile.vectors[0], tn, c.profile.norms[0]), c.rowid),
        )[:keep]
    for c in found:
        add_details(c.profile, idf, n_docs)
    return found


def by_score(target: Profile, found: list[Candidate]) -> list[tuple[float, Candidate]]:
    """The candidates with their scores against the (weighed) target, best first."""
    scored = [(similarity(target, c.profile), c) for c in found]
    scored.sort(key=lambda xc: (-xc[0], xc[1].rowid))
    return scored


#: A hit being assembled: its score, the candidate shown, the copies folded into it.
Group = tuple[float, Candidate, list[Candidate]]


def fold_copies(scored: list[tuple[float, Candidate]], limit: int) -> list[Group]:
    """Show near-identical copies once: the best-ranked, with the others folded in."""
    kept: list[Group] = []
    for score, c in scored:
        for _, head, copies in kept:
            if copy_similarity(head.profile, c.profile) >= COPY_THRESHOLD:
                copies.append(c)
                break
        else:
            if len(kept) >= limit:
                break
            kept.append((score, c, []))
    return kept


def same_story_flags(target: Profile, groups: Sequence[Group]) -> list[bool]:
    """Which hits (best first) are the same story as ``target``: a stricter test than
    "related", tuned for precision.

    The story is built from the target outwards, best hit first.  A hit joins it when
    it scores :data:`SAME_STORY_MIN` or more with the target, shares at least
    :data:`SAME_STORY_SHARED_TERMS` terms with it, and its *agreement* —
    the mean of its score with the target and its scores (in time or not) with the
    story's first :data:`SAME_STORY_CORE` members — reaches
    :data:`SAME_STORY_SHARE_OF_BEST` of the best hit's score, bounded by
    :data:`SAME_STORY_AGREEMENT`.

    Reports of one event share its specifics (names, places, numbers) with each
    other; a look-alike event (another company's patch, another town's earthquake)
    shares only the topic's words, so it agrees little with the event's other reports
    even when it scores well with the target.  Measuring against the best hit keeps
    the test fair to a story told from different angles, whose reports are less
    alike than wire rewrites of one text.
    """
    if not groups:
        return []
    low, high = SAME_STORY_AGREEMENT
    needed = min(high, max(low, SAME_STORY_SHARE_OF_BEST * groups[0][0]))
    story: list[Profile] = []
    flags: list[bool] = []
    target_terms = target.terms.keys()
    for score, head, _ in groups:
        same = False
        if (
            score >= SAME_STORY_MIN
            and len(target_terms & head.profile.terms.keys()) >= SAME_STORY_SHARED_TERMS
        ):
            core = story[:SAME_STORY_CORE]
            agreement = (score + sum(similarity(p, head.profile, timed=False) for p in core)) / (
                1 + len(core)
            )
            same = agreement >= needed
        if same:
            story.append(head.profile)
        flags.append(same)
    return flags


def hits_of(groups: Sequence[Group], flags: Sequence[bool]) -> list[RelatedHit]:
    """The related list's entries for the folded groups and their same-story flags."""
    return [
        replace(
            head.hit,
            score=score,
            same_story=flag,
            other_sources=list(
                dict.fromkeys(c.source for c in copies if c.source and c.source != head.source)
            ),
            copies=[c.id for c in copies],
        )
        for (score, head, copies), flag in zip(groups, flags, strict=True)
    ]
