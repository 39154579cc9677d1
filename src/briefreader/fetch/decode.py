"""Content-Encoding decoders that work in bounded pieces (gzip, deflate, brotli).

Each step produces at most ``_PIECE`` decoded bytes, so the caller can stop at its
cap: a small body that inflates to gigabytes never does.

``make_decoder(..., fast=True)`` inflates gzip with ISA-L (``isal``, ~2.8x zlib's
speed on feed XML: 990 against 350 MB/s here) where it is installed.  Its error
messages are its own, so a caller holding the whole body decodes a body ISA-L
refuses again with zlib for zlib's words (:func:`briefreader.fetch.body.decode_body`).
ISA-L is laxer than zlib in places, so it is given only gzip (whose CRC-32 it checks)
and a member whose header sets no flag zlib refuses; deflate (often raw, with no
checksum, where ISA-L reads an invalid code table zlib refuses) stays zlib's.  What
is left: a gzip member whose deflate data zlib refuses yet whose CRC-32 matches what
ISA-L makes of it — made on purpose, never by a broken transfer — is read as ISA-L
reads it (the server's own bytes either way).
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from briefreader.fetch.errors import Failure, one_line

_isal_zlib: Any
try:  # ISA-L's inflate: zlib's interface, ~2.8x its speed
    from isal import isal_zlib as _isal_zlib
except ImportError:  # pragma: no cover - a platform without its wheel
    _isal_zlib = None

__all__ = ["ACCEPT_ENCODING", "BROTLI_AVAILABLE", "DECODE_ERRORS", "Decoder", "make_decoder"]

_PIECE = 256 * 1024  # most decoded bytes produced by one decompression step
_MAX_ENCODINGS = 3  # a Content-Encoding list longer than this is refused

# brotli: used only when a decoder with an output limit is importable


class _BrotliDecompressor(Protocol):
    def process(self, data: bytes, output_buffer_limit: int = ...) -> bytes: ...
    def can_accept_more_data(self) -> bool: ...
    def is_finished(self) -> bool: ...


def _find_brotli() -> tuple[Callable[[], _BrotliDecompressor], type[Exception]] | None:
    """The Decompressor of ``brotli`` or ``brotlicffi`` and its error, if it can bound its output.

    Versions before 1.2 have no ``output_buffer_limit``: a few hundred bytes of
    brotli can expand to gigabytes in one call, so those are not used (and "br"
    is then not advertised in Accept-Encoding).
    """
    for name in ("brotli", "brotlicffi"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        factory = getattr(module, "Decompressor", None)
        error = getattr(module, "error", None)
        if factory is None or not (isinstance(error, type) and issubclass(error, Exception)):
            continue
        try:
            probe = factory()
            probe.process(b"", output_buffer_limit=1)
            probe.can_accept_more_data()
            probe.is_finished()
        except Exception:  # an old or odd binding: do without brotli
            continue
        found: Callable[[], _BrotliDecompressor] = factory
        return found, error
    return None


_BROTLI_FOUND = _find_brotli()
_BROTLI = _BROTLI_FOUND[0] if _BROTLI_FOUND else None
BROTLI_AVAILABLE = _BROTLI is not None
ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI_AVAILABLE else "gzip, deflate"


class Truncated(Exception):
    """A compressed body that stops before its end."""


class _Laxer(Exception):
    """A stream ISA-L would read and zlib would refuse (its reader falls back to zlib)."""


#: The bits of a gzip header's flag byte that no flag uses (zlib refuses them).
_GZIP_RESERVED_FLAGS = 0xE0


DECODE_ERRORS: tuple[type[Exception], ...] = (zlib.error, Truncated, _Laxer)
if _isal_zlib is not None:
    DECODE_ERRORS += (_isal_zlib.error,)
if _BROTLI_FOUND:
    DECODE_ERRORS += (_BROTLI_FOUND[1],)


class Decoder(Protocol):
    name: str

    def feed(self, data: bytes) -> Iterator[bytes]: ...
    def finish(self) -> Iterator[bytes]: ...


class _Identity:
    name = "identity"

    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def finish(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip (several members allowed) or deflate (zlib-wrapped or raw, as servers send both).

    Each step inflates at most ``_PIECE`` bytes; the caller stops iterating once
    its cap is passed, so a bomb never inflates further than that.
    """

    def __init__(self, gzip: bool, module: Any = zlib) -> None:
        self.name = "gzip" if gzip else "deflate"
        self._gzip = gzip
        self._zlib = module  # zlib, or ISA-L's isal_zlib (the same interface)
        self._obj: Any = None  # zlib.Decompress; None until a stream's first bytes are in
        self._pending = b""
        self._members = 0
        self._done = False

    def _start(self, data: bytes) -> None:
        module = self._zlib
        if self._gzip:
            if module is not zlib and len(data) > 3 and data[3] & _GZIP_RESERVED_FLAGS:
                # (zlib refuses it, "unknown header flags set"; ISA-L reads on)
                raise _Laxer("a gzip header flag only ISA-L accepts")
            self._obj = module.decompressobj(16 + zlib.MAX_WBITS)
        else:
            wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._obj = module.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._done:
            return
        if self._obj is None:
            data = self._pending + data
            self._pending = b""
        # Each round yields a full piece (the caller's cap bounds those), or uses up
        # input, or starts the next gzip member (bounded by the input): this ends.
        while True:
            if self._obj is None:
                if len(data) < 2:
                    self._pending = data
                    return
                if self._members and data[:2] != b"\x1f\x8b":
                    self._done = True  # padding after the last member: ignored, as gzip does
                    return
                self._start(data)
            obj = self._obj
            out = obj.decompress(data, _PIECE)
            if out:
                yield out
            if obj.eof:
                self._members += 1
                self._obj = None
                if not self._gzip:
                    self._done = True
                    return
                data = obj.unused_data
                continue
            data = obj.unconsumed_tail
            if not data and len(out) < _PIECE:
                return  # all input used and no output held back

    def finish(self) -> Iterator[bytes]:
        # feed() leaves no unconsumed input, so this is at most a little held-back output.
        if self._obj is not None and not self._obj.eof:
            tail = self._obj.flush()
            if tail:
                yield tail
            raise Truncated("the compressed data ends early")


