"""The words a reader sees of the Markdown a body is stored as: what a dek, a
takeaway and a search snippet show as plain text.

A body is Markdown (:mod:`briefreader.sources.htmlrender` makes it of feed HTML):
images ``![alt](src)``, links ``[text](url)`` (an image inside a link, ``[![alt](thumb)](full)``,
as many sites wrap their pictures), inline code, emphasis, hard line breaks (``\\``
at a line's end), escapes; and a figure's caption is its own paragraph, emphasised,
straight after the image (:func:`is_caption`).  Text cut out of it and shown plain
showed that syntax: a dek read ``![](http://…/image.jpg)\\ !!!``, a takeaway "…63%
![Прикрепленное изображение](http://…)", a dek "researchers observed or `policy.`"
(the regular expressions took a linked image's ``[`` for a link's and left the rest).
"""

from __future__ import annotations

import re

__all__ = ["IMAGE", "IMAGES_ONLY", "inline_plain", "is_caption"]

#: An image (its alt text may hold escaped brackets).
IMAGE = re.compile(r"!\[(?:\\.|[^\]\\])*\]\([^)\s]*\)")
#: A paragraph of images alone (linked or not).
IMAGES_ONLY = re.compile(r"(?:\[?!\[[^\]\n]*\]\([^)\n]*\)(?:\]\([^)\n]*\))?\s*)+")
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)")
_CODE = re.compile(r"(`+)(.+?)\1")
_EMPHASIS = re.compile(r"(?<![\w*\\])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=[^\s\\])\1(?![\w*])")
_HARD_BREAK = re.compile(r"\\\n|\\$", re.MULTILINE)
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def inline_plain(text: str) -> str:
    """``text``'s inline Markdown as what it says: images left out, a link (an image
    inside it too) as its text, inline code and emphasis as their content, a hard
    line break a space, an escaped character itself.  Newlines are kept."""
    if "![" in text:
        text = IMAGE.sub("", text)
    if "](" in text:
        for _ in range(3):  # (a link inside a link's text: rare, and bounded)
            linked = _LINK.sub(lambda m: m.group(1), text)
            if linked == text:
                break
            text = linked
    if "`" in text:
        text = _CODE.sub(lambda m: m.group(2).strip(), text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    if "\\" in text:
        text = _ESCAPED.sub(r"\1", _HARD_BREAK.sub(" ", text))
    return text


def is_caption(block: str, previous: str) -> bool:
    """Whether the Markdown paragraph ``block`` is a figure's caption: wholly
    emphasised, straight after a paragraph of images alone (``previous``)."""
    stripped = block.strip()
    return (
        len(stripped) > 2
        and stripped[0] in "*_"
        and stripped[-1] == stripped[0]
        and IMAGES_ONLY.fullmatch(previous.strip()) is not None
    )
