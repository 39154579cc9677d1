"""Feed refresh benchmark: briefreader against newsboat, same server, one run.

    python benchmarks/bench_refresh.py [--workload shared|synthetic] [--feeds 500]
                                       [--items 50] [--latency 0.05]
                                       [--no-newsboat] [--newsboat-default]
                                       [--baseline SRC]

``--workload shared`` (the default) is the team's refresh workload
(``../shared/bench``, its README): feedgen.py makes FEEDS feeds of ITEMS items
(30% Atom, 35% with 3-8 KB of full content per item; 500 x 50 is ~120 MB; kept
in benchmarks/.data/ for the next run) and feedserver.py serves them on 127.0.0.1
with LATENCY seconds added to every request, gzip, ETag/Last-Modified and 304s.
``--workload synthetic`` is the first refresh benchmark's own generator (RSS 2.0,
1-3 KB per item, every fifth feed with full content, served by tests/fetchserver.py).

Measured as whole processes, in one run:

  * ``briefreader refresh`` on an empty library (first refresh) and again when
    every feed answers 304 (conditional GET);
  * newsboat 2.x (installed from Debian's packages when missing) with 16 reload
    threads (and, with --newsboat-default, its default of 1), first reload and 304
    reload, against the same server;
  * for each: wall time, CPU-seconds of the whole process tree (the process and
    the children it waited for: briefreader's parser workers) and per item, and
    peak resident memory of the tree (sampled from /proc every 50 ms).
``--baseline SRC`` also refreshes (first, then all 304) with briefreader from
another source tree in the same run, before this tree's: SRC is a folder holding
``src/briefreader``, e.g. ``git archive COMMIT src | tar -x -C SRC``.
Generated data goes to benchmarks/.data/ (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from corpus import TextMaker  # noqa: E402
from fetchserver import FetchServer  # noqa: E402

DATA = HERE / ".data"
SHARED = ROOT.parent / "shared" / "bench"


def make_feed(maker: TextMaker, n: int, items: int, base: str) -> bytes:
    rng = random.Random(n)
    full = n % 5 == 0
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>Bench feed {n}</title><link>{base}/site/{n}</link>",
        "<description>A generated feed</description>",
    ]
    start = datetime(2026, 11, 26, tzinfo=UTC)
    for i in range(items):
        art = maker.article(n * 1000 + i, body_paragraphs=rng.randint(2, 5))
        paras = art.body.split("\n\n")
        html = "".join(f"<p>{p}</p>" for p in paras)
        if rng.random() < 0.2:
            html = (
                "<h2>Key takeaways</h2><ul>"
                + "".join(f"<li>{t}</li>" for t in art.takeaways)
                + "</ul>"
                + html
            )
        when = format_datetime(start - timedelta(minutes=37 * i + n))
        out.append(
            f"<item><title>{art.title}</title><link>{base}/a/{n}/{i}</link>"
            f'<guid isPermaLink="false">bench-{n}-{i}</guid><pubDate>{when}</pubDate>'
            f"<description><![CDATA[<p>{art.summary}</p>]]></description>"
        )
        if full:
            out.append(f"<content:encoded><![CDATA[{html}]]></content:encoded>")
        else:
            out[-1] = out[-1].replace(f"<p>{art.summary}</p>", html[:3000])
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode()


class TreeMemory:
    """Peak resident memory of a process and its children, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self, pid: int) -> list[int]:
        pids = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    for child in fh.read().split():
                        pids.extend(self._tree(int(child)))
        except OSError:
            pass
        return pids

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(self._rss(p) for p in self._tree(self.pid))
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass(frozen=True)
class Run:
    """One whole-process run: wall seconds, exit status, peak tree memory (bytes)
    and CPU-seconds of the process and the children it waited for."""

    seconds: float
    status: int
    peak: int
    cpu: float


def timed(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mem = TreeMemory(proc.pid)
    assert proc.stderr is not None
    err = proc.stderr.read()  # (until it exits: stderr is small)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = mem.stop()
    if proc.returncode not in (0, 1):
        print(err.decode(errors="replace")[-2000:], file=sys.stderr)
    return Run(elapsed, proc.returncode, peak, usage.ru_utime + usage.ru_stime)


def ensure_newsboat() -> str | None:
    found = shutil.which("newsboat")
    if found:
        return found
    print("installing newsboat from Debian's packages …", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "newsboat"], check=False)
    return shutil.which("newsboat")


def newsboat_version(exe: str) -> str:
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, check=False).stdout
    return out.splitlines()[0] if out else "newsboat"


def run_newsboat(exe: str, urls: list[str], threads: int, label: str) -> tuple[Run, Run]:
    work = DATA / f"newsboat-{label}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "urls").write_text("\n".join(urls) + "\n")
    (work / "config").write_text(f"reload-threads {threads}\n")
    env = {**os.environ, "HOME": str(work), "NO_PROXY": "*", "no_proxy": "*"}
    cmd = [exe, "-u", str(work / "urls"), "-c", str(work / "cache.db"), "-C", str(work / "config"),
           "-x", "reload"]  # fmt: skip
    return timed(cmd, env), timed(cmd, env)


# ---------------------------------------------------------------------------------
# the workloads: each serves its feeds and yields their URLs and the total bytes


