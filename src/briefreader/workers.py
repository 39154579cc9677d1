"""Worker processes: the one place briefreader makes process pools.

Three pools use it: feed parsing (``briefreader refresh`` and the app's ``r``), file
reading for large imports (:mod:`briefreader.ingest`), and the app's low-priority
background upkeep (related index, story grouping: :func:`index_and_group`).

What every pool here guarantees:

* **A dead pool is replaced.**  A worker that dies (a crash in a C library, out of
  memory, killed) breaks a :class:`~concurrent.futures.ProcessPoolExecutor` for
  good.  :class:`WorkerPool` makes a new one at the next ``submit``, and
  :meth:`WorkerPool.run_alone` runs one call in a one-worker pool of its own, so a
  caller can retry the calls a break took down and tell which one kills its
  worker.  What a task sends back should be plain values (a str for an error,
  never an exception object: one that cannot be unpickled in the parent breaks the
  whole pool).
* **Workers die with their parent.**  On Linux each worker asks the kernel for
  SIGKILL when its parent goes (``prctl(PR_SET_PDEATHSIG)``), then checks that the
  parent had not already gone; everywhere, a daemon thread in each worker polls
  ``os.getppid()`` and exits the worker when the parent changes.  (The kernel's
  "parent" is the *thread* that started the worker: pools are started from the
  main thread or an event loop's, never from a short-lived thread.)  The
  multiprocessing resource tracker, which spawned pools start, exits by itself
  once the parent and its workers are gone (its pipe closes).
* **Quiet workers** (``quiet=True``, the app's pools): stdout and stderr point at
  ``os.devnull``, so a warning never scribbles over a full-screen app.  Textual
  replaces ``sys.stderr`` with an object whose ``fileno()`` is -1, which
  multiprocessing would hand to the resource tracker ("bad value(s) in
  fds_to_keep"): the tracker is started here with a real descriptor.

Kept light (standard library only, no Textual): spawned workers import it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Literal, ParamSpec, TypeVar

if TYPE_CHECKING:  # (no fork server on Windows)
    from multiprocessing.context import ForkServerContext, SpawnContext

__all__ = [
    "BrokenProcessPool",
    "StartMethod",
    "WorkerPool",
    "background_pool",
    "die_with_parent",
    "ensure_resource_tracker",
    "index_and_group",
    "parse_pool",
    "quiet_output",
    "read_pool",
    "started_here",
    "take_environment",
]

StartMethod = Literal["fork", "spawn"]

_T = TypeVar("_T")
_P = ParamSpec("_P")

#: How often (seconds) a worker's watch thread checks that its parent is alive.
PARENT_POLL = 1.0
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def default_workers() -> int:
    return min(4, os.cpu_count() or 1)


def fork_or_spawn(*, threaded_caller: bool = False) -> StartMethod:
    """fork (workers start in milliseconds, no re-import) on Linux from a process
    with no other threads; "spawn" otherwise, which means started fresh
    (:func:`fresh_context`: forking a threaded process can copy a lock some other
    thread holds)."""
    return "fork" if sys.platform == "linux" and not threaded_caller else "spawn"


# ---------------------------------------------------------------------------------
# in each worker


def _init_worker(
    parent: int,
    environment: dict[str, str],
    quiet: bool,
    low_priority: bool,
    extra: Callable[[], None] | None,
) -> None:
    """Run in each worker as it starts."""
    die_with_parent(parent)
    take_environment(environment)
    if quiet:
        quiet_output()
    if low_priority:
        with contextlib.suppress(OSError, AttributeError):
            os.nice(10)  # the reader's keypresses come first
    if extra is not None:
        extra()


def take_environment(environment: dict[str, str]) -> None:
    """Make ``environment`` (the parent's ``os.environ`` when it started this process)
    this process's: one started by the fork server has the server's, as it was when
    the server started (multiprocessing carries the working directory and
    ``sys.path`` over itself, not the environment)."""
    if os.environ != environment:
        os.environ.clear()
        os.environ.update(environment)


def quiet_output() -> None:
    """Point this process's stdout and stderr at ``os.devnull`` and ignore warnings:
    nothing it prints may scribble over the app's full screen."""
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    warnings.simplefilter("ignore")


def die_with_parent(parent: int) -> None:
    """Make this process end when the process ``parent`` does (see the module's note).

    A process started by the fork server (:func:`fresh_context`) is the server's
    child, and the server is ``parent``'s: it ends with the server, which ends when
    ``parent`` does (multiprocessing's server reads a pipe only ``parent`` holds)."""
    direct = os.getppid()
    if direct != parent and _parent_of(direct) != parent:  # gone before it started
        os._exit(0)
    if sys.platform == "linux":
        with contextlib.suppress(Exception):  # no libc, no prctl: the thread still watches
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != direct:  # it died before the request above took hold
        os._exit(0)
    # The fork server's child also watches ``parent`` itself: the server lives on
    # while any of its children do (each holds the pipe it watches), so their deaths
    # wait on each other; multiprocessing's sentinel pipe ends when ``parent`` does.
    sentinel = None
    if direct != parent and (started_by := multiprocessing.parent_process()) is not None:
        sentinel = started_by.sentinel
    threading.Thread(
        target=_watch_parent,
        args=(direct, sentinel),
        name="briefreader-watch-parent",
        daemon=True,
    ).start()


def started_here(pid: int) -> bool:
    """Whether ``pid`` is a process this one started: its child, or the fork server's
    (the server is this process's child).  The fork server reaps its children as they
    end, so a pid kept for later may by then name some other process; a child of this
    process stays until it is waited for.  Without ``/proc`` (not Linux): True."""
    parent = _parent_of(pid)
    if parent == -1:
        return sys.platform != "linux"  # (on Linux: gone)
    return parent == os.getpid() or _parent_of(parent) == os.getpid()


def _parent_of(pid: int) -> int:
    """The parent process of ``pid`` (-1 when it cannot be read: not Linux, or gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
        return int(text[text.rindex(b")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _watch_parent(parent: int, sentinel: int | None) -> None:
    from multiprocessing.connection import wait

    while os.getppid() == parent:  # runs for as long as the parent does
        if sentinel is None:
            time.sleep(PARENT_POLL)
        elif wait([sentinel], timeout=PARENT_POLL):
            break
    os._exit(0)


# ---------------------------------------------------------------------------------
# in the parent


class WorkerPool(Executor):
    """A process pool that replaces itself when a worker dies.

    ``start``: how workers start (:func:`fork_or_spawn`); a replacement made while
    this process has other threads is spawned even when ``start`` is fork.
    ``initializer``: run in each worker after the standard setup (tests use it).
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        start: StartMethod | None = None,
        quiet: bool = False,
        low_priority: bool = False,
        initializer: Callable[[], None] | None = None,
    ) -> None:
        self.workers = workers or default_workers()
        self.start: StartMethod = start or fork_or_spawn()
        self.quiet = quiet
        self.low_priority = low_priority
        self.initializer = initializer
        #: how many times a broken pool was replaced
        self.replaced = 0
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._alone: ProcessPoolExecutor | None = None
        self._alone_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
        self._alone_locks = weakref.WeakKeyDictionary()
        self._shut = False

    def _make(self, count: int, *, replacement: bool) -> ProcessPoolExecutor:
        method = self.start
        if method == "fork" and replacement and threading.active_count() > 1:
            method = "spawn"
        return ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("fork") if method == "fork" else fresh_context(),
            initializer=_init_worker,
            initargs=(
                os.getpid(),
                dict(os.environ),
                self.quiet,
                self.low_priority,
                self.initializer,
            ),
        )

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        with self._lock:
            if self._shut:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._pool is None:
                self._pool = self._make(self.workers, replacement=False)
            try:
                return self._pool.submit(fn, *args, **kwargs)
            except BrokenProcessPool:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._make(self.workers, replacement=True)
                self.replaced += 1
                return self._pool.submit(fn, *args, **kwargs)

    async def run_alone(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``fn(*args)`` in a one-worker pool of its own, one call at a time: a call
        that kills its worker raises BrokenProcessPool and takes no other call with
        it (the next gets a new worker).  Slower than :meth:`run`: for retries."""
        loop = asyncio.get_running_loop()
        lock = self._alone_locks.setdefault(loop, asyncio.Lock())
        async with lock:
            with self._lock:
                if self._shut:
                    raise RuntimeError("cannot schedule new futures after shutdown")
                if self._alone is None:
                    self._alone = self._make(1, replacement=True)
                alone = self._alone
            try:
                return await asyncio.wrap_future(
                    alone.submit(functools.partial(fn, *args, **kwargs))
                )
            except BrokenProcessPool:
                with self._lock:
                    if self._alone is alone:
                        self._alone = None
                alone.shutdown(wait=False, cancel_futures=True)
                raise

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shut = True
            pools = [p for p in (self._pool, self._alone) if p is not None]
            self._pool = self._alone = None
        for pool in pools:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)


#: What the fork server imports once, before any process is started from it: what
#: the refresh's process, the parse and read workers and the background upkeep use.
#: (A module missing here is imported by the process that needs it, as before.)
FORKSERVER_PRELOAD = (
    "briefreader.forkserver_path",  # (first: the working directory off the import path)
    "briefreader.refresh_child",
    "briefreader.refresh",
    "briefreader.ingest",
    "briefreader.store",
    "briefreader.related.ranking",
)


def fresh_context() -> SpawnContext | ForkServerContext:
    """How a process starts when this one may not be forked (it has other threads):
    on Linux from multiprocessing's fork server, a process started once (at the first
    need) that has imported :data:`FORKSERVER_PRELOAD` and forks a new process in a
    few milliseconds; elsewhere spawned (a new interpreter that imports what it needs:
    ~0.15 s of CPU a process, for every refresh of the app and every pool).  Either
    way the process starts from a clean, single-threaded state."""
    ensure_resource_tracker()  # (multiprocessing would start it with the app's stderr)
    if sys.platform != "linux":
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(FORKSERVER_PRELOAD))  # (read when it starts)
    return context


def ensure_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr (see the module
    docstring): a spawned pool would otherwise start it with ``sys.stderr``."""
    from multiprocessing import resource_tracker

    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


