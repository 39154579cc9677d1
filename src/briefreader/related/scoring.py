"""Scoring: an article's profile (terms, names, numbers, phrases), its tf-idf
vectors, and the related score of two profiles (see :func:`similarity`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import repeat
from operator import add, itemgetter, mul, sub
from typing import NamedTuple

from briefreader.related.terms import (
    ANALYSIS_CHARS,
    NAME_BOOST,
    PROFILE_CHARS,
    index_terms,
    name_terms,
    phrase_pairs,
)

__all__ = [
    "RELATED_MIN",
    "SAME_STORY_AGREEMENT",
    "SAME_STORY_CORE",
    "SAME_STORY_MIN",
    "SAME_STORY_SHARE_OF_BEST",
    "ArticleText",
    "Profile",
    "add_details",
    "copy_similarity",
    "cosine",
    "features",
    "idf_of",
    "idf_table",
    "profile",
    "profile_of",
    "similarity",
    "weigh",
]

#: Score (0..1) under which an article shares too little to be listed at all: a low
#: floor (the list is cut by rank first, see :func:`briefreader.related.rank`).
RELATED_MIN = 0.03
#: "Same story" is a stricter decision than "related" (see
#: :func:`briefreader.related.ranking.same_story_flags`): a hit needs at least this
#: score with the article, and enough agreement with the story found so far.
SAME_STORY_MIN = 0.10
#: How many of the story's first members a hit is compared with.
SAME_STORY_CORE = 3
#: The agreement a hit needs: this share of the best hit's score, within
#: :data:`SAME_STORY_AGREEMENT`.  Tuned for precision on real news and on our own
#: briefs (docs/EVALUATION.md).
SAME_STORY_SHARE_OF_BEST = 0.7
SAME_STORY_AGREEMENT = (0.15, 0.30)
#: The fewest terms a hit must share with the article to be its story: two short
#: items sharing one word ("link") scored high on so little (reports of one event,
#: even one-line ones, share its who, what and where).
SAME_STORY_SHARED_TERMS = 3


_Vector = dict[str, float]


@dataclass(slots=True)
class Profile:
    """What the re-ranking compares: weighted terms, names, numbers, phrases, years.

    :func:`profile` fills the text part; :func:`weigh` adds the tf-idf vectors once
    document frequencies are known.  A profile made with ``details=False`` holds
    terms and names only (what ranks the candidates first) and its text, from which
    :func:`add_details` finds numbers, phrases and years later, for the few that
    are ranked in full.
    """

    terms: dict[str, float]
    entities: frozenset[str]
    numbers: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, str]] = frozenset()
    years: frozenset[str] = frozenset()
    published: float | None = None
    source: str = ""
    vectors: tuple[_Vector, _Vector, _Vector, _Vector] = ({}, {}, {}, {})
    norms: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    text: str = ""  # (until add_details: the text its details are found in)
    detailed: bool = True


class ArticleText(NamedTuple):
    """What the analysis reads of an article (the body from its start)."""

    title: str
    summary: str
    takeaways: str
    body: str
    published: float | None = None
    source: str = ""
    analysis: str = ""


_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*%?")
# A year 1950-2049 standing alone (not part of a longer number, a decimal or a time).
# The look-behind comes after the digits: a pattern that starts with one is tried at
# every character (~4× slower on an article).
_YEAR = re.compile(r"(?:19[5-9]\d|20[0-4]\d)(?<![\d.,]\d{4})(?![\d%]|[.,:]\d)")


def _is_specific_number(tok: str) -> bool:
    if "%" in tok or "." in tok or ":" in tok:
        return True
    value = int(tok) if tok.isdigit() else 0
    if 1900 <= value <= 2100:  # a year: common to every story of the season
        return False
    return value >= 10


def profile(
    title: str,
    summary: str,
    takeaways: str,
    body: str,
    *,
    published: float | None = None,
    source: str = "",
    analysis: str = "",
    details: bool = True,
) -> Profile:
    """Analyse an article for re-ranking: its terms, names, numbers, phrases, years.

    Terms are :func:`index_terms` over the first :data:`PROFILE_CHARS` of the body,
    title words counted once, and the first :data:`ANALYSIS_CHARS` of the editor's
    analysis.  Names are words capitalised inside sentences of the dek, takeaways,
    body and analysis that the text never writes in lower case (a title's capitals
    say nothing; :func:`~briefreader.related.terms.name_terms`).  Numbers are the specific ones (percentages, decimals,
    times, 10 and over, not years); phrases are pairs of adjacent terms within a
    sentence; years (1950–2049) are kept apart: two reports of one event name the
    same years, a look-alike event years later names others.  ``details=False``
    leaves numbers, phrases and years to :func:`add_details`.
    """
    analysis = analysis[:ANALYSIS_CHARS]
    terms = index_terms(
        title, summary, takeaways, body, chars=PROFILE_CHARS, title_weight=1, extra=analysis
    )
    text = summary + "\n" + takeaways + "\n" + body[:PROFILE_CHARS] + "\n" + analysis
    names = name_terms(text, terms)
    p = Profile(
        terms=terms,
        entities=frozenset(names),
        published=published,
        source=source,
        text=title + ".\n" + text,
        detailed=False,
    )
    if details:
        _find_details(p)
    return p


def _find_details(p: Profile) -> None:
    everything = p.text
    p.numbers = frozenset(
        n
        for n in (m.replace(",", "") for m in _NUMBER.findall(everything))
        if _is_specific_number(n)
    )
    p.phrases = phrase_pairs(everything)
    p.years = frozenset(_YEAR.findall(everything))
    p.text = ""
    p.detailed = True


def add_details(p: Profile, idf: dict[str, float], n: int) -> None:
    """Find a ``details=False`` profile's numbers, phrases and years and weigh them
    (after :func:`weigh`); nothing to do for a detailed one."""
    if p.detailed:
        return
    _find_details(p)
    nums, phrases = _detail_vectors(p, idf, n)
    terms, ents = p.vectors[0], p.vectors[1]
    p.vectors = (terms, ents, nums, phrases)
    p.norms = (p.norms[0], p.norms[1], _norm(nums), _norm(phrases))


def profile_of(text: ArticleText, *, details: bool = True) -> Profile:
    """:func:`profile` of an :class:`ArticleText`."""
    return profile(
        text.title,
        text.summary,
        text.takeaways,
        text.body,
        published=text.published,
        source=text.source,
        analysis=text.analysis,
        details=details,
    )


def idf_of(df: int, n: int) -> float:
    """The idf of a term in ``df`` of ``n`` articles (0 when it is everywhere)."""
    return max(0.0, math.log((n + 1.0) / (df + 0.5)))


#: Extra weight of a name in the all-terms vector (see
#: :data:`briefreader.related.terms.NAME_BOOST`).
ENTITY_BOOST = NAME_BOOST
#: Weights of the parts of the score: cosine over all terms, over names only, over
#: specific numbers only, over two-word phrases only, and agreement of the years
#: named.  All terms carry the topic; the other parts are the evidence that tells
#: one event from a look-alike one (see docs/EVALUATION.md for the measurements).
W_TERMS, W_ENTITIES, W_NUMBERS, W_PHRASES, W_YEARS = 1.0, 0.1, 0.1, 0.2, 0.1
_W_TOTAL = W_TERMS + W_ENTITIES + W_NUMBERS + W_PHRASES
#: Days at which closeness in time has faded to half.
TIME_SCALE_DAYS = 4.0
#: Share of the score that depends on closeness in time.
TIME_WEIGHT = 0.35
#: Factor for a hit from the target's own outlet (other outlets' takes first).
SAME_SOURCE_FACTOR = 0.92


# The sidebar runs these over a few thousand terms a query: they iterate in C (map,
# filter, zip) and add up in the same order as a plain loop would, so every score is
# the same float.


def _norm(v: _Vector) -> float:
    return math.sqrt(sum(map(mul, v.values(), v.values()))) or 1.0


def idf_table(dfs: dict[str, int], n: int) -> dict[str, float]:
    """``{term: idf}`` for :func:`weigh` (terms missing from it are new: highest idf)."""
    log_n = math.log(n + 1.0)
    logs = map(math.log, map(add, dfs.values(), repeat(0.5)))
    return dict(zip(dfs, map(max, repeat(0.0), map(sub, repeat(log_n), logs)), strict=True))


def _positive(v: _Vector) -> _Vector:
    """``v`` without its zero entries (a weight times an idf of 0)."""
    return {t: x for t, x in v.items() if x > 0} if 0.0 in v.values() else v


def weigh(p: Profile, idf: dict[str, float], n: int) -> None:
    """Fill the profile's tf-idf vectors (all terms, names, numbers, phrases)."""
    unseen = idf_of(0, n)
    keys = p.terms.keys()
    terms = _positive(
        dict(zip(keys, map(mul, p.terms.values(), map(idf.get, keys, repeat(unseen))), strict=True))
    )
    if ENTITY_BOOST != 1.0:
        for term in p.entities:
            if term in terms:
                terms[term] *= ENTITY_BOOST
    ents: _Vector = {t: terms[t] for t in p.entities if t in terms}
    nums, phrases = _detail_vectors(p, idf, n)
    p.vectors = (terms, ents, nums, phrases)
    p.norms = (_norm(terms), _norm(ents), _norm(nums), _norm(phrases))


