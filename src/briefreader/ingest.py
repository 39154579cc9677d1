"""Bringing local files into the library: expand inputs, read each, store in batches.

Used by ``briefreader add`` and by the app's first run (the bundled samples).  A
file that fails is reported in one line and never stops the others; nothing
already stored changes because of a bad file.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from briefreader.model import Article, ArticleState, Tombstone
from briefreader.sources import SourceError, expand_inputs, read_file
from briefreader.sources.jsonstream import large_json, read_json_list
from briefreader.store import Library
from briefreader.wording import counted
from briefreader.workers import BrokenProcessPool, WorkerPool, read_pool

__all__ = ["ImportReport", "import_paths", "import_samples", "sample_paths"]

#: How many articles are written per transaction.
BATCH_SIZE = 1000

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    files: int = 0
    #: articles whose read/star state or feed an export carried was restored
    restored: int = 0
    #: deleted or pruned feed items an export carried, remembered again
    tombstones: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped, {self.failed} failed"
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON form: every field but ``files``."""
        return {k: v for k, v in asdict(self).items() if k != "files"}


def import_paths(
    library: Library,
    inputs: Iterable[str],
    *,
    progress: Progress | None = None,
    sample: bool = False,
) -> ImportReport:
    """Read every file the inputs name (files, folders, globs) and store the articles.

    ``sample``: they are the bundled sample briefs (see :func:`import_samples`)."""
    report = ImportReport()
    files: list[Path] = []
    for path, note in expand_inputs(inputs):
        if path is None:
            report.skipped += 1
            report.notes.append(note)
        else:
            files.append(path)
    report.files = len(files)
    # A big library's `export > all.json` is over the size a file is read whole at:
    # read here a batch at a time instead (sources/jsonstream.py).
    streamed = [path for path in files if large_json(path)]
    files = [path for path in files if path not in streamed]
    pending: list[Article] = []
    # The read/star state and feed an export carries, applied once its articles are
    # stored (Library.restore_states: never clobbers state the library has).
    states: dict[str, ArticleState] = {}
    stones: list[Tombstone] = []
    feed_urls: Counter[str] = Counter()  # (the feeds an export's articles came from)

    def take(
        articles: list[Article],
        warnings: list[str],
        found: dict[str, ArticleState],
        gone: list[Tombstone],
    ) -> None:
        """What one file (or one batch of a big one) gave, stored a batch at a time."""
        pending.extend(articles)
        states.update(found)
        feed_urls.update(st.feed_url for st in found.values() if st.feed_url)
        stones.extend(gone)
        report.notes.extend(warnings)
        if len(pending) >= BATCH_SIZE:
            _flush(library, pending, report, states, sample=sample)

    for done, (articles, warnings, error, found, gone) in enumerate(_read_all(files), 1):
        if error:
            report.failed += 1
            report.errors.append(error)
        else:
            take(articles, warnings, found, gone)
        if progress is not None:
            progress(done, report.files)
    for path in streamed:
        try:
            for part in read_json_list(path):
                take(part.articles, part.warnings, part.states, part.tombstones)
        except SourceError as exc:  # (what was read before it is stored)
            report.failed += 1
            report.errors.append(str(exc))
        if progress is not None:
            progress(report.files - len(streamed) + streamed.index(path) + 1, report.files)
    _flush(library, pending, report, states, sample=sample)
    if stones:
        # (after the articles: the deletion wins over an old export's file of one)
        restored = library.restore_tombstones(stones)
        report.tombstones = restored.added
        report.notes.append(
            f"remembered {counted(restored.added, 'deleted or pruned feed item')} "
            "from the export: their feeds will not bring them back"
            + (f" ({restored.known:,} already known)" if restored.known else "")
        )
        if restored.removed:
            report.notes.append(
                f"removed {counted(restored.removed, 'article')} that had been deleted or "
                "pruned before the export (fetched again, or from an older export)"
            )
        if restored.kept:
            report.notes.append(
                f"kept {counted(restored.kept, 'article')} the export names as deleted: "
                "starred, downloaded, not from a feed, or pruned there (retention here decides)"
            )
    unfollowed = _unfollowed(library, feed_urls)
    if unfollowed:
        report.notes.append(unfollowed)
    if report.restored:
        report.notes.append(
            f"restored the read/star state or feed of {counted(report.restored, 'article')} "
            "from the export"
        )
    return report


