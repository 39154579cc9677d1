"""Textual's speed-ups (briefreader.tui.textual_speedups): strips make their caches on
first use, and content lines are framed with parts made once a frame.  The app draws
exactly what it drew (the snapshot tests), each cache still works, and every line of
widgets in many styles is the line Textual's own code makes."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import MONOKAI
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Grid
from textual.filter import ANSIToTruecolor
from textual.strip import Strip
from textual.widgets import Static

from briefreader.tui import textual_speedups

STYLES = [Style(), Style(bold=True), Style(color="red"), Style(color="#80a0ff", bgcolor="black")]
segments = st.lists(
    st.builds(
        Segment, st.text("ab c✓漢", min_size=1, max_size=6), st.sampled_from(STYLES), st.none()
    ),
    max_size=8,
)


def eager(segs: list[Segment]) -> Strip:
    """A strip made by Textual's own __init__ (every cache made at once)."""
    strip = Strip.__new__(Strip)
    textual_speedups._original_init(strip, segs)
    return strip


def test_applied_to_this_textual() -> None:
    assert textual_speedups.applied()
    strip = Strip([Segment("hello")])
    for name in textual_speedups.LAZY_CACHES:
        with pytest.raises(AttributeError):
            object.__getattribute__(strip, name)  # (not made yet)


@settings(max_examples=60, deadline=None)
@given(segs=segments, cut=st.integers(0, 12), width=st.integers(0, 14))
def test_a_lazy_strip_draws_what_an_eager_one_does(
    segs: list[Segment], cut: int, width: int
) -> None:
    lazy, made = Strip(segs), eager(segs)
    style = Style(italic=True)
    pairs = [
        (lazy.crop(0, cut), made.crop(0, cut)),
        (lazy.apply_style(style), made.apply_style(style)),
        (lazy.adjust_cell_length(width), made.adjust_cell_length(width)),
        (lazy.crop_extend(1, width, None), made.crop_extend(1, width, None)),
        (lazy.apply_offsets(2, 3), made.apply_offsets(2, 3)),
        (lazy.extend_cell_length(width), made.extend_cell_length(width)),
    ]
    filt = ANSIToTruecolor(MONOKAI)
    pairs.append((lazy.apply_filter(filt, Color(0, 0, 0)), made.apply_filter(filt, Color(0, 0, 0))))
    for got, want in pairs:
        assert list(got) == list(want) and got.cell_length == want.cell_length
    assert [list(s) for s in lazy.divide([cut, cut + 3])] == [
        list(s) for s in made.divide([cut, cut + 3])
    ]
    console = Console(color_system="truecolor", force_terminal=True, width=80)
    assert lazy.render(console) == made.render(console)


def test_each_cache_is_made_once_and_kept() -> None:
    strip = Strip([Segment("harbour "), Segment("bridge", Style(bold=True))])
    assert strip.crop(0, 5) is strip.crop(0, 5)
    assert strip.divide([3]) is strip.divide([3])
    style = Style(underline=True)
    assert strip.apply_style(style) is strip.apply_style(style)
    assert strip._crop_cache is strip._crop_cache
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        strip.nonsense  # type: ignore[attr-defined]  # noqa: B018


def test_another_textual_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def other_init(self: Strip, segments: object, cell_length: int | None = None) -> None:
        textual_speedups._original_init(self, segments, cell_length)  # type: ignore[arg-type]

    monkeypatch.setattr(Strip, "__init__", other_init)
    monkeypatch.delattr(Strip, "__getattr__")
    monkeypatch.setattr(textual_speedups, "_original_init", other_init)
    assert not textual_speedups.apply()
    assert Strip.__init__ is other_init


def test_turned_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Strip, "__init__", textual_speedups._original_init)
    monkeypatch.delattr(Strip, "__getattr__")
    monkeypatch.setattr(StylesCache, "render", textual_speedups._original_render)
    monkeypatch.setattr(Strip, "apply_filter", textual_speedups._original_apply_filter)
    monkeypatch.setenv("BRIEFREADER_TEXTUAL_SPEEDUPS", "0")
    assert not textual_speedups.apply()
    assert not textual_speedups.applied()
    assert not textual_speedups.lines_applied()
    assert not textual_speedups.filter_applied()
    monkeypatch.delenv("BRIEFREADER_TEXTUAL_SPEEDUPS")
    assert textual_speedups.apply()
    assert textual_speedups.lines_applied()
    assert textual_speedups.filter_applied()


