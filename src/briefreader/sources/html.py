"""HTML: saved web pages, and the HTML inside feed items.

:func:`parse` reads a saved news page into one :class:`~briefreader.model.Article`:
metadata from ``<meta>`` tags and JSON-LD, the main text from ``<article>`` /
``<main>`` / the densest block of paragraphs, with the page chrome (navigation,
share widgets, newsletter and cookie boxes, "Related articles" blocks) left out.

Two helpers are for the other readers (JSON Feed, RSS/Atom):

* :func:`html_to_markdown` turns an HTML fragment into Markdown-ish text;
* :func:`extract_brief_parts` also lifts out a "Key takeaways" list and an
  "Editor's analysis" section, returning them apart from the body.

Everything walks the tree with an explicit loop (never recursion), and input
nested deeper than :data:`MAX_DEPTH` elements is refused before Lexbor sees it:
Lexbor's tree builder is quadratic in the depth, so 100,000 nested ``<div>`` would
take half a minute.  (Browsers cap the depth at 512 too.)
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from briefreader.model import Analysis, Article, RelatedLink, article_id, parse_datetime
from briefreader.sources import SourceError

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

#: Element nesting beyond this is refused (pages) or read as plain text (fragments).
MAX_DEPTH = 512

# ---------------------------------------------------------------------------------
# headings that mark the parts of a brief

_APOS = "['’ʼ`´]?"
_TAKEAWAYS_RE = re.compile(
    r"(?:the\s+)?(?:key\s+(?:takeaways?|points|facts|findings)|takeaways|highlights"
    r"|at\s+a\s+glance|tl\s*;?\s*dr|in\s+brief)\s*:?",
    re.IGNORECASE,
)
_ANALYSIS_LABEL = (
    rf"editor{_APOS}s{_APOS}\s*(?:desk|analysis|note|notes|take|view)"
    r"|(?:strategic\s+|news\s+|our\s+)?analysis|why\s+(?:it|this)\s+matters"
    r"|the\s+bottom\s+line|our\s+take"
)
_ANALYSIS_RE = re.compile(
    rf"(?P<label>{_ANALYSIS_LABEL})\s*(?:[:|·—–-]\s*(?P<title>\S.{{0,150}}))?",
    re.IGNORECASE,
)
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


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _squash(text: str) -> str:
    return " ".join(text.split())


def is_takeaways_heading(text: str) -> bool:
    """Whether a heading's text names a "Key takeaways" list (TL;DR, Highlights, …)."""
    return _TAKEAWAYS_RE.fullmatch(_squash(text)) is not None


def is_analysis_heading(text: str) -> tuple[str, str] | None:
    """``(label, title)`` when a heading names an editor's analysis, else ``None``.

    ``"Editor's Desk"`` gives ``("Editor's Desk", "")``; ``"Analysis: The compute
    wall"`` gives ``("Analysis", "The compute wall")``.
    """
    match = _ANALYSIS_RE.fullmatch(_squash(text))
    if match is None:
        return None
    return match.group("label"), (match.group("title") or "").strip()


def _ordinal_rest(text: str, position: int) -> str | None:
    """``text`` without a leading ordinal ``position`` (``1.``, ``1)``, ``1 ``, ``1Foo``)."""
    num = str(position)
    if not text.startswith(num) or len(text) == len(num):
        return None
    rest = text[len(num) :]
    if rest[0] in ".):":
        after = rest[1:]
        return after.lstrip() if after and not after[0].isdigit() else None
    if rest[0].isspace():
        return rest.lstrip() or None
    return None if rest[0].isdigit() else rest


