"""The readable sections of a Markdown brief (see :mod:`briefreader.sources.markdown`
for the format): the title, the dek, the image caption, the Key Takeaways, the
editor's analysis, the body and the related links, found line by line after the
front matter.  Every helper reads a line in linear time (no backtracking); code
blocks are masked first so a heading inside one is never taken for a section."""

from __future__ import annotations

from dataclasses import dataclass, field

from briefreader.model import Analysis, RelatedLink
from briefreader.sources.vocabulary import (
    analysis_label,
    is_takeaways_heading,
    norm,
    strip_ordinals,
)

__all__ = ["Sections", "link_item", "read_sections"]

_RELATED_HEADINGS = frozenset(
    {
        "related articles",
        "related",
        "related stories",
        "related links",
        "related reading",
        "see also",
        "further reading",
    }
)
_BODY_HEADINGS = frozenset(
    {"body", "article body", "story", "full story", "article", "full article"}
)

_NO_RELATED = frozenset({"no related articles found", "no related articles"})


# ---------------------------------------------------------------------------------
# line helpers (linear, no backtracking)


def _heading(line: str) -> tuple[int, str] | None:
    """An ATX heading → ``(level, text)``."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or not body.startswith("#"):
        return None
    hashes = len(body) - len(body.lstrip("#"))
    if hashes > 6:
        return None
    rest = body[hashes:]
    if rest and rest[0] not in " \t":
        return None
    text = rest.strip(" \t")
    closed = text.rstrip("#")
    if not closed:
        text = ""
    elif closed != text and closed[-1] in " \t":
        text = closed.rstrip(" \t")
    return hashes, text


def _code_mask(lines: list[str]) -> list[bool]:
    """True for the lines of fenced code blocks (fences included)."""
    mask = [False] * len(lines)
    fence_char = ""
    fence = ""
    for i, line in enumerate(lines):
        body = line.lstrip(" ")
        indented = len(line) - len(body) > 3
        if not fence_char:
            if indented or not body.startswith(("```", "~~~")):
                continue
            char = body[0]
            count = len(body) - len(body.lstrip(char))
            if char == "`" and "`" in body[count:]:
                continue
            fence_char, fence = char, body[:count]
            mask[i] = True
        else:
            mask[i] = True
            closing = not indented and body.startswith(fence)
            if closing and not body.lstrip(fence_char).strip():
                fence_char, fence = "", ""
    return mask


def _list_item(line: str) -> str | None:
    """The text of a list item line (``- x``, ``* x``, ``+ x``, ``• x``, ``1. x``, ``1) x``)."""
    s = line.lstrip(" \t")
    if not s:
        return None
    if s[0] in "-*+•" and (len(s) == 1 or s[1] in " \t"):
        if s[0] in "-*" and len(s.replace(" ", "")) >= 3 and not s.replace(" ", "").strip(s[0]):
            return None  # a thematic break such as "- - -" or "***"
        return s[1:].strip(" \t")
    digits = len(s) - len(s.lstrip("0123456789"))
    if 0 < digits <= 9 and len(s) > digits and s[digits] in ".)":
        after = s[digits + 1 :]
        if not after or after[0] in " \t":
            return after.strip(" \t")
    return None


def _is_blank(line: str) -> bool:
    return not line.strip()


def _kicker(line: str) -> str | None:
    s = line.strip()
    for mark in ("*", "_"):
        if len(s) > 9 and s.startswith(mark) and s.endswith(mark):
            inner = s[1:-1].strip()
            if inner[:7].casefold() == "kicker:":
                return inner[7:].strip()
    return None


def _byline(line: str) -> str | None:
    s = line.strip()
    for prefix in ("— ", "-- "):
        if s.startswith(prefix):
            return s[len(prefix) :].strip() or None
    if s[:3].casefold() == "by " and len(s) > 3:
        return s[3:].strip()
    return None


def _image_caption(lines: list[str]) -> str | None:
    if len(lines) != 1:
        return None
    s = lines[0].strip()
    for mark in ("*", "_"):
        if len(s) > 2 and s.startswith(mark) and s.endswith(mark):
            inner = s[1:-1]
            low = inner[:9].casefold()
            for prefix in ("image:", "caption:", "photo:"):
                if low.startswith(prefix):
                    return inner[len(prefix) :].strip() or None
    if s.startswith("![") and s.endswith(")"):
        close = s.find("](")
        if close > 2:
            return s[2:close].strip() or None
    return None


def _plain_paragraph(first: str) -> bool:
    s = first.strip()
    if s.startswith(("#", ">", "|", "<", "```", "~~~", "![")):
        return False
    if _list_item(s) is not None:
        return False
    compact = s.replace(" ", "")
    return not (len(compact) >= 3 and compact[0] in "-*_=" and not compact.strip(compact[0]))


def link_item(text: str) -> RelatedLink | None:
    s = text.strip()
    if not s or norm(s) in _NO_RELATED:
        return None
    if s.startswith("[") and s.endswith(")"):
        mid = s.rfind("](")
        if mid > 0:
            title, url = s[1:mid].strip(), s[mid + 2 : -1].strip()
            if url.startswith("<") and url.endswith(">"):
                url = url[1:-1]
            return RelatedLink(title or url, url)
    if s.startswith("<") and s.endswith(">") and "://" in s:
        url = s[1:-1].strip()
        return RelatedLink(url, url)
    if s.startswith(("http://", "https://")) and not any(ch.isspace() for ch in s):
        return RelatedLink(s, s)
    return RelatedLink(s)


# ---------------------------------------------------------------------------------
# sections


@dataclass(slots=True)
class Sections:
    title: str = ""
    first_line: str = ""
    summary: str = ""
    image_caption: str = ""
    takeaways: list[str] = field(default_factory=list)
    analysis: Analysis | None = None
    body: str = ""
    related: list[RelatedLink] = field(default_factory=list)


class _BodyBuilder:
    """Collects body lines; a gap (removed heading or section) becomes one blank line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.gap = False

    def add(self, lines: list[str]) -> None:
        if not lines:
            return
        if self.gap and self.lines:
            while self.lines and _is_blank(self.lines[-1]):
                self.lines.pop()
            self.lines.append("")
            start = 0
            while start < len(lines) and _is_blank(lines[start]):
                start += 1
            lines = lines[start:]
        self.gap = False
        self.lines.extend(lines)

    def text(self) -> str:
        start, end = 0, len(self.lines)
        while start < end and _is_blank(self.lines[start]):
            start += 1
        while end > start and _is_blank(self.lines[end - 1]):
            end -= 1
        return "\n".join(self.lines[start:end])


