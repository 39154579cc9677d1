"""A JSON list of article objects too large to read whole: a big library's
``briefreader export > all.json`` (356 MB at 100,000 articles), read a batch of items
at a time, so that restoring a backup never needs the file in memory.

Only a list (``[ {...}, {...} ]``) is read this way, each item at most
:data:`~briefreader.sources.MAX_FILE_BYTES`; any other JSON this large is still
refused as too large.  Each item is read as :mod:`briefreader.sources.jsonfile` reads
an item of a small list (its aliases, its export state); an item that is not an
article is left out with a warning, and the items before a damaged spot are kept.
"""

from __future__ import annotations

import codecs
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from briefreader.model import Article, ArticleState
from briefreader.sources import (
    _OPEN_FLAGS,
    MAX_FILE_BYTES,
    ReadResult,
    SourceError,
    finish_articles,
)
from briefreader.wording import counted

__all__ = ["BATCH", "is_json_list", "read_json_list"]

#: Items read into one batch (what ``add`` then stores together).
BATCH = 1000
#: Bytes read at a time.
CHUNK = 1 << 20
_SPACE = " \t\r\n"


def is_json_list(path: str | os.PathLike[str]) -> bool:
    """Whether the file's JSON text begins with ``[`` (after a BOM and blanks)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"[")


class _Reader:
    """The file's text, read forwards a chunk at a time (UTF-8, bad bytes replaced)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.bad_bytes = False

    def more(self) -> bool:
        """Read another chunk; False at the end of the file."""
        if self.eof:
            return False
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            self.eof = True
            self.text += self.decoder.decode(b"", final=True)
            return False
        if not self.text and not self.pos:
            chunk = chunk.removeprefix(b"\xef\xbb\xbf")
        decoded = self.decoder.decode(chunk)
        self.bad_bytes |= "\ufffd" in decoded
        if self.pos > CHUNK:  # (what was read is dropped)
            self.text, self.pos = self.text[self.pos :], 0
        self.text += decoded
        return True

    def skip_space(self) -> str:
        """The next character after blanks ("" at the end of the file)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""


def read_json_list(
    path: str | os.PathLike[str], *, batch: int | None = None
) -> Iterator[ReadResult]:
    """The list's articles (with the state an export carries), ``batch`` items at a
    time (:data:`BATCH`).  :class:`SourceError` names the file when it is not a
    list, or the item where its JSON breaks off (every item before it was given)."""
    origin = os.path.abspath(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise SourceError(origin, exc.strerror or str(exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SourceError(origin, "not a regular file")
        yield from _items(_Reader(fd), origin, batch or BATCH)
    finally:
        os.close(fd)


def _items(reader: _Reader, origin: str, batch: int) -> Iterator[ReadResult]:
    items: list[Any] = []
    left_out: list[str] = []
    try:
        yield from _read_items(reader, origin, batch, items, left_out)
    except SourceError:
        if items:  # (the items read before the damage)
            yield _batch(items, origin, 0, left_out)
        raise


def _read_items(
    reader: _Reader, origin: str, batch: int, items: list[Any], left_out: list[str]
) -> Iterator[ReadResult]:
    decoder = json.JSONDecoder()
    if reader.skip_space() != "[":
        raise SourceError(origin, "not a JSON list of articles")
    reader.pos += 1
    number = 0
    while True:
        mark = reader.skip_space()
        if mark == "]" and not number:
            break
        if not mark:
            raise SourceError(origin, f"the list breaks off after item {number} (cut short?)")
        while True:
            try:
                item, end = decoder.raw_decode(reader.text, reader.pos)
                break
            except json.JSONDecodeError as exc:
                if len(reader.text) - reader.pos > MAX_FILE_BYTES:
                    raise SourceError(origin, f"item {number + 1} is too large to read") from None
                if not reader.more():
                    raise SourceError(
                        origin, f"item {number + 1} is not valid JSON ({exc.msg})"
                    ) from None
            except RecursionError:
                raise SourceError(origin, f"item {number + 1} is too deeply nested") from None
        number += 1
        reader.pos = end
        items.append(item)
        if len(items) >= batch:
            yield _batch(items, origin, number - len(items), left_out)
            items.clear()
        mark = reader.skip_space()
        if mark == ",":
            reader.pos += 1
        elif mark == "]":
            break
        else:
            raise SourceError(origin, f"the list breaks off after item {number} (cut short?)")
    last = _batch(items, origin, number - len(items), left_out)
    items.clear()
    if left_out:
        more = f" (and {len(left_out) - 1} more)" if len(left_out) > 1 else ""
        last.warnings.append(
            f"{origin}: {counted(len(left_out), 'item')} left out: {left_out[0]}{more}"
        )
    if reader.bad_bytes:
        last.warnings.append(f"{origin}: bytes that are not UTF-8 were replaced")
    yield last


def _batch(items: list[Any], origin: str, before: int, left_out: list[str]) -> ReadResult:
    # (imported here: `add` asks every file whether it is a big list, and most are not)
    from briefreader.sources.jsonfile import article_item, replace_json_surrogates

    articles: list[Article] = []
    states: list[ArticleState | None] = []
    for number, item in enumerate(items, before + 1):
        item = replace_json_surrogates(item)
        try:
            articles.append(article_item(item, origin, f"item {number}"))
        except SourceError as exc:
            left_out.append(exc.reason)
            continue
        states.append(ArticleState.from_dict(item) if isinstance(item, dict) else None)
    cleaned, found, warnings = finish_articles(articles, states, origin)
    return ReadResult(cleaned, warnings, found)


def large_json(path: Path) -> bool:
    """Whether ``add`` reads this file with :func:`read_json_list`: a ``.json`` file
    over the size any file is read whole at, holding a list."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return path.suffix.lower() == ".json" and size > MAX_FILE_BYTES and is_json_list(path)
