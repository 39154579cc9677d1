"""Retention and upkeep after a refresh or a sync, for the command line and (in the
feed service's background process) for the app: the config's ``keep_days`` /
``keep_per_feed`` applied (:mod:`briefreader.store.retention`), then the library's
statistics, search index and free pages looked after (:mod:`briefreader.store.upkeep`).

No network, no Textual: the app reaches this through :mod:`briefreader.services`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from briefreader.config import Config, load_config
from briefreader.store import Library
from briefreader.store.retention import PruneReport, Retention, prune
from briefreader.store.upkeep import UpkeepReport, tidy
from briefreader.wording import counted

__all__ = ["Housekept", "after_refresh", "background_upkeep", "retention_of"]


def retention_of(config: Config) -> Retention:
    return Retention(config.keep_days, config.keep_per_feed, dict(config.feeds))


@dataclass(slots=True)
class Housekept:
    pruned: PruneReport | None = None
    upkeep: UpkeepReport | None = None
    rule: str = ""
    """The retention applied, in the config's words ("keep_per_feed = 3")."""

    def line(self) -> str:
        """One line for a summary ("" when retention is off and nothing was pruned)."""
        if self.pruned is None or not (self.pruned.articles or self.pruned.tombstones_dropped):
            return ""
        return self.pruned.line()

    def app_line(self) -> str:
        """The app's word on it: "8 old articles pruned (keep_per_feed = 3)", "" for
        none."""
        n = self.pruned.articles if self.pruned is not None else 0
        if not n:
            return ""
        return f"{counted(n, 'old article')} pruned" + (f" ({self.rule})" if self.rule else "")


def after_refresh(
    library: Library,
    config: Config | None = None,
    *,
    upkeep: bool = True,
    now: float | None = None,
) -> Housekept:
    """Prune by the config's retention (the config file's when not given), then tidy
    the file.  Never on a read-only library."""
    done = Housekept()
    if library.readonly or library.missing:
        return done
    config = load_config().config if config is None else config
    retention = retention_of(config)
    when = time.time() if now is None else now
    if retention.active:
        done.pruned = prune(library, retention, now=when)
        done.rule = retention.describe()
    if upkeep:
        # The search index's segments merged whole once a week while retention
        # deletes articles (their entries go only then: store/upkeep.py).
        last = library.meta(FULL_MERGE_KEY)
        due = last is None or not (0 <= when - _number(last) < FULL_MERGE_EVERY)
        full = due and done.pruned is not None and done.pruned.articles > 0
        done.upkeep = tidy(library._db, full_merge=full)
        if full:
            library.set_meta(FULL_MERGE_KEY, repr(when))
    return done


#: When the search index was last merged whole (the meta table), and how often.
FULL_MERGE_KEY = "fts_full_merge_at"
FULL_MERGE_EVERY = 7 * 86400.0


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def background_upkeep(library_path: str, config: Config) -> str:
    """The app's retention and upkeep after a refresh, run in the feed service's
    low-priority background process (a batch per transaction: the app's reads never
    wait, a refresh waits at most one batch).  Returns a line for the app ("8 old
    articles pruned (keep_per_feed = 3)"; "" when nothing was pruned)."""
    with Library(Path(library_path)) as library:
        return after_refresh(library, config).app_line()
