"""Sync benchmark: briefreader against a real FreshRSS on 127.0.0.1.

    python benchmarks/bench_sync.py [--feeds 100] [--items 50] [--changes 1000]
                                    [--workdir DIR] [--runs 3]
                                    [--server-dir DIR [--server-dir DIR2]]

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
    measures the rest; give ``--server-dir`` twice (a disk folder and a tmpfs one)
    to have both in one run.  After the pushes, one edit-tag request of 250 items
    marked read, then starred, is timed alone: the server's own per-item work.

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


def fs_type(path: Path) -> str:
    """The file system a path is on ("tmpfs", "ext4", …), from /proc/mounts."""
    path = path.resolve()
    best, kind = "", "?"
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    for line in lines:
        parts = line.split()
        if len(parts) >= 3 and str(path).startswith(parts[1]) and len(parts[1]) > len(best):
            best, kind = parts[1], parts[2]
    return kind


def edit_tag_seconds(server: FreshRSS, ids: list[str], tag: str, runs: int) -> list[float]:
    """Seconds for one edit-tag request adding ``tag`` to ``ids`` (then removing it
    again, untimed), RUNS times: the server's own per-item work, without ours."""
    from briefreader.fetch.greader import long_item_id

    times: list[float] = []

    async def go(c: GReaderClient) -> None:
        for _ in range(runs):
            t = time.perf_counter()
            await c.edit_tag(ids, add=tag)
            times.append(time.perf_counter() - t)
            await c.edit_tag(ids, remove=tag)

    assert all(long_item_id(i) for i in ids)
    server.run(go)
    return times


def measure(
    server: FreshRSS, urls: list[str], args: argparse.Namespace, pool: Executor
) -> list[str]:
    """The three figures (and the server's edit-tag times) against one server."""
    from briefreader.fetch.greader import READ, STARRED

    work: Path = args.workdir
    t = time.perf_counter()
    subscribe_all(server, urls)
    label = fs_type(server.workdir)
    print(
        f"[{label}] setup: FreshRSS subscribed to {len(urls)} feeds x {args.items} items "
        f"in {time.perf_counter() - t:.1f} s",
        file=sys.stderr,
    )
    first: list[float] = []
    library = None
    for run in range(args.runs):
        path = work / "home" / f"library-{label}-{run}.sqlite3"
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
        print(f"  push {run + 1}: {seconds:.2f} s, {report.requests} requests", file=sys.stderr)
        push.append(seconds)
    # the server alone: one edit-tag request of 250 items never read or starred
    rest = [s.remote_id for s in untouched[args.runs * args.changes :]][:250]
    library.close()
    lines = [
        f"[{label}] "
        + figure(f"first sync of {args.feeds} feeds x {args.items} items", first, 15.0),
        f"[{label}] " + figure("sync with nothing new", nothing, 1.0),
        f"[{label}] " + figure(f"sync pushing {args.changes} state changes", push, 3.0),
    ]
    if len(rest) == 250:
        for name, tag in (("read", READ), ("starred", STARRED)):
            times = edit_tag_seconds(server, rest, tag, args.runs)
            lines.append(
                f"[{label}] the server alone: edit-tag marking 250 items {name}: median "
                f"{statistics.median(times):.2f} s (range {min(times):.2f}-{max(times):.2f})"
            )
    return lines


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
        action="append",
        default=[],
        help="where FreshRSS keeps its data (default: in the workdir); give it twice (e.g.\n"
        "a folder on the disk and one on a tmpfs) to measure both in one run.  FreshRSS\n"
        "on SQLite commits each item it marks read in a transaction of its own, so on a\n"
        "disk a push is bound by its fsyncs",
    )
    args = ap.parse_args()
    import os

    os.environ["BRIEFREADER_KEYRING"] = "off"
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-sync-"))
    work.mkdir(parents=True, exist_ok=True)
    args.workdir = work
    os.environ["BRIEFREADER_HOME"] = str(work / "home")
    import pytest

    lines: list[str] = []
    pool = parse_pool()
    pool.submit(int).result()
    try:
        with FeedSite() as site:
            urls = serve_feeds(site, args.feeds, args.items)
            for n, where in enumerate(args.server_dir or [work / "freshrss"]):
                try:
                    server = start_freshrss(where / f"freshrss-{n}")
                except pytest.skip.Exception as exc:
                    print(f"bench_sync: skipped: {exc}", file=sys.stderr)
                    return 0
                try:
                    lines += measure(server, urls, args, pool)
                finally:
                    server.stop()
    finally:
        pool.shutdown()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
