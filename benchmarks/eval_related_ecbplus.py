"""Related articles on real news nobody here wrote: ../shared/eval/related-ecbplus.

Every article is a query; the other articles of its event are the answers
(R = event size - 1).  Prints precision@1/3/5 (same-event hits in the top
min(k, R) / min(k, R)), recall@10, twin@5 (share of top-5 slots taken by the
twin event of the same topic) and the "same story" flag's precision, as the
set's README defines them.  The set's README gives the baselines (TF-IDF cosine
P@5 0.965, twin@5 0.036; briefreader 0.1.0 P@5 0.927, twin@5 0.068).

    python benchmarks/eval_related_ecbplus.py [--eval ../shared/eval/related-ecbplus]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from briefreader.ingest import import_paths
from briefreader.store import Library

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent.parent / "shared" / "eval" / "related-ecbplus"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT)
    args = parser.parse_args()
    labels_file = args.eval / "labels.json"
    if not labels_file.exists():
        print(f"skipped: {labels_file} is absent", file=sys.stderr)
        return 0
    labels: dict[str, str] = json.loads(labels_file.read_text())
    event_of = {str((args.eval / rel).resolve()): event for rel, event in labels.items()}
    with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "eval.sqlite3") as lib:
        report = import_paths(lib, [str(args.eval / "articles")])
        assert report.ok, report.errors[:3]
        lib.index_related()
        event_by_id = {a.id: event_of[a.origin] for a in lib.articles()}
        size: dict[str, int] = {}
        for event in event_by_id.values():
            size[event] = size.get(event, 0) + 1
        p = {1: 0.0, 3: 0.0, 5: 0.0}
        recall10 = twin5 = none10 = flagged = flagged_right = 0.0
        queries = 0
        for art_id, event in event_by_id.items():
            answers = size[event] - 1
            if answers < 1:
                continue
            queries += 1
            hits = lib.related(art_id, limit=10, min_score=0)
            events = [event_by_id.get(h.id, "") for h in hits]
            for k in p:
                top = min(k, answers)
                p[k] += sum(e == event for e in events[:top]) / top
            found10 = sum(e == event for e in events[:10])
            recall10 += found10 / answers
            none10 += found10 == 0
            topic = event.split("-")[0]
            twin5 += sum(e != event and e.split("-")[0] == topic for e in events[:5]) / 5
            for h, e in zip(hits, events, strict=True):
                if h.same_story:
                    flagged += 1
                    flagged_right += e == event
    print(f"queries {queries}")
    for k, total in p.items():
        print(f"P@{k} {total / queries:.3f}")
    print(f"recall@10 {recall10 / queries:.3f}   no hit in top 10: {none10 / queries:.3f}")
    print(f"twin@5 {twin5 / queries:.3f}")
    print(
        f"same-story flags: precision {flagged_right / max(flagged, 1):.3f}, "
        f"{flagged / queries:.1f} per query"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
