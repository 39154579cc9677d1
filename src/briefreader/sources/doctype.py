"""DOCTYPE defusing for feedparser's input: bytes in, bytes out.

:func:`defuse_doctype` reduces a DOCTYPE's internal subset to entities whose
expansion is no longer than their reference (no amplification, no nesting, no
external or parameter entities); :func:`neutralise_char_refs` turns character
references to non-characters (lone surrogates) into U+FFFD; :func:`wide_encoding`
names the encoding of XML that does not start in ASCII (UTF-16/32, a BOM), for the
readers that look at bytes before a parser does (OPML, feed sniffing).
"""

from __future__ import annotations

import re

__all__ = ["UnsafeDoctype", "defuse_doctype", "neutralise_char_refs", "wide_encoding"]


_SAFE_ENTITY = re.compile(rb'<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|\'([^\']*)\')\s*>')
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")
_NAME_END = re.compile(rb"[\s\[>]")


#: Byte order marks, and the first ``<`` of a document without one, of the encodings
#: that are not ASCII-compatible (a longer start before its prefix); UTF-8's BOM last.
_WIDE_STARTS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\x00\x00\x00<", "utf-32-be", 0),
    (b"<\x00\x00\x00", "utf-32-le", 0),
    (b"\xfe\xff", "utf-16-be", 2),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\x00<", "utf-16-be", 0),
    (b"<\x00", "utf-16-le", 0),
    (b"\xef\xbb\xbf", "utf-8", 3),
)


def wide_encoding(data: bytes) -> tuple[str, int] | None:
    """``(encoding, BOM length)`` of XML that starts with a byte order mark or with
    ``<`` in UTF-16/32 (a BOM-less document); None for any other start."""
    for start, encoding, skip in _WIDE_STARTS:
        if data.startswith(start):
            return encoding, skip
    return None


class UnsafeDoctype(Exception):
    """A DOCTYPE that cannot be read safely; ``str()`` says why."""


def _valid_char_ref(ref: bytes) -> bool:
    """``&#…;`` names a character XML allows (not NUL, not a surrogate, in range)."""
    value = int(ref[1:], 16) if ref[:1] in (b"x", b"X") else int(ref)
    return value in (0x9, 0xA, 0xD) or 0x20 <= value <= 0xD7FF or 0xE000 <= value <= 0x10FFFF


def neutralise_char_refs(data: bytes) -> bytes:
    """Character references to what is not a character (a lone surrogate, NUL, past
    U+10FFFF) → ``&#xFFFD;``: feedparser's lenient parser would fail on the whole feed."""
    if b"&#" not in data:
        return data
    return _CHAR_REF.sub(lambda m: m.group(0) if _valid_char_ref(m.group(1)) else b"&#xFFFD;", data)


def _keep_entity(decl: bytes) -> bytes | None:
    """A general entity whose expansion is never longer than its reference
    (``&name;``): one valid character reference, or a plain literal no longer than
    the reference.  ``None`` for every other declaration."""
    match = _SAFE_ENTITY.fullmatch(decl)
    if match is None:
        return None
    name = match.group(1)
    value = match.group(2) if match.group(2) is not None else match.group(3)
    if value.startswith(b"&#") and value.endswith(b";") and value.count(b"&") == 1:
        ref = value[2:-1]
        if _CHAR_REF.fullmatch(value) and _valid_char_ref(ref):
            return b'<!ENTITY %b "%b">' % (name, value)
        return None
    if any(c in value for c in b"&%<>\"'") or len(value) > len(name) + 2:
        return None
    return b'<!ENTITY %b "%b">' % (name, value)


def _skip_quoted(data: bytes, i: int) -> int:
    """Past the string literal starting at ``data[i]`` (a quote)."""
    end = data.find(data[i : i + 1], i + 1)
    if end < 0:
        raise UnsafeDoctype("unterminated string in the DOCTYPE")
    return end + 1


def _skip_past(data: bytes, i: int, token: bytes, what: str) -> int:
    end = data.find(token, i)
    if end < 0:
        raise UnsafeDoctype(f"unterminated {what}")
    return end + len(token)


