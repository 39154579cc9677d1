"""Small pure helpers for what the app shows: relative ages, safe one-line text."""

from __future__ import annotations

from rich.style import Style

from briefreader.textclean import clean_block, clean_line

__all__ = ["foreground", "relative_age", "safe_block", "safe_line"]

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
