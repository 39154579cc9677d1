"""Decoded lead images on disk: one small file per image address, under the app's
cache folder, the least recently used removed beyond a size limit.

A file holds a :class:`~briefreader.media.images.Raster` as it is drawn (a short
header and its RGB bytes: a cache hit costs a file read, no decoding), or the
one-line note of an image that was refused, so a hostile image is not fetched
again on every visit.  File names are a hash of the address: nothing is ever
written outside the folder, whatever an address holds.  "Recently used" is the
file's modification time, touched on every read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import tempfile
from pathlib import Path

from briefreader.media.images import Raster

__all__ = ["DEFAULT_CACHE_BYTES", "ImageCache", "default_cache_dir"]

#: The cache is kept under this many bytes (a raster is at most ~46 KB).
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
# (version 2: the image's own size too; BRIMG1 files, BRNOT2 notes (the shorter
# header: their first 8 bytes of text would be read as sizes) and BRNOTE notes
# (which ended in "not shown") are read as absent)
_MAGIC = b"BRIMG2"
_NOTE = b"BRNOT3"
_HEADER = struct.Struct(">6sHHII")
_MAX_FILE = 1024 * 1024


def default_cache_dir() -> Path:
    """``images`` in the platform's cache folder (or ``$BRIEFREADER_HOME/cache``)."""
    from briefreader.paths import cache_dir

    return cache_dir() / "images"


class ImageCache:
    """Rasters (and refusal notes) by image address, in ``folder``."""

    def __init__(self, folder: Path, *, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def _path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return self.folder / f"{digest}.img"

    def get(self, url: str) -> Raster | str | None:
        """The raster kept for ``url``, its refusal note (a str), or None."""
        path = self._path(url)
        try:
            with path.open("rb") as f:
                data = f.read(_MAX_FILE + 1)
        except OSError:
            return None
        if len(data) > _MAX_FILE or len(data) < _HEADER.size:
            return None
        magic, width, height, source_width, source_height = _HEADER.unpack_from(data)
        body = data[_HEADER.size :]
        with contextlib.suppress(OSError):
            os.utime(path)
        if magic == _NOTE:
            return body.decode("utf-8", "replace")[:300]
        if magic != _MAGIC:
            return None
        try:
            return Raster(width, height, body, source_width, source_height)
        except ValueError:  # a damaged file: as if it were not there
            return None

    def put(self, url: str, value: Raster | str) -> None:
        """Keep a raster (or a refusal note) for ``url``, then trim the cache."""
        if isinstance(value, Raster):
            head = (value.width, value.height, value.source_width, value.source_height)
            data = _HEADER.pack(_MAGIC, *head) + value.rgb
        else:
            data = _HEADER.pack(_NOTE, 0, 0, 0, 0) + value.encode("utf-8", "replace")[:300]
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, self._path(url))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.trim()

    def trim(self) -> int:
        """Remove the least recently used files beyond :attr:`max_bytes`; how many."""
        try:
            entries = [e for e in os.scandir(self.folder) if e.name.endswith(".img")]
        except OSError:
            return 0
        files = []
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            files.append((info.st_mtime, info.st_size, entry.path))
        total = sum(size for _, size, _ in files)
        removed = 0
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            removed += 1
        return removed
