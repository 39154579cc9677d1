"""Key terms: an article's words as weighted index terms (stopwords out, plurals stemmed)."""

from __future__ import annotations

import math
import re
from collections import Counter

from briefreader.model import UNTITLED
from briefreader.scripts import CJK, cjk_pairs

__all__ = [
    "ANALYSIS_CHARS",
    "BODY_CHARS",
    "NAME_BOOST",
    "PROFILE_CHARS",
    "index_terms",
    "name_terms",
    "normalize",
    "phrase_pairs",
    "term_set",
]

#: How much of the body is indexed for retrieval (characters from the start).
BODY_CHARS = 1500
#: How much of the body the re-ranking compares: a story's specifics (names, places,
#: numbers) run on past the lead; 2,500 scored better than 1,500 on real news (see
#: docs/EVALUATION.md) and costs ~0.1 ms more per candidate.
PROFILE_CHARS = 2500
#: How much of the editor's analysis the re-ranking reads: it restates the story.
ANALYSIS_CHARS = 1000
#: Extra weight of a name (see :func:`name_terms`), in signatures, queries and the
#: score.  A story's names (its town, its company, its people) are what its reports
#: from other angles share: on our look-alike briefs 2× in the score lifts
#: precision@5 from 0.73 to 0.85 (every article ranked against every other), and in
#: signatures too from 0.79 to 0.82 (through the index); on real news, where twin
#: events often share a company or a country, it costs ~0.005 (docs/EVALUATION.md).
NAME_BOOST = 2.0

_STOPWORDS = frozenset(
    """a about above across after afterwards again against all almost alone along already
    also although always am among amongst an and another any anyhow anyone anything anyway
    anywhere are around as at back be became because become becomes been before beforehand
    behind being below beside besides between beyond both but by can cannot could did do does
    doing done down during each either else elsewhere enough etc even ever every everyone
    everything everywhere except few first for former formerly from further get gets getting
    got had has have having he hence her here hereafter hereby herein hers herself him himself
    his how however i if in indeed into is it its itself just keep last latter least less made
    make makes many may me meanwhile might mine more moreover most mostly much must my myself
    namely neither never nevertheless next no nobody none noone nor not nothing now nowhere of
    off often on once one only onto or other others otherwise our ours ourselves out over own
    per perhaps put rather re said same say says see seem seemed seeming seems several she
    should since so some somehow someone something sometime sometimes somewhere still such
    than that the their theirs them themselves then thence there thereafter thereby therefore
    therein thereupon these they this those though through throughout thru thus to together too
    toward towards under until up upon us very via was we well were what whatever when whence
    whenever where whereafter whereas whereby wherein whereupon wherever whether which while who
    whoever whole whom whose why will with within without would yet you your yours yourself
    yourselves told added according including like new two three four five six seven eight
    nine ten mr mrs ms dr week weeks month months day days year years today yesterday tomorrow
    time times monday tuesday wednesday thursday friday saturday sunday morning afternoon
    evening night am pm 0 1 2 3 4 5 6 7 8 9 b c d e f g h j k l m n o p q r s t u v w x y z ll
    ve http https www com org html""".split()
)
# Punctuation becomes a space; thousands separators and apostrophes go ("1,100" ->
# "1100", "Halcyne's" -> "halcynes" -> stem "halcyne").
_PUNCT = '!"#$&()*+-./:;<=>?@[\\]^_`{|}~“”‘«»–—…•·\u00a0'
_TRANSLATE = str.maketrans({**{c: " " for c in _PUNCT}, ",": None, "'": None, "’": None})
# The same, but a sentence's end becomes its own token "." (phrases stop there).
_SENTENCE_TRANSLATE = str.maketrans(
    {**{c: " " for c in _PUNCT}, **{c: " . " for c in ".!?;:"}, ",": None, "'": None, "’": None}
)
# The same again, with a sentence's end as one character (_SENTENCE_END) that a C-level
# replace then sets apart: str.translate has a fast path only for tables whose values
# are single characters (or deletions), ~8× quicker on an article than the " . " above.
_SENTENCE_END = "\x01"
_SENTENCE_TRANSLATE_FAST = str.maketrans(
    {
        **{c: " " for c in _PUNCT},
        **{c: _SENTENCE_END for c in ".!?;:"},
        ",": None,
        "'": None,
        "’": None,
    }
)


