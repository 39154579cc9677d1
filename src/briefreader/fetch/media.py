"""Pictures and enclosures over HTTP: an image fetched as a feed is (same caps,
deadline and redirect rules, through :func:`~briefreader.fetch.client.fetch_one`),
and an enclosure downloaded to a file in pieces, resumable, capped.

A download writes only the ``.part`` file it is given (appending to it when the
server honours ``Range``), follows at most :data:`MAX_REDIRECTS` redirects and only
to http(s), and stops at ``max_bytes`` and at its deadline.  Problems come back as
one line in :attr:`DownloadResult.error`, never as an exception.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from briefreader.fetch.client import fetch_one, open_client
from briefreader.fetch.errors import ExchangeState, Failure, describe, short_url, size_text
from briefreader.fetch.results import MAX_REDIRECTS, USER_AGENT, FetchResult
from briefreader.fetch.urls import REDIRECTS, check_url, redirect_target

__all__ = [
    "IMAGE_ACCEPT",
    "MAX_DOWNLOAD_BYTES",
    "MAX_IMAGE_BYTES",
    "DownloadResult",
    "download_file",
    "fetch_image",
]

#: The Accept header for images: the four types the app decodes (no SVG).
IMAGE_ACCEPT = "image/webp, image/png, image/jpeg, image/gif;q=0.9, */*;q=0.1"
#: An image larger than this is refused (a lead image is a few hundred KB).
MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_DEADLINE = 20.0
#: An enclosure larger than this is refused (a long video podcast is ~1-2 GB).
MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024
DOWNLOAD_DEADLINE = 3 * 3600.0

#: (bytes on disk, bytes in all or None when unknown) as a download goes.
OnProgress = Callable[[int, int | None], None]


async def fetch_image(
    url: str,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    deadline: float = IMAGE_DEADLINE,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FetchResult:
    """An image's bytes (``error`` set when there are none): only http(s), at most 5
    redirects and only to http(s), ``max_bytes`` decoded, ``deadline`` in all."""
    return await fetch_one(
        url, deadline=deadline, max_bytes=max_bytes, accept=IMAGE_ACCEPT, transport=transport
    )


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """How a download ended: ``size`` bytes on disk in ``path`` (the ``.part``
    file), ``complete`` when the whole file is there, ``resumed`` when it went on
    from a part already on disk, ``error`` (one line) when it stopped short."""

    url: str
    path: Path
    size: int
    complete: bool
    resumed: bool = False
    content_type: str = ""
    error: str | None = None


def _content_range_start(value: str) -> int | None:
    """The first byte of ``Content-Range: bytes 100-199/200``."""
    unit, _, rest = value.strip().partition(" ")
    first = rest.split("-", 1)[0].strip()
    if unit.lower() != "bytes" or not first.isdigit():
        return None
    return int(first)


def _total_of(value: str) -> int | None:
    total = value.rpartition("/")[2].strip()
    return int(total) if total.isdigit() else None


async def download_file(
    url: str,
    part: Path,
    *,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    deadline: float = DOWNLOAD_DEADLINE,
    on_progress: OnProgress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> DownloadResult:
    """Download ``url`` into the file ``part`` (resuming from what it holds)."""
    state = ExchangeState(url=url)
    have = part.stat().st_size if part.exists() else 0
    try:
        async with asyncio.timeout(deadline):
            return await _download(url, part, have, max_bytes, on_progress, transport, state)
    except Failure as exc:
        error = str(exc)
    except Exception as exc:
        error = describe(exc, state, deadline)
    size = part.stat().st_size if part.exists() else 0
    return DownloadResult(url, part, size, False, have > 0, error=error)


async def _download(
    url: str,
    part: Path,
    have: int,
    max_bytes: int,
    on_progress: OnProgress | None,
    transport: httpx.AsyncBaseTransport | None,
    state: ExchangeState,
) -> DownloadResult:
    target = check_url(url)
    headers = {"Accept-Encoding": "identity", "Accept": "*/*"}
    if have:
        headers["Range"] = f"bytes={have}-"
    async with open_client(
        deadline=DOWNLOAD_DEADLINE,
        headers={"User-Agent": USER_AGENT},
        transport=transport,
        trust_env=True,
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            state.url = str(target)
            async with client.stream("GET", target, headers=headers) as response:
                state.status = response.status_code
                if response.status_code in REDIRECTS:
                    target = redirect_target(response, target)
                    state.redirects.append(str(target))
                    continue
                return await _save(url, part, have, max_bytes, on_progress, response, state)
    raise Failure(f"too many redirects (more than {MAX_REDIRECTS})")


async def _save(
    url: str,
    part: Path,
    have: int,
    max_bytes: int,
    on_progress: OnProgress | None,
    response: httpx.Response,
    state: ExchangeState,
) -> DownloadResult:
    status = response.status_code
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    crange = response.headers.get("content-range", "")
    if status == 416 and have:  # nothing left to send: the part may be the whole file
        total = _total_of(crange)
        if total == have:
            return DownloadResult(url, part, have, True, True, ctype)
        raise Failure(f"the server refused to resume at {size_text(have)}; delete the part")
    if status not in (200, 206):
        raise Failure(f"HTTP {status} {response.reason_phrase}".strip())
    resumed = status == 206 and have > 0
    if status == 206 and _content_range_start(crange) != have:
        raise Failure(f"the server answered another range ({crange[:60]!r})")
    if not resumed:
        have = 0  # the whole file again (a 200 to a Range request)
    length_text = response.headers.get("content-length", "").strip()
    length = int(length_text) if length_text.isdigit() else None
    total = have + length if length is not None else None
    if total is not None and total > max_bytes:
        raise Failure(f"too large: {size_text(total)} (the cap is {size_text(max_bytes)})")
    state.in_body = True
    state.expected = length
    mode = "ab" if resumed else "wb"
    written = have
    part.parent.mkdir(parents=True, exist_ok=True)
    with part.open(mode) as out:
        async for chunk in response.aiter_raw():  # (as it comes: a cut keeps all it got)
            written += len(chunk)
            state.received = written - have
            if written > max_bytes:
                raise Failure(f"over the cap of {size_text(max_bytes)}; stopped")
            out.write(chunk)
            if on_progress is not None:
                on_progress(written, total)
        out.flush()
        os.fsync(out.fileno())
    if total is not None and written < total:
        raise Failure(
            f"cut short at {size_text(written)} of {size_text(total)} from "
            f"{short_url(url)}; run it again to resume"
        )
    return DownloadResult(url, part, written, True, resumed, ctype)
