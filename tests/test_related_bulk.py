"""The related index built in bulk (index_related: big write steps, one term cache for
the run, the articles' terms read in worker processes) is the index built batch by
batch looking every term up, row for row."""

from __future__ import annotations

import json
import math
import random
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from briefreader import related as R
from briefreader.model import Article, article_id
from briefreader.related import index as RI
from briefreader.related.terms import NAME_BOOST, name_terms
from briefreader.store import Library
from briefreader.store import related_index as SRI
from briefreader.workers import WorkerPool, read_pool

WORDS = (
    "harbour strike crane union wages ballot port ship vessel cargo container dockers "
    "rates bank inflation mortgage lender telescope orbit satellite launch mission rocket "
    "grid battery auction turbine offshore wind heatwave prices drought harvest wheat "
    "vaccine trial dose clinic election minister budget tariff export chip factory"
).split()
NAMES = ("Kellport", "Maravia", "Osterlund", "Halcyne", "Brightwater", "Quillon")


def articles(n: int) -> list[Article]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        name = rng.choice(NAMES)
        words = [rng.choice(WORDS) for _ in range(60)]
        body = " ".join(words[:30]) + f", said {name} officials. " + " ".join(words[30:])
        out.append(
            Article(
                id=article_id(url=f"https://news.example/{i}"),
                title=f"{name} {words[0]} {words[1]} {words[2]}",
                summary=" ".join(words[3:12]) + f" in {name}.",
                url=f"https://news.example/{i}",
                body=body,
            )
        )
    return out