def _markup_decl_end(data: bytes, i: int) -> int:
    """Past the ``>`` ending the declaration at ``data[i]`` (quotes honoured)."""
    size = len(data)
    while i < size:
        ch = data[i]
        if ch in b"\"'":
            i = _skip_quoted(data, i)
        elif ch == 0x3E:  # >
            return i + 1
        else:
            i += 1
    raise UnsafeDoctype("unterminated declaration in the DOCTYPE")


def _internal_subset(data: bytes, i: int) -> tuple[list[bytes], int]:
    """The declarations kept from the internal subset starting after its ``[`` at
    ``i``, and the offset past its ``]``."""
    kept: list[bytes] = []
    size = len(data)
    while i < size:
        ch = data[i]
        if ch in b" \t\r\n":
            i += 1
        elif ch == 0x5D:  # ]
            return kept, i + 1
        elif data.startswith(b"<!--", i):
            i = _skip_past(data, i + 4, b"-->", "comment in the DOCTYPE")
        elif data.startswith(b"<?", i):
            i = _skip_past(data, i + 2, b"?>", "processing instruction in the DOCTYPE")
        elif data.startswith(b"<!", i):
            end = _markup_decl_end(data, i + 2)
            decl = _keep_entity(data[i:end]) if data.startswith(b"<!ENTITY", i) else None
            if decl is not None:
                kept.append(decl)
            i = end
        elif ch == 0x25:  # %name; a parameter-entity reference: dropped
            i = _skip_past(data, i + 1, b";", "parameter-entity reference")
        else:
            raise UnsafeDoctype("unreadable internal subset in the DOCTYPE")
    raise UnsafeDoctype("unterminated internal subset in the DOCTYPE")


def defuse_doctype(data: bytes) -> bytes:
    """The document with its DOCTYPE's internal subset reduced to entities that cannot
    amplify; :class:`UnsafeDoctype` when the prolog cannot be read.

    The prolog is scanned as an XML parser reads it — an optional BOM, white space,
    processing instructions and comments (whatever they contain), then the DOCTYPE —
    so a DOCTYPE after a comment or a processing instruction is found.  Of its internal
    subset only general entities whose expansion is no longer than their reference
    are kept (one character reference, or a literal as short as ``&name;``): no long
    literal, no nesting, no parameter entity, no external entity, nothing for an
    ``<!ELEMENT>``/``<!ATTLIST>``; each kept one starts a line, where feedparser looks
    for them.  The external identifier is kept (feedparser reads the RSS version from
    it) and is never loaded.  Works on any ASCII-compatible encoding (feedparser hands
    its UTF-8 conversion of UTF-16 documents here, see :func:`raw_feedparser`).
    """
    if b"<!" not in data:
        return data
    size = len(data)
    i = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while i < size:
        ch = data[i]
        if ch in b" \t\r\n":
            i += 1
        elif data.startswith(b"<?", i):
            i = _skip_past(data, i + 2, b"?>", "processing instruction")
        elif data.startswith(b"<!--", i):
            i = _skip_past(data, i + 4, b"-->", "comment")
        elif data.startswith(b"<!DOCTYPE", i) or data[i : i + 9].upper() == b"<!DOCTYPE":
            j = i + 9
            while j < size and data[j] not in b"[>":
                j = _skip_quoted(data, j) if data[j] in b"\"'" else j + 1
            if j >= size:
                raise UnsafeDoctype("unterminated DOCTYPE")
            if data[j] == 0x3E:  # > : no internal subset
                return data
            kept, k = _internal_subset(data, j + 1)
            while k < size and data[k] in b" \t\r\n":
                k += 1
            if not data.startswith(b">", k):
                raise UnsafeDoctype("DOCTYPE not closed after its internal subset")
            subset = b"".join(b"\n" + decl for decl in kept)
            return data[:i] + b"\n" + data[i:j] + b"[" + subset + b"\n]>" + data[k + 1 :]
        else:
            return data  # the root element (or something no parser will take as a prolog)
    return data
