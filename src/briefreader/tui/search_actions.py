"""Search, the app's room for it: ``/`` opens the search field over the list; each
keystroke's query runs in a worker on the read-only connection (within the chosen
feed or tag, if one is) and the list shows the best matches, ranked, through the
current filter; clearing the field (or ``esc``) brings the list back."""

from __future__ import annotations

from textual import on, work
from textual.widgets import Input

from briefreader.tui.base import ReaderBase
from briefreader.tui.messages import SearchDone

__all__ = ["SearchActions"]


class SearchActions(ReaderBase):
    """Search all articles (or the chosen feed's or tag's) as one types."""

    def action_search(self) -> None:
        pane = self.query_one("#list-pane")
        pane.add_class("-searching")
        if self.screen.has_class("-reading"):
            self.screen.remove_class("-reading")
        # At once, not through Widget.focus (a callback queued behind the keys already
        # read): "/grid" typed or pasted in one go would otherwise send g, r, i, d to
        # the list as commands (top, reload, images, delete).
        self.screen.set_focus(self.search_input)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        query = event.value.strip()
        if query == self._search:
            return
        self._search = query
        if query:
            self._run_search(query)
        else:
            self._end_search()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.article_list.focus()

    def _run_search(self, query: str) -> None:
        self._search_worker(query)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search_worker(self, query: str) -> None:
        if query != self._search:
            return
        with self._reader_lock:
            if query != self._search:
                return
            reader = self._get_reader()
            scope = self._scope_feeds
            # What a keystroke costs grows with the matches looked at and the rows
            # loaded: the best 500 of a query's newest 500 (within a feed or tag, of
            # its newest 2,000, filtered).
            found = reader.search_rowids(
                query, wide=scope is not None, stale=lambda: query != self._search
            )
            if query != self._search:  # typed on meanwhile: this one is stale
                return
            rows = reader.rows_by_rowid([rowid for rowid, _ in found.top])
            if scope is not None:  # a feed or tag is chosen: search within it
                keep = set(reader.ids_in_feeds([r.id for r in rows], scope))
                rows = [r for r in rows if r.id in keep]
        total = found.total if scope is None else len(rows)
        self.post_message(SearchDone(query, rows, total, found.exact or scope is not None))

    @on(SearchDone)
    def _search_done(self, message: SearchDone) -> None:
        if message.query != self._search:
            return
        self._search_rows = message.rows
        self._search_total = (message.total, message.exact)
        self._show_search_rows()

    def _show_search_rows(self) -> None:
        rows = self._search_rows
        if self.filter == "unread":
            rows = [r for r in rows if not r.read]
        elif self.filter == "starred":
            rows = [r for r in rows if r.starred]
        self.article_list.empty_message = self._empty_list_message()
        self.article_list.set_rows(rows)
        self._update_titles()
        self._update_article_subtitle()

    def _end_search(self) -> None:
        self._search = ""
        self._search_rows = []
        self.article_list.empty_message = self._empty_list_message()
        keep = self.article_list.current
        self.reload(keep=keep.rowid if keep else None)