# -- content lines framed with parts made once a frame ------------------------------

BORDERS = ["none", "round $foreground 25%", "heavy red", "tall $accent 50%", "hkey green"]
PADDINGS = ["0", "1 2", "0 0 0 2", "2 1 3 0"]
BACKGROUNDS = ["transparent", "#203040", "$accent 30%"]
#: Styles that change a line cell by cell: Textual's own code draws every line.
OTHERS = [
    "border-top: solid green; border-left: wide blue; padding: 1 0 0 1;",
    "border-bottom: double $primary; padding: 0 3 2 0;",
    "outline: solid yellow;",
    "tint: red 20%;",
    "opacity: 60%;",
    "text-opacity: 50%;",
    "hatch: cross $primary 30%;",
]
TEXT = "Harbour cranes idle as the strike enters its third week " * 4


def _widget_styles() -> list[str]:
    combos = itertools.product(BORDERS, PADDINGS, BACKGROUNDS)
    made = [f"border: {b}; padding: {p}; background: {bg};" for b, p, bg in combos]
    return made + OTHERS


class StylesApp(App[None]):
    CSS = "Grid { grid-size: 9; grid-gutter: 0; } Static { height: 7; }\n" + "\n".join(
        f"#w{index} {{ {css} }}" for index, css in enumerate(_widget_styles())
    )

    def compose(self) -> ComposeResult:
        with Grid():
            for index in range(len(_widget_styles())):
                # Some fill their box and more, some leave blank lines under the text.
                yield Static(TEXT[: 20 + 37 * (index % 5)], id=f"w{index}")


async def test_content_lines_are_the_lines_textual_makes() -> None:
    assert textual_speedups.lines_applied()
    app = StylesApp()
    async with app.run_test(size=(200, 70)) as pilot:
        await pilot.pause()
        widgets = list(app.query(Static))
        assert len(widgets) == len(BORDERS) * len(PADDINGS) * len(BACKGROUNDS) + len(OTHERS)
        for widget in widgets:
            widget.focus()  # (focus changes some borders' colours: both drawn focused)
            crop = widget.region.reset_offset
            assert crop.height == 7, widget.id
            cache = widget._styles_cache
            cache.clear()
            ours = cache.render_widget(widget, crop)
            cache.clear()
            original = textual_speedups._original_render
            try:
                StylesCache.render = original  # type: ignore[method-assign]
                textuals = cache.render_widget(widget, crop)
            finally:
                StylesCache.render = textual_speedups._render  # type: ignore[method-assign]
            assert [list(s) for s in ours] == [list(s) for s in textuals], widget.id
            assert [s.cell_length for s in ours] == [s.cell_length for s in textuals]


def test_another_textual_s_render_and_filter_are_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def other_render(self: StylesCache, *args: object, **kwargs: object) -> list[Strip]:
        return []

    def other_filter(self: Strip, filter: object, background: object) -> Strip:
        return self

    monkeypatch.setattr(StylesCache, "render", other_render)
    monkeypatch.setattr(textual_speedups, "_original_render", other_render)
    monkeypatch.setattr(Strip, "apply_filter", other_filter)
    monkeypatch.setattr(textual_speedups, "_original_apply_filter", other_filter)
    textual_speedups.apply()
    assert StylesCache.render is other_render
    assert not textual_speedups.lines_applied()
    assert Strip.apply_filter is other_filter
    assert not textual_speedups.filter_applied()


# -- a colour filter that would change nothing gives the strip back ------------------

