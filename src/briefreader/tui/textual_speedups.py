"""Five speed-ups for Textual's rendering, applied once when the app package is imported.

**Strips make their caches on first use.**  Every line Textual draws is a :class:`textual.strip.Strip`, and Textual 8.2.8 makes
seven small caches (``FIFOCache``) in each Strip's ``__init__``, whether the strip is
ever cropped, divided, styled or filtered or not.  Moving to the next article makes
~870 strips (the article's lines, cut into pieces and joined again by the compositor):
~6,100 caches, about a quarter of the key's time on the UI thread.

:func:`apply` makes those caches when a strip first uses one: ``Strip.__init__`` sets
only the strip's own fields, and ``Strip.__getattr__`` (called only for a slot not yet
set) makes the cache asked for, of the size Textual gives it, and keeps it in its slot.
Every method of Strip reads and fills its caches as before; what it draws is the same.

**A widget's content lines are framed with parts made once a frame.**  Textual's
``StylesCache.render_line`` frames each line of a widget's content with its padding
and side borders, and works out the border's styles, box characters, the tint, hatch
and opacity checks again for every line: ~60 µs a line, the article pane's 47 lines
and the list's rows at every next-article key.  :func:`_render` makes those parts once
for each call of ``StylesCache.render`` and frames the content lines with them when
the widget has nothing that changes a line's cells one by one (no outline, hatch,
tint, opacity or text opacity); border and padding rows, and every line of any other
widget, are still made by Textual's own ``render_line``.  The same segments result
(tests/tui/test_textual_speedups.py compares them over many styles).

**A colour filter that would change nothing gives the strip back.**  Textual passes
every line it draws through its line filters; the one always on,
``ANSIToTruecolor``, makes a new strip of new segments even when every colour is
already a true colour, as every colour of the app's themes is (~125 lines a
next-article key).  :func:`_apply_filter` gives the strip itself back when no segment
has a control code or a style the filter would change (an ANSI colour, or dim text
with a colour); each such style is looked at once.  Other filters, and lines with an
ANSI colour, go through the filter as before.

**What is hidden is not drawn.**  The compositor asks every widget that overlaps the
area a frame changes for its lines, front to back, cuts each line at every widget
edge and keeps the first piece for each cut: the screen's, the panes' and the
sidebar's backgrounds are drawn and cut into pieces at every key, and all of it
thrown away under the article and the list in front.  :func:`_render_chops` skips a
line whose cuts the widgets in front have all filled, and a widget none of whose
lines would show is not asked to draw at all.  What the frame holds is the same.

**The frame's cursor moves written directly.**  Writing a frame for the terminal
moves the cursor before each piece of a line (~300 a next-article frame), each move
made as a Rich ``Control`` object for its escape sequence; :func:`_render_segments`
writes the same sequence with an f-string.

They are applied only on the Textual release they were written against
(:data:`TEXTUAL_VERSION`), and each only where the code it stands in for is the code
it was written against (a :func:`fingerprint` of its functions' names, arguments and
constants): on another release Textual is left alone, and only the speed is lost.
``BRIEFREADER_TEXTUAL_SPEEDUPS=0`` turns them off (to tell whether a drawing problem
comes from them).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.control import Control
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.terminal_theme import TerminalTheme
from textual._ansi_theme import DEFAULT_TERMINAL_THEME
from textual._border import get_box
from textual._compositor import ChopsUpdate, Compositor
from textual._segment_tools import make_blank
from textual._styles_cache import StylesCache
from textual.cache import FIFOCache
from textual.color import Color
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.style import Style

if TYPE_CHECKING:
    from textual.css.styles import StylesBase

__all__ = [
    "applied",
    "apply",
    "chops_applied",
    "display_applied",
    "filter_applied",
    "lines_applied",
]

#: Each cache Strip.__init__ makes, and its size (Textual 8.2.8).
LAZY_CACHES: dict[str, int] = {
    "_divide_cache": 4,
    "_crop_cache": 16,
    "_style_cache": 16,
    "_filter_cache": 4,
    "_line_length_cache": 4,
    "_crop_extend_cache": 4,
    "_offsets_cache": 4,
}

#: What ``Strip.__init__``'s code names and holds in Textual 8.2.8: the code replaced.
_KNOWN_INIT = (
    (
        "list",
        "_segments",
        "_cell_length",
        "FIFOCache",
        *LAZY_CACHES,
        "_render_cache",
        "_link_ids",
        "_cell_count",
    ),
    (None, 4, 16),
)

_original_init = Strip.__init__


def _lazy_init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    self._segments = list(segments)
    self._cell_length = cell_length
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def _make_cache(self: Strip, name: str) -> Any:
    """A cache slot read before it was set: make the cache (any other name is an
    attribute Strip does not have)."""
    size = LAZY_CACHES.get(name)
    if size is None:
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
    cache: FIFOCache[Any, Any] = FIFOCache(size)
    setattr(self, name, cache)
    return cache


# -- content lines framed with parts made once a frame ------------------------------

_original_render = StylesCache.render
_original_render_line = StylesCache.render_line

#: Fingerprints (:func:`fingerprint`) of ``StylesCache.render`` and ``render_line`` in
#: Textual 8.2.8: the code :func:`_render` stands in for.  ``render`` reads
#: ``self.render_line`` once per call, which :func:`_render` sets for that call.
_KNOWN_RENDER = ("806282c61d38dd9c", "b69c38da3002f9db")

LineMaker = Callable[..., Strip]


def fingerprint(code: CodeType) -> str:
    """What a function's code names and holds: its arguments, and the names and
    constants of its code and of the code inside it (comprehensions, nested
    functions) as sorted sets, so that where a Python version puts them does not
    count; not its docstring or bytecode.  16 hex digits.  (It does not see a changed
    comparison or operator: :data:`TEXTUAL_VERSION` guards those.)"""
    names: set[str] = set()
    consts: set[str] = set()

    def walk(code: CodeType) -> None:
        names.update(code.co_names)
        for const in code.co_consts:
            if isinstance(const, CodeType):
                walk(const)
            elif const is not None and not (isinstance(const, str) and "\n" in const):
                consts.add(repr(const))  # (docstrings and None left out)

    walk(code)
    arguments = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    parts = (code.co_name, arguments, sorted(names), sorted(consts))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def textual_version() -> str:
    """The installed Textual's version, from the name of its distribution's folder
    beside the package ("" when there is not exactly one: the speed-ups are then left
    off).  (``importlib.metadata`` would add ~30 ms to the app's start: it imports the
    email parser.)"""
    import textual

    found = list(Path(textual.__file__).parent.parent.glob("textual-*.dist-info"))
    if len(found) != 1:
        return ""
    return found[0].name.removeprefix("textual-").removesuffix(".dist-info")


def _content_lines(
    cache: StylesCache,
    styles: StylesBase,
    size: Size,
    content_size: Size,
    padding: Spacing,
    base_background: Color,
    background: Color,
    render_content_line: Callable[[int], Strip],
    opacity: float,
) -> LineMaker | None:
    """A ``render_line`` for one ``render`` call: content lines (Textual's case C) framed
    with padding and side borders made once; other lines by Textual's own code.  None
    when something changes a line cell by cell (Textual's own code for every line)."""
    if opacity != 1.0 or styles.text_opacity != 1.0 or styles.tint.a:
        return None
    if styles.has_rule("hatch") and styles.hatch != "none":
        return None
    if any(edge for edge, _ in styles.outline):
        return None
    (
        (border_top, _),
        (border_right, border_right_color),
        (border_bottom, _),
        (border_left, border_left_color),
    ) = styles.border
    gutter = styles.gutter
    width, height = size
    content_width, content_height = content_size
    pad_top, pad_right, pad_bottom, pad_left = padding
    gutter_top, content_bottom = gutter.top, height - gutter.bottom
    first = 1 if border_top else 0
    last = height - 2 if border_bottom else height - 1
    if pad_top:
        first = max(first, gutter_top)
    if pad_bottom:
        last = min(last, content_bottom - 1)
    inner, outer = cache.get_inner_outer(base_background, background)
    inner_style = inner.rich_style
    before: list[Segment] = []
    after: list[Segment] = []
    if border_left:
        left_style = Style(foreground=base_background + border_left_color.multiply_alpha(opacity))
        before.append(get_box(border_left, inner, outer, left_style)[1][0])
    if pad_left:
        before.append(make_blank(pad_left, inner_style))
    if pad_right:
        after.append(make_blank(pad_right, inner_style))
    if border_right:
        right_style = Style(foreground=base_background + border_right_color.multiply_alpha(opacity))
        after.append(get_box(border_right, inner, outer, right_style)[1][2])
    blank: Strip | None = None

    def render_line(styles: StylesBase, y: int, *rest: Any) -> Strip:
        # (Textual's render passes render_line's arguments by position; ``rest`` holds
        # the same size, padding, colours and callback this maker was made with, and
        # the titles, opacity and ANSI theme its border rows need)
        nonlocal blank
        if not first <= y <= last:
            return _original_render_line(cache, styles, y, *rest)
        content_y = y - gutter_top
        if content_y < content_height:
            line = render_content_line(content_y).adjust_cell_length(content_width, inner_style)
        else:
            if blank is None:
                blank = Strip.blank(content_width, inner_style)
            line = blank
        return Strip([*before, *line, *after], width)

    return render_line


def _render(
    self: StylesCache,
    styles: StylesBase,
    size: Size,
    base_background: Color,
    background: Color,
    render_content_line: Callable[[int], Strip],
    filters: Sequence[LineFilter],
    border_title: Any,
    border_subtitle: Any,
    content_size: Size | None = None,
    padding: Spacing | None = None,
    crop: Region | None = None,
    opacity: float = 1.0,
    ansi_theme: TerminalTheme = DEFAULT_TERMINAL_THEME,
    native_ansi: bool = False,
) -> list[Strip]:
    """``StylesCache.render``, its content lines framed by :func:`_content_lines`."""
    maker = _content_lines(
        self,
        styles,
        size,
        size if content_size is None else content_size,
        styles.padding if padding is None else padding,
        base_background,
        background,
        render_content_line,
        opacity,
    )
    if maker is not None:
        self.render_line = maker  # type: ignore[method-assign]  # (for this call)
    try:
        return _original_render(
            self,
            styles,
            size,
            base_background,
            background,
            render_content_line,
            filters,
            border_title,
            border_subtitle,
            content_size,
            padding,
            crop,
            opacity,
            ansi_theme,
            native_ansi,
        )
    finally:
        if maker is not None:
            del self.render_line


def lines_applied() -> bool:
    """Whether content lines are framed with parts made once a frame."""
    return StylesCache.render is _render


# -- a colour filter that would change nothing gives the strip back ------------------

_original_apply_filter = Strip.apply_filter
_original_truecolor_style = ANSIToTruecolor.truecolor_style

#: Fingerprints of ``Strip.apply_filter`` and ``ANSIToTruecolor.truecolor_style``
#: (Textual 8.2.8): the code :func:`_apply_filter` stands in for, and the rule
#: :func:`_kept_by_truecolor` follows.
_KNOWN_FILTER = ("0b89ceb79e5dcc87", "444329c4da11a799")

#: In a strip's filter cache: the filter gave back the strip itself.  (Keeping the
#: strip in its own cache would make a reference cycle of every strip drawn.)
_SAME: Any = object()

#: Styles ``ANSIToTruecolor`` keeps as they are (True) or changes (False).
_truecolor_kept: dict[RichStyle, bool] = {}
#: How many styles :data:`_truecolor_kept` holds before it starts again (styles with
#: links are each their own, so a long session makes new ones).
KEPT_STYLES_MAX = 4096


def _kept_by_truecolor(style: RichStyle) -> bool:
    """Whether ``ANSIToTruecolor.truecolor_style`` gives ``style`` back unchanged
    whatever the background: its colours are true colours, and it is not dim text with
    a colour."""
    kept = _truecolor_kept.get(style)
    if kept is None:
        color, bgcolor = style.color, style.bgcolor
        kept = (
            (color is None or color.triplet is not None)
            and (bgcolor is None or bgcolor.triplet is not None)
            and not (style.dim and color is not None)
        )
        if len(_truecolor_kept) >= KEPT_STYLES_MAX:
            _truecolor_kept.clear()
        _truecolor_kept[style] = kept
    return kept


def _apply_filter(self: Strip, filter: LineFilter, background: Color) -> Strip:
    """``Strip.apply_filter``, giving the strip back when ``ANSIToTruecolor`` would
    change none of its segments."""
    cache = self._filter_cache
    key = (filter, background)
    cached = cache.get(key)
    if cached is None:
        if type(filter) is ANSIToTruecolor and _kept_whole(self._segments):
            cached = _SAME
        else:
            cached = Strip(filter.apply(self._segments, background), self._cell_length)
        cache[key] = cached
    return self if cached is _SAME else cached


def _kept_whole(segments: list[Segment]) -> bool:
    """Whether ``ANSIToTruecolor`` keeps every segment as it is (a loop, not ``all()``
    over a generator: it runs for every new line drawn)."""
    known = _truecolor_kept.get
    for _, style, control in segments:
        if control is not None:
            return False
        if style is not None and not (known(style) or _kept_by_truecolor(style)):
            return False
    return True


def filter_applied() -> bool:
    """Whether a colour filter that would change nothing gives the strip back."""
    return Strip.apply_filter is _apply_filter


# -- what is hidden is not drawn ------------------------------------------------------

_original_render_chops = Compositor._render_chops
_original_get_renders = Compositor._get_renders

#: Fingerprints of ``Compositor._render_chops`` and ``_get_renders`` (Textual 8.2.8):
#: the code :func:`_render_chops` stands in for.
_KNOWN_CHOPS = ("f3c23af0bf54680d", "b8053dee85fc7c65")

Chops = list[dict[int, Strip | None]]


def _filled(
    chops_line: dict[int, Strip | None], line_cuts: list[int], first: int, last: int
) -> bool:
    """Whether the widgets in front have filled every cut of a line from ``first`` up
    to ``last``."""
    for cut in line_cuts:  # noqa: SIM110  (a loop: it runs for every line of a frame)
        if first <= cut < last and chops_line[cut] is None:
            return False
    return True


def _shown_renders(
    self: Compositor,
    crop: Region,
    is_rendered_line: Callable[[int], bool],
    chops: Chops,
    cuts: list[list[int]],
) -> Iterable[tuple[Region, list[Strip]]]:
    """``Compositor._get_renders``, leaving out the widgets none of whose rendered
    lines would show (read as each render is taken, so the widgets in front count):
    each widget's region on screen (inside its clip) and its lines there."""
    _rich_traceback_guard = True  # (as Textual's: a shorter traceback)
    visible_widgets = self.visible_widgets
    if crop:
        crop_overlaps = crop.overlaps
        widget_regions = [
            (widget, region, clip)
            for widget, (region, clip) in visible_widgets.items()
            if crop_overlaps(clip)
        ]
    else:
        widget_regions = [
            (widget, region, clip) for widget, (region, clip) in visible_widgets.items()
        ]
    intersection = Region.intersection
    for widget, region, clip in widget_regions:
        shown = intersection(region, clip)
        x, y, width, height = shown
        if not (width and height):
            continue  # (Textual asks a widget inside its clip to draw even then: nothing)
        first, last = shown.column_span
        if all(
            _filled(chops[line], cuts[line], first, last)
            for line in shown.line_range
            if is_rendered_line(line)
        ):
            continue  # (hidden by the widgets in front)
        yield shown, widget.render_lines(Region(x - region.x, y - region.y, width, height))


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[dict[int, Strip | None]]:
    """``Compositor._render_chops``, skipping what the widgets in front have covered."""
    cuts = self.cuts
    chops: Chops = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for render_region, strips in _shown_renders(self, crop, is_rendered_line, chops, cuts):
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            chops_line = chops[y]
            line_cuts = cuts[y]
            if _filled(chops_line, line_cuts, first_cut, last_cut):
                continue
            final_cuts = [cut for cut in line_cuts if last_cut >= cut >= first_cut]
            cut_strips = strip.divide([cut - render_x for cut in final_cuts[1:]])
            # Front to back: the first piece for a cut wins.
            get_chops_line = chops_line.get
            for cut, piece in zip(final_cuts, cut_strips, strict=False):
                if get_chops_line(cut) is None:
                    chops_line[cut] = piece
    return chops


def chops_applied() -> bool:
    """Whether what is hidden is left undrawn."""
    return Compositor._render_chops is _render_chops


# -- the frame's cursor moves written directly ----------------------------------------

_original_render_segments = ChopsUpdate.render_segments

#: Fingerprint of ``ChopsUpdate.render_segments`` (Textual 8.2.8): the code
#: :func:`_render_segments` stands in for.
_KNOWN_SEGMENTS = ("bc680e2e486676b5",)


def _move_to(x: int, y: int) -> str:
    """The escape sequence ``rich.control.Control.move_to(x, y)`` writes."""
    return f"\x1b[{y + 1};{x + 1}H"


def _render_segments(self: ChopsUpdate, console: Console) -> str:
    """``ChopsUpdate.render_segments``, each cursor move written as its escape sequence
    instead of through a ``Control`` object (~300 a next-article frame)."""
    sequences: list[str] = []
    append = sequences.append
    chops = self.chops
    chop_ends = self.chop_ends
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        line = chops[y]
        ends = chop_ends[y]
        for end, (x, strip) in zip(ends, line.items(), strict=False):
            if strip is None:
                continue
            if x > x2 or end <= x1:
                continue
            if x2 > x >= x1 and end <= x2:
                append(f"\x1b[{y + 1};{x + 1}H")
                append(strip.render(console))
                continue
            strip = strip.crop(0, min(end, x2) - x)
            append(f"\x1b[{y + 1};{x + 1}H")
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def display_applied() -> bool:
    """Whether the frame's cursor moves are written directly."""
    return ChopsUpdate.render_segments is _render_segments


# -- all of them --------------------------------------------------------------------


def applied() -> bool:
    """Whether strips make their caches on first use."""
    return Strip.__init__ is _lazy_init


def _written_for(known: tuple[str, ...], *functions: Callable[..., Any]) -> bool:
    """Whether these functions are the code a speed-up was written against."""
    return tuple(fingerprint(f.__code__) for f in functions) == known


#: The Textual release the speed-ups were written against.  On any other none is
#: applied: a fingerprint sees a function's names and constants, not a comparison or
#: an operator changed by a bug fix.  (Bumping Textual: check each speed-up's code
#: against the new release's, then this and the fingerprints.)
TEXTUAL_VERSION = "8.2.8"


def apply() -> bool:
    """Apply the speed-ups where this Textual is the one they were written against (see
    the module's docstring); returns whether strips make their caches on first use.
    Idempotent."""
    if os.environ.get("BRIEFREADER_TEXTUAL_SPEEDUPS", "1") == "0":
        return applied()
    if textual_version() != TEXTUAL_VERSION:
        return applied()
    if not lines_applied() and _written_for(_KNOWN_RENDER, _original_render, _original_render_line):
        StylesCache.render = _render  # type: ignore[method-assign]
    truecolor_style = getattr(_original_truecolor_style, "__wrapped__", _original_truecolor_style)
    if not filter_applied() and _written_for(
        _KNOWN_FILTER, _original_apply_filter, truecolor_style
    ):
        Strip.apply_filter = _apply_filter  # type: ignore[method-assign]
    if not chops_applied() and _written_for(
        _KNOWN_CHOPS, _original_render_chops, _original_get_renders
    ):
        Compositor._render_chops = _render_chops  # type: ignore[method-assign,assignment]
    if (
        not display_applied()
        and _written_for(_KNOWN_SEGMENTS, _original_render_segments)
        and Control.move_to(7, 3).segment.text == _move_to(7, 3)
    ):
        ChopsUpdate.render_segments = _render_segments  # type: ignore[method-assign]
    if applied():
        return True
    code = _original_init.__code__
    if (code.co_names, code.co_consts) != _KNOWN_INIT or hasattr(Strip, "__getattr__"):
        return False  # (another Textual: its own __init__ is kept)
    Strip.__init__ = _lazy_init  # type: ignore[method-assign]
    Strip.__getattr__ = _make_cache  # type: ignore[attr-defined]
    return True