def _detail_vectors(p: Profile, idf: dict[str, float], n: int) -> tuple[_Vector, _Vector]:
    unseen = idf_of(0, n)
    get = idf.get
    nums: _Vector = {}
    for t in p.numbers:
        x = get(t, unseen)
        if x > 0:
            nums[t] = x * (1.0 if len(t) > 2 or not t.isdigit() else 0.5)
    pairs = list(p.phrases)
    firsts = map(get, map(_FIRST, pairs), repeat(unseen))
    seconds = map(get, map(_SECOND, pairs), repeat(unseen))
    phrases = _positive(dict(zip(map(" ".join, pairs), map(add, firsts, seconds), strict=True)))
    return nums, phrases


_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def cosine(a: _Vector, b: _Vector, na: float, nb: float) -> float:
    """The cosine of two sparse vectors, given their norms."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    common = list(filter(b.__contains__, a))  # (in a's order)
    dot: float = sum(map(mul, map(a.__getitem__, common), map(b.__getitem__, common)))
    return dot / (na * nb)


def years_agree(a: frozenset[str], b: frozenset[str]) -> float:
    """How far two articles name the same years, in -0.5..0.5: their Jaccard minus
    one half when both name some, else 0 (no evidence either way)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b) - 0.5


Features = tuple[float, float, float, float, float]


