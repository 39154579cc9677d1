"""Counts in words: "1 article", "3 articles", "1 feed" (never "1 items" or
"feed(s)").  Pure: imports nothing of ours."""

from __future__ import annotations

__all__ = ["counted"]

#: Nouns whose plural is not the noun and "s".
_PLURALS = {"entry": "entries", "copy": "copies", "story": "stories"}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, singular for one: "1 article", "1,204 articles"."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {plural or _PLURALS.get(noun, noun + 's')}"
