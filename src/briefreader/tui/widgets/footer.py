"""The footer: Textual's, minus the less important keys when the terminal is narrow.

Textual's footer cuts its last key in half when the keys do not fit.  This one
leaves out whole keys instead, least important first (all are in the help
screen, ``?``), so nothing on the bottom line is ever cut mid-word.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
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

    def _hidden(self, width: int) -> set[str]:
        return {action for action, needed in self.WIDTH_NEEDED.items() if width < needed}

    def compose(self) -> ComposeResult:
        hidden = self._hidden(self.app.size.width)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action.removeprefix("app.") in hidden:
                continue
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        key = len(self._hidden(self.app.size.width))
        if key != self._width_class:
            self._width_class = key
            self.call_after_refresh(self.recompose)
