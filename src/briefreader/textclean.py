"""Making untrusted text safe to store and show.

Every text field of every article passes through :func:`clean_line` or
:func:`clean_block` at parse time, so no terminal escape or control character from
a file or feed ever reaches the library or the terminal.  (The TUI additionally
never interprets stored text as markup.)
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "FEED_NAME_CHARS",
    "MAX_BLOCK_CHARS",
    "MAX_LINE_CHARS",
    "clean_block",
    "clean_line",
    "feed_name",
    "replace_surrogates",
    "strip_escapes",
]

#: The longest one-line field kept (title, author, URL, tag …), in characters.
MAX_LINE_CHARS = 8 * 1024
#: The longest multi-line field kept (body, summary, analysis), in characters; what is
#: longer is cut at a line end and marked, so no stored article is larger than this.
MAX_BLOCK_CHARS = 8 * 1024 * 1024
_CUT_NOTE = "\n\n[… the rest of this text was cut: it was longer than {limit:,} characters]"

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
# DCS/SOS/PM/APC (ESC P/X/^/_ ... ST), and two-byte escapes (ESC + one char).
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?                 # CSI
  | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC / DCS / SOS / PM / APC
  | \x9b[0-?]*[ -/]*[@-~]?                   # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # 8-bit OSC/DCS/...
  | \x1b[ -~]?                               # two-byte escape or a lone ESC
    """,
    re.VERBOSE,
)

_ESCAPE_START = re.compile(r"[\x1b\x90-\x9f]")

# C0 controls except tab and newline, DEL, C1 controls, plus bidi overrides and
# other invisible format characters that can disguise text in a terminal.
_CONTROLS_BLOCK = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_CONTROLS_LINE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ufff9-\ufffb]"
)
# A str holds a surrogate code point only when it is unpaired (JSON's "\ud800"
# escape, an XML character reference): it cannot be encoded as UTF-8, so it could be
# neither stored, printed nor written out.
_SURROGATES = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def strip_escapes(text: str) -> str:
    """Remove terminal escape sequences (CSI, OSC, DCS, 8-bit forms)."""
    if _ESCAPE_START.search(text) is None:
        return text
    return _ESCAPES.sub("", text)


def replace_surrogates(text: str) -> str:
    """Unpaired surrogates (which no UTF-8 encoder accepts) → U+FFFD."""
    if text.isascii() or _SURROGATES.search(text) is None:
        return text
    return _SURROGATES.sub("\ufffd", text)


# The fast paths below: str.isprintable() is False for every character the cleaning
# removes or replaces (C0/C1 controls and DEL, so every escape sequence; the bidi and
# other format characters; U+2028/U+2029; lone surrogates; every space but " "), so
# printable text with no run of spaces (and, for a block, no space before a newline
# and no blank-line run) comes out of it merely stripped.  One C pass instead of five
# regular expressions: most text of most articles is already clean.


def clean_line(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """One-line field (title, source, author, …): no controls, single spaces, stripped,
    at most ``limit`` characters."""
    if not text:
        return ""
    if len(text) <= limit and text.isprintable() and "  " not in text:
        return text.strip()
    if len(text) > 4 * limit:  # bound the work; cleaning only ever shortens
        text = text[: 4 * limit]
    text = strip_escapes(replace_surrogates(text))
    text = _CONTROLS_LINE.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return text[:limit].rstrip() if len(text) > limit else text


#: The longest feed name kept: a hostile or broken feed's 3,000-character title was
#: printed whole by `feeds`, `add` and `refresh -v` (the app cut it on screen).
FEED_NAME_CHARS = 200


def feed_name(text: str) -> str:
    """A feed's title as its name: one clean line, cut with "…" past
    :data:`FEED_NAME_CHARS`."""
    name = clean_line(text, 4 * FEED_NAME_CHARS)
    if len(name) > FEED_NAME_CHARS:
        name = name[: FEED_NAME_CHARS - 1].rstrip() + "…"
    return name


def clean_block(text: str, limit: int = MAX_BLOCK_CHARS) -> str:
    """Multi-line field (body, analysis): keeps newlines and tabs, drops other controls.

    Line endings are normalised to ``\\n``; runs of more than one blank line collapse.
    Text longer than ``limit`` characters is cut (at a line end when there is one
    near) and ends with a note saying so.
    """
    if not text:
        return ""
    if (
        len(text) <= limit
        and " \n" not in text
        and "\n\n\n" not in text
        and text.replace("\n", "").isprintable()
    ):
        return text.strip()
    if len(text) > 2 * limit:  # bound the work; cleaning only ever shortens
        text = text[: 2 * limit]
    text = replace_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    text = strip_escapes(text)
    text = _CONTROLS_BLOCK.sub("", text)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _BLANK_RUNS.sub("\n\n", text).strip()
    if len(text) <= limit:
        return text
    note = _CUT_NOTE.format(limit=limit)
    cut = text[: max(0, limit - len(note))]
    end = cut.rfind("\n", len(cut) - 10_000)
    return (cut[:end] if end > 0 else cut).rstrip() + note


def normalise(text: str) -> str:
    """NFC-normalise (used before hashing and matching headings)."""
    return unicodedata.normalize("NFC", text)