def _paragraph_end(lines: list[str], mask: list[bool], start: int) -> int:
    end = start
    while end < len(lines) and not _is_blank(lines[end]) and not mask[end]:
        if end > start and _heading(lines[end]) is not None:
            break
        end += 1
    return end


def _takeaways(lines: list[str], mask: list[bool]) -> tuple[list[str], list[str]]:
    """A takeaways section → (items, leftover body lines)."""
    items: list[list[str]] = []
    in_list = False
    after_blank = False
    ordered = False  # numbered by Markdown: the items' ordinals are gone already
    for idx, line in enumerate(lines):
        if _is_blank(line):
            after_blank = True
            continue
        if mask[idx]:
            return _joined(items, ordered), lines[idx:]
        text = _list_item(line)
        if text is not None:
            items.append([text])
            in_list = True
            ordered = ordered or line.lstrip(" \t")[:1].isdigit()
        elif in_list:
            if after_blank and not line.startswith((" ", "\t")):
                return _joined(items, ordered), lines[idx:]  # a paragraph after the list: body
            items[-1].append(line.strip())
        elif items and not after_blank:
            items[-1].append(line.strip())
        else:
            items.append([line.strip()])  # a paragraph before any list item: one item
        after_blank = False
    return _joined(items, ordered), []


def _joined(items: list[list[str]], ordered: bool) -> list[str]:
    texts = [t for t in (" ".join(p for p in parts if p) for parts in items) if t]
    return texts if ordered else [t for t in strip_ordinals(texts) if t]


