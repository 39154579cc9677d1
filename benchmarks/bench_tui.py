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
  small wrapper that logs both moments; the terminal side is left out);
* peak memory (VmHWM) of the process after the presses, ``G`` (last row) and a
  search.

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
import statistics
import struct
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
        log.write(f"{time.monotonic():.6f} key\\n")
    return await on_event(self, event)
def traced_display(self, screen, renderable):
    result = display(self, screen, renderable)
    if renderable is not None:
        log.write(f"{time.monotonic():.6f} frame\\n")
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
        if trace:
            env["BRIEFREADER_BENCH_TRACE"] = trace
        argv = [*_command(bool(trace)), "--library", str(library)]
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execve(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.buffer = b""

    def read_until(self, needle: bytes, timeout: float = 10.0) -> bool:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.buffer += os.read(self.fd, 1 << 16)
                except OSError:
                    return False
                if needle in self.buffer:
                    return True
        return False

    def settle(self, quiet: float = 0.2, limit: float = 3.0) -> None:
        """Read until nothing arrives for ``quiet`` seconds (at most ``limit``)."""
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.fd], [], [], quiet)
            if not ready:
                return
            try:
                self.buffer += os.read(self.fd, 1 << 16)
            except OSError:
                return

    def press(self, keys: bytes) -> None:
        self.buffer = b""
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


def _inside_latencies(trace: Path, presses: int) -> list[float]:
    """Key reaching the app → first frame written after it, for the ``j`` presses."""
    events = [line.split() for line in trace.read_text().splitlines()]
    out: list[float] = []
    for i, (stamp, kind) in enumerate(events):
        if kind != "key":
            continue
        frame = next((float(s) for s, k in events[i + 1 :] if k == "frame"), None)
        if frame is not None:
            out.append((frame - float(stamp)) * 1000)
    return sorted(out[:presses])


def measure(n: int, launches: int, presses: int) -> dict[str, object]:
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
        inside = _inside_latencies(Path(trace), presses)
    latencies.sort()
    return {
        "articles": n,
        "launch_to_first_article_s_median": round(statistics.median(launch_times), 3),
        "next_article_ms_median": round(statistics.median(latencies), 1),
        "next_article_ms_p99": round(latencies[max(0, round(len(latencies) * 0.99) - 1)], 1),
        "next_article_in_app_ms_median": round(statistics.median(inside), 1),
        "next_article_in_app_ms_p99": round(inside[max(0, round(len(inside) * 0.99) - 1)], 1),
        "peak_memory_mb": round(peak / 1024, 1),
        "launches": launches,
        "presses": presses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--presses", type=int, default=100)
    args = parser.parse_args()
    for n in args.articles:
        print(json.dumps(measure(n, args.launches, args.presses)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
