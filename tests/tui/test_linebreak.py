"""No line of Chinese or Japanese begins with a closing mark nor ends with an opening
one (a Japanese item showed a line beginning "、この材料は…": Rich folds a run of
letters with no space at the width, wherever that falls)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from briefreader.tui.widgets.linebreak import NO_END, NO_START, CJKText, text_for

PARAGRAPH = (
    "北浜大学の研究班は、充電にかかる時間を半分に縮める蓄電池素材を開発したと発表した。"
    "研究班によると、この素材は電池の寿命も二割ほど延ばすという。「実用化は数年先だ」と話す。"
)


def lines_of(text: Text, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, legacy_windows=False)
    return [line.plain.rstrip() for line in text.wrap(console, width)]


def test_no_line_begins_with_a_comma_or_a_full_stop_at_any_width() -> None:
    for width in range(6, 61):
        lines = lines_of(text_for(Text(PARAGRAPH)), width)
        assert "".join(lines) == PARAGRAPH, width  # nothing lost, nothing added
        for line in lines:
            assert cell_len(line) <= width
        assert not any(line[0] in NO_START for line in lines[1:]), (width, lines)
        assert not any(line[-1] in NO_END for line in lines[:-1]), (width, lines)


def test_rich_alone_began_lines_with_them() -> None:
    """(What the test above guards against: the plain Text at the same widths.)"""
    began = [
        w for w in range(6, 61) if any(ln[0] in NO_START for ln in lines_of(Text(PARAGRAPH), w)[1:])
    ]
    assert began


def test_other_text_is_left_to_rich() -> None:
    plain = Text("The harbour board said, after a review, that ferries leave earlier.")
    assert text_for(plain) is plain
    assert isinstance(text_for(Text(PARAGRAPH)), CJKText)


def test_styles_are_kept() -> None:
    text = Text()
    text.append("研究班は", "bold")
    text.append("、充電時間を半分にした。")
    styled = text_for(text)
    assert styled.spans == text.spans
    console = Console(file=io.StringIO(), width=8, legacy_windows=False)
    first = styled.wrap(console, 8)[0]
    assert any(span.style == "bold" for span in first.spans)


LETTERS = st.sampled_from("北浜大学研究班充電時間半分素材開発発表電池寿命")
MARKS = st.sampled_from("、。」』）ー")
OPENERS = st.sampled_from("「『（")
WORD = st.tuples(st.lists(LETTERS, min_size=2, max_size=6), st.one_of(st.none(), MARKS)).map(
    lambda p: "".join(p[0]) + (p[1] or "")
)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.one_of(WORD, OPENERS.map(lambda o: o + "研究")), min_size=1, max_size=30),
       width=st.integers(6, 50))  # fmt: skip
def test_any_paragraph_breaks_by_the_rules(words: list[str], width: int) -> None:
    paragraph = "".join(words)
    lines = lines_of(text_for(Text(paragraph)), width)
    assert "".join(lines) == paragraph
    assert all(cell_len(line) <= width for line in lines)
    assert not any(line[0] in NO_START for line in lines[1:]), lines
    assert not any(line[-1] in NO_END for line in lines[:-1]), lines


def test_a_long_paragraph_wraps_in_time_in_proportion_to_its_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(A review: a 120,000-character paragraph took 79 s, each line's break looked
    for in all the text after it.)  Counted: the characters handed to Rich's line
    divider grow with the paragraph, not with its square."""
    from briefreader.tui.widgets import linebreak

    read: list[int] = []
    divide = linebreak.divide_line  # type: ignore[attr-defined]

    def counted(text: str, width: int, fold: bool = True) -> list[int]:
        read.append(len(text))
        return list(divide(text, width, fold=fold))

    monkeypatch.setattr(linebreak, "divide_line", counted)
    long = PARAGRAPH * 1_000  # 73,000 characters
    lines = lines_of(text_for(Text(long)), 78)
    assert sum(read) < 10 * len(long)  # (was ~len(long) ** 2 / 80)
    assert "".join(lines) == long
    assert not any(line[0] in NO_START for line in lines[1:])
