"""Sync benchmark: briefreader against a real FreshRSS on 127.0.0.1.

    python benchmarks/bench_sync.py [--feeds 100] [--items 50] [--changes 1000]
                                    [--workdir DIR] [--runs 3]

Starts FreshRSS from the shared servers folder (``../shared/servers/freshrss``;
PHP is installed from Debian's packages when run as root), serves FEEDS generated
feeds of ITEMS items each (1-3 KB of HTML per item) from 127.0.0.1, has FreshRSS
subscribe to and fetch them, then measures, in this process, on a new library:

  * the first sync (subscriptions, every item, the server's state) — target 15 s
    for 100 x 50;
  * a sync with nothing new — target 1 s;
  * a sync pushing CHANGES local read/star changes (half read, half starred) —
    target 3 s for 1,000.  FreshRSS on SQLite marks read one item per transaction
    (its EntryDAOSQLite::markRead loops over the ids), so where its data sits on a
    disk this figure is mostly the server's fsyncs: ``--server-dir`` on a tmpfs
    measures the rest.

Each measured sync is repeated RUNS times on a fresh library (first sync) or a
fresh set of changes (push); the median is reported with the range.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import Executor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from corpus import TextMaker  # noqa: E402
from freshrss_server import FeedSite, FreshRSS, rss, start_freshrss  # noqa: E402

from briefreader.fetch.greader import GReaderClient  # noqa: E402
from briefreader.store import Library  # noqa: E402
from briefreader.store.sync import SyncStore  # noqa: E402
from briefreader.sync import add_account, sync_accounts  # noqa: E402
from briefreader.sync.engine import SyncReport  # noqa: E402
from briefreader.workers import parse_pool  # noqa: E402


def serve_feeds(site: FeedSite, feeds: int, items: int) -> list[str]:
    maker = TextMaker(13)
    urls = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            paras = "".join(f"<p>{maker.paragraph()}</p>" for _ in range(1 + (i % 3)))
            entries.append((f"bench-{f}-{i}", maker.sentence(5, 10).rstrip("."), paras))
        site.add(
            f"/bench-{f}.xml", rss(f"Bench feed {f}", entries), content_type="application/rss+xml"
        )
        urls.append(site.url(f"/bench-{f}.xml"))
    return urls


def subscribe_all(server: FreshRSS, urls: list[str]) -> None:
    async def go(c: GReaderClient) -> None:
        for n, url in enumerate(urls):
            await c.subscribe(url, folder=f"Folder {n % 7}")

    server.run(go)


def sync_once(library: Library, executor: Executor | None = None) -> tuple[float, SyncReport]:
    """One sync as ``briefreader sync`` runs it (items read in the parse pool)."""
    started = time.perf_counter()
    reports = asyncio.run(sync_accounts(library, executor=executor))
    seconds = time.perf_counter() - started
    assert len(reports) == 1 and reports[0].ok, reports[0].error
    return seconds, reports[0]


def figure(name: str, values: list[float], target: float) -> str:
    med = statistics.median(values)
    verdict = "ok" if med <= target else "OVER"
    return (
        f"{name}: median {med:.2f} s (range {min(values):.2f}-{max(values):.2f}, "
        f"{len(values)} runs; target {target:g} s: {verdict})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--feeds", type=int, default=100)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument(
        "--server-dir",
        type=Path,
        default=None,
        help="where FreshRSS keeps its data (default: in the workdir); a tmpfs takes its\n"
        "disk out of the figures: FreshRSS on SQLite commits each item it marks read\n"
        "in a transaction of its own, so on a disk a push is bound by its fsyncs",
    )
    args = ap.parse_args()
    import os

    os.environ["BRIEFREADER_KEYRING"] = "off"
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-sync-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["BRIEFREADER_HOME"] = str(work / "home")
    import pytest

    try:
        server = start_freshrss(args.server_dir or work / "freshrss")
    except pytest.skip.Exception as exc:
        print(f"bench_sync: skipped: {exc}", file=sys.stderr)
        return 0
    pool = parse_pool()
    pool.submit(int).result()
    try:
        with FeedSite() as site:
            t = time.perf_counter()
            urls = serve_feeds(site, args.feeds, args.items)
            subscribe_all(server, urls)
            print(
                f"setup: FreshRSS subscribed to {len(urls)} feeds x {args.items} items "
                f"in {time.perf_counter() - t:.1f} s",
                file=sys.stderr,
            )
            first: list[float] = []
            library = None
            for run in range(args.runs):
                path = work / "home" / f"library-{run}.sqlite3"
                library = Library(path)
                asyncio.run(add_account(library, server.endpoint, server.user, server.api_password))
                seconds, report = sync_once(library, pool)
                assert report.new_items == args.feeds * args.items, report
                first.append(seconds)
                print(
                    f"  first sync {run + 1}: {seconds:.2f} s, {report.requests} requests",
                    file=sys.stderr,
                )
                if run < args.runs - 1:
                    library.close()
            assert library is not None
            nothing: list[float] = []
            for _ in range(args.runs):
                seconds, report = sync_once(library, pool)
                assert report.new_items == 0 and report.pushed == 0
                nothing.append(seconds)
            push: list[float] = []
            account = SyncStore(library).accounts()[0]
            # each run: CHANGES items never touched before, half marked read, half starred
            untouched = [
                s
                for s in SyncStore(library).item_states(account.id)
                if not (s.local_read or s.local_starred)
            ]
            random.Random(7).shuffle(untouched)
            for run in range(args.runs):
                picked = untouched[run * args.changes : (run + 1) * args.changes]
                assert len(picked) == args.changes, "not enough items for that many changes"
                half = len(picked) // 2
                lib_ids = [s.article_id for s in picked]
                library.set_state(lib_ids[:half], read=True)
                library.set_state(lib_ids[half:], starred=True)
                assert len(SyncStore(library).pending(account.id)) == args.changes
                seconds, report = sync_once(library, pool)
                assert report.pushed == args.changes and report.pending == 0, report
                push.append(seconds)
            library.close()
    finally:
        server.stop()
        pool.shutdown()
    print(figure(f"first sync of {args.feeds} feeds x {args.items} items", first, 15.0))
    print(figure("sync with nothing new", nothing, 1.0))
    print(figure(f"sync pushing {args.changes} state changes", push, 3.0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
