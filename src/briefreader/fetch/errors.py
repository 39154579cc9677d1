"""Failures of an exchange, each phrased as the one line a result reports."""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

import httpx

__all__ = [
    "ExchangeState",
    "Failure",
    "describe",
    "one_line",
    "seconds_text",
    "short_url",
    "size_text",
    "status_text",
]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\s]+")


class Failure(Exception):
    """A per-request problem, already phrased as the one-line error to report."""


@dataclass(slots=True)
class ExchangeState:
    """What one exchange has got to, so a timeout or reset can say where it was."""

    url: str
    status: int | None = None
    in_body: bool = False
    received: int = 0
    expected: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)


def one_line(text: str, limit: int = 300) -> str:
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_url(url: str) -> str:
    return one_line(url, 120)


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        whole = n % (1024 * 1024) == 0
        return f"{n // (1024 * 1024)} MB" if whole else f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def seconds_text(s: float) -> str:
    return f"{s:g} s"


def status_text(status: int, reason: str) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = one_line(reason, 60)
    return f"HTTP {status} {phrase}".rstrip()


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    for _ in range(10):  # causes and contexts, bounded
        if current is None or id(current) in seen:
            return
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _describe_connect_error(exc: BaseException, url: str) -> str:
    host = httpx.URL(url).host if url else ""
    for inner in _exception_chain(exc):
        if isinstance(inner, ssl.SSLCertVerificationError):
            reason = inner.verify_message or inner.reason or str(inner)
            return f"TLS certificate not accepted: {one_line(str(reason), 150)}"
        if isinstance(inner, ssl.SSLError):
            return f"TLS error: {one_line(inner.reason or str(inner), 150)}"
        if isinstance(inner, socket.gaierror):
            return f"cannot resolve host {one_line(host, 100)!r}"
        if isinstance(inner, ConnectionRefusedError):
            return "connection refused"
    text = one_line(str(exc), 150)
    if "refused" in text.lower() or "all connection attempts failed" in text.lower():
        return "connection refused"
    if "ssl" in text.lower() or "tls" in text.lower():
        return f"TLS error: {text}"
    if "name or service not known" in text.lower() or "nodename" in text.lower():
        return f"cannot resolve host {one_line(host, 100)!r}"
    return f"cannot connect: {text or type(exc).__name__}"


def describe(exc: BaseException, state: ExchangeState, deadline: float) -> str:
    """One line for an exception raised during an exchange."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        if state.in_body:
            return (
                f"response not complete within {seconds_text(deadline)} "
                f"(received {state.received} bytes)"
            )
        return f"no response within {seconds_text(deadline)}"
    if isinstance(exc, httpx.ConnectError):
        return _describe_connect_error(exc, state.url)
    if isinstance(exc, httpx.ReadError | httpx.RemoteProtocolError | httpx.WriteError):
        if state.in_body:
            got = f"received {state.received}"
            got += f" of {state.expected} bytes" if state.expected is not None else " bytes"
            text = str(exc).lower()
            how = "reset" if "reset" in text or isinstance(exc, httpx.ReadError) else "closed"
            if how == "closed" and state.expected is not None:
                return (
                    f"truncated: got {state.received} of {state.expected} bytes "
                    "(connection closed while reading the body)"
                )
            return f"connection {how} while reading the body ({got})"
        if isinstance(exc, httpx.RemoteProtocolError) and "disconnect" not in str(exc).lower():
            return f"invalid HTTP response: {one_line(str(exc), 150)}"
        return "connection closed before a response"
    if isinstance(exc, httpx.HTTPError):
        return one_line(f"{type(exc).__name__}: {exc}", 200)
    return one_line(f"unexpected error: {type(exc).__name__}: {exc}", 200)
