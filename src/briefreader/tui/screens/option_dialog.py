"""A quiet dialog around one option list: the links list and the share menu.

What the two had each written out: the first option highlighted when the dialog
opens, ``j``/``k`` moving through the options (``action_cursor``), esc and a click on
the dimmed background closing it, and key hints that follow the user's remapping
(:meth:`OptionDialog._hint`)."""

from __future__ import annotations

from textual.events import Click
from textual.widgets import OptionList

from briefreader.tui.keyhints import key_hint
from briefreader.tui.screens.quiet import QuietModal

__all__ = ["OptionDialog"]


class OptionDialog(QuietModal):
    """A :class:`QuietModal` whose dialog holds one :class:`OptionList`."""

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = 0

    def _hint(self, binding_id: str) -> str:
        """The key the user has for ``binding_id`` (remapped or not), for a hint line."""
        return key_hint(self.app, binding_id, self.BINDINGS)

    def _highlighted_index(self, count: int) -> int | None:
        """The highlighted option's index, if it is one of the first ``count``."""
        index = self.query_one(OptionList).highlighted
        return index if index is not None and 0 <= index < count else None

    def action_close(self) -> None:
        self.dismiss(None)

    def action_cursor(self, direction: str) -> None:
        options = self.query_one(OptionList)
        if direction == "down":
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def on_click(self, event: Click) -> None:
        if event.widget is self:  # a click on the dimmed background closes the dialog
            self.dismiss(None)
