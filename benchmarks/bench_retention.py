"""Retention benchmark: a simulated year of daily refreshes with an advancing clock.

    python benchmarks/bench_retention.py [--days 365] [--feeds 500] [--per-feed 50]
                                         [--keep-days 30] [--stars 20] [--related]

Every simulated day each feed publishes ``--per-feed`` items and serves its newest
two days of them; one feed in ten is a slow one that publishes 2 a day but serves its
newest 120 (500 feeds: 450 x 55 + 50 x 2 = 24,850 items a day, the ~25,000 of issue
15; items older than
``--keep-days`` that it still serves: their tombstones keep them from coming back).
Items are generated in-process as a refresh's lazily stored feed items
(:class:`~briefreader.sources.feedlazy.LazyArticle`: sanitised HTML, its words, a dek)
and go through the library's own storing path (``Library.store(items, feed_id=…)``,
``record_fetch``), then the command line's after-refresh step
(``housekeeping.after_refresh``: retention with ``keep_days``, then upkeep).  The clock
(``time.time``) is the simulated day's.  Each day ``--stars`` of the day's articles are
starred; every one must still be there at the end (asserted), and a pruned item a feed
still serves must never be stored again (asserted: no day adds more than it publishes).

Prints a line per simulated month (articles, starred, tombstones, file size, the
month's CPU seconds for storing and for retention + upkeep) and writes the figures to
benchmarks/.data/retention.json.  The default (60 days, 100 feeds) runs in a few
minutes; the issue's figure is ``--days 365 --feeds 500``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import TextMaker  # noqa: E402

from briefreader.config import Config  # noqa: E402
from briefreader.housekeeping import after_refresh  # noqa: E402
from briefreader.sources.feedlazy import LazyArticle  # noqa: E402
from briefreader.store import Library  # noqa: E402

DATA = HERE / ".data"
DAY = 86400.0
START = datetime(2027, 1, 1, tzinfo=UTC).timestamp()


class Clock:
    """The simulated time: ``time.time`` returns it (advanced a little each call, so
    times stay distinct within a day)."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.real = time.time

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


@dataclass
class Feed:
    id: int
    url: str
    per_day: int
    serves: int
    served: deque[LazyArticle] = field(default_factory=deque)
    made: int = 0


def make_item(maker: TextMaker, feed: Feed, published: float) -> LazyArticle:
    n = feed.made
    feed.made += 1
    maker.topic = maker.rng.choice(maker.topics)
    paragraphs = [maker.paragraph(maker.rng.randint(2, 5)) for _ in range(3)]
    body = "\n\n".join(paragraphs)
    url = f"{feed.url.rsplit('/', 1)[0]}/item/{n}"
    return LazyArticle(
        id=f"{feed.id}-{n}",
        title=maker.title(),
        summary=paragraphs[0][:200],
        url=url,
        source=feed.url,
        published=datetime.fromtimestamp(published, UTC),
        body=body,
        origin=feed.url,
        html="".join(f"<p>{p}</p>" for p in paragraphs),
        html_base=url,
    )


def file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def run(args: argparse.Namespace) -> dict[str, object]:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"retention-{args.feeds}x{args.per_feed}-{args.days}d.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    clock = Clock(START)
    time.time = clock  # every time.time() of the library is the simulated day's
    rng = random.Random(5)
    maker = TextMaker(seed=3)
    config = Config(keep_days=args.keep_days)
    starred: set[str] = set()
    months: list[dict[str, object]] = []
    published_total = 0
    store_cpu = prune_cpu = 0.0
    month_store = month_prune = 0.0
    with Library(path) as lib:
        feeds: list[Feed] = []
        for i in range(args.feeds):
            slow = i % 10 == 9
            info, _ = lib.add_feed(f"https://feed{i}.example/rss.xml")
            feeds.append(
                Feed(
                    info.id,
                    info.url,
                    per_day=2 if slow else args.per_feed,
                    serves=120 if slow else 2 * args.per_feed,
                )
            )
        for day in range(args.days):
            clock.now = START + day * DAY
            todays: list[str] = []
            cpu = time.process_time()
            added = 0
            for feed in feeds:
                for k in range(feed.per_day):
                    art = make_item(maker, feed, clock.now + k * (DAY / feed.per_day) / 4)
                    feed.served.append(art)
                    todays.append(art.id)
                while len(feed.served) > feed.serves:
                    feed.served.popleft()
                counts = lib.store(list(feed.served), feed_id=feed.id, index=False)
                added += counts.added
                lib.record_fetch(feed.id, ok=True, status=200)
                published_total += feed.per_day
            published_today = sum(f.per_day for f in feeds)
            # A pruned item a feed still serves never comes back as new.
            assert added <= published_today, (day, added, published_today)
            for art_id in rng.sample(todays, min(args.stars, len(todays))):
                lib.set_starred(art_id)
                starred.add(art_id)
            if args.related:
                lib.index_related()
            spent = time.process_time() - cpu
            store_cpu += spent
            month_store += spent
            cpu = time.process_time()
            done = after_refresh(lib, config, now=clock.now + DAY / 2)
            spent = time.process_time() - cpu
            prune_cpu += spent
            month_prune += spent
            if (day + 1) % 30 == 0 or day + 1 == args.days:
                lib._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db = lib._db
                row = {
                    "day": day + 1,
                    "articles": lib.count(),
                    "starred": lib.count("starred"),
                    "tombstones": int(
                        db.execute("SELECT count(*) FROM deleted_articles").fetchone()[0]
                    ),
                    "file_mb": round(file_bytes(path) / 1e6, 1),
                    "free_pages": int(db.execute("PRAGMA freelist_count").fetchone()[0]),
                    "published": published_total,
                    "store_cpu_s": round(month_store, 1),
                    "prune_upkeep_cpu_s": round(month_prune, 1),
                    "last_prune": done.pruned.line() if done.pruned else "",
                }
                months.append(row)
                month_store = month_prune = 0.0
                print(
                    f"day {row['day']:>3}: {row['articles']:>9,} articles "
                    f"({row['starred']:,} starred), {row['tombstones']:>8,} tombstones, "
                    f"{row['file_mb']:>8} MB, published so far {published_total:>10,}; "
                    f"month CPU: storing {row['store_cpu_s']} s, "
                    f"retention+upkeep {row['prune_upkeep_cpu_s']} s",
                    flush=True,
                )
        missing = [i for i in starred if lib.get(i) is None]
        assert not missing, f"{len(missing)} starred articles lost"
        per_day = sum(f.per_day for f in feeds)
        bound = (args.keep_days + 2) * per_day + len(starred) + sum(f.serves for f in feeds)
        assert lib.count() <= bound, (lib.count(), bound)
    time.time = clock.real
    return {
        "days": args.days,
        "feeds": args.feeds,
        "items_per_day": per_day,
        "keep_days": args.keep_days,
        "starred": len(starred),
        "starred_lost": 0,
        "store_cpu_s": round(store_cpu, 1),
        "prune_upkeep_cpu_s": round(prune_cpu, 1),
        "months": months,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--per-feed", type=int, default=55, help="items a feed publishes a day")
    parser.add_argument("--keep-days", type=float, default=30)
    parser.add_argument("--stars", type=int, default=20, help="articles starred a day")
    parser.add_argument("--related", action="store_true", help="index Related every day too")
    args = parser.parse_args()
    started = time.perf_counter()
    result = run(args)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    out = DATA / f"retention-{args.feeds}x{args.per_feed}-{args.days}d.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"all {result['starred']:,} starred articles kept; figures in {out}")


if __name__ == "__main__":
    main()
