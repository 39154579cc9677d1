"""Small pure helpers for what the app shows: relative ages, safe one-line text,
legible colours."""

from __future__ import annotations

from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.style import Style
from rich.text import Text
from textual.color import Color

from briefreader.textclean import clean_block, clean_line

__all__ = [
    "MIN_CONTRAST",
    "contrast_ratio",
    "foreground",
    "legible_colour",
    "relative_age",
    "safe_block",
    "safe_line",
]

#: The least contrast any text has with what is behind it (WCAG AA).
MIN_CONTRAST = 4.5

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY


def relative_age(timestamp: float, now: float) -> str:
    """``now``, ``5m``, ``2h``, ``1d``, ``3w``, ``4mo``, ``2y``.

    Never more than four cells, so the list can right-align it in a fixed column.
    A time in the future (a publisher's clock or time zone gone wrong) is ``now``.
    """
    delta = now - timestamp
    if delta < _MINUTE:
        return "now"
    if delta < _HOUR:
        return f"{int(delta // _MINUTE)}m"
    if delta < _DAY:
        return f"{int(delta // _HOUR)}h"
    if delta < _WEEK:
        return f"{int(delta // _DAY)}d"
    if delta < 8 * _WEEK:
        return f"{int(delta // _WEEK)}w"
    if delta < 365 * _DAY:
        return f"{max(2, int(delta // (30 * _DAY)))}mo"
    return f"{int(delta // (365 * _DAY))}y"


def safe_line(text: str) -> str:
    """One line of untrusted text with no escape or control character left."""
    if text.isprintable():
        return text
    return clean_line(text)


def cut_to(text: Text, width: int) -> Text:
    """``text`` cut to ``width`` cells with an ellipsis where it is longer, padded to
    ``width``.  Where a wide character (CJK) did not fit, Rich leaves a blank before
    the ellipsis ("過去最 …"): it goes after it instead ("過去最… ")."""
    longer = text.cell_len > width
    text.truncate(width, overflow="ellipsis")
    if longer:
        plain = text.plain
        if len(plain) >= 3 and plain.endswith(" …") and cell_len(plain[-3]) == 2:
            text = text[: len(plain) - 2] + text[len(plain) - 1 :]
    if text.cell_len < width:
        text.pad_right(width - text.cell_len)
    return text


def safe_block(text: str) -> str:
    """Multi-line untrusted text with no escape or control character left."""
    return clean_block(text)


def foreground(style: Style) -> Style:
    """A resolved component style without its background, to draw over any row.

    Component styles must be read whole (not ``partial``): only then are theme
    colours such as ``$text-muted`` ("auto 60%") resolved against the real
    background, which keeps them readable in light themes too.
    """
    return Style(
        color=style.color,
        bold=style.bold,
        dim=style.dim,
        italic=style.italic,
        underline=style.underline,
        strike=style.strike,
        reverse=style.reverse,
    )


def _luminance(color: Color) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast_ratio(first: Color, second: Color) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


_legible_cache: dict[tuple[str, str], RichColor] = {}


def legible_colour(fg: RichColor, bg: RichColor) -> RichColor:
    """``fg``, moved towards black or white (whichever contrasts more with ``bg``) just
    enough to reach :data:`MIN_CONTRAST` on ``bg``; unchanged when it already does, or
    when either is a terminal colour (an ANSI theme: the terminal chooses those)."""
    if fg.triplet is None or bg.triplet is None:
        return fg
    key = (fg.triplet.hex, bg.triplet.hex)
    cached = _legible_cache.get(key)
    if cached is not None:
        return cached
    front, back = Color.from_rich_color(fg), Color.from_rich_color(bg)
    result = fg
    if contrast_ratio(front, back) < MIN_CONTRAST:
        white, black = Color(255, 255, 255), Color(0, 0, 0)
        target = white if contrast_ratio(white, back) >= contrast_ratio(black, back) else black
        low, high = 0.0, 1.0  # the least blend towards the target that is legible
        for _ in range(12):
            middle = (low + high) / 2
            if contrast_ratio(front.blend(target, middle), back) >= MIN_CONTRAST:
                high = middle
            else:
                low = middle
        result = front.blend(target, high).rich_color
    if len(_legible_cache) > 4096:
        _legible_cache.clear()
    _legible_cache[key] = result
    return result
