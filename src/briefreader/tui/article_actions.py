"""The app's keys that change an article's state: star (``s``), read/unread (``m``),
mark every article in the list read (``M``, in a worker), delete (``d``) and undo
the delete (``z``)."""

from __future__ import annotations

from dataclasses import replace

from textual import on, work

from briefreader.model import ArticleState
from briefreader.store import Library
from briefreader.tui.base import UNDO_DEPTH, ReaderBase, _Deleted
from briefreader.tui.formatting import safe_line
from briefreader.tui.messages import MarkedRead

__all__ = ["ArticleActions"]


class ArticleActions(ReaderBase):
    """Star, read/unread, mark all read, delete and undo."""

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
        gone = _Deleted(stored, state, full_text, sample)
        self._deleted = [*self._deleted[-(UNDO_DEPTH - 1) :], gone]
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
        self.notify(
            f"Deleted — {self._key_for('undo_delete')} to undo\n“{safe_line(stored.title)}”",
            timeout=8,
            markup=False,
        )

    def action_undo_delete(self) -> None:
        if not self._deleted:
            self.notify("Nothing to undo.", timeout=3, markup=False)
            return
        gone = self._deleted.pop()
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
            changed = writer.mark_read_rowids(rowids)
            if feed_ids is None:
                unread = writer.count("unread")
            else:
                unread = writer.count_for_feeds("unread", feed_ids)
        self.post_message(MarkedRead(rowids, changed, unread))

    @on(MarkedRead)
    def _marked_read(self, message: MarkedRead) -> None:
        self.article_list.mark_all(read=True)
        self._search_rows = [replace(r, read=True) for r in self._search_rows]
        self.unread_count = message.unread
        self._update_article_subtitle()
        noun = "article" if message.changed == 1 else "articles"
        self.notify(f"Marked {message.changed:,} {noun} read.", timeout=3, markup=False)
