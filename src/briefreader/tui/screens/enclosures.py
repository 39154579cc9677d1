"""Which enclosure ``P`` plays or ``D`` downloads, when an article has several.

An :class:`~briefreader.tui.screens.option_dialog.OptionDialog` like the links list:
each file numbered with its type, duration and size and its address; ``enter`` or its
number chooses it, ``c`` copies its address, esc closes.  Nothing here is markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets.option_list import Option

from briefreader.links import enclosure_label
from briefreader.model import Enclosure
from briefreader.share import ascii_url, display_url
from briefreader.textclean import clean_line
from briefreader.tui.screens.option_dialog import OptionDialog, option_dialog_bindings
from briefreader.tui.share_menu import copy_with_toast
from briefreader.tui.widgets.legible import LegibleStatic, LegibleVertical

__all__ = ["EnclosureChooser"]

#: Files 1..9 are chosen with their number key (binding ids ``enclosures_1`` …).
QUICK_NUMBERS = 9
_URL_WIDTH = 200


def _prompt(number: int, enclosure: Enclosure) -> Content:
    head = Content.assemble(
        (f"{number:>3} ", "bold $accent"), (clean_line(enclosure_label(enclosure)), "bold")
    )
    url = Content.assemble(("    ", ""), (display_url(enclosure.url, _URL_WIDTH), "$text-muted"))
    return Content("\n").join([head, url])


class EnclosureChooser(OptionDialog):
    """Choose one of an article's files to play or download (``verb``)."""

    CSS_PATH = "enclosures.tcss"
    AUTO_FOCUS = "#enclosures-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        *option_dialog_bindings(
            "enclosures", "escape,q", "Close without choosing", "Copy the file's address"
        ),
        *(
            Binding(
                str(n), f"choose_number({n})", f"Choose file {n}", show=False, id=f"enclosures_{n}"
            )
            for n in range(1, QUICK_NUMBERS + 1)
        ),
    ]
    OPTION_NOUN = "file"

    def __init__(
        self,
        title: str,
        verb: str,
        enclosures: list[Enclosure],
        on_choose: Callable[[Enclosure], object],
    ) -> None:
        super().__init__()
        self.title_text = clean_line(title)
        self.verb = verb
        self.enclosures = list(enclosures)
        self._on_choose = on_choose

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="enclosures-dialog") as dialog:
            dialog.border_title = f"{self.verb} which file?"
            yield LegibleStatic(self.title_text, id="enclosures-title", markup=False)
            options = (
                Option(_prompt(n, e), id=str(n - 1)) for n, e in enumerate(self.enclosures, 1)
            )
            keys = f"enter or number {self.verb.lower()} · {{}} copy the address · {{}} close"
            yield from self._options_and_keys(
                options,
                "enclosures-list",
                "enclosures-hint",
                keys,
                "enclosures_copy",
                "enclosures_close",
            )

    def choose_option(self, index: int) -> None:
        enclosure = self.enclosures[index]
        self.dismiss(None)
        self._on_choose(enclosure)

    def copy_option(self, index: int) -> None:
        app = self.app
        self.dismiss(None)
        copy_with_toast(app, ascii_url(self.enclosures[index].url))
