"""Which writing systems a text uses, where that changes how its words are found.

Chinese, Japanese, Thai, Lao, Khmer and Myanmar are written without spaces between
words (and Korean words carry their particles), so cutting text at spaces, as the
search index and the related ranking do, does not find their words:
:data:`UNSPACED` finds the letters of those scripts, and :func:`cjk_pairs` cuts a
run of Chinese, Japanese or Korean letters into overlapping pairs, the usual index
terms for them (as Lucene's CJK analyser makes)."""

from __future__ import annotations

import re

__all__ = ["CJK", "UNSPACED", "cjk_pairs", "has_cjk"]

_CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B-G
)

#: A letter of Chinese, Japanese or Korean.
CJK = re.compile(f"[{_CJK_RANGES}]")

#: A letter of a script written without spaces (CJK, Thai, Lao, Khmer, Myanmar).
UNSPACED = re.compile(
    f"[{_CJK_RANGES}"
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff]"  # Khmer
)

_CJK_RUN = re.compile(f"[{_CJK_RANGES}]+")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese, Japanese or Korean letter (cheap for ASCII)."""
    return not text.isascii() and CJK.search(text) is not None


def cjk_pairs(text: str) -> str:
    """``text`` with each run of CJK letters replaced by its overlapping pairs
    ("東京大学" → "東京 京大 大学"; a single letter stays), spaces around, so that the
    rest of a word is a word of its own: one pass of a regular expression, Python code
    only at the runs (English text with one Chinese name in it: ~280,000 tokens looked
    at one by one, for 5,000 articles, when each word was asked)."""
    return _CJK_RUN.sub(_pairs_of_run, text)


def _pairs_of_run(run: re.Match[str]) -> str:
    letters = run.group()
    if len(letters) == 1:
        return f" {letters} "
    return " " + " ".join(letters[i : i + 2] for i in range(len(letters) - 1)) + " "
