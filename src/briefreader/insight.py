"""Insight: derived takeaways for articles that carry none.

:func:`derive_takeaways` picks takeaways the way a person writes highlights: three
short sentences by default (four or five only for a long article with that many
distinct facts), taken from the article's lead — the lead sentence is welcome — in
text order.  It skips what a page glues into its text (datelines, bylines, "Scroll
down for video", photo captions, boilerplate), quotes out of context and questions,
never repeats the dek or one fact twice, and shortens a chosen sentence only by
dropping words a highlight does without: a trailing attribution (", police said",
", according to court documents"), a caption's "(pictured)", a leading connective.
An item short enough to read at a glance gets none: its text is its summary.

Pure functions over text: no I/O, no database.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from briefreader.markdown_text import inline_plain, kinds
from briefreader.model import Article

__all__ = [
    "body_without_headline",
    "dek_repeats_body",
    "derive_takeaways",
    "lead_sentences",
    "repeats_title",
    "split_sentences",
    "with_derived_takeaways",
    "without_teaser_tail",
]

#: Derived takeaways read this much of the body at most: they are lead-weighted
#: (past the first 1,500 characters a sentence is rarely chosen) and the choice costs
#: time in proportion to the text read.
DERIVE_CHARS = 1500
#: A body of fewer words than this is read at a glance: it gets no derived takeaways.
SHORT_WORDS = 150
#: Body lengths (words) from which a fourth and a fifth takeaway may be added, when
#: the text holds that many distinct, well-scored facts.
LONG_WORDS = (900, 1500)
#: The longest takeaway, in words (after shortening); longer sentences are not chosen.
MAX_WORDS = 45
#: The shortest: fewer words rarely make a fact.
MIN_WORDS = 6
#: Sentences looked at: takeaways come from the lead, and long bodies stay cheap.
MAX_CANDIDATES = 14
#: The body's recurring words (what it is about) are counted over this much of it.
FREQUENCY_CHARS = 6000
#: A fourth or fifth takeaway must score at least this share of the weakest of the
#: three (see :func:`_is_extra_fact`).
EXTRA_SCORE = 0.6
#: Sentence scores (see :func:`_score`).
W_LEAD, W_CENTRAL, W_TITLE, W_NAMES = 3.0, 2.0, 0.5, 1.0
W_PERSON, W_PRONOUN, W_LENGTH = 2.0, 1.0, 0.5

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt no vs etc inc ltd co corp jan feb mar apr jun jul aug sep "
    "sept oct nov dec u.s u.k e.g i.e fig gov sen rep gen lt col capt sgt spc cpl pvt maj adm "
    "det insp supt rev hon ft pt cmdr brig cllr".split()
)
#: A sentence's end: its mark and any closing quotes or brackets, then a space and
#: what can start a sentence.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_MARKDOWN_NOISE = re.compile(
    r"\[!\[[^\]\[]{0,500}\]\([^()\s]{0,2000}\)\]\([^()\s]{0,2000}\)"
    r"|!\[[^\]\[]{0,500}\]\([^()\s]{0,2000}\)|\[([^\]\[]{0,500})\]\([^()\s]{0,2000}\)|[*_`]{1,3}"
)  # (a linked picture, a picture, a link's text kept, emphasis; bounded: linear time)
#: A line of Markdown structure: a heading, a list item, a quote (its mark perhaps
#: escaped: a line of feed text that only looks like one, sources/htmlrender.py).
_HEADING = re.compile(r"^\s*\\?(?:#{1,6}\s|[-*+]\s|>\s?)|^\s*\d+\\?[.)]\s")
#: Lower-case fragments that mark boilerplate (plain substring tests: cheap).
_BOILERPLATE = (
    "sign up", "subscribe", "newsletter", "read more", "click here", "all rights reserved",
    "cookie", "follow us", "share this", "advertisement", "related articles", "image:",
    "photo:", "getty images", "reuters/", "ap photo", "contributed to this report",
    "copyright", "©", "this article was", "this article first", "scroll down", "watch the video",
    "video below", "published:", "updated:", "last updated", "click to",
)  # fmt: skip

# -- what pages glue into the text ------------------------------------------------------

#: "Scroll down for video" and its kin: the caption glued after it is dropped too (the
#: phrase becomes a sentence break, and the caption a sentence of its own).
_VIDEO_CUE = re.compile(
    r"\b(?:scroll (?:down|up) (?:for|to (?:see|watch)) (?:the )?(?:video|videos|more)|"
    r"watch the video(?: below)?|video (?:below|above))\b\s*",
    re.IGNORECASE,
)
#: A byline and publication stamp at the start of a text ("By . A Reporter .
#: PUBLISHED: . 09:12 EST, 4 May 2014 . | . UPDATED: . …", "Last updated at 9:12 PM on
#: 4th May 2014").
_STAMP = re.compile(
    r"(?:\b(?:PUBLISHED|UPDATED|Published|Updated|Last updated)(?: at| on)?:?\s*\.?\s*"
    r"\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?|EST|EDT|GMT|BST|UTC|CET|ET|PT)?,?\s*(?:on\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+|[A-Z][a-z]+\s+\d{1,2}(?:st|nd|rd|th)?),?\s+"
    r"\d{4}\s*\.?\s*\|?\s*\.?\s*)+"
)
_BYLINE_HEAD = re.compile(
    r"^By\s+\.?\s*(?:[A-Z][\w'’.-]*\s*){1,5}(?:and\s+(?:[A-Z][\w'’.-]*\s*){1,4})?\.\s+"
)
#: A dateline: "(CNN) --", "LONDON, England (CNN) --", "WASHINGTON (Reuters) -", "PARIS —".
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'’ -]{1,30}(?:,\s*[A-Z][A-Za-z.'’ -]{1,30})?\s*)?"
    r"\((?:CNN|AP|Reuters|AFP|UPI|Bloomberg|dpa|PA|IANS|PTI|Xinhua|[A-Z][A-Za-z.]{1,15}\.com)\)"
    r"\s*(?:--|—|–|-|:)?\s*"
    r"|^[A-Z][A-Z.'’ -]{2,30}(?:,\s*[A-Z][A-Za-z.'’ -]{1,30})?\s+(?:--|—|–)\s+"
)
#: A photo caption's telltales: a short label and a colon ("Star-crossed lovers: …"),
#: "(pictured)", "(left)", ", pictured in this 2012 photo,", "From left: …".
_CAPTION_LABEL = re.compile(r"^[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,5}:\s+(?![\"'‘“])")
_CAPTION_ASIDE = re.compile(
    r"\s*\((?:pictured|left|right|above|below|centre|center|top|bottom|inset|file)\b[^)]{0,60}\)"
)
_PICTURED = re.compile(
    r"\bpictured(?:\s+(?:above|below|left|right|here|inset|centre|center|top|bottom))?\s*[,)]"
    r"|\bpictured (?:in|on) (?:this|a|an|the) (?:\w+ ){0,2}(?:photo|picture|image|mugshot|handout)"
)
_CAPTION_START = ("From left", "From right", "Left:", "Right:", "Above:", "Below:", "Inset:")


def _is_caption(sentence: str) -> bool:
    if ":" in sentence[:60] and _CAPTION_LABEL.match(sentence):
        return True
    if "pictured" in sentence and _PICTURED.search(sentence):
        return True
    return sentence.startswith(_CAPTION_START)


#: A caption glued to the sentence it sits above: "…(pictured) A taxi driver was…".
_GLUED = re.compile(r"(?<=[a-z0-9)\]])\s+(?=(?:A|An|The)\s+[a-z]{2})")
_SAY = (
    r"(?:said|says|say|reported|reports|told\s[^,;\"“”]{1,40}|added|adds|claimed|claims|"
    r"confirmed|announced|revealed|explained|stated|alleged|insisted|warned|wrote|writes|heard)"
)
_WHEN = (
    r"(?:\s+(?:on|in|last|this|earlier|late|early)\s+[\w-]+(?:\s+(?:night|week|month|year))?"
    r"|\s+(?:today|yesterday|tonight|overnight))?"
)
#: A trailing attribution a highlight does without: ", police said", ", according to
#: court documents", ", the Post reported on Monday", ", it emerged today".
_ATTRIBUTION_TAIL = re.compile(
    r"(?P<lead>,|,(?P<q>[\"'’”]))\s+(?:"
    r"according to\s[^,;\"“”]{1,60}"
    r"|(?:it|this)\s+(?:has\s+|had\s+)?(?:emerged|been revealed|was revealed|was reported|"
    r"was claimed|is understood|was announced|was confirmed)" + _WHEN + r"|"
    r"(?:[\w.'’-]+\s+){0,5}?" + _SAY + _WHEN + r"|"
    r"(?:said|says|added|according to)\s+(?:[\w.'’-]+,?\s+){0,5}?[\w.'’-]+" + _WHEN + r")"
    r"(?P<end>[.!]?)$"
)
#: An attribution set off inside a sentence: "The man, police said, was armed."
_ATTRIBUTION_ASIDE = re.compile(
    r",\s+(?:(?:police|officials|authorities|sources|reports|prosecutors|witnesses)\s+|"
    r"(?:the\s+)?(?:[A-Z][\w.'’-]*\s+){1,4})(?:said|say|says|reported|reports|added),\s+"
)
#: A leading attribution: "According to the report, …".
_LEAD_ATTRIBUTION = re.compile(r"^According to\s[^,;\"“”]{1,60},\s+(?=[a-zA-Z])")
_CONNECTIVES = re.compile(
    r"^(however|but|and|also|meanwhile|moreover|furthermore|still|yet|so|then|indeed|"
    r"in addition|additionally|as a result|nonetheless|nevertheless|instead|separately|"
    r"in fact|at the same time|for its part|on the other hand|now)\s*,?\s+",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(by|reporting by|written by|editing by|additional reporting)\s", re.I)
#: A word worth comparing: three letters or digits or more.
_WORD = re.compile(r"\w{3,}")
_STOP = frozenset(
    "a an the of and or to in on at for by with from as is are was were be been it its this that "
    "these those has have had will would said says not but he she they his her their who which "
    "after over into about than more also".split()
)
_QUOTES = "\"“‘'"
_NUMBER = re.compile(r"\d")
_PRONOUNS = tuple(f"{w} " for w in "He She It They His Her Its Their This That These Those".split())
#: Words of speech or of a column: a sentence with them is a quote's or an aside.
_FIRST_PERSON = re.compile(
    r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|we|We|we're|we’re|my|My|our|Our|me|us)\b"
)


def _boilerplate_in(text: str) -> tuple[str, ...]:
    """The boilerplate fragments that occur in a text (plain substring tests: cheap)."""
    low = text.lower()
    return tuple(fragment for fragment in _BOILERPLATE if fragment in low)


def _plain(text: str) -> list[str]:
    """Markdown body → list of prose paragraphs (headings, lists and quotes dropped)."""
    paragraphs = []
    for kind, block in kinds(re.split(r"\n\s*\n", text)):
        if kind == "caption":  # a figure's caption: no sentence of the story's
            continue
        # (a line ending in "\\" is a hard line break: the backslash is no text)
        lines = [ln.removesuffix("\\") for ln in block.strip().splitlines() if ln.strip()]
        if not lines or all(_HEADING.match(ln) for ln in lines):
            continue
        prose = " ".join(ln for ln in lines if not _HEADING.match(ln))
        if "[" in prose or "*" in prose or "_" in prose or "`" in prose or "\\" in prose:
            prose = inline_plain(prose, alt=False)
        prose = " ".join(prose.split())
        if prose:
            paragraphs.append(prose)
    return paragraphs


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, not breaking after common abbreviations."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        pieces.append(paragraph[start : match.end()])
        start = match.end()
    pieces.append(paragraph[start:])
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
    return set(_WORD.findall(sentence.lower())) - _STOP


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


# -- cleaning and shortening ------------------------------------------------------------


def _scrub(paragraph: str, first: bool) -> str:
    """A paragraph without the stamps, datelines and video cues a page glued into it."""
    if first:
        paragraph = _BYLINE_HEAD.sub("", paragraph)
    if "UBLISHED" in paragraph or "PDATED" in paragraph or "updated" in paragraph:
        paragraph = _STAMP.sub("", paragraph)
    if first or "(" in paragraph[:60]:
        paragraph = _DATELINE.sub("", paragraph, count=1)
    if "video" in paragraph.lower():
        paragraph = _VIDEO_CUE.sub("\x00", paragraph)
    return paragraph.strip()


def _pieces(paragraph: str) -> list[str]:
    """The paragraph's sentences, with a glued caption cut off the sentence it precedes
    (it becomes a piece of its own, without an end mark, and is never chosen)."""
    out: list[str] = []
    for chunk in paragraph.split("\x00"):
        for sentence in split_sentences(chunk.strip()):
            match = _GLUED.search(sentence)
            while match:
                out.append(sentence[: match.start()] + " \x00")
                sentence = sentence[match.end() :]
                match = _GLUED.search(sentence)
            out.append(sentence)
    return out


def _shorten(sentence: str) -> str:
    """The sentence without what a highlight does without (no word is added)."""
    s = sentence.strip()
    if "(" in s:
        s = _CAPTION_ASIDE.sub("", s)
    if s[:1] not in _QUOTES:
        tail = _ATTRIBUTION_TAIL.search(s)
        if tail and tail.start() > 30:
            s = s[: tail.start()] + "." + (tail.group("q") or "")
    if ", " in s:
        s = _ATTRIBUTION_ASIDE.sub(" ", s)
    s = _LEAD_ATTRIBUTION.sub("", _CONNECTIVES.sub("", s))
    if s and s[0].islower():
        s = s[0].upper() + s[1:]
    return s


# -- choosing ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    order: int
    text: str
    tokens: set[str]
    words: int
    score: float = 0.0
    content: float = 0.0


#: A word of three letters or more (no digits, not part of a file's name or a
#: version): a takeaway has a few of them.
_LETTER_WORD = re.compile(r"(?<!\w)(?<!\w\.)[^\W\d_]{3,}(?!\w)(?!\.\w)")
_LETTER_WORDS_MIN = 4


def _usable(text: str, boilerplate: tuple[str, ...]) -> bool:
    """Whether a sentence can be a takeaway at all: a whole sentence (not a question,
    not a caption cut off the sentence it was glued to), not a quote out of context,
    a byline, a caption or a page's boilerplate."""
    if text[-1:] not in ".!\"'’”)":
        return False
    if text[0] in _QUOTES or _BYLINE.match(text) or _is_caption(text):
        return False
    if len(_LETTER_WORD.findall(text)) < _LETTER_WORDS_MIN:
        return False  # figures, not a sentence ("Reduced to 63% 640 x 360 (38 KB)")
    if boilerplate:
        low = text.lower()
        return not any(fragment in low for fragment in boilerplate)
    return True


