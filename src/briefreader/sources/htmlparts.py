"""The parts of a brief in HTML: a "Key takeaways" list and an analysis section.

:func:`extract_brief_parts` splits item HTML (a feed item, a JSON Feed item) into
its body as Markdown, its takeaways and its analysis; :class:`BriefParts` finds
them in a saved page too.  Headings and labels are recognised by
:mod:`briefreader.sources.vocabulary`, as in every other reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from briefreader.model import Analysis
from briefreader.sources.htmlrender import (
    HEADINGS,
    html_tree,
    inline_text,
    plain_text,
    render,
    squash,
    too_deeply_nested,
)
from briefreader.sources.vocabulary import analysis_label, strip_ordinals
from briefreader.sources.vocabulary import is_takeaways_heading as _is_takeaways_heading

__all__ = [
    "BriefParts",
    "Headings",
    "class_names",
    "element_children",
    "extract_brief_parts",
    "headed_box",
    "headingish",
    "is_analysis_heading",
    "is_takeaways_heading",
    "list_after",
    "strip_ordinals",
]


def is_takeaways_heading(text: str) -> bool:
    """Whether a heading's text names a "Key takeaways" list (TL;DR, Highlights, …)."""
    return _is_takeaways_heading(squash(text))


def is_analysis_heading(text: str) -> tuple[str, str] | None:
    """``(label, title)`` when a heading names an editor's analysis, else ``None``
    (:func:`briefreader.sources.vocabulary.analysis_label` on the squashed text)."""
    return analysis_label(squash(text))


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
        return plain_text(html), [], None
    body = html_tree(html).body
    if body is None:
        return "", [], None
    parts = BriefParts.find(body, base_url=base_url)
    text = render(body, base_url=base_url, skip_ids=parts.skip_ids)
    return text, parts.takeaways, parts.analysis


# ---------------------------------------------------------------------------------
# finding takeaways and analysis


def class_names(node: LexborNode, attrs: dict[str, str | None] | None = None) -> str:
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


def element_children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.first_child
    while child is not None:
        if child.is_element_node:
            yield child
        child = child.next


def headed_box(node: LexborNode, tags: tuple[str, ...]) -> LexborNode | None:
    """The element ``node`` heads: its parent, when that is one of ``tags`` and
    ``node`` is its first element."""
    parent = node.parent
    if parent is None or (parent.tag or "") not in tags:
        return None
    first = next(element_children(parent), None)
    return parent if first is not None and first.mem_id == node.mem_id else None


def _heading_level(node: LexborNode) -> int:
    tag = node.tag or ""
    return int(tag[1]) if tag in HEADINGS else 7


_HEADINGISH = (
    "h1, h2, h3, h4, h5, h6, p, dt, summary, "
    '[class*="heading" i], [class*="label" i], [class*="title" i], [class*="kicker" i]'
)


Headings = list[tuple[LexborNode, str]]


def headingish(scope: LexborNode, cache: dict[int, Headings] | None = None) -> Headings:
    """Short heading-like elements under ``scope``, with their text."""
    if cache is not None and scope.mem_id in cache:
        return cache[scope.mem_id]
    found: Headings = []
    for node in scope.css(_HEADINGISH):
        text = node.text()
        if len(text) > 500:
            continue
        text = squash(text)
        if text and len(text) <= 160:
            found.append((node, text))
    if cache is not None:
        cache[scope.mem_id] = found
    return found


def list_after(heading: LexborNode, scope_id: int) -> LexborNode | None:
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
            inner = next(element_children(sibling), None)
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
    items = [inline_text(li) for li in element_children(lst) if li.tag == "li"]
    return strip_ordinals([t for t in items if t])


_BYLINE_DASH = re.compile(r"^\s*(?:—|–|―|--|-)\s*(\S.*)$")


