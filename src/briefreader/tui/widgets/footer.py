"""The footer: Textual's, minus the less important keys when the terminal is narrow.

Textual's footer cuts its last key in half when the keys do not fit.  This one
leaves out whole keys instead, least important first (all are in the help
screen, ``?``), so nothing on the bottom line is ever cut mid-word.

Textual rebuilds its footer (about twenty widgets) whenever the bindings *may* have
changed: every focus change, every reactive that can enable or disable a key.  This
one rebuilds only when what it shows would differ.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["BriefFooter"]


class BriefFooter(Footer):
    #: (minimum terminal width, actions shown only from that width).
    WIDTH_NEEDED: ClassVar[dict[str, int]] = {
        "cycle_filter": 102,
        "search": 92,
        "open_in_browser": 82,
        "star": 74,
        "share": 66,
        "command_palette": 57,
        "copy_link": 45,
    }

    def __init__(self) -> None:
        super().__init__()
        self._width_class = -1
        self._shown: tuple[object, ...] | None = None

    def _hidden(self, width: int) -> set[str]:
        return {action for action, needed in self.WIDTH_NEEDED.items() if width < needed}

    def _keys_now(self) -> tuple[object, ...]:
        """What :meth:`compose` would show now (equal values, equal footer): per action
        its first binding, whether it is enabled, its tooltip; the command palette's key;
        the width class; the footer's own settings."""
        if not self._bindings_ready:
            return (False,)
        app = self.app
        active = self.screen.active_bindings
        first: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                first.setdefault(binding.action, (binding, enabled, tooltip))
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        return (
            tuple(sorted(self._hidden(app.size.width))),
            self.compact,
            self.show_command_palette,
            tuple((*shown, app.get_key_display(shown[0])) for shown in first.values()),
            None if palette is None else palette[1:],
        )

    async def recompose(self) -> None:
        if self.is_attached and self._shown is not None and self._keys_now() == self._shown:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        self._shown = self._keys_now()
        hidden = self._hidden(self.app.size.width)
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                if widget.action.removeprefix("app.") in hidden:
                    continue
                # A key bound to the footer's ``compact`` starts compact (Textual's
                # default) and takes the footer's value once mounted: two class
                # changes, each restyling the key at once.  Given it now, neither
                # happens.  (The palette's key is not bound: it stays compact.)
                if "compact" in (getattr(widget, "_reactive_connect", None) or {}):
                    widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        key = len(self._hidden(self.app.size.width))
        if key != self._width_class:
            self._width_class = key
            self.call_after_refresh(self.recompose)
