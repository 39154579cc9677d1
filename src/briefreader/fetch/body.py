"""The capped, streamed read of an answer's body, for the fetcher and the Google
Reader client alike: the raw bytes and the decoded ones are counted while they
arrive (a small gzip that inflates to gigabytes stops at the cap with bounded
memory), a declared length over the cap is refused before reading, and a body cut
short of its Content-Length is an error.

A caller that decodes elsewhere (the refresh, in its parser processes) takes a small
body as it came (:func:`read_body_or_later`) and decodes it later with
:func:`decode_body`: the same decoders in the same bounded pieces, the same caps, the
same messages; a bigger body it gets decoded, as from :func:`read_body`."""

from __future__ import annotations

import httpx

from briefreader.fetch.decode import DECODE_ERRORS, Decoder, make_decoder
from briefreader.fetch.errors import ExchangeState, Failure, one_line, size_text

__all__ = ["TooLarge", "decode_body", "read_body", "read_body_or_later"]


class TooLarge(Failure):
    """The body is over a cap (declared or as it arrived)."""


class _Decoding:
    """Decoded pieces gathered up to ``max_bytes`` (:class:`TooLarge` past it), a
    decoder's error as a :class:`Failure` naming the encoding."""

    def __init__(self, decoder: Decoder, max_bytes: int, noun: str) -> None:
        self.decoder = decoder
        self.max_bytes = max_bytes
        after = f" after decoding ({decoder.name})" if decoder.name != "identity" else ""
        self.cap_message = f"{noun} too large: more than {size_text(max_bytes)}{after}"
        self.chunks: list[bytes] = []
        self.total = 0

    def _keep(self, piece: bytes) -> None:
        self.total += len(piece)
        if self.total > self.max_bytes:
            raise TooLarge(self.cap_message)
        self.chunks.append(piece)

    def feed(self, data: bytes) -> None:
        try:
            for piece in self.decoder.feed(data):
                self._keep(piece)
        except DECODE_ERRORS as exc:
            raise self._undecodable(exc) from None

    def finish(self) -> bytes:
        try:
            for piece in self.decoder.finish():
                self._keep(piece)
        except DECODE_ERRORS as exc:
            raise self._undecodable(exc) from None
        chunks = self.chunks
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _undecodable(self, exc: Exception) -> Failure:
        return Failure(f"could not decode the {self.decoder.name} body: {one_line(str(exc), 120)}")


async def read_body(
    response: httpx.Response,
    state: ExchangeState,
    *,
    max_raw: int,
    max_bytes: int,
    noun: str = "response",
) -> bytes:
    """The decoded body of ``response``, read in pieces; :class:`TooLarge` over the
    caps (``max_raw`` on the wire, ``max_bytes`` decoded), :class:`Failure` for an
    undecodable or truncated body.  ``state`` records how far it got (for a
    timeout's message); ``noun`` is what messages call the body's answer."""
    body, _left = await read_body_or_later(
        response, state, max_raw=max_raw, max_bytes=max_bytes, noun=noun, later_up_to=0
    )
    return body


async def read_body_or_later(
    response: httpx.Response,
    state: ExchangeState,
    *,
    max_raw: int,
    max_bytes: int,
    noun: str = "response",
    later_up_to: int,
) -> tuple[bytes, str]:
    """:func:`read_body`, except that a body of at most ``later_up_to`` bytes on the
    wire comes as it came, for :func:`decode_body` later: ``(body, its
    Content-Encoding)``, or ``(decoded body, "")``.

    A bigger body is decoded here as it arrives, the decoded cap checked while it
    streams, as :func:`read_body` does: the bytes kept as they came stay few, and
    what a decoded body over the cap costs is bounded as before.  The first bytes of
    a body kept as it came are tried by its decoder, so a body that is not what its
    Content-Encoding says fails at once, with :func:`read_body`'s message."""
    length = response.headers.get("content-length", "").strip()
    if length.isascii() and length.isdigit() and response.status_code not in (204, 205):
        state.expected = int(length)
        if state.expected > max_raw:
            raise TooLarge(
                f"{noun} too large: {size_text(state.expected)} (the limit is {size_text(max_raw)})"
            )
    encoding = response.headers.get("content-encoding") or ""
    decoder = make_decoder(encoding)
    decoding = _Decoding(decoder, max_bytes, noun)
    # The body as it came, while it is small enough to hand on so (None: decoding).
    kept: list[bytes] | None = [] if later_up_to > 0 and decoder.name != "identity" else None
    state.in_body = True
    async for data in response.aiter_raw():
        state.received += len(data)
        if state.received > max_raw:
            raise TooLarge(f"{noun} too large: more than {size_text(max_raw)}")
        if kept is not None:
            if not kept and data:
                _try_start(encoding, data, noun)
            if state.received <= later_up_to:
                kept.append(data)
                continue
            for earlier in kept:  # too big to hand on: decoded here from now on
                decoding.feed(earlier)
            kept = None
        decoding.feed(data)
    if kept is not None:
        body, left = b"".join(kept), encoding
    else:
        body, left = decoding.finish(), ""
    if state.expected is not None and state.received < state.expected:
        # (the HTTP layer normally says so first; a body cut short is never whole)
        raise Failure(f"truncated: got {state.received} of {state.expected} bytes")
    return body, left


#: How much of a body kept as it came its decoder tries at once (a header's worth).
_START_BYTES = 64


def _try_start(encoding: str, data: bytes, noun: str) -> None:
    """:class:`Failure` (as :func:`read_body` says it) if the first bytes of a body are
    not what ``encoding`` says (a gzip body without gzip's header …); a few hundred
    bytes decoded at most."""
    _Decoding(make_decoder(encoding), 1 << 20, noun).feed(data[:_START_BYTES])


def decode_body(
    raw: bytes, content_encoding: str | None, *, max_bytes: int, noun: str = "response"
) -> bytes:
    """A body read with ``decode=False``, decoded as :func:`read_body` would have:
    in pieces of at most 256 KB, :class:`TooLarge` past ``max_bytes`` decoded,
    :class:`Failure` for a body its encoding cannot decode, with the same messages.

    gzip is inflated by ISA-L where it is installed (~2.8x zlib's speed; a refresh's
    parse workers inflate every body); a body it fails on, or that passes the cap, is
    decoded again with zlib, so what fails and how it is told are zlib's, as
    :func:`read_body` says them (the one exception: :mod:`briefreader.fetch.decode`)."""
    try:
        return _decode_all(raw, make_decoder(content_encoding, fast=True), max_bytes, noun)
    except Failure:
        pass
    return _decode_all(raw, make_decoder(content_encoding), max_bytes, noun)


def _decode_all(raw: bytes, decoder: Decoder, max_bytes: int, noun: str) -> bytes:
    decoding = _Decoding(decoder, max_bytes, noun)
    decoding.feed(raw)
    return decoding.finish()
