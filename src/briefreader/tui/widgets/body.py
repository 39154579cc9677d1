"""The article body: Markdown parsed once and drawn as Rich renderables, never as markup.

Textual's ``Markdown`` widget mounts a widget per block, which measured about
14 ms of CPU per article on its own — most of the 16 ms budget for moving to the
next article.  Here the Markdown is parsed (markdown-it, the parser Textual and
Rich use, HTML off) into a small block tree, and drawn as one group of Rich
renderables (~2 ms with the rest of the article).  All text goes in as
:class:`rich.text.Text` built from plain strings, so nothing in an article is
ever read as markup, and raw HTML stays literal text.

Links carry a ``@click`` action holding only an index into the article's link
table (never the URL itself), and are not terminal hyperlinks (no OSC 8), so the
terminal cannot open them by itself.  The widget that draws them
(:class:`~briefreader.tui.widgets.article_view.ArticleView`) turns a click into a
message, and the app hands the URL to the safe opener.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from rich import box
from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from briefreader.tui.formatting import safe_block, safe_line
from briefreader.tui.widgets.linebreak import text_for

__all__ = ["STYLE_NAMES", "Bar", "MarkdownDoc", "NotShown", "parse_markdown", "render_blocks"]

#: Bodies longer than this are cut (with a note); no article is this long.
MAX_BODY_CHARS = 120_000

# -- the block tree -----------------------------------------------------------------

Span = tuple[str, frozenset[str], int | None]
"""A run of inline text: the text, its style names, and a link index (or None)."""


@dataclass(slots=True)
class Block:
    kind: str  # paragraph, image (a lone image: text is its address), caption (an
    # emphasised paragraph under an image), heading, list, quote, code, rule, table, note
    spans: list[Span] = field(default_factory=list)
    level: int = 0
    ordered: bool = False
    start: int = 1
    items: list[list[Block]] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    text: str = ""
    rows: list[list[list[Span]]] = field(default_factory=list)


@dataclass(slots=True)
class MarkdownDoc:
    blocks: list[Block]
    links: list[str]

    @property
    def pictures(self) -> list[str]:
        """The addresses of the images that stand alone in a paragraph (the ones ``i``
        can draw in place), in order."""
        found: list[str] = []
        stack = list(reversed(self.blocks))
        while stack and len(found) < 64:
            block = stack.pop()
            if block.kind == "image" and block.text not in found:
                found.append(block.text)
            stack.extend(reversed(block.children))
            for item in reversed(block.items):
                stack.extend(reversed(item))
        return found


_PARSER = MarkdownIt("commonmark", {"html": False, "maxNesting": 20}).enable(
    ["table", "strikethrough"]
)


class _Links(list[str]):
    """The body's link addresses (a link's index is its place here), and how many of
    them are images (an image is numbered in the body: "[image 2: alt]")."""

    images: int = 0


def parse_markdown(text: str, *, after: MarkdownDoc | None = None) -> MarkdownDoc:
    """Parse a Markdown body into blocks; every string is made safe to show.

    ``after``: a document drawn above this one in the same pane (an article's
    analysis, above its body).  Its links come first in this one's link table and
    this one's are numbered on from them (its images too: "image 2"), so a click
    anywhere in the pane is an index into this document's links."""
    truncated = len(text) > MAX_BODY_CHARS
    if truncated:  # at a paragraph's end (a line's, a word's) near the limit
        cut = -1
        for mark in ("\n\n", "\n", " "):
            cut = text.rfind(mark, MAX_BODY_CHARS * 4 // 5, MAX_BODY_CHARS)
            if cut > 0:
                break
        text = text[: cut if cut > 0 else MAX_BODY_CHARS]
    links = _Links()
    if after is not None:
        links.extend(after.links)
        links.images = after.links.images if isinstance(after.links, _Links) else 0
    try:
        root = SyntaxTreeNode(_PARSER.parse(safe_block(text)))
        blocks = _blocks(root.children, links)
    except (RecursionError, ValueError):  # pathological input: show it as plain text
        blocks = [Block("paragraph", spans=[(safe_block(text), frozenset(), None)])]
    if truncated:
        blocks.append(
            Block(
                "note",
                text="… (the rest is too long to show here: briefreader show prints it all)",
            )
        )
    return MarkdownDoc(blocks, links)


def _emphasised(paragraph: SyntaxTreeNode) -> bool:
    """Whether a paragraph is one emphasis (``*a caption*``) and nothing else."""
    inline = paragraph.children[0] if paragraph.children else None
    parts = [
        c for c in (inline.children if inline else []) if c.type != "text" or c.content.strip()
    ]
    return len(parts) == 1 and parts[0].type == "em"


def _blocks(nodes: Iterable[SyntaxTreeNode], links: _Links) -> list[Block]:
    out: list[Block] = []
    for node in nodes:
        kind = node.type
        if kind == "paragraph":
            spans = _inline_of(node, links)
            picture = _lone_image(node)
            # an image alone in its paragraph: drawn there once loaded (i); until then
            # exactly the paragraph it was ("[image 2: alt]")
            kind = "image" if picture else "paragraph"
            after_figure = bool(out) and out[-1].kind in ("image", "caption")
            if kind == "paragraph" and after_figure and _emphasised(node):
                kind = "caption"  # (a figure's: see briefreader.markdown_text.kinds)
            out.append(Block(kind, spans=spans, text=picture))
        elif kind == "heading":
            level = int(node.tag[1:]) if node.tag[1:].isdigit() else 2
            out.append(Block("heading", spans=_inline_of(node, links), level=level))
        elif kind in ("bullet_list", "ordered_list"):
            start = node.attrs.get("start", 1)
            out.append(
                Block(
                    "list",
                    ordered=kind == "ordered_list",
                    start=int(start)
                    if isinstance(start, int | str) and str(start).isdigit()
                    else 1,
                    items=[_blocks(item.children, links) for item in node.children],
                )
            )
        elif kind == "blockquote":
            out.append(Block("quote", children=_blocks(node.children, links)))
        elif kind in ("fence", "code_block"):
            out.append(Block("code", text=safe_block(node.content.rstrip("\n"))))
        elif kind == "hr":
            out.append(Block("rule"))
        elif kind == "table":
            rows: list[list[list[Span]]] = []
            for section in node.children:  # thead, tbody
                for tr in section.children:
                    rows.append([_inline_of(cell, links) for cell in tr.children])
            out.append(Block("table", rows=rows))
        elif kind == "html_block":  # not produced with html disabled; kept literal anyway
            out.append(Block("paragraph", spans=[(safe_block(node.content), frozenset(), None)]))
        elif node.children:
            out.extend(_blocks(node.children, links))
    return out


def _lone_image(node: SyntaxTreeNode) -> str:
    """The address of the image a paragraph holds alone (an http(s) one), or ""."""
    inline = node.children[0] if len(node.children) == 1 else None
    if inline is None or inline.type != "inline":
        return ""
    parts = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
    if len(parts) == 1 and parts[0].type == "link":  # a picture linked to its full size
        parts = [c for c in parts[0].children if not (c.type == "text" and not c.content.strip())]
    if len(parts) != 1 or parts[0].type != "image":
        return ""
    src = str(parts[0].attrs.get("src", ""))
    return src if src.startswith(("http://", "https://")) else ""


def _inline_of(node: SyntaxTreeNode, links: _Links) -> list[Span]:
    spans: list[Span] = []
    for child in node.children:
        if child.type == "inline":
            _inline(child.children, frozenset(), None, spans, links)
    return spans


def _inline(
    nodes: Iterable[SyntaxTreeNode],
    styles: frozenset[str],
    link: int | None,
    out: list[Span],
    links: _Links,
) -> None:
    for node in nodes:
        kind = node.type
        if kind == "text":
            out.append((safe_line(node.content), styles, link))
        elif kind == "softbreak":
            out.append((" ", styles, link))
        elif kind == "hardbreak":
            out.append(("\n", styles, link))
        elif kind == "code_inline":
            out.append((safe_line(node.content), styles | {"code"}, link))
        elif kind in ("em", "strong", "s"):
            _inline(node.children, styles | {kind}, link, out, links)
        elif kind == "link":
            href = node.attrs.get("href", "")
            links.append(safe_line(str(href)))
            _inline(node.children, styles | {"link"}, len(links) - 1, out, links)
        elif kind == "image":
            # a numbered placeholder that opens the image (nothing is fetched to draw it)
            alt = "".join(c.content for c in node.children) or str(node.attrs.get("alt", ""))
            links.images += 1
            label = f"image {links.images}: {safe_line(alt)}" if alt else f"image {links.images}"
            target = link
            if target is None:
                links.append(safe_line(str(node.attrs.get("src", ""))))
                target = len(links) - 1
            out.append((f"[{label}]", styles | {"image"}, target))
        elif kind == "html_inline":
            out.append((safe_line(node.content), styles, link))
        elif node.children:
            _inline(node.children, styles, link, out, links)
        elif node.content:
            out.append((safe_line(node.content), styles, link))


# -- drawing ------------------------------------------------------------------------

STYLE_NAMES = ("link", "code", "heading", "quote", "rule", "image", "bullet", "note", "caption")


def _text(spans: list[Span], styles: dict[str, Style], base: Style | None = None) -> Text:
    # Each block ends its own last line (``end="\n"``): with ``end=""`` the blank line
    # :func:`render_blocks` puts between blocks only ended the paragraph's line, and
    # paragraphs and headings ran together.
    text = Text(style=base or "")
    for chunk, names, link in spans:
        style = Style()
        if "strong" in names:
            style += Style(bold=True)
        if "em" in names:
            style += Style(italic=True)
        if "s" in names:
            style += Style(strike=True)
        for name in ("code", "image"):
            if name in names:
                style += styles[name]
        if link is not None:
            style += styles["link"] + Style.from_meta({"@click": f"follow_link({link})"})
        text.append(chunk, style)
    return text_for(text)  # (Chinese and Japanese: no line begins with "、")


class Bar:
    """Draws its content with a bar down the left side (quotes, captions, panels)."""

    def __init__(self, inner: RenderableType, style: Style, bar: str = "▎ ") -> None:
        self.inner = inner
        self.style = style
        self.bar = bar

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width - len(self.bar))
        lines = console.render_lines(self.inner, options.update_width(width), pad=False)
        bar = Segment(self.bar, self.style)
        for line in lines:
            yield bar
            yield from line
            yield Segment.line()