def tables(path: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    rows: list[tuple[object, ...]] = []
    for table in ("related_terms", "related_postings", "related_docs", "related_meta"):
        rows += [(table, *r) for r in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
    db.close()
    return rows


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 40 in write steps of 100: steps end mid-batch, as 2,000 in 20,000 do not.
    monkeypatch.setattr(RI, "BATCH", 40)
    monkeypatch.setattr(SRI, "INDEX_STEP", 100)


def stored(path: Path, arts: list[Article]) -> Path:
    with Library(path) as lib:
        lib.store(arts, index=False)
        lib.store([], index=False)
    return path


@pytest.mark.usefixtures("small_steps")
def test_bulk_index_is_the_batch_by_batch_index(tmp_path: Path) -> None:
    arts = articles(330)
    # The reference: each write step's batches looking every term up in the file.
    ref = stored(tmp_path / "ref.sqlite3", arts)
    with Library(ref) as lib:
        for _ in range(10):
            with lib._transaction():
                if not R.index_pending(lib._db, limit=100):
                    break
        assert lib.related_pending() == 0
    bulk = stored(tmp_path / "bulk.sqlite3", arts)
    with Library(bulk) as lib:
        assert lib.index_related() == 330
    pooled = stored(tmp_path / "pooled.sqlite3", arts)
    with Library(pooled) as lib, read_pool(2) as pool:
        assert lib.index_related(executor=pool) == 330
    want = tables(ref)
    assert len(want) > 330 * 2
    assert tables(bulk) == want
    assert tables(pooled) == want


@pytest.mark.usefixtures("small_steps")
def test_arrivals_after_a_bulk_run_are_indexed_as_before(tmp_path: Path) -> None:
    """A term cache is per run: articles stored (and indexed at once) after a bulk run,
    and a second bulk run after them, give the index the batch-by-batch way gives."""
    arts = articles(260)
    paths = []
    # (one pool for both runs: its workers keep the frequencies they read until a commit)
    with read_pool(2) as pool:
        for name, bulk in (("ref", False), ("bulk", True), ("pooled", True)):
            paths.append(
                index_twice(
                    tmp_path / f"{name}.sqlite3", arts, bulk, pool if name == "pooled" else None
                )
            )
    assert tables(paths[1]) == tables(paths[0])
    assert tables(paths[2]) == tables(paths[0])
    with Library(paths[2], readonly=True) as lib:
        hits = lib.related(arts[250].id, min_score=0)
        assert hits and arts[250].id not in {h.id for h in hits}


def index_twice(path: Path, arts: list[Article], bulk: bool, pool: WorkerPool | None) -> Path:
    """200 articles indexed, 10 stored (indexed at once), 50 queued and indexed."""
    path = stored(path, arts[:200])
    with Library(path) as lib:
        if bulk:
            lib.index_related(executor=pool)
        else:
            for _ in range(10):
                with lib._transaction():
                    if not R.index_pending(lib._db, limit=100):
                        break
        lib.store(arts[200:210])  # a feed's refresh: indexed as stored
        lib.store(arts[210:], index=False)
        if bulk:
            lib.index_related(executor=pool)
        else:
            with lib._transaction():
                R.index_pending(lib._db, limit=100)
        assert lib.related_pending() == 0
    return path


def long_articles(n: int) -> list[Article]:
    """Articles with many repeated words (more than SIGNATURE_SIZE terms weigh more
    than 1) and many said once, unlike :func:`articles`' short ones."""
    rng = random.Random(11)
    syllables = ("ka", "lo", "mi", "ren", "tu", "vas", "dor", "pel", "qui", "sorn")
    vocab = [a + b + c for a in syllables for b in syllables for c in syllables]  # 1,000
    out = []
    for i in range(n):
        repeated = rng.sample(vocab, 30)
        once = rng.sample(vocab, 60)
        body = " ".join(repeated + once + repeated) + f". Told {rng.choice(NAMES)} reporters."
        out.append(
            Article(
                id=article_id(url=f"https://long.example/{i}"),
                title=" ".join(repeated[:4]),
                summary=" ".join(once[:8]),
                url=f"https://long.example/{i}",
                body=body,
            )
        )
    return out


def weighted_terms(row: RI.DocText) -> dict[str, float]:
    """An article's terms as the index weighs them (names weighted up)."""
    _, title, summary, takeaways, body = row
    terms = R.index_terms(title, summary, takeaways, body)
    for name in name_terms(summary + "\n" + takeaways + "\n" + body, terms):
        terms[name] *= NAME_BOOST
    return terms


def best_terms(terms: dict[str, float], df: dict[str, int], n_docs: int) -> list[str]:
    log_n = math.log(n_docs + 1.0)
    score = {t: w * w * (log_n - math.log(df[t] + 0.5)) for t, w in terms.items()}
    return [t for _, t in sorted(((s, t) for t, s in score.items()), reverse=True)][
        : RI.SIGNATURE_SIZE
    ]


def test_each_signature_is_the_best_of_all_the_articles_terms(tmp_path: Path) -> None:
    """Indexed in one batch (every frequency final), each article's signature is its
    SIGNATURE_SIZE best terms by weight² × idf over all its terms, ties by term, and
    its postings carry the terms' weights."""
    arts = articles(150) + long_articles(150)
    path = stored(tmp_path / "one.sqlite3", arts)
    with Library(path) as lib:
        with lib._transaction():
            assert R.index_pending(lib._db) == 300
        db = lib._db
        n_docs = RI.meta(db, "docs")
        df = {t: d for t, _, d in db.execute("SELECT term, id, df FROM related_terms")}
        ids = {t: i for t, i, _ in db.execute("SELECT term, id, df FROM related_terms")}
        rows = [r for part in RI._read_docs(db, list(range(1, 301))) for r in part]
        stored_sigs = dict(db.execute("SELECT doc, terms FROM related_docs"))
        weights = {(t, d): w for t, d, w in db.execute("SELECT * FROM related_postings")}
    assert n_docs == 300
    log_n = math.log(n_docs + 1.0)
    shortcut = full = 0
    for row in rows:
        terms = weighted_terms(row)
        best = best_terms(terms, df, n_docs)
        assert json.loads(stored_sigs[row[0]]) == [ids[t] for t in best]
        assert [weights[ids[t], row[0]] for t in best] == [
            min(255, round(terms[t] * 32)) for t in best
        ]
        # The signer's shortcut (the terms weighing more than 1 scored first, the
        # rest only when one of them could still be chosen) is taken by some articles
        # and not by others: both give the best of all the terms.
        heavy = sorted(
            (w * w * (log_n - math.log(df[t] + 0.5)) for t, w in terms.items() if w > 1.0),
            reverse=True,
        )
        said_once = any(w == 1.0 for w in terms.values())
        if said_once and len(heavy) >= RI.SIGNATURE_SIZE:
            if heavy[RI.SIGNATURE_SIZE - 1] > log_n - math.log(1.5):
                shortcut += 1
            else:
                full += 1
    assert shortcut > 20 and full > 20, (shortcut, full)


def test_a_batch_is_signed_against_the_step_start_and_itself(tmp_path: Path) -> None:
    """Batches of one write step are signed against the index as the step began plus
    their own counts, not the batches before them in the step (so worker processes
    sign them all at once); the frequencies the index keeps count every article."""
    arts = articles(60) + long_articles(60)
    path = stored(tmp_path / "steps.sqlite3", arts)
    with Library(path) as lib:
        with lib._transaction():
            assert R.index_pending(lib._db, limit=40) == 40  # one step before
        db = lib._db
        before = {t: d for t, d in db.execute("SELECT term, df FROM related_terms")}
        RI.BATCH, batch = 40, RI.BATCH
        try:
            with lib._transaction():
                assert R.index_pending(lib._db) == 80  # two batches in one step
        finally:
            RI.BATCH = batch
        rows = [r for part in RI._read_docs(db, list(range(41, 121))) for r in part]
        stored_sigs = dict(db.execute("SELECT doc, terms FROM related_docs"))
        ids = {t: i for t, i in db.execute("SELECT term, id FROM related_terms")}
        final = {t: d for t, d in db.execute("SELECT term, df FROM related_terms")}
    assert RI.meta(sqlite3.connect(path), "docs") == 120
    everything = Counter(t for row in rows for t in weighted_terms(row)) + Counter(before)
    assert final == dict(everything)
    second = rows[40:]  # (the first articles of the step are the long ones' start)
    own = Counter(t for row in second for t in weighted_terms(row))
    differ = 0
    for row in second:
        terms = weighted_terms(row)
        df = {t: before.get(t, 0) + own[t] for t in terms}
        best = best_terms(terms, df, 40 + len(second))
        assert json.loads(stored_sigs[row[0]]) == [ids[t] for t in best]
        whole = {t: final[t] for t in terms}
        differ += best != best_terms(terms, whole, 120)
    assert differ  # (the step's first batch would have changed some)


def test_a_run_forgets_its_terms_when_another_process_changed_the_index(
    tmp_path: Path,
) -> None:
    """Between two steps of a bulk run another process edits an indexed article, takes
    its old terms off and indexes it again: the document count is back where it was,
    yet the frequencies moved.  The run's term table is dropped, so the steps signed
    here and those signed by worker processes (which read the file) agree, and the
    frequencies stay those of the articles."""
    RI.BATCH, batch = 40, RI.BATCH
    try:
        results = []
        with read_pool(2) as pool:
            for name, executor in (("here", None), ("pooled", pool)):
                path = tmp_path / f"{name}.sqlite3"
                arts = articles(300)
                with Library(path) as lib:
                    lib.store(arts, index=False)
                with Library(path) as lib, Library(path) as other:
                    table = RI.TermTable()
                    with lib._transaction():
                        R.index_pending(lib._db, limit=100, terms=table, executor=executor)
                    seen = RI.indexed_count(lib._db)
                    edited = Article(
                        id=arts[0].id,
                        title=arts[0].title,
                        summary=arts[0].summary,
                        url=arts[0].url,
                        body="harbour harbour crane " * 5 + arts[0].body,
                    )
                    other.store([edited], index=False)
                    other.forget_related()
                    with other._transaction():
                        R.index_pending(other._db, docs=[1])
                    assert RI.indexed_count(lib._db) == seen
                    with lib._transaction():
                        R.index_pending(lib._db, limit=100, terms=table, executor=executor)
                results.append(tables(path))
                db = sqlite3.connect(path)
                docs = [r for part in RI._read_docs(db, list(range(1, 201))) for r in part]
                counted = Counter(t for row in docs for t in weighted_terms(row))
                stored_df = dict(db.execute("SELECT term, df FROM related_terms"))
                db.close()
                assert {t: stored_df[t] for t in counted} == dict(counted), name
    finally:
        RI.BATCH = batch
    assert results[0] == results[1]
