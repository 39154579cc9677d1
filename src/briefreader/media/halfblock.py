"""A :class:`~briefreader.media.images.Raster` drawn with Unicode half blocks.

Each terminal cell shows two pixels, one above the other: "▀" in the top pixel's
colour on the bottom pixel's.  It works in every terminal with true colour (Rich
reduces the colours for others), needs no graphics protocol, and draws the same
every time, so a snapshot can hold it.  Pure Rich: no Textual, no I/O.

The image is scaled (nearest pixel) to fit ``max_rows`` lines and the width Rich
gives it, keeping its shape (a cell is about twice as tall as wide, so one cell is
one pixel wide and two tall), and never beyond its natural size: one cell for
every :data:`CELL_PIXELS` of the image's own pixels (a 64×48 icon takes 8 × 3
cells, not the pane's width).  Lines are cached per width: drawing an article
again costs a list copy.
"""

from __future__ import annotations

from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style

from briefreader.media.images import Raster

__all__ = ["CELL_PIXELS", "HalfBlockImage", "fit_cells", "half_block_lines", "natural_cells"]

_UPPER = "▀"
#: A terminal cell stands for this many of an image's own pixels (wide, tall) at
#: its natural size (a common cell size): an image is never drawn larger.
CELL_PIXELS = (8, 16)


def natural_cells(raster: Raster) -> tuple[int | None, int | None]:
    """The columns and lines the image takes at its natural size (None: its own
    size is not known, no cap)."""
    if raster.source_width <= 0 or raster.source_height <= 0:
        return None, None
    cols = -(-raster.source_width // CELL_PIXELS[0])
    rows = -(-raster.source_height // CELL_PIXELS[1])
    return max(1, cols), max(1, rows)


def fit_cells(raster: Raster, max_cols: int, max_rows: int) -> tuple[int, int]:
    """Columns and pixel rows (even; two a line) the raster is drawn at."""
    cols = max(1, min(max_cols, raster.width))
    px_rows = max(2, round(raster.height * cols / raster.width))
    if px_rows > max_rows * 2:
        px_rows = max_rows * 2
        cols = max(1, min(max_cols, round(raster.width * px_rows / raster.height)))
    return cols, px_rows + (px_rows % 2)


def half_block_lines(raster: Raster, max_cols: int, max_rows: int) -> list[list[Segment]]:
    """The raster as lines of segments, at most ``max_cols`` × ``max_rows`` cells."""
    cols, px_rows = fit_cells(raster, max_cols, max_rows)
    xs = [min(raster.width - 1, x * raster.width // cols) for x in range(cols)]
    ys = [min(raster.height - 1, y * raster.height // px_rows) for y in range(px_rows)]
    rgb = raster.rgb
    width = raster.width
    styles: dict[tuple[int, int], Style] = {}
    lines: list[list[Segment]] = []
    for row in range(0, px_rows, 2):
        top_base = ys[row] * width
        bottom_base = ys[min(row + 1, px_rows - 1)] * width
        line: list[Segment] = []
        run_style: Style | None = None
        run = 0
        for x in xs:
            t = (top_base + x) * 3
            b = (bottom_base + x) * 3
            key = (
                (rgb[t] << 16) | (rgb[t + 1] << 8) | rgb[t + 2],
                (rgb[b] << 16) | (rgb[b + 1] << 8) | rgb[b + 2],
            )
            style = styles.get(key)
            if style is None:
                style = styles[key] = Style(
                    color=Color.from_rgb(rgb[t], rgb[t + 1], rgb[t + 2]),
                    bgcolor=Color.from_rgb(rgb[b], rgb[b + 1], rgb[b + 2]),
                )
            if style is run_style:
                run += 1
                continue
            if run_style is not None:
                line.append(Segment(_UPPER * run, run_style))
            run_style, run = style, 1
        if run_style is not None:
            line.append(Segment(_UPPER * run, run_style))
        lines.append(line)
    return lines


class HalfBlockImage:
    """A Rich renderable of a raster in half blocks, at most ``max_rows`` lines."""

    def __init__(self, raster: Raster, *, max_rows: int = 16) -> None:
        self.raster = raster
        cols, rows = natural_cells(raster)
        self.max_rows = max(1, min(max_rows, rows or max_rows))
        #: At most this many columns (its natural size), whatever the width given.
        self.max_cols = cols
        self._lines: dict[int, list[list[Segment]]] = {}

    def columns(self, width: int) -> int:
        """The columns it may take in ``width``: never more than its natural size."""
        return max(1, min(width, self.max_cols or width))

    def lines(self, width: int) -> list[list[Segment]]:
        """The lines for ``width`` columns (cached)."""
        cached = self._lines.get(width)
        if cached is None:
            cached = self._lines[width] = half_block_lines(
                self.raster, self.columns(width), self.max_rows
            )
        return cached

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(max(1, options.max_width)):
            yield from line
            yield Segment.line()
