"""The article pane: title, meta line, dek, caption, takeaways, analysis, body.

Built for the 16 ms budget of "next article": the pane is one line-API widget
(a :class:`~textual.scroll_view.ScrollView`, like the list).  Showing an article
renders it once into a list of :class:`~textual.strip.Strip` for the pane's width
(~2 ms for a typical brief); after that, scrolling and repainting only copy the
strips on screen, and no layout of child widgets is ever needed.  (A pane of
``Static`` widgets plus Textual's ``Markdown`` measured ~27 ms a move.)

Every piece of article text goes in as :class:`rich.text.Text` made from the
plain string, never as markup.  Colours come from component classes, so themes
(dark and light) restyle the pane.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.timer import Timer

from briefreader.insight import (
    body_without_headline,
    dek_repeats_body,
    repeats_title,
    without_teaser_tail,
)
from briefreader.links import enclosure_label
from briefreader.markdown_text import link_plain
from briefreader.media.halfblock import HalfBlockImage
from briefreader.media.kitty import KittyImage
from briefreader.model import Article
from briefreader.textformat import meta_line
from briefreader.tui.formatting import foreground, legible_colour, safe_block, safe_line
from briefreader.tui.widgets.body import (
    STYLE_NAMES,
    Bar,
    MarkdownDoc,
    NotShown,
    parse_markdown,
    render_blocks,
)
from briefreader.tui.widgets.linebreak import text_for
from briefreader.tui.widgets.scrollbar import set_virtual_size, steady_vertical_scrollbar

__all__ = ["ArticleView", "LeadImage"]

_PARTS = (
    "title",
    "meta",
    "dek",
    "caption",
    "caption-bar",
    "section",
    "derived",
    "number",
    "analysis",
    "analysis-bar",
    "analysis-label",
    "analysis-title",
    "analysis-foot",
    "message",
    "detail",
)


class ArticleView(ScrollView, can_focus=True):
    """Shows one article; scrolls with the arrow, page and space keys and the wheel."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"article--{p}" for p in _PARTS} | {
        f"body--{name}" for name in STYLE_NAMES
    }

    DEFAULT_CSS = """
    ArticleView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        & > .article--title { text-style: bold; color: $text; }
        & > .article--meta { color: $text-muted; }
        & > .article--dek { text-style: italic; }
        & > .article--caption { color: $text-muted; text-style: italic; }
        & > .article--caption-bar { color: $text-muted; }
        & > .article--section { color: $text-primary; text-style: bold; }
        & > .article--derived { color: $text-muted; }
        & > .article--number { color: $text-accent; text-style: bold; }
        & > .article--analysis { background: $accent 12%; color: $text; }
        & > .article--analysis-bar { color: $accent; background: $accent 12%; }
        & > .article--analysis-label { color: $text-accent; text-style: bold; }
        & > .article--analysis-title { text-style: bold; }
        & > .article--analysis-foot { color: $text-muted; }
        & > .article--message { text-style: bold; }
        & > .article--detail { color: $text-muted; }
        & > .body--link { color: $text-accent; text-style: underline; }
        & > .body--code { background: $foreground 8%; }
        & > .body--heading { color: $text-primary; text-style: bold; }
        & > .body--quote { color: $text-secondary; }
        & > .body--rule { color: $foreground 30%; }
        & > .body--image { color: $text-muted; text-style: italic; }
        & > .body--bullet { color: $text-accent; }
        & > .body--note { color: $text-muted; text-style: italic; }
        & > .body--caption { color: $text-muted; text-style: italic; }
    }
    """

    #: Seconds between a frame and rendering the next article ahead (see prefetch).
    PREFETCH_DELAY: ClassVar[float] = 0.01

    class LinkClicked(Message):
        """A link in the body was clicked: the app decides whether to open it."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def __init__(
        self, *, image_hint: bool = True, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.image_hint = image_hint
        """Under the byline of an article with an image, a dim "i: load image" until it
        is loaded (off with ``images = "auto"``: they load by themselves)."""
        self.downloaded: frozenset[str] = frozenset()
        """Enclosure addresses downloaded (marked on their line): :meth:`set_downloaded`."""
        self.article: Article | None = None
        self.full_text = False
        """The body shown is the article page's full text (``F``), not the feed's teaser."""
        self._message: tuple[str, str] = ("", "")
        self._doc = MarkdownDoc([], [])
        self._lines: list[Strip] = []
        self._built_for: tuple[object, ...] | None = None
        self._base: Style | None = None
        self._blank: Strip | None = None
        self._style_generation = 0
        self._signature: tuple[Style, ...] = ()
        self._legible_styles: dict[tuple[str, str], Style] = {}  # (until the styles change)
        # Rendered articles by (article, width, style generation): going back to an
        # article, or to one prefetched while the reader was reading, costs nothing.
        self._rendered: LRUCache[tuple[object, ...], tuple[MarkdownDoc, list[Strip]]] = LRUCache(32)
        # Lead images loaded (``i``, or ``images = "auto"``) by article id: drawn at
        # the top of their article.  Without one the pane is exactly as before.
        self._images: LRUCache[str, LeadImage] = LRUCache(64)
        self._image_lines: LRUCache[tuple[object, ...], list[Strip]] = LRUCache(16)
        # The body's own images loaded (``i``), by article id: address -> picture (or
        # why it is not shown, said in its placeholder).
        self._pictures: LRUCache[str, dict[str, HalfBlockImage | NotShown]] = LRUCache(16)
        self._prefetch_wanted: Article | None = None
        self._prefetch_timer: Timer | None = None
        self._frame_scroll: int | None = None
        self.prefetched = 0
        """Articles rendered ahead of being shown (tests)."""
        self.graphics_sent = 0
        """Characters of graphics-protocol escapes written to the terminal (pictures
        drawn with Kitty's placeholders send their pixels once, apart from the lines)."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Repainted only when its cells change (not on every one-row scroll).
        return steady_vertical_scrollbar(self)

    # -- content --------------------------------------------------------------------

    @property
    def links(self) -> list[str]:
        """The analysis's and the body's links, in order (what a click on link ``i`` opens)."""
        return list(self._doc.links)

    @property
    def text(self) -> str:
        """What the pane shows, as plain text (tests, debugging)."""
        self._build()
        return "\n".join(strip.text.rstrip() for strip in self._lines)

    def show_article(self, article: Article, *, full_text: bool = False) -> None:
        """Show an article, scrolled to its top; ``full_text``: its body is the page's
        full text (said on the meta line)."""
        self.article = article
        self.full_text = full_text
        self._message = ("", "")
        self._rebuild()
        self.scroll_to(y=0, animate=False, immediate=True)

    def show_message(self, message: str, detail: str = "") -> None:
        """No article: show a message (empty library, nothing matches) instead."""
        self.article = None
        self._message = (message, detail)
        self._rebuild()
        self.scroll_to(y=0, animate=False, immediate=True)

    def prefetch(self, article: Article) -> None:
        """Render an article soon (while idle) so that showing it later is instant.

        Not at once: the frame just drawn is written to the terminal by Textual's
        writer thread, which needs the GIL; rendering here straight after the frame
        (~6 ms at 100,000 articles) made it wait for the interpreter's switch
        interval (1 ms in the app, 5 ms by default) and share the CPU with the
        render.  A short timer lets the app go idle first.
        """
        self._prefetch_wanted = article
        if self._prefetch_timer is None and self.is_mounted:
            self._prefetch_timer = self.set_timer(self.PREFETCH_DELAY, self._prefetch_now)

    def _prefetch_now(self) -> None:
        self._prefetch_timer = None
        article, self._prefetch_wanted = self._prefetch_wanted, None
        width = self._width()
        if article is not None and width > 0 and self.is_mounted:
            self._rendered_article(article, width)
            self.prefetched += 1

    def set_lead_image(self, article_id: str, image: LeadImage) -> None:
        """Show ``image`` (a picture, or the note saying why there is none) at the top
        of the article ``article_id`` (now, if it is the one shown).  It replaces one
        set before (Textual's ``LRUCache.set`` keeps a key's first value: discarded first)."""
        self._images.discard(article_id)
        self._images[article_id] = image
        if self.article is not None and self.article.id == article_id:
            self._rebuild()

    def set_body_pictures(
        self, article_id: str, pictures: dict[str, HalfBlockImage | NotShown]
    ) -> None:
        """Draw these images of the article's body in place of their placeholders (a
        :class:`NotShown`: the placeholder says why)."""
        self._pictures.discard(article_id)  # (replaced, not kept: see set_lead_image)
        self._pictures[article_id] = dict(pictures)
        if self.article is not None and self.article.id == article_id:
            self._rebuild()

    def set_downloaded(self, urls: frozenset[str]) -> None:
        """Mark these enclosures downloaded (redrawn now if that changes anything)."""
        if urls != self.downloaded:
            self.downloaded = urls  # (part of the rendering's cache key)
            if self.article is not None and self.article.enclosures:
                self._rebuild()

    def body_pictures(self, article_id: str) -> dict[str, HalfBlockImage]:
        """The body's images drawn (not those that failed)."""
        pictures = self._pictures.get(article_id) or {}
        return {u: p for u, p in pictures.items() if isinstance(p, HalfBlockImage)}

    def picture_addresses(self, article: Article) -> list[str]:
        """The addresses of the body's images that can be drawn in place."""
        width = self._width()
        if width > 0 and self.is_mounted:
            doc, _ = self._rendered_article(article, width)
            return doc.pictures
        return parse_markdown(body_without_headline(article.body, article.title)).pictures

    def lead_image(self, article_id: str) -> LeadImage | None:
        """The lead image loaded for an article, if any."""
        return self._images.get(article_id)

    @property
    def image_width(self) -> int:
        """The columns a lead image is drawn in (the pane less its right margin)."""
        return max(1, self._width() - 1)

    def _rebuild(self) -> None:
        self._built_for = None
        self._build()
        self.refresh()

    def _width(self) -> int:
        return self.scrollable_content_region.width

    def _build(self) -> None:
        width = self._width()
        key = (self.article, self.full_text, self._message, width, self._style_generation)
        if key == self._built_for:
            return
        self._built_for = key
        if width <= 0:
            self._lines = []
            self._set_virtual_height(0)
            return
        self._blank = Strip.blank(width, self._base_style())
        if self.article is not None:
            self._doc, self._lines = self._rendered_article(
                self.article, width, full_text=self.full_text
            )
            self._send_graphics(self.article.id)
        else:
            self._doc = MarkdownDoc([], [])
            self._lines = self._draw(self._message_renderable(), width)
        self._set_virtual_height(len(self._lines))

    def _rendered_article(
        self, article: Article, width: int, *, full_text: bool = False
    ) -> tuple[MarkdownDoc, list[Strip]]:
        pictures = self._pictures.get(article.id)
        image = self._images.get(article.id)
        hint = self.image_hint and image is None and not pictures
        drawn = tuple((pictures or {}).items())
        downloaded = tuple(e.url in self.downloaded for e in article.enclosures)
        key = (article, full_text, width, self._style_generation, drawn, hint, downloaded)
        cached = self._rendered.get(key)
        if cached is None:
            # The analysis is Markdown as the body is (its links drawn and clickable,
            # one link table for both); a first heading or paragraph of the body that
            # only says the title again is left out.
            an = article.analysis
            analysis = parse_markdown(an.body) if an is not None and an.body.strip() else None
            body = body_without_headline(article.body, article.title)
            doc = parse_markdown(body, after=analysis)
            renderable = self._article_renderable(
                article,
                doc,
                analysis,
                full_text=full_text,
                pictures=pictures,
                image_hint=hint,
            )
            cached = (doc, self._draw(renderable, width))
            self._rendered[key] = cached
        if image is None:
            return cached
        # A lead image goes above the title: drawn apart (the article's own lines stay
        # cached), so its arrival costs only its own lines.
        doc, lines = cached
        return doc, lines[:1] + self._image_strips(article, image, width) + lines[1:]

    def _image_strips(self, article: Article, image: LeadImage, width: int) -> list[Strip]:
        key = (image, article.image_alt, width, self._style_generation)
        strips = self._image_lines.get(key)
        if strips is None:
            strips = []
            if image.picture is not None:  # its segments as they are: no layout needed
                base = self._base_style()
                for line in image.picture.lines(max(1, width - 1)):
                    used = sum(segment.cell_length for segment in line)
                    pad = Segment(" " * max(0, width - used), base)
                    strips.append(Strip([*line, pad], width))
            strips += self._draw(self._lead_image_text(article, image), width)
            self._image_lines[key] = strips
        return strips

    def _send_graphics(self, article_id: str) -> None:
        """Write what the terminal still needs to paint the article's Kitty pictures
        (their pixels once, a placement per size) through the driver, in order with
        the screen's updates (as Textual's own ``copy_to_clipboard`` writes OSC 52)."""
        image = self._images.get(article_id)
        pictures = [image.picture] if image is not None and image.picture is not None else []
        pictures += self.body_pictures(article_id).values()
        out = "".join(p.pending() for p in pictures if isinstance(p, KittyImage))
        if out:
            self.graphics_sent += len(out)
            driver = self.app._driver
            if driver is not None:
                driver.write(out)

    def _draw(self, renderable: RenderableType, width: int) -> list[Strip]:
        if not self._signature:
            # The colours of this first drawing: the first style update (at start)
            # re-renders only if they really changed (see _restyle).
            self._signature = self._style_signature()
        base = self._base_style()
        console = self.app.console
        options = console.options.update(width=width, height=None, min_width=width)
        # One blank column on the right keeps text off the scrollbar.
        padded = Padding(renderable, (0, 1, 0, 0))
        rendered = console.render_lines(padded, options, style=base, pad=True)
        return [Strip(line, width) for line in rendered]

    def _set_virtual_height(self, height: int) -> None:
        """Set the scrollable height (without a screen layout when the scrollbar stays
        put: :func:`~briefreader.tui.widgets.scrollbar.set_virtual_size`)."""
        set_virtual_size(self, Size(self._width(), height))

    def on_resize(self, event: events.Resize) -> None:
        self._build()

    def _base_style(self) -> Style:
        # ``rich_style`` walks the DOM on every call (~0.1 ms): once per build is enough.
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._legible_styles = {}
        if self.is_mounted:
            self.call_after_refresh(self._restyle)

    def _style_signature(self) -> tuple[Style, ...]:
        names = sorted(self.COMPONENT_CLASSES)
        return (self._base_style(), *(self.get_component_rich_style(n) for n in names))

    def _restyle(self) -> None:
        """Re-render only when the colours really changed (a theme, not a focus change)."""
        signature = self._style_signature()
        if signature == self._signature:
            return
        self._signature = signature
        self._style_generation += 1
        self._rendered.clear()
        if self._built_for is not None:
            self._rebuild()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Built once a frame, and the scroll offset read once (not once a line).
        self._build()
        self._frame_scroll = round(self.scroll_offset.y)
        try:
            return super().render_lines(crop)
        finally:
            self._frame_scroll = None

    def render_line(self, y: int) -> Strip:
        if self._frame_scroll is None:
            self._build()
            line = y + round(self.scroll_offset.y)
        else:
            line = y + self._frame_scroll
        if 0 <= line < len(self._lines):
            return self._lines[line]
        if self._blank is None:
            self._blank = Strip.blank(self._width(), self._base_style())
        return self._blank

    def action_follow_link(self, index: int) -> None:
        if isinstance(index, int) and 0 <= index < len(self._doc.links):
            self.post_message(self.LinkClicked(self._doc.links[index]))

    # -- drawing --------------------------------------------------------------------

    def _style(self, part: str, *, with_background: bool = False) -> Style:
        style = self._legible(self.get_component_rich_style(f"article--{part}"), part)
        return style if with_background else foreground(style)

    def _legible(self, style: Style, part: str = "") -> Style:
        """``style`` with its colour moved just enough to reach 4.5:1 (WCAG AA) on what
        it is drawn over: the analysis panel's background for the analysis's parts,
        else the pane's (a theme's accent can be too light on a light background).
        Kept until the styles change: it runs for every part of every article drawn."""
        key = (str(style), part)
        cached = self._legible_styles.get(key)
        if cached is None:
            cached = self._legible_styles[key] = self._make_legible(style, part)
        return cached

    def _make_legible(self, style: Style, part: str) -> Style:
        if part.startswith("analysis"):
            bg = self.get_component_rich_style("article--analysis").bgcolor
        else:
            bg = style.bgcolor
        if style.color is None or bg is None:
            return style
        return style + Style(color=legible_colour(style.color, bg))

    def _message_renderable(self) -> RenderableType:
        message, detail = self._message
        if not message:
            return Text("")
        parts: list[RenderableType] = [Text(message, self._style("message"))]
        if detail:
            parts += [Text(""), Text(detail, self._style("detail"))]
        return Padding(Group(*parts), (2, 1, 0, 1))

    def _article_renderable(
        self,
        article: Article,
        doc: MarkdownDoc,
        analysis: MarkdownDoc | None = None,
        *,
        full_text: bool = False,
        pictures: dict[str, HalfBlockImage | NotShown] | None = None,
        image_hint: bool = False,
    ) -> RenderableType:
        blank = Text("")
        parts: list[RenderableType] = [
            blank,
            text_for(Text(safe_line(article.title), self._style("title"))),
        ]
        meta = safe_line(meta_line(article))
        if full_text:
            meta = f"{meta} · full text" if meta else "full text"
        parts.append(_MetaLine(meta, self._style("meta")))
        if image_hint and (article.image_url or doc.pictures):
            parts.append(self._image_hint(article))
        dek = _dek(article)
        if dek:
            parts += [blank, text_for(Text(safe_block(dek), self._style("dek")))]
        if article.enclosures:
            parts += [blank, self._enclosures(article)]
        if article.image_caption.strip():
            parts += [
                blank,
                Bar(
                    text_for(Text(safe_line(article.image_caption), self._style("caption"))),
                    self._style("caption-bar"),
                ),
            ]
        if article.takeaways:
            label = Text("KEY TAKEAWAYS", self._style("section"))
            if article.takeaways_derived:
                label.append(" · derived from the text", self._style("derived"))
            parts += [blank, label, blank, self._takeaways(article.takeaways)]
        if article.analysis is not None:
            parts += [blank, self._analysis(article, analysis)]
        if doc.blocks:
            parts += [blank, render_blocks(doc.blocks, self._body_styles(), pictures)]
        parts.append(blank)
        return Group(*parts)

    def _lead_image_text(self, article: Article, image: LeadImage) -> RenderableType:
        """What goes under the lead image: its alt text (the caption keeps its place
        below the dek); or the note saying why there is no image."""
        if image.picture is None:
            note = Text("Image not shown: ", self._style("caption"))
            note.append(safe_line(image.note), self._style("caption"))
            return Group(note, Text(""))
        parts: list[RenderableType] = []
        alt = article.image_alt.strip()
        if alt and alt != article.image_caption.strip():
            parts.append(Text(safe_line(alt), self._style("caption")))
        parts.append(Text(""))
        return Group(*parts)

    def _image_hint(self, article: Article) -> Text:
        """ "i: load image", dim, with the lead image's alt text (what it shows)."""
        hint = Text("i: load image", self._style("detail"))
        alt = article.image_alt.strip() if article.image_url else ""
        if alt and alt != article.image_caption.strip():
            hint.append(" · ", self._style("detail"))
            hint.append(safe_line(alt), self._style("caption"))
        return hint

    def _enclosures(self, article: Article) -> RenderableType:
        """The article's files (podcast audio and the like): type, duration, size; the
        keys that play and download them, and a mark on those downloaded."""
        detail = self._style("detail")
        keys = "P play · D download"
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(no_wrap=True, style=self._style("number"))
        grid.add_column(ratio=1)
        several = len(article.enclosures) > 1
        for number, enc in enumerate(article.enclosures, 1):
            line = Text(safe_line(enclosure_label(enc)))
            if enc.url in self.downloaded:
                line.append(" · ✓ downloaded", detail)
            grid.add_row(f"▶{number}" if several else "▶", line)
        # The keys beside the heading: after a long label they would wrap mid-hint.
        label = Text.assemble(
            ("LISTEN" if _all_audio(article) else "FILES", self._style("section")),
            (f"  {keys}", detail),
        )
        return Group(label, grid)

    def _takeaways(self, items: tuple[str, ...]) -> RenderableType:
        grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
        grid.add_column(justify="right", no_wrap=True, style=self._style("number"))
        grid.add_column(ratio=1)
        for number, item in enumerate(items, 1):  # (a Markdown brief's may hold **, links)
            grid.add_row(Text(str(number)), text_for(Text(safe_line(link_plain(item)))))
        return Padding(grid, (0, 0, 0, 1))

    def _body_styles(self, over: str = "") -> dict[str, Style]:
        """The Markdown parts' styles, legible on the pane (or, ``over="analysis"``,
        on the analysis panel's tint)."""
        return {
            name: (
                self.get_component_rich_style(f"body--{name}")
                if name == "code"
                else foreground(
                    self._legible(
                        self.get_component_rich_style(f"body--{name}"),
                        f"{over}-{name}" if over else "",
                    )
                )
            )
            for name in STYLE_NAMES
        }

    def _analysis(self, article: Article, doc: MarkdownDoc | None) -> RenderableType:
        an = article.analysis
        assert an is not None
        panel = self._style("analysis", with_background=True)
        head = Text(
            safe_line(an.label).upper() or "EDITOR'S ANALYSIS", self._style("analysis-label")
        )
        if an.title.strip():
            head.append("  ·  ", self._style("analysis-foot"))
            head.append(safe_line(an.title), self._style("analysis-title"))
        inner: list[RenderableType] = [head]
        if doc is not None and doc.blocks:
            inner += [Text(""), render_blocks(doc.blocks, self._body_styles("analysis"))]
        foot = Text()
        if an.byline.strip():
            foot.append("— " + safe_line(an.byline), Style(italic=True))
        if an.kicker.strip():
            if foot:
                foot.append("  ·  ")
            foot.append(safe_line(an.kicker))
        if foot:
            foot.stylize(self._style("analysis-foot"))
            inner += [Text(""), foot]
        bar_style = self._style("analysis-bar", with_background=True)
        return Bar(Padding(Group(*inner), (1, 2, 1, 1), style=panel, expand=True), bar_style, "┃")


@dataclass(frozen=True, eq=False)
class LeadImage:
    """A loaded lead image: the picture (drawn in half blocks), or ``None`` and the
    one-line ``note`` saying why there is none."""

    picture: HalfBlockImage | None
    note: str = ""


def _all_audio(article: Article) -> bool:
    return all(e.type.startswith("audio/") for e in article.enclosures)


def _dek(article: Article) -> str:
    """The dek to show: none when it only repeats the title or the body's start (a feed
    item's first paragraph), and without a teaser's "… Read more"."""
    summary = article.summary.strip()
    if not summary or dek_repeats_body(summary, article.body):
        return ""
    summary = without_teaser_tail(summary)
    # (A Markdown brief's dek may hold emphasis and links: shown as what they say.)
    return "" if repeats_title(summary, article.title) else link_plain(summary)


class _MetaLine:
    """``Source · Author · date · 3 min read``, wrapped only between its parts.

    The separator stays at the end of the part before it and counts in that line's
    width, so it never wraps onto a line of its own; a part wider than the pane is
    wrapped at its own spaces, with the separator kept on its last word."""

    def __init__(self, text: str, style: Style) -> None:
        self.parts = text.split(" · ")
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text("\n".join(meta_lines(self.parts, options.max_width)), self.style)


def meta_lines(parts: list[str], width: int) -> list[str]:
    """The meta line's parts laid out in ``width`` cells: a line breaks only after a
    whole part and its " ·"; no line holds the separator alone."""
    width = max(1, width)
    last = len(parts) - 1
    lines: list[str] = []
    line = ""
    for index, part in enumerate(parts):
        piece = part if index == last else f"{part} ·"
        candidate = f"{line} {piece}" if line else piece
        if cell_len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        if cell_len(piece) <= width:
            line = piece
            continue
        # A part wider than the pane: its words, the separator glued to the last one.
        words = part.split(" ")
        if index != last:
            words[-1] += " ·"
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if line and cell_len(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
    lines.append(line)
    return lines
