"""URLs and headers: URL checks, redirects, validators, Content-Type, Retry-After."""

from __future__ import annotations

import email.utils
import time
from datetime import UTC

import httpx

from briefreader.fetch.errors import Failure, one_line, short_url, status_text
from briefreader.fetch.results import MAX_RETRY_AFTER

__all__ = [
    "PERMANENT",
    "REDIRECTS",
    "check_url",
    "hold_location",
    "parse_content_type",
    "parse_retry_after",
    "redirect_target",
    "validator",
]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
_LOCATION = "briefreader.location"


def check_url(raw: str) -> httpx.URL:
    text = raw.strip()
    if not text:
        raise Failure("invalid URL: empty")
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise Failure(f"invalid URL {short_url(text)!r}: {one_line(str(exc), 100)}") from None
    if not url.scheme:
        raise Failure(f"invalid URL {short_url(text)!r}: not an absolute http(s) URL")
    if url.scheme not in ("http", "https"):
        raise Failure(f"unsupported URL scheme {url.scheme!r} (only http and https)")
    if not url.host:
        raise Failure(f"invalid URL {short_url(text)!r}: no host")
    return url


def validator(value: str | None) -> str | None:
    """A stored ETag/Last-Modified fit to send back, else None (never a broken header)."""
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > 1024 or not value.isascii() or not value.isprintable():
        return None
    return value


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    head, _, params = value.partition(";")
    media = head.strip().lower() or None
    charset = None
    if params:
        for param in params.split(";"):
            key, _, val = param.partition("=")
            if key.strip().lower() == "charset":
                charset = val.strip().strip("\"'").strip().lower() or None
                break
    return media, charset


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date).

    None when absent or unreadable; otherwise clamped to [0, MAX_RETRY_AFTER].
    ``now`` is a Unix time (default: the current time), for dates.
    """
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        seconds = MAX_RETRY_AFTER if len(text) > 9 else float(int(text))
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        try:
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (OverflowError, OSError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


async def hold_location(response: httpx.Response) -> None:
    """Move a redirect's Location aside, before httpx sees it.

    httpx builds the next request of a redirect even when not following it, and
    raises on a Location it cannot parse ("data:…", "javascript:…"); redirects
    are followed here, so the Location is kept in the response's extensions.
    """
    if response.status_code in REDIRECTS and "location" in response.headers:
        response.extensions[_LOCATION] = response.headers["location"]
        del response.headers["location"]


def redirect_target(response: httpx.Response, url: httpx.URL) -> httpx.URL:
    """Where a redirect answer points (resolved against ``url``); only http(s) with a host."""
    location = str(response.extensions.get(_LOCATION, "")).strip()
    status = status_text(response.status_code, response.reason_phrase)
    if not location:
        raise Failure(f"{status} without a Location")
    try:
        target = url.join(location)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise Failure(f"{status} to an invalid URL {short_url(location)!r}") from None
    if target.scheme not in ("http", "https"):
        raise Failure(f"redirect to a non-http(s) URL refused: {short_url(location)}")
    if not target.host:
        raise Failure(f"{status} to an invalid URL {short_url(location)!r}")
    return target
