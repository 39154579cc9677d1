"""The capped, streamed read of an answer's body, for the fetcher and the Google
Reader client alike: the raw bytes and the decoded ones are counted while they
arrive (a small gzip that inflates to gigabytes stops at the cap with bounded
memory), a declared length over the cap is refused before reading, and a body cut
short of its Content-Length is an error.

A caller that decodes elsewhere (the refresh, in its parser processes) reads the
body as it came (``decode=False``) and decodes it later with :func:`decode_body`:
the same decoders in the same bounded pieces, the same caps, the same messages."""

from __future__ import annotations

import httpx

from briefreader.fetch.decode import DECODE_ERRORS, Decoder, make_decoder
from briefreader.fetch.errors import ExchangeState, Failure, one_line, size_text

__all__ = ["TooLarge", "decode_body", "read_body"]


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
    decode: bool = True,
) -> bytes:
    """The decoded body of ``response``, read in pieces; :class:`TooLarge` over the
    caps (``max_raw`` on the wire, ``max_bytes`` decoded), :class:`Failure` for an
    undecodable or truncated body.  ``state`` records how far it got (for a
    timeout's message); ``noun`` is what messages call the body's answer.

    ``decode=False``: the body as it came (its Content-Encoding still on it, an
    unknown encoding refused here as before), for :func:`decode_body` later."""
    length = response.headers.get("content-length", "").strip()
    if length.isascii() and length.isdigit() and response.status_code not in (204, 205):
        state.expected = int(length)
        if state.expected > max_raw:
            raise TooLarge(
                f"{noun} too large: {size_text(state.expected)} (the limit is {size_text(max_raw)})"
            )
    decoder = make_decoder(response.headers.get("content-encoding"))
    # (Not decoding: the raw bytes, capped at ``max_raw``.)
    decoding = (
        _Decoding(decoder, max_bytes, noun)
        if decode
        else _Decoding(make_decoder(None), max_raw, noun)
    )
    state.in_body = True
    async for data in response.aiter_raw():
        state.received += len(data)
        if state.received > max_raw:
            raise TooLarge(f"{noun} too large: more than {size_text(max_raw)}")
        decoding.feed(data)
    body = decoding.finish()
    if state.expected is not None and state.received < state.expected:
        # (the HTTP layer normally says so first; a body cut short is never whole)
        raise Failure(f"truncated: got {state.received} of {state.expected} bytes")
    return body


def decode_body(
    raw: bytes, content_encoding: str | None, *, max_bytes: int, noun: str = "response"
) -> bytes:
    """A body read with ``decode=False``, decoded as :func:`read_body` would have:
    in pieces of at most 256 KB, :class:`TooLarge` past ``max_bytes`` decoded,
    :class:`Failure` for a body its encoding cannot decode, with the same messages."""
    decoding = _Decoding(make_decoder(content_encoding), max_bytes, noun)
    decoding.feed(raw)
    return decoding.finish()
