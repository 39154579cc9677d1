"""What a brief is, for every reader: the words that mark its parts.

The plain-text brief (:mod:`~briefreader.sources.brief`), the Markdown brief
(:mod:`~briefreader.sources.markdown`) and HTML (:mod:`~briefreader.sources.html`:
saved pages, and feed and JSON Feed items) recognise the parts of a brief with the
functions here, so they agree on what they find:

* **Takeaways headings** (:func:`is_takeaways_heading`): Key Takeaways, Key Points,
  Key Facts, Key Findings, Main Points, Highlights, At a glance, In brief, TL;DR …,
  in any case, optionally after "The", with decoration (``#``, ``*``, a colon)
  around them.
* **Analysis labels** (:func:`analysis_label`): "Editor's" (any apostrophe, or none)
  followed by Desk, Analysis, Note, Take, View, Comment, Perspective, Insight … (one
  more word may come between: "Editor's Strategic Analysis"); Analysis, Strategic /
  News / Our / Editorial Analysis; Why it matters, Why this matters; The bottom line;
  Our take.  A title may follow after ``:``, ``|``, ``·``, ``—``, ``–`` or `` - ``.
  The label comes back with straight apostrophes and single spaces, in the case it
  was written.
* **Ordinals** (:func:`strip_ordinals`): the rule of a scraped numbered list, see
  its docstring.
* **Safe XML** (:func:`safe_xml_parser`): the hardened lxml parser settings the
  feed and OPML readers use (no entities, no DTD, no network).

Everything here is linear in the size of its input (no regular expression).
"""

from __future__ import annotations

import threading

from lxml import etree

__all__ = [
    "ANALYSIS_PHRASES",
    "EDITOR_WORDS",
    "LABEL_WORDS",
    "MARKER_MAX",
    "TAKEAWAYS_HEADINGS",
    "analysis_label",
    "editor_label",
    "is_takeaways_heading",
    "may_name_brief_part",
    "norm",
    "ordinal_rest",
    "safe_xml_parser",
    "straight_apostrophes",
    "strip_ordinals",
]

#: Lines longer than this are never headings or labels.
MARKER_MAX = 80
#: Longest line read as a label with a title.
_LABEL_LINE_MAX = 160

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "′": "'"})


def straight_apostrophes(s: str) -> str:
    return s.translate(_APOSTROPHES)


def norm(s: str) -> str:
    """Casefolded, apostrophes straightened, spaces collapsed, decoration trimmed."""
    s = " ".join(s.translate(_APOSTROPHES).split()).casefold()
    if not s or (s[0].isalnum() and s[-1].isalnum()):
        return s
    start, end = 0, len(s)
    while start < end and not (s[start].isalnum() or s[start] == "'"):
        start += 1
    while end > start and not (s[end - 1].isalnum() or s[end - 1] == "'"):
        end -= 1
    return s[start:end]


def _first_letter(s: str) -> str:
    """The first letter or digit of ``s``, casefolded (a cheap first test)."""
    for ch in s:
        if ch.isalnum():
            return ch.casefold()
    return ""


# ---------------------------------------------------------------------------------
# takeaways

_TAKEAWAYS = (
    "key takeaways",
    "key takeaway",
    "takeaways",
    "key points",
    "key point",
    "key facts",
    "key findings",
    "main points",
    "highlights",
    "key highlights",
    "at a glance",
    "in brief",
    "tl;dr",
    "tldr",
    "tl dr",
)
#: Every takeaways heading, normalised (:func:`norm`, ``tl ; dr`` → ``tl;dr``).
TAKEAWAYS_HEADINGS = frozenset(_TAKEAWAYS) | frozenset("the " + h for h in _TAKEAWAYS)


def is_takeaways_heading(text: str) -> bool:
    """Whether a heading or a line names a "Key takeaways" list (TL;DR, Highlights, …)."""
    if len(text) > 4 * MARKER_MAX or _first_letter(text) not in "ktmhai":
        return False
    key = norm(text)
    if len(key) > MARKER_MAX:
        return False
    if ";" in key:
        key = key.replace(" ;", ";").replace("; ", ";")
    return key in TAKEAWAYS_HEADINGS


# ---------------------------------------------------------------------------------
# analysis

