"""The Related sidebar's room in the app: finding an article's related entries in a
worker once the reader stays on it, showing them, and opening one (a number key,
enter or a click); j/k and g/G move through the list when it has focus (the app's
move actions ask :meth:`RelatedActions._related_list`)."""

from __future__ import annotations

from textual import on, work

from briefreader.model import Article
from briefreader.reading import related_entries
from briefreader.tui.base import ReaderBase
from briefreader.tui.formatting import safe_line
from briefreader.tui.messages import RelatedReady
from briefreader.tui.widgets.related import RelatedEntry, RelatedList, RelatedSidebar

__all__ = ["RELATED_DAMAGED", "RelatedActions"]

#: The sidebar's line when related articles could not be read.
RELATED_DAMAGED = "Related articles cannot be read: the library is damaged (see briefreader doctor)"


class RelatedActions(ReaderBase):
    """The Related sidebar: its entries, and opening them."""

    _related_damage_told = False

    def _request_related(self, article: Article) -> None:
        # The sidebar keeps the previous entries (marked stale in its title) until
        # the new ones arrive: changing them now would cost a layout in the frame
        # that shows the article.
        self._related_wanted = article.id
        self.sidebar.stale = True
        if self._related_timer is not None:
            self._related_timer.stop()
            self._related_timer = None
        if self.RELATED_DELAY <= 0:
            self._find_related(article)
        else:
            self._related_timer = self.set_timer(
                self.RELATED_DELAY, lambda: self._find_related(article)
            )

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def _find_related(self, article: Article) -> None:
        if self._related_wanted != article.id:
            return
        with self._reader_lock:
            if self._related_wanted != article.id:  # the reader moved on while we waited
                return
            entries = related_entries(self._get_reader(), article)
        self.post_message(RelatedReady(article.id, entries))

    def _related_index_damaged(self, error: Exception) -> None:
        """Damage met while finding or indexing related articles (or tidying the
        library): a worker looks whether the related index's own tables are damaged.
        If they are, reading goes on (doctor makes the index again with nothing lost);
        if not, the damage is elsewhere and the app quits with one line, as for any
        other damage."""
        if self._related_damage_told:  # (known: the index is damaged)
            self.sidebar.set_entries([], note=RELATED_DAMAGED)
            self.sidebar.stale = False
            return
        self._look_at_damage(error)

    @work(thread=True, exclusive=True, group="damage", exit_on_error=False)
    def _look_at_damage(self, error: Exception) -> None:
        from briefreader.store.repair import RELATED_INDEX, index_damaged

        if index_damaged(self.library_path, RELATED_INDEX):
            self.call_from_thread(self._related_damage_found, error)
        else:
            self.call_from_thread(self._handle_exception, error)

    def _related_damage_found(self, error: Exception) -> None:
        """The related index is damaged: the sidebar says why it is empty, and the
        reader is told once what to do."""
        self.sidebar.set_entries([], note=RELATED_DAMAGED)
        self.sidebar.stale = False
        if not self._related_damage_told:
            self._related_damage_told = True
            self.notify(
                f"The related index is damaged ({error}): related articles cannot be "
                "read. Reading goes on; after quitting, `briefreader doctor "
                "--rebuild-related` makes the index again with nothing lost.",
                severity="error",
                timeout=20,
                markup=False,
            )

    @on(RelatedReady)
    def _related_ready(self, message: RelatedReady) -> None:
        if self.current is not None and message.article_id == self.current.id:
            self.sidebar.set_entries(message.entries)
            self.sidebar.stale = False

    @on(RelatedSidebar.Chosen)
    def _related_chosen(self, message: RelatedSidebar.Chosen) -> None:
        self.open_related_entry(message.entry)

    def open_related_entry(self, entry: RelatedEntry) -> None:
        if entry.article_id:
            row = self.library.row(entry.article_id)
            if row is not None and (index := self.article_list.index_of(row.rowid)) is not None:
                self.article_list.move_to(index)
            self.show_article(entry.article_id, mark_read=True)
            if self.screen.has_class("-related-overlay"):
                self.screen.remove_class("-related-overlay")
                self.article_view.focus()
        elif entry.url:
            self._open_url(entry.url)
        else:
            self.notify(
                f"“{safe_line(entry.title)}” has no link and is not in the library.",
                severity="warning",
                markup=False,
            )

    def _related_list(self) -> RelatedList | None:
        """The Related sidebar's list when it has focus: j/k and g/G move through it,
        as the arrows and home/end do there (they changed the article)."""
        focused = self.focused
        return focused if isinstance(focused, RelatedList) else None

    def action_open_related(self, number: int) -> None:
        if not self.sidebar.display:  # (hidden by `]`, or not shown at this width)
            self.notify(
                f"The Related list is hidden: {self._key_for('toggle_related')} shows it, "
                "then 1–9 open its articles.",
                timeout=4,
                markup=False,
            )
            return
        if self.sidebar.stale:
            self.notify("Still finding related articles…", timeout=2, markup=False)
            return
        entry = self.sidebar.entry(number)
        if entry is None:
            self.notify(f"There is no related article {number}.", timeout=3, markup=False)
            return
        self.open_related_entry(entry)
