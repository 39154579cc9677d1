"""The app's background upkeep: the related index and the story groups (the list's
"+N") brought up to date after imports and refreshes, a batch at a time in a
separate low-priority process (through the feed service), never on a read-only
library."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on, work
from textual.worker import WorkerState

from briefreader.tui.base import ReaderBase
from briefreader.tui.messages import RelatedIndexed, StoriesUpdated

__all__ = ["Upkeep"]


class Upkeep(ReaderBase):
    """Related indexing and story grouping in the background."""

    _housekeeping_due = False
    """A refresh finished: retention and upkeep run after the next indexing pass."""
    _housekept = False

    def _index_related(self) -> None:
        """Bring the related index and the story groups up to date, in the background.

        After imports and refreshes (and at start): one worker at a time; asked again
        while it runs, it runs once more when it finishes.  Never on a read-only
        library (the index lives in the file).
        """
        if self.library.readonly:
            return
        if self._refreshing:
            # Not while a refresh stores: the two would take turns at the library's write
            # lock (a 25,000-item refresh took 148 s instead of ~30).  The refresh calls
            # this when it is done.
            return
        running = any(
            w.group == "index" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for w in self.workers
        )
        if running:
            self._index_again = True
            return
        self._index_again = False
        self._index_worker()

    @work(group="index", exit_on_error=False)
    async def _index_worker(self) -> None:
        """Index articles a bulk import or refresh left queued, so Related can find
        them, then group them into stories (the list's "+N").

        The work runs in a separate low-priority process, a batch at a time, so it
        never holds the GIL against the keyboard; between batches the app repaints.
        """
        service = self.service
        for _ in range(100_000):  # bounded: each step indexes or groups something, or stops
            if self._refreshing:
                # A refresh started after this worker did (at the app's start, say):
                # stop between steps and let it store; it calls this again when done.
                self._index_again = False
                return
            indexed, grouped, more = await service.index_step(2000, max(1, self.STORY_BATCH))
            if indexed:
                self.post_message(RelatedIndexed())
            if grouped:
                self.post_message(StoriesUpdated())
            if not more or not (indexed or grouped):
                break
        # Retention and the file's upkeep: after a refresh, and at start when the
        # config keeps articles for a limited time (briefreader.housekeeping).
        config = self.config
        if self._housekeeping_due or (
            not self._housekept and (config.keep_days or config.keep_per_feed or config.feeds)
        ):
            self._housekeeping_due, self._housekept = False, True
            if pruned := await service.housekeeping(config):
                # Pruned articles leave the list, and the "+N" of the stories they
                # were in are read again (the list keeps counts it has read).
                self.reload()
                self.article_list.refresh_stories()
                self.notify(f"{pruned}.", title="Retention", markup=False, timeout=6)

    def _warn_retention_rules(self) -> None:
        """At start: a ``[feeds."URL"]`` retention rule that names no subscribed feed
        is said (a mistyped one leaves its feed unpruned: store/retention.py)."""
        from briefreader.housekeeping import retention_of
        from briefreader.store.retention import unmatched_rules

        retention = retention_of(self.config)
        if not retention.per_feed or self.library.missing:
            return
        where = self.config_path or "the config"
        for rule in unmatched_rules(retention, self.library.feed_urls())[:3]:
            self.notify(
                f"Retention: {rule.line(where)}.",
                title="Config",
                severity="warning",
                markup=False,
                timeout=12,
            )

    @on(RelatedIndexed)
    def _related_indexed(self) -> None:
        if self.current is not None:
            self._request_related(self.current)

    @on(StoriesUpdated)
    def _stories_updated(self) -> None:
        self.article_list.refresh_stories()

    def _story_counts(self, article_ids: Sequence[str]) -> dict[str, int]:
        """``{id: other articles in its story}`` for the list's "+N" (a window at a time)."""
        return {
            art_id: info.others
            for art_id, info in self.library.story_sizes(article_ids).items()
            if info.others > 0
        }
