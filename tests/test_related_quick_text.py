"""The related ranking reads each candidate's text with quick forms of its first
tokeniser and patterns; each must give exactly what the plain one gives.

Phrase pairs (the score's two-word phrases): pairs of adjacent terms within a
sentence, stopwords and sentence ends breaking a pair.  Years and names: the
patterns look behind only once their first character matched (a pattern that
starts with a look-behind is tried at every character)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.related import scoring, terms
from briefreader.related.terms import phrase_pairs


def plain_pairs(text: str) -> frozenset[tuple[str, str]]:
    """The tokeniser as first written: a sentence's end is the token "."."""
    pairs: set[tuple[str, str]] = set()
    prev = ""
    for tok in text.lower().translate(terms._SENTENCE_TRANSLATE).split():
        if tok == ".":
            prev = ""
            continue
        term = terms.normalize(tok)
        if prev and term:
            pairs.add((prev, term))
        prev = term
    return frozenset(pairs)


PIECES = [
    "storm",
    "Harbor",
    "towns",
    "the",
    " ",
    ".",
    ",",
    ";",
    "?",
    "’",
    "'",
    "\u00a0",
    "1,200",
    "\x01",
    "İ",
    "…",
    "“",
    "-",
    "\n",
    "a",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_quick_pairs_are_the_plain_pairs(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert phrase_pairs(text) == plain_pairs(text)


def test_a_sentence_end_and_a_stopword_break_a_pair() -> None:
    pairs = phrase_pairs("Harbor towns flooded. Storm surge hit the harbor walls")
    assert ("harbor", "town") in pairs and ("storm", "surge") in pairs
    assert ("flooded", "storm") not in pairs  # across a sentence's end
    assert ("hit", "harbor") not in pairs  # across a stopword
    # The quick path's marker character in the text itself: the plain path, same pairs.
    assert phrase_pairs("storm\x01surge. harbor walls") == plain_pairs(
        "storm\x01surge. harbor walls"
    )


#: The patterns as first written (look-behind first).
PLAIN_YEAR = re.compile(r"(?<![\d.,])(?:19[5-9]\d|20[0-4]\d)(?![\d%]|[.,:]\d)")
PLAIN_MID_CAPITAL = re.compile(r"(?<=[a-z0-9,;%)] )[A-Z][a-zA-Z]+")

NUMBERY = [
    "19",
    "20",
    "1",
    "9",
    "5",
    "0",
    "4",
    "2049",
    "1950",
    "1999",
    ".",
    ",",
    ":",
    "%",
    " ",
    "a",
    "x",
]
WORDY = ["A", "Zed", "bay", "Harbor", " ", "0", ",", ";", "%", ")", "(", "é", "É", ".", "\n"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NUMBERY), max_size=24))
def test_quick_years_are_the_plain_years(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert scoring._YEAR.findall(text) == PLAIN_YEAR.findall(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDY), max_size=24))
def test_quick_names_are_the_plain_names(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert terms._MID_CAPITAL.findall(text) == PLAIN_MID_CAPITAL.findall(text)


def test_years_and_names_in_a_sentence() -> None:
    text = "In 1999, and again in 2019. Not 12019, 2019.5, 3,2019 or 20:19; rates 2020% of Harbor"
    assert scoring._YEAR.findall(text) == ["1999", "2019"] == PLAIN_YEAR.findall(text)
    assert terms._MID_CAPITAL.findall("Boats in Harbor met Ada, Lee") == ["Harbor", "Ada", "Lee"]
