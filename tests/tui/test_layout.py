"""Layout at different terminal sizes: nothing cut mid-word, nothing overlapping."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey, FooterLabel
from tui_helpers import screen_text, settle

from briefreader.tui.app import BriefReaderApp
from briefreader.tui.widgets.footer import BriefFooter

MakeApp = Callable[..., BriefReaderApp]
AGE = re.compile(r"(now|\d+(m|h|d|w|mo|y))$")


@pytest.mark.parametrize("width", [40, 50, 60, 72, 80, 100, 120, 160])
async def test_the_footer_never_cuts_a_key(
    width: int, library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        footer = app.query_one(BriefFooter)
        used = sum(w.outer_size.width for w in footer.query(FooterKey)) + sum(
            w.outer_size.width for w in footer.query(FooterLabel)
        )
        assert used <= width
        shown = {key.action for key in footer.query(FooterKey)}
        assert "help" in shown and "quit" in shown


async def test_the_footer_is_rebuilt_only_when_its_keys_change(
    library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        footer = app.query_one(BriefFooter)
        keys = list(footer.query(FooterKey))
        app.screen.refresh_bindings()  # what every focus change does: the same keys apply
        await settle(pilot)
        assert list(footer.query(FooterKey)) == keys
        await pilot.press("tab")  # the article pane: up/down scroll it, j/k still move
        await settle(pilot)
        assert list(footer.query(FooterKey)) == keys
        await pilot.resize_terminal(60, 24)  # fewer keys fit
        await settle(pilot)
        narrow = list(footer.query(FooterKey))
        assert 0 < len(narrow) < len(keys)


@pytest.mark.parametrize("size", [(50, 20), (80, 24), (120, 40)])
async def test_list_rows_keep_their_age(
    size: tuple[int, int], library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        list_width = app.article_list.scrollable_content_region.width
        x0 = app.article_list.content_region.x
        lines = [
            line[x0 : x0 + list_width].rstrip()
            for line in screen_text(app).splitlines()[1 : 1 + app.article_list.size.height]
        ]
        # A row is two lines (title, source); under 40 columns the age sits on the
        # source line, to leave the title more room.
        rows = [(lines[i], lines[i + 1]) for i in range(0, len(lines) - 1, 2) if lines[i].strip()]
        assert rows, "no rows on screen"
        for title, source in rows:
            where = source if list_width < 40 else title
            assert AGE.search(where), (title, source)
            assert "…" in title or title.strip()  # long titles end in "…", not mid-word


async def test_panes_do_not_overlap(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        regions = [w.region for w in (app.query_one("#list-pane"), app.article_view, app.sidebar)]
        for i, a in enumerate(regions):
            assert a.width > 0
            for b in regions[i + 1 :]:
                assert not a.overlaps(b)
        assert sum(r.width for r in regions) == 120


async def test_a_cut_cjk_title_has_no_blank_before_its_ellipsis(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """Where a wide character did not fit, the list showed "過去最 …"."""
    from briefreader.model import Article
    from briefreader.store import Library

    path = tmp_path / "cjk.sqlite3"
    with Library(path) as library:
        for n, title in enumerate(
            (
                "東京の桜が満開に、観光客が過去最多を記録する見込み",
                "桜の名所に人が集まり、公園は夜まで賑わった",
            )
        ):
            library.store([Article(id=f"j{n}", title=title, body="本文。", source="ニュース")])
    for width in (80, 81, 100, 101):
        app = make_app(path)
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(pilot)
            rows = [
                line for line in screen_text(app).splitlines() if "東京" in line or "桜の" in line
            ]
            assert rows and all("…" in row for row in rows[:1]), rows
            assert not any(" …" in row for row in rows), (width, rows)
