"""No silent failures: a worker that fails says so, in one line naming what failed.

Every worker of the app runs with ``exit_on_error=False`` (a failed search must not
end the reading session).  The node that started it hands its
``Worker.StateChanged`` to :func:`failure_line`; an error becomes a toast such as
"Search failed: OperationalError: database is locked", and the node clears what
would otherwise stay on screen ("Loading…", a stale sidebar).
"""

from __future__ import annotations

from textual.worker import Worker

from briefreader.store.schema import NewerLibraryError

__all__ = ["JOBS", "error_text", "failure_line"]

#: What the reader is told when a newer briefreader upgraded the library while the
#: app ran (this app cannot read the file any more).
UPGRADED = "The library was upgraded by a newer briefreader; restart the app."

#: What each worker group does, as named when it fails.
JOBS: dict[str, str] = {
    "rows": "Loading the articles",
    "search": "Search",
    "related": "Finding related articles",
    "mark": "Marking the articles read",
    "feeds": "Reading the feeds",
    "index": "Indexing for related articles",
    "import": "Opening the sample briefs",
    "refresh": "Refreshing the feeds",
    "subscribe": "Adding the feed",
    "remove": "Removing the feed",
    "fulltext": "Fetching the full text",
    "clipboard": "Copying",
    "browser": "Opening the link",
}


def failure_line(worker: Worker[object]) -> str:
    """ "<what> failed: <error>" for a worker that failed, one line."""
    job = JOBS.get(worker.group, worker.description or worker.name or "A background task")
    error = worker.error
    reason = error_text(error) if error is not None else "unknown error"
    line = f"{job} failed: {reason}"
    return " ".join(line.split())[:300]


def error_text(exc: BaseException) -> str:
    """An error as the reader is told it: "LibraryError: …", or in plain words when
    there is something to do about it (a newer briefreader upgraded the library)."""
    if isinstance(exc, NewerLibraryError):
        return UPGRADED
    return f"{type(exc).__name__}: {exc}"
