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

import multiprocessing
import os
import sys
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor

__all__ = ["make_parse_pool"]


def _quiet_worker() -> None:
    """Run in each worker as it starts: nothing it prints reaches the terminal."""
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    warnings.simplefilter("ignore")


def make_parse_pool(workers: int | None = None) -> Executor:
    from multiprocessing import resource_tracker

    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved
    count = workers or min(4, os.cpu_count() or 1)
    return ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_quiet_worker,
    )
