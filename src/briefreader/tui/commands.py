"""The command palette's briefreader commands (ctrl+p): every action the keys have."""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from briefreader.tui.bindings import PaletteCommand

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

    def _commands(self) -> list[PaletteCommand]:
        if self.screen is not self.app.screen_stack[0]:
            return []
        return self._app().palette_commands()

    async def discover(self) -> Hits:
        app = self._app()
        for command in self._commands():
            yield DiscoveryHit(
                Content(command.name),
                partial(app.run_action, command.action),
                text=command.name,
                help=_help(command),
            )

    async def search(self, query: str) -> Hits:
        """A command whose name holds the query's letters in order (Textual's fuzzy
        match), else whose name and help hold each of the query's words as the start
        of one of theirs, ranked below every match of a name (a long help holds the
        letters of nearly any short query in order: "star" matched a dozen)."""
        app = self._app()
        matcher = self.matcher(query)
        words = query.lower().split()
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                prompt = matcher.highlight(command.name)
            elif words and _holds_words(f"{command.name} {command.help}", words):
                score, prompt = WORD_MATCH_SCORE, Content(command.name)
            else:
                continue
            yield Hit(
                score,
                prompt,
                partial(app.run_action, command.action),
                text=command.name,
                help=_help(command),
            )


#: The score of a command found by the words of its help (Textual's fuzzy scores of a
#: name are above it for any query its letters match in order).
WORD_MATCH_SCORE = 0.01

_WORD = re.compile(r"\w+")


def _holds_words(text: str, words: list[str]) -> bool:
    """Whether each of ``words`` (lower-case) starts a word of ``text``."""
    found = _WORD.findall(text.lower())
    return all(any(w.startswith(word) for w in found) for word in words)


def _help(command: PaletteCommand) -> str:
    """The line under a command's name: its keys and its help (markup-escaped: the
    palette reads it as markup, and the help names ``player = [...]``)."""
    keys = f"{command.keys}  ·  " if command.keys else ""
    return escape(f"{keys}{command.help}")
