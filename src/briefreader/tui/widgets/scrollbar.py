"""A vertical scrollbar that repaints only when what it shows changes.

Textual repaints a scrollbar whenever its position or sizes change.  The article
list scrolls one row at a time: in 100,000 rows the thumb does not move a cell
for thousands of rows, yet each key press drew the bar's every line again (with
the article pane's bar, ~1/6 of a next-article frame).  :class:`SteadyScrollBar`
skips a repaint that would draw exactly what is on screen; the position itself
is kept exact (dragging the thumb starts from it).

A widget takes it by returning :func:`steady_vertical_scrollbar` from its
``vertical_scrollbar`` property.

:func:`set_virtual_size` sets a line-API view's scrollable size without laying out
the whole screen again when its scroll bars stay as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender

if TYPE_CHECKING:
    from typing import Self

    from textual.widget import Widget

__all__ = ["SteadyScrollBar", "set_virtual_size", "steady_vertical_scrollbar"]


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Set ``view``'s scrollable size, laying out the screen only when a scroll bar
    appears or goes.

    ``virtual_size`` is a layout reactive: assigning it lays out the whole screen
    (~10 ms at 160×48).  A line-API view draws its own lines, so only its scroll bars
    depend on it: they are updated directly (``_scroll_update``, as Textual does after
    a layout), and the screen is laid out when one of them is shown or hidden.
    """
    if size == view.virtual_size:
        return
    bars = (view.show_vertical_scrollbar, view.show_horizontal_scrollbar)
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)
    if (view.show_vertical_scrollbar, view.show_horizontal_scrollbar) != bars:
        view.refresh(layout=True)


class SteadyScrollBar(ScrollBar):
    """A scrollbar that skips repaints which would not change a cell."""

    _drawn: object = None
    """The look last drawn (None: not drawn yet)."""
    repaints_skipped = 0
    """How many repaints were skipped (tests)."""

    def _look(self, renderable: RenderableType | None = None) -> object:
        """Everything the bar's cells depend on (colours, size, the thumb's cells)."""
        if renderable is None:
            renderable = super().render()
        if not isinstance(renderable, ScrollBarRender):
            return None  # (never equal to a drawn look: always repainted)
        height = self.size.height if self.vertical else self.size.width
        bar = renderable.render_bar(
            size=height,
            virtual_size=renderable.virtual_size,
            window_size=renderable.window_size,
            position=renderable.position,
            thickness=renderable.thickness,
            vertical=renderable.vertical,
        )
        return (self.size, renderable.style, tuple(bar.segments))

    def render(self) -> RenderableType:
        renderable = super().render()
        self._drawn = self._look(renderable)
        return renderable

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if (
            not regions
            and repaint
            and not layout
            and not recompose
            and self._drawn is not None
            and self.is_mounted
            and self._look() == self._drawn
        ):
            self.repaints_skipped += 1
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


def steady_vertical_scrollbar(widget: Widget) -> ScrollBar:
    """``widget``'s vertical scrollbar, made a :class:`SteadyScrollBar` (as
    ``Widget.vertical_scrollbar`` makes its ``ScrollBar``, the first time it is asked)."""
    if widget._vertical_scrollbar is None:
        bar = SteadyScrollBar(
            vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical
        )
        bar.display = False
        widget._vertical_scrollbar = bar
        widget.app._start_widget(widget, bar)
    return widget._vertical_scrollbar
