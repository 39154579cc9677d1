"""A quiet dialog around one option list: the links list and the share menu.

What the two had each written out: their common keys (close, ``c`` to copy the
highlighted option, ``j``/``k``: :func:`option_dialog_bindings`), the first option
highlighted when the dialog opens, enter or a click on an option choosing it, esc and
a click on the dimmed background closing it, the option list with its line of keys
under it, hints that follow the user's remapping (:meth:`OptionDialog._hint`).  Each
dialog says what copying and choosing option ``i`` do."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.timer import Timer
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefreader.tui.keyhints import key_hint
from briefreader.tui.screens.quiet import QuietModal
from briefreader.tui.widgets.legible import LegibleOptionList, LegibleStatic

__all__ = ["OptionDialog", "option_dialog_bindings"]


def option_dialog_bindings(
    prefix: str, close_keys: str, close_tip: str, copy_tip: str
) -> list[BindingType]:
    """The keys of every option dialog (ids ``{prefix}_close``, ``_copy``, ``_down``,
    ``_up``): close, copy the highlighted option (``c``), ``j``/``k``."""
    return [
        Binding(close_keys, "close", "Close", id=f"{prefix}_close", tooltip=close_tip),
        Binding("c", "copy_highlighted", "Copy", id=f"{prefix}_copy", tooltip=copy_tip),
        Binding("j", "cursor('down')", "Down", show=False, id=f"{prefix}_down"),
        Binding("k", "cursor('up')", "Up", show=False, id=f"{prefix}_up"),
    ]


class OptionDialog(QuietModal):
    """A :class:`QuietModal` whose dialog holds one :class:`OptionList`; its
    ``BINDINGS`` start with :func:`option_dialog_bindings`; it says what copying and
    choosing an option do (:meth:`copy_option`, :meth:`choose_option`)."""

    _list_height: int | None = None
    """The height last given to the list (:meth:`_fit_list`)."""

    #: What an option is, for "There is no link 7." (the number keys: :meth:`action_choose_number`).
    OPTION_NOUN = "option"

    _keys_line: tuple[str, str] | None = None
    """The id and the text of the dialog's line of keys (:meth:`_options_and_keys`)."""
    _unsay: Timer | None = None

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = 0
        self.call_after_refresh(self._fit_list)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_list)

    def _fit_list(self) -> None:
        """The list as tall as its options, within its CSS max-height: a list cut by its
        max-height left its dialog as tall as the uncut list (an auto height), with
        blank rows under the line of keys (a reader's trial at 80x24)."""
        options = self.query_one(OptionList)
        limit = options.styles.max_height
        if limit is None or not self.is_mounted:
            return
        most = int(limit.resolve(self.size, self.app.size, self.size))
        lines = options.virtual_size.height
        wanted = max(1, min(lines, most)) if lines else None
        if wanted is not None and wanted != self._list_height:
            self._list_height = wanted
            options.styles.height = wanted

    def _hint(self, binding_id: str) -> str:
        """The key the user has for ``binding_id`` (remapped or not), for a hint line."""
        return key_hint(self.app, binding_id, self.BINDINGS)

    def _options_and_keys(
        self, options: Iterable[Option], list_id: str, keys_id: str, keys: str, *binding_ids: str
    ) -> ComposeResult:
        """The dialog's option list (plain text, id ``list_id``), then its line of keys:
        ``keys`` with the user's key for each of ``binding_ids`` in its ``{}``."""
        yield LegibleOptionList(*options, id=list_id, markup=False)
        text = keys.format(*(self._hint(binding_id) for binding_id in binding_ids))
        self._keys_line = (keys_id, text)
        yield LegibleStatic(text, id=keys_id, markup=False)

    def _say(self, line: str) -> None:
        """Say ``line`` for a few seconds where the line of keys is: a toast would not
        show while the dialog is up (a quiet screen hides them), and would show once
        it is closed, out of place (trying the app: "7" in a list of three links
        seemed to do nothing)."""
        if self._keys_line is None:
            self.app.notify(line, severity="warning", timeout=3, markup=False)
            return
        keys_id, text = self._keys_line
        keys = self.query_one(f"#{keys_id}", LegibleStatic)
        keys.update(line)
        if self._unsay is not None:
            self._unsay.stop()
        self._unsay = self.set_timer(3, lambda: keys.update(text))

    def copy_option(self, index: int) -> None:
        """Copy what option ``index`` (one of the list's) stands for (``c``)."""
        raise NotImplementedError

    def choose_option(self, index: int) -> None:
        """Do what enter (or a click) on option ``index`` (one of the list's) does."""
        raise NotImplementedError

    def action_choose_number(self, number: int) -> None:
        """A number key: highlight option ``number`` (counted from 1) and choose it."""
        options = self.query_one(OptionList)
        if not 1 <= number <= options.option_count:
            self._say(f"There is no {self.OPTION_NOUN} {number}.")
            return
        options.highlighted = number - 1
        self.choose_option(number - 1)

    def action_copy_highlighted(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is not None and 0 <= index < options.option_count:
            self.copy_option(index)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < self.query_one(OptionList).option_count:
            self.choose_option(event.option_index)

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
