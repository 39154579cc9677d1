"""Legible text in the modal screens, whatever the theme.

The themes' accent, muted and cursor colours fall under WCAG AA (4.5:1) on the
dialogs' ``$surface`` in many themes (an orange title on light grey, muted text on
a cursor row).  :class:`LegibleFilter` is a Textual line filter that moves each
character's colour just far enough towards black or white to reach
:data:`~briefreader.tui.formatting.MIN_CONTRAST` on the colour behind it (dim text
counted as the terminal shows it, half-way to its background); the ``Legible*``
widgets are Textual's own with the filter added.  A filter runs once per drawn line
(Textual caches filtered lines), only in these widgets, so the main screen's panes
(which choose legible colours themselves) pay nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.containers import Vertical, VerticalScroll
from textual.filter import LineFilter
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static

from briefreader.tui.formatting import MIN_CONTRAST, contrast_ratio, legible_colour

__all__ = [
    "LEGIBLE",
    "LegibleDataTable",
    "LegibleFilter",
    "LegibleInput",
    "LegibleOptionList",
    "LegibleStatic",
    "LegibleVertical",
    "LegibleVerticalScroll",
    "legible_style",
]


@lru_cache(maxsize=4096)
def legible_style(style: Style) -> Style:
    """``style`` with its text colour legible on its background (the style itself
    when it already is, or when either colour is the terminal's own)."""
    fg, bg = style.color, style.bgcolor
    if style.reverse:
        fg, bg = bg, fg
    if fg is None or bg is None or fg.triplet is None or bg.triplet is None:
        return style
    front, back = Color.from_rich_color(fg), Color.from_rich_color(bg)
    if style.dim:  # the terminal dims it: half-way to the background
        front = front.blend(back, 0.5)
    if contrast_ratio(front, back) >= MIN_CONTRAST:
        return style
    colour = legible_colour(front.rich_color, back.rich_color)
    change = Style(bgcolor=colour) if style.reverse else Style(color=colour)
    return style + change + Style(dim=False) if style.dim else style + change


class LegibleFilter(LineFilter):
    """Every character's colour at least :data:`MIN_CONTRAST` on its background."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out: list[Segment] = []
        for text, style, control in segments:
            if style is not None and not control:
                style = legible_style(style)
            out.append(Segment(text, style, control))
        return out


#: The one filter (Textual caches each line's filtered form by filter).
LEGIBLE = LegibleFilter()


class _Legible:
    """Adds the filter to a widget's own.  Not a Widget itself: Textual follows a
    widget's first DOMNode base for its CSS and component classes, which must stay
    the Textual widget's."""

    def get_line_filters(self) -> Sequence[LineFilter]:
        assert isinstance(self, Widget)
        return (*super().get_line_filters(), LEGIBLE)  # type: ignore[misc]


class LegibleVertical(_Legible, Vertical):
    """A dialog's frame: its border title and subtitle legible."""


class LegibleVerticalScroll(_Legible, VerticalScroll):
    """A scrolling part of a dialog."""


class LegibleStatic(_Legible, Static):
    """A dialog's text."""


class LegibleOptionList(_Legible, OptionList):
    """A dialog's choices (the cursor row too)."""


class LegibleDataTable(_Legible, DataTable[Text]):
    """A dialog's table (the cursor row too).  When it is made shorter (the detail
    under the feeds screen's table grows with a feed's error), its highlighted row is
    scrolled back into sight."""

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._cursor_in_sight)

    def _cursor_in_sight(self) -> None:
        if self.row_count and self.cursor_row >= 0:  # (where it is by then)
            self.move_cursor(row=self.cursor_row, animate=False)


class LegibleInput(_Legible, Input):
    """A dialog's input (its placeholder too)."""
