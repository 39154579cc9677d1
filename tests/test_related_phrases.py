"""Phrase pairs (the related score's two-word phrases) are read through a quick
tokeniser; it must give exactly what the plain one gives: pairs of adjacent terms
within a sentence, stopwords and sentence ends breaking a pair."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.related import terms
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


@settings(max_examples=300, deadline=None)
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