def derive_takeaways(
    body: str, *, summary: str = "", title: str = "", limit: int = 5, minimum: int = 3
) -> list[str]:
    """Choose takeaways that carry the article's main facts, like a person's highlights.

    Three by default (``minimum``), up to ``limit`` for a long body with that many
    distinct facts; each at most :data:`MAX_WORDS` words; in text order.  None for a
    body shorter than :data:`SHORT_WORDS` words or with fewer than ``minimum`` usable
    sentences besides the dek's: such an item is its own summary.  Never a sentence
    that repeats the dek (``summary``); the lead sentence is welcome even when it
    echoes the title.
    """
    total_words = len(body.split())
    if total_words < SHORT_WORDS:
        return []
    dek = [_tokens(s) for p in _plain(summary) for s in split_sentences(p)] if summary else []
    candidates = _candidates(_lead(body), dek)
    if len(candidates) < minimum + 2 and len(body) > DERIVE_CHARS:
        candidates = _candidates(_lead(body, 3 * DERIVE_CHARS), dek)
    if len(candidates) < minimum:
        return []
    _score(candidates, _frequencies(body), _tokens(title))
    count = minimum + sum(total_words >= words for words in LONG_WORDS)
    count = max(minimum, min(count, limit))
    ranked = sorted(candidates, key=lambda c: -c.score)
    chosen: list[_Candidate] = []
    for cand in ranked:
        if any(_overlap(cand.tokens, c.tokens) > 0.5 for c in chosen):
            continue
        if len(chosen) >= minimum and not _is_extra_fact(cand, chosen):
            continue  # not a further distinct fact worth a line
        chosen.append(cand)
        if len(chosen) >= count:
            break
    if len(chosen) < minimum - 1:
        return []  # too few distinct facts to sum up
    chosen.sort(key=lambda c: c.order)
    return [c.text for c in chosen]