def strip_ordinals(items: list[str]) -> list[str]:
    """Remove the ordinals of a numbered list's items: ``"1Microsoft …"`` → ``"Microsoft …"``.

    Only when the list is numbered: every item (or, from four items on, three
    quarters of them) starts with its own position, glued or not.  So ``"300 jobs
    cut"`` as item 3 of an unnumbered list, or ``"1.5 million"``, are kept whole.
    (The same rule as the plain-text brief reader.)
    """
    items = [t.strip() for t in items]
    rests = [_ordinal_rest(text, k) for k, text in enumerate(items, 1)]
    hits = sum(r is not None for r in rests)
    numbered = hits == len(items) or (len(items) >= 4 and hits * 4 >= len(items) * 3)
    if len(items) == 1 and rests[0] is not None and items[0][1:2].isspace():
        numbered = False  # "1 thing to know" alone is not a numbered list
    if not numbered:
        return items
    return [rest if rest is not None else text for rest, text in zip(rests, items, strict=True)]


# ---------------------------------------------------------------------------------
# nesting guard


_VOID = _names(
    "area base basefont bgsound br col embed frame hr img input keygen link meta param"
    " source track wbr"
)
# Closed implicitly by their next sibling or their parent: they do not deepen the tree.
_AUTO_CLOSED = _names(
    "html head body p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption"
    " rb rt rtc rp"
)
_RAW_TEXT = _names("script style textarea title xmp iframe noembed noframes noscript")
_RAW_SCAN = "|".join(sorted(_RAW_TEXT))
# A comment, a raw-text element (to its end tag), or a tag; on lower-cased text.
# Unterminated comments and raw text run to the end of the input, so this stays linear.
_TAG_SCAN = re.compile(
    rf"<!--.*?(?:-->|\Z)|<(?:{_RAW_SCAN})\b.*?(?:</(?:{_RAW_SCAN})|\Z)"
    r"|<(/?)([a-z][a-z0-9:-]*)([^<>]*)",
    re.DOTALL,
)


def too_deeply_nested(html: str, limit: int = MAX_DEPTH) -> bool:
    """Estimate whether ``html`` nests elements more than ``limit`` deep.

    A linear scan of the tags, modelling the HTML tree builder just enough to see
    depth: void and implicitly closed elements do not count, an end tag closes what
    is open inside its element, comments and raw text are skipped, and ``/>`` only
    self-closes inside ``<svg>``/``<math>``.  It errs towards overestimating.
    """
    if html.count("<") <= limit:
        return False
    stack: list[str] = []
    foreign = 0
    for match in _TAG_SCAN.finditer(html.lower()):
        name = match.group(2)
        if name is None:  # a comment or raw text
            continue
        if match.group(1):
            for i in range(len(stack) - 1, -1, -1):
                if stack[i] == name:
                    foreign -= sum(1 for n in stack[i:] if n in ("svg", "math"))
                    del stack[i:]
                    break
            continue
        if name in _VOID or name in _AUTO_CLOSED:
            continue
        if name == "plaintext":
            break
        if foreign and match.group(3).rstrip().endswith("/"):
            continue
        stack.append(name)
        if name in ("svg", "math"):
            foreign += 1
        if len(stack) > limit:
            return True
    return False


