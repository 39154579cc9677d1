"""Feed refresh benchmark: briefreader against newsboat, same server, one run.

    python benchmarks/bench_refresh.py [--feeds 500] [--items 50] [--latency 0.05]
                                       [--no-newsboat] [--newsboat-default]

Serves FEEDS generated feeds of ITEMS items each (1–3 KB of HTML per item; every
fifth feed carries full content) from one HTTP server on 127.0.0.1 with LATENCY
seconds added to every request, then measures as whole processes:

  * ``briefreader refresh`` on an empty library (first refresh) and again when
    every feed answers 304 (conditional GET);
  * newsboat 2.x (installed from Debian's packages when missing) with 16 reload
    threads (and, with --newsboat-default, its default of 1), first reload and 304
    reload, against the same server;
  * peak memory of briefreader (the whole process tree: main + parser workers).
Generated data goes to benchmarks/.data/ (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import threading
import time
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


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(seconds, exit status, peak tree memory in bytes)"""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mem = TreeMemory(proc.pid)
    _, err = proc.communicate(timeout=900)
    elapsed = time.perf_counter() - t0
    peak = mem.stop()
    if proc.returncode not in (0, 1):
        print(err.decode(errors="replace")[-2000:], file=sys.stderr)
    return elapsed, proc.returncode, peak


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


def run_newsboat(exe: str, urls: list[str], threads: int, label: str) -> tuple[float, float]:
    work = DATA / f"newsboat-{label}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "urls").write_text("\n".join(urls) + "\n")
    (work / "config").write_text(f"reload-threads {threads}\n")
    env = {**os.environ, "HOME": str(work), "NO_PROXY": "*", "no_proxy": "*"}
    cmd = [exe, "-u", str(work / "urls"), "-c", str(work / "cache.db"), "-C", str(work / "config"),
           "-x", "reload"]  # fmt: skip
    first, _, _ = timed(cmd, env)
    again, _, _ = timed(cmd, env)
    return first, again


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--no-newsboat", action="store_true")
    ap.add_argument(
        "--newsboat-default", action="store_true", help="also newsboat with 1 reload thread"
    )
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    maker = TextMaker(seed=3)
    t0 = time.perf_counter()
    with FetchServer(latency=args.latency) as server:
        base = server.base_url
        total_bytes = 0
        urls = []
        for n in range(args.feeds):
            body = make_feed(maker, n, args.items, base)
            total_bytes += len(body)
            path = f"/feeds/{n}.xml"
            server.add_conditional(path, body, etag=f'"f{n}"')
            urls.append(server.url(path))
        print(
            f"{args.feeds} feeds × {args.items} items, {total_bytes / 1e6:.0f} MB of XML, "
            f"{args.latency * 1000:.0f} ms latency (generated in {time.perf_counter() - t0:.0f} s)",
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
        subprocess.run([*br, "import", str(opml)], env=env, check=True, capture_output=True)
        first, rc, peak = timed([*br, "refresh", "-q"], env)
        again, rc2, peak2 = timed([*br, "refresh", "-q"], env)
        items = int(
            subprocess.run(
                [*br, "list", "--json", "--no-samples"], env=env, capture_output=True, text=True
            ).stdout.count('"id"')
        )
        print(
            f"briefreader refresh, first:      {first:6.2f} s  ({items} items stored, exit {rc}; target ≤ 10 s)"
        )
        print(f"briefreader refresh, all 304:    {again:6.2f} s  (exit {rc2}; target ≤ 3 s)")
        print(
            f"briefreader peak memory (tree):  {max(peak, peak2) / 1e6:6.0f} MB (target ≤ 300 MB)"
        )
        if args.no_newsboat:
            return
        exe = ensure_newsboat()
        if exe is None:
            print("newsboat: not available")
            return
        print(f"{newsboat_version(exe)}:")
        nb_first, nb_again = run_newsboat(exe, urls, 16, "16")
        print(f"newsboat, 16 threads, first:     {nb_first:6.2f} s   ratio {nb_first / first:.1f}x")
        print(f"newsboat, 16 threads, all 304:   {nb_again:6.2f} s   ratio {nb_again / again:.1f}x")
        if args.newsboat_default:
            d_first, d_again = run_newsboat(exe, urls, 1, "1")
            print(
                f"newsboat, default (1), first:    {d_first:6.2f} s   ratio {d_first / first:.1f}x"
            )
            print(
                f"newsboat, default (1), all 304:  {d_again:6.2f} s   ratio {d_again / again:.1f}x"
            )


if __name__ == "__main__":
    main()
