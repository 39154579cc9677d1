"""The related-articles evaluation, shared by tests/test_related.py and
benchmarks/bench_related.py.

The set (tests/data/related/part-*/) is Markdown briefs plus a ``stories.json`` per
part: file name -> story id, and ``"_lookalikes": {story: look-alike story}`` (a
different story that shares its vocabulary: two strikes, two storms…).

Metrics, over every article of every story that has at least 3 articles (the
"5-article stories"; look-alike pairs and single distractors are only in the pool):

* **precision@5** — of the first 5 entries of the article's related list, how many
  are the same story, divided by ``min(5, number of other articles of its story)``
  (4 for a 5-article story), capped at 1.  A folded near-identical copy counts as
  retrieved along with the entry it is folded into (it is shown as "+ source").
  Reported as the mean over articles.
* **look-alike intrusion** — the share of the top ``min(5, others)`` slots (the
  slots the story's own articles should fill: 4 for a 5-article story) taken by
  articles of the story's paired look-alike story, over all articles that have one.
  (The first release counted all 5 slots; the list now fills the slots past the
  story's own articles with the best it has, shown as "Related", on purpose.)

All parts are loaded into one library, so each part's articles compete with the
other part's too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefreader.ingest import import_paths
from briefreader.model import Article
from briefreader.store import Library

DATA = Path(__file__).resolve().parent / "data" / "related"
PARTS = ("part-a", "part-b")

#: article -> ranked entries, each a list of ids (the entry's id, then folded copies).
Ranker = Callable[[Library, Article], list[list[str]]]


@dataclass(frozen=True, slots=True)
class Truth:
    story: dict[str, str]  # article id -> story
    part: dict[str, str]  # article id -> part
    lookalike: dict[str, str]  # story -> its look-alike story
    members: dict[str, list[str]]  # story -> article ids


@dataclass(frozen=True, slots=True)
class Scores:
    precision_at_5: float
    intrusion: float
    queries: int
    per_story: dict[str, float]

    def line(self) -> str:
        return (
            f"precision@5 {self.precision_at_5:.3f}, look-alike intrusion "
            f"{self.intrusion:.1%} ({self.queries} articles)"
        )


def parts_present() -> list[str]:
    return [p for p in PARTS if (DATA / p / "stories.json").is_file()]


def load(library: Library, parts: Sequence[str] = PARTS) -> Truth:
    """Import the set's Markdown files into ``library``; returns the ground truth."""
    story: dict[str, str] = {}
    part_of: dict[str, str] = {}
    lookalike: dict[str, str] = {}
    for part in parts:
        folder = DATA / part
        mapping = json.loads((folder / "stories.json").read_text(encoding="utf-8"))
        lookalike.update(mapping.pop("_lookalikes", {}))
        files = sorted(folder.glob("*.md"))
        report = import_paths(library, [str(f) for f in files])
        assert report.ok, report.errors
        for f in files:
            art = library.find(str(f))
            assert art is not None, f
            if f.name in mapping:
                story[art.id] = f"{part}/{mapping[f.name]}"
            part_of[art.id] = part
        lookalike = {
            (k if "/" in k else f"{part}/{k}"): (v if "/" in v else f"{part}/{v}")
            for k, v in lookalike.items()
        }
    members: dict[str, list[str]] = {}
    for art_id, s in story.items():
        members.setdefault(s, []).append(art_id)
    return Truth(story, part_of, lookalike, members)


def evaluate(
    library: Library, truth: Truth, ranker: Ranker, *, part: str | None = None, k: int = 5
) -> Scores:
    precisions: list[float] = []
    per_story: dict[str, list[float]] = {}
    look_slots = 0
    look_total = 0
    for s, ids in sorted(truth.members.items()):
        if len(ids) < 3:
            continue
        for art_id in ids:
            if part is not None and truth.part[art_id] != part:
                continue
            art = library.get(art_id)
            assert art is not None
            entries = ranker(library, art)[:k]
            relevant = len(ids) - 1
            hits = sum(1 for e in entries for i in e if truth.story.get(i) == s)
            p = min(1.0, hits / min(k, relevant))
            precisions.append(p)
            per_story.setdefault(s, []).append(p)
            other = truth.lookalike.get(s)
            if other is not None:
                slots = min(k, relevant)
                look_total += slots
                look_slots += sum(1 for e in entries[:slots] if truth.story.get(e[0]) == other)
    n = len(precisions)
    return Scores(
        precision_at_5=sum(precisions) / n if n else 0.0,
        intrusion=look_slots / look_total if look_total else 0.0,
        queries=n,
        per_story={s: sum(v) / len(v) for s, v in per_story.items()},
    )


def ours(library: Library, article: Article) -> list[list[str]]:
    return [[h.id, *h.copies] for h in library.related(article, limit=5)]


def bm25_baseline(library: Library, article: Article) -> list[list[str]]:
    """Plain BM25: the library's full-text index queried with the article's salient
    words (the first ranking briefreader had)."""
    return [[h.id] for h in library._similar_fts(article, limit=5)]


#: article -> [(id, score)] for as many articles as the ranking returns.
Scorer = Callable[[Library, Article], list[tuple[str, float]]]


def separation(
    library: Library, truth: Truth, scorer: Scorer, *, part: str | None = None
) -> tuple[float, float]:
    """How well one fixed same-story threshold can work across articles:
    ``(auc, margin)`` over (article, other article) pairs pooled over all the set's
    5-article stories' articles (an article the ranking does not return scores 0).

    ``auc``: the chance that a same-story pair scores above a pair of different
    stories.  ``margin``: the lowest same-story score minus the highest other score
    (positive: some threshold separates them all)."""
    same: list[float] = []
    other: list[float] = []
    for s, ids in sorted(truth.members.items()):
        if len(ids) < 3:
            continue
        for art_id in ids:
            if part is not None and truth.part[art_id] != part:
                continue
            art = library.get(art_id)
            assert art is not None
            scores = dict(scorer(library, art))
            for i in truth.part:
                if i != art_id:
                    (same if truth.story.get(i) == s else other).append(scores.get(i, 0.0))
    # Mann-Whitney U over the pooled scores (ties count half).
    ranked = sorted([(x, 1) for x in same] + [(x, 0) for x in other])
    rank_sum = 0.0
    lo = 0
    while lo < len(ranked):
        hi = lo
        while hi < len(ranked) and ranked[hi][0] == ranked[lo][0]:
            hi += 1
        mid = (lo + hi + 1) / 2.0  # 1-based average rank of the tie group
        rank_sum += mid * sum(1 for k in range(lo, hi) if ranked[k][1])
        lo = hi
    n1, n0 = len(same), len(other)
    if not n1 or not n0:
        return 0.0, 0.0
    return (rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0), min(same) - max(other)


def ours_scores(library: Library, article: Article) -> list[tuple[str, float]]:
    out = []
    for h in library.related(article, limit=100, min_score=0.0):
        out += [(h.id, h.score)] + [(c, h.score) for c in h.copies]
    return out


def bm25_scores(library: Library, article: Article) -> list[tuple[str, float]]:
    return [(h.id, h.score) for h in library._similar_fts(article, limit=100)]
