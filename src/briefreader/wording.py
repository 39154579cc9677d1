"""Counts in words: "1 article", "3 articles", "1 feed" (never "1 items" or
"feed(s)"), and sizes ("1.4 KB").  Pure: imports nothing of ours."""

from __future__ import annotations

__all__ = ["counted", "size_text"]

#: Nouns whose plural is not the noun and "s".
_PLURALS = {"entry": "entries", "copy": "copies", "story": "stories"}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, singular for one: "1 article", "1,204 articles"."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {plural or _PLURALS.get(noun, noun + 's')}"


def size_text(n: int) -> str:
    """A size in bytes as people read it: "812 bytes", "1.4 KB", "3.2 MB", "1.1 GB"."""
    for unit, step in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= step:
            return f"{n / step:.1f} {unit}"
    return counted(n, "byte")
