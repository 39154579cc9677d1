"""Search words of the scripts written without spaces between words: Chinese, Japanese,
Thai, Lao, Khmer and Myanmar (and Korean, whose words carry their particles).

The search index's tokenizer (FTS5's unicode61) cuts text at spaces and punctuation
only, so a run of Chinese or Japanese is one token from one punctuation mark to the
next ("東京大学の研究チームが新しい電池材料を発見" is a single word to it), and a word
inside the run ("研究") matched nothing: a reader of Chinese or Japanese news found
almost nothing by searching.  Such a term is looked for as a substring of the text
the index covers instead (title, dek, takeaways, analysis, body: SQLite's ``instr``),
which finds every occurrence; it scans the articles (~0.3 s at 100,000 articles once
the file is in the page cache), so only these terms do: the other words of the same
query still go through the index, and narrow the scan to their matches.

:func:`snippet` makes the excerpt a hit shows, as FTS5's ``snippet()`` would (the
index's own cannot place a word it does not hold)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefreader.scripts import UNSPACED

__all__ = ["CONTAINS", "TEXT_COLUMNS", "is_unspaced", "snippet"]

#: The article columns the search index covers, in the order a snippet is looked for
#: in them (the title last: a hit shows it anyway).
TEXT_COLUMNS = ("summary", "body", "takeaways", "analysis_body", "title")

#: Whether the article holds the substring ``?`` in any column the index covers (the
#: parameter appears once per column: bind it that many times, or use a named one).
CONTAINS = "(" + " OR ".join(f"instr({c}, {{p}}) > 0" for c in TEXT_COLUMNS) + ")"

#: Characters of text shown before and after the first occurrence in a snippet.
BEFORE, AFTER = 16, 40


def is_unspaced(term: str) -> bool:
    """Whether a search term holds a letter of a script written without spaces."""
    return UNSPACED.search(term) is not None


def snippet(texts: Sequence[str], terms: Sequence[str]) -> str:
    """The excerpt around the first of ``terms`` found in ``texts`` (tried in order),
    each occurrence of a term inside it between ``\\x02`` and ``\\x03``, "…" where the
    text was cut; "" when none holds a term."""
    for text in texts:
        found = [(text.find(t), t) for t in terms if t and t in text]
        if not found:
            continue
        at, term = min(found)
        start = max(0, at - BEFORE)
        end = min(len(text), at + len(term) + AFTER)
        excerpt = " ".join(text[start:end].split())
        marked = _mark(excerpt, terms)
        return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")
    return ""


def _mark(text: str, terms: Sequence[str]) -> str:
    """``text`` with each occurrence of any term (the longest first where two start
    together) between ``\\x02`` and ``\\x03``."""
    pattern = "|".join(re.escape(t) for t in sorted({t for t in terms if t}, key=len, reverse=True))
    return re.sub(f"({pattern})", "\x02\\1\x03", text) if pattern else text