# The punctuation of Chinese and Japanese (full-width forms among it), set apart only
# in text that holds their letters (a larger table slowed every article's translation).
_CJK_PUNCT = "、，「」『』【】〈〉《》・～（）［］｛｝"
_CJK_STOPS = "。！？；："
_CJK_TRANSLATE = str.maketrans({c: " " for c in _CJK_PUNCT + _CJK_STOPS})
_CJK_SENTENCE_TRANSLATE = str.maketrans(
    {**{c: " " for c in _CJK_PUNCT}, **{c: f" {_SENTENCE_END} " for c in _CJK_STOPS}}
)


# The same translations as regular expressions, for text that is not ASCII: there
# str.translate looks every character up in its table one by one (~50 ns a character,
# three quarters of an article's terms: most news has a curly quote or a dash), where
# these run in C (~13 ns).  ASCII text keeps str.translate, whose cache of the table
# makes it quicker still.
_DROP = re.compile("[,'’]")
_PUNCT_RE = re.compile(f"[{re.escape(_PUNCT)}]")
_STOP_RE = re.compile("[.!?;:]")
_PUNCT_NOT_STOP_RE = re.compile(f"[{re.escape(''.join(c for c in _PUNCT if c not in '.!?;:'))}]")


def _translated(text: str) -> str:
    """``text`` lower-cased, its punctuation spaces (:data:`_TRANSLATE`)."""
    low = text.lower()
    if low.isascii():
        return low.translate(_TRANSLATE)
    return _PUNCT_RE.sub(" ", _DROP.sub("", low))


def _sentence_translated(low: str) -> str:
    """Lower-cased ``low`` as :data:`_SENTENCE_TRANSLATE_FAST` makes it."""
    if low.isascii():
        return low.translate(_SENTENCE_TRANSLATE_FAST)
    return _PUNCT_NOT_STOP_RE.sub(" ", _STOP_RE.sub(_SENTENCE_END, _DROP.sub("", low)))


def _split(low: str, cjk: bool) -> list[str]:
    """The words of text :func:`_translated`; with ``cjk`` (the article holds CJK
    letters), their punctuation set apart too and a run of the letters cut into
    overlapping pairs (:func:`cjk_pairs`: such a run is one "word" between two
    punctuation marks, and shared no term with another report of the same story)."""
    return cjk_pairs(low.translate(_CJK_TRANSLATE)).split() if cjk else low.split()


def _holds_cjk(low: str) -> bool:
    """Whether text already translated (its quotes and dashes made spaces) holds a CJK
    letter.  Most text answers at once: ASCII (a flag of the string), or Latin-1 (its
    encoding is a copy, ~0.1 µs; searching it cost ~5 µs an article, ~5% of its terms
    when every article paid it); the rest is searched."""
    if low.isascii():
        return False
    try:
        low.encode("latin-1")
    except UnicodeEncodeError:
        return CJK.search(low) is not None
    return False


def _stem(token: str) -> str:
    s = token
    if s in _STOPWORDS or len(s) > 40:
        s = ""
    elif len(s) > 4 and not s[0].isdigit():
        if s.endswith("ies"):
            s = s[:-3] + "y"
        elif s.endswith(("sses", "ches", "shes", "xes", "zes")):
            s = s[:-2]
        elif s.endswith("s") and not s.endswith(("ss", "us", "is")):
            s = s[:-1]
    return s


class _Norms(dict[str, str]):
    """token -> term, computed on a miss and kept (up to 500,000 tokens): looking a
    token up is a plain dict lookup, so a whole list maps in C (``map(get, ...)``)."""

    def __missing__(self, token: str) -> str:
        term = _stem(token)
        if len(self) < 500_000:
            self[token] = term
        return term


_NORMS = _Norms()


def normalize(token: str) -> str:
    """A token -> its term: "" for a stopword, else a light stem (plural endings)."""
    return _NORMS[token]


