"""The reading app's refresh, in a process of its own.

A refresh of hundreds of feeds is a lot of work in one process: reading the
responses (HTTP, gzip), unpickling what the parse workers send back, hashing and
storing the items.  In the app's process it ran on the event loop that also
handles the keyboard, and its storing thread took the GIL from Textual's
threads: a key pressed during a refresh of the shared workload waited ~200 ms
for its frame.  Here the whole refresh (:func:`briefreader.refresh.refresh_feeds`,
accounts first, exactly as ``briefreader refresh`` runs it) runs in a child
started fresh (:func:`briefreader.workers.fresh_context`) at low priority, with
its parse pool forked from it; the app's process only reads a line per feed from
a pipe.

What crosses the pipe is plain values: ``("feed", FeedOutcome, done, total)`` as
each feed finishes, then ``("done", RefreshReport)`` or ``("error", message)``.
The child dies with the app (:func:`briefreader.workers.die_with_parent`);
cancelling :func:`refresh_in_child` (the app quitting) stops it at once, which
loses nothing stored: each write is one SQLite transaction, rolled back if cut.

Kept light (standard library at import): the child imports it first.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefreader.workers import die_with_parent, fresh_context, quiet_output, take_environment

if TYPE_CHECKING:
    from briefreader.refresh import FeedOutcome, RefreshReport

__all__ = ["RefreshProcessError", "refresh_in_child"]

#: How much lower than the app the refresh process runs (its parse workers too).
NICENESS = 10

#: How long (seconds) a stopped child gets to go before it is killed.
STOP_GRACE = 2.0


class RefreshProcessError(RuntimeError):
    """The refresh process stopped without a report (it was killed, or crashed)."""


def _child_main(
    conn: Connection,
    parent: int,
    environment: dict[str, str],
    library_path: str,
    feed_ids: list[int],
    workers: int | None,
) -> None:
    """The refresh process: refresh the feeds ``feed_ids`` of the library, sending
    each feed's outcome and then the report (or one line on why it failed)."""
    die_with_parent(parent)
    take_environment(environment)
    quiet_output()
    with contextlib.suppress(OSError, AttributeError):
        os.nice(NICENESS)  # the reader's keypresses come first
    try:
        from briefreader.refresh import refresh_feeds
        from briefreader.store import Library
        from briefreader.workers import parse_pool

        def progress(outcome: FeedOutcome, done: int, total: int) -> None:
            conn.send(("feed", outcome, done, total))

        with Library(Path(library_path)) as library:
            by_id = {feed.id: feed for feed in library.feeds()}
            feeds = [by_id[i] for i in feed_ids if i in by_id]
            # Forked from this process before its event loop (and threads) exist.
            with parse_pool(workers, threaded_caller=False) as executor:  # (the watch only)
                executor.submit(int).result()
                report = asyncio.run(
                    refresh_feeds(library, feeds, executor=executor, progress=progress)
                )
        conn.send(("done", report))
    except BaseException as exc:  # the app shows it; the process ends either way
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


async def refresh_in_child(
    library_path: Path,
    feed_ids: Sequence[int],
    *,
    workers: int | None = None,
    progress: Callable[[FeedOutcome, int, int], None] | None = None,
    started: Callable[[int], None] | None = None,
) -> RefreshReport:
    """Refresh the feeds ``feed_ids`` of the library at ``library_path`` in a child
    process; ``progress`` is called on this event loop as each feed finishes,
    ``started`` with the child's pid.  Raises :class:`RefreshProcessError` when the
    child stops without a report."""
    context = fresh_context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main,
        args=(sender, os.getpid(), dict(os.environ), str(library_path), list(feed_ids), workers),
        name="briefreader-refresh",
        daemon=False,  # (a daemonic process may not start the parse pool)
    )
    child.start()
    sender.close()  # (the child's copy stays open: EOF here when it ends)
    if started is not None and child.pid is not None:
        started(child.pid)
    loop = asyncio.get_running_loop()
    messages: asyncio.Queue[tuple[Any, ...] | None] = asyncio.Queue()
    reader = threading.Thread(
        target=_read_messages,
        args=(receiver, loop, messages),
        name="briefreader-refresh-reader",
        daemon=True,
    )
    reader.start()
    try:
        while (message := await messages.get()) is not None:
            kind = message[0]
            if kind == "feed":
                if progress is not None:
                    progress(message[1], message[2], message[3])
            elif kind == "done":
                report: RefreshReport = message[1]
                return report
            else:
                raise RefreshProcessError(str(message[1]))
        code = await asyncio.to_thread(_wait_for, child, STOP_GRACE)
        raise RefreshProcessError(f"the refresh process stopped (exit status {code})")
    finally:
        if child.is_alive():
            child.terminate()
        await asyncio.to_thread(_wait_for, child, STOP_GRACE)
        receiver.close()


def _read_messages(
    receiver: Connection,
    loop: asyncio.AbstractEventLoop,
    messages: asyncio.Queue[tuple[Any, ...] | None],
) -> None:
    """In a thread: each message from the child onto the event loop's queue, then
    None at the end of the pipe."""
    with contextlib.suppress(RuntimeError):  # the loop closed first (the app quit)
        try:
            while True:
                try:
                    message = receiver.recv()
                except (EOFError, OSError):
                    break
                loop.call_soon_threadsafe(messages.put_nowait, message)
        finally:
            loop.call_soon_threadsafe(messages.put_nowait, None)


def _wait_for(child: multiprocessing.process.BaseProcess, grace: float) -> int | None:
    """Join ``child``, killing it when it has not ended after ``grace`` seconds."""
    child.join(grace)
    if child.is_alive():
        child.kill()
        child.join(grace)
    return child.exitcode
