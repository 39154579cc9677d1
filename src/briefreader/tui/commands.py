"""The command palette's briefreader commands (ctrl+p): every action the keys have."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

if TYPE_CHECKING:
    from briefreader.tui.app import BriefReaderApp

__all__ = ["BriefReaderCommands"]


class BriefReaderCommands(Provider):
    """One command per action of the app's bindings, with its key as help.

    Only over the main screen: the actions work on the list and the article under
    it, so from over a dialog (the share menu, the links list, the feeds screen) one
    would act on what the dialog hides. There the palette keeps Textual's own
    commands (themes, keys, quit)."""

    def _app(self) -> BriefReaderApp:
        from briefreader.tui.app import BriefReaderApp

        app = self.app
        assert isinstance(app, BriefReaderApp)
        return app

    def _commands(self) -> list[tuple[str, str, str]]:
        if self.screen is not self.app.screen_stack[0]:
            return []
        return [(c.title, c.action, c.keys) for c in self._app().palette_commands()]

    async def discover(self) -> Hits:
        app = self._app()
        for title, action, keys in self._commands():
            yield DiscoveryHit(
                Content(title), partial(app.run_action, action), text=title, help=keys
            )

    async def search(self, query: str) -> Hits:
        app = self._app()
        matcher = self.matcher(query)
        for title, action, keys in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(app.run_action, action),
                    text=title,
                    help=keys,
                )
