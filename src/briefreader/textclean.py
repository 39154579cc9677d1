"""Making untrusted text safe to store and show.

Every text field of every article passes through :func:`clean_line` or
:func:`clean_block` at parse time, so no terminal escape or control character from
a file or feed ever reaches the library or the terminal.  (The TUI additionally
never interprets stored text as markup.)
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_block", "clean_line", "strip_escapes"]

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
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def strip_escapes(text: str) -> str:
    """Remove terminal escape sequences (CSI, OSC, DCS, 8-bit forms)."""
    if _ESCAPE_START.search(text) is None:
        return text
    return _ESCAPES.sub("", text)


def clean_line(text: str) -> str:
    """One-line field (title, source, author, …): no controls, single spaces, stripped."""
    if not text:
        return ""
    text = strip_escapes(text)
    text = _CONTROLS_LINE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def clean_block(text: str) -> str:
    """Multi-line field (body, analysis): keeps newlines and tabs, drops other controls.

    Line endings are normalised to ``\\n``; runs of more than one blank line collapse.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_escapes(text)
    text = _CONTROLS_BLOCK.sub("", text)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip()


def normalise(text: str) -> str:
    """NFC-normalise (used before hashing and matching headings)."""
    return unicodedata.normalize("NFC", text)
