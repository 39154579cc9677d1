"""Insight judged on text no one here wrote: related articles, "same story" and
derived takeaways, ours beside the simple baselines, per set.

* Related and same story (benchmarks/eval_related.py): ../shared/eval/related-ecbplus
  (real news, twin events), tests/data/lookalike (our look-alike briefs) and
  tests/data/related (the first release's briefs), briefreader beside TF-IDF cosine.
* Derived takeaways (benchmarks/eval_takeaways_cnndm.py): ../shared/eval/takeaways-cnndm
  (CNN/Daily Mail with their human highlights), briefreader beside lead-3, ROUGE
  with the ``rouge-score`` package (``pip install -e '.[eval]'``).

Sets that are absent are skipped with their path named.  The figures of record are
in docs/EVALUATION.md.

    python benchmarks/eval_insight.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_related
import eval_takeaways_cnndm


def main() -> int:
    del sys.argv[1:]  # (each part reads its own defaults)
    print("# Related articles and same story")
    eval_related.main([])
    print("\n# Derived takeaways")
    return eval_takeaways_cnndm.main()


if __name__ == "__main__":
    raise SystemExit(main())
