"""Image bytes → a small RGB :class:`Raster`, safely.

* the type is sniffed from the bytes, not taken from the server or the address:
  PNG, JPEG, GIF (first frame) and WebP only; SVG (it can carry script) and
  anything else are refused with a note;
* the size in the header is checked before any pixel is decoded: more than
  :data:`MAX_PIXELS` is a decompression bomb, refused (and Pillow's own limit is
  set to the same, its warning made an error);
* JPEG is decoded in draft mode at a reduced scale; every image is scaled down to at
  most :data:`MAX_RASTER` pixels a side before it is kept;
* a 1×1 (or smaller than 4×4) image is a tracking pixel: refused.

Decoding is CPU work: callers run it off the UI thread.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

__all__ = [
    "MAX_PIXELS",
    "MAX_RASTER",
    "ImageRefused",
    "Raster",
    "decode_image",
    "sniff_image",
]

#: Images with more pixels than this are refused before decoding (~ 8K × 5K).
MAX_PIXELS = 40_000_000
#: A raster is kept at most this many pixels wide and tall (ample for a terminal:
#: 160 columns of half blocks, 48 rows).
MAX_RASTER = (160, 96)
_MIN_SIDE = 4


class ImageRefused(Exception):
    """The image is not shown; ``str()`` is the one-line note saying why (what the
    file is, "a truncated PNG image": the app puts "not shown" before it)."""


@dataclass(frozen=True, slots=True)
class Raster:
    """Decoded pixels: ``width`` × ``height``, ``rgb`` row by row, 3 bytes a pixel;
    ``source_width`` × ``source_height``: the image's own size before it was scaled
    down (0: not known), which caps how large it is drawn."""

    width: int
    height: int
    rgb: bytes
    source_width: int = 0
    source_height: int = 0

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1 or len(self.rgb) != self.width * self.height * 3:
            raise ValueError("raster size does not match its pixels")

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]


def sniff_image(data: bytes) -> str:
    """``"png"``, ``"jpeg"``, ``"gif"`` or ``"webp"``; :class:`ImageRefused` for
    anything else (saying what it looks like)."""
    head = bytes(data[:64])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    text = head.lstrip().lower()
    if text.startswith((b"<svg", b"<?xml")) or b"<svg" in bytes(data[:1024]).lower():
        raise ImageRefused("an SVG image (SVG can carry script)")
    if text.startswith((b"<!doctype", b"<html", b"<")):
        raise ImageRefused("not an image (an HTML or XML page)")
    if not head:
        raise ImageRefused("an empty answer, not an image")
    raise ImageRefused("not a PNG, JPEG, GIF or WebP image")


_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}


def decode_image(
    data: bytes, *, max_pixels: int = MAX_PIXELS, box: tuple[int, int] = MAX_RASTER
) -> Raster:
    """Decode ``data`` into a raster that fits ``box``; :class:`ImageRefused` with a
    one-line note for a bomb, a truncated or damaged file, the wrong type, a pixel."""
    kind = sniff_image(data)
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = max_pixels  # (Pillow's own check, as a second line)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[_FORMATS[kind]]) as im:
                width, height = im.size
                if width * height > max_pixels:
                    raise ImageRefused(f"too many pixels ({width}×{height}: a decompression bomb?)")
                if width < _MIN_SIDE and height < _MIN_SIDE:
                    raise ImageRefused(f"a {width}×{height} image (a tracking pixel)")
                if kind == "jpeg":
                    im.draft("RGB", (box[0] * 2, box[1] * 2))
                im.seek(0)
                im.load()
                frame = im.convert("RGBA") if im.mode not in ("RGB", "L") else im.convert("RGB")
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused("too many pixels (a decompression bomb)") from None
        except UnidentifiedImageError:
            raise ImageRefused(f"a damaged {kind.upper()} image") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            reason = "truncated" if "truncated" in str(exc).lower() else "damaged"
            raise ImageRefused(f"a {reason} {kind.upper()} image") from None
        except MemoryError:
            raise ImageRefused("too large to decode") from None
    if frame.mode == "RGBA":  # transparency over a dark grey
        back = Image.new("RGB", frame.size, (24, 24, 24))
        back.paste(frame, mask=frame.getchannel("A"))
        frame = back
    frame.thumbnail(box, Image.Resampling.LANCZOS)
    return Raster(frame.width, frame.height, frame.tobytes(), width, height)