@contextmanager
def synthetic_workload(feeds: int, items: int, latency: float) -> Iterator[tuple[list[str], int]]:
    maker = TextMaker(seed=3)
    with FetchServer(latency=latency) as server:
        base = server.base_url
        total_bytes = 0
        urls = []
        for n in range(feeds):
            body = make_feed(maker, n, items, base)
            total_bytes += len(body)
            path = f"/feeds/{n}.xml"
            server.add_conditional(path, body, etag=f'"f{n}"')
            urls.append(server.url(path))
        yield urls, total_bytes


@contextmanager
def shared_workload(feeds: int, items: int, latency: float) -> Iterator[tuple[list[str], int]]:
    """../shared/bench's feeds (generated once into benchmarks/.data) and server."""
    if not (SHARED / "feedgen.py").is_file():
        raise SystemExit(f"the shared workload is not at {SHARED} (see its README)")
    out = DATA / f"shared-{feeds}x{items}-seed1"
    if not (out / "manifest.json").is_file():
        print(f"generating {feeds} x {items} feeds into {out} …", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(SHARED / "feedgen.py"), "--out", str(out), "--feeds",
             str(feeds), "--items", str(items), "--seed", "1", "-q"],
            check=True,
        )  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    port_file = DATA / f"feedserver-{os.getpid()}.port"
    port_file.unlink(missing_ok=True)
    server = subprocess.Popen(
        [sys.executable, str(SHARED / "feedserver.py"), "--dir", str(out), "--port", "0",
         "--port-file", str(port_file), "--latency-ms", str(latency * 1000),
         "--max-seconds", "3600"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300  # it gzips every feed before it listens
        while not port_file.is_file():
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("feedserver.py did not start")
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port_file.read_text().strip()}"
        with urllib.request.urlopen(f"{base}/urls.txt", timeout=30) as answer:
            urls = answer.read().decode().split()
        yield urls, int(manifest["total_bytes"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        port_file.unlink(missing_ok=True)


def _line(label: str, run: Run, items: int, note: str = "") -> str:
    per_item = run.cpu / items * 1e6 if items else 0.0
    return (
        f"{label:34s} {run.seconds:7.2f} s  {run.cpu:6.1f} CPU-s  {per_item:5.0f} µs CPU/item  "
        f"peak {run.peak / 1e6:4.0f} MB{note}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--workload", choices=("shared", "synthetic"), default="shared")
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--no-newsboat", action="store_true")
    ap.add_argument(
        "--newsboat-default", action="store_true", help="also newsboat with 1 reload thread"
    )
    ap.add_argument(
        "--baseline",
        type=Path,
        metavar="SRC",
        help="also run briefreader from SRC/src (another version) in the same run, first",
    )
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    workload = shared_workload if args.workload == "shared" else synthetic_workload
    with workload(args.feeds, args.items, args.latency) as (urls, total_bytes):
        print(
            f"{args.workload} workload: {len(urls)} feeds × {args.items} items, "
            f"{total_bytes / 1e6:.0f} MB of XML, {args.latency * 1000:.0f} ms latency "
            f"(ready in {time.perf_counter() - t0:.0f} s); {os.cpu_count()} cores"
        )
        home = DATA / "refresh-home"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        opml = home / "subs.opml"
        opml.write_text(
            '<?xml version="1.0"?><opml version="2.0"><head><title>b</title></head><body>'
            + "".join(f'<outline type="rss" text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
            + "</body></opml>"
        )
        env = {**os.environ, "BRIEFREADER_HOME": str(home), "NO_PROXY": "*", "no_proxy": "*"}
        br = [sys.executable, "-m", "briefreader"]
        if args.baseline is not None:
            old_home = DATA / "refresh-home-baseline"
            shutil.rmtree(old_home, ignore_errors=True)
            old_home.mkdir(parents=True)
            old_env = {**env, "BRIEFREADER_HOME": str(old_home)}
            old_env["PYTHONPATH"] = str((args.baseline / "src").resolve())
            subprocess.run([*br, "import", str(opml)], env=old_env, check=True, capture_output=True)
            old_first = timed([*br, "refresh", "-q"], old_env)
            old_again = timed([*br, "refresh", "-q"], old_env)
        subprocess.run([*br, "import", str(opml)], env=env, check=True, capture_output=True)
        first = timed([*br, "refresh", "-q"], env)
        again = timed([*br, "refresh", "-q"], env)
        items = int(
            subprocess.run(
                [*br, "list", "--json", "--no-samples"], env=env, capture_output=True, text=True
            ).stdout.count('"id"')
        )
        print(f"items stored: {items} (exit {first.status}, then {again.status})")
        print(_line("briefreader refresh, first", first, items))
        print(_line("briefreader refresh, all 304", again, items))
        if args.baseline is not None:
            print(_line("baseline refresh, first", old_first, items))
            print(_line("baseline refresh, all 304", old_again, items))
        if args.no_newsboat:
            return
        exe = ensure_newsboat()
        if exe is None:
            print("newsboat: not available")
            return
        print(f"{newsboat_version(exe)}:")
        nb_first, nb_again = run_newsboat(exe, urls, 16, "16")
        ratio = f"   briefreader {nb_first.seconds / first.seconds:.2f}x as fast"
        print(_line("newsboat, 16 threads, first", nb_first, items, ratio))
        ratio = f"   briefreader {nb_again.seconds / again.seconds:.2f}x as fast"
        print(_line("newsboat, 16 threads, all 304", nb_again, items, ratio))
        if args.newsboat_default:
            d_first, d_again = run_newsboat(exe, urls, 1, "1")
            print(_line("newsboat, default (1), first", d_first, items))
            print(_line("newsboat, default (1), all 304", d_again, items))


if __name__ == "__main__":
    main()
