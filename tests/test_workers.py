"""Process pools that parse feeds: one bad feed never takes the others down, and
no worker outlives the process that started it.

* A rejected body (an HTML page where a feed should be) is an error value for that
  feed only; every good feed beside it still loads (``briefreader refresh``).
* A worker that dies outright fails only the feed it was parsing; the pool is
  replaced and goes on being used.
* ``kill -9`` of ``briefreader refresh`` or of the app leaves no worker (nor the
  resource tracker) behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from testkit import PAGE, rss

from briefreader.refresh import refresh_feeds
from briefreader.store import Library

CRASH_MARK = b"<!-- crash-the-parser-worker -->"


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "BRIEFREADER_HOME": str(home), "NO_PROXY": "*"}


# ---------------------------------------------------------------------------------
# a rejected body


def test_cli_refresh_a_rejected_body_beside_good_feeds(tmp_path: Path) -> None:
    """``briefreader refresh`` (forked pool): the HTML page fails, by name, alone."""
    path = tmp_path / "lib.sqlite3"
    with FetchServer() as server:
        server.add("/page.html", PAGE, content_type="text/html; charset=utf-8")
        with Library(path) as lib:
            lib.add_feed(server.url("/page.html"))
            for i in range(6):
                # The good feeds answer after the page, so they reach the pool after it.
                server.add(
                    f"/good{i}.xml",
                    rss(f"Good {i}", f"g{i}"),
                    content_type="application/rss+xml",
                    delay=0.3,
                )
                lib.add_feed(server.url(f"/good{i}.xml"))
        out = subprocess.run(
            [sys.executable, "-m", "briefreader", "refresh", "--library", str(path), "--json"],
            capture_output=True,
            text=True,
            env=_env(tmp_path / "home"),
            timeout=120,
        )
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    by_url = {f["url"].rsplit("/", 1)[-1]: f for f in data["feeds"]}
    assert by_url["page.html"]["status"] == "failed"
    assert "BrokenProcessPool" not in by_url["page.html"]["error"]
    good = [f for name, f in by_url.items() if name.startswith("good")]
    assert [f["status"] for f in good] == ["new"] * 6, data["feeds"]
    with Library(path) as lib:
        assert lib.count() == 6


# ---------------------------------------------------------------------------------
# a worker that dies


def crash_on_mark() -> None:
    """Run in each worker (the pool's extra initializer): parsing a body that carries
    CRASH_MARK kills the worker outright, as a crash in a C library would."""
    from briefreader import refresh

    real = refresh.parse_feed  # type: ignore[attr-defined]

    def parse_or_die(body: bytes, **kwargs: object) -> object:
        if CRASH_MARK in body:
            os._exit(3)
        return real(body, **kwargs)  # type: ignore[arg-type]

    refresh.parse_feed = parse_or_die  # type: ignore[attr-defined,assignment]


@pytest.mark.parametrize("start", ["fork", "spawn"])
async def test_a_worker_that_dies_fails_only_its_feed(
    fetch_server: FetchServer, tmp_path: Path, start: str
) -> None:
    if start == "fork" and sys.platform != "linux":
        pytest.skip("fork pools are used on Linux only")
    fetch_server.add(
        "/crash.xml", rss("Crash", "c0", extra=CRASH_MARK), content_type="application/rss+xml"
    )
    for i in range(6):
        fetch_server.add(
            f"/good{i}.xml", rss(f"Good {i}", f"g{i}"), content_type="application/rss+xml"
        )
    from briefreader.workers import WorkerPool

    pool = WorkerPool(2, start=start, initializer=crash_on_mark)  # type: ignore[arg-type]
    try:
        with Library(tmp_path / "lib.sqlite3") as lib:
            lib.add_feed(fetch_server.url("/crash.xml"))
            for i in range(6):
                lib.add_feed(fetch_server.url(f"/good{i}.xml"))
            report = await refresh_feeds(lib, executor=pool)
            status = {o.url.rsplit("/", 1)[-1]: o for o in report.outcomes}
            assert status["crash.xml"].status == "failed"
            assert "parser process died" in status["crash.xml"].error
            assert sorted(o.status for n, o in status.items() if n != "crash.xml") == ["new"] * 6
            assert lib.count() == 6
            # The pool was replaced and still works.
            again = await refresh_feeds(lib, executor=pool)
            assert sorted(o.status for o in again.outcomes) == ["failed"] + ["unchanged"] * 6
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------------------------
# workers die with their parent

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find child processes"
)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError):
            found.update(int(p) for p in (task / "children").read_text().split())
    return found


def _descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``: {pid: its start time} (so a reused pid is not it)."""
    out: dict[int, str] = {}
    todo = [pid]
    for _ in range(1000):  # bounded
        if not todo:
            break
        for child in _children(todo.pop()):
            start = _start_time(child)
            if start is not None and child not in out:
                out[child] = start
                todo.append(child)
    return out


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "


def _start_time(pid: int) -> str | None:
    fields = _stat(pid)
    return fields[19] if fields else None


def _alive(pid: int, start: str) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[19] == start and fields[0] != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait(probe: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.1)
    return probe()


def _kill_and_check(proc: subprocess.Popen[bytes], workers: dict[int, str]) -> None:
    """kill -9 the parent; every process it started must be gone within 10 s."""
    workers = {**_descendants(proc.pid), **workers}  # even if the test failed early
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        gone = _wait(lambda: not any(_alive(p, s) for p, s in workers.items()), 10.0)
        left = {p: _cmdline(p) for p, s in workers.items() if _alive(p, s)}
        assert gone, f"still running after their parent was killed: {left}"
    finally:
        for pid, start in workers.items():  # only processes this test started
            if _alive(pid, start):
                os.kill(pid, signal.SIGKILL)


@needs_proc
@pytest.mark.slow
def test_killed_refresh_leaves_no_workers(slow_server: FetchServer, tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.add_feed(slow_server.url("/good.xml"))
        lib.add_feed(slow_server.url("/slow.xml"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefreader", "refresh", "--library", str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(tmp_path / "home"),
    )
    workers: dict[int, str] = {}
    try:
        # Mid-refresh: the slow feed is being fetched, the good one has been parsed.
        assert _wait(lambda: slow_server.hits("/slow.xml") > 0, 30.0)
        assert _wait(lambda: bool(_descendants(proc.pid)), 10.0)
        workers = _descendants(proc.pid)
    finally:
        _kill_and_check(proc, workers)
    assert proc.returncode == -signal.SIGKILL


#: A process with a thread besides its main one makes a pool (started fresh: from
#: the fork server on Linux), prints its workers' parent and whether the refresh's
#: modules were there before any task, then waits to be killed.
_THREADED_POOL = """
import sys, threading, time
from briefreader.workers import WorkerPool
threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
pool = WorkerPool(2, start="spawn")
test = "'briefreader.refresh' in __import__('sys').modules"
print(pool.submit(eval, "__import__('os').getppid()").result(), pool.submit(eval, test).result())
sys.stdout.flush()
time.sleep(600)
"""


@needs_proc
@pytest.mark.skipif(sys.platform != "linux", reason="the fork server is used on Linux")
def test_a_threaded_process_starts_workers_from_the_fork_server(tmp_path: Path) -> None:
    """A pool made by a process with threads (the app) starts its workers from the
    fork server, which imported the refresh once (a spawned worker imported it
    again, ~0.15 s of CPU each); killing the process ends the workers and the
    server (they hold each other's pipes: the workers watch the process too)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _THREADED_POOL],
        stdout=subprocess.PIPE,
        env=_env(tmp_path / "home"),
        start_new_session=True,
    )
    workers: dict[int, str] = {}
    try:
        assert proc.stdout is not None
        server, preloaded = proc.stdout.readline().decode().split()
        assert "multiprocessing.forkserver" in _cmdline(int(server))
        assert _parent(int(server)) == proc.pid
        assert preloaded == "True"
        workers = _descendants(proc.pid)
        assert len(workers) >= 3  # the server and two workers (and the resource tracker)
    finally:
        _kill_and_check(proc, workers)


def _parent(pid: int) -> int:
    stat = _stat(pid)
    return int(stat[1]) if stat else -1


@needs_proc
@pytest.mark.slow
def test_killed_app_leaves_no_workers(slow_server: FetchServer, tmp_path: Path) -> None:
    """The app in a pseudo-terminal: ``r`` starts the refresh's process
    (briefreader.refresh_child), which forks its parse pool; killing the app ends
    them all."""
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.add_feed(slow_server.url("/good.xml"))
        lib.add_feed(slow_server.url("/slow.xml"))
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**_env(tmp_path / "home"), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefreader", "--library", str(path)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    screen = bytearray()

    def drain() -> None:  # the app must never block writing to its terminal
        for _ in range(1_000_000):  # bounded; ends when the terminal closes
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            screen.extend(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    workers: dict[int, str] = {}
    try:
        assert _wait(lambda: len(screen) > 1000, 30.0), bytes(screen[-500:])
        time.sleep(1.0)  # let the app settle before the key

        def refreshing() -> bool:
            return slow_server.hits("/slow.xml") > 0

        for _ in range(3):  # press r until the refresh is under way (bounded)
            os.write(master, b"r")
            if _wait(refreshing, 10.0):
                break
        assert refreshing(), bytes(screen[-2000:])
        # The refresh's process is up (spawned), and with it its parse pool (forked).
        assert _wait(
            lambda: any(
                "forkserver" in _cmdline(p) or "spawn_main" in _cmdline(p)
                for p in _descendants(proc.pid)
            ),
            20.0,
        )
        time.sleep(0.5)  # every worker of the pool that is starting is up
        workers = _descendants(proc.pid)
    finally:
        _kill_and_check(proc, workers)
        os.close(master)
        reader.join(timeout=5)


# ---------------------------------------------------------------------------------
# a large import


def die_reading_brief07() -> None:
    """Run in each worker: reading ``brief07.md`` kills the worker outright."""
    from briefreader import ingest

    real = ingest.read_file  # type: ignore[attr-defined]

    def read_or_die(path: Path) -> object:
        if path.name == "brief07.md":
            os._exit(3)
        return real(path)

    ingest.read_file = read_or_die  # type: ignore[attr-defined,assignment]


def test_import_a_file_that_kills_its_worker_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many files are read in a (forked) pool; one whose reading kills the worker
    fails by name, and every other file is imported."""
    import threading as threading_module

    from briefreader import ingest

    if sys.platform != "linux" or (os.cpu_count() or 1) < 2:
        pytest.skip("the forked read pool is used on Linux with 2+ cores")
    if threading_module.active_count() > 1:
        pytest.skip("another thread is running: the import would read in this process")
    folder = tmp_path / "briefs"
    folder.mkdir()
    for i in range(80):
        (folder / f"brief{i:02}.md").write_text(
            f"---\ntitle: Brief {i}\nurl: https://site.example/b{i}\n---\n\nBody {i}.\n"
        )
    from briefreader.workers import WorkerPool

    def crashing_read_pool(workers: int | None = None) -> WorkerPool:
        # read_pool as it is, plus the hook, in the first pool and any replacement
        return WorkerPool(workers, start="fork", initializer=die_reading_brief07)

    monkeypatch.setattr(ingest, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(ingest, "read_pool", crashing_read_pool)
    with Library(tmp_path / "lib.sqlite3") as lib:
        report = ingest.import_paths(lib, [str(folder)])
        assert report.failed == 1, report.errors
        assert "brief07.md" in report.errors[0] and "process died" in report.errors[0]
        assert lib.count() == 79


def test_a_fresh_worker_has_the_environment_its_pool_was_made_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker started from the fork server (which started with the environment of
    its time) reads the environment its pool was made in, as a spawned one did: the
    app's library and config come from BRIEFREADER_HOME."""
    from briefreader.workers import WorkerPool

    monkeypatch.setenv("BRIEFREADER_TEST_MARK", "one")
    first = WorkerPool(1, start="spawn")
    try:
        assert first.submit(os.getenv, "BRIEFREADER_TEST_MARK").result() == "one"
    finally:
        first.shutdown()
    monkeypatch.setenv("BRIEFREADER_TEST_MARK", "two")
    monkeypatch.setenv("BRIEFREADER_TEST_NEW", "new")
    second = WorkerPool(1, start="spawn")
    try:
        assert second.submit(os.getenv, "BRIEFREADER_TEST_MARK").result() == "two"
        assert second.submit(os.getenv, "BRIEFREADER_TEST_NEW").result() == "new"
    finally:
        second.shutdown()


@needs_proc
def test_the_fork_servers_modules_start_no_thread() -> None:
    """The fork server forks every fresh process from itself: what it imports first
    must leave it single-threaded (forking a threaded process can copy a held lock)."""
    from briefreader.workers import FORKSERVER_PRELOAD

    code = (
        "import os, sys\n"
        "for name in sys.argv[1:]:\n"
        "    __import__(name)\n"
        "print(len(os.listdir('/proc/self/task')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *FORKSERVER_PRELOAD],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "1", out.stderr


_POOL_IN_A_FOLDER = """
import os, sys, threading, time
from briefreader.workers import WorkerPool
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
os.chdir(sys.argv[1])  # the folder the app was started from
pool = WorkerPool(1, start="spawn")
print(pool.submit(eval, "len(__import__('briefreader.store').store.Library.__name__)").result())
pool.shutdown()
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the fork server is used on Linux")
def test_a_module_in_the_working_folder_is_not_imported_by_the_fork_server(
    tmp_path: Path,
) -> None:
    """A ``queue.py`` in the folder the app was started from: the fork server (started
    as ``python -c``, the folder first on its import path) imported it in place of
    the standard library's, ran it, and every refresh failed."""
    folder = tmp_path / "start here"
    folder.mkdir()
    ran = tmp_path / "ran"
    (folder / "queue.py").write_text(f"open({str(ran)!r}, 'w').close()\nraise SystemExit(9)\n")
    out = subprocess.run(
        [sys.executable, "-c", _POOL_IN_A_FOLDER, str(folder)],
        capture_output=True,
        text=True,
        env={k: v for k, v in _env(tmp_path / "home").items() if k != "PYTHONSAFEPATH"},
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["7"]
    assert not ran.exists()


@needs_proc
def test_started_here_knows_a_child_a_fork_servers_child_and_a_stranger() -> None:
    """The app stops its refresh process by pid when it quits: a pid the fork server
    has already reaped may be another process's by then, which it must not signal."""
    from briefreader.workers import WorkerPool, started_here

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    pool = WorkerPool(1, start="spawn")  # (from the fork server on Linux)
    try:
        worker = pool.submit(os.getpid).result()
        assert started_here(child.pid) and started_here(worker)
        assert not started_here(1) and not started_here(os.getppid())
    finally:
        pool.shutdown()
        child.kill()
        child.wait()
    assert not started_here(child.pid + 10_000_000)  # (no such process)