class _TextOnly(HTMLParser):
    """Plain text of HTML, for input too deeply nested to build a tree from."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP and tag not in _VOID:
            self.skipping += 1
        elif tag in _BLOCK or tag == "br":
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and tag not in _VOID:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def _plain_text(html: str) -> str:
    reader = _TextOnly()
    reader.feed(html)
    reader.close()
    paragraphs = (_squash(p) for p in "".join(reader.parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


# ---------------------------------------------------------------------------------
# HTML → Markdown


_SKIP = _names(
    "script style noscript template svg math iframe object embed canvas video audio picture"
    " map head title meta link button input select textarea datalist dialog form"
)
_CHROME_TAGS = _names("nav header footer aside")
_BLOCK = _names(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset"
    " figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p"
    " pre section summary table tbody thead tfoot tr ul caption"
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_CHROME_TOKEN = re.compile(
    r"(?:^|[-_])(?:share|sharing|social|newsletter|subscribe|subscription|cookies?|consent"
    r"|gdpr|promo|advert|advertisement|ads?|adslot|sponsor|sponsored|paywall|breadcrumbs?"
    r"|comments?|related|recommended|recirc|outbrain|taboola|toolbar|sidebar|popup|modal"
    r"|signup|sr-only|visually-hidden|screen-reader-text)(?:[-_]|$)"
)
_SAFE_SCHEMES = ("http", "https", "mailto")

# (node, tag, attributes) → whether the element is page chrome to leave out
_ChromeCheck = Callable[[LexborNode, str, dict[str, str | None]], bool]


def safe_url(href: str | None, base: str = "") -> str:
    """``href`` resolved against ``base`` if it is an http(s)/mailto URL, else ``""``."""
    if not href:
        return ""
    href = href.strip()
    if not href or href.startswith("#"):
        return ""
    if base:
        try:
            href = urljoin(base, href)
        except ValueError:
            return ""
    try:
        parts = urlsplit(href)
    except ValueError:
        return ""
    if parts.scheme.lower() not in _SAFE_SCHEMES:
        return ""
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return ""
    return quote(href, safe="/:?#[]@!$&'*+,;=%~-._")


@dataclass(slots=True)
class _Block:
    text: str
    group: int  # blocks of one list or table share a group and are joined by one newline
    quote: int


@dataclass(slots=True)
class _List:
    ordered: bool
    counter: int
    node_id: int


@dataclass
class _Renderer:
    """Turns one element's content into Markdown; walks the tree iteratively."""

    base_url: str = ""
    skip_ids: frozenset[int] | set[int] = frozenset()
    is_chrome: _ChromeCheck | None = None
    links: bool = True
    blocks: list[_Block] = field(default_factory=list)
    buf: list[str] = field(default_factory=list)
    lists: list[_List] = field(default_factory=list)
    tables: list[int] = field(default_factory=list)
    marker: str = ""
    quote: int = 0
    pre: int = 0
    open_links: list[tuple[int, int, int, str]] = field(default_factory=list)
    epoch: int = 0  # counts flushes: a link whose text was flushed is not wrapped
    cells: int = 0  # table cells so far in the current line

    def render(self, root: LexborNode) -> str:
        root_id = root.mem_id
        node = root.first_child
        while node is not None:
            if self._enter(node):
                child = node.first_child
                if child is not None:
                    node = child
                    continue
                self._exit(node)
            while True:
                sibling = node.next
                if sibling is not None:
                    node = sibling
                    break
                parent = node.parent
                if parent is None or parent.mem_id == root_id:
                    node = None
                    break
                node = parent
                self._exit(node)
        self._flush()
        return self._join()

    # -- tree events ---------------------------------------------------------------

    def _enter(self, node: LexborNode) -> bool:
        """Handle an opening node; return whether to descend into it."""
        if node.mem_id in self.skip_ids:
            return False
        if node.is_text_node:
            text = node.text_content or ""
            if self.pre:
                self.buf.append(text)
            elif text:
                self.buf.append(text.replace("\n", " "))
            return False
        if not node.is_element_node:
            return False
        tag = node.tag or ""
        if tag in _SKIP:
            return False
        attrs = node.attributes
        if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
            return False
        if self.is_chrome is not None and self.is_chrome(node, tag, attrs):
            return False
        if tag == "br":
            self.buf.append("\n")
        elif tag == "hr":
            self._flush()
        elif tag in ("ul", "ol", "menu", "dir"):
            self._flush()
            start = 0
            if tag == "ol":
                raw = (attrs.get("start") or "").strip()
                if raw.isdigit() and len(raw) < 6:
                    start = int(raw) - 1
            self.lists.append(_List(tag == "ol", start, node.mem_id))
        elif tag == "li":
            self._flush()
            if self.lists and self.lists[-1].ordered:
                self.lists[-1].counter += 1
                self.marker = f"{self.lists[-1].counter}. "
            else:
                self.marker = "- "
        elif tag == "blockquote":
            self._flush()
            self.quote += 1
        elif tag == "pre":
            self._flush()
            self.pre += 1
        elif tag == "table":
            self._flush()
            self.tables.append(node.mem_id)
        elif tag in ("td", "th"):
            if self.cells:
                self.buf.append(" | ")
            self.cells += 1
        elif tag == "code" and not self.pre:
            self.buf.append("`")
        elif tag == "a" and self.links:
            url = safe_url(attrs.get("href"), self.base_url)
            if url:
                self.open_links.append((node.mem_id, self.epoch, len(self.buf), url))
        elif tag in _BLOCK:
            self._flush()
        return True

    def _exit(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag in _HEADINGS:
            self._flush("#" * max(2, int(tag[1])) + " ")
        elif tag in ("ul", "ol", "menu", "dir"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._flush()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            if not self.pre:
                code = "".join(self.buf).strip("\n")
                self.buf = []
                self.epoch += 1
                if code.strip():
                    self._add("```\n" + code + "\n```")
        elif tag == "table":
            self._flush()
            if self.tables:
                self.tables.pop()
        elif tag == "code" and not self.pre:
            self.buf.append("`")
        elif tag == "a":
            self._close_link(node.mem_id)
        elif tag == "li":
            self._flush()
            self.marker = ""  # an empty item does not mark what follows
        elif tag in _BLOCK:
            self._flush()

    def _close_link(self, node_id: int) -> None:
        if not self.open_links or self.open_links[-1][0] != node_id:
            return
        _, epoch, start, url = self.open_links.pop()
        if epoch != self.epoch:  # the link spanned blocks: keep its text plain
            return
        inner = "".join(self.buf[start:])
        text = _squash(inner)
        if not text or text == url or "mailto:" + text == url:
            return
        text = text.replace("[", "\\[").replace("]", "\\]")
        lead = " " if inner[:1].isspace() else ""
        trail = " " if inner[-1:].isspace() else ""
        self.buf[start:] = [f"{lead}[{text}]({url}){trail}"]

    # -- blocks --------------------------------------------------------------------

    def _flush(self, heading: str = "") -> None:
        if self.pre:  # a block inside <pre>: keep collecting the code
            return
        raw = "".join(self.buf)
        self.buf = []
        self.epoch += 1
        self.cells = 0
        lines = [_squash(line) for line in raw.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return
        if self.lists:
            indent = "".join("   " if lst.ordered else "  " for lst in self.lists[:-1])
            cont = indent + ("   " if self.lists[-1].ordered else "  ")
            first = indent + (self.marker or cont[len(indent) :])
            self.marker = ""
            lines = [first + lines[0]] + [cont + line for line in lines[1:]]
        elif self.marker:  # an <li> outside any list
            lines[0] = self.marker + lines[0]
            self.marker = ""
        if heading and not self.lists:
            lines = [heading + " ".join(lines)]
        self._add("\n".join(lines))

    def _add(self, text: str) -> None:
        if self.quote:
            prefix = "> " * self.quote
            text = "\n".join(prefix + line for line in text.split("\n"))
        group = self.lists[0].node_id if self.lists else (self.tables[-1] if self.tables else 0)
        self.blocks.append(_Block(text, group, self.quote))

    def _join(self) -> str:
        out: list[str] = []
        prev: _Block | None = None
        for block in self.blocks:
            if prev is not None:
                if block.group and block.group == prev.group:
                    out.append("\n")
                elif block.quote and prev.quote:
                    out.append("\n" + ">" * min(block.quote, prev.quote) + "\n")
                else:
                    out.append("\n\n")
            out.append(block.text)
            prev = block
        return "".join(out)


def _render(
    node: LexborNode,
    *,
    base_url: str = "",
    skip_ids: frozenset[int] | set[int] = frozenset(),
    is_chrome: _ChromeCheck | None = None,
) -> str:
    return _Renderer(base_url=base_url, skip_ids=skip_ids, is_chrome=is_chrome).render(node)


def _inline(node: LexborNode) -> str:
    """An element's visible text on one line (no links, no list markers)."""
    return _squash(_Renderer(links=False).render(node).replace("\n", " "))


def _tree(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html, scripting=True)


def html_to_markdown(html: str, base_url: str = "") -> str:
    """Convert an HTML fragment (or page) to Markdown-ish text.

    Paragraphs are separated by blank lines; headings become ``##``/``###``; lists
    ``- `` / ``1. ``; links ``[text](url)`` only for http(s) and mailto URLs
    (relative ones resolved against ``base_url``), any other link is plain text;
    ``<pre>`` becomes a fenced block.  Scripts, styles, forms and embeds are dropped.
    Input nested deeper than :data:`MAX_DEPTH` comes back as plain paragraphs.
    """
    if not html or not html.strip():
        return ""
    if too_deeply_nested(html):
        return _plain_text(html)
    body = _tree(html).body
    return _render(body, base_url=base_url) if body is not None else ""


def extract_brief_parts(html: str, base_url: str = "") -> tuple[str, list[str], Analysis | None]:
    """Split item HTML into ``(body_markdown, takeaways, analysis)``.

    A "Key takeaways / Key points / Highlights / At a glance / TL;DR" heading followed
    by a list gives the takeaways (ordinals stripped); an "Editor's note / Editor's
    desk / Analysis / Why it matters" section, or an ``<aside>``/``<section>``/
    ``<blockquote>`` whose class names an analysis or editor, gives the analysis.
    Both are left out of the body.
    """
    if not html or not html.strip():
        return "", [], None
    if too_deeply_nested(html):
        return _plain_text(html), [], None
    body = _tree(html).body
    if body is None:
        return "", [], None
    parts = _BriefParts.find(body, base_url=base_url)
    text = _render(body, base_url=base_url, skip_ids=parts.skip_ids)
    return text, parts.takeaways, parts.analysis


# ---------------------------------------------------------------------------------
# finding takeaways and analysis


def _classes(node: LexborNode, attrs: dict[str, str | None] | None = None) -> str:
    if attrs is None:
        attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()


def _next_element(node: LexborNode) -> LexborNode | None:
    """The next sibling element, or ``None`` when text or nothing comes first."""
    sibling = node.next
    while sibling is not None:
        if sibling.is_element_node:
            return sibling
        if sibling.is_text_node and (sibling.text_content or "").strip():
            return None
        sibling = sibling.next
    return None


def _element_children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.first_child
    while child is not None:
        if child.is_element_node:
            yield child
        child = child.next


def _heading_level(node: LexborNode) -> int:
    tag = node.tag or ""
    return int(tag[1]) if tag in _HEADINGS else 7


_HEADINGISH = (
    "h1, h2, h3, h4, h5, h6, p, dt, summary, "
    '[class*="heading" i], [class*="label" i], [class*="title" i], [class*="kicker" i]'
)


_Headings = list[tuple[LexborNode, str]]


def _headingish(scope: LexborNode, cache: dict[int, _Headings] | None = None) -> _Headings:
    """Short heading-like elements under ``scope``, with their text."""
    if cache is not None and scope.mem_id in cache:
        return cache[scope.mem_id]
    found: _Headings = []
    for node in scope.css(_HEADINGISH):
        text = node.text()
        if len(text) > 500:
            continue
        text = _squash(text)
        if text and len(text) <= 160:
            found.append((node, text))
    if cache is not None:
        cache[scope.mem_id] = found
    return found


def _list_after(heading: LexborNode, scope_id: int) -> LexborNode | None:
    """The ``<ul>``/``<ol>`` right after a heading (climbing out of a wrapper or two)."""
    node: LexborNode | None = heading
    for _ in range(3):
        if node is None or node.mem_id == scope_id:
            return None
        sibling = _next_element(node)
        while sibling is not None and sibling.tag in ("hr", "br"):
            sibling = _next_element(sibling)
        if sibling is not None:
            if sibling.tag in ("ul", "ol"):
                return sibling
            inner = next(_element_children(sibling), None)
            if (
                sibling.tag in ("div", "section")
                and inner is not None
                and inner.tag in ("ul", "ol")
            ):
                return inner
            return None
        if node.next is not None:  # text follows the heading
            return None
        node = node.parent
    return None


def _list_items(lst: LexborNode) -> list[str]:
    items = [_inline(li) for li in _element_children(lst) if li.tag == "li"]
    return strip_ordinals([t for t in items if t])


_BYLINE_DASH = re.compile(r"^\s*(?:—|–|―|--|-)\s*(\S.*)$")


@dataclass(slots=True)
class _BriefParts:
    takeaways: list[str] = field(default_factory=list)
    analysis: Analysis | None = None
    skip_ids: set[int] = field(default_factory=set)
    headings: dict[int, _Headings] = field(default_factory=dict)

    @classmethod
    def find(
        cls, scope: LexborNode, *, base_url: str = "", fallback: LexborNode | None = None
    ) -> _BriefParts:
        parts = cls()
        parts._find_takeaways(scope, in_chrome_too=True)
        parts._find_analysis(scope, base_url, in_chrome_too=True)
        if fallback is not None:  # outside the main text: not in navigation or footers
            if not parts.takeaways:
                parts._find_takeaways(fallback, in_chrome_too=False)
            if parts.analysis is None:
                parts._find_analysis(fallback, base_url, in_chrome_too=False)
        return parts

    def _usable(self, node: LexborNode, scope: LexborNode, in_chrome_too: bool) -> bool:
        if node.mem_id in self.skip_ids or node.mem_id == scope.mem_id:
            return False
        return in_chrome_too or not _in_chrome(node)

    # -- takeaways -----------------------------------------------------------------

    def _find_takeaways(self, scope: LexborNode, *, in_chrome_too: bool) -> None:
        for node, text in _headingish(scope, self.headings):
            if not is_takeaways_heading(text) or not self._usable(node, scope, in_chrome_too):
                continue
            lst = _list_after(node, scope.mem_id)
            if lst is None:
                continue
            items = _list_items(lst)
            if items:
                self.takeaways = items
                self.skip_ids.update((node.mem_id, lst.mem_id))
                return
        selector = (
            '[class*="takeaway" i], [class*="key-points" i], [class*="keypoints" i],'
            ' [class*="tldr" i], [class*="highlights" i]'
        )
        for box in scope.css(selector):
            if not self._usable(box, scope, in_chrome_too):
                continue
            lst = box if box.tag in ("ul", "ol") else box.css_first("ul, ol")
            if lst is None or len(lst.text()) * 2 < len(box.text()):
                continue  # a wrapper with a chatty class, not a list of takeaways
            items = _list_items(lst)
            if items:
                self.takeaways = items
                self.skip_ids.add(box.mem_id)
                return

    # -- analysis ------------------------------------------------------------------

    def _find_analysis(self, scope: LexborNode, base_url: str, *, in_chrome_too: bool) -> None:
        selector = (
            'aside[class*="analysis" i], section[class*="analysis" i],'
            ' blockquote[class*="analysis" i], div[class*="analysis" i],'
            ' aside[class*="editor" i], section[class*="editor" i],'
            ' blockquote[class*="editor" i], div[class*="editor" i]'
        )
        for box in scope.css(selector):
            classes = _classes(box)
            if "pick" in classes or "choice" in classes:
                continue
            if not self._usable(box, scope, in_chrome_too):
                continue
            if len(box.text().strip()) < 20:
                continue  # too short to be an analysis
            if len(box.css("p")) > 8 or box.css_first("h1, article, main") is not None:
                continue  # a wrapper around the story (class="editor-content"), not a panel
            self._analysis_from_box(box, None, base_url)
            if self.analysis is not None:
                return
        for node, text in _headingish(scope, self.headings):
            found = is_analysis_heading(text)
            if found is None or not self._usable(node, scope, in_chrome_too):
                continue
            label, title = found
            if title and (node.tag or "") not in _HEADINGS:
                continue  # "Editor's note: this story was updated…" is not a section
            parent = node.parent
            first = next(_element_children(parent), None) if parent is not None else None
            if (
                parent is not None
                and first is not None
                and first.mem_id == node.mem_id
                and parent.mem_id != scope.mem_id
                and (parent.tag or "") in ("aside", "section", "div", "blockquote", "figure")
            ):
                self._analysis_from_box(parent, (node, label, title), base_url)
            else:
                self._analysis_from_run(node, label, title, base_url)
            if self.analysis is not None:
                return

    def _analysis_from_box(
        self, box: LexborNode, heading: tuple[LexborNode, str, str] | None, base_url: str
    ) -> None:
        """An analysis set apart in its own element."""
        skip: set[int] = set()
        label, title = "", ""
        if heading is not None:
            label, title = heading[1], heading[2]
            skip.add(heading[0].mem_id)
        byline, kicker = "", ""
        for node in box.css(
            'h1, h2, h3, h4, h5, h6, [class*="label" i], [class*="title" i],'
            ' [class*="headline" i], [class*="kicker" i], [class*="byline" i],'
            ' [class*="author" i], footer, cite'
        ):
            if node.mem_id in skip:
                continue
            text = _inline(node)
            if not text or len(text) > 200:
                continue
            classes = _classes(node)
            found = is_analysis_heading(text)
            if "byline" in classes or "author" in classes or node.tag in ("footer", "cite"):
                if not byline:
                    byline = _dashless(text)
                    skip.add(node.mem_id)
            elif "kicker" in classes:
                if not kicker:
                    kicker = text
                    skip.add(node.mem_id)
            elif not label and found is not None:
                label = found[0]
                title = title or found[1]
                skip.add(node.mem_id)
            elif not title and ("label" not in classes or label):
                title = text
                skip.add(node.mem_id)
            elif not label and "label" in classes:
                label = text
                skip.add(node.mem_id)
        if not byline:
            byline = self._trailing_byline(list(_element_children(box)), skip)
        body = _render(box, base_url=base_url, skip_ids=skip | self.skip_ids)
        if not body.strip():
            return
        self.analysis = Analysis(
            body=body, label=label or "Editor's Analysis", title=title, byline=byline, kicker=kicker
        )
        self.skip_ids.add(box.mem_id)

    def _analysis_from_run(
        self, heading: LexborNode, label: str, title: str, base_url: str
    ) -> None:
        """An analysis that runs from its heading to the next heading as high."""
        parent = heading.parent
        if parent is None:
            return
        level = _heading_level(heading)
        run: list[LexborNode] = []
        node = heading.next
        while node is not None:
            if (node.tag or "") in _HEADINGS and _heading_level(node) <= level:
                break
            run.append(node)
            node = node.next
        elements = [n for n in run if n.is_element_node]
        skip: set[int] = set()
        if elements and (elements[0].tag or "") in _HEADINGS and not title:
            title = _inline(elements[0])
            skip.add(elements[0].mem_id)
        byline = self._trailing_byline(elements, skip)
        run_ids = {n.mem_id for n in run}
        outside = {n.mem_id for n in _children(parent) if n.mem_id not in run_ids}
        body = _render(parent, base_url=base_url, skip_ids=outside | skip | self.skip_ids)
        if not body.strip():
            return
        self.analysis = Analysis(
            body=body, label=label or "Editor's Analysis", title=title, byline=byline
        )
        self.skip_ids.add(heading.mem_id)
        self.skip_ids.update(run_ids)

    @staticmethod
    def _trailing_byline(elements: list[LexborNode], skip: set[int]) -> str:
        for node in reversed(elements):
            if node.mem_id in skip:
                continue
            text = _inline(node)
            if not text:
                continue
            match = _BYLINE_DASH.match(text)
            if match and len(text) <= 100:
                skip.add(node.mem_id)
                return match.group(1).strip()
            return ""
        return ""


def _in_chrome(node: LexborNode) -> bool:
    """Whether ``node`` sits in a page's navigation, header or footer."""
    current = node.parent
    while current is not None:
        if (current.tag or "") in ("nav", "header", "footer"):
            return True
        current = current.parent
    return False


def _dashless(text: str) -> str:
    match = _BYLINE_DASH.match(text)
    return match.group(1).strip() if match else text


def _children(parent: LexborNode) -> Iterator[LexborNode]:
    child = parent.first_child
    while child is not None:
        yield child
        child = child.next


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
    tree = _tree(text)
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
        parts = _BriefParts.find(self.content, base_url=base, fallback=self.body)
        self.skip_ids |= parts.skip_ids
        related = self._related(base, url, parts.headings)
        summary = self._dek() or self._first_meta(
            "description", "og:description", "twitter:description"
        )
        summary = summary or _ld_text(self.ld.get("description"))
        caption = self._caption()
        self._skip_title_heading(title)
        content_len = len(self.content.text())
        markdown = _render(
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
        published = self._published()
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
        )

    # -- metadata ------------------------------------------------------------------

    def _first_meta(self, *keys: str) -> str:
        for key in keys:
            value = self.meta.get(key, "")
            if value:
                return _squash(value)
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
                if h1 is not None and (title := _inline(h1)):
                    break
        if not title:
            node = self.tree.css_first("title")
            title = _squash(node.text()) if node is not None else ""
        return _strip_site(title, source)

    def _skip_title_heading(self, title: str) -> None:
        key = title.casefold()
        for h1 in self.content.css("h1"):
            text = _inline(h1).casefold()
            if text and (text == key or key.startswith(text)):
                self.skip_ids.add(h1.mem_id)

    def _author(self) -> str:
        for key in ("author", "article:author", "twitter:creator", "dc.creator", "parsely-author"):
            value = _squash(self.meta.get(key, ""))
            if value and not _URLISH.fullmatch(value):  # article:author is often a profile URL
                return value
        name = _ld_name(self.ld.get("author"))
        if name:
            return name
        for selector in ('[rel~="author" i]', '[itemprop="author"]'):
            node = self.body.css_first(selector)
            if node is not None and (text := _inline(node)):
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
                text = _inline(node)
                if 20 <= len(text) <= 800:
                    self.skip_ids.add(node.mem_id)
                    return text
        return ""

    def _caption(self) -> str:
        for node in self.content.css("figcaption"):
            if _inside(node, self.skip_ids):
                continue
            text = _inline(node)
            if text:
                self.skip_ids.add(node.mem_id)
                return text
        return ""

    def _related(
        self, base: str, own_url: str, headings: dict[int, _Headings]
    ) -> list[RelatedLink]:
        blocks: list[LexborNode] = []
        for node in self.body.css('[class*="related" i], [id*="related" i]'):
            if node.mem_id in self.content_ancestors:
                continue
            if any(_RELATED_TOKEN.search(token) for token in _classes(node).split()):
                blocks.append(node)
        for node, text in _headingish(self.body, headings):
            if _RELATED_RE.fullmatch(text) is None or node.mem_id in self.skip_ids:
                continue
            parent = node.parent
            first = next(_element_children(parent), None) if parent is not None else None
            if (
                parent is not None
                and first is not None
                and first.mem_id == node.mem_id
                and parent.mem_id not in self.content_ancestors
                and (parent.tag or "") in ("section", "aside", "div", "nav", "header")
            ):
                blocks.append(parent)
            else:
                blocks.append(node)
                lst = _list_after(node, self.body.mem_id)
                if lst is not None:
                    blocks.append(lst)
        links: list[RelatedLink] = []
        seen = {own_url} if own_url else set()
        for block in blocks:
            self.skip_ids.add(block.mem_id)
            anchors = [block] if block.tag == "a" else block.css("a[href]")
            for anchor in anchors:
                url = safe_url(anchor.attributes.get("href"), base)
                title = _inline(anchor)
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
    title = _squash(title)
    site = _squash(site)
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