def _is_extra_fact(cand: _Candidate, chosen: list[_Candidate]) -> bool:
    """Whether a sentence past the default three is a further fact worth a line: it
    names someone or something or gives a figure, shares few words with what is
    chosen, and scores no worse than a share of the weakest chosen one."""
    if cand.score < EXTRA_SCORE * min(c.score for c in chosen):
        return False
    if any(_overlap(cand.tokens, c.tokens) > 0.3 for c in chosen):
        return False
    return _NUMBER.search(cand.text) is not None or any(
        w[:1].isupper() for w in cand.text.split()[1:]
    )


def _candidates(text: str, dek: list[set[str]]) -> list[_Candidate]:
    """The text's sentences that could be takeaways, shortened, in text order."""
    dek_all: set[str] = set().union(*dek) if dek else set()
    out: list[_Candidate] = []
    boilerplate = _boilerplate_in(text)
    order = 0
    for p_index, paragraph in enumerate(_plain(text)):
        for raw in _pieces(_scrub(paragraph, p_index == 0)):
            order += 1
            if not MIN_WORDS <= raw.count(" ") + 1 <= MAX_WORDS + 15 or not _usable(
                raw, boilerplate
            ):
                continue
            sentence = _shorten(raw)
            words = sentence.count(" ") + 1
            if not MIN_WORDS <= words <= MAX_WORDS:
                continue
            toks = _tokens(sentence)
            if not toks:
                continue
            if dek and (
                len(toks & dek_all) > 0.6 * len(toks) or any(_overlap(toks, d) > 0.6 for d in dek)
            ):
                continue  # the dek again
            out.append(_Candidate(order, sentence, toks, words))
            if len(out) >= MAX_CANDIDATES:
                return out
    return out


