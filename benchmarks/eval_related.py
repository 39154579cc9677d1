"""Related articles and "same story", judged on labelled sets: ours beside TF-IDF.

Three sets, one measure (the metrics of ../shared/eval/README.md):

* ``ecbplus`` — ../shared/eval/related-ecbplus: real news nobody here wrote, 22
  topics of twin events (read in place, never copied; skipped when absent);
* ``lookalike`` — tests/data/lookalike: our own hard set, 12 stories in look-alike
  pairs, five angles each (regional human-interest, market, opinion, follow-up…);
* ``briefs`` — tests/data/related: the first release's set (10 five-article stories,
  look-alike pairs and distractors).

Every article is a query; the other articles of its event are the answers
(R = event size - 1).  precision@k = same-event hits in the top min(k, R) /
min(k, R); recall@10; twin@5 = share of the top-5 slots taken by the twin (look-alike)
event; "same story" precision over the flagged entries and recall over min(R, 10);
and, with the shipped list (the sidebar's: up to 8, the shipped floor), how many
queries find none of their event's articles ("missed") and how many find nothing.

    python benchmarks/eval_related.py [ecbplus|lookalike|briefs ...]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefreader.ingest import import_paths
from briefreader.related import RELATED_MIN
from briefreader.related.terms import normalize
from briefreader.store import Library

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ECBPLUS = REPO.parent / "shared" / "eval" / "related-ecbplus"
LOOKALIKE = REPO / "tests" / "data" / "lookalike"
BRIEFS = REPO / "tests" / "data" / "related"
#: How many related articles the sidebar lists (briefreader.reading.related_entries).
SIDEBAR = 8


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """Files to import, each file's event, and each event's twin group."""

    name: str
    files: list[Path]
    event: dict[Path, str]  # resolved path -> event
    twin_group: dict[str, str]  # event -> the group it shares with its look-alike


def ecbplus(path: Path = ECBPLUS) -> LabelledSet | None:
    labels_file = path / "labels.json"
    if not labels_file.exists():
        return None
    labels: dict[str, str] = json.loads(labels_file.read_text())
    event = {(path / rel).resolve(): ev for rel, ev in labels.items()}
    return LabelledSet(
        "ECB+ (real news)", sorted(event), event, {e: e.split("-")[0] for e in set(event.values())}
    )


def lookalike(path: Path = LOOKALIKE) -> LabelledSet | None:
    labels_file = path / "labels.json"
    if not labels_file.exists():
        return None
    labels: dict[str, dict[str, str]] = json.loads(labels_file.read_text())
    event = {(path / name).resolve(): v["story"] for name, v in labels.items()}
    twins = {v["story"]: v["pair"] for v in labels.values()}
    return LabelledSet("look-alike briefs (ours)", sorted(event), event, twins)


def briefs(path: Path = BRIEFS) -> LabelledSet | None:
    event: dict[Path, str] = {}
    twins: dict[str, str] = {}
    for part in sorted(path.glob("part-*")):
        mapping: dict[str, object] = json.loads((part / "stories.json").read_text())
        pairs = mapping.pop("_lookalikes", {})
        assert isinstance(pairs, dict)
        for name, story in mapping.items():
            event[(part / name).resolve()] = f"{part.name}/{story}"
        for a, b in pairs.items():
            twins[f"{part.name}/{a}"] = twins[f"{part.name}/{b}"] = f"{part.name}/{a}"
    if not event:
        return None
    return LabelledSet("first-release briefs (ours)", sorted(event), event, twins)


SETS: dict[str, Callable[[], LabelledSet | None]] = {
    "ecbplus": ecbplus,
    "lookalike": lookalike,
    "briefs": briefs,
}

#: A ranking: query id -> [(id, same_story)] best first.
Ranking = dict[str, list[tuple[str, bool]]]


@dataclass(frozen=True, slots=True)
class Figures:
    queries: int
    p1: float
    p3: float
    p5: float
    recall10: float
    twin5: float
    same_precision: float | None = None
    same_recall: float | None = None
    same_per_query: float | None = None
    missed: int | None = None
    empty: int | None = None

    def row(self, name: str) -> str:
        same = (
            f"{self.same_precision:.3f} / {self.same_recall:.3f} ({self.same_per_query:.1f}/q)"
            if self.same_precision is not None
            else "—"
        )
        missed = f"{self.missed} ({self.empty} empty)" if self.missed is not None else "—"
        return (
            f"| {name} | {self.queries} | {self.p1:.3f} | {self.p3:.3f} | {self.p5:.3f} | "
            f"{self.recall10:.3f} | {self.twin5:.3f} | {same} | {missed} |"
        )


HEADER = (
    "| ranking | queries | P@1 | P@3 | P@5 | recall@10 | twin@5 | same story: precision / "
    "recall (flags) | sidebar missed the story |\n|---|---|---|---|---|---|---|---|---|"
)


def figures(
    ranking: Ranking,
    event_of: dict[str, str],
    twin_group: dict[str, str],
    *,
    flags: bool,
    missed: int | None = None,
    empty: int | None = None,
) -> Figures:
    size = Counter(event_of.values())
    p = {1: 0.0, 3: 0.0, 5: 0.0}
    recall10 = twin5 = 0.0
    flagged = flagged_right = same_recall = 0.0
    queries = 0
    for query, hits in ranking.items():
        event = event_of[query]
        answers = size[event] - 1
        if answers < 1:
            continue
        queries += 1
        events = [event_of.get(h, "") for h, _ in hits]
        for k in p:
            top = min(k, answers)
            p[k] += sum(e == event for e in events[:top]) / top
        recall10 += sum(e == event for e in events[:10]) / answers
        group = twin_group.get(event)
        twin5 += (
            sum(e != event and twin_group.get(e) == group for e in events[:5]) / 5 if group else 0.0
        )
        right = sum(1 for (h, same), e in zip(hits, events, strict=True) if same and e == event)
        flagged += sum(1 for _, same in hits if same)
        flagged_right += right
        same_recall += min(right, 10) / min(answers, 10)
    q = max(queries, 1)
    return Figures(
        queries,
        p[1] / q,
        p[3] / q,
        p[5] / q,
        recall10 / q,
        twin5 / q,
        flagged_right / max(flagged, 1) if flags else None,
        same_recall / q if flags else None,
        flagged / q if flags else None,
        missed,
        empty,
    )


_WORD = re.compile(r"[^\W_]+")


def tfidf_ranking(texts: dict[str, str], k: int = 10) -> Ranking:
    """The baseline: TF-IDF cosine over title + text (sublinear tf, smoothed idf,
    our stopwords and plural stemming), no threshold."""
    counts = {
        i: Counter(t for t in (normalize(w) for w in _WORD.findall(text.lower())) if t)
        for i, text in texts.items()
    }
    n = len(counts)
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    idf = {t: math.log((n + 1) / (d + 1)) + 1 for t, d in df.items()}
    vectors: dict[str, dict[str, float]] = {}
    for i, c in counts.items():
        v = {t: (1 + math.log(x)) * idf[t] for t, x in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[i] = {t: x / norm for t, x in v.items()}
    postings: dict[str, list[tuple[str, float]]] = {}
    for i, v in vectors.items():
        for t, x in v.items():
            postings.setdefault(t, []).append((i, x))
    ranking: Ranking = {}
    for i, v in vectors.items():
        acc: dict[str, float] = {}
        for t, x in v.items():
            for j, y in postings[t]:
                acc[j] = acc.get(j, 0.0) + x * y
        acc.pop(i, None)
        best = sorted(acc, key=lambda j: (-acc[j], j))[:k]
        ranking[i] = [(j, False) for j in best]
    return ranking


def evaluate(labelled: LabelledSet, *, baseline: bool = True) -> dict[str, Figures]:
    """Import the set into a fresh library; ours (ranking with flags, and the shipped
    sidebar list) beside the TF-IDF baseline (``baseline=False``: ours only)."""
    from briefreader.reading import related_entries

    with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "eval.sqlite3") as lib:
        report = import_paths(lib, [str(f) for f in labelled.files])
        assert report.ok, report.errors[:3]
        lib.index_related()
        lib.update_stories()
        articles = {a.id: a for a in lib.articles()}
        event_of = {i: labelled.event[Path(a.origin).resolve()] for i, a in articles.items()}
        hits = {i: lib.related(i, limit=10, min_score=0) for i in articles}
        ours: Ranking = {i: [(h.id, h.same_story) for h in found] for i, found in hits.items()}
        size = Counter(event_of.values())
        missed = empty = 0
        for i, a in articles.items():
            if size[event_of[i]] < 2:
                continue
            if a.related:  # links the article names: the sidebar lists them too
                shown = [e.article_id for e in related_entries(lib, a)]
            else:  # the sidebar's list is these hits' first 8 over the floor
                shown = [h.id for h in hits[i] if h.score >= RELATED_MIN][:SIDEBAR]
            missed += not any(event_of.get(s) == event_of[i] for s in shown)
            empty += not shown
        texts = {i: a.title + "\n" + a.body for i, a in articles.items()}
    result = {
        "briefreader": figures(
            ours, event_of, labelled.twin_group, flags=True, missed=missed, empty=empty
        )
    }
    if baseline:
        result["TF-IDF cosine"] = figures(
            tfidf_ranking(texts), event_of, labelled.twin_group, flags=False
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help=f"any of {', '.join(SETS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [s for s in args.sets if s not in SETS]
    if unknown:
        parser.error(f"unknown set: {', '.join(unknown)}")
    for key in args.sets or list(SETS):
        labelled = SETS[key]()
        if labelled is None:
            print(f"{key}: skipped, its files are absent", file=sys.stderr)
            continue
        print(f"\n### {labelled.name}\n\n{HEADER}")
        for name, fig in evaluate(labelled).items():
            print(fig.row(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