# ---------------------------------------------------------------------------------
# the pools


def parse_pool(workers: int | None = None, *, threaded_caller: bool | None = None) -> WorkerPool:
    """Feed parsing, from the command line or the app's refresh process (forked
    workers: neither has other threads yet, but for the refresh process's watch on
    its parent, which holds no lock).  ``threaded_caller``, by default whether this
    process has other threads: the command's ``main()`` run inside a process that
    has (the tests') starts its workers fresh."""
    if threaded_caller is None:
        threaded_caller = threading.active_count() > 1
    return WorkerPool(workers, start=fork_or_spawn(threaded_caller=threaded_caller))


def read_pool(workers: int | None = None) -> WorkerPool:
    """File reading for a large import, from the single-threaded command line."""
    return WorkerPool(workers, start=fork_or_spawn(threaded_caller=threading.active_count() > 1))


def background_pool() -> WorkerPool:
    """One low-priority process for the app's related indexing and story grouping:
    that work is pure Python, and in a thread of the app it would hold the GIL
    against the keyboard (a 50-article batch of story grouping is ~200 ms)."""
    return WorkerPool(1, start="spawn", quiet=True, low_priority=True)


def index_and_group(library_path: str, index_batch: int, story_batch: int) -> tuple[int, int, bool]:
    """One step of background upkeep, run in the background process: index up to
    ``index_batch`` queued articles, then group up to ``story_batch`` into stories.
    Returns (indexed, grouped, more to do)."""
    from briefreader.store import Library

    with Library(library_path) as lib:
        indexed = lib.index_related(limit=index_batch)
        grouped = 0 if lib.related_pending() else lib.update_stories(limit=story_batch)
        more = bool(lib.related_pending() or lib.stories_pending())
    return indexed, grouped, more