def _frequencies(body: str) -> Counter[str]:
    """How often each word occurs in (the first part of) the body."""
    return Counter(_WORD.findall(body[:FREQUENCY_CHARS].lower()))


def _score(candidates: list[_Candidate], freq: Counter[str], title: set[str]) -> None:
    """What makes a takeaway: an early place, the article's recurring words, the
    title's words and names (a highlight names who and what).  What does not: a
    first-person aside (a quote's or a column's), a lone pronoun for a subject (it
    leans on the sentence before) and length."""
    for rank, cand in enumerate(candidates):
        toks = cand.tokens
        text = cand.text
        content = W_CENTRAL * sum(min(freq[t] or 1, 6) - 1 for t in toks) / (5 * len(toks))
        if title:
            content += W_TITLE * len(toks & title) / len(title)
        names = sum(1 for w in text.split()[1:] if w[:1].isupper())
        content += W_NAMES * names / cand.words
        cand.content = content
        score = W_LEAD / (1.0 + rank * 0.5) + content
        if _FIRST_PERSON.search(text):
            score -= W_PERSON
        if text.startswith(_PRONOUNS):
            score -= W_PRONOUN
        score -= W_LENGTH * cand.words / MAX_WORDS
        cand.score = score


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


def dek_repeats_body(summary: str, body: str) -> bool:
    """Whether the dek only repeats the start of the body (a feed item without a dek of
    its own gets its first paragraph as one): shown above the body, it would be read
    twice.

    Compared word by word (quotes, dashes and links aside), without a teaser's tail
    ("… Read more", "[…]", "The post … appeared first on …", see
    :func:`without_teaser_tail`) and without a word the dek's "…" cut short; the dek
    may start a little way into the body (after a headline, a dateline or a byline).
    A dek that is the whole body word for word repeats it however short it is."""
    if len(summary) > _LONGEST_DEK:
        return False  # no teaser: a text of its own
    dek = without_teaser_tail(summary)
    words = _words(dek)
    if len(body) <= len(summary) + 600 and (
        _words(body) == words if words else _bare(body) == _bare(dek) != ""
    ):
        return True  # the whole body, however short ("Short teaser." as both; "!!!")
    if dek.endswith(("…", "...")) and words:
        words.pop()  # cut short: its last word may be a piece of one
    if len(words) < 4 or len(dek) < 20:
        return False
    lead = _words(body[: 2 * len(summary) + 600])[: len(words) + _DEK_OFFSET_WORDS]
    if f" {' '.join(words)} " in f" {' '.join(lead)} ":
        return True
    # A teaser made by stripping the body's tags may glue its lines' words together
    # ("v.0.1Developer:&nbsp;kAIST" for "v.0.1<br>Developer: kAIST") and keep entities
    # as text: the same letters in the same order, the spaces aside.
    letters = _words(html.unescape(dek) if "&" in dek else dek)
    if dek.endswith(("…", "...")) and letters:
        letters.pop()
    glued = "".join(letters)
    if len(glued) < _GLUED_DEK_MIN:
        return False
    # (Its words glued, the dek has fewer than the body: it is looked for in the body's
    # start by letters, starting within the body's first words as above.)
    start = _words(body[: 2 * len(summary) + 600])
    within = len("".join(start[:_DEK_OFFSET_WORDS]))
    return "".join(start).find(glued, 0, within + len(glued)) >= 0