@dataclass(slots=True)
class BriefParts:
    takeaways: list[str] = field(default_factory=list)
    analysis: Analysis | None = None
    skip_ids: set[int] = field(default_factory=set)
    headings: dict[int, Headings] = field(default_factory=dict)

    @classmethod
    def find(
        cls, scope: LexborNode, *, base_url: str = "", fallback: LexborNode | None = None
    ) -> BriefParts:
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
        for node, text in headingish(scope, self.headings):
            if not is_takeaways_heading(text) or not self._usable(node, scope, in_chrome_too):
                continue
            lst = list_after(node, scope.mem_id)
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
            classes = class_names(box)
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
        for node, text in headingish(scope, self.headings):
            found = is_analysis_heading(text)
            if found is None or not self._usable(node, scope, in_chrome_too):
                continue
            label, title = found
            if title and (node.tag or "") not in HEADINGS:
                continue  # "Editor's note: this story was updated…" is not a section
            panel = headed_box(node, ("aside", "section", "div", "blockquote", "figure"))
            if panel is not None and panel.mem_id != scope.mem_id:
                self._analysis_from_box(panel, (node, label, title), base_url)
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
            text = inline_text(node)
            if not text or len(text) > 200:
                continue
            classes = class_names(node)
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
            byline = self._trailing_byline(list(element_children(box)), skip)
        body = render(box, base_url=base_url, skip_ids=skip | self.skip_ids)
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
            if (node.tag or "") in HEADINGS and _heading_level(node) <= level:
                break
            run.append(node)
            node = node.next
        if node is None:  # no heading ends it: the story may go on after it, unmarked
            run = self._unended_run(heading, run)
        elements = [n for n in run if n.is_element_node]
        skip: set[int] = set()
        if elements and (elements[0].tag or "") in HEADINGS and not title:
            title = inline_text(elements[0])
            skip.add(elements[0].mem_id)
        byline = self._trailing_byline(elements, skip)
        run_ids = {n.mem_id for n in run}
        outside = {n.mem_id for n in _children(parent) if n.mem_id not in run_ids}
        body = render(parent, base_url=base_url, skip_ids=outside | skip | self.skip_ids)
        if not body.strip():
            return
        self.analysis = Analysis(
            body=body, label=label or "Editor's Analysis", title=title, byline=byline
        )
        self.skip_ids.add(heading.mem_id)
        self.skip_ids.update(run_ids)

    def _unended_run(self, heading: LexborNode, run: list[LexborNode]) -> list[LexborNode]:
        """What of a run that no heading ends is the analysis.

        An item laid out as a brief — a lede (a dateline, a picture; or the lede only in
        the dek), the takeaways, the analysis, then the story with no heading of its
        own — would put its whole story in the panel and its lede after it.  There the
        analysis ends at a signature ("— Ana Ruiz", a short line) among its first
        blocks, else after its first paragraph (and the block it introduces, when it
        ends with a colon; and the subheading that titles it); the story stays in the
        body, in its order.  All of the run stays the analysis when its shape says
        otherwise: the story came before the heading (:data:`STORY_BEFORE` characters
        or more: an analysis closing the item), or nothing at all did (the item is its
        analysis), or the run opens with sections of its own, or with text outside any
        block or a block that is not a paragraph."""
        before = paragraphs = 0
        takeaways_first = False
        level: LexborNode | None = heading
        # The heading's earlier siblings, then its wrappers' (a story in a div of its own).
        for _ in range(4):
            node = level.prev if level is not None else None
            while node is not None and before < STORY_BEFORE:
                if node.mem_id in self.skip_ids:
                    takeaways_first = True
                elif (node.tag or "") not in HEADINGS:
                    text = node.text() if node.is_element_node else (node.text_content or "")
                    size = len((text or "").strip())
                    before += size
                    paragraphs += (node.tag or "") in ("p", "div") and size >= STORY_PARAGRAPH
                node = node.prev
            level = level.parent if level is not None else None
            if level is None or (level.tag or "") in ("body", "html", "article", "main"):
                break
        if before >= STORY_BEFORE or paragraphs >= 2 or (before == 0 and not takeaways_first):
            return run
        blocks: list[int] = []
        for i, n in enumerate(run):
            if n.is_element_node and _is_block(n) and (n.tag or "") in _BLOCK_TAGS:
                blocks.append(i)
            elif not blocks and (
                (n.is_text_node and (n.text_content or "").strip())
                or (n.is_element_node and _is_block(n))
            ):
                return run  # text outside any block first: a sentence is not cut in two
        if len(blocks) < 2:
            return run
        at = 0
        if (run[blocks[0]].tag or "") in HEADINGS:  # a title, then the analysis's text
            if any((run[i].tag or "") in HEADINGS for i in blocks[1:]):
                return run  # sections of its own
            at = 1
        if at >= len(blocks) - 1 or not _paragraph(run[blocks[at]]):
            return run
        if _signature(run[blocks[at]]):
            return run
        for i in blocks[at + 1 : at + 4]:
            if _signature(run[i]):  # signed: the analysis ends with its signature
                return run[: i + 1]
        if inline_text(run[blocks[at]]).endswith(":"):  # it introduces what follows
            at += 1
        return run[: blocks[at] + 1]

    @staticmethod
    def _trailing_byline(elements: list[LexborNode], skip: set[int]) -> str:
        for node in reversed(elements):
            if node.mem_id in skip:
                continue
            text = inline_text(node)
            if not text:
                continue
            if (node.tag or "") in _NOT_A_LINE:  # ("- R1. - R2." is a list's text)
                return ""
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


