"""textclean: no terminal escape or control character survives cleaning."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.textclean import clean_block, clean_line, normalise, strip_escapes

C0_EXCEPT_TAB_NL = {chr(c) for c in range(0x20)} - {"\t", "\n"}
C1 = {chr(c) for c in range(0x80, 0xA0)}
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _forbidden_in_block(text: str) -> set[str]:
    return {ch for ch in text if ch in C0_EXCEPT_TAB_NL or ch in C1 or ch == "\x7f"}


def _forbidden_in_line(text: str) -> set[str]:
    return {ch for ch in text if ord(ch) < 0x20 or ch in C1 or ch == "\x7f"}


# -- strip_escapes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
        ("before\x1b]52;c;aGVsbG8=\x07after", "beforeafter"),  # OSC 52 clipboard write
        ("\x1b]8;;file:///etc/passwd\x07click\x1b]8;;\x07", "click"),  # OSC 8 hyperlink
        ("\x1b]0;new title\x1b\\rest", "rest"),  # OSC ended by ST
        ("\x1bP+q544e\x1b\\done", "done"),  # DCS
        ("\x9b31mred", "red"),  # 8-bit CSI
        ("\x9d0;title\x9cok", "ok"),  # 8-bit OSC
        ("lone \x1b escape", "lone escape"),  # ESC and the char after it dropped
        ("a\x1bcb", "ab"),  # RIS (ESC c)
        ("plain text", "plain text"),
    ],
)
def test_strip_escapes(raw: str, expected: str) -> None:
    assert strip_escapes(raw) == expected


def test_unterminated_osc_is_dropped_to_the_end() -> None:
    assert strip_escapes("ok\x1b]52;c;never-terminated") == "ok"


# -- clean_line --------------------------------------------------------------------------


def test_clean_line_drops_controls_and_squashes_space() -> None:
    assert clean_line("  Title\twith\ncontrols\x00\x07 and   spaces  ") == (
        "Title with controls and spaces"
    )


def test_clean_line_drops_bidi_overrides() -> None:
    assert clean_line("abc\u202edcba\u202c end") == "abc dcba end"
    assert "\u2066" not in clean_line("x\u2066y\u2069z")


def test_clean_line_keeps_ordinary_unicode() -> None:
    assert clean_line("Café — naïve “quotes” 東京 🚀") == "Café — naïve “quotes” 東京 🚀"


def test_clean_line_empty() -> None:
    assert clean_line("") == ""
    assert clean_line("\x1b[0m \x00 ") == ""


# -- clean_block -------------------------------------------------------------------------


def test_clean_block_keeps_newlines_and_tabs() -> None:
    assert clean_block("a\tb\nc\n\nd") == "a\tb\nc\n\nd"


def test_clean_block_normalises_line_endings_and_blank_runs() -> None:
    assert clean_block("one\r\ntwo\rthree\n\n\n\n\nfour  \n") == "one\ntwo\nthree\n\nfour"


def test_clean_block_line_and_paragraph_separators() -> None:
    assert clean_block("a\u2028b\u2029c") == "a\nb\n\nc"


def test_clean_block_drops_escapes_and_controls() -> None:
    raw = "\x1b[31mRed\x1b[0m\x00 body\x07\x9b2J\nline \u202eevil\x7f"
    assert clean_block(raw) == "Red body\nline evil"


def test_normalise_is_nfc() -> None:
    assert normalise("Cafe\u0301") == "Café"


# -- properties ----------------------------------------------------------------------

# Text biased towards the characters that matter: escapes, controls, C1, bidi.
_nasty = st.sampled_from(
    [
        *("\x1b", "[", "]", "\\", "\x07", "\x9b", "\x9c", "\x9d", "\x90", "\x00", "\r", "\n"),
        *("\t", "\u202e", "\u2066", "\u2028", "\x7f", ";", "8", "m", "P", "a", " "),
    ]
)
_texts = st.one_of(
    st.text(),
    st.lists(st.one_of(_nasty, st.characters()), max_size=60).map("".join),
)


@settings(max_examples=400)
@given(_texts)
def test_clean_line_never_leaves_controls(text: str) -> None:
    out = clean_line(text)
    assert not _forbidden_in_line(out)
    assert "\x1b" not in out
    assert not (set(out) & BIDI)
    assert out == out.strip()


@settings(max_examples=400)
@given(_texts)
def test_clean_block_never_leaves_controls(text: str) -> None:
    out = clean_block(text)
    assert not _forbidden_in_block(out)
    assert "\x1b" not in out and "\r" not in out
    assert not (set(out) & BIDI)


@settings(max_examples=200)
@given(_texts)
def test_cleaning_is_idempotent(text: str) -> None:
    assert clean_line(clean_line(text)) == clean_line(text)
    assert clean_block(clean_block(text)) == clean_block(text)
