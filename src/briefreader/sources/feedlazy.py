"""Feed items stored as HTML and rendered when first shown.

A refresh reads hundreds of items for each one a person opens, so it pays only for
what it needs of an item (:func:`~briefreader.sources.feed.parse_feed` with
``lazy=True``): the fields the list shows (title, source, date, link), the
item HTML as it came (sanitised when read: :mod:`~briefreader.sources.sanitize`),
and the item's words for the search index, taken from the
HTML by Lexbor's own text extraction (:func:`search_text`: C, ~25 µs for 3 KB)
rather than the Python walk that makes Markdown (~500 µs).  Such an item is a
:class:`LazyArticle`: its ``body`` is that plain text and its ``summary`` a
provisional dek of plain text, both for search and the related index only.

When the article is first read, :func:`render_item` turns the stored HTML into
what every reader of the library sees — Markdown body, takeaways, analysis and
dek — with the very code the eager path uses (:func:`render_parts`), so an article
read after a lazy refresh is exactly the article an eager one would have stored
(``tests/test_lazy_render.py`` compares the two over the feed corpus).

Kept light (no lxml, nh3 or feedparser until something is rendered): the library
imports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefreader.markdown_text import inline_plain, kinds
from briefreader.model import Analysis, Article
from briefreader.textclean import MAX_BLOCK_CHARS, clean_line

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser

# The HTML modules (selectolax, and lxml through the vocabulary) are imported on
# first use: the library imports this module for LazyArticle, and opening the app
# needs neither.

__all__ = [
    "MAX_SUMMARY_CHARS",
    "LazyArticle",
    "first_paragraph",
    "html_to_brief",
    "markdown_to_plain",
    "provisional_dek",
    "render_item",
    "render_parts",
    "search_text",
    "shorten",
    "tree_words",
]

#: Longest dek (plain-text summary) kept, in characters.
MAX_SUMMARY_CHARS = 400


@dataclass(frozen=True, slots=True)
class LazyArticle(Article):
    """A feed item whose body, takeaways, analysis and dek are not rendered yet.

    The :class:`~briefreader.model.Article` fields hold what a refresh needs:
    ``body`` is the plain text of ``html`` and ``summary`` a provisional dek (both
    only for search and the related index), ``takeaways`` and ``analysis`` are
    empty.  ``html`` is the item HTML, **not sanitised** unless it held what the
    sanitiser drops with its content (:func:`~briefreader.sources.sanitize.kept_html`;
    :func:`render_item` sanitises it), ``html_base`` the URL its relative
    links resolve against; ``dek_html`` the separate summary, kept alike (an RSS
    description beside its ``content:encoded``), or ``None``, and ``dek_base`` its
    base.  :func:`render_item` makes the whole Article of it.
    """

    html: str = ""
    html_base: str = ""
    dek_html: str | None = None
    dek_base: str = ""


# ---------------------------------------------------------------------------------
# rendering: the same code for the eager and the lazy path


def squash(text: str) -> str:
    return " ".join(text.split())


def html_to_brief(html: str, base_url: str = "") -> tuple[str, list[str], Analysis | None]:
    """:func:`~briefreader.sources.htmlparts.extract_brief_parts`, skipping its
    search when no heading could match (same result; a third cheaper for the many
    items without a brief's parts)."""
    from briefreader.sources.htmlparts import extract_brief_parts
    from briefreader.sources.htmlrender import html_to_markdown
    from briefreader.sources.vocabulary import may_name_brief_part

    if not may_name_brief_part(html.lower()):
        return html_to_markdown(html, base_url), [], None
    return extract_brief_parts(html, base_url)


_MD_LEAD = re.compile(r"^(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)+")


def markdown_to_plain(block: str) -> str:
    """A Markdown block as one line of the words it shows (:func:`inline_plain`;
    heading, quote and list marks and code fences out)."""
    lines = [_MD_LEAD.sub("", line).strip() for line in inline_plain(block).split("\n")]
    return squash(" ".join(line for line in lines if line and not line.startswith("```")))


def prose_blocks(markdown: str) -> list[str]:
    """The blocks of a Markdown body that are prose: not a paragraph of images alone,
    nor a figure's caption (:func:`~briefreader.markdown_text.kinds`; as a dek, "power
    Storage export workers…" was an image's alt text and its caption run into the
    text) — unless there is no other text, as in a photo's item: then its captions."""
    prose: list[str] = []
    captions: list[str] = []
    for kind, block in kinds(markdown.split("\n\n")):
        if kind == "text":
            prose.append(block)
        elif kind == "caption":
            captions.append(block)
    return prose or captions


def shorten(text: str, limit: int = MAX_SUMMARY_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters: at a sentence's end in its second
    half (Chinese and Japanese sentences end with "。", no space after: such a dek
    was cut mid-sentence), else at a space, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    for end in (". ", "! ", "? ", "。", "！", "？"):
        pos = cut.rfind(end)
        if pos >= limit // 2:
            return cut[: pos + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(",;:—– ") + "…"


def first_paragraph(markdown: str) -> str:
    """The body's first paragraph of prose, as a dek: not a heading, a list, a table,
    code, a paragraph of images alone (their alt texts are no dek: the image shows them
    already) nor a figure's caption."""
    for block in prose_blocks(markdown):
        stripped = block.lstrip()
        if not stripped or stripped.startswith(("#", "```", "- ", "* ", "|")):
            continue
        if re.match(r"\d+\.\s", stripped):
            continue
        plain = markdown_to_plain(block)
        if len(plain) >= 2:
            return shorten(plain)
    return ""


def render_parts(
    html: str, base: str, dek_html: str | None, dek_base: str
) -> tuple[str, list[str], Analysis | None, str]:
    """``(body, takeaways, analysis, summary)`` of sanitised item HTML and its
    separate summary (``None``: the dek is the body's first paragraph), before
    cleaning: what the eager path stores and the lazy path renders."""
    from briefreader.sources.htmlrender import html_to_markdown

    body, takeaways, analysis = html_to_brief(html, base) if html else ("", [], None)
    summary = ""
    if dek_html is not None:
        md = html_to_markdown(dek_html, dek_base)
        summary = shorten(markdown_to_plain(" ".join(prose_blocks(md))))
    if not summary:
        summary = first_paragraph(body)
    return body, takeaways, analysis, summary


def render_item(
    stored: Article, html: str, base: str, dek_html: str | None, dek_base: str
) -> Article:
    """The whole article of a lazily stored item: ``stored`` (its other fields, as
    stored) with the body, takeaways, analysis and dek rendered from its HTML —
    sanitised here first: what a refresh stores is not — and cleaned as every
    parsed article is."""
    from briefreader.sources import clean_article
    from briefreader.sources.sanitize import sanitize_html

    # What a refresh kept is the item's HTML unsanitised (sources/sanitize.py): this
    # is the one place it is read, and it is made safe here, every time.
    html = sanitize_html(html) if html else ""
    dek_html = sanitize_html(dek_html) if dek_html else dek_html
    body, takeaways, analysis, summary = render_parts(html, base, dek_html, dek_base)
    return clean_article(
        stored.with_changes(
            summary=summary, takeaways=tuple(takeaways), analysis=analysis, body=body
        )
    )


# ---------------------------------------------------------------------------------
# what a refresh keeps for search


_TAG = re.compile(r"<[^>]*>?")


def search_text(html: str) -> str:
    """The words of item HTML (sanitised, or as :func:`~briefreader.sources.sanitize.kept_html`
    keeps it: nothing whose content the sanitiser drops) as one line of plain text, for the search
    index and the related index: Lexbor's text of the document, a space between
    text nodes (so list items and paragraphs never run together; a word split by
    markup, ``wo<b>rd</b>``, is rare and costs only that word), cleaned of controls
    and terminal escapes like every stored text."""
    if not html:
        return ""
    from selectolax.lexbor import LexborHTMLParser

    from briefreader.sources.htmlrender import too_deeply_nested

    if too_deeply_nested(html):  # never handed to Lexbor (quadratic in the depth)
        import html as htmllib

        return _words(htmllib.unescape(_TAG.sub(" ", html)))
    return tree_words(LexborHTMLParser(html))


def tree_words(tree: LexborHTMLParser) -> str:
    """:func:`search_text` of the HTML Lexbor parsed into ``tree``."""
    body = tree.body
    return _words(body.text(separator=" ") if body is not None else "")


def _words(text: str) -> str:
    text = text.replace("\n", " ")
    if not text.isprintable():  # controls, escapes, tabs, other spaces: the full clean
        return clean_line(text, MAX_BLOCK_CHARS)
    text = text.strip()
    return text if len(text) <= MAX_BLOCK_CHARS else text[:MAX_BLOCK_CHARS]


def provisional_dek(text: str) -> str:
    """A dek for search until the item is rendered: the text's first sentences.

    ``shorten(squash(text[:1200]))``, usually from a shorter prefix: the words of a
    prefix, squashed, are a prefix of the words of the whole squashed, and once they
    run past the limit ``shorten`` reads only their first ``limit - 1`` characters
    (a refresh makes one an item: 15 -> ~8 µs)."""
    limit = MAX_SUMMARY_CHARS
    head = squash(text[: limit + limit // 4])
    if len(head) > limit:
        return shorten(head, limit)
    return shorten(squash(text[: 3 * limit]), limit)
