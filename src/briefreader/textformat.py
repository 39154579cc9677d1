"""An article as plain text (``briefreader show --format text``, "share the brief").

The layout follows the plain-text brief people paste, so the brief reader can read
it back: title, dek, caption, "Key Takeaways" with real ordinals, the editor's
analysis, the body.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping

from briefreader.markdown_text import link_plain
from briefreader.model import Article
from briefreader.textclean import clean_line

__all__ = ["article_to_text", "brief_summary", "meta_line"]


def meta_line(article: Article) -> str:
    """``Source · Author · 26 Nov 2026 · 3 min read`` (no reading time without text)."""
    parts = [p for p in (article.source, article.author) if p]
    if article.published:
        parts.append(f"{article.published.day} {article.published:%b %Y}")
    if article.word_count:  # (an item with no text has nothing to read for a minute)
        parts.append(f"{article.reading_minutes} min read")
    return " · ".join(parts)


#: A line of Markdown structure, kept as it is: a list item (bulleted or numbered), a
#: heading, a table row, a quote, a code fence or an indented code line.
_STRUCTURE = re.compile(r"^(?:\s*(?:[-*+]\s|#|\||>|\d{1,9}[.)]\s|```|~~~)| {4})")


def _wrap(text: str, width: int, indent: str = "") -> str:
    paragraphs = text.split("\n\n")
    out = []
    for para in paragraphs:
        lines = para.split("\n")
        # Keep Markdown structure (lists, headings, code) line by line; wrap prose,
        # each line a hard break ends ("\\" at its end: an HTML <br>) apart.
        if any(_STRUCTURE.match(line) for line in lines):
            out.append("\n".join(indent + _unbroken(line) for line in lines))
            continue
        groups: list[list[str]] = [[]]
        for line in lines:
            if line.endswith("\\") and not line.endswith("\\\\"):  # a hard break ends it
                groups[-1].append(_unbroken(line))
                groups.append([])
            else:
                groups[-1].append(_unbroken(line))
        out.append(
            "\n".join(
                textwrap.fill(
                    " ".join(group),
                    width,
                    initial_indent=indent,
                    subsequent_indent=indent,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
                for group in groups
                if group
            )
        )
    return "\n\n".join(out)


def _unbroken(line: str) -> str:
    """The line without the backslash of a Markdown hard break at its end, nor the one
    that keeps its start from reading as a Markdown block ("\\* typed", "2024\\. A
    year": sources/htmlrender.py)."""
    if line.endswith("\\") and not line.endswith("\\\\"):
        line = line[:-1]
    if "\\" not in line[:24]:
        return line
    if line.lstrip().startswith(("\\`", "\\~")):  # a fence's marks, each escaped
        return _ESCAPED_FENCE.sub(lambda m: m.group(1) + m.group(2).replace("\\", ""), line)
    return _ESCAPED_START.sub(r"\1\2", line, count=1)


_ESCAPED_FENCE = re.compile(r"^(\s*)((?:\\[`~])+)")
#: A backslash escaping a line's first mark (after a list item's or a quote's own
#: mark, and a number's digits).
_ESCAPED_START = re.compile(r"^(\s*(?:(?:[-*+]|\d{1,9}[.)]|>)\s+)?\d{0,9})\\([-*+#>=`~_.)])")


def article_to_text(
    article: Article, width: int = 78, *, downloaded: Mapping[str, str] | None = None
) -> str:
    """The article as plain text for a terminal or a file.  ``downloaded``: the
    files its enclosures were downloaded to, by address (named under each)."""
    parts: list[str] = [article.title, meta_line(article)]
    if article.url:
        parts.append(article.url)
    blocks = ["\n".join(parts)]
    if article.summary and not _dek_repeats_body(article):
        blocks.append(_wrap(link_plain(article.summary), width))
    if article.image_caption:
        blocks.append(f"[Image] {article.image_caption}")
    media = _media(article, downloaded or {})
    if media:
        blocks.append(media)
    if article.takeaways:
        heading = "Key Takeaways (derived)" if article.takeaways_derived else "Key Takeaways"
        pad = len(str(len(article.takeaways)))
        items = [
            textwrap.fill(
                link_plain(t),
                width,
                initial_indent=f"  {i:>{pad}}. ",
                subsequent_indent=" " * (pad + 4),
                break_long_words=False,
            )
            for i, t in enumerate(article.takeaways, 1)
        ]
        blocks.append(heading + "\n\n" + "\n".join(items))
    if article.analysis:
        an = article.analysis
        head = an.label.upper() + (f" · {an.title}" if an.title else "")
        lines = [head, "", _wrap(an.body, width - 2, "| ")]
        if an.byline:
            lines += ["", f"| — {an.byline}"]
        if an.kicker:
            lines.append(f"| {an.kicker}")
        blocks.append("\n".join(lines))
    if article.body:
        blocks.append(_wrap(article.body, width))
    if article.related:
        rel = ["Related Articles"] + [
            f"  - {r.title}" + (f" <{r.url}>" if r.url else "") for r in article.related
        ]
        blocks.append("\n".join(rel))
    if article.tags:
        blocks.append("Tags: " + ", ".join(article.tags))
    return "\n\n".join(blocks) + "\n"


def _dek_repeats_body(article: Article) -> bool:
    """The dek only repeats the body's start (as the app leaves it out, so does this)."""
    from briefreader.insight import dek_repeats_body  # (imported only when used)

    return bool(article.body) and dek_repeats_body(article.summary, article.body)


def _media(article: Article, downloaded: Mapping[str, str]) -> str:
    """The lead image (its alt text and address) and the enclosures (type, duration,
    size, address; the file it was downloaded to under it), one line each; every part
    cleaned of control characters."""
    lines: list[str] = []
    image = clean_line(article.image_url)
    if image:
        alt = clean_line(article.image_alt)
        lines.append(f"Lead image: {alt} <{image}>" if alt else f"Lead image: <{image}>")
    if article.enclosures:
        from briefreader.links import enclosure_label  # (links -> share -> this module)

        if lines:
            lines.append("")
        audio = all(e.type.startswith("audio/") for e in article.enclosures)
        lines.append("Listen" if audio else "Files")
        for n, e in enumerate(article.enclosures, 1):
            lines.append(f"  {n}. {clean_line(enclosure_label(e))} <{clean_line(e.url)}>")
            if e.url in downloaded:
                lines.append(f"     downloaded: {clean_line(downloaded[e.url])}")
    return "\n".join(lines)


def brief_summary(article: Article) -> str:
    """The brief in a few lines for sharing: title, numbered takeaways, link."""
    lines = [article.title]
    if article.source:
        lines[0] += f" ({article.source})"
    if article.takeaways:
        lines.append("")
        lines += [f"{i}. {link_plain(t)}" for i, t in enumerate(article.takeaways, 1)]
    elif article.summary:
        lines += ["", link_plain(article.summary)]
    if article.url:
        lines += ["", article.url]
    return "\n".join(lines)