class _Brotli:
    name = "br"

    def __init__(self, factory: Callable[[], _BrotliDecompressor]) -> None:
        self._obj = factory()
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        obj = self._obj
        self._started = self._started or bool(data)
        out = obj.process(data, output_buffer_limit=_PIECE)
        if out:
            yield out
        # A full piece may mean more output is held back (brotli 1.2 can say it
        # "can accept more data" then too): drain it, a piece at a time. Every
        # round yields a piece, so the caller's cap bounds this.
        while (len(out) >= _PIECE or not obj.can_accept_more_data()) and not obj.is_finished():
            out = obj.process(b"", output_buffer_limit=_PIECE)
            if not out:
                return
            yield out

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._obj.is_finished():
            raise Truncated("the compressed data ends early")
        return iter(())


class _Chain:
    """Several encodings: the last one applied is undone first."""

    def __init__(self, decoders: list[Decoder]) -> None:
        self._decoders = decoders
        self.name = ", ".join(d.name for d in reversed(decoders))

    def _through(self, pieces: Iterable[bytes], index: int) -> Iterator[bytes]:
        if index == len(self._decoders):
            yield from pieces
            return
        decoder = self._decoders[index]
        for piece in pieces:
            yield from self._through(decoder.feed(piece), index + 1)

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through([data], 0)

    def finish(self) -> Iterator[bytes]:
        for index, decoder in enumerate(self._decoders):
            yield from self._through(decoder.finish(), index + 1)


def make_decoder(content_encoding: str | None, *, fast: bool = False) -> Decoder:
    """A decoder for a Content-Encoding value. Unknown codings pass through (as httpx does).
    ``fast``: gzip inflated by ISA-L, if installed (its own error messages)."""
    inflater = _isal_zlib if fast and _isal_zlib is not None else zlib
    if not content_encoding:
        return _Identity()
    names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
    decoders: list[Decoder] = []
    for name in names:
        if name in ("gzip", "x-gzip"):
            decoders.append(_Zlib(gzip=True, module=inflater))
        elif name == "deflate":
            decoders.append(_Zlib(gzip=False))
        elif name == "br":
            if _BROTLI is None:
                raise Failure("brotli-compressed response, but no brotli decoder is installed")
            decoders.append(_Brotli(_BROTLI))
    if len(decoders) > _MAX_ENCODINGS:
        raise Failure(f"too many content encodings: {one_line(content_encoding, 80)}")
    if not decoders:
        return _Identity()
    if len(decoders) == 1:
        return decoders[0]
    decoders.reverse()
    return _Chain(decoders)