#: How far into the body (in words) a repeated dek may start.
_DEK_OFFSET_WORDS = 40
#: The fewest letters a dek compared with its spaces aside must have (a short one may
#: be found in any body by chance).
_GLUED_DEK_MIN = 40
#: A "dek" longer than this is not a feed's teaser (feeds' are cut to 400 characters).
_LONGEST_DEK = 2000

_TEASER_TAIL = re.compile(
    r"(?:(?P<dots>\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\))"
    r"|(?P<phrase>(?i:read more|continue reading|keep reading|read on|read the rest"
    r"|read (?:the )?(?:full|whole|complete) (?:story|article|post|text|piece)"
    r"|more(?=\s*(?:[»›→]|>>)))(?:\s*(?:[»›→]|>>|\.\.\.|…))?))\s*$"
)
#: Only a teaser's last characters are searched for a tail (hostile text stays cheap).
_TAIL_CHARS = 60
#: WordPress's footer: "The post <title> appeared first on <site>."
_WORDPRESS = re.compile(r"The post\s[^\n]{1,300}\sappeared first on\s[^\n]{1,200}")
_ENDS_SENTENCE = tuple('.!?…])"”’:|—–-')


def without_teaser_tail(text: str) -> str:
    """A feed teaser without what only points to the page: a closing "Read more",
    "Continue reading →", "[…]" (kept as "…"), WordPress's "The post … appeared first
    on …".  A "read more" that ends a sentence of its own ("they should read more.")
    stays."""
    text = text.strip()
    for _ in range(4):  # "… […] The post … appeared first on …" is three
        post = text.rfind("The post ", max(0, len(text) - 520))
        if post >= 0 and _WORDPRESS.fullmatch(text, post):
            text = text[:post].rstrip()
            continue
        offset = max(0, len(text) - _TAIL_CHARS)
        match = _TEASER_TAIL.search(text, offset)
        if match is None:
            break
        head = text[: match.start()].rstrip()
        phrase = match.group("phrase")
        if phrase and not (phrase[0].isupper() or head.endswith(_ENDS_SENTENCE)):
            break
        if match.group("dots"):
            head = head.rstrip(" .…") + "…"
        text = head.rstrip(" |-–—")
    return text


