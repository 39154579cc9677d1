"""Related articles and "same story" on labelled sets nobody tuned a test to: our
look-alike briefs (tests/data/lookalike) and, when it is beside the project, real
news (../shared/eval/related-ecbplus, read in place).  Floors, not exact scores:
docs/EVALUATION.md has the figures these sit under."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import eval_related as ER

from briefreader.related import scoring, terms


@contextlib.contextmanager
def _memoized_profiles() -> Iterator[None]:
    """Remember the pure text functions a profile is made of (an article's terms, its
    names, its phrase pairs), by their arguments, while the evaluation runs.

    Every one of the ~480 queries profiles its ~25 candidates afresh (as the app does
    for one article), so the same article's text is analysed some 25 times over: the
    same results, computed once.  The ranking itself (weights, scores, cuts, the
    same-story decision) runs as it is; the figures are the same to the last digit
    (checked when this was written: ECB+ figures equal with and without), only the
    evaluation takes about half the CPU (10 s -> 5.5 s).  The look-alike test below
    runs without it."""
    # (what scoring imported from terms: checked, so that a rename fails loudly here)
    plain_terms, plain_names, plain_pairs = terms.index_terms, terms.name_terms, terms.phrase_pairs
    for name in ("index_terms", "name_terms", "phrase_pairs"):
        assert getattr(scoring, name) is getattr(terms, name), name
    terms_cache = functools.lru_cache(maxsize=None)(plain_terms)
    #: id() of the dicts terms_cache holds (kept alive by it, so the ids stay theirs)
    cached_ids: set[int] = set()
    names_cache: dict[tuple[str, int], set[str]] = {}

    def index_terms(*args: str, **kwargs: Any) -> dict[str, float]:
        found = terms_cache(*args, **kwargs)
        cached_ids.add(id(found))
        return found

    def name_terms(text: str, weights: dict[str, float]) -> set[str]:
        if id(weights) not in cached_ids:  # (a dict of the caller's own: no memory)
            return plain_names(text, weights)
        key = (text, id(weights))
        found = names_cache.get(key)
        if found is None:
            found = names_cache[key] = plain_names(text, weights)
        return set(found)

    patch = pytest.MonkeyPatch()
    try:
        patch.setattr(scoring, "index_terms", index_terms)
        patch.setattr(scoring, "name_terms", name_terms)
        patch.setattr(scoring, "phrase_pairs", functools.lru_cache(maxsize=None)(plain_pairs))
        yield
    finally:
        patch.undo()


def test_lookalike_briefs_floors() -> None:
    labelled = ER.lookalike()
    assert labelled is not None, "tests/data/lookalike is part of the project"
    figures = ER.evaluate(labelled)
    ours, tfidf = figures["briefreader"], figures["TF-IDF cosine"]
    assert ours.queries == 60
    assert ours.p5 >= 0.80, ours  # 0.842 when set; TF-IDF cosine 0.733
    assert ours.p5 > tfidf.p5
    assert ours.p1 >= 0.90, ours
    assert ours.same_precision is not None and ours.same_precision >= 0.95, ours
    # every query's sidebar lists something, nearly all list its own story
    assert ours.empty == 0 and ours.missed is not None and ours.missed <= 1, ours  # 0


@pytest.mark.slow
# Pure CPU (no time measured, no process started or killed): not in the serial group
# (tests/conftest.py), so that it runs beside it on another worker.
@pytest.mark.xdist_group("ecbplus")
def test_real_news_floors() -> None:
    labelled = ER.ecbplus()
    if labelled is None:
        pytest.skip(f"{ER.ECBPLUS} is absent")
    with _memoized_profiles():
        ours = ER.evaluate(labelled, baseline=False)["briefreader"]
    assert ours.queries >= 450
    assert ours.p5 >= 0.955, ours  # 0.964 when set; TF-IDF cosine 0.957
    assert ours.twin5 <= 0.045, ours  # 0.038; TF-IDF 0.046
    assert ours.same_precision is not None and ours.same_precision >= 0.93, ours  # 0.950
    assert ours.same_recall is not None and ours.same_recall >= 0.70, ours  # 0.761
    assert ours.missed == 0 and ours.empty == 0, ours
