"""Every link of an article, numbered for the keyboard (the app's ``u`` list).

Pure domain: no Textual, no network.  :func:`article_links` lists, in reading order,
the article's own address (what its title stands for), its lead image, its
enclosures (podcast audio and the like), and then the links and images of its
Markdown analysis and body as they appear (the analysis is drawn above the body),
each address once (an image is labelled as the article shows it: "image 2: alt").
A relative link is resolved against the article's address.  Every entry says whether the one link rule
(:func:`briefreader.share.refusal_reason`) lets it be opened or copied; a refused
link is still listed, so the reader sees it and why it is refused.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefreader.model import Article, Enclosure
from briefreader.share import refusal_reason
from briefreader.textclean import clean_line

__all__ = [
    "MAX_LINKS",
    "ArticleLink",
    "LinkKind",
    "article_links",
    "enclosure_label",
    "human_size",
]

LinkKind = Literal["article", "link", "image", "enclosure"]

#: At most this many links are listed (a pathological body can hold thousands).
MAX_LINKS = 500
#: The body is read up to this many characters (as the article view shows it).
MAX_BODY_CHARS = 120_000
_LABEL_CHARS = 200

_PARSER = MarkdownIt("commonmark", {"html": False, "maxNesting": 20}).enable(
    ["table", "strikethrough"]
)


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """One entry of an article's link list."""

    url: str
    """The address (a relative body link resolved against the article's)."""
    label: str
    """The link's text, an image's alt text, or "" (one clean line)."""
    kind: LinkKind
    refusal: str | None = None
    """Why the link may not be opened or copied (the share rule), or None."""

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def _resolve(url: str, base: str) -> str:
    """``url`` made absolute against ``base`` when it has no scheme of its own and
    ``base`` is an http(s) address; otherwise as it is."""
    if not base or urlsplit(url).scheme:
        return url
    if urlsplit(base).scheme.lower() not in ("http", "https"):
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _markdown_links(*texts: str) -> list[tuple[str, str, LinkKind]]:
    """(address, label, kind) of the links and images of Markdown texts, in order
    (their images numbered on from one text to the next, as the article shows them)."""
    found: list[tuple[str, str, LinkKind]] = []
    for text in texts:
        if not text.strip():
            continue
        try:
            tokens = _PARSER.parse(text[:MAX_BODY_CHARS])
        except (RecursionError, ValueError):
            continue
        for token in tokens:
            if token.type == "inline" and token.children:
                _inline_links(token.children, found)
    return found


def _inline_links(children: list[Token], found: list[tuple[str, str, LinkKind]]) -> None:
    open_link: tuple[str, list[str]] | None = None
    for child in children:
        if child.type == "link_open":
            open_link = (str(child.attrGet("href") or ""), [])
        elif child.type == "link_close":
            if open_link is not None:
                found.append((open_link[0], "".join(open_link[1]), "link"))
            open_link = None
        elif child.type == "image":
            alt = child.content or "".join(c.content for c in child.children or ())
            number = 1 + sum(1 for f in found if f[2] == "image")
            label = f"image {number}: {alt}" if alt else f"image {number}"
            found.append((str(child.attrGet("src") or ""), label, "image"))
            if open_link is not None:
                open_link[1].append(alt)
        elif open_link is not None and child.type in ("text", "code_inline"):
            open_link[1].append(child.content)
        elif open_link is not None and child.type == "softbreak":
            open_link[1].append(" ")


def enclosure_label(enc: Enclosure) -> str:
    """An enclosure in a few words: its type (or, without one, its file's name),
    duration and size ("audio/mpeg · 1:02:05 · 31.0 MB", "episode-12.m4a · 4.0 KB")."""
    name = ""
    if not enc.type:  # ("file" three times told a reader nothing)
        with contextlib.suppress(ValueError):
            name = clean_line(unquote(urlsplit(enc.url).path.rsplit("/", 1)[-1]))[:60]
    parts = [enc.type or name or "file"]
    if enc.duration:
        hours, rest = divmod(enc.duration, 3600)
        minutes, seconds = divmod(rest, 60)
        parts.append(f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}")
    if enc.length:
        parts.append(human_size(enc.length))
    return " · ".join(parts)


def human_size(size: int) -> str:
    """A byte count for people: "512 B", "4.0 KB", "31.0 MB", "1.2 GB"."""
    if size < 1000:
        return f"{size} B"
    for unit in ("KB", "MB", "GB", "TB"):
        size_f = size / 1000 ** ("KB MB GB TB".split().index(unit) + 1)
        if size_f < 1000 or unit == "TB":
            return f"{size_f:.1f} {unit}"
    return f"{size} B"  # pragma: no cover


def article_links(article: Article, *, analysis: bool = True) -> list[ArticleLink]:
    """The article's address, then its analysis's and body's links and images in
    reading order (a Markdown brief's dek's and takeaways' links first;
    ``analysis=False``: without the analysis's); each address once (the first time it
    appears), at most :data:`MAX_LINKS`."""
    base = article.url.strip()
    links: list[ArticleLink] = []
    seen: set[str] = set()

    def add(url: str, label: str, kind: LinkKind) -> None:
        url = url.strip()
        if not url or url in seen or len(links) >= MAX_LINKS:
            return
        seen.add(url)
        links.append(ArticleLink(url, clean_line(label, _LABEL_CHARS), kind, refusal_reason(url)))

    if base:
        add(base, article.title, "article")
    if article.image_url:
        alt = article.image_alt or article.image_caption
        add(article.image_url, f"lead image: {alt}" if alt else "lead image", "image")
    for enc in article.enclosures:
        add(enc.url, enclosure_label(enc), "enclosure")
    # A Markdown brief's dek and takeaways may hold links too (drawn as their words):
    # listed before the analysis's, as they are shown; their pictures are not numbered.
    lines = "\n\n".join((article.summary, *article.takeaways))
    for url, label, kind in _markdown_links(lines) if "](" in lines else ():
        if kind == "link":
            add(_resolve(url.strip(), base), label, kind)
    panel = article.analysis.body if analysis and article.analysis else ""
    for url, label, kind in _markdown_links(panel, article.body):
        add(_resolve(url.strip(), base), label, kind)
    return links
