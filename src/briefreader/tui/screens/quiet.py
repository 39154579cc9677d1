"""A modal screen that keeps toasts out of sight while it is up.

Its own toasts are hidden by its stylesheet (``ToastHolder { display: none; }``);
the screens under it keep theirs hidden here, or they show around a dialog that
does not cover the toast's corner (the share menu and the links list at 80×24).
The toasts' timers run on: those that have not expired show again afterwards."""

from __future__ import annotations

from textual.screen import ModalScreen


class QuietModal(ModalScreen[None]):
    """A modal screen under which no toast draws (see the module)."""

    def on_mount(self) -> None:
        self._show_toasts_below(False)

    def on_unmount(self) -> None:
        self._show_toasts_below(True)

    def _show_toasts_below(self, shown: bool) -> None:
        for screen in self.app.screen_stack:
            if screen is not self:
                for rack in screen.query("ToastRack"):
                    rack.display = shown