@dataclass(frozen=True, slots=True)
class NotShown:
    """A body image that could not be loaded: its placeholder says why, in place
    ("[image 2: alt — not shown: a truncated PNG image]")."""

    reason: str


#: Pictures loaded for a body, by image address (see :attr:`MarkdownDoc.pictures`),
#: or why one is not shown.
Pictures = Mapping[str, RenderableType | NotShown]


def render_blocks(
    blocks: list[Block], styles: dict[str, Style], pictures: Pictures | None = None
) -> Group:
    parts: list[RenderableType] = []
    for index, block in enumerate(blocks):
        if index and block.kind != "caption":  # (a caption sits right under its image)
            parts.append(Text(""))
        parts.append(_render_block(block, styles, pictures))
    return Group(*parts)


def _not_shown(placeholder: Text, reason: str, style: Style) -> Text:
    """The placeholder with why its image is not shown inside its brackets."""
    note = f" — not shown: {safe_line(reason)}"
    if placeholder.plain.endswith("]"):
        placeholder.right_crop(1)
        placeholder.append(note + "]", style)
    else:
        placeholder.append(f" [{note.strip()}]", style)
    return placeholder


def _item_group(item: list[Block], styles: dict[str, Style], pictures: Pictures | None) -> Group:
    """A list item of several blocks: a blank line between its paragraphs (a loose
    item); a nested list follows its paragraph directly."""
    parts: list[RenderableType] = []
    for index, block in enumerate(item):
        if index and block.kind != "list":
            parts.append(Text(""))
        parts.append(_render_block(block, styles, pictures))
    return Group(*parts)


