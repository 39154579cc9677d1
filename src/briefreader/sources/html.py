"""Saved web pages → one Article (the ``.html`` reader).

:func:`parse` reads a saved news page: metadata from ``<meta>`` tags and JSON-LD,
the main text from ``<article>`` / ``<main>`` / the densest block of paragraphs
(converted by :mod:`~briefreader.sources.htmlrender`), the takeaways and analysis
(found by :mod:`~briefreader.sources.htmlparts`), with the page chrome
(navigation, share widgets, newsletter and cookie boxes, "Related articles"
blocks) left out.  Pages nested deeper than :data:`MAX_DEPTH` elements are
refused.

The names other readers use from the HTML modules are importable from here too.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from briefreader.model import Article, RelatedLink, article_id, parse_datetime
from briefreader.sources import SourceError
from briefreader.sources.htmlparts import (
    BriefParts,
    Headings,
    class_names,
    extract_brief_parts,
    headed_box,
    headingish,
    is_analysis_heading,
    is_takeaways_heading,
    list_after,
    strip_ordinals,
)
from briefreader.sources.htmlrender import (
    MAX_DEPTH,
    html_to_markdown,
    html_tree,
    inline_text,
    render,
    safe_url,
    squash,
    too_deeply_nested,
)

__all__ = [
    "MAX_DEPTH",
    "extract_brief_parts",
    "html_to_markdown",
    "is_analysis_heading",
    "is_takeaways_heading",
    "parse",
    "safe_url",
    "strip_ordinals",
    "too_deeply_nested",
]

_RELATED_RE = re.compile(
    r"(?:related(?:\s+(?:articles|stories|coverage|content|reading|links|posts|news))?"
    r"|more\s+(?:on|about|from)\b.{0,60}|more\s+stories|read\s+(?:more|next|also)|also\s+read"
    r"|further\s+reading|see\s+also|you\s+(?:may|might)\s+also\s+like"
    r"|recommended(?:\s+(?:for\s+you|reading|stories))?)\s*:?",
    re.IGNORECASE,
)
_BOILERPLATE_RE = re.compile(
    r"(?:share(?:\s+this)?(?:\s+(?:article|story|post|page))?(?:\s+(?:on|via)\s+\w+)?"
    r"|advertisement|sponsored(?:\s+content)?|no\s+related\s+articles\s+found"
    r"|related\s+articles|sign\s+up\s+for\s+(?:our|the)\b.{0,60}newsletters?"
    r"|subscribe(?:\s+(?:now|today))?|continue\s+reading|skip\s+to\s+(?:main\s+)?content"
    r"|(?:accept|reject)(?:\s+all)?\s+cookies|copy\s+link|print|email|📰)\W*",
    re.IGNORECASE,
)

_CHROME_TAGS = frozenset("nav header footer aside".split())
_CHROME_TOKEN = re.compile(
    r"(?:^|[-_])(?:share|sharing|social|newsletter|subscribe|subscription|cookies?|consent"
    r"|gdpr|promo|advert|advertisement|ads?|adslot|sponsor|sponsored|paywall|breadcrumbs?"
    r"|comments?|related|recommended|recirc|outbrain|taboola|toolbar|sidebar|popup|modal"
    r"|signup|sr-only|visually-hidden|screen-reader-text)(?:[-_]|$)"
)

# ---------------------------------------------------------------------------------
# saved pages


_ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "TechArticle",
        "ScholarlyArticle",
    }
)
_DEK = (
    ".dek, .deck, .subtitle, .sub-title, .subheadline, .subhead, .standfirst, .strapline,"
    ' .lede, .lead, .intro, .article-summary, [class*="__dek"], [class*="-dek"],'
    ' [class*="standfirst" i], [itemprop="alternativeHeadline"], [itemprop="description"]'
)
_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
)
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_RELATED_TOKEN = re.compile(r"(?:^|[-_])related(?:[-_]|$)")
_LINK_MD = re.compile(r"\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)")
_URLISH = re.compile(r"[a-z][a-z0-9+.-]*://\S*|www\.\S+", re.IGNORECASE)
_SITE_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " :: ", " » ", ": ")


def parse(text: str, origin: str) -> list[Article]:
    """Read a saved web page into one article (``[]`` when it holds none)."""
    if too_deeply_nested(text):
        raise SourceError(
            origin, f"too deeply nested to read (over {MAX_DEPTH} levels of elements)"
        )
    tree = html_tree(text)
    body = tree.body
    if body is None:
        return []
    page = _Page(tree, body)
    article = page.article(origin)
    return [article] if article is not None else []


class _Page:
    """One saved page being read."""

    def __init__(self, tree: LexborHTMLParser, body: LexborNode) -> None:
        self.tree = tree
        self.body = body
        self.meta, self.meta_tags = _collect_meta(tree)
        self.ld = _json_ld_article(tree)
        self.content = _content_root(body)
        self.content_ancestors = _ancestor_ids(self.content)
        self.skip_ids: set[int] = set()

    def article(self, origin: str) -> Article | None:
        url = self._url()
        base = self._base_url(url)
        source = self.meta.get("og:site_name") or _ld_name(self.ld.get("publisher"))
        source = source or self.meta.get("application-name", "")
        title = self._title(source)
        parts = BriefParts.find(self.content, base_url=base, fallback=self.body)
        self.skip_ids |= parts.skip_ids
        related = self._related(base, url, parts.headings)
        summary = self._dek() or self._first_meta(
            "description", "og:description", "twitter:description"
        )
        summary = summary or _ld_text(self.ld.get("description"))
        caption = self._caption()
        image_url, image_alt = self._lead_image(base)
        self._skip_title_heading(title)
        published = self._published()
        if published is not None:
            self._skip_date_lines()
        content_len = len(self.content.text())
        markdown = render(
            self.content,
            base_url=base,
            skip_ids=self.skip_ids,
            is_chrome=lambda node, tag, attrs: _is_chrome(node, tag, attrs, content_len),
        )
        markdown = _drop_boilerplate(markdown)
        if not markdown:
            markdown = _ld_text(self.ld.get("articleBody"))
        if not (title or markdown or summary):
            return None
        return Article(
            id=article_id(url=url, title=title, source=source, published=published),
            title=title,
            summary=summary,
            url=url,
            source=source,
            author=self._author(),
            published=published,
            image_caption=caption,
            takeaways=tuple(parts.takeaways),
            analysis=parts.analysis,
            body=markdown,
            tags=tuple(self._tags()),
            related=tuple(related),
            origin=origin,
            image_url=image_url,
            image_alt=image_alt,
        )

    # -- metadata ------------------------------------------------------------------

    def _first_meta(self, *keys: str) -> str:
        for key in keys:
            value = self.meta.get(key, "")
            if value:
                return squash(value)
        return ""

    def _url(self) -> str:
        for node in self.tree.css('link[rel~="canonical" i]'):
            url = safe_url(node.attributes.get("href"))
            if url and not url.startswith("mailto:"):
                return url
        for candidate in (self.meta.get("og:url"), _ld_text(self.ld.get("url"))):
            url = safe_url(candidate)
            if url and not url.startswith("mailto:"):
                return url
        return ""

    def _base_url(self, url: str) -> str:
        node = self.tree.css_first("base[href]")
        if node is not None:
            base = safe_url(node.attributes.get("href"), url)
            if base and not base.startswith("mailto:"):
                return base
        return url

    def _title(self, source: str) -> str:
        title = self._first_meta("og:title", "twitter:title") or _ld_text(self.ld.get("headline"))
        if not title:
            for scope in (self.content, self.body):
                h1 = scope.css_first("h1")
                if h1 is not None and (title := inline_text(h1)):
                    break
        if not title:
            node = self.tree.css_first("title")
            title = squash(node.text()) if node is not None else ""
        return _strip_site(title, source)

    def _skip_title_heading(self, title: str) -> None:
        key = title.casefold()
        for h1 in self.content.css("h1"):
            text = inline_text(h1).casefold()
            if text and (text == key or key.startswith(text)):
                self.skip_ids.add(h1.mem_id)

    def _skip_date_lines(self) -> None:
        """Leave out of the body a line that is only a date (``<p><time datetime=…>May
        10, 2025</time></p>``): the meta line shows the article's date (a user's trial
        saw the body open with "May 10, 2025").  A date inside a sentence stays."""
        for node in self.content.css("time[datetime]"):
            block = node.parent
            if block is None or block.mem_id == self.content.mem_id:
                continue
            if (block.tag or "") in ("p", "div", "span", "header") and squash(
                block.text() or ""
            ) == squash(node.text() or ""):
                self.skip_ids.add(block.mem_id)

    def _author(self) -> str:
        for key in ("author", "article:author", "twitter:creator", "dc.creator", "parsely-author"):
            value = squash(self.meta.get(key, ""))
            if value and not _URLISH.fullmatch(value):  # article:author is often a profile URL
                return value
        name = _ld_name(self.ld.get("author"))
        if name:
            return name
        for selector in ('[rel~="author" i]', '[itemprop="author"]'):
            node = self.body.css_first(selector)
            if node is not None and (text := inline_text(node)):
                return re.sub(r"^by\s+", "", text, flags=re.IGNORECASE)[:200]
        return ""

    def _published(self) -> datetime | None:
        for key in _DATE_KEYS[:2]:
            if parsed := parse_datetime(self.meta.get(key)):
                return parsed
        if parsed := parse_datetime(_ld_text(self.ld.get("datePublished"))):
            return parsed
        for scope in (self.content, self.body):
            node = scope.css_first("time[datetime]")
            if node is not None and (parsed := parse_datetime(node.attributes.get("datetime"))):
                return parsed
        for key in _DATE_KEYS[2:]:
            if parsed := parse_datetime(self.meta.get(key)):
                return parsed
        return None

    def _tags(self) -> list[str]:
        if self.meta_tags:
            return self.meta_tags
        keywords = self.meta.get("keywords") or self.meta.get("news_keywords") or ""
        if keywords:
            return [k.strip() for k in keywords.split(",") if k.strip()]
        ld = self.ld.get("keywords")
        if isinstance(ld, str):
            return [k.strip() for k in ld.split(",") if k.strip()]
        if isinstance(ld, list):
            return [k.strip() for k in ld if isinstance(k, str) and k.strip()]
        return []

    # -- parts of the page ---------------------------------------------------------

    def _dek(self) -> str:
        for scope in (self.content, self.body):
            for node in scope.css(_DEK):
                if node.mem_id in self.skip_ids or node.mem_id in self.content_ancestors:
                    continue
                text = inline_text(node)
                if 20 <= len(text) <= 800:
                    self.skip_ids.add(node.mem_id)
                    return text
        return ""

    def _caption(self) -> str:
        for node in self.content.css("figcaption"):
            if _inside(node, self.skip_ids):
                continue
            text = inline_text(node)
            if text:
                self.skip_ids.add(node.mem_id)
                self._caption_figure = node.parent
                return text
        return ""

    _caption_figure: LexborNode | None = None

    def _lead_image(self, base: str) -> tuple[str, str]:
        """The page's lead image: the captioned figure's (then left out of the body,
        as its caption is), else ``og:image`` / ``twitter:image``; http(s) only."""
        figure = self._caption_figure
        img = figure.css_first("img") if figure is not None and figure.tag == "figure" else None
        if img is not None:
            url = safe_url(img.attributes.get("src"), base)
            if url.startswith(("http://", "https://")):
                self.skip_ids.add(img.mem_id)
                return url, squash(img.attributes.get("alt") or "")
        url = safe_url(self._first_meta("og:image", "twitter:image"), base)
        return (url, "") if url.startswith(("http://", "https://")) else ("", "")

    def _related(self, base: str, own_url: str, headings: dict[int, Headings]) -> list[RelatedLink]:
        blocks: list[LexborNode] = []
        for node in self.body.css('[class*="related" i], [id*="related" i]'):
            if node.mem_id in self.content_ancestors:
                continue
            if any(_RELATED_TOKEN.search(token) for token in class_names(node).split()):
                blocks.append(node)
        for node, text in headingish(self.body, headings):
            if _RELATED_RE.fullmatch(text) is None or node.mem_id in self.skip_ids:
                continue
            box = headed_box(node, ("section", "aside", "div", "nav", "header"))
            if box is not None and box.mem_id not in self.content_ancestors:
                blocks.append(box)
            else:
                blocks.append(node)
                lst = list_after(node, self.body.mem_id)
                if lst is not None:
                    blocks.append(lst)
        links: list[RelatedLink] = []
        seen = {own_url} if own_url else set()
        for block in blocks:
            self.skip_ids.add(block.mem_id)
            anchors = [block] if block.tag == "a" else block.css("a[href]")
            for anchor in anchors:
                url = safe_url(anchor.attributes.get("href"), base)
                title = inline_text(anchor)
                if not url or url.startswith("mailto:") or url in seen or len(title) < 3:
                    continue
                if _RELATED_RE.fullmatch(title) or _BOILERPLATE_RE.fullmatch(title):
                    continue
                seen.add(url)
                links.append(RelatedLink(title=title, url=url))
        return links[:20]


def _collect_meta(tree: LexborHTMLParser) -> tuple[dict[str, str], list[str]]:
    values: dict[str, str] = {}
    tags: list[str] = []
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip()
        content = (attrs.get("content") or "").strip()
        if not key or not content:
            continue
        key = key.lower()
        if key == "article:tag":
            tags.append(content)
        values.setdefault(key, content)
    return values, tags


def _json_ld_article(tree: LexborHTMLParser) -> dict[str, Any]:
    for script in tree.css('script[type="application/ld+json" i]'):
        raw = script.text()
        if not raw.strip() or len(raw) > 2_000_000:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        found = _find_ld_article(data)
        if found is not None:
            return found
    return {}


def _find_ld_article(data: Any) -> dict[str, Any] | None:
    queue: list[Any] = [data]
    looked = 0
    while queue and looked < 500:
        item = queue.pop(0)
        looked += 1
        if isinstance(item, list):
            queue.extend(item[:100])
            continue
        if not isinstance(item, dict):
            continue
        kinds = item.get("@type")
        names = (
            {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else set()
        )
        if any(isinstance(n, str) and n in _ARTICLE_TYPES for n in names):
            return item
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            value = item.get(key)
            if isinstance(value, dict | list):
                queue.append(value)
    return None


def _ld_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return _ld_text(value.get("@id") or value.get("url") or "")
    if isinstance(value, list) and value:
        return _ld_text(value[0])
    return ""


def _ld_name(value: Any) -> str:
    """``name`` of a JSON-LD Person/Organization, a list of them, or a plain string."""
    if isinstance(value, str):
        return "" if "://" in value else value.strip()
    if isinstance(value, dict):
        name = value.get("name")
        return name.strip() if isinstance(name, str) else ""
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value[:10] if not isinstance(v, list)) if n]
        return ", ".join(dict.fromkeys(names))
    return ""


def _content_root(body: LexborNode) -> LexborNode:
    """``<article>`` (the wordiest one), ``<main>``, ``[role=main]``, or the densest block."""
    best: LexborNode | None = None
    best_score = (-1, -1)
    for node in body.css("article"):
        score = (sum(len(p.text()) for p in node.css("p")), len(node.text()))
        if score > best_score:
            best, best_score = node, score
    if best is not None:
        return best
    for selector in ("main", '[role="main" i]'):
        found = body.css_first(selector)
        if found is not None:
            return found
    # Each paragraph scores for its parent, and half as much for its grandparent, so
    # that paragraphs wrapped one by one in <div>s still add up to their container.
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for p in body.css("p"):
        length = len(p.text())
        parent = p.parent
        for weight in (1.0, 0.5):
            if parent is None:
                break
            scores[parent.mem_id] = scores.get(parent.mem_id, 0.0) + length * weight
            nodes[parent.mem_id] = parent
            parent = parent.parent
    if scores:
        top = max(scores, key=scores.__getitem__)
        if scores[top] > 0:
            return nodes[top]
    return body


def _ancestor_ids(node: LexborNode) -> set[int]:
    ids: set[int] = set()
    current: LexborNode | None = node
    while current is not None:
        ids.add(current.mem_id)
        current = current.parent
    return ids


def _inside(node: LexborNode, ids: set[int]) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id in ids:
            return True
        current = current.parent
    return False


def _is_chrome(node: LexborNode, tag: str, attrs: dict[str, str | None], content_len: int) -> bool:
    """Navigation, share widgets, newsletter/cookie boxes and the like in a page."""
    if tag in _CHROME_TAGS:
        return True
    role, classes, ident = attrs.get("role"), attrs.get("class"), attrs.get("id")
    if role and role.lower() in _CHROME_ROLES:
        return True
    if (classes and _chrome_names(classes)) or (ident and _chrome_names(ident)):
        # never drop the bulk of the article because its wrapper has a chatty class
        return len(node.text()) * 2 < content_len
    return False


@functools.lru_cache(maxsize=4096)
def _chrome_names(names: str) -> bool:
    return any(_CHROME_TOKEN.search(token) for token in names.lower().split())


def _strip_site(title: str, site: str) -> str:
    title = squash(title)
    site = squash(site)
    if not site or title.casefold() == site.casefold():
        return title
    low, low_site = title.casefold(), site.casefold()
    for sep in _SITE_SEPARATORS:
        if low.endswith(sep + low_site):
            return title[: -len(sep + site)].strip()
        if low.startswith(low_site + sep):
            return title[len(site + sep) :].strip()
    return title


def _drop_boilerplate(markdown: str) -> str:
    kept: list[str] = []
    for block in markdown.split("\n\n"):
        plain = _LINK_MD.sub(r"\1", block).strip().lstrip("#>-*• ").strip()
        if plain and _BOILERPLATE_RE.fullmatch(plain) is None:
            kept.append(block)
    return "\n\n".join(kept)
