"""The related index built in bulk (index_related: big write steps, one term cache for
the run, the articles' terms read in worker processes) is the index built batch by
batch looking every term up, row for row."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from briefreader import related as R
from briefreader.model import Article, article_id
from briefreader.related import index as RI
from briefreader.store import Library
from briefreader.store import related_index as SRI
from briefreader.workers import read_pool

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
    for name, bulk in (("ref", False), ("bulk", True)):
        path = stored(tmp_path / f"{name}.sqlite3", arts[:200])
        with Library(path) as lib:
            if bulk:
                lib.index_related()
            else:
                for _ in range(10):
                    with lib._transaction():
                        if not R.index_pending(lib._db, limit=100):
                            break
            lib.store(arts[200:220])  # a feed's refresh: indexed as stored
            lib.store(arts[220:], index=False)
            if bulk:
                lib.index_related()
            else:
                with lib._transaction():
                    R.index_pending(lib._db, limit=100)
            assert lib.related_pending() == 0
        paths.append(path)
    assert tables(paths[1]) == tables(paths[0])
    with Library(paths[1], readonly=True) as lib:
        hits = lib.related(arts[250].id, min_score=0)
        assert hits and arts[250].id not in {h.id for h in hits}
