"""Full text: fetch an article's page and extract its main text.

Many feeds carry only a teaser.  :func:`fetch_full_text` fetches the page (the same
caps as feeds: deadline, size, redirects) and extracts the main text as Markdown
with trafilatura, a well-kept extraction library; :func:`page_articles` reads a
page (or a feed) at a URL for ``briefreader show URL``.  No UI, no database: the
caller caches the text in the library.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from urllib.parse import urlsplit

from briefreader.fetch import PAGE_ACCEPT, fetch_one
from briefreader.model import Article
from briefreader.sources import SourceError, clean_article, decode_bytes, parse_text
from briefreader.textclean import clean_block

__all__ = ["FullText", "extract_main_text", "fetch_full_text", "page_articles"]

#: Extracted text shorter than this is not worth replacing a teaser with.
MIN_FULL_TEXT_CHARS = 200


@dataclass(frozen=True, slots=True)
class FullText:
    """An article page's main text as Markdown, or why there is none (``error``)."""

    url: str
    text: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def extract_main_text(html: str, url: str = "") -> str:
    """The page's main text as Markdown ("" when nothing readable is found)."""
    import trafilatura

    text = trafilatura.extract(
        html,
        url=url or None,
        output_format="markdown",
        include_links=True,
        include_images=False,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    return _paragraphs(clean_block(text or ""))


_STRUCTURE = ("- ", "* ", "+ ", "|", ">", "#", "```")


def _paragraphs(text: str) -> str:
    """Some pages come out with one line per paragraph and no blank lines between;
    Markdown would run them together.  Separate prose lines, keep lists and tables."""
    if "\n\n" in text or "\n" not in text:
        return text
    lines = text.split("\n")
    out = [lines[0]]
    for prev, line in itertools.pairwise(lines):
        same_block = line.lstrip().startswith(_STRUCTURE) and prev.lstrip().startswith(_STRUCTURE)
        out.append(("\n" if same_block else "\n\n") + line)
    return "".join(out)


async def fetch_full_text(url: str, *, deadline: float = 30.0) -> FullText:
    """Fetch ``url`` and extract its main text; the error says why when it fails."""
    if not url.startswith(("http://", "https://")):
        return FullText(url, error="no web address to fetch the full text from")
    result = await fetch_one(url, deadline=deadline, accept=PAGE_ACCEPT)
    if result.error is not None:
        # Name the site: "connection refused" alone does not say where.
        return FullText(url, error=f"{urlsplit(url).netloc}: {result.error}")
    try:
        html = decode_bytes(result.body, url).text
    except SourceError as exc:
        return FullText(url, error=exc.reason)
    text = await asyncio.to_thread(extract_main_text, html, result.final_url)
    if len(text) < MIN_FULL_TEXT_CHARS:
        return FullText(
            url, error="the page has no readable article text (paywall or script-only page?)"
        )
    return FullText(url, text=text)


async def page_articles(url: str, *, full: bool = False) -> list[Article]:
    """Read what is at ``url``: a feed's items, or a web page as one article.

    With ``full``, a page's body is its extracted main text.  Raises SourceError.
    """
    from briefreader.sources.discover import looks_like_feed
    from briefreader.sources.feed import parse_feed

    result = await fetch_one(url, accept=PAGE_ACCEPT)
    if result.error is not None:
        raise SourceError(url, result.error)
    if looks_like_feed(result.body, result.content_type):
        content_type = result.headers.get("content-type") or result.content_type
        parsed = await asyncio.to_thread(
            parse_feed, result.body, url=url, content_type=content_type
        )
        return parsed.items
    html = decode_bytes(result.body, url).text
    articles = await asyncio.to_thread(parse_text, html, url, "html")
    if not articles:
        raise SourceError(url, "no article found on the page")
    article = articles[0]
    if not article.url:
        article = article.with_changes(url=result.final_url)
    if full:
        text = await asyncio.to_thread(extract_main_text, html, result.final_url)
        if len(text) >= MIN_FULL_TEXT_CHARS:
            article = clean_article(article.with_changes(body=text))
    return [article]
