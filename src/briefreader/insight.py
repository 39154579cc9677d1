"""Insight: derived takeaways for articles that carry none.

:func:`derive_takeaways` picks 3–5 whole sentences from an article's text that carry
its main facts: lead-weighted, preferring sentences with numbers, names and
outcomes, skipping quotes out of context, captions, bylines and boilerplate, never
two near-duplicates, returned in text order with leading connectives trimmed.

Pure functions over text: no I/O, no database.
"""

from __future__ import annotations

import re

from briefreader.model import Article

__all__ = ["derive_takeaways", "lead_sentences", "split_sentences", "with_derived_takeaways"]

#: Derived takeaways read this much of the body at most: they are lead-weighted
#: (past the first 1,500 characters a sentence is rarely chosen) and the choice costs
#: time in proportion to the text read.
DERIVE_CHARS = 1500

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt no vs etc inc ltd co corp jan feb mar apr jun jul aug sep "
    "sept oct nov dec u.s u.k e.g i.e fig gov sen rep gen lt col capt".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_MARKDOWN_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`]{1,3}")
_HEADING = re.compile(r"^\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|>\s?)")
#: Lower-case fragments that mark boilerplate (plain substring tests: cheap).
_BOILERPLATE = (
    "sign up", "subscribe", "newsletter", "read more", "click here", "all rights reserved",
    "cookie", "follow us", "share this", "advertisement", "related articles", "image:",
    "photo:", "getty images", "reuters/", "ap photo", "contributed to this report",
    "copyright", "©", "this article was", "this article first",
)  # fmt: skip


def _has_boilerplate(text: str) -> bool:
    low = text.lower()
    return any(fragment in low for fragment in _BOILERPLATE)


_BYLINE = re.compile(r"^(by|reporting by|written by|editing by)\s", re.IGNORECASE)
_CONNECTIVES = re.compile(
    r"^(however|but|and|also|meanwhile|moreover|furthermore|still|yet|so|then|indeed|"
    r"in addition|additionally|as a result|nonetheless|nevertheless|instead|separately|"
    r"in fact|at the same time|for its part|on the other hand)\s*,?\s+",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_OUTCOME = re.compile(
    r"\b(will|would|announced|agreed|approved|rejected|cut|raised|rose|fell|won|lost|signed|"
    r"launched|ordered|voted|ruled|found|plans?|expects?|warned|reported|increase[sd]?|"
    r"decrease[sd]?|record|first|percent|billion|million)\b",
    re.IGNORECASE,
)
_OUTCOME_WORDS = frozenset(
    "will would announced agreed approved rejected cut raised rose fell won lost signed launched "
    "ordered voted ruled found plan plans expect expects warned reported increase increased "
    "increases decrease decreased decreases record first percent billion million".split()
)
#: Sentences looked at: takeaways come from the lead, and long bodies stay cheap.
MAX_CANDIDATES = 40
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    "a an the of and or to in on at for by with from as is are was were be been it its this that "
    "these those has have had will would said says not but".split()
)


def _plain(text: str) -> list[str]:
    """Markdown body → list of prose paragraphs (headings, lists and quotes dropped)."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.strip().splitlines() if ln.strip()]
        if not lines or all(_HEADING.match(ln) for ln in lines):
            continue
        prose = " ".join(ln.strip() for ln in lines if not _HEADING.match(ln))
        prose = _MARKDOWN_NOISE.sub(lambda m: m.group(1) or "", prose)
        if prose:
            paragraphs.append(re.sub(r"\s+", " ", prose).strip())
    return paragraphs


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, not breaking after common abbreviations."""
    pieces = _SENTENCE_END.split(paragraph)
    sentences: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if sentences:
            prev_word = sentences[-1].rsplit(" ", 1)[-1].rstrip(".").lower()
            if prev_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", prev_word):
                sentences[-1] += " " + piece
                continue
        sentences.append(piece)
    return sentences


def _tokens(sentence: str) -> set[str]:
    return {w for w in _WORD.findall(sentence.lower()) if len(w) > 2} - _STOP


def _is_quote_only(sentence: str) -> bool:
    s = sentence.strip()
    return (
        s[:1] in "\"“‘'"
        and (s.count('"') + s.count("“") + s.count("”")) >= 2
        and len(_NAME.findall(s)) <= 1
    )


def _clean(sentence: str) -> str:
    s = _CONNECTIVES.sub("", sentence.strip())
    if s and s[0].islower():
        s = s[0].upper() + s[1:]
    return s


def derive_takeaways(
    body: str, *, summary: str = "", title: str = "", limit: int = 5, minimum: int = 3
) -> list[str]:
    """Choose up to ``limit`` sentences that carry the article's main facts.

    Returns fewer than ``minimum`` (possibly none) only when the text has too few
    usable sentences.  The dek is not repeated: sentences that near-duplicate the
    summary or title are skipped.
    """
    paragraphs = _plain(body)
    candidates: list[tuple[int, str, set[str]]] = []
    for p_index, paragraph in enumerate(paragraphs):
        for s_index, sentence in enumerate(split_sentences(paragraph)):
            candidates.append((p_index * 100 + s_index, sentence, _tokens(sentence)))
            if len(candidates) >= MAX_CANDIDATES:
                break
        if len(candidates) >= MAX_CANDIDATES:
            break
    if not candidates:
        return []
    title_tokens = _tokens(title)
    doc_freq: dict[str, int] = {}
    for _, _, toks in candidates:
        for tok in toks:
            doc_freq[tok] = doc_freq.get(tok, 0) + 1
    # Boilerplate is rare: look for it per sentence only when the text has some.
    has_boilerplate = _has_boilerplate(body)
    token_sets: dict[int, set[str]] = {}
    scored: list[tuple[float, int, str]] = []
    for rank, (pos, sentence, toks) in enumerate(candidates):
        words = sentence.split()
        if not 6 <= len(words) <= 60:
            continue
        if has_boilerplate and _has_boilerplate(sentence):
            continue
        if _BYLINE.match(sentence) or _is_quote_only(sentence) or sentence.endswith((":", "?")):
            continue
        token_sets[pos] = toks
        lead = 1.0 / (1.0 + rank * 0.35)
        para = 1.0 if pos < 100 else 0.85 if pos < 300 else 0.7
        score = 2.0 * lead * para
        score += 0.5 if _NUMBER.search(sentence) else 0.0
        names = sum(1 for w in words[1:] if w[:1].isupper())
        score += min(0.6, 0.2 * names)
        score += 0.3 if not _OUTCOME_WORDS.isdisjoint(w.lower() for w in words) else 0.0
        # Centrality: shares the article's recurring words.
        if toks:
            score += 0.8 * sum(min(doc_freq[t], 4) - 1 for t in toks) / (len(toks) * 3)
            score += 0.4 * len(toks & title_tokens) / max(1, len(title_tokens))
        if 12 <= len(words) <= 35:
            score += 0.2
        if sentence[:1] in "\"“‘'":
            score -= 1.2  # a quote: the fact is usually in the sentence around it
        scored.append((score, pos, sentence))
    scored.sort(key=lambda t: -t[0])
    avoid = [_tokens(summary), _tokens(title)] if summary or title else []
    chosen: list[tuple[int, str, set[str]]] = []
    for _score, pos, sentence in scored:
        toks = token_sets[pos]
        if any(_overlap(toks, other) > 0.6 for other in avoid if other):
            continue
        if any(_overlap(toks, c[2]) > 0.5 for c in chosen):
            continue
        chosen.append((pos, sentence, toks))
        if len(chosen) >= limit:
            break
    if len(chosen) < minimum:
        # Too strict for a short text: relax the near-duplicate-of-dek rule.
        for _score, pos, sentence in scored:
            if len(chosen) >= minimum:
                break
            if any(c[0] == pos for c in chosen):
                continue
            toks = token_sets[pos]
            if any(_overlap(toks, c[2]) > 0.5 for c in chosen):
                continue
            chosen.append((pos, sentence, toks))
    chosen.sort(key=lambda c: c[0])
    return [_clean(c[1]) for c in chosen]


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def lead_sentences(body: str, count: int = 3) -> list[str]:
    """The first ``count`` sentences: the baseline derived takeaways must beat."""
    out: list[str] = []
    for paragraph in _plain(body):
        for sentence in split_sentences(paragraph):
            out.append(sentence)
            if len(out) >= count:
                return out
    return out


def _lead(body: str, limit: int = DERIVE_CHARS) -> str:
    """The first ``limit`` characters or so of a body, cut at a paragraph or sentence end."""
    if len(body) <= limit:
        return body
    cut = body.rfind("\n\n", 0, limit)
    if cut > limit // 2:
        return body[:cut]
    best = max(body.rfind(end, 0, limit) for end in (". ", "! ", "? ", ".\n"))
    return body[: best + 1] if best > 0 else body[:limit]


def with_derived_takeaways(article: Article) -> Article:
    """The article with derived takeaways when it carries none of its own.

    Authored takeaways are always kept as they are.  Derived ones are marked
    ``takeaways_derived``; an article whose text is too short gets none.
    """
    if article.takeaways or not article.body:
        return article
    chosen = derive_takeaways(_lead(article.body), summary=article.summary, title=article.title)
    if not chosen:
        return article
    return article.with_changes(takeaways=tuple(chosen), takeaways_derived=True)
