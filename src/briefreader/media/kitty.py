"""A :class:`~briefreader.media.images.Raster` shown through the Kitty graphics
protocol, by its Unicode placeholders.

The article pane draws only the lines on screen (a line-API widget), so an image
that the terminal paints at the cursor (Sixel, or a Kitty placement) cannot live in
it: it would neither scroll nor clip with the text.  Kitty's *Unicode placeholders*
can: the image is sent to the terminal once, with a *virtual placement* of ``cols``
× ``rows`` cells, and each cell of it is the character U+10EEEE followed by two
combining marks giving its row and column, in a foreground colour that names the
image.  To Rich and Textual these are ordinary one-cell characters, so the picture
scrolls, clips and is covered by overlays exactly like the half blocks it replaces
(same size, same number of lines), and the terminal draws the pixels in them.

Pure: the escape sequences are returned as strings; the app writes them to the
terminal (:meth:`KittyImage.pending`).  Kitty and Ghostty support placeholders;
others print the placeholder character, so ``auto`` chooses this only for those
two (:func:`detect_protocol`).  Specification:
https://sw.kovidgoyal.net/kitty/graphics-protocol/#unicode-placeholders
"""

from __future__ import annotations

import base64
import itertools
import random
import threading
import zlib
from collections.abc import Mapping

from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from briefreader.media.halfblock import HalfBlockImage, fit_cells
from briefreader.media.images import Raster

__all__ = ["PLACEHOLDER", "PROTOCOLS", "KittyImage", "detect_protocol", "row_column_mark"]

#: The settings of ``image_protocol`` in the config.
PROTOCOLS = ("auto", "kitty", "halfblock")

PLACEHOLDER = "\U0010eeee"
_START = "\x1b_G"
_END = "\x1b\\"
_CHUNK = 4096  # the protocol's limit for one escape's payload

# The combining marks that number rows and columns (the spec's rowcolumn-diacritics),
# in order: mark n means row (or column) n; a picture is drawn at most this many
# cells a side.
# fmt: off
_MARKS = (
    0x0305, 0x030D, 0x030E, 0x0310, 0x0312, 0x033D, 0x033E, 0x033F, 0x0346, 0x034A, 0x034B,
    0x034C, 0x0350, 0x0351, 0x0352, 0x0357, 0x035B, 0x0363, 0x0364, 0x0365, 0x0366, 0x0367,
    0x0368, 0x0369, 0x036A, 0x036B, 0x036C, 0x036D, 0x036E, 0x036F, 0x0483, 0x0484, 0x0485,
    0x0486, 0x0487, 0x0592, 0x0593, 0x0594, 0x0595, 0x0597, 0x0598, 0x0599, 0x059C, 0x059D,
    0x059E, 0x059F, 0x05A0, 0x05A1, 0x05A8, 0x05A9, 0x05AB, 0x05AC, 0x05AF, 0x05C4, 0x0610,
    0x0611, 0x0612, 0x0613, 0x0614, 0x0615, 0x0616, 0x0617, 0x0657, 0x0658, 0x0659, 0x065A,
    0x065B, 0x065D, 0x065E, 0x06D6, 0x06D7, 0x06D8, 0x06D9, 0x06DA, 0x06DB, 0x06DC, 0x06DF,
    0x06E0, 0x06E1, 0x06E2, 0x06E4, 0x06E7, 0x06E8, 0x06EB, 0x06EC, 0x0730, 0x0732, 0x0733,
    0x0735, 0x0736, 0x073A, 0x073D, 0x073F, 0x0740, 0x0741, 0x0743, 0x0745, 0x0747, 0x0749,
    0x074A, 0x07EB, 0x07EC, 0x07ED, 0x07EE, 0x07EF, 0x07F0, 0x07F1, 0x07F3, 0x0816, 0x0817,
    0x0818, 0x0819, 0x081B, 0x081C, 0x081D, 0x081E, 0x081F, 0x0820, 0x0821, 0x0822, 0x0823,
    0x0825, 0x0826, 0x0827, 0x0829, 0x082A, 0x082B, 0x082C, 0x082D, 0x0951, 0x0953, 0x0954,
    0x0F82, 0x0F83, 0x0F86, 0x0F87, 0x135D, 0x135E, 0x135F, 0x17DD, 0x193A, 0x1A17, 0x1A75,
    0x1A76, 0x1A77, 0x1A78, 0x1A79, 0x1A7A, 0x1A7B, 0x1A7C, 0x1B6B, 0x1B6D, 0x1B6E, 0x1B6F,
    0x1B70, 0x1B71, 0x1B72, 0x1B73, 0x1CD0, 0x1CD1, 0x1CD2, 0x1CDA, 0x1CDB, 0x1CE0, 0x1DC0,
    0x1DC1, 0x1DC3, 0x1DC4, 0x1DC5, 0x1DC6, 0x1DC7, 0x1DC8, 0x1DC9, 0x1DCB, 0x1DCC, 0x1DD1,
    0x1DD2, 0x1DD3, 0x1DD4, 0x1DD5, 0x1DD6, 0x1DD7, 0x1DD8, 0x1DD9, 0x1DDA, 0x1DDB, 0x1DDC,
    0x1DDD, 0x1DDE, 0x1DDF, 0x1DE0, 0x1DE1, 0x1DE2, 0x1DE3, 0x1DE4, 0x1DE5, 0x1DE6, 0x1DFE,
)
# fmt: on
_MAX_CELLS = len(_MARKS)

