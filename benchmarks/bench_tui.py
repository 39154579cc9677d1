"""Reading-app benchmark: what a person at the keyboard waits for, in a real terminal.

    python benchmarks/bench_tui.py [--articles 1000 100000] [--launches 5] [--presses 100]

For each library size (synthetic articles from ``corpus.TextMaker``, built once
and kept under ``benchmarks/.data``), starts the installed ``briefreader`` command
in a pseudo-terminal of 160×48 (TERM=xterm-256color, truecolor), as a terminal
emulator would, and measures:

* launch → first article shown: from ``exec`` until the terminal output holds the
  newest article's dek (only the article pane shows it); median of ``--launches``;
* next article: press ``j`` and time until the output holds the next article's
  dek; ``--presses`` presses, a short pause between them (a person reading);
* the same inside the app: from the key event reaching the app to the end of
  writing the frame that shows the next article (the app is started through a
  small wrapper that logs both moments; the terminal side is left out), in wall
  time and in the UI thread's CPU time (which the machine's other load moves less);
* peak memory (VmHWM) of the process after the presses, ``G`` (last row) and a
  search.

``--during-refresh`` (issue 11): next article while a refresh runs.  A copy of the
library is subscribed to the shared workload's 500 feeds (``../shared/bench``,
served on 127.0.0.1 by its ``feedserver.py`` through ``bench_refresh.py``), the
app is started on it, ``r`` is pressed, and ``j`` is pressed while the refresh runs
(until the toast says the feeds were refreshed).  The workload's items are dated
2024, older than every synthetic article, so they arrive at the end of the list
and the rows being read keep their order.

Prints one JSON object per size.  Numbers from a shared 2-core machine move by
a few milliseconds between runs: compare medians of several runs.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_library import DATA, build_library  # noqa: E402

from briefreader.store import Library  # noqa: E402

COLUMNS, LINES = 160, 48


#: Run by the child: the real ``briefreader`` command, plus a log of when each key
#: reaches the app and when each frame has been written.
_TRACED = """
import os, sys, time
from textual import events
from textual.app import App
log = open(os.environ["BRIEFREADER_BENCH_TRACE"], "w", buffering=1)
on_event, display = App.on_event, App._display
async def traced_on_event(self, event):
    if isinstance(event, events.Key):
        log.write(f"{time.monotonic():.6f} key {time.thread_time():.6f}\\n")
    return await on_event(self, event)
def traced_display(self, screen, renderable):
    result = display(self, screen, renderable)
    if renderable is not None:
        log.write(f"{time.monotonic():.6f} frame {time.thread_time():.6f}\\n")
    return result
App.on_event, App._display = traced_on_event, traced_display
from briefreader.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _command(trace: bool) -> list[str]:
    if trace:
        return [sys.executable, "-c", _TRACED]
    exe = Path(sys.executable).with_name("briefreader")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "briefreader"]


class Terminal:
    """The app in a pseudo-terminal; collects what it writes."""

    def __init__(self, library: Path, home: str, trace: str = "") -> None:
        env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor", BRIEFREADER_HOME=home)
        # As an installed command runs once it has run before: its bytecode cached
        # (PYTHONDONTWRITEBYTECODE would have each launch compile every module edited
        # since the cache was last written).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if trace:
            env["BRIEFREADER_BENCH_TRACE"] = trace
        argv = [*_command(bool(trace)), "--library", str(library)]
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.buffer = bytearray()
        self.markers: dict[bytes, float] = {}
        """Text to look for in everything written (``--during-refresh``): when seen."""

    def _read(self) -> bytes:
        chunk = os.read(self.fd, 1 << 16)
        self.buffer += chunk
        for marker in self.markers:
            if not self.markers[marker] and marker in self.buffer[-len(chunk) - len(marker) :]:
                self.markers[marker] = time.perf_counter()
        return chunk

    def read_until(self, needle: bytes, timeout: float = 10.0) -> bool:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    chunk = self._read()
                except OSError:
                    return False
                # Only the new bytes (and a needle's length before them): a refresh's
                # frames are large, and scanning all the output so far at every read
                # cost the benchmark itself tens of ms a press.
                if needle in self.buffer[-len(chunk) - len(needle) :]:
                    return True
        return False

    def drain(self, seconds: float) -> None:
        """Read whatever comes for ``seconds`` (frames keep coming during a refresh)."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self._read()
                except OSError:
                    return

    def settle(self, quiet: float = 0.2, limit: float = 3.0) -> None:
        """Read until nothing arrives for ``quiet`` seconds (at most ``limit``)."""
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.fd], [], [], quiet)
            if not ready:
                return
            try:
                self._read()
            except OSError:
                return

    def press(self, keys: bytes) -> None:
        self.buffer = bytearray()
        os.write(self.fd, keys)

    def peak_memory_kb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def close(self) -> None:
        try:
            os.write(self.fd, b"q")
            time.sleep(0.3)
            os.kill(self.pid, signal.SIGTERM)
        except (OSError, ProcessLookupError):
            pass
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def _deks(library: Path, count: int) -> list[bytes]:
    """The first words of the first ``count`` articles' deks, in list order."""
    with Library(library, readonly=True) as lib:
        rows = lib.rows_by_rowid(lib.row_ids("all")[:count])
        out = []
        for row in rows:
            article = lib.get(row.id)
            assert article is not None
            text = article.summary or article.title
            out.append(" ".join(text.split()[:3]).encode())
    return out


