"""The search box over the list: an Input whose keys the footer shows while one
types (esc clears the search, enter goes to the results), since the main screen's
letter keys go into the box then and the footer would otherwise show next to
nothing."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

__all__ = ["SearchInput"]


class SearchInput(Input):
    """``#search``: typing searches; esc clears; enter moves to the results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "app.go_back",
            "Clear search",
            id="search_clear",
            tooltip="Clear the search and show the whole list again",
        ),
        Binding(
            "enter",
            "submit",
            "Results",
            id="search_results",
            tooltip="Go to the results (the search stays)",
        ),
    ]
