"""Textual's strips make their caches on first use (briefreader.tui.textual_speedups):
the app draws exactly what it drew (the snapshot tests), and each cache still works."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import MONOKAI
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.strip import Strip

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
    monkeypatch.setenv("BRIEFREADER_TEXTUAL_SPEEDUPS", "0")
    assert not textual_speedups.apply()
    assert not textual_speedups.applied()
    monkeypatch.delenv("BRIEFREADER_TEXTUAL_SPEEDUPS")
    assert textual_speedups.apply()
