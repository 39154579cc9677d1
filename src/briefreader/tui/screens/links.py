"""The links screen (``u``): every link of the article, numbered, for the keyboard.

The list comes from :func:`briefreader.links.article_links` (the article's address,
then the body's links and images in reading order).  ``enter`` or a number opens a
link through the app's safe opener, ``c`` copies it through the clipboard path the
``c`` key of the main screen uses; a link the link rule refuses is listed with the
reason and is neither opened nor copied.  Nothing here is markup: labels and
addresses are shown as plain text (addresses with control characters escaped).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets.option_list import Option

from briefreader.links import ArticleLink
from briefreader.share import ascii_host, ascii_url, display_url
from briefreader.textclean import clean_line
from briefreader.tui.screens.option_dialog import OptionDialog, option_dialog_bindings
from briefreader.tui.share_menu import copy_with_toast, open_url_with_toast
from briefreader.tui.widgets.legible import LegibleStatic, LegibleVertical

__all__ = ["QUICK_NUMBERS", "LinksScreen"]

#: Links 1..9 open with their number key (binding ids ``links_1`` … ``links_9``).
QUICK_NUMBERS = 9

_KINDS = {"article": "page", "link": "link", "image": "image", "enclosure": "file"}
_LABEL_WIDTH = 60
_URL_WIDTH = 200


def _prompt(number: int, link: ArticleLink, url_width: int = _URL_WIDTH) -> Content:
    # The article's own entry: its title is the dialog's heading already.
    label = "this article on the web" if link.kind == "article" else link.label
    if len(label) > _LABEL_WIDTH:
        label = label[: _LABEL_WIDTH - 1] + "…"
    head = Content.assemble(
        (f"{number:>3} ", "bold $accent"),
        (f"{_KINDS[link.kind]:<8}", "$text-muted"),
        (label, "bold" if link.allowed else ""),
    )
    # One line, cut with "…" to the dialog's width (a folded address went on at the
    # dialog's edge, under the number); the whole of it is what c copies.
    url = Content.assemble(("    ", ""), (display_url(link.url, url_width), "$text-muted"))
    if link.refusal is None:
        return Content("\n").join([head, url])
    refused = Content.assemble(("    ", ""), (f"refused: {link.refusal}", "$text-error"))
    return Content("\n").join([head, url, refused])


class LinksScreen(OptionDialog):
    """The article's links: open (enter, 1–9) or copy (c) one; esc closes."""

    CSS_PATH = "links.tcss"
    AUTO_FOCUS = "#links-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        *option_dialog_bindings(
            "links", "escape,q,u", "Close the link list", "Copy the highlighted link"
        ),
        *(
            Binding(str(n), f"choose_number({n})", f"Open link {n}", show=False, id=f"links_{n}")
            for n in range(1, QUICK_NUMBERS + 1)
        ),
    ]
    OPTION_NOUN = "link"

    def __init__(self, title: str, links: list[ArticleLink]) -> None:
        super().__init__()
        self.title_text = clean_line(title)
        self.links = list(links)

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="links-dialog") as dialog:
            dialog.border_title = "Links"
            yield LegibleStatic(self.title_text, id="links-title", markup=False)
            # The dialog's text width (96 columns at most, less its border, padding,
            # the address's indent and the list's scrollbar).
            url_width = max(20, min(_URL_WIDTH, min(96, self.app.size.width) - 12))
            options = (
                Option(_prompt(n, link, url_width), id=str(n - 1))
                for n, link in enumerate(self.links, 1)
            )
            keys = "enter or number open · {} copy · {} close"
            yield from self._options_and_keys(
                options, "links-list", "links-hint", keys, "links_copy", "links_close"
            )

    # -- actions (close, cursor and a click outside: OptionDialog) ---------------------

    def copy_option(self, index: int) -> None:
        self.copy_link(self.links[index])

    def choose_option(self, index: int) -> None:
        self.open_link(self.links[index])

    # -- opening and copying ---------------------------------------------------------

    def _refuse(self, link: ArticleLink, what: str) -> None:
        self.app.notify(
            f"{display_url(link.url, 100)}: {link.refusal}",
            title=what,
            severity="error",
            markup=False,
        )

    def open_link(self, link: ArticleLink) -> None:
        """Open ``link`` through the safe opener (a refused link: say why, stay open)."""
        if link.refusal is not None:
            self._refuse(link, "Not opened")
            return
        app = self.app
        self.dismiss(None)
        open_url_with_toast(app, link.url)

    def copy_link(self, link: ArticleLink) -> None:
        """Copy ``link`` (an international host in its ASCII form, as ``c`` does)."""
        if link.refusal is not None:
            self._refuse(link, "Not copied")
            return
        app = self.app
        host = ascii_host(link.url)
        self.dismiss(None)
        copy_with_toast(
            app, ascii_url(link.url), lead=f"Copied (host {host})" if host else "Copied"
        )
