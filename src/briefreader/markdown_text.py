"""The words a reader sees of the Markdown a body is stored as: what a dek, a
takeaway and a search snippet show as plain text.

A body is Markdown (:mod:`briefreader.sources.htmlrender` makes it of feed HTML):
images ``![alt](src)``, links ``[text](url)`` (an image inside a link, ``[![alt](thumb)](full)``,
as many sites wrap their pictures), inline code, emphasis, hard line breaks (``\\``
at a line's end), escapes; and a figure's caption is emphasised, in the paragraphs
straight after the image (:func:`kinds`).  Text cut out of it and shown plain showed
that syntax: a dek read ``![](http://…/image.jpg)\\ !!!``, a takeaway "…63%
![Прикрепленное изображение](http://…)", a dek "researchers observed or `policy.`"
(the regular expressions took a linked image's ``[`` for a link's and left the rest).

Every pattern here runs in time linear in the text (hostile input is normal input:
a body of ten thousand backticks once took seconds to show).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator

__all__ = ["IMAGE", "IMAGES_ONLY", "inline_plain", "kinds", "link_plain"]

# A link's or an image's text holds no unescaped bracket; its address no bracket, no
# space and no parenthesis but one balanced pair (the feed reader percent-encodes
# them; a Markdown file's link may hold "Foo_(bar)").  So a match that fails stops at
# the next bracket, and hostile text ("[a" forty thousand times) costs time in
# proportion to its length (the patterns before took 15 s for those 40 KB).
_ALT = r"(?:\\.|[^\[\]\\\n])*"
_URL = r"\((?:[^()\[\]\s]|\([^()\[\]\s]*\))*\)"  # (one level of parentheses: wiki/Foo_(bar))
#: An image (its alt text may hold escaped brackets).
IMAGE = re.compile(rf"!\[({_ALT})\]{_URL}")
#: A paragraph of images alone (linked or not).
IMAGES_ONLY = re.compile(rf"(?:\[?!\[{_ALT}\]{_URL}(?:\]{_URL})?\s*)+")
_LINK = re.compile(rf"\[((?:\\.|[^\[\]\\])*)\]{_URL}")
_TICKS = re.compile(r"`+")
#: A run of emphasis or strike-through marks that opens or closes (touches a word on
#: one side, a space, a mark or an end on the other); "5 * 3" and snake_case stay.
_MARKS = re.compile(
    r"(?<![\w*\\])\*+(?=[^\s*])|(?<=[^\s*\\])\*+(?![\w*])"
    r"|(?<![\w_\\])_+(?=[^\s_])|(?<=[^\s_\\])_+(?![\w_])"
    r"|(?<![\w~\\])~~(?=[^\s~])|(?<=[^\s~\\])~~(?![\w~])"
)  # (not an escaped one: "\*" is a star)
_HARD_BREAK = re.compile(r"\\\n|\\$", re.MULTILINE)
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~=])")
_HOLD = "\x00"
_TICK = "\x01"


def inline_plain(text: str, *, alt: bool = True) -> str:
    """``text``'s inline Markdown as what it says: an image as its alt text (``alt``,
    as the sentence around it may need it: "Tap ![gear](…) then Privacy"; else left
    out), a link (an image inside it too) as its text, inline code as its content
    (read as nothing else), emphasis and strike-through as their content, a hard line
    break a space, an escaped character itself.  Newlines are kept."""
    codes: list[str] = []
    if "`" in text:
        # (An escaped backtick is one, never a code span's: "\\```" starts a line of
        # feed text that only looks like a fence.)
        text = text.replace(_HOLD, "").replace("\\`", _TICK)
        text = _hold_code(text, codes).replace(_TICK, "`")
    if "![" in text:
        text = IMAGE.sub(lambda m: _ESCAPED.sub(r"\1", m.group(1)) if alt else "", text)
    if "](" in text:
        for _ in range(3):  # (a link inside a link's text: rare, and bounded)
            linked = _LINK.sub(lambda m: m.group(1), text)
            if linked == text:
                break
            text = linked
    if "*" in text or "_" in text or "~" in text:
        text = _MARKS.sub("", text)
    if "\\" in text:
        text = _ESCAPED.sub(r"\1", _HARD_BREAK.sub(" ", text))
    if codes:
        text = re.sub(f"{_HOLD}(\\d+){_HOLD}", lambda m: codes[int(m.group(1))], text)
    return text


#: Emphasis a writer of Markdown means and plain text rarely holds: ``**words**``,
#: ``*words*`` from a word's start to a word's end, between spaces or punctuation
#: ("2*(3+4)", "*args", "*.pyc: 2*" stay).
_STRONG = re.compile(r"(?<![\w*\\])\*\*(\w(?:[^*\n]*\w)?)\*\*(?=[\s.,;:!?)\]\"'’”]|$)")
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(\w(?:[^*\n]*\w)?)\*(?=[\s.,;:!?)\]\"'’”]|$)")


def link_plain(text: str) -> str:
    """``text`` with the Markdown a writer of a brief's dek or takeaway means shown as
    what it says — a picture as its alt text, a link as its text, ``**strong**`` and
    ``*emphasis*`` as their words — and every other character as it is: such text may
    be plain (a feed's, a pasted brief's), where "*args", "__init__", "\\server" and
    backticks are the writer's characters."""
    if "](" in text:
        text = IMAGE.sub(lambda m: _ESCAPED.sub(r"\1", m.group(1)), text)
        for _ in range(3):
            linked = _LINK.sub(lambda m: m.group(1), text)
            if linked == text:
                break
            text = linked
    if "*" in text:
        text = _EMPHASIS.sub(r"\1", _STRONG.sub(r"\1", text))
    return text


def _hold_code(text: str, codes: list[str]) -> str:
    """``text`` with each code span (a run of backticks to the next run of as many)
    replaced by a placeholder, its content kept in ``codes``; a run with no match is
    text.  Linear: each run's closer is found by bisection among the runs as long."""
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    out: list[str] = []
    at = 0
    index = 0
    while index < len(runs):
        start, end = runs[index]
        if start < at:
            index += 1
            continue
        same = by_length[end - start]
        later = bisect.bisect_right(same, index)
        if later == len(same):
            index += 1
            continue
        closer = same[later]
        out.append(text[at:start])
        out.append(f"{_HOLD}{len(codes)}{_HOLD}")
        codes.append(text[end : runs[closer][0]])
        at = runs[closer][1]
        index = closer + 1
    out.append(text[at:])
    return "".join(out)


def kinds(blocks: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Each Markdown paragraph with what it is: ``"images"`` (images alone),
    ``"caption"`` (wholly emphasised, straight after images alone or after another
    caption: a figure's caption, which may be several paragraphs) or ``"text"``."""
    after_figure = False
    for block in blocks:
        stripped = block.strip()
        if IMAGES_ONLY.fullmatch(stripped):
            kind = "images"
        elif after_figure and _emphasised(stripped):
            kind = "caption"
        else:
            kind = "text"
        after_figure = kind != "text"
        yield kind, block


def _emphasised(stripped: str) -> bool:
    return len(stripped) > 2 and stripped[0] in "*_" and stripped[-1] == stripped[0]
