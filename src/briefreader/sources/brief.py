"""Reader for plain-text briefs: the copy-paste export of a news page.

A brief pasted from a news site looks like this (every part but the title is
optional; blank lines separate the parts)::

    Title line
    26 Nov 2026                      (optional: a date line and/or a URL line)
    https://example.org/story

    Dek: the summary paragraph.

    Image caption: one short line describing the photo.

    Key Takeaways                    (or Key Points, Highlights, TL;DR, … any case)
      • 1First point, ordinal glued to the text
      • 2Second point

    Editor's                         (the analysis label, on one line or two;
    Desk                              curly or straight apostrophe)

    Analysis Title                   (a short line)

    Analysis paragraph(s).

    Byline Editorial                 (the byline group: byline, kicker, source;
    Kicker                            short lines without final punctuation)
    Source Name

    Body paragraphs …

    Share Article                    (page chrome: dropped)
    Related Articles
    📰
    No related articles found        (or related titles, optionally with URLs)

How each part is recognised:

* **Title**: the first non-empty line (a leading ``#`` is dropped), cut at a word
  boundary to at most 200 characters; when it had to be cut the whole line also
  starts the body, so no text is lost.
* **Header**: the blocks between the title and the first structural marker (a
  takeaways heading or the analysis label; with neither, all blocks).  Lines
  right under the title and single-line blocks among the first four that are a
  date, a URL or ``By Name`` give ``published``, ``url`` and ``author``.  The
  first remaining block is the dek (``summary``).  When a marker closes the
  header and at most two blocks follow the dek, the last of them is the image
  caption if it is a single line of at most 300 characters (any block between is
  body).  A single line starting ``Image:``/``Photo:``/``Caption:`` right after
  the dek is a caption in any case.
* **Takeaways**: the lines after the heading (honoured once, and only before
  any body text).  A list is *bulleted* (``•``, ``·``, ``-``, ``*``, ``–``,
  ``▪``, ``●``, ``◦`` …; lines without a bullet continue the previous item),
  *numbered* (no bullets, each item starts with its ordinal; other lines continue
  the previous item) or *plain* (no bullets or ordinals: each line of the first
  block is an item).  Bulleted and numbered lists may span blank lines.
* **Ordinals**: the due-ordinal rule of :func:`~briefreader.sources.vocabulary.strip_ordinals`
  (``• 1Microsoft …`` → ``Microsoft …``; ``1.5 million …`` is never an ordinal), the
  same rule as every other reader's.
* **Analysis**: the label is one :func:`~briefreader.sources.vocabulary.analysis_label`
  knows (Editor's Desk/Note/Analysis …, Analysis, Why it matters …), alone on its line
  or followed by a title (``Analysis: Title``).  After the label, a short single line is the analysis title; the
  paragraphs up to the byline group are its body.  The byline group is a block
  of one to four short lines within the first four paragraphs (a single line
  only if it reads as a byline — ``— Name``, ``By Name``, ``… Editorial`` — or
  follows the first paragraph).  With no byline group the analysis is one
  paragraph.  A group of two or more lines may also follow the analysis title
  directly (an analysis with a title and no text).  In the group: the first
  line is the byline; with three or more lines the last is the source and the
  ones between the kicker; with two, the second is the source unless it reads as
  a kicker ("Strategic Insight") and is not part of the byline.  Only the first
  label counts; it is normalised to a straight apostrophe ("Editor's Desk").
* **Page chrome**: from the first "Share Article"/"Related Articles"/"No
  related articles found" line after the last long (300+ characters) line that
  is followed only by chrome phrases and icons up to a "Related …" heading,
  everything is chrome; lines after a "Related …" heading (other than icons and
  chrome phrases) become ``related`` links, a URL line giving the previous title
  its URL.  A lone "Share Article" or "Advertisement" paragraph elsewhere is dropped.
* **Unstructured text** (no takeaways heading, no analysis label, no chrome):
  title = first line, body = the rest, verbatim.
* When the text has no blank lines at all, every line is its own paragraph.

The body is the remaining paragraphs, their lines trimmed, joined by blank
lines; neither it nor the analysis is Markdown-escaped (the app draws both as
Markdown: a pasted line starting ``#`` or ``*`` will render as Markdown).  Everything here is linear in the size of the input (no
regular expression at all), and nothing raises on arbitrary text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from briefreader.model import Analysis, Article, RelatedLink, article_id, parse_datetime
from briefreader.sources.vocabulary import (
    EDITOR_WORDS,
    LABEL_WORDS,
    MARKER_MAX,
    analysis_label,
    editor_label,
    is_takeaways_heading,
    norm,
    ordinal_rest,
    straight_apostrophes,
    strip_ordinals,
)

__all__ = ["parse"]

TITLE_MAX = 200
_CAPTION_MAX = 300
_RELATED_MAX = 50

_CHROME = {
    "related articles": "related",
    "related stories": "related",
    "related": "related",
    "related news": "related",
    "related posts": "related",
    "related content": "related",
    "related reading": "related",
    "more stories": "related",
    "more like this": "related",
    "you may also like": "related",
    "read more": "related",
    "read next": "related",
    "further reading": "related",
    "see also": "related",
    "recommended": "related",
    "recommended articles": "related",
    "share article": "share",
    "share this article": "share",
    "share this story": "share",
    "share story": "share",
    "share this": "share",
    "share": "share",
    "no related articles found": "none",
    "no related articles": "none",
    "no related stories found": "none",
    "advertisement": "junk",
}

_STRONG_BULLETS = frozenset("•·▪●◦‣∙○■□►▸▹➤➢✓✔→⁃◆◇⦁")
_WEAK_BULLETS = frozenset("-*+–—")

_BYLINE_ENDINGS = frozenset(
    {
        "editorial",
        "desk",
        "staff",
        "team",
        "board",
        "correspondent",
        "reporter",
        "editors",
        "bureau",
        "newsroom",
    }
)
_KICKER_WORDS = frozenset(
    {
        "insight",
        "insights",
        "analysis",
        "perspective",
        "view",
        "viewpoint",
        "outlook",
        "take",
        "watch",
        "opinion",
        "commentary",
        "explainer",
        "focus",
        "spotlight",
        "briefing",
        "context",
    }
)
_CAPTION_PREFIXES = ("image:", "caption:", "photo:", "pictured:", "picture:", "illustration:")
_DATE_PREFIXES = ("published:", "published", "updated:", "updated", "posted:", "posted on", "date:")
_URL_PREFIXES = ("url:", "link:", "source:", "original:")


# ---------------------------------------------------------------------------------
# small line predicates (all linear, most bail out on long lines)


def _is_editor_word(s: str) -> bool:
    return len(s) <= 20 and straight_apostrophes(s.strip().strip("#*_ ")).casefold() in EDITOR_WORDS


def _is_label_word(s: str) -> bool:
    return len(s) <= 20 and norm(s) in LABEL_WORDS


def _chrome_kind(s: str) -> str | None:
    if len(s) > MARKER_MAX:
        return None
    return _CHROME.get(norm(s))


def _is_icon(s: str) -> bool:
    return 0 < len(s) <= 3 and not any(ch.isalnum() for ch in s)


def _is_url(s: str) -> bool:
    low = s[:8].casefold()
    return (
        low.startswith(("http://", "https://"))
        and len(s) > 10
        and not any(ch.isspace() for ch in s)
    )


def _split_bullet(line: str) -> tuple[str, bool]:
    s = line.strip()
    if not s:
        return "", False
    if s[0] in _STRONG_BULLETS:
        return s[1:].lstrip(), True
    if s[0] in _WEAK_BULLETS and len(s) > 1 and s[1].isspace():
        return s[1:].lstrip(), True
    return s, False


def _is_short(s: str) -> bool:
    s = s.strip()
    return (
        0 < len(s) <= 80
        and len(s.split()) <= 10
        and s[-1] not in ".!?;:,"
        and (s[0] in "—–" or not _split_bullet(s)[1])
    )


def _is_bylineish(s: str) -> bool:
    s = s.strip()
    if s.startswith(("—", "– ", "-- ")) or s[:3].casefold() == "by ":
        return True
    words = s.split()
    return bool(words) and words[-1].casefold().strip(".") in _BYLINE_ENDINGS


def _clean_byline(s: str) -> str:
    s = s.strip()
    for prefix in ("—", "–", "--"):
        if s.startswith(prefix):
            return s[len(prefix) :].strip()
    if s[:3].casefold() == "by " and len(s) > 3:
        return s[3:].strip()
    return s


def _meta(s: str) -> tuple[str, str | datetime] | None:
    """A header line that is a URL, a date or ``By Name``."""
    s = s.strip()
    if not s or len(s) > 4096:
        return None
    low = s[:16].casefold()
    for prefix in _URL_PREFIXES:
        if low.startswith(prefix) and _is_url(s[len(prefix) :].strip()):
            return "url", s[len(prefix) :].strip()
    if _is_url(s):
        return "url", s
    if len(s) > 60:
        return None
    candidate = s
    for prefix in _DATE_PREFIXES:
        if low.startswith(prefix):
            candidate = s[len(prefix) :].strip()
            break
    if 6 <= len(candidate) <= 40 and sum(ch.isdigit() for ch in candidate) >= 4:
        published = parse_datetime(candidate)
        if published is not None and 1900 <= published.year <= 2200:
            return "published", published
    words = s.split()
    if (
        low.startswith("by ")
        and 2 <= len(words) <= 6
        and all(w[:1].isupper() for w in words[1:] if w.isalpha() and len(w) > 3)
        and words[1][:1].isupper()
        and s[-1] not in ".!?"
    ):
        return "author", s[3:].strip()
    return None


# ---------------------------------------------------------------------------------
# blocks


@dataclass(slots=True)
class _Block:
    lines: list[str]
    kind: str = "text"  # text | takeaways | analysis | junk
    label: str = ""
    title: str = ""
    raw: list[str] = field(default_factory=list)

    @property
    def single(self) -> bool:
        return len(self.lines) == 1

    def text(self, sep: str = "\n") -> str:
        return sep.join(line.strip() for line in self.lines)

    def as_text(self) -> _Block:
        return _Block(self.raw or self.lines)


def _tokenise(lines: list[str], blankless: bool) -> list[_Block]:
    blocks: list[_Block] = []
    cur: list[str] = []

    def flush() -> None:
        if cur:
            if blankless:
                blocks.extend(_Block([line]) for line in cur)
            else:
                blocks.append(_Block(list(cur)))
            cur.clear()

    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        s = line.strip()
        if not s:
            flush()
            i += 1
            continue
        if len(s) <= 160:
            if is_takeaways_heading(s):
                flush()
                blocks.append(_Block([s], "takeaways", raw=[line]))
                i += 1
                continue
            label = analysis_label(s)
            if label is not None:
                flush()
                blocks.append(_Block([s], "analysis", label[0], label[1], raw=[line]))
                i += 1
                continue
            if _is_editor_word(s):
                j = i + 1
                if j < n and not lines[j].strip():
                    j += 1
                if j < n and _is_label_word(lines[j].strip()):
                    flush()
                    second = lines[j].strip()
                    label_text = editor_label([s.strip("#*_ "), second]) or f"{s} {second}"
                    blocks.append(_Block([s, second], "analysis", label_text, raw=lines[i : j + 1]))
                    i = j + 1
                    continue
            kind = _chrome_kind(s)
            if kind in ("share", "none", "junk") and not cur:
                # a lone chrome phrase as its own paragraph: never article text
                nxt = lines[i + 1].strip() if i + 1 < n else ""
                if not nxt or _chrome_kind(nxt) or _is_icon(nxt):
                    blocks.append(_Block([s], "junk"))
                    i += 1
                    continue
        cur.append(line)
        i += 1
    flush()
    return blocks


def _chrome_start(lines: list[str], start: int) -> int:
    """Index of the line where the trailing page chrome begins (``len(lines)`` if none).

    Chrome starts at a "Share"/"Related"/"No related" line after the last long line,
    provided that only chrome phrases and icons follow it up to a "Related …" heading
    (after which short lines are related titles).
    """
    n = len(lines)
    last_long = start - 1
    for i in range(n - 1, start - 1, -1):
        s = lines[i].strip()
        if len(s) > _CAPTION_MAX and not _is_url(s):
            last_long = i
            break
    i = last_long + 1
    while i < n:
        kind = _chrome_kind(lines[i].strip())
        if kind not in ("related", "share", "none"):
            i += 1
            continue
        j = i
        while j < n:
            s = lines[j].strip()
            k = _chrome_kind(s)
            if k == "related":
                return i
            if s and not k and not _is_icon(s):
                break
            j += 1
        if j >= n:
            return i
        i = j + 1
    return n


def _related(lines: list[str]) -> list[RelatedLink]:
    links: list[RelatedLink] = []
    in_related = False
    for line in lines:
        s = line.strip()
        if not s:
            continue
        kind = _chrome_kind(s)
        if kind == "related":
            in_related = True
            continue
        if kind or not in_related or _is_icon(s) or len(links) >= _RELATED_MAX:
            continue
        if s.startswith("©") or s[:9].casefold() == "copyright":
            continue
        s, _ = _split_bullet(s)
        if _is_url(s):
            if links and not links[-1].url:
                links[-1] = RelatedLink(links[-1].title, s)
            else:
                links.append(RelatedLink(s, s))
            continue
        cut = max(s.rfind(" http://"), s.rfind(" https://"))
        if cut > 0 and _is_url(s[cut + 1 :].rstrip(")>]")):
            url = s[cut + 1 :].rstrip(")>]")
            title = s[:cut].rstrip(" -–—|:(<[")
            links.append(RelatedLink(title or url, url))
            continue
        links.append(RelatedLink(s))
    return links


# ---------------------------------------------------------------------------------
# sections


def _collect_takeaways(blocks: list[_Block], i: int, blankless: bool) -> tuple[list[str], int]:
    n = len(blocks)
    while i < n and blocks[i].kind == "junk":
        i += 1
    if i >= n or blocks[i].kind != "text":
        return [], i
    first = blocks[i].lines[0]
    text, bulleted = _split_bullet(first)
    numbered = not bulleted and ordinal_rest(text, 1) is not None
    items: list[list[str]] = []
    if bulleted or numbered:
        while i < n and blocks[i].kind == "text":
            lines = blocks[i].lines
            head, has_bullet = _split_bullet(lines[0])
            starts = has_bullet if bulleted else ordinal_rest(head, len(items) + 1) is not None
            if not starts:
                break
            for line in lines:
                head, has_bullet = _split_bullet(line)
                if not head:
                    continue
                new = has_bullet if bulleted else ordinal_rest(head, len(items) + 1) is not None
                if new or not items:
                    items.append([head])
                else:
                    items[-1].append(head)
            i += 1
    elif blankless:
        while i < n and blocks[i].kind == "text" and len(blocks[i].lines[0]) <= 250:
            items.append([blocks[i].lines[0].strip()])
            i += 1
    else:
        items = [[line.strip()] for line in blocks[i].lines if line.strip()]
        i += 1
    texts = [" ".join(parts) for parts in items]
    return [t for t in strip_ordinals(texts) if t], i


def _byline_group(blocks: list[_Block], k: int, blankless: bool) -> tuple[list[str], int] | None:
    n = len(blocks)
    if k >= n or blocks[k].kind != "text":
        return None
    if not blankless:
        lines = [line.strip() for line in blocks[k].lines]
        if len(lines) <= 4 and all(_is_short(line) for line in lines):
            return lines, k + 1
        return None
    group: list[str] = []
    j = k
    while j < n and len(group) < 4 and blocks[j].kind == "text" and _is_short(blocks[j].lines[0]):
        group.append(blocks[j].lines[0].strip())
        j += 1
    return (group, j) if group else None


def _collect_analysis(
    blocks: list[_Block], i: int, label: _Block, blankless: bool
) -> tuple[Analysis | None, str, int]:
    """→ (analysis, source, next index)."""
    n = len(blocks)
    title = label.title
    while i < n and blocks[i].kind == "junk":
        i += 1
    if i < n and blocks[i].kind == "analysis":  # a label right after the label: its title
        blocks[i] = blocks[i].as_text()
    if (
        not title
        and i + 1 < n
        and blocks[i].kind == "text"
        and blocks[i].single
        and blocks[i + 1].kind == "text"
    ):
        cand = blocks[i].lines[0].strip()
        if len(cand) <= 120 and len(cand.split()) <= 15 and cand[-1] not in ".!?,;:":
            title = cand
            i += 1
    paras: list[str] = []
    group: list[str] | None = None
    end = i
    k = i
    while k < n and blocks[k].kind == "text" and k - i <= 4:
        found = _byline_group(blocks, k, blankless)
        if found is not None:
            lines, after = found
            if k == i:
                accept = len(lines) >= 2 and after < n  # no analysis text, only the group
            else:
                accept = len(lines) >= 2 or k == i + 1 or _is_bylineish(lines[0])
            if accept:
                group, end = lines, after
                paras = [b.text() for b in blocks[i:k]]
                break
        k += 1
    if group is None:
        if i < n and blocks[i].kind == "text":
            paras, end = [blocks[i].text()], i + 1
        else:
            paras, end = [], i
    byline = kicker = source = ""
    if group:
        byline = _clean_byline(group[0])
        if len(group) >= 3:
            kicker = " · ".join(group[1:-1])
            source = group[-1]
        elif len(group) == 2:
            second = group[1]
            words = second.split()
            kickerish = bool(words) and words[-1].casefold() in _KICKER_WORDS
            if second.casefold() in byline.casefold() or not kickerish:
                source = second
            else:
                kicker = second
    body = "\n\n".join(p for p in paras if p)
    if not (body or title):
        return None, source, end
    return (
        Analysis(body=body, label=label.label, title=title, byline=byline, kicker=kicker),
        source,
        end,
    )


# ---------------------------------------------------------------------------------
# the reader


def _title(line: str) -> tuple[str, bool]:
    s = line.strip()
    if s.startswith("#"):
        stripped = s.lstrip("#")
        if stripped[:1].isspace():
            s = stripped.strip()
    if len(s) <= TITLE_MAX:
        return s, False
    cut = s.rfind(" ", 0, TITLE_MAX)
    if cut < TITLE_MAX // 2:
        cut = TITLE_MAX - 1
    return s[:cut].rstrip() + "…", True


def _caption_text(block: _Block, explicit_only: bool) -> str | None:
    if not block.single:
        return None
    s = block.lines[0].strip()
    low = s[:16].casefold()
    for prefix in _CAPTION_PREFIXES:
        if low.startswith(prefix):
            if prefix in ("image:", "caption:"):
                return s[len(prefix) :].strip() or None
            return s
    if explicit_only or len(s) > _CAPTION_MAX:
        return None
    return s


def parse(text: str, origin: str) -> list[Article]:
    """Parse a plain-text brief into one article (none for blank text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = [line.rstrip() for line in text.split("\n")]
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return []
    title, truncated = _title(lines[start])

    rest_start = start + 1
    chrome_at = _chrome_start(lines, rest_start)
    content = lines[rest_start:chrome_at]
    related = _related(lines[chrome_at:])

    url = author = ""
    published: datetime | None = None

    def take_meta(s: str) -> bool:
        nonlocal url, author, published
        found = _meta(s)
        if found is None:
            return False
        key, value = found
        if key == "url" and not url and isinstance(value, str):
            url = value
        elif key == "published" and published is None and isinstance(value, datetime):
            published = value
        elif key == "author" and not author and isinstance(value, str):
            author = value
        else:
            return False
        return True

    # lines right under the title (no blank line between) that are a date/URL/byline
    for j, line in enumerate(content):
        if not line.strip() or not take_meta(line):
            break
        content[j] = ""

    nonblank = [i for i, line in enumerate(content) if line.strip()]
    blankless = len(nonblank) >= 2 and all(b - a == 1 for a, b in pairwise(nonblank))
    blocks = _tokenise(content, blankless)

    structured = chrome_at < len(lines) or any(b.kind in ("takeaways", "analysis") for b in blocks)
    if structured:
        parts = _structured(blocks, blankless, take_meta)
        body = parts.body
    else:
        parts = _Parts()
        body = _unstructured_body(content, take_meta)
    if truncated:
        body = lines[start].strip() + ("\n\n" + body if body else "")
    source = parts.source
    return [
        Article(
            id=article_id(url=url, title=title, source=source, published=published),
            title=title,
            summary=parts.summary,
            url=url,
            source=source,
            author=author,
            published=published,
            image_caption=parts.caption,
            takeaways=tuple(parts.takeaways),
            analysis=parts.analysis,
            body=body,
            related=tuple(related),
            origin=origin,
        )
    ]


def _unstructured_body(content: list[str], take_meta: Callable[[str], bool]) -> str:
    """The body of a brief without structure: the text verbatim, less the header
    metadata among its first three paragraphs (single lines)."""
    body_lines = list(content)
    seen = 0
    for idx, line in enumerate(body_lines):
        if seen >= 3:
            break
        if not line.strip():
            continue
        seen += 1
        lonely = (idx == 0 or not body_lines[idx - 1].strip()) and (
            idx + 1 >= len(body_lines) or not body_lines[idx + 1].strip()
        )
        if lonely and take_meta(line):
            body_lines[idx] = ""
    body = "\n".join(body_lines).strip("\n")
    return "\n".join(_collapse_blank_runs(body.split("\n")))


@dataclass(slots=True)
class _Parts:
    """What a structured brief holds besides its title and header metadata."""

    takeaways: list[str] = field(default_factory=list)
    analysis: Analysis | None = None
    summary: str = ""
    caption: str = ""
    source: str = ""
    body: str = ""


def _structured(blocks: list[_Block], blankless: bool, take_meta: Callable[[str], bool]) -> _Parts:
    """The parts of a brief with a takeaways heading, an analysis label or chrome."""
    parts = _Parts()
    header: list[_Block] = []
    body_blocks: list[_Block] = []
    seen_takeaways = False
    bounded = False
    i, n = 0, len(blocks)
    while i < n:
        b = blocks[i]
        if b.kind == "takeaways" and not seen_takeaways and not body_blocks:
            seen_takeaways = bounded = True
            parts.takeaways, i = _collect_takeaways(blocks, i + 1, blankless)
            continue
        if b.kind == "analysis" and parts.analysis is None:
            bounded = True
            parts.analysis, found_source, i = _collect_analysis(blocks, i + 1, b, blankless)
            parts.source = parts.source or found_source
            continue
        if b.kind == "junk":
            i += 1
            continue
        if b.kind != "text":
            b = b.as_text()
        (body_blocks if bounded else header).append(b)
        i += 1

    # header: metadata lines, dek, caption
    content_blocks: list[_Block] = []
    for idx, b in enumerate(header):
        if idx < 4 and b.single and take_meta(b.lines[0]):
            continue
        content_blocks.append(b)
    if content_blocks:
        first = content_blocks[0]
        only_caption = _caption_text(first, explicit_only=True)
        if only_caption is not None and len(content_blocks) == 1:
            parts.caption = only_caption
            content_blocks = []
        else:
            parts.summary = first.text(" ")
            content_blocks = content_blocks[1:]
    if content_blocks:
        if bounded and len(content_blocks) <= 2:
            found = _caption_text(content_blocks[-1], explicit_only=False)
            if found is not None:
                parts.caption = found
                content_blocks = content_blocks[:-1]
        else:
            found = _caption_text(content_blocks[0], explicit_only=True)
            if found is not None:
                parts.caption = found
                content_blocks = content_blocks[1:]
    body_blocks = content_blocks + body_blocks
    parts.body = "\n\n".join(t for t in (b.text() for b in body_blocks) if t)
    return parts


def _collapse_blank_runs(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return out