def features(q: Profile, d: Profile) -> Features:
    """The parts of the score of two weighed profiles: the cosines of all terms, of
    names, of numbers and of phrases, and the agreement of the years named."""
    qv, dv, qn, dn = q.vectors, d.vectors, q.norms, d.norms
    return (
        cosine(qv[0], dv[0], qn[0], dn[0]),
        cosine(qv[1], dv[1], qn[1], dn[1]) if W_ENTITIES else 0.0,
        cosine(qv[2], dv[2], qn[2], dn[2]) if W_NUMBERS else 0.0,
        cosine(qv[3], dv[3], qn[3], dn[3]) if W_PHRASES else 0.0,
        years_agree(q.years, d.years),
    )


def similarity(q: Profile, d: Profile, *, timed: bool = True) -> float:
    """The related score of two weighed profiles, in 0..1.

    ``((W_TERMS·cos_terms + W_ENTITIES·cos_names + W_NUMBERS·cos_numbers +
    W_PHRASES·cos_phrases + W_YEARS·years) / (sum of the weights but W_YEARS)) × time
    × source`` (clamped to 0..1), where ``time`` is ``1 - TIME_WEIGHT + TIME_WEIGHT / (1 + days / TIME_SCALE_DAYS)``
    and ``source`` is :data:`SAME_SOURCE_FACTOR` for the same outlet, else 1.
    ``timed=False`` leaves out ``time`` (how alike two texts are, whenever written).
    """
    terms, ents, nums, phrases, years = features(q, d)
    score = (
        W_TERMS * terms
        + W_ENTITIES * ents
        + W_NUMBERS * nums
        + W_PHRASES * phrases
        + W_YEARS * years
    ) / _W_TOTAL
    if timed and q.published is not None and d.published is not None:
        days = abs(q.published - d.published) / 86400.0
        score *= (1.0 - TIME_WEIGHT) + TIME_WEIGHT / (1.0 + days / TIME_SCALE_DAYS)
    if q.source and q.source == d.source:
        score *= SAME_SOURCE_FACTOR
    return min(1.0, max(0.0, score))


def copy_similarity(a: Profile, b: Profile) -> float:
    """Cosine of the all-terms vectors (1.0 for the same text)."""
    return cosine(a.vectors[0], b.vectors[0], a.norms[0], b.norms[0])