FILTER_STYLES = [
    None,
    Style(),
    Style(color="#80a0ff"),
    Style(color="#80a0ff", bgcolor="#101010", bold=True),
    Style(color="red"),  # an ANSI colour: changed
    Style(bgcolor="color(4)"),  # changed
    Style(dim=True),  # dim without a colour: kept
    Style(color="#ffffff", dim=True),  # dim with a colour: changed
    Style(color="#ffffff", link="https://example.com/a"),
]
filter_segments = st.lists(
    st.builds(
        Segment,
        st.text("ab c✓", min_size=1, max_size=4),
        st.sampled_from(FILTER_STYLES),
        st.sampled_from([None, None, None, [(1,)]]),  # now and then a control code
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(segs=filter_segments, background=st.sampled_from([Color(0, 0, 0), Color(250, 240, 230)]))
def test_the_filter_gives_what_textual_s_filter_gives(
    segs: list[Segment], background: Color
) -> None:
    assert textual_speedups.filter_applied()
    truecolor = ANSIToTruecolor(MONOKAI)
    strip = Strip(segs)
    ours = strip.apply_filter(truecolor, background)
    textuals = textual_speedups._original_apply_filter(Strip(segs), truecolor, background)
    assert list(ours) == list(textuals)
    assert ours.cell_length == textuals.cell_length
    assert strip.apply_filter(truecolor, background) is ours  # (kept, never the marker)
    unchanged = all(
        c is None and (s is None or s == truecolor.truecolor_style(s, background.rich_color))
        for _, s, c in segs
    )
    assert (ours is strip) == unchanged


def test_other_filters_are_applied_as_before() -> None:
    from textual.filter import Monochrome

    strip = Strip([Segment("quay", Style(color="#ff0000"))])
    grey = strip.apply_filter(Monochrome(), Color(0, 0, 0))
    assert grey is not strip
    assert list(grey) != list(strip)


def test_the_styles_looked_at_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual_speedups, "KEPT_STYLES_MAX", 5)
    monkeypatch.setattr(textual_speedups, "_truecolor_kept", {})
    truecolor = ANSIToTruecolor(MONOKAI)
    for index in range(12):
        style = Style(color="#102030", link=f"https://example.com/{index}")
        strip = Strip([Segment("x", style)])
        assert strip.apply_filter(truecolor, Color(0, 0, 0)) is strip
    assert len(textual_speedups._truecolor_kept) <= 5


# -- what is hidden is not drawn ------------------------------------------------------


class LayersApp(App[None]):
    """Widgets over widgets: a layer above with an offset, a docked bar, a scrolled
    container clipping its children, borders and a transparent background."""

    CSS = """
    Screen { layers: base above; background: #101820; }
    #panes { height: 1fr; }
    #left { width: 40%; height: 100%; border: round green; background: #203040; }
    #right { width: 1fr; height: 100%; background: transparent; padding: 0 1; }
    VerticalScroll { height: 12; border: heavy $accent; }
    VerticalScroll Static { height: 3; background: #302010; }
    #float { layer: above; offset: 10 4; width: 30; height: 6; border: tall red; background: #404040; }
    #bar { dock: bottom; height: 1; background: $primary; }
    """

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal, Vertical, VerticalScroll

        with Horizontal(id="panes"):
            yield Static(TEXT, id="left")
            with Vertical(id="right"):
                yield Static(TEXT[:90])
                with VerticalScroll():
                    for index in range(9):
                        yield Static(f"{index}: {TEXT[: 40 + index]}")
        yield Static("over everything " * 3, id="float")
        yield Static("bar", id="bar")


def _cells(chops: Sequence[Mapping[int, Strip | None]]) -> list[dict[int, list[Segment]]]:
    return [{cut: list(strip) if strip else [] for cut, strip in line.items()} for line in chops]


async def test_hidden_lines_left_undrawn_leave_the_same_frame() -> None:
    from textual._compositor import Compositor
    from textual.containers import VerticalScroll
    from textual.geometry import Region

    assert textual_speedups.chops_applied()
    app = LayersApp()
    async with app.run_test(size=(90, 30)) as pilot:
        app.query_one(VerticalScroll).scroll_to(y=7, animate=False)
        await pilot.pause()
        compositor = app.screen._compositor
        original = textual_speedups._original_render_chops
        for crop, lines in [
            (Region(0, 0, 90, 30), range(30)),  # a full frame
            (Region(5, 2, 40, 12), {3, 4, 9, 13}),  # a partial one: some lines
            (Region(30, 10, 60, 20), range(10, 30)),
        ]:
            rendered = set(lines).__contains__
            compositor._cuts = None
            ours = Compositor._render_chops(compositor, crop, rendered)
            textuals = original(compositor, crop, rendered)
            assert _cells(ours) == _cells(textuals)


async def test_a_widget_hidden_behind_others_is_not_asked_to_draw() -> None:
    from textual.containers import Horizontal

    app = LayersApp()
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        panes = app.query_one("#panes", Horizontal)
        asked: list[object] = []
        draw = panes.render_lines

        def counted(crop: object) -> list[Strip]:
            asked.append(crop)
            return draw(crop)  # type: ignore[arg-type]

        panes.render_lines = counted  # type: ignore[method-assign]
        app.screen._compositor.render_update(full=True)
        assert asked == []  # (its two children cover it: nothing of it shows)
        app.query_one("#right").styles.width = 30
        await pilot.pause()
        app.screen._compositor.render_update(full=True)
        assert asked  # (now its background shows right of the right pane)


async def test_a_frame_is_written_as_textual_writes_it() -> None:
    from textual.geometry import Region

    assert textual_speedups.display_applied()
    app = LayersApp()
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        compositor = app.screen._compositor
        console = Console(color_system="truecolor", force_terminal=True, width=90)
        for dirty in [
            [Region(12, 5, 10, 3), Region(50, 2, 30, 1)],  # pieces cut at both ends
            [Region(0, 0, 90, 30)],
            [Region(37, 12, 3, 9), Region(88, 0, 2, 30)],
        ]:
            compositor._dirty_regions.update(dirty)
            update = compositor.render_partial_update()
            assert update is not None
            ours = update.render_segments(console)
            assert ours == textual_speedups._original_render_segments(update, console)
            assert "\x1b[" in ours


def test_another_textual_release_gets_none_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fingerprint does not see a comparison changed by a bug fix: on any other
    Textual release no speed-up is applied."""
    from textual._compositor import ChopsUpdate, Compositor

    ts = textual_speedups
    monkeypatch.setattr(Strip, "__init__", ts._original_init)
    monkeypatch.delattr(Strip, "__getattr__")
    monkeypatch.setattr(StylesCache, "render", ts._original_render)
    monkeypatch.setattr(Strip, "apply_filter", ts._original_apply_filter)
    monkeypatch.setattr(Compositor, "_render_chops", ts._original_render_chops)
    monkeypatch.setattr(ChopsUpdate, "render_segments", ts._original_render_segments)
    monkeypatch.setattr(ts, "textual_version", lambda: "8.3.0")
    assert not ts.apply()
    assert not any(
        (
            ts.applied(),
            ts.lines_applied(),
            ts.filter_applied(),
            ts.chops_applied(),
            ts.display_applied(),
        )
    )
    monkeypatch.setattr(ts, "textual_version", lambda: ts.TEXTUAL_VERSION)
    assert ts.apply()
    assert all((ts.lines_applied(), ts.filter_applied(), ts.chops_applied(), ts.display_applied()))


def test_the_fingerprint_leaves_out_where_python_keeps_a_comprehension() -> None:
    """Python 3.12 inlines comprehensions (their names and constants move into the
    function's own code): the fingerprint counts them the same either way."""

    def nested(items: list[int]) -> list[int]:
        return [item.bit_length() for item in items if item > 3]

    def flat(items: list[int]) -> list[int]:
        result = []
        for item in items:
            if item > 3:
                result.append(item.bit_length())
        return result

    names = textual_speedups.fingerprint
    assert names(nested.__code__) != names(flat.__code__)  # ('append' is a name of flat's)
    code = nested.__code__
    inner = next(c for c in code.co_consts if hasattr(c, "co_names"))
    inlined = code.replace(
        co_consts=tuple(c for c in code.co_consts if c is not inner) + inner.co_consts,
        co_names=code.co_names + inner.co_names,
    )
    assert names(inlined) == names(code)
    assert names(inlined) != names(code.replace(co_names=(*code.co_names, "other")))
