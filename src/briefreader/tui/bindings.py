"""Every key of the reading app, written once: the bindings, the help screen's
sections, the command palette, and the key hints shown in messages.

:data:`KEYS` is one table in help order (section by section).  Each entry has the
binding's ``id`` (the config file's ``[keys]`` table rebinds by it), its default
keys, its action, its short description, its longer help text and, for the keys
shown in the footer, their place there.  :data:`BINDINGS` (the app's) is built
from it; :func:`help_entries` and :func:`palette_commands` read it with the keys
as currently bound.  Modal screens keep their own ``BINDINGS`` (each with an id);
:func:`key_hint` shows the key a binding has now, for hints like "z to undo".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType

from briefreader.tui.keyhints import key_hint, keys_for
from briefreader.tui.screens.help import HelpEntry

__all__ = [
    "BINDINGS",
    "KEYS",
    "MOVE_GROUP",
    "Key",
    "PaletteCommand",
    "help_entries",
    "key_hint",
    "keys_for",
    "palette_commands",
]

#: The footer's "jk Move" group (the feeds pane's j/k join it).
MOVE_GROUP = Binding.Group("Move", compact=True)


@dataclass(frozen=True, slots=True)
class Key:
    """One binding of the app, and where the help screen lists it."""

    id: str
    keys: str
    action: str
    description: str
    help: str
    section: str
    footer: int = 0
    """Its place in the footer (1 first); 0: not in the footer (only in the help)."""
    group: Binding.Group | None = None

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.description,
            id=self.id,
            show=bool(self.footer),
            group=self.group,
            tooltip=self.help,
        )


#: Every key of the main screen, in help order.
KEYS: tuple[Key, ...] = (
    Key(
        "move_down",
        "j,down",
        "move(1)",
        "Down",
        "Next article in the list; in the article, scroll down a line; in Related, the next entry",
        "Moving",
        1,
        MOVE_GROUP,
    ),
    Key(
        "move_up",
        "k,up",
        "move(-1)",
        "Up",
        "Previous article in the list; in the article, scroll up a line; in Related, the entry above",
        "Moving",
        2,
        MOVE_GROUP,
    ),
    Key(
        "first",
        "g,home",
        "first",
        "First",
        "First article in the list; in the article, its top; in Related, its first entry",
        "Moving",
    ),
    Key(
        "last",
        "G,end",
        "last",
        "Last",
        "Last article in the list; in the article, its end; in Related, its last entry",
        "Moving",
    ),
    Key("next_unread", "n", "next_unread", "Next unread", "Read the next unread article", "Moving"),
    Key(
        "previous_unread",
        "p",
        "previous_unread",
        "Previous unread",
        "Read the previous unread article",
        "Moving",
    ),
    Key(
        "page_down",
        "space,pagedown",
        "page_down",
        "Page down",
        "Scroll the article down a page",
        "Moving",
    ),
    Key("page_up", "b,pageup", "page_up", "Page up", "Scroll the article up a page", "Moving"),
    Key("next_pane", "tab", "app.focus_next", "Next pane", "Move to the next pane", "Moving"),
    Key(
        "previous_pane",
        "shift+tab",
        "app.focus_previous",
        "Previous pane",
        "Move to the previous pane",
        "Moving",
    ),
    Key(
        "read",
        "enter",
        "read",
        "Read",
        "Read the highlighted article (marks it read)",
        "Reading",
        3,
    ),
    Key("star", "s", "star", "Star", "Star or unstar the article", "Reading", 7),
    Key(
        "toggle_read",
        "m",
        "toggle_read",
        "Read/unread",
        "Mark the article read or unread",
        "Reading",
    ),
    Key(
        "mark_all_read",
        "M",
        "mark_all_read",
        "Mark all read",
        "Mark every article in the list read (z undoes it)",
        "Reading",
    ),
    Key(
        "delete",
        "d,delete",
        "delete",
        "Delete",
        "Delete the article from the library (z undoes it)",
        "Reading",
    ),
    Key(
        "undo_delete",
        "z",
        "undo",
        "Undo",
        "Undo the last delete or the last mark-all-read",
        "Reading",
    ),
    Key("search", "slash", "search", "Search", "Search all articles (esc clears)", "Reading", 8),
    Key(
        "filter",
        "f",
        "cycle_filter",
        "Filter",
        "Show all, unread or starred articles",
        "Reading",
        9,
    ),
    Key(
        "sort",
        "O",
        "cycle_sort",
        "Sort",
        "Sort the list: newest, oldest first, by feed, unread first (remembered)",
        "Reading",
    ),
    Key(
        "back",
        "escape",
        "go_back",
        "Back",
        "Clear the search, close the overlay, or go back to the list",
        "Reading",
    ),
    Key(
        "refresh",
        "r",
        "refresh",
        "Refresh",
        "Refresh every feed (new articles appear as they arrive)",
        "Feeds",
    ),
    Key(
        "add_feed",
        "a",
        "add_feed",
        "Add feed",
        "Subscribe to a feed (its address, or a web page that names it)",
        "Feeds",
    ),
    Key(
        "feeds",
        "f2,ctrl+f",
        "feeds",
        "Feeds",
        "Feeds and tags: status, errors, rename; show one feed's or tag's articles",
        "Feeds",
    ),
    Key(
        "full_text",
        "F",
        "full_text",
        "Full text",
        "Fetch the article's full text from its page (kept for next time)",
        "Feeds",
    ),
    Key(
        "toggle_feeds",
        "left_square_bracket",
        "toggle_feeds",
        "Feeds pane",
        "Show or hide the feeds pane: All, tags and feeds with unread counts",
        "Feeds",
    ),
    Key(
        "mark_feed_read",
        "A",
        "mark_feed_read",
        "Mark feed read",
        "Mark the feed or tag read (the one highlighted in the feeds pane, else the list's; "
        "All asks first)",
        "Feeds",
    ),
    Key(
        "open", "o", "open_in_browser", "Open", "Open the article in the web browser", "Sharing", 4
    ),
    Key(
        "copy_link",
        "c",
        "copy_link",
        "Copy link",
        "Copy the article's link to the clipboard",
        "Sharing",
        5,
    ),
    Key(
        "share",
        "S",
        "share",
        "Share",
        "Share the article: link, Markdown, citation, brief, social sites",
        "Sharing",
        6,
    ),
    Key(
        "links",
        "u",
        "links",
        "Links",
        "List the article's links, numbered: open one (enter or its number) or copy it (c)",
        "Sharing",
    ),
    Key(
        "load_images",
        "i",
        "load_images",
        "Images",
        "Load the article's images: the lead image and the pictures in its text "
        '(nothing is fetched until asked; images = "auto" in the config loads the lead '
        "image of every article)",
        "Media",
    ),
    Key(
        "play",
        "P",
        "play_enclosure",
        "Play",
        "Play the article's audio or video in your player (player = [...] in the config)",
        "Media",
    ),
    Key(
        "download",
        "D",
        "download_enclosure",
        "Download",
        "Download the article's audio or file (resumable); played from disk afterwards",
        "Media",
    ),
    Key(
        "toggle_related",
        "right_square_bracket",
        "toggle_related",
        "Related",
        "Show or hide the Related sidebar",
        "Related",
    ),
    *(
        Key(
            f"related_{n}",
            str(n),
            f"open_related({n})",
            f"Related {n}",
            f"Open related article {n}",
            "Related",
        )
        for n in range(1, 10)
    ),
    Key("help", "question_mark,f1", "help", "Help", "Show every key", "App", 10),
    Key("quit", "q", "quit", "Quit", "Quit briefreader", "App", 11),
)

#: The app's bindings: the footer's keys in footer order, then the rest in help order.
BINDINGS: list[BindingType] = [
    key.binding() for key in sorted(KEYS, key=lambda k: (not k.footer, k.footer))
]

#: Keys the command palette leaves out (moving between panes, going back).
NOT_IN_PALETTE = frozenset({"back", "next_pane", "previous_pane"})


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    """A command of the palette: named as the footer names its key, with the help
    screen's line for it and its keys as bound now."""

    name: str
    help: str
    action: str
    keys: str