# Image ids: 24 bits (the placeholder's foreground colour; no third mark needed),
# from a random start so that two app runs in one terminal rarely share one.
_ids = itertools.count(random.randint(1, 1 << 22))
_ids_lock = threading.Lock()


def _next_id() -> int:
    with _ids_lock:
        return next(_ids) % ((1 << 24) - 1) + 1


def row_column_mark(n: int) -> str:
    """The combining mark that numbers row or column ``n`` (from 0)."""
    return chr(_MARKS[n])


def _escape(control: str, payload: str = "") -> str:
    return f"{_START}{control};{payload}{_END}" if payload else f"{_START}{control}{_END}"


class KittyImage(HalfBlockImage):
    """A raster drawn as Kitty Unicode placeholders: the same cells a
    :class:`HalfBlockImage` of it takes, so it lays out the same way.

    :meth:`lines` gives the placeholder lines; :meth:`pending` the escape sequences
    the terminal needs before it can paint them.  Each size drawn (a pane width) is
    an image of its own in the terminal, so lines cached for any width stay right:
    its pixels and placement are sent once, the first time it is drawn."""

    def __init__(self, raster: Raster, *, max_rows: int = 16) -> None:
        super().__init__(raster, max_rows=max_rows)
        self._ids: dict[tuple[int, int], int] = {}
        self._sent: set[int] = set()
        self._data: str | None = None

    @property
    def image_ids(self) -> dict[tuple[int, int], int]:
        """The terminal's image id for each size drawn, (columns, rows) → id."""
        return dict(self._ids)

    def lines(self, width: int) -> list[list[Segment]]:
        cached = self._lines.get(width)
        if cached is None:
            self._encoded()  # (the first drawing is in a worker: the pixels encoded there)
            cols, px_rows = fit_cells(
                self.raster, min(self.columns(width), _MAX_CELLS), self.max_rows
            )
            rows = min(px_rows // 2, _MAX_CELLS)
            image_id = self._ids.get((cols, rows))
            if image_id is None:
                image_id = self._ids[(cols, rows)] = _next_id()
            style = Style(
                color=Color.from_rgb((image_id >> 16) & 255, (image_id >> 8) & 255, image_id & 255)
            )
            marks = [row_column_mark(c) for c in range(cols)]
            cached = self._lines[width] = [
                [Segment("".join(f"{PLACEHOLDER}{row_column_mark(r)}{m}" for m in marks), style)]
                for r in range(rows)
            ]
        return cached

    def _encoded(self) -> str:
        if self._data is None:
            self._data = base64.standard_b64encode(zlib.compress(self.raster.rgb)).decode("ascii")
        return self._data

    def transmission(self, image_id: int) -> str:
        """The escapes that send the pixels (raw RGB, zlib-compressed, in chunks)."""
        data = self._encoded()
        chunks = [data[i : i + _CHUNK] for i in range(0, len(data), _CHUNK)]
        head = f"a=t,f=24,o=z,s={self.raster.width},v={self.raster.height},i={image_id},q=2"
        out = []
        for index, chunk in enumerate(chunks):
            more = 1 if index < len(chunks) - 1 else 0
            control = f"{head},m={more}" if index == 0 else f"m={more}"
            out.append(_escape(control, chunk))
        return "".join(out)

    @staticmethod
    def placement(image_id: int, cols: int, rows: int) -> str:
        """The escape that makes the image's virtual placement, ``cols`` × ``rows``."""
        return _escape(f"a=p,U=1,i={image_id},c={cols},r={rows},q=2")

    def pending(self) -> str:
        """What the terminal still needs to paint every size drawn so far (empty:
        nothing); marks it sent."""
        out = []
        for (cols, rows), image_id in list(self._ids.items()):
            if image_id not in self._sent:
                self._sent.add(image_id)
                out += [self.transmission(image_id), self.placement(image_id, cols, rows)]
        return "".join(out)

    def deletion(self) -> str:
        """The escapes that free this picture's images in the terminal."""
        return "".join(_escape(f"a=d,d=I,i={i},q=2") for i in self._sent)


def detect_protocol(setting: str, environ: Mapping[str, str]) -> str:
    """The protocol to draw with: ``"kitty"`` or ``"halfblock"``.

    ``auto`` picks Kitty's placeholders only in a terminal known to support them
    (kitty, Ghostty) and not inside tmux or screen (which would need passthrough);
    a setting of ``kitty`` or ``halfblock`` is obeyed."""
    if setting in ("kitty", "halfblock"):
        return setting
    if environ.get("TMUX") or environ.get("STY"):
        return "halfblock"
    term = environ.get("TERM", "")
    program = environ.get("TERM_PROGRAM", "").lower()
    if term in ("xterm-kitty", "xterm-ghostty") or "KITTY_WINDOW_ID" in environ:
        return "kitty"
    if program == "ghostty":
        return "kitty"
    return "halfblock"