# A capitalised word inside a sentence (after a lower-case word, a digit or a comma).
# (What comes before is looked at once a capital is found: a pattern that starts with
# a look-behind is tried at every character, ~3.5× slower on an article.)
_MID_CAPITAL = re.compile(r"[A-Z](?<=[a-z0-9,;%)] [A-Z])[a-zA-Z]+")
_NOT_NAMES = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)


def name_terms(text: str, terms: dict[str, float]) -> set[str]:
    """The terms of ``terms`` that ``text`` uses as names: words capitalised inside
    sentences that the text never writes in lower case (pass the dek, takeaways and
    body: a title's capitals say nothing)."""
    names: set[str] = set()
    for word in set(_MID_CAPITAL.findall(text)):
        low = word.lower()
        if " " + low not in text and low not in _NOT_NAMES:
            term = normalize(low)
            if term and term in terms:
                names.add(term)
    return names


#: A term's weight by how often the article uses it (up to 1,023 times: more is rare).
_SUBLINEAR = [0.0] + [1.0 + math.log(n) for n in range(1, 1024)]


def index_terms(
    title: str,
    summary: str,
    takeaways: str,
    body: str,
    *,
    chars: int = BODY_CHARS,
    title_weight: int = 3,
    extra: str = "",
) -> dict[str, float]:
    """The article's terms with their weights (sublinear, field-weighted frequency).

    Terms are lower-cased words with plural endings stemmed, stopwords dropped, and
    numbers.  Title words count ``title_weight`` times (3 for the index signature,
    which should name the story; the re-ranking counts them once), dek and takeaway
    words twice; the body is read to ``chars``; ``extra`` (the editor's analysis, cut by
    the caller) counts once.  This is what document frequencies
    count and what the signature is chosen from, so it is kept cheap: it runs once
    for every article stored.
    """
    if title == UNTITLED:  # (no word of its own: read as one, every untitled
        title = ""  # article shared it, and they were one another's "related")
    fields = [_translated(f) for f in (title, summary + " " + takeaways, body[:chars], extra)]
    cjk = any(_holds_cjk(f) for f in fields)  # (one way for the whole article: term_set)
    t, lead, tokens, more = (_split(f, cjk) for f in fields)
    tokens += more
    raw = Counter(map(_NORMS.__getitem__, t * title_weight + lead * 2 + tokens))
    raw.pop("", None)  # stopwords
    table = _SUBLINEAR
    if raw and max(raw.values()) < len(table):  # (the weights looked up in C)
        return dict(zip(raw, map(table.__getitem__, raw.values()), strict=True))
    return {k: table[n] if n < len(table) else 1.0 + math.log(n) for k, n in raw.items()}


def term_set(title: str, summary: str, takeaways: str, body: str) -> set[str]:
    """The terms :func:`index_terms` gives these fields (its keys, without the
    weights): what an indexed article added to the document frequencies."""
    if title == UNTITLED:
        title = ""
    low = _translated(" ".join((title, summary, takeaways, body[:BODY_CHARS])))
    terms = set(map(_NORMS.__getitem__, _split(low, _holds_cjk(low))))
    terms.discard("")
    return terms


def phrase_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Pairs of adjacent terms within a sentence (stopwords break a pair too)."""
    norms = _NORMS
    pairs: set[tuple[str, str]] = set()
    prev = ""
    low = text.lower()
    if _SENTENCE_END in low:  # (the character is the text's own: the slow way)
        tokens, end = low.translate(_SENTENCE_TRANSLATE).split(), "."
    else:
        fast = _sentence_translated(low)
        if _holds_cjk(fast):
            fast = cjk_pairs(fast.translate(_CJK_SENTENCE_TRANSLATE))
        tokens = fast.replace(_SENTENCE_END, f" {_SENTENCE_END} ").split()
        end = _SENTENCE_END
    for tok in tokens:
        if tok == end:
            prev = ""
            continue
        term = norms[tok]
        if prev and term:
            pairs.add((prev, term))
        prev = term
    return frozenset(pairs)