#: Characters of text before an unended analysis's heading that make it the item's
#: closing analysis (the story told first) rather than a brief's (a lede first).
STORY_BEFORE = 800
#: ... or two paragraphs of this many characters or more (a dateline, a credit, a short
#: caption are not the story).
STORY_PARAGRAPH = 80

#: Elements that are blocks of their own in a run (anything else at its top level is
#: inline markup, part of a sentence).
_BLOCK_TAGS = frozenset(
    ("p", "div", "ul", "ol", "dl", "blockquote", "figure", "table", "pre", "section",
     "aside", "header", "footer", "article", "address", "details", "hr", "img", "picture",
     *HEADINGS)
)  # fmt: skip

#: A signature line: a dash, a space, then a name and perhaps a role — a few words
#: ("— Dr. J. R. Ruiz, editor"), no sentence's end ("— We will not give up, said the
#: leader." is dialogue), not "-5 degrees".
_SIGNATURE = re.compile(r"^\s*(?:[—–―]|--?(?=\s))\s*(\S(?:[^!?:;…]{0,78}[^\s.!?:;…])?)$")


def _signature(node: LexborNode) -> bool:
    """Whether a block is a signature line ("— Ana Ruiz, transport editor")."""
    if (node.tag or "") not in ("p", "div", "footer", "cite", "address"):
        return False
    match = _SIGNATURE.match(inline_text(node))
    return match is not None and len(match.group(1).split()) <= 8


#: Blocks that are never a byline's line.
_NOT_A_LINE = frozenset(("ul", "ol", "dl", "table", "pre", "blockquote", "figure", *HEADINGS))


def _paragraph(node: LexborNode) -> bool:
    """Whether a block of a run is a paragraph of text (a <p>, or a <div> of text
    alone)."""
    tag = node.tag or ""
    if tag == "p":
        return True
    return tag == "div" and not any(
        (child.tag or "") in _BLOCK_TAGS for child in element_children(node)
    )


def _is_block(node: LexborNode) -> bool:
    """Whether a node of a run shows as something of its own: an element with text
    (or an image), or loose text."""
    if node.is_element_node:
        return (
            bool((node.text() or "").strip())
            or node.tag == "img"
            or node.css_first("img") is not None
        )
    return bool(node.is_text_node and (node.text_content or "").strip())


def _dashless(text: str) -> str:
    match = _BYLINE_DASH.match(text)
    return match.group(1).strip() if match else text


def _children(parent: LexborNode) -> Iterator[LexborNode]:
    child = parent.first_child
    while child is not None:
        yield child
        child = child.next
