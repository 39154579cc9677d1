"""A lead image, loaded: from the cache, else fetched and decoded.

The only module of the media package that reaches the network (through
:func:`briefreader.fetch.media.fetch_image`); the app calls it through
:class:`briefreader.services.FeedService`.  Every outcome is a value: a raster, or
a one-line note saying why there is none (never an exception).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from briefreader.media.cache import ImageCache
from briefreader.media.images import ImageRefused, Raster, decode_image

__all__ = ["ImageOutcome", "load_image"]


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    """An image address and what became of it: a ``raster``, else a ``note``;
    ``fetched`` when it came over the network this time (not from the cache)."""

    url: str
    raster: Raster | None = None
    note: str = ""
    fetched: bool = False


async def load_image(url: str, cache: ImageCache, *, fetch: bool = True) -> ImageOutcome:
    """The image at ``url``: the cache's, else (``fetch``) fetched, decoded in a
    thread and kept (a refused image's note is kept too: it is not fetched again)."""
    kept = await asyncio.to_thread(cache.get, url)
    if isinstance(kept, Raster):
        return ImageOutcome(url, raster=kept)
    if isinstance(kept, str):
        return ImageOutcome(url, note=kept)
    if not fetch:
        return ImageOutcome(url, note="not loaded (press i to load images)")
    from briefreader.fetch.media import fetch_image

    result = await fetch_image(url)
    if result.error is not None:  # (not kept: a network failure may pass)
        return ImageOutcome(url, note=f"could not load the image: {result.error}", fetched=True)
    try:
        raster = await asyncio.to_thread(decode_image, result.body)
    except ImageRefused as exc:
        await asyncio.to_thread(cache.put, url, str(exc))
        return ImageOutcome(url, note=str(exc), fetched=True)
    await asyncio.to_thread(cache.put, url, raster)
    return ImageOutcome(url, raster=raster, fetched=True)
