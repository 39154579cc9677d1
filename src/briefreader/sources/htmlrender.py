"""HTML → Markdown: the selectolax-based converter every HTML reader uses.

:func:`html_to_markdown` turns an HTML fragment (or page) into Markdown-ish text;
:func:`safe_url` keeps only http(s) and mailto links.  The tree is walked with an
explicit loop (never recursion), and input nested deeper than :data:`MAX_DEPTH`
elements is never handed to Lexbor (:func:`too_deeply_nested`): its tree builder is
quadratic in the depth, so 100,000 nested ``<div>`` would take half a minute.
(Browsers cap the depth at 512 too.)  Such input is read as plain text instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = [
    "HEADINGS",
    "MAX_DEPTH",
    "ChromeCheck",
    "html_to_markdown",
    "html_tree",
    "inline_text",
    "plain_text",
    "render",
    "safe_url",
    "squash",
    "too_deeply_nested",
]

#: Element nesting beyond this is refused (pages) or read as plain text (fragments).
MAX_DEPTH = 512


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


def squash(text: str) -> str:
    return " ".join(text.split())


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


def plain_text(html: str) -> str:
    reader = _TextOnly()
    reader.feed(html)
    reader.close()
    paragraphs = (squash(p) for p in "".join(reader.parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


# ---------------------------------------------------------------------------------
# HTML → Markdown


_SKIP = _names(
    "script style noscript template svg math iframe object embed canvas video audio picture"
    " map head title meta link button input select textarea datalist dialog form"
)
_BLOCK = _names(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset"
    " figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p"
    " pre section summary table tbody thead tfoot tr ul caption"
)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SAFE_SCHEMES = ("http", "https", "mailto")

# (node, tag, attributes) → whether the element is page chrome to leave out
ChromeCheck = Callable[[LexborNode, str, dict[str, str | None]], bool]


# An absolute http(s) URL made only of characters quote() below leaves alone, with
# no ";" (params), no "[" or "]", and no empty query or fragment: urljoin, urlsplit
# and quote all give it back unchanged, so it is its own answer (most links are;
# the general path costs ~15 µs a link).
_PLAIN_HTTP_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?"
    r"(?:/[A-Za-z0-9/:@!$&'*+,=%~._-]*)?"
    r"(?:\?[A-Za-z0-9/:@!$&'*+,=%~._?-]+)?"
    r"(?:#[A-Za-z0-9/:@!$&'*+,=%~._?-]+)?"
)


def safe_url(href: str | None, base: str = "") -> str:
    """``href`` resolved against ``base`` if it is an http(s)/mailto URL, else ``""``."""
    if not href:
        return ""
    href = href.strip()
    if not href or href.startswith("#"):
        return ""
    if _PLAIN_HTTP_URL.fullmatch(href):
        return href
    return _safe_url(href, base)


def _safe_url(href: str, base: str) -> str:
    """:func:`safe_url` of a stripped, non-empty ``href`` (the general path)."""
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
    row: bool = False  # a table's row (not in a list): joined by a hard line break
    caption: bool = False  # a paragraph of a figure's caption


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
    is_chrome: ChromeCheck | None = None
    links: bool = True
    blocks: list[_Block] = field(default_factory=list)
    buf: list[str] = field(default_factory=list)
    lists: list[_List] = field(default_factory=list)
    tables: list[int] = field(default_factory=list)
    marker: str = ""
    quote: int = 0
    pre: int = 0
    caption: int = 0  # inside a <figcaption>: its paragraphs are emphasised whole
    figures: list[int] = field(default_factory=list)  # where each open <figure>'s blocks begin
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
        elif tag == "img" and self.links:
            self._image(attrs)
        elif tag in _BLOCK:
            self._flush()
            if tag == "figcaption":
                self.caption += 1
            elif tag == "figure":
                self.figures.append(len(self.blocks))
        return True

    def _exit(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag in HEADINGS:
            self._flush("#" * max(2, int(tag[1])) + " ")
        elif tag == "figcaption":
            self._flush()
            self.caption = max(0, self.caption - 1)
        elif tag == "figure":
            self._flush()
            if self.figures:
                self._caption_last(self.figures.pop())
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

    def _image(self, attrs: dict[str, str | None]) -> None:
        """An image as ``![alt](url)``: http(s) only, never a tracking pixel."""
        from briefreader.sources.media import is_tracking_pixel

        url = safe_url(attrs.get("src"), self.base_url)
        if not url.startswith(("http://", "https://")):
            return
        if is_tracking_pixel({k: v or "" for k, v in attrs.items()}, url):
            return
        alt = squash(attrs.get("alt") or "")[:300]
        alt = alt.replace("\\", "").replace("[", "\\[").replace("]", "\\]")
        self.buf.append(f" ![{alt}]({url}) ")

    def _close_link(self, node_id: int) -> None:
        if not self.open_links or self.open_links[-1][0] != node_id:
            return
        _, epoch, start, url = self.open_links.pop()
        if epoch != self.epoch:  # the link spanned blocks: keep its text plain
            return
        inner = "".join(self.buf[start:])
        text = squash(inner)
        if text and _IMAGES_ONLY.fullmatch(text) and "](" + url + ")" not in text:
            # A picture linked to its full size (or a page): the link stays around it,
            # so u lists both and the placeholder opens the link.
            self.buf[start:] = [f" [{text}]({url}) "]
            return
        if not text or text == url or "mailto:" + text == url or "![" in text:
            return
        text = text.replace("[", "\\[").replace("]", "\\]")
        lead = " " if inner[:1].isspace() else ""
        trail = " " if inner[-1:].isspace() else ""
        self.buf[start:] = [f"{lead}[{text}]({url}){trail}"]

    # -- blocks --------------------------------------------------------------------

    def _flush(self, heading: str = "") -> None:
        """End the block collected so far (a heading's, with its marks; each paragraph
        of a figure's caption emphasised whole: see briefreader.markdown_text.kinds)."""
        if self.pre:  # a block inside <pre>: keep collecting the code
            return
        raw = "".join(self.buf)
        self.buf = []
        self.epoch += 1
        self.cells = 0
        lines = [squash(line) for line in raw.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return
        if self.links:  # Markdown: a line of text never starts a list, heading, quote
            lines = [_literal_start(line) for line in lines]
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
        elif self.caption and not self.lists:
            lines = [_emphasised(" ".join(lines))]
        # A line break of the HTML (<br>, a table's row) stays one: a Markdown hard
        # break ("\\" at the end of the line), not a soft one, which is a space.
        self._add("\\\n".join(lines))

    def _caption_last(self, start: int) -> None:
        """A figure whose caption came before its image (its blocks from ``start``):
        the caption is put after the image, where a caption is known by (see
        briefreader.markdown_text.kinds)."""
        blocks = self.blocks[start:]
        if any(b.caption for b in blocks) and not blocks[-1].caption:
            self.blocks[start:] = [b for b in blocks if not b.caption] + [
                b for b in blocks if b.caption
            ]

    def _add(self, text: str) -> None:
        if self.quote:
            prefix = "> " * self.quote
            text = "\n".join(prefix + line for line in text.split("\n"))
        group = self.lists[0].node_id if self.lists else (self.tables[-1] if self.tables else 0)
        row = not self.lists and bool(self.tables)
        self.blocks.append(_Block(text, group, self.quote, row, bool(self.caption)))

    def _join(self) -> str:
        out: list[str] = []
        prev: _Block | None = None
        for block in self.blocks:
            if prev is not None:
                if block.group and block.group == prev.group:
                    # (a table's rows: a hard break, or Markdown makes them one line)
                    out.append("\\\n" if block.row and prev.row else "\n")
                elif block.quote and prev.quote:
                    out.append("\n" + ">" * min(block.quote, prev.quote) + "\n")
                else:
                    out.append("\n\n")
            out.append(block.text)
            prev = block
        return "".join(out)


#: Link text that is images alone (see _close_link).
_IMAGES_ONLY = re.compile(r"(?:!\[[^\]\n]*\]\([^)\s]*\)\s*)+")


def render(
    node: LexborNode,
    *,
    base_url: str = "",
    skip_ids: frozenset[int] | set[int] = frozenset(),
    is_chrome: ChromeCheck | None = None,
) -> str:
    return _Renderer(base_url=base_url, skip_ids=skip_ids, is_chrome=is_chrome).render(node)


def inline_text(node: LexborNode) -> str:
    """An element's visible text on one line (no links, no list markers)."""
    return squash(_Renderer(links=False).render(node).replace("\n", " "))


def html_tree(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html, scripting=True)


#: What would make a line of text a block of Markdown: a list item's marker, a
#: heading's, a quote's, a thematic break, a heading's underline, a code fence.
_BLOCK_START = re.compile(
    r"(?:[*+-]|\d{1,9}[.)]|#{1,6})(?=[ \t]|$)|>|(?:-[ \t]*){3,}$|(?:\*[ \t]*){3,}$"
    r"|(?:_[ \t]*){3,}$|[=-]+[ \t]*$|`{3,}|~{3,}"
)  # ("--" under a line, as "=", would make it a heading)


def _literal_start(line: str) -> str:
    """``line`` with a backslash before what would make it a Markdown block of its own
    (an item's HTML typing "* point" after a <br> meant the asterisk, not a list that
    swallows the lines after it)."""
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    mark = match.group()
    if mark[0].isdigit():  # "1." → "1\." (a backslash before a digit stays literal)
        digits = len(mark) - 1
        return line[:digits] + "\\" + line[digits:]
    if mark[0] in "`~":  # every mark of a fence (the rest would open a code span)
        return "".join("\\" + c for c in mark) + line[len(mark) :]
    return "\\" + line


def _emphasised(text: str) -> str:
    """``text`` as one emphasised paragraph: between ``*`` (``_`` when it holds a
    ``*``, which code may hold and escaping would show), no backslash at its end to
    escape the closing mark."""
    text = text.rstrip("\\ ")
    if "*" not in text:
        return f"*{text}*"
    if "_" not in text:
        return f"_{text}_"
    return "*" + text.replace("*", "\\*") + "*"


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
        return plain_text(html)
    body = html_tree(html).body
    return render(body, base_url=base_url) if body is not None else ""
