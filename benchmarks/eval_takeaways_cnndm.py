"""Derived takeaways on real news nobody here wrote: ../shared/eval/takeaways-cnndm.

Each article is read the way the app reads a Markdown file (``briefreader.sources``)
and given derived takeaways by ``insight.with_derived_takeaways``; they are scored
against the article's human-written highlights (``refs.json``) with the standard
``rouge-score`` package (ROUGE-1/2/L F1, stemming on, ×100), beside lead-3 (the first
three sentences of the same body, ``insight.lead_sentences``).  Also reported: the
mean words and count of takeaways per article, and the median time to derive one
article's takeaways.  The set's README gives the figures to beat (lead-3 R-1 40.31,
R-2 18.35; briefreader 0.1.0 35.27 / 16.24).

    python benchmarks/eval_takeaways_cnndm.py [--eval ../shared/eval/takeaways-cnndm]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from briefreader.insight import lead_sentences, with_derived_takeaways
from briefreader.model import Article
from briefreader.sources import read_file

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent / "shared" / "eval" / "takeaways-cnndm"
INSTALL_HINT = "rouge-score is missing: pip install -e '.[eval]'"
METRICS = ("rouge1", "rouge2", "rougeL")
#: Each article's derive is timed this many times and the fastest run kept.
REPEATS = 5


def _scorer() -> Any:
    try:
        from rouge_score import rouge_scorer  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit(INSTALL_HINT) from exc
    return rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)


def load(path: Path) -> list[tuple[Article, list[str]]]:
    """The set's articles as the app reads them, each with its highlights."""
    refs: dict[str, list[str]] = json.loads((path / "refs.json").read_text(encoding="utf-8"))
    out = []
    for rel, highlights in sorted(refs.items()):
        (article,) = read_file(path / rel).articles
        out.append((article, highlights))
    return out


def derive(article: Article) -> list[str]:
    """The takeaways the app shows for an article without its own."""
    return list(with_derived_takeaways(article).takeaways)


def time_ms(articles: list[Article], repeats: int = REPEATS) -> float:
    """Median over the articles of the milliseconds to derive one article's
    takeaways (each the best of ``repeats`` runs, so a busy machine counts less)."""
    times = []
    for article in articles:
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            with_derived_takeaways(article)
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
    return statistics.median(times) if times else 0.0


def feed_items() -> list[Article]:
    """Feed items and articles without takeaways of their own, as the app stores them:
    the project's test feeds and evaluation articles, and ../shared/corpus/feeds."""
    from briefreader.sources.feed import parse_feed

    root = HERE.parent
    items: list[Article] = []
    feeds = sorted((root / "tests" / "data" / "feeds").glob("*"))
    shared = root.parent / "shared" / "corpus" / "feeds"
    if shared.is_dir():
        feeds += sorted(p for p in shared.rglob("*") if p.is_file() and "LICENSE" not in p.name)
    for path in feeds:
        try:
            parsed = parse_feed(path.read_bytes(), url=f"https://feeds.example/{path.name}")
        except Exception:  # broken feeds are part of the corpus
            continue
        items += [a for a in parsed.items if not a.takeaways]
    for path in sorted((root / "tests" / "data" / "related").rglob("*.md")):
        for article in read_file(path).articles:
            items.append(article.with_changes(takeaways=(), takeaways_derived=False))
    return items


def evaluate(path: Path = DEFAULT) -> dict[str, dict[str, float]]:
    """ROUGE-1/2/L F1 (×100), mean words and mean count per article, for
    briefreader's derived takeaways and for lead-3; briefreader's entry also holds
    ``ms``, the median milliseconds to derive one article's takeaways (best of
    :data:`REPEATS` runs each)."""
    scorer = _scorer()
    systems: dict[str, list[list[str]]] = {"briefreader": [], "lead-3": []}
    rows = load(path)
    for article, _highlights in rows:
        systems["briefreader"].append(derive(article))
        systems["lead-3"].append(lead_sentences(article.body, 3))
    result: dict[str, dict[str, float]] = {}
    for name, outputs in systems.items():
        sums = dict.fromkeys(METRICS, 0.0)
        words = count = 0.0
        for (_article, highlights), chosen in zip(rows, outputs, strict=True):
            scores = scorer.score("\n".join(highlights), "\n".join(chosen))
            for metric in METRICS:
                sums[metric] += scores[metric].fmeasure
            words += sum(len(t.split()) for t in chosen)
            count += len(chosen)
        n = max(1, len(rows))
        result[name] = {m: 100 * sums[m] / n for m in METRICS}
        result[name].update(words=words / n, count=count / n, articles=float(len(rows)))
    result["briefreader"]["ms"] = time_ms([article for article, _ in rows])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT)
    args = parser.parse_args()
    if not (args.eval / "refs.json").exists():
        print(f"skipped: {args.eval} is absent", file=sys.stderr)
        return 0
    try:
        import rouge_score  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    result = evaluate(args.eval)
    n = int(result["lead-3"]["articles"])
    print(f"{n} articles, ROUGE F1 x100 (rouge-score, stemming on)")
    print(f"{'system':<12} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'words':>6} {'count':>6}")
    for name, row in result.items():
        print(
            f"{name:<12} {row['rouge1']:6.2f} {row['rouge2']:6.2f} {row['rougeL']:6.2f} "
            f"{row['words']:6.1f} {row['count']:6.2f}"
        )
    items = feed_items()
    derived = [a for a in items if with_derived_takeaways(a).takeaways]
    print(f"derive: median {result['briefreader']['ms']:.3f} ms per article (best of {REPEATS})")
    print(
        f"feed items: median {time_ms(items):.3f} ms over {len(items)} items; "
        f"{time_ms(derived):.3f} ms over the {len(derived)} long enough to get takeaways"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
