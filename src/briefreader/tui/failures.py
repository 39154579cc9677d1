"""No silent failures: a worker that fails says so, in one line naming what failed.

Every worker of the app runs with ``exit_on_error=False`` (a failed search must not
end the reading session).  The node that started it hands its
``Worker.StateChanged`` to :func:`failure_line`; an error becomes a toast such as
"Search failed: OperationalError: database is locked", and the node clears what
would otherwise stay on screen ("Loading…", a stale sidebar).
"""

from __future__ import annotations

from textual.worker import Worker

__all__ = ["JOBS", "failure_line"]

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
    reason = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
    line = f"{job} failed: {reason}"
    return " ".join(line.split())[:300]