def repeats_title(text: str, title: str) -> bool:
    """Whether ``text`` says only the title again (its words, case and punctuation aside)."""
    words = _words(title)
    return bool(words) and _words(text) == words


def body_without_headline(body: str, title: str) -> str:
    """The body without a first heading or paragraph that only repeats the title (a
    page's full text starts with its headline; a one-sentence feed item's title is its
    text): the title is shown above it already."""
    text = body.lstrip()
    first, _, rest = text.partition("\n")
    if first.startswith("#") and repeats_title(first, title):
        return rest.lstrip("\n")
    first, _, rest = text.partition("\n\n")
    if len(first) <= 4 * len(title) + 20 and repeats_title(first, title):
        return rest.lstrip("\n")
    return body


def _words(text: str) -> list[str]:
    return _WORDS.findall(_squash(text).casefold())


_WORDS = re.compile(r"\w+")


def _squash(text: str) -> str:
    if "[" in text or "*" in text or "_" in text or "`" in text:
        text = _MARKDOWN_NOISE.sub(lambda m: m.group(1) or "", text)
        if "_" in text or "*" in text or "`" in text:  # (a link's text kept its own)
            text = _EMPHASIS.sub("", text)
    return " ".join(text.split())


_EMPHASIS = re.compile(r"[*_`]{1,3}")
_SPACE_OR_ESCAPE = re.compile(r"[\s\\]+")


def _bare(text: str) -> str:
    """A text of no words ("!!!") as it reads: Markdown, spaces and escapes aside."""
    return _SPACE_OR_ESCAPE.sub("", _squash(text))


def with_derived_takeaways(article: Article) -> Article:
    """The article with derived takeaways when it carries none of its own.

    Authored takeaways are always kept as they are.  Derived ones are marked
    ``takeaways_derived``; an article whose text is too short gets none.
    """
    if article.takeaways or not article.body:
        return article
    # A dek that only repeats the body's start is not shown (see the article view):
    # the body's lead sentence is then welcome among the takeaways.
    dek = "" if dek_repeats_body(article.summary, article.body) else article.summary
    chosen = derive_takeaways(article.body, summary=dek, title=article.title)
    if not chosen:
        return article
    return article.with_changes(takeaways=tuple(chosen), takeaways_derived=True)