def help_entries(app: App[Any], overrides: Mapping[str, str]) -> list[HelpEntry]:
    """The help screen's lines: every key, section by section, as bound now."""
    entries = [
        HelpEntry("  ".join(keys_for(app, overrides, key.binding())), key.help, key.id, key.section)
        for key in KEYS
    ]
    entries.append(HelpEntry("^p", "Command palette: every action, themes", "", "App"))
    entries.append(HelpEntry("^q", "Quit", "", "App"))
    return entries


def screen_help_entries(
    app: App[Any], overrides: Mapping[str, str], screen: object
) -> list[HelpEntry]:
    """The keys of the screen the help was asked for on (the feeds screen, a dialog),
    as bound now, under the screen's ``HELP_SECTION``: shown before the app's own."""
    section = str(getattr(screen, "HELP_SECTION", "This screen"))
    entries = []
    for binding in getattr(screen, "BINDINGS", ()):
        if not isinstance(binding, Binding) or binding.action.endswith("help"):
            continue
        keys = "  ".join(keys_for(app, overrides, binding))
        entries.append(
            HelpEntry(keys, binding.tooltip or binding.description, binding.id or "", section)
        )
    return entries


def palette_commands(app: App[Any], overrides: Mapping[str, str]) -> list[PaletteCommand]:
    """One command per key (but moving between panes and going back), as bound now."""
    return [
        PaletteCommand(
            key.description,
            key.help,
            key.action,
            "  ".join(keys_for(app, overrides, key.binding())),
        )
        for key in KEYS
        if key.id not in NOT_IN_PALETTE
    ]