#: First words of an "Editor's …" label (normalised).
EDITOR_WORDS = frozenset({"editor's", "editors'", "editors", "editor", "editor s"})
#: What may follow "Editor's" (normalised).
LABEL_WORDS = frozenset(
    {
        "desk",
        "analysis",
        "note",
        "notes",
        "take",
        "view",
        "comment",
        "commentary",
        "perspective",
        "insight",
    }
)
#: Labels that are a phrase of their own (normalised).
ANALYSIS_PHRASES = frozenset(
    {
        "analysis",
        "strategic analysis",
        "news analysis",
        "our analysis",
        "editorial analysis",
        "why it matters",
        "why this matters",
        "the bottom line",
        "our take",
    }
)
_SEPARATORS = (":", "|", "·", "—", "–", " - ")


def editor_label(words: list[str]) -> str | None:
    """``["Editor’s", "Desk"]`` → ``"Editor's Desk"``; None if not an "Editor's" label.

    Also ``["Editor", "s", "Desk"]`` (an odd apostrophe lost) and one word between
    ("Editor's Strategic Analysis")."""
    if len(words) == 3 and words[1] == "s":
        words = [words[0] + "'s", words[2]]
    if len(words) not in (2, 3):
        return None
    first = words[0].translate(_APOSTROPHES)
    last = words[-1].strip(":.-–—")
    if first.casefold() not in EDITOR_WORDS or norm(last) not in LABEL_WORDS:
        return None
    return " ".join([first, *words[1:-1], last])


def _label(head: str) -> str | None:
    head = head.strip().strip("#*_ ")
    if not head or len(head) > MARKER_MAX or head[0].casefold() not in "esanowt":
        return None
    words = head.split()
    found = editor_label(words)
    if found is not None:
        return found
    if norm(head) in ANALYSIS_PHRASES:
        return " ".join(head.translate(_APOSTROPHES).split())
    return None


def analysis_label(text: str) -> tuple[str, str] | None:
    """``(label, title)`` when a heading or a line names an analysis, else ``None``.

    ``"Editor’s Desk"`` gives ``("Editor's Desk", "")``; ``"Analysis: The compute
    wall"`` gives ``("Analysis", "The compute wall")``.
    """
    if len(text) > _LABEL_LINE_MAX:
        return None
    cut, sep_len = len(text), 0
    for sep in _SEPARATORS:
        pos = text.find(sep)
        if 0 <= pos < cut:
            cut, sep_len = pos, len(sep)
    if cut < len(text):
        label = _label(text[:cut])
        if label is not None:
            return label, " ".join(text[cut + sep_len :].split()).strip("*_ ")
    label = _label(text)
    return (label, "") if label is not None else None


#: Words without which no heading or class names takeaways or an analysis (lower
#: case; "tl" and "take" are checked more closely by :func:`may_name_brief_part`).
_BRIEF_WORDS = (
    "takeaway",
    "point",
    "facts",
    "findings",
    "highlight",
    "glance",
    "brief",
    "analysis",
    "editor",
    "matters",
    "bottom",
)


def may_name_brief_part(low: str) -> bool:
    """Whether lower-cased HTML may hold a takeaways heading or an analysis label
    (a cheap superset test: entity-encoded spellings included)."""
    if any(word in low for word in _BRIEF_WORDS):
        return True
    if "dr" in low and _tl_dr(low):
        return True
    return "take" in low and _our_take(low)


def _tl_dr(low: str) -> bool:
    """``tl`` then ``dr`` with at most 8 non-letters between."""
    start = low.find("tl")
    while start >= 0:
        i = start + 2
        while i < len(low) and i - start - 2 <= 8 and not ("a" <= low[i] <= "z"):
            i += 1
        if low.startswith("dr", i) and i - start - 2 <= 8:
            return True
        start = low.find("tl", start + 1)
    return False


def _our_take(low: str) -> bool:
    """``our`` then ``take`` with 1 to 8 non-letters between."""
    start = low.find("our")
    while start >= 0:
        i = start + 3
        while i < len(low) and i - start - 3 < 8 and not ("a" <= low[i] <= "z"):
            i += 1
        if 1 <= i - start - 3 <= 8 and low.startswith("take", i):
            return True
        start = low.find("our", start + 1)
    return False


# ---------------------------------------------------------------------------------
# ordinals


