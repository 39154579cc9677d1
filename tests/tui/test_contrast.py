"""Every text the list pane, the article pane and the Related sidebar draw is legible
in every bundled theme: WCAG AA (4.5:1)
between each character's colour and the colour behind it, as the app really paints
them (the screen's own output), on the cursor row (focused and not), on the other
rows (read, unread, starred; comfortable and compact) and on the panes' borders and
the status line.

The themes' ANSI variants are left out: their colours are the terminal's, which
nothing here can know."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.color import Color as RichColor
from rich.segment import Segment
from textual.color import Color
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip
from textual.theme import BUILTIN_THEMES
from textual.widget import Widget
from tui_helpers import settle

from briefreader.tui.widgets.article_list import ArticleList

AA = 4.5


def luminance(color: Color) -> float:
    """WCAG 2 relative luminance (computed here, not borrowed from the app)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(first: Color, second: Color) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_text(char: str) -> bool:
    """A character a reader reads (not a space, a border or a scrollbar's block)."""
    return bool(char.strip()) and not ("\u2500" <= char <= "\u259f")


def painted(pilot: Pilot[Any]) -> list[list[Segment]]:
    """The screen as the terminal gets it: one list of segments per line."""
    app = pilot.app
    update: Any = app.screen._compositor.render_update(full=True)
    lines = []
    for line in update.strips:  # a Strip, or the Strips of one line
        parts = [line] if isinstance(line, Strip) else line
        lines.append([segment for strip in parts for segment in strip])
    return lines


def low_contrast(screen: list[list[Segment]], region: Region, where: str) -> list[str]:
    """``where: 'text' 2.1:1 (#fg on #bg)`` for each run of text below AA in ``region``
    of ``screen`` (:func:`painted`)."""
    found: list[str] = []
    for y, segments in enumerate(screen):
        if not region.y <= y < region.bottom:
            continue
        x = 0
        for segment in segments:
            style, start = segment.style, x
            x += len(segment.text)  # (the list's text is one cell a character)
            inside = "".join(
                ch for i, ch in enumerate(segment.text, start) if region.x <= i < region.right
            )
            shown = inside.strip()
            if not any(is_text(ch) for ch in shown) or style is None:
                continue
            fg_rich, bg_rich = style.color, style.bgcolor
            if style.reverse:
                fg_rich, bg_rich = bg_rich, fg_rich
            assert isinstance(fg_rich, RichColor) and isinstance(bg_rich, RichColor), (
                f"{where}: {shown!r} drawn without a colour of its own"
            )
            fg, bg = Color.from_rich_color(fg_rich), Color.from_rich_color(bg_rich)
            if style.dim:  # the terminal would dim it further: count it half-way to bg
                fg = fg.blend(bg, 0.5)
            ratio = contrast(fg, bg)
            if ratio < AA:
                found.append(f"{where}: {shown[:20]!r} {ratio:.2f}:1 ({fg.hex} on {bg.hex})")
    return found


def border_rows(widget: Widget) -> list[Region]:
    """The top and bottom border lines of a pane (where its titles are)."""
    r = widget.region
    return [Region(r.x, r.y, r.width, 1), Region(r.x, r.bottom - 1, r.width, 1)]


def list_pane_problems(
    pilot: Pilot[Any], state: str, screen: list[list[Segment]] | None = None
) -> list[str]:
    """The list's rows, the panes' borders and the status line; ``screen``: the
    :func:`painted` screen if the caller has it (each painting is a full render)."""
    app = pilot.app
    screen = painted(pilot) if screen is None else screen
    problems = low_contrast(screen, app.query_one(ArticleList).region, f"list, {state}")
    for name in ("#list-pane", "#article", "RelatedSidebar"):
        for widget in app.query(name):
            if widget.display and widget.region:
                for row in border_rows(widget):
                    problems += low_contrast(screen, row, f"{name} border, {state}")
    status = app.query_one("#status")
    if status.display and status.region:
        problems += low_contrast(screen, status.region, f"status line, {state}")
    return problems


def reading_panes_problems(
    pilot: Pilot[Any], theme: str, screen: list[list[Segment]] | None = None
) -> list[str]:
    """The article pane (takeaway numbers, links, the analysis panel) and the Related
    sidebar (its Same story / Related headings, the sources)."""
    app = pilot.app
    screen = painted(pilot) if screen is None else screen
    problems: list[str] = []
    for name in ("#article", "RelatedSidebar"):
        for widget in app.query(name):
            if widget.display and widget.region:
                problems += low_contrast(screen, widget.region, f"{theme}, {name}")
    return problems


#: The themes the app offers (any of Textual's, chosen from the palette or the config),
#: but for the ANSI ones.
THEMES = [name for name in BUILTIN_THEMES if not name.startswith("ansi-")]


#: The themes in a few groups, each checked in one app run (an app start costs far
#: more than a theme switch); xdist spreads the groups over its workers.
GROUPS = 3


@pytest.mark.first  # (long: handed out first, see tests/conftest.py)
@pytest.mark.parametrize("group", range(GROUPS))
async def test_every_text_of_the_list_pane_reaches_aa(
    make_app: Any, library_path: Path, group: int
) -> None:
    app = make_app(library_path)
    problems: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("j", "m", "j", "s", "k")  # row 1 read, row 2 starred; cursor on 1
        app.status_text = "Refreshing 1/3 feeds · 2 new"
        rows = app.query_one(ArticleList)
        for theme in THEMES[group::GROUPS]:
            assert theme in app.available_themes
            app.theme = theme
            rows.focus()
            rows.density = "comfortable"
            rows.cursor = 1
            await settle(pilot)
            assert rows.has_focus and rows.cursor == 1
            assert rows.current is not None and rows.current.read
            starred = rows.row_at(2)
            assert starred is not None and starred.starred
            screen = painted(pilot)  # one painting for both checks of this state
            problems += list_pane_problems(pilot, f"{theme}, cursor on a read row", screen)
            problems += reading_panes_problems(pilot, theme, screen)
            app.query_one("#article").focus()
            await settle(pilot)
            problems += list_pane_problems(pilot, f"{theme}, list not focused")
            rows.focus()
            rows.density = "compact"
            rows.cursor = 2
            await settle(pilot)
            problems += list_pane_problems(pilot, f"{theme}, compact, cursor on a starred row")
    assert not problems, f"{len(problems)} texts below {AA}:1:\n" + "\n".join(problems)


def test_the_themes_checked_include_the_light_and_dark_defaults() -> None:
    assert {"textual-dark", "textual-light"} <= set(THEMES)
    assert len(THEMES) >= 10
