"""Search words of the scripts written without spaces between words: Chinese, Japanese,
Thai, Lao, Khmer and Myanmar (and Korean, whose words carry their particles).

The search index's tokenizer (FTS5's unicode61) cuts text at spaces and punctuation
only, so a run of Chinese or Japanese is one token from one punctuation mark to the
next ("東京大学の研究チームが新しい電池材料を発見" is a single word to it), and a word
inside the run ("研究") matched nothing: a reader of Chinese or Japanese news found
almost nothing by searching.  Such a term is looked for as a substring of the text
the index covers instead (title, dek, takeaways, analysis, body: SQLite's ``LIKE``,
which ignores the case of ASCII letters as the index does), which finds every
occurrence; it reads the articles (~0.3 s at 100,000 articles once the file is in
the page cache), so only these terms do: the other words of the same query still go
through the index, and narrow the reading to their matches when they are rare.

A term is cut at punctuation, symbols and spaces, as the index cuts words ("研究、" and
"「研究」" look for 研究; "研究、開発" for both words); at most
:data:`MAX_SUBSTRINGS` of them are looked for (SQLite's expressions have a depth limit).

:func:`snippet` makes the excerpt a hit shows, as FTS5's ``snippet()`` would (the
index's own cannot place a word it does not hold)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from briefreader.scripts import UNSPACED

__all__ = [
    "CONTAINS",
    "MAX_SUBSTRINGS",
    "TEXT_COLUMNS",
    "is_unspaced",
    "like_pattern",
    "snippet",
    "substring_terms",
]

#: The article columns the search index covers, in the order a snippet is looked for
#: in them (the title last: a hit shows it anyway).
TEXT_COLUMNS = ("summary", "body", "takeaways", "analysis_body", "title")

#: Whether the article holds a term in any column the index covers: ``{p}`` is a named
#: parameter bound to :func:`like_pattern` of the term.
CONTAINS = "(" + " OR ".join(f"{c} LIKE {{p}} ESCAPE '\\'" for c in TEXT_COLUMNS) + ")"

#: The most such terms one query looks for (the rest are left out: a pasted paragraph
#: of a thousand words failed SQLite's expression depth and matched nothing).
MAX_SUBSTRINGS = 32

#: Characters of text shown before and after the first occurrence in a snippet.
BEFORE, AFTER = 16, 40


def is_unspaced(term: str) -> bool:
    """Whether a search term holds a letter of a script written without spaces."""
    return UNSPACED.search(term) is not None


def substring_terms(phrase: str) -> list[str]:
    """The pieces of ``phrase`` between punctuation, symbols and spaces (Unicode
    categories P, S and Z; a ``*``, the app's prefix mark, among them)."""
    pieces: list[str] = []
    piece: list[str] = []
    for ch in phrase:
        if unicodedata.category(ch)[0] in "PSZ" or ch.isspace():
            if piece:
                pieces.append("".join(piece))
                piece = []
        else:
            piece.append(ch)
    if piece:
        pieces.append("".join(piece))
    return pieces


def like_pattern(term: str) -> str:
    """``%term%`` for ``LIKE … ESCAPE '\\'``, its own ``%``, ``_`` and ``\\`` literal."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def snippet(texts: Sequence[str], terms: Sequence[str], words: Sequence[str] = ()) -> str:
    """The excerpt around the first of ``terms`` found in ``texts`` (tried in order;
    ASCII letters in any case, as ``LIKE`` found them), each occurrence of a term, and
    of each of ``words`` (the query's other words) where a word begins, between
    ``\\x02`` and ``\\x03``; "…" where the text was cut; "" when none holds a term."""
    find = _pattern(terms)
    if find is None:
        return ""
    for text in texts:
        first = find.search(text)
        if first is None:
            continue
        start = max(0, first.start() - BEFORE)
        while start > 0 and unicodedata.category(text[start])[0] == "M":
            start -= 1  # (not from a vowel sign or an accent: from its letter)
        end = min(len(text), first.end() + AFTER)
        while end < len(text) and unicodedata.category(text[end])[0] == "M":
            end += 1
        excerpt = " ".join(text[start:end].split())
        marked = _mark(excerpt, terms, words)
        return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")
    return ""


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """Any of ``terms`` (the longest first), ASCII letters in any case."""
    kept = sorted({t for t in terms if t}, key=len, reverse=True)
    if not kept:
        return None
    return re.compile("|".join(re.escape(t) for t in kept), re.IGNORECASE | re.ASCII)


def _mark(text: str, terms: Sequence[str], words: Sequence[str]) -> str:
    """``text`` with each occurrence of a term, and each of ``words`` where a word
    begins, between ``\\x02`` and ``\\x03``."""
    parts = [re.escape(t) for t in sorted({t for t in terms if t}, key=len, reverse=True)]
    parts += [rf"\b{re.escape(w)}" for w in sorted({w for w in words if w}, key=len, reverse=True)]
    if not parts:
        return text
    return re.sub("|".join(parts), lambda m: f"\x02{m.group()}\x03", text, flags=re.IGNORECASE)
