"""The app's keys that change an article's state: star (``s``), read/unread (``m``),
mark every article in the list read (``M``, in a worker), delete (``d``), undo the
last delete or mark-all (``z``), and the list's order (``O``, saved to the config)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from textual import on, work

from briefreader.config import SORTS, Sort, save_sort
from briefreader.model import ArticleState
from briefreader.store import Library
from briefreader.tui.base import UNDO_DEPTH, ReaderBase, _Deleted
from briefreader.tui.formatting import safe_line
from briefreader.tui.messages import MarkedRead

__all__ = ["SORT_LABELS", "ArticleActions"]

#: How the list's border shows each order ("" for the default, newest first).
SORT_LABELS: dict[Sort, str] = {
    "newest": "newest first",
    "oldest": "oldest first",
    "feed": "by feed",
    "unread": "unread first",
}


@dataclass(frozen=True, slots=True)
class _MarkedAllRead:
    """What undoing a mark-all puts back: exactly the articles it changed."""

    article_ids: tuple[str, ...]
    offer: str = ""
    """The toast that offered the undo (taken off the screen once undone)."""


class _MarkedReadUndoable(MarkedRead):
    """:class:`MarkedRead`, with the articles that were unread before (for ``z``)."""

    def __init__(self, rowids: list[int], changed: int, unread: int, ids: list[str]) -> None:
        super().__init__(rowids, changed, unread)
        self.article_ids = ids


class ArticleActions(ReaderBase):
    """Star, read/unread, mark all read, delete, undo, and the list's order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._undo: list[_Deleted | _MarkedAllRead] = []
        """What z undoes, last change last: deletes and mark-alls."""
        self.sort: Sort = self.config.sort
        """The list's order (:data:`briefreader.config.SORTS`)."""
        self._saved_sort: Sort = self.config.sort

    def _remember(self, change: _Deleted | _MarkedAllRead) -> None:
        self._undo = [*self._undo[-(UNDO_DEPTH - 1) :], change]

    def _withdraw_offer(self, change: _Deleted | _MarkedAllRead) -> None:
        """Take the toast that offered to undo ``change`` off the screen: once undone,
        "z to undo" no longer holds (it stayed for its 5-8 s)."""
        if change.offer:
            for notification in list(self._notifications):
                if notification.message == change.offer:
                    self._unnotify(notification)

    def _forget_undo(self) -> None:
        """Nothing is left for z to undo (and no toast offers it): after a change z
        cannot undo (a feed removed), z undid an older one instead, unasked (a
        newcomer's trial: "Marked 2 articles unread again." after removing a feed)."""
        for change in self._undo:
            self._withdraw_offer(change)
        self._undo = []

    def action_star(self) -> None:
        article = self._need_article()
        if article is None or self.refuse_write("stars"):
            return
        row = self.library.row(article.id)
        if row is None:
            return
        starred = not row.starred
        self.library.set_starred(article.id, starred)
        self.article_list.update_row(row.rowid, starred=starred)
        self._update_article_subtitle()

    def action_toggle_read(self) -> None:
        article = self._need_article()
        if article is None or self.refuse_write("read marks"):
            return
        row = self.library.row(article.id)
        if row is not None:
            self._set_read(article.id, not row.read)

    def action_delete(self) -> None:
        """Delete the article shown (a feed item stays deleted on refresh); z undoes."""
        article = self.current
        if article is None:
            self.notify("No article to delete.", severity="warning", timeout=3, markup=False)
            return
        if self.refuse_write("deletes"):
            return
        stored = self.library.get_stored(article.id)
        row = self.library.row(article.id)
        if stored is None or row is None:
            return
        state = self.library.states([article.id]).get(article.id, ArticleState())
        full_text = self.library.full_text(article.id)
        sample = self.library.is_sample(article.id)
        if not self.library.delete_articles([article.id]):
            return
        offer = f"Deleted — {self._key_for('undo_delete')} to undo\n“{safe_line(stored.title)}”"
        self._remember(_Deleted(stored, state, full_text, sample, offer))
        self._search_rows = [r for r in self._search_rows if r.rowid != row.rowid]
        if not row.read:
            self.unread_count = max(0, self.unread_count - 1)
        listing = self.article_list
        if listing.index_of(row.rowid) is not None:
            listing.remove_rows([row.rowid])  # the next row is highlighted and shown
        elif (shown := listing.current) is not None:  # it was opened from Related
            self.show_article(shown.id)
        else:
            self._show_nothing()
        self._update_titles()
        self.notify(offer, timeout=8, markup=False)

    def action_undo(self) -> None:
        """Undo the last delete or mark-all, newest first."""
        if not self._undo:
            self.notify("Nothing to undo.", timeout=3, markup=False)
            return
        if self.refuse_write("undo"):
            return
        change = self._undo.pop()
        self._withdraw_offer(change)
        if isinstance(change, _MarkedAllRead):
            self._undo_mark_all(change)
        else:
            self._undo_delete(change)

    def _undo_mark_all(self, change: _MarkedAllRead) -> None:
        ids = list(change.article_ids)
        restored = self.library.set_state(ids, read=False)
        unread = set(ids)
        self._search_rows = [
            replace(r, read=False) if r.id in unread else r for r in self._search_rows
        ]
        self.reload()  # the rows' flags and the unread count, read again
        noun = "article" if restored == 1 else "articles"
        self.notify(f"Marked {restored:,} {noun} unread again.", timeout=3, markup=False)

    def _undo_delete(self, gone: _Deleted) -> None:
        art_id = gone.article.id
        self.library.forget_deleted([art_id])
        # As it was: a sample stays a sample, and nothing else gives way to it.
        self.library.store([gone.article], sample=gone.sample, give_way=False)
        self.library.restore_states({art_id: gone.state})
        if gone.full_text is not None:
            self.library.set_full_text(art_id, gone.full_text)
        row = self.library.row(art_id)
        self.reload(keep=row.rowid if row is not None else None)
        self.notify(f"Restored “{safe_line(gone.article.title)}”.", timeout=3, markup=False)

    def action_mark_all_read(self) -> None:
        rowids = list(self.article_list.rowids)
        if not rowids or self.refuse_write("read marks"):
            return
        self._mark_all_worker(rowids, self._scope_feeds)

    @work(thread=True, exclusive=True, group="mark", exit_on_error=False)
    def _mark_all_worker(self, rowids: list[int], feed_ids: list[int] | None) -> None:
        with Library(self.library_path) as writer:
            # The ones unread now are what z marks unread again (and only those).
            was_unread = [row.id for row in writer.rows_by_rowid(rowids) if not row.read]
            changed = writer.mark_read_rowids(rowids)
            if feed_ids is None:
                unread = writer.count("unread")
            else:
                unread = writer.count_for_feeds("unread", feed_ids)
        self.post_message(_MarkedReadUndoable(rowids, changed, unread, was_unread))

    @on(MarkedRead)
    def _marked_read(self, message: MarkedRead) -> None:
        self.article_list.mark_all(read=True)
        self._search_rows = [replace(r, read=True) for r in self._search_rows]
        self.unread_count = message.unread
        self._update_article_subtitle()
        noun = "article" if message.changed == 1 else "articles"
        if isinstance(message, _MarkedReadUndoable) and message.article_ids:
            offer = (
                f"Marked {message.changed:,} {noun} read — {self._key_for('undo_delete')} to undo."
            )
            self._remember(_MarkedAllRead(tuple(message.article_ids), offer))
            self.notify(offer, timeout=5, markup=False)
        else:
            self.notify(f"Marked {message.changed:,} {noun} read.", timeout=5, markup=False)

    # -- the list's order -------------------------------------------------------------

    def action_cycle_sort(self) -> None:
        """The next order (newest, oldest, by feed, unread first); saved as the default."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._update_titles()
        if self._search:  # search results keep their ranking; the order applies after
            self.notify(
                f"Sorted {SORT_LABELS[self.sort]} (search results stay ranked).",
                timeout=3,
                markup=False,
            )
        else:
            self.reload()
        if self._save_config and self.sort != self._saved_sort:
            # One short line rewritten (as for the theme): the next start opens in it.
            problem = save_sort(self.sort, self.config_path)
            if problem:
                self.notify(problem, title="Config", severity="warning", markup=False)
            else:
                self._saved_sort = self.sort