def _render_block(
    block: Block, styles: dict[str, Style], pictures: Pictures | None = None
) -> RenderableType:
    kind = block.kind
    if kind == "paragraph":
        return _text(block.spans, styles)
    if kind == "image":
        picture = pictures.get(block.text) if pictures else None
        if picture is None:
            return _text(block.spans, styles)
        if isinstance(picture, NotShown):
            return _not_shown(_text(block.spans, styles), picture.reason, styles["image"])
        return Group(picture, _text(block.spans, styles))
    if kind == "caption":
        return Bar(_text(block.spans, styles, styles["caption"]), styles["caption"])
    if kind == "heading":
        heading = _text(block.spans, styles, styles["heading"])
        if block.level <= 1:
            heading.stylize(Style(underline=True))
        return heading
    if kind == "list":
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(ratio=1)
        for number, item in enumerate(block.items, block.start):
            marker = f"{number}." if block.ordered else "•"
            inner: RenderableType = (
                _render_block(item[0], styles, pictures)
                if len(item) == 1
                else _item_group(item, styles, pictures)
            )
            grid.add_row(Text(marker, styles["bullet"]), inner)
        return grid
    if kind == "quote":
        return Bar(render_blocks(block.children, styles, pictures), styles["quote"])
    if kind == "code":
        return Padding(CodeLines(block.text, styles["code"]), (0, 1), style=styles["code"])
    if kind == "rule":
        return Rule(style=styles["rule"])
    if kind == "table":
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=False, pad_edge=False)
        if block.rows:
            for cell in block.rows[0]:
                table.add_column(_text(cell, styles), overflow="fold")
            for row in block.rows[1:]:
                table.add_row(*(_text(cell, styles) for cell in row[: len(block.rows[0])]))
        return table
    if kind == "note":
        return Text(block.text, styles["note"])
    return Text("")


class CodeLines:
    """A code block's lines, each kept whole: one longer than the pane goes on under
    itself, indented two cells past its own indentation (so the code's structure
    stays readable), never back at the block's edge and never broken at a word."""

    def __init__(self, text: str, style: Style) -> None:
        self.text = text
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(4, options.max_width)
        new_line = Segment.line()
        for line in self.text.split("\n"):
            line = line.expandtabs(4).rstrip()
            parts = chop_cells(line, width) if cell_len(line) > width else [line]
            if len(parts) > 1:
                indent = min(len(line) - len(line.lstrip()) + 2, width // 2)
                rest = "".join(parts[1:])
                parts = [parts[0], *(" " * indent + p for p in chop_cells(rest, width - indent))]
            for part in parts:
                yield Segment(part, self.style)
                yield new_line