def _unfollowed(library: Library, feed_urls: Counter[str]) -> str:
    """A note when an export's articles name feeds the library does not follow: they
    stay without their feed (never pruned with it, not removed with it)."""
    if not feed_urls:
        return ""
    followed = {feed.url for feed in library.feeds()}
    missing = [url for url in feed_urls if url not in followed]
    if not missing:
        return ""
    n = sum(feed_urls[url] for url in missing)
    return (
        f"{counted(n, 'article')} came from {counted(len(missing), 'feed')} not followed here "
        f"(such as {missing[0]}): they stay without a feed; to link them, import the feeds "
        "first (`briefreader import feeds.opml`), then add the export again"
    )


#: Below this many files, reading in this process is faster than starting workers.
PARALLEL_THRESHOLD = 400

_Outcome = tuple[list[Article], list[str], str, dict[str, ArticleState], list[Tombstone]]


def _read_one(path: Path) -> _Outcome:
    try:
        result = read_file(path)
    except SourceError as exc:
        return [], [], str(exc), {}, []
    return result.articles, result.warnings, "", result.states, result.tombstones


def _read_all(files: list[Path]) -> Iterator[_Outcome]:
    """Read files in order; many files are parsed in worker processes (one per core)
    while this process writes to the library."""
    workers = min(4, os.cpu_count() or 1)
    if len(files) < PARALLEL_THRESHOLD or workers < 2 or threading.active_count() > 1:
        for path in files:
            yield _read_one(path)
        return
    # fork (read_pool): workers start in milliseconds and need no re-import; used
    # only from a single-threaded process (the CLI), where forking is safe.
    chunks = [files[i : i + READ_CHUNK] for i in range(0, len(files), READ_CHUNK)]
    with read_pool(workers) as pool:
        futures = [pool.submit(_read_chunk, chunk) for chunk in chunks]
        for index, chunk in enumerate(chunks):
            try:
                outcomes = futures[index].result()
            except BrokenProcessPool:
                # A worker died (a crash in a C library): this chunk's files are read
                # one at a time, so only a file that kills its worker fails; the
                # chunks after it go back to the replaced pool.
                outcomes = [_read_alone(pool, path) for path in chunk]
                futures[index + 1 :] = [pool.submit(_read_chunk, c) for c in chunks[index + 1 :]]
            yield from outcomes


#: Files sent to a worker at a time.
READ_CHUNK = 32


def _read_chunk(paths: list[Path]) -> list[_Outcome]:
    return [_read_one(path) for path in paths]


def _read_alone(pool: WorkerPool, path: Path) -> _Outcome:
    try:
        return pool.submit(_read_one, path).result()
    except BrokenProcessPool:
        return [], [], f"{path}: could not read: the reader process died while reading it", {}, []


def _flush(
    library: Library,
    pending: list[Article],
    report: ImportReport,
    states: dict[str, ArticleState] | None = None,
    *,
    sample: bool = False,
) -> None:
    if not pending:
        return
    counts = library.store(pending, sample=sample)
    report.added += counts.added
    report.updated += counts.updated
    report.unchanged += counts.unchanged
    pending.clear()
    if states:
        report.restored += library.restore_states(states)
        states.clear()


def sample_paths() -> list[Path]:
    """The bundled sample briefs shipped inside the package."""
    folder = resources.files("briefreader") / "samples"
    return sorted(
        Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith((".md", ".txt"))
    )


def import_samples(library: Library) -> ImportReport:
    """Store the bundled sample briefs, marked as samples: they give way (deleted,
    unless starred) when the first real article or feed arrives.  Also remembers that
    the samples were offered, so the app's first run does not bring them back."""
    report = import_paths(library, [str(p) for p in sample_paths()], sample=True)
    library.mark_samples_offered()
    return report
