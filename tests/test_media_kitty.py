"""Pictures through the Kitty graphics protocol's Unicode placeholders: each cell is
U+10EEEE with its row and column marks in a colour naming the image, the pixels and
a virtual placement are sent once per size drawn, and ``auto`` chooses it only in a
terminal known to support it."""

from __future__ import annotations

import base64
import random
import re
import zlib

from briefreader.media.halfblock import HalfBlockImage
from briefreader.media.images import Raster
from briefreader.media.kitty import (
    PLACEHOLDER,
    KittyImage,
    detect_protocol,
    row_column_mark,
)


def raster(width: int = 12, height: int = 8) -> Raster:
    rgb = bytearray()
    for y in range(height):
        for x in range(width):
            rgb += bytes((x * 20 % 256, y * 30 % 256, 100))
    return Raster(width, height, bytes(rgb))


def test_cells_are_placeholders_with_row_and_column_marks_in_the_image_colour() -> None:
    picture = KittyImage(raster(), max_rows=16)
    lines = picture.lines(40)
    halves = HalfBlockImage(raster(), max_rows=16).lines(40)
    assert len(lines) == len(halves) == 4  # the same cells as half blocks: 12 × 8 px
    ((cols, rows), image_id) = next(iter(picture.image_ids.items()))
    assert (cols, rows) == (12, 4)
    for r, line in enumerate(lines):
        (segment,) = line
        assert segment.cell_length == 12
        expected = "".join(
            f"{PLACEHOLDER}{row_column_mark(r)}{row_column_mark(c)}" for c in range(12)
        )
        assert segment.text == expected
        assert segment.style is not None and segment.style.color is not None
        red, green, blue = segment.style.color.get_truecolor()
        assert (red << 16) | (green << 8) | blue == image_id
    assert "▀" not in "".join(seg.text for line in lines for seg in line)


def test_pending_sends_the_pixels_and_placement_once_per_size() -> None:
    image = raster()
    picture = KittyImage(image, max_rows=16)
    assert picture.pending() == ""  # nothing drawn yet
    picture.lines(40)
    ((cols, rows), image_id) = next(iter(picture.image_ids.items()))
    out = picture.pending()
    head = f"\x1b_Ga=t,f=24,o=z,s=12,v=8,i={image_id},q=2,m=0;"
    assert out.startswith(head)
    payload = out[len(head) : out.index("\x1b\\")]
    assert zlib.decompress(base64.standard_b64decode(payload)) == image.rgb
    assert f"\x1b_Ga=p,U=1,i={image_id},c={cols},r={rows},q=2\x1b\\" in out
    assert picture.pending() == ""  # sent: not again
    picture.lines(40)
    assert picture.pending() == ""  # the same width again: cached, nothing to send
    picture.lines(6)  # narrower: a size of its own (a new image id)
    again = picture.pending()
    ids = picture.image_ids
    assert len(ids) == 2 and ids[(6, 2)] != image_id
    assert f"i={ids[(6, 2)]}," in again and "a=p,U=1" in again
    assert f"i={image_id}," in picture.deletion()


def test_large_pixels_are_sent_in_chunks_of_at_most_4096() -> None:
    noisy = random.Random(14).randbytes(160 * 96 * 3)  # does not compress
    picture = KittyImage(Raster(160, 96, noisy), max_rows=16)
    picture.lines(80)
    out = picture.pending()
    payloads = re.findall(r"\x1b_G([^;\x1b]*);([^\x1b]*)\x1b\\", out)
    assert len(payloads) > 1
    assert all(len(data) <= 4096 for _, data in payloads)
    assert [c.endswith("m=1") for c, _ in payloads] == [True] * (len(payloads) - 1) + [False]
    data = "".join(d for _, d in payloads)
    assert zlib.decompress(base64.standard_b64decode(data)) == noisy


def test_auto_detection() -> None:
    assert detect_protocol("auto", {"TERM": "xterm-kitty"}) == "kitty"
    assert detect_protocol("auto", {"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}) == "kitty"
    assert detect_protocol("auto", {"TERM_PROGRAM": "ghostty"}) == "kitty"
    assert detect_protocol("auto", {"TERM": "xterm-kitty", "TMUX": "/tmp/x,1,0"}) == "halfblock"
    assert detect_protocol("auto", {"TERM": "xterm-256color"}) == "halfblock"
    assert detect_protocol("auto", {}) == "halfblock"
    assert detect_protocol("kitty", {}) == "kitty"
    assert detect_protocol("halfblock", {"TERM": "xterm-kitty"}) == "halfblock"