def _analysis(label: str, title: str, lines: list[str], mask: list[bool]) -> Analysis | None:
    start, end = 0, len(lines)
    while start < end and _is_blank(lines[start]):
        start += 1
    if not title and start < end and not mask[start]:
        head = _heading(lines[start])
        if head is not None and head[0] == 3:
            title = head[1]
            start += 1
    byline = kicker = ""
    while True:
        while end > start and _is_blank(lines[end - 1]):
            end -= 1
        if end <= start or mask[end - 1]:
            break
        last = lines[end - 1]
        found = _kicker(last) if not kicker else None
        if found is not None:
            kicker = found
            end -= 1
            continue
        found = _byline(last) if not byline else None
        if found is not None:
            byline = found
            end -= 1
            continue
        break
    while start < end and _is_blank(lines[start]):
        start += 1
    if not kicker and start < end and not mask[start]:
        found = _kicker(lines[start])
        if found is not None:
            kicker = found
            start += 1
            while start < end and _is_blank(lines[start]):
                start += 1
    body = "\n".join(lines[start:end])
    if not (body or title):
        return None
    return Analysis(body=body, label=label, title=title, byline=byline, kicker=kicker)


def read_sections(text: str, fm_summary: str | None) -> Sections:
    out = Sections()
    lines = text.split("\n")
    mask = _code_mask(lines)
    n = len(lines)
    i = 0
    while i < n and _is_blank(lines[i]):
        i += 1
    for line in lines[i:]:
        if any(ch.isalnum() for ch in line):
            out.first_line = line.strip()
            break
    if i < n:
        head = None if mask[i] else _heading(lines[i])
        if head is not None and head[0] == 1:
            out.title = head[1]
            i += 1
        elif (
            head is None
            and not mask[i]
            and i + 1 < n
            and lines[i + 1].strip()
            and not lines[i + 1].strip().strip("=")
            and _plain_paragraph(lines[i])
        ):
            out.title = lines[i].strip()
            i += 2

    def is_h2(k: int) -> bool:
        if mask[k]:
            return False
        head = _heading(lines[k])
        return head is not None and head[0] == 2

    # preamble: dek, image caption, then body
    j = i
    while j < n and not is_h2(j):
        j += 1
    body = _BodyBuilder()
    pos = i
    got_dek = got_caption = False
    for _ in range(2):
        start = pos
        while start < j and _is_blank(lines[start]):
            start += 1
        if start >= j or mask[start]:
            break
        end = min(_paragraph_end(lines, mask, start), j)
        para = lines[start:end]
        caption = _image_caption(para)
        if caption is not None and not got_caption:
            out.image_caption, got_caption = caption, True
            pos = end
            continue
        if not got_dek and _plain_paragraph(para[0]):
            dek = " ".join(line.strip() for line in para)
            if fm_summary is None:
                out.summary, got_dek = dek, True
                pos = end
                continue
            if " ".join(dek.split()) == " ".join(fm_summary.split()):
                got_dek = True
                pos = end
                continue
        break
    body.add(lines[pos:j])

    # sections
    seen_analysis = False
    while j < n:
        k = j + 1
        while k < n and not is_h2(k):
            k += 1
        head = _heading(lines[j])
        heading = head[1] if head else ""
        key = norm(heading)
        content, content_mask = lines[j + 1 : k], mask[j + 1 : k]
        analysis_head = analysis_label(heading)
        if is_takeaways_heading(heading):
            items, leftover = _takeaways(content, content_mask)
            out.takeaways.extend(items)
            body.gap = True
            body.add(leftover)
            body.gap = True
        elif analysis_head is not None and not seen_analysis:
            seen_analysis = True
            out.analysis = _analysis(analysis_head[0], analysis_head[1], content, content_mask)
            body.gap = True
        elif key in _RELATED_HEADINGS:
            for idx, line in enumerate(content):
                if _is_blank(line) or content_mask[idx]:
                    continue
                item = _list_item(line)
                link = link_item(item if item is not None else line)
                if link is not None:
                    out.related.append(link)
            body.gap = True
        elif key in _BODY_HEADINGS:
            body.gap = True
            body.add(content)
        else:
            body.add(lines[j:k])
        j = k
    out.body = body.text()
    return out