def _inside(
    trace: Path, skip: int = 0, count: int | None = None
) -> tuple[list[float], list[float]]:
    """Key reaching the app → the first frame written after it: wall time and the UI
    thread's CPU time (less moved by the machine's other load), ms, for the keys
    traced after the first ``skip`` (``count`` of them)."""
    events = [line.split() for line in trace.read_text().splitlines()]
    wall: list[float] = []
    cpu: list[float] = []
    keys = [i for i, event in enumerate(events) if event[1] == "key"][skip:]
    for i in keys[:count]:
        frame = next((e for e in events[i + 1 :] if e[1] == "frame"), None)
        if frame is not None:
            wall.append((float(frame[0]) - float(events[i][0])) * 1000)
            cpu.append((float(frame[2]) - float(events[i][2])) * 1000)
    return sorted(wall), sorted(cpu)


def _library(n: int) -> Path:
    library = DATA / f"library-{n}.sqlite3"
    if (DATA / f"related-{n}.sqlite3").exists():
        # bench_related.py's copy of it, related index built: not indexed twice
        library = DATA / f"related-{n}.sqlite3"
    if not library.exists():
        DATA.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        build_library(library, n)
        print(f"  built {n} articles in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    with Library(library) as lib:  # migrate and index before timing anything
        lib.index_related()
    return library


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(len(ordered) * q) - 1)] if ordered else float("nan")


def measure(n: int, launches: int, presses: int) -> dict[str, object]:
    library = _library(n)
    deks = _deks(library, presses + 2)
    launch_times: list[float] = []
    latencies: list[float] = []
    peak = 0
    with tempfile.TemporaryDirectory(prefix="briefreader-bench-") as home:
        trace = str(Path(home) / "trace.log")
        for attempt in range(launches):
            last = attempt == launches - 1
            term = Terminal(library, home, trace if last else "")
            if not term.read_until(deks[0], 20):
                term.close()
                raise SystemExit("the app did not show the first article within 20 s")
            launch_times.append(time.perf_counter() - term.started)
            if attempt < launches - 1:
                term.close()
                continue
            term.settle(2.0, 15.0)  # the list, counts and sidebar loaded: presses from rest
            for i in range(1, presses + 1):
                t0 = time.perf_counter()
                term.press(b"j")
                if not term.read_until(deks[i], 5):
                    raise SystemExit(f"press {i}: the next article never appeared")
                latencies.append((time.perf_counter() - t0) * 1000)
                term.settle(0.1, 1.0)
            term.press(b"G")
            term.settle(0.3)
            term.press(b"/market")
            time.sleep(1.0)
            peak = term.peak_memory_kb()
            term.close()
        inside, inside_cpu = _inside(Path(trace), count=presses)
    latencies.sort()
    return {
        "articles": n,
        "launch_to_first_article_s_median": round(statistics.median(launch_times), 3),
        "next_article_ms_median": round(statistics.median(latencies), 1),
        "next_article_ms_p99": round(latencies[max(0, round(len(latencies) * 0.99) - 1)], 1),
        "next_article_in_app_ms_median": round(statistics.median(inside), 1),
        "next_article_in_app_ms_p99": round(inside[max(0, round(len(inside) * 0.99) - 1)], 1),
        "next_article_in_app_cpu_ms_median": round(statistics.median(inside_cpu), 1),
        "next_article_in_app_cpu_ms_p99": round(_percentile(inside_cpu, 0.99), 1),
        "peak_memory_mb": round(peak / 1024, 1),
        "launches": launches,
        "presses": presses,
    }


