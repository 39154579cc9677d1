"""The help screen (``?`` / F1): every key the app knows, as currently bound."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content

from briefreader.tui.keyhints import key_hint
from briefreader.tui.screens.quiet import QuietModal
from briefreader.tui.widgets.legible import LegibleStatic, LegibleVertical, LegibleVerticalScroll

__all__ = ["HelpEntry", "HelpScreen"]


@dataclass(frozen=True, slots=True)
class HelpEntry:
    keys: str
    """How the keys are shown, e.g. ``j  ↓``."""
    description: str
    binding_id: str = ""
    """The id to use in the config file's ``[keys]`` table ("" when not rebindable)."""
    section: str = ""


class HelpScreen(QuietModal):
    """A modal list of keys, grouped by section; scrolls on small terminals."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark,f1", "dismiss_help", "Close help", show=False, id="help_close"
        ),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="help_down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="help_up"),
        Binding("g,home", "scroll('home')", "To the top", show=False, id="help_top"),
        Binding("G,end", "scroll('end')", "To the end", show=False, id="help_end"),
        Binding("space", "scroll('page_down')", "Page down", show=False, id="help_page_down"),
        Binding("b", "scroll('page_up')", "Page up", show=False, id="help_page_up"),
    ]

    CSS_PATH = "help.tcss"

    def __init__(self, entries: Sequence[HelpEntry], config_path: str = "") -> None:
        super().__init__()
        self.entries = list(entries)
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="help-dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = f"{key_hint(self.app, 'help_close', self.BINDINGS)} close"
            with LegibleVerticalScroll(id="help-scroll"):
                intro = (
                    "Mouse: click an article to read it, the wheel scrolls, "
                    "click a link or a related article to open it."
                )
                if self.config_path:
                    intro += f"\nRebind a key in {self.config_path} under [keys], by its id."
                yield LegibleStatic(Content(intro), id="help-intro", markup=False)
                yield LegibleStatic(self._table(), id="help-table", markup=False)

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2, 0, 0), expand=True)
        table.add_column(no_wrap=True, style=Style(bold=True), min_width=12)
        table.add_column(ratio=1)
        table.add_column(no_wrap=True, style=Style(dim=True), justify="right")
        section = None
        for entry in self.entries:
            if entry.section != section:
                section = entry.section
                if table.row_count:
                    table.add_row("", "", "")
                table.add_row(Text(section, Style(bold=True, underline=True)), "", "")
            table.add_row(Text(entry.keys), Text(entry.description), Text(entry.binding_id))
        return table

    def action_dismiss_help(self) -> None:
        self.dismiss(None)

    def action_scroll(self, direction: str) -> None:
        """``direction``: down, up, page_down, page_up, home or end (VerticalScroll's
        scroll_* methods)."""
        scroll = self.query_one("#help-scroll", VerticalScroll)
        getattr(scroll, f"scroll_{direction}")(animate=False)
