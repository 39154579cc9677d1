"""Pictures and media: lead images decoded safely and drawn in half blocks, a disk
cache for them, enclosures downloaded and played.

Nothing here runs unless the reader asks (``i`` in the app, ``images = "auto"``):
an image request tells its sender who read what, and when.

* :mod:`.images`: the type sniffed from the bytes (PNG, JPEG, GIF, WebP; SVG and
  anything else refused with a note), decoded with Pillow under a pixel limit
  checked on the header before decoding, scaled down to a small :class:`Raster`;
* :mod:`.cache`: rasters on disk under the app's cache folder, LRU by mtime within a
  size limit, nothing written anywhere else;
* :mod:`.halfblock`: a raster as Rich segments of "▀" (top pixel the foreground,
  bottom the background): works in every terminal and is snapshot-stable;
* :mod:`.kitty`: the same cells as Kitty graphics protocol Unicode placeholders (the
  pixels sent to the terminal once), for kitty and Ghostty (``image_protocol``);
* :mod:`.loader`: cache, else fetch (through :mod:`briefreader.fetch.media`) and
  decode, one outcome with a one-line note;
* :mod:`.player`: an enclosure played in the user's player (an argument list,
  never a shell).

Only :mod:`.loader` reaches the network (the app calls it through
:mod:`briefreader.services`); the app imports :mod:`.images` and :mod:`.halfblock`
to draw.
"""
