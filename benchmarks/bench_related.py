"""Related-articles benchmark: latency, size, cost (quality: benchmarks/eval_related.py).

    python benchmarks/bench_related.py [--articles 100000] [--queries 200] [--stress]

Prints, on this machine:
  * for a library of --articles synthetic articles (benchmarks/corpus.py, cached in
    benchmarks/.data/): the time to index a bulk import, the index's size against
    the library's, and the related list's latency inside the process (a read-only
    library, as the app's sidebar uses it: median and p95 over --queries random
    articles, cold and warm);
  * the cost of arrivals: storing a feed-sized batch (indexed as it is stored), and
    grouping new articles into stories;
  * with --stress, the evaluation again with the set mixed into the big library.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import related_eval as E  # noqa: E402
from corpus import TextMaker  # noqa: E402

from briefreader.store import Library  # noqa: E402
from briefreader.store import library as L  # noqa: E402
from briefreader.workers import default_workers, read_pool  # noqa: E402

DATA = HERE / ".data"


def _ms(xs: list[float]) -> str:
    xs = sorted(xs)
    med = statistics.median(xs) * 1000
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))] * 1000
    return f"median {med:.1f} ms, p95 {p95:.1f} ms"


def build(n: int) -> Path:
    path = DATA / f"related-{n}.sqlite3"
    if path.exists():
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    stored = DATA / f"library-{n}.sqlite3"  # bench_library.py's, the same articles
    t0 = time.perf_counter()
    if stored.exists():
        with Library(stored) as lib:  # migrated first: never copied mid-migration
            unindexed = lib.related_pending() == lib.count()
        if unindexed:  # copy it rather than store a million articles again
            shutil.copy(stored, path)
    how = f"copied {stored.name}"
    if not path.exists():
        maker = TextMaker(seed=5)  # the same articles as bench_library.py's library
        with Library(path) as lib:
            batch = []
            for i in range(n):
                batch.append(maker.article(i))
                if len(batch) == 5000:
                    lib.store(batch)
                    batch = []
            lib.store(batch)
        how = f"stored {n} articles"
    t1 = time.perf_counter()
    with Library(path) as lib:
        queued = lib.related_pending()
        c1 = time.process_time()
        with read_pool() as pool:  # the articles' terms read in worker processes
            lib.index_related(executor=pool)
        cpu = time.process_time() - c1
        t2 = time.perf_counter()
        lib._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (DATA / f"related-{n}.build.txt").write_text(
        f"{how} in {t1 - t0:.1f} s; indexed {queued} queued in {t2 - t1:.1f} s "
        f"({cpu:.0f} CPU-s in this process, terms read by {default_workers()} workers) "
        f"= {queued / (t2 - t1):.0f} articles/s\n"
    )
    return path


def size(path: Path) -> None:
    with Library(path, readonly=True) as lib:
        rows = lib._db.execute(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE '%related%' GROUP BY name"
        ).fetchall()
    index = sum(r[1] for r in rows)
    total = path.stat().st_size
    print(
        f"  size: index {index / 1e6:.1f} MB on a library of {(total - index) / 1e6:.0f} MB "
        f"= +{index / (total - index):.1%} (target <= 20%)"
    )
    for name, b in sorted(rows, key=lambda r: -r[1])[:4]:
        print(f"    {name:28} {b / 1e6:6.1f} MB")


def latency(path: Path, queries: int) -> None:
    rng = random.Random(1)
    with Library(path, readonly=True) as lib:
        n = lib.count()
        rowids = [rng.randrange(1, n + 1) for _ in range(queries)]
        ids = [
            r[0]
            for r in (
                lib._db.execute("SELECT id FROM articles WHERE rowid = ?", (x,)).fetchone()
                for x in rowids
            )
            if r
        ]
        cold: list[float] = []
        for art_id in ids[:50]:
            lib._term_cache.clear()
            t0 = time.perf_counter()
            lib.related(art_id, limit=8)
            cold.append(time.perf_counter() - t0)
        lib._term_cache.clear()
        warm: list[float] = []
        for art_id in ids:
            t0 = time.perf_counter()
            lib.related(art_id, limit=8)
            warm.append(time.perf_counter() - t0)
        rows = lib.rows(limit=60)
        t0 = time.perf_counter()
        lib.story_sizes([r.id for r in rows])
        stories = time.perf_counter() - t0
    print(f"  related(id) in process, read-only library, {len(ids)} random articles:")
    print(f"    steady state (the app's sidebar): {_ms(warm)} (target median <= 30 ms)")
    print(f"    cold (term cache emptied before each): {_ms(cold[:50])}")
    print(f"  story_sizes() for 60 list rows: {stories * 1000:.1f} ms")


def arrivals(path: Path) -> None:
    """Feed-sized batches on a copy of the big library: store (indexed at once),
    group into stories, delete."""
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        shutil.copy(path, copy)
        maker = TextMaker(seed=99)
        with Library(copy) as lib:
            n0 = lib.count()
            times = []
            for b in range(5):
                batch = [maker.article(n0 + 50 * b + i) for i in range(50)]
                t0 = time.perf_counter()
                lib.store(batch)
                times.append(time.perf_counter() - t0)
            assert lib.related_pending() == 0
            t0 = time.perf_counter()
            grouped = lib.update_stories(limit=250)
            group_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            for art in batch:
                lib.delete(art.id)
            delete_s = time.perf_counter() - t0
    print(
        f"  a feed refresh of 50 new articles: store() {statistics.median(times) * 1000:.0f} ms "
        "median, related index included (nothing else re-indexed)"
    )
    print(
        f"  grouping {grouped} new articles into stories: {group_s / grouped * 1000:.1f} ms each "
        "(update_stories(), run in the background)"
    )
    print(
        f"  deleting 50 articles: {delete_s / 50 * 1000:.2f} ms each (triggers drop their postings)"
    )


def hook_cost() -> None:
    """What the index adds to storing: the same 200-article batches stored with the
    index queued only (bulk) and indexed at once (small batches)."""
    maker = TextMaker(seed=3)
    arts = [maker.article(i) for i in range(4000)]

    def run(sync_max: int) -> float:
        with tempfile.TemporaryDirectory() as tmp, Library(Path(tmp) / "l.sqlite3") as lib:
            old = L.RELATED_SYNC_MAX
            L.RELATED_SYNC_MAX = sync_max
            try:
                t0 = time.perf_counter()
                for i in range(0, len(arts), 200):
                    lib.store(arts[i : i + 200])
                return (time.perf_counter() - t0) / len(arts)
            finally:
                L.RELATED_SYNC_MAX = old

    queued = min(run(0) for _ in range(2))
    indexed = min(run(200) for _ in range(2))
    print(
        f"  store(): {queued * 1e6:.0f} us/article with the index queued (bulk imports), "
        f"{indexed * 1e6:.0f} us/article indexed at once (+{(indexed - queued) * 1e6:.0f} us)"
    )


def stress(path: Path) -> None:
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        shutil.copy(path, copy)
        with Library(copy) as lib:
            truth = E.load(lib, E.parts_present())
            lib.index_related()
            for part in E.parts_present():
                ours = E.evaluate(lib, truth, E.ours, part=part)
                base = E.evaluate(lib, truth, E.bm25_baseline, part=part)
                print(f"  {part} among the synthetic articles: {ours.line()}; BM25 {base.line()}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--stress", action="store_true", help="also evaluate among the big library")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    step: Callable[[], None]
    t0 = time.perf_counter()
    path = build(args.articles)
    if time.perf_counter() - t0 > 1:
        print(f"  (built the library in {time.perf_counter() - t0:.0f} s)")
    print(f"library of {args.articles} synthetic articles ({path.name}):")
    print("  " + (DATA / f"related-{args.articles}.build.txt").read_text().strip())
    size(path)
    latency(path, args.queries)
    for step in (lambda: arrivals(path), hook_cost):
        step()
    if args.stress:
        stress(path)


if __name__ == "__main__":
    main()
