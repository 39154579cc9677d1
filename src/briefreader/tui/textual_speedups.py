"""A speed-up for Textual's rendering, applied once when the app package is imported.

Every line Textual draws is a :class:`textual.strip.Strip`, and Textual 8.2.8 makes
seven small caches (``FIFOCache``) in each Strip's ``__init__``, whether the strip is
ever cropped, divided, styled or filtered or not.  Moving to the next article makes
~870 strips (the article's lines, cut into pieces and joined again by the compositor):
~6,100 caches, about a quarter of the key's time on the UI thread.

:func:`apply` makes those caches when a strip first uses one: ``Strip.__init__`` sets
only the strip's own fields, and ``Strip.__getattr__`` (called only for a slot not yet
set) makes the cache asked for, of the size Textual gives it, and keeps it in its slot.
Every method of Strip reads and fills its caches as before; what it draws is the same.

It is applied only to the ``Strip.__init__`` it was written against (its code's names
and constants, checked at :func:`apply`): a Textual release that changes it is left
alone, and only the speed-up is lost.  ``BRIEFREADER_TEXTUAL_SPEEDUPS=0`` turns it off
(to tell whether a drawing problem comes from it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

__all__ = ["applied", "apply"]

#: Each cache Strip.__init__ makes, and its size (Textual 8.2.8).
LAZY_CACHES: dict[str, int] = {
    "_divide_cache": 4,
    "_crop_cache": 16,
    "_style_cache": 16,
    "_filter_cache": 4,
    "_line_length_cache": 4,
    "_crop_extend_cache": 4,
    "_offsets_cache": 4,
}

#: What ``Strip.__init__``'s code names and holds in Textual 8.2.8: the code replaced.
_KNOWN_INIT = (
    (
        "list",
        "_segments",
        "_cell_length",
        "FIFOCache",
        *LAZY_CACHES,
        "_render_cache",
        "_link_ids",
        "_cell_count",
    ),
    (None, 4, 16),
)

_original_init = Strip.__init__


def _lazy_init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    self._segments = list(segments)
    self._cell_length = cell_length
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def _make_cache(self: Strip, name: str) -> Any:
    """A cache slot read before it was set: make the cache (any other name is an
    attribute Strip does not have)."""
    size = LAZY_CACHES.get(name)
    if size is None:
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
    cache: FIFOCache[Any, Any] = FIFOCache(size)
    setattr(self, name, cache)
    return cache


def applied() -> bool:
    """Whether strips make their caches on first use."""
    return Strip.__init__ is _lazy_init


def apply() -> bool:
    """Make Strip's caches on first use (see the module's docstring); returns whether
    it is applied.  Idempotent."""
    if applied():
        return True
    if os.environ.get("BRIEFREADER_TEXTUAL_SPEEDUPS", "1") == "0":
        return False
    code = _original_init.__code__
    if (code.co_names, code.co_consts) != _KNOWN_INIT or hasattr(Strip, "__getattr__"):
        return False  # (another Textual: its own __init__ is kept)
    Strip.__init__ = _lazy_init  # type: ignore[method-assign]
    Strip.__getattr__ = _make_cache  # type: ignore[attr-defined]
    return True
