"""Modal screens that keep toasts out of sight while they are up.

The toasts of the screens under a quiet screen are hidden while it is up: they
showed around a dialog that does not cover the toast's corner (the share menu and
the links list at 80×24) or over a dialog's own lines (the rename dialog opened
while "Feed added" was still up). Their timers run on: those that have not expired
show again afterwards. Each quiet screen also hides its own (Textual shows the
app's toasts on every screen), by its stylesheet: ``ToastHolder { display: none; }``.
"""

from __future__ import annotations

from typing import Any, cast

from textual.screen import ModalScreen, Screen


class QuietToasts:
    """A screen under which no toast draws (see the module). Mixed in before the
    screen class: ``class Dialog(QuietToasts, ModalScreen[bool])``."""

    def on_mount(self) -> None:
        self._show_toasts_below(False)

    def on_unmount(self) -> None:
        self._show_toasts_below(True)

    def _show_toasts_below(self, shown: bool) -> None:
        me = cast(Screen[Any], self)
        for screen in me.app.screen_stack:
            if screen is not me:
                for rack in screen.query("ToastRack"):
                    rack.display = shown


class QuietModal(QuietToasts, ModalScreen[None]):
    """A modal screen under which no toast draws (see the module)."""
