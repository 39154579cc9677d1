"""The app's settings at run time: the config's ``[keys]`` table (applied once, with
one warning for unknown ids), the theme (saved to the config file, debounced), and
the help screen and command palette built from the key table
(:mod:`briefreader.tui.bindings`) as currently bound, beside Textual's own commands
(its theme picker, its screenshot)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from briefreader.config import save_theme
from briefreader.tui.base import ReaderBase
from briefreader.tui.bindings import (
    PaletteCommand,
    help_entries,
    palette_commands,
    screen_help_entries,
)
from briefreader.tui.screens.help import HelpEntry, HelpScreen

__all__ = ["KeysAndTheme", "modal_binding_ids"]


def modal_binding_ids() -> set[str]:
    """The ids of the dialogs' keys (help, share menu, feeds screen, dialogs): the
    config's ``[keys]`` table rebinds them too."""
    from briefreader.tui.screens.dialogs import AddFeedScreen, ConfirmScreen, RenameFeedScreen
    from briefreader.tui.screens.enclosures import EnclosureChooser
    from briefreader.tui.screens.feeds import FeedsScreen
    from briefreader.tui.screens.links import LinksScreen
    from briefreader.tui.share_menu import ShareMenu
    from briefreader.tui.widgets.search_input import SearchInput

    screens = (
        HelpScreen,
        ShareMenu,
        FeedsScreen,
        AddFeedScreen,
        RenameFeedScreen,
        ConfirmScreen,
        LinksScreen,
        EnclosureChooser,
        SearchInput,  # (a widget: its keys show while one types a search)
    )
    return {b.id for screen in screens for b in screen.BINDINGS if isinstance(b, Binding) and b.id}


class KeysAndTheme(ReaderBase):
    """Keys and theme from the config; the help screen and the palette."""

    def binding_ids(self) -> set[str]:
        return {b.id for b in self._own_bindings() if b.id}

    def _own_bindings(self) -> list[Binding]:
        return [b for b in self.BINDINGS if isinstance(b, Binding)]

    def _apply_keymap(self) -> None:
        known = self.binding_ids() | modal_binding_ids()
        keys: dict[str, str] = {}
        unknown: list[str] = []
        for binding_id, value in self.config.keys.items():
            if binding_id in known:
                keys[binding_id] = value
            else:
                unknown.append(binding_id)
        if unknown:  # one message, however many there are
            shown = ", ".join(repr(b) for b in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            called = "called" if len(unknown) == 1 else "called any of"
            self.notify(
                f"Config: no key binding {called} {shown}{more} (press ? for the ids); ignored",
                title="Config",
                severity="warning",
                markup=False,
                timeout=10,
            )
        self._key_overrides = keys
        if keys:
            self.set_keymap(keys)

    def _apply_theme(self) -> None:
        name = self.config.theme
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(
                f"Config: there is no theme called {name!r}; using {self.theme}",
                title="Config",
                severity="warning",
                markup=False,
                timeout=10,
            )
            self._saved_theme = self.theme

    def _theme_changed(self, theme: Theme) -> None:
        if not self._save_config or theme.name == self._saved_theme:
            return
        if self._theme_timer is not None:
            self._theme_timer.stop()
        if self.THEME_SAVE_DELAY <= 0:
            self._save_theme_now()
        else:
            self._theme_timer = self.set_timer(self.THEME_SAVE_DELAY, self._save_theme_now)

    def _save_theme_now(self) -> None:
        self._theme_timer = None
        name = self.theme
        if not self._save_config or name == self._saved_theme:
            return
        problem = save_theme(name, self.config_path)
        if problem:
            self.notify(problem, title="Config", severity="warning", markup=False)
        else:
            self._saved_theme = name

    def action_help(self) -> None:
        """The help screen; asked for on another screen (F2), that screen's keys first."""
        entries = self.help_entries()
        if self.screen is not self.screen_stack[0]:
            entries = screen_help_entries(self, self._key_overrides, self.screen) + entries
        self.push_screen(HelpScreen(entries, str(self.config_path) if self.config_path else ""))

    def help_entries(self) -> list[HelpEntry]:
        return help_entries(self, self._key_overrides)

    def palette_commands(self) -> list[PaletteCommand]:
        return palette_commands(self, self._key_overrides)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own palette commands, less its "Keys" panel (docked beside the
        panes, it squeezed the article to a strip; ``?`` is the help) and, over the
        main screen, its "Quit" (the app's own is listed there)."""
        main = screen is self.screen_stack[0]
        for command in super().get_system_commands(screen):
            if command.title == "Keys" or (main and command.title == "Quit"):
                continue
            yield command
