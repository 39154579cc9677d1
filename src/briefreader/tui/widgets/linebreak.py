"""Line breaks in Chinese and Japanese text: never before a closing mark.

Rich breaks lines at spaces, and folds a longer run at the width.  Chinese and
Japanese are written without spaces, so their paragraphs were folded at the width,
wherever that fell: a line of the article could begin with "、" or "。" (seen in a
Japanese item: "、この材料は…").  The rule typesetters follow (JIS X 4051's kinsoku;
Chinese typesetting alike) is that a line does not begin with a closing mark — a
comma, a full stop, a closing bracket, a small kana, the long-vowel mark — nor end
with an opening bracket.  :class:`CJKText` wraps as Rich does and then moves such a
break back by a letter or two, so that the letter before the mark goes down with it.
"""

from __future__ import annotations

from rich.console import Console
from rich.containers import Lines
from rich.text import Text

from briefreader.scripts import has_cjk

try:  # (what Text.wrap itself breaks lines with; private to Rich)
    from rich._wrap import divide_line
except ImportError:  # pragma: no cover - Rich moved it: lines break as Rich breaks them
    divide_line = None  # type: ignore[assignment]

__all__ = ["NO_END", "NO_START", "CJKText", "kinsoku_offsets", "text_for"]

#: What a line may not begin with.
NO_START = frozenset(
    "、。，．・：；？！‼⁇⁈⁉ー―〜～…‥）」』】〉》〕］｝〙〗〟’”»"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻ゝゞヽヾ"
    ",.:;?!)]}"
)
#: What a line may not end with.
NO_END = frozenset("（「『【〈《〔［｛〘〖〝‘“«([{")

#: The most letters a break moves back (a run of marks longer than this breaks
#: among them, as it must somewhere).
MOST_MOVED = 3


def kinsoku_offsets(plain: str, width: int, *, fold: bool = True) -> list[int]:
    """Rich's line breaks of ``plain`` at ``width`` (:func:`rich.wrap.divide_line`),
    each moved back (at most :data:`MOST_MOVED` characters, never emptying a line) while
    it would start a line with a :data:`NO_START` mark or end one with a :data:`NO_END`
    one; the lines after a moved break are broken again from there."""
    offsets: list[int] = []
    start = 0
    # Each line's break is found in a window of the text after it, not in all of it
    # (a 120,000-character paragraph took 79 s to wrap): a line ends within ``width``
    # cells, so a window of several times that holds its break and the word after.
    window = 4 * max(1, width) + 64
    while start < len(plain):
        assert divide_line is not None  # (text_for makes no CJKText without it)
        rest = divide_line(plain[start : start + window], width, fold=fold)
        if not rest and start + window < len(plain):  # (zero-width characters only)
            rest = divide_line(plain[start:], width, fold=fold)
        if not rest:
            break
        at = start + rest[0]
        moved = 0
        while (
            moved < MOST_MOVED
            and at - 1 > start
            and (plain[at] in NO_START or plain[at - 1] in NO_END)
            and not plain[at - 1].isspace()
        ):
            at -= 1
            moved += 1
        offsets.append(at)
        start = at
    return offsets


class CJKText(Text):
    """Rich text whose lines break as :func:`kinsoku_offsets` says (for paragraphs
    holding Chinese or Japanese: see :func:`text_for`)."""

    __slots__ = ()

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: object = None,
        overflow: object = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        lines = Lines()
        wrap_justify = justify or self.justify or "default"
        wrap_overflow = overflow or self.overflow or "fold"
        if no_wrap or self.no_wrap or overflow == "ignore":
            return super().wrap(
                console, width, justify=justify, overflow=overflow,  # type: ignore[arg-type]
                tab_size=tab_size, no_wrap=no_wrap,
            )  # fmt: skip
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            offsets = kinsoku_offsets(line.plain, width, fold=wrap_overflow == "fold")
            new_lines = line.divide(offsets)
            for piece in new_lines:
                piece.rstrip_end(width)
            new_lines.justify(console, width, justify=wrap_justify, overflow=wrap_overflow)  # type: ignore[arg-type]
            for piece in new_lines:
                piece.truncate(width, overflow=wrap_overflow)  # type: ignore[arg-type]
            lines.extend(new_lines)
        return lines


def text_for(text: Text) -> Text:
    """``text`` itself, or as a :class:`CJKText` when it holds a Chinese or Japanese
    letter (the same spans and style)."""
    if divide_line is None or not has_cjk(text.plain):
        return text
    cjk = text.copy()
    cjk.__class__ = CJKText  # (the same slots: only the wrapping differs)
    return cjk