def ordinal_rest(text: str, k: int) -> tuple[str, str] | None:
    """If ``text`` starts with the ordinal ``k``: ``(rest, form)``; form is
    ``"sep"`` (``k.``/``k)``/``k:``), ``"space"`` or ``"glued"``."""
    num = str(k)
    if not text.startswith(num):
        return None
    rest = text[len(num) :]
    if not rest:
        return None
    ch = rest[0]
    if ch in ".):":
        after = rest[1:]
        if not after or after[0].isdigit():
            return None
        return after.lstrip(), "sep"
    if ch.isspace():
        after = rest.lstrip()
        return (after, "space") if after else None
    if not (ch.isalpha() or ch in _OPENERS) or _english_ordinal(rest, k):
        return None  # 1,000 · 1/2 · 1% · 1st · 2nd: a number, not an ordinal
    return rest, "glued"


#: What a scraped item may start with after its glued ordinal besides a letter.
_OPENERS = frozenset("\"'“‘«(['")


def _english_ordinal(rest: str, k: int) -> bool:
    """Whether ``rest`` (after ``k``) is the suffix of ``k`` written as an English
    ordinal number (``1st``, ``2nd``, ``3rd``, ``11th``) ending its word."""
    suffix = "th" if k % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return rest[:2].casefold() == suffix and not rest[2:3].isalpha()


def _glued_before_digit(text: str, k: int) -> str | None:
    """``text`` after its due ordinal ``k`` when a digit follows it (``22025 …`` as
    item 2 → ``2025 …``): a reading only a fully glued list makes certain."""
    num = str(k)
    if text.startswith(num) and text[len(num) : len(num) + 1].isdigit():
        return text[len(num) :]
    return None


def strip_ordinals(items: list[str]) -> list[str]:
    """The items of a list without their ordinals (each item stripped of spaces).

    Item *k* may start with its *due* ordinal *k*, either separated (``k.``, ``k)``,
    ``k:`` followed by a space, or ``k`` and a space) or glued (``1Microsoft …``);
    ``1.5 million …``, ``1,000 …``, ``1st …`` are never ordinals (a glued ordinal
    is followed by a letter or an opening quote or bracket).  In a *fully glued*
    list — every item starts with its due ordinal, and at least two items, and at
    least half of them, have it glued to a letter, as a scraped numbered list has —
    the due ordinal is stripped from every item, also before a digit (``22025
    budgets …`` as item 2 is ``2025 budgets …``); one letter-glued item is no such
    evidence (``1Password …`` beside ``2026 forecasts …`` stays).  Otherwise the
    ordinals are stripped only when the list is numbered: more than half of its
    items carry their due ordinal (a single item numbered only by ``1`` and a space
    does not count); a glued ordinal before a digit is then kept.  Digits that are
    not the due ordinal are never touched.
    """
    items = [t.strip() for t in items]
    n = len(items)
    hits = [ordinal_rest(text, k) for k, text in enumerate(items, 1)]
    before_digit = [_glued_before_digit(text, k) for k, text in enumerate(items, 1)]
    # Letter-glued items are the evidence of a scraped list: "1Password …" alone
    # beside "2026 forecasts …" is a name and a year, not items 1 and 2.
    letters = sum(h is not None and h[1] == "glued" and h[0][0].isalpha() for h in hits)
    if (
        letters >= 2
        and letters * 2 >= n
        and all(
            (h is not None and h[1] == "glued") or d is not None
            for h, d in zip(hits, before_digit, strict=True)
        )
    ):
        return [
            h[0] if h is not None else d if d is not None else text
            for h, d, text in zip(hits, before_digit, items, strict=True)
        ]
    numbered = sum(h is not None for h in hits) * 2 > n
    if n == 1 and hits[0] is not None and hits[0][1] == "space":
        numbered = False
    if not numbered:
        return items
    return [h[0] if h is not None else text for h, text in zip(hits, items, strict=True)]


# ---------------------------------------------------------------------------------
# safe XML

_LOCAL = threading.local()
#: No entity resolved, no DTD loaded, no network, no huge trees; no comments or PIs.
_SAFE_XML = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
}


def safe_xml_parser(*, recover: bool = False, strip_cdata: bool = True) -> etree.XMLParser:
    """An lxml parser that resolves no entity, loads no DTD and never uses the
    network (comments and processing instructions dropped).  One per thread and
    setting, reused."""
    key = (recover, strip_cdata)
    cache: dict[tuple[bool, bool], etree.XMLParser] | None = getattr(_LOCAL, "parsers", None)
    if cache is None:
        cache = _LOCAL.parsers = {}
    parser = cache.get(key)
    if parser is None:
        parser = cache[key] = etree.XMLParser(**_SAFE_XML, strip_cdata=strip_cdata, recover=recover)
    return parser