def measure_during_refresh(n: int, presses: int, latency: float) -> dict[str, object]:
    """Next article while the app refreshes the shared workload (see the module's note)."""
    from bench_refresh import shared_workload

    source = _library(n)
    deks = _deks(source, presses + 2)
    latencies: list[float] = []
    with (
        shared_workload(500, 50, latency) as (urls, _size),
        tempfile.TemporaryDirectory(prefix="briefreader-bench-", dir=DATA) as home,
    ):
        library = Path(home) / "library.sqlite3"
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
            dst = sqlite3.connect(library)
            src.backup(dst)
            dst.close()
        opml = Path(home) / "subs.opml"
        opml.write_text(
            '<?xml version="1.0"?><opml version="2.0"><head><title>b</title></head><body>'
            + "".join(f'<outline type="rss" text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
            + "</body></opml>"
        )
        env = dict(os.environ, BRIEFREADER_HOME=home, NO_PROXY="*", no_proxy="*")
        subprocess.run(
            [sys.executable, "-m", "briefreader", "--library", str(library), "import", str(opml)],
            env=env,
            check=True,
            capture_output=True,
        )
        trace = str(Path(home) / "trace.log")
        term = Terminal(library, home, trace)
        if not term.read_until(deks[0], 30):
            term.close()
            raise SystemExit("the app did not show the first article within 30 s")
        term.settle(2.0, 15.0)
        done = b"refreshed"  # the toast at the end: "500 feeds refreshed: 25,000 new …"
        term.markers = {b"Refreshing ": 0.0, done: 0.0}
        term.press(b"r")
        pressed_r = time.perf_counter()
        term.drain(0.5)  # the refresh under way (its first feeds arrive in ~0.1 s)
        for i in range(1, presses + 1):
            if term.markers[done]:
                break
            t0 = time.perf_counter()
            term.press(b"j")
            if not term.read_until(deks[i], 10):
                (DATA / "bench_tui-failed.out").write_bytes(term.buffer)
                term.close()
                raise SystemExit(
                    f"press {i}: the next article never appeared "
                    "(what the app wrote since the key: benchmarks/.data/bench_tui-failed.out)"
                )
            latencies.append((time.perf_counter() - t0) * 1000)
            term.drain(0.1)
        during = len(latencies)
        if not term.markers[done]:
            term.read_until(done, 300)
        refresh_s = (term.markers[done] or time.perf_counter()) - pressed_r
        term.drain(0.5)
        peak = term.peak_memory_kb()
        term.close()
        # key -> frame for the presses during the refresh (the first key traced is r)
        inside, inside_cpu = _inside(Path(trace), skip=1, count=during)
    return {
        "articles": n,
        "during_refresh": True,
        "refresh_s_seen": round(refresh_s, 1),
        "presses_during_refresh": during,
        "next_article_ms_median": round(statistics.median(latencies), 1),
        "next_article_ms_p99": round(_percentile(latencies, 0.99), 1),
        "next_article_in_app_ms_median": round(statistics.median(inside), 1),
        "next_article_in_app_ms_p99": round(_percentile(inside, 0.99), 1),
        "next_article_in_app_cpu_ms_median": round(statistics.median(inside_cpu), 1),
        "next_article_in_app_cpu_ms_p99": round(_percentile(inside_cpu, 0.99), 1),
        "peak_memory_mb": round(peak / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument(
        "--during-refresh",
        action="store_true",
        help="press j while the app refreshes the shared workload (../shared/bench)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="the server's, seconds")
    args = parser.parse_args()
    for n in args.articles:
        if args.during_refresh:
            result = measure_during_refresh(n, args.presses, args.latency)
        else:
            result = measure(n, args.launches, args.presses)
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
