"""The process pool that parses feeds while the app runs (``r``).

The same pool as :func:`briefreader.refresh.make_executor` with
``threaded_caller=True`` (spawned: the app has threads), plus two things a
full-screen app needs:

* Textual replaces ``sys.stderr`` with an object whose ``fileno()`` is -1, and
  multiprocessing's resource tracker passes that descriptor to its process
  ("bad value(s) in fds_to_keep"): the tracker is started here with a real one.
* The workers inherit the terminal as stdout/stderr; a warning printed there
  would scribble over the app.  Each worker points both at ``os.devnull``.

Kept light (no Textual import): spawned workers import this module.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor

__all__ = ["index_and_group", "make_background_pool", "make_parse_pool"]


def _quiet_worker() -> None:
    """Run in each worker as it starts: nothing it prints reaches the terminal."""
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    warnings.simplefilter("ignore")


def _quiet_low_priority_worker() -> None:
    _quiet_worker()
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)  # the reader's keypresses come first


def make_parse_pool(workers: int | None = None) -> Executor:
    return _make_pool(workers or min(4, os.cpu_count() or 1), _quiet_worker)


def make_background_pool() -> Executor:
    """One low-priority process for related indexing and story grouping: that work is
    pure Python, and in a thread of the app it would hold the GIL against the
    keyboard (a 50-article batch of story grouping is ~200 ms)."""
    return _make_pool(1, _quiet_low_priority_worker)


def index_and_group(library_path: str, index_batch: int, story_batch: int) -> tuple[int, int, bool]:
    """One step of background upkeep, run in the background process: index up to
    ``index_batch`` queued articles, then group up to ``story_batch`` into stories.
    Returns (indexed, grouped, more to do)."""
    from briefreader.library import Library

    with Library(library_path) as lib:
        indexed = lib.index_related(limit=index_batch)
        grouped = 0 if lib.related_pending() else lib.update_stories(limit=story_batch)
        more = bool(lib.related_pending() or lib.stories_pending())
    return indexed, grouped, more


def _make_pool(count: int, initializer: Callable[[], None]) -> Executor:
    from multiprocessing import resource_tracker

    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved
    return ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=initializer,
    )
