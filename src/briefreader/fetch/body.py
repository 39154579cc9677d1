"""The capped, streamed read of an answer's body, for the fetcher and the Google
Reader client alike: the raw bytes and the decoded ones are counted while they
arrive (a small gzip that inflates to gigabytes stops at the cap with bounded
memory), a declared length over the cap is refused before reading, and a body cut
short of its Content-Length is an error."""

from __future__ import annotations

import httpx

from briefreader.fetch.decode import DECODE_ERRORS, make_decoder
from briefreader.fetch.errors import ExchangeState, Failure, one_line, size_text

__all__ = ["TooLarge", "read_body"]


class TooLarge(Failure):
    """The body is over a cap (declared or as it arrived)."""


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
    length = response.headers.get("content-length", "").strip()
    if length.isascii() and length.isdigit() and response.status_code not in (204, 205):
        state.expected = int(length)
        if state.expected > max_raw:
            raise TooLarge(
                f"{noun} too large: {size_text(state.expected)} (the limit is {size_text(max_raw)})"
            )
    decoder = make_decoder(response.headers.get("content-encoding"))
    after = f" after decoding ({decoder.name})" if decoder.name != "identity" else ""
    decoded_cap = f"{noun} too large: more than {size_text(max_bytes)}{after}"
    chunks: list[bytes] = []
    total = 0
    state.in_body = True
    try:
        async for data in response.aiter_raw():
            state.received += len(data)
            if state.received > max_raw:
                raise TooLarge(f"{noun} too large: more than {size_text(max_raw)}")
            for piece in decoder.feed(data):
                total += len(piece)
                if total > max_bytes:
                    raise TooLarge(decoded_cap)
                chunks.append(piece)
        for piece in decoder.finish():
            total += len(piece)
            if total > max_bytes:
                raise TooLarge(decoded_cap)
            chunks.append(piece)
    except DECODE_ERRORS as exc:
        raise Failure(
            f"could not decode the {decoder.name} body: {one_line(str(exc), 120)}"
        ) from None
    if state.expected is not None and state.received < state.expected:
        # (the HTTP layer normally says so first; a body cut short is never whole)
        raise Failure(f"truncated: got {state.received} of {state.expected} bytes")
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
