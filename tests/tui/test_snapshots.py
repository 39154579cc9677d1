"""Snapshots of the reading app (pytest-textual-snapshot).

Update after a deliberate change with ``pytest tests/tui --snapshot-update`` and
look at every changed SVG before committing.  Time is fixed (``NOW``), the data is
fixed (the bundled samples, or the test articles), cursor blink is off.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from tui_helpers import FIXED_NOW, settle

from briefreader.config import Config
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]
SAMPLE_TITLE = "New Export Rule Puts a Ceiling"


async def open_sample_brief(pilot: Pilot[Any]) -> None:
    """Move to the accelerator-export sample (takeaways, analysis, related links), read it."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, BriefReaderApp)
    index = next(
        i for i, row in app.article_list.iter_rows(0) if row.title.startswith(SAMPLE_TITLE)
    )
    app.article_list.move_to(index)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_sample_brief_120x40(
    snap_compare: Any, sample_library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_library_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=open_sample_brief)


def test_sample_brief_80x24(
    snap_compare: Any, sample_library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_library_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_sample_brief)


def test_related_overlay_80x24(
    snap_compare: Any, sample_library_path: Path, make_app: MakeApp
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_sample_brief(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)

    app = make_app(sample_library_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_single_pane_50x20(snap_compare: Any, sample_library_path: Path, make_app: MakeApp) -> None:
    app = make_app(sample_library_path)
    assert snap_compare(app, terminal_size=(50, 20), run_before=open_sample_brief)


def test_light_theme(snap_compare: Any, sample_library_path: Path, make_app: MakeApp) -> None:
    app = make_app(sample_library_path, config=Config(theme="textual-light"))
    assert snap_compare(app, terminal_size=(120, 40), run_before=open_sample_brief)


def test_empty_state(snap_compare: Any, empty_library_path: Path, make_app: MakeApp) -> None:
    app = make_app(empty_library_path, load_samples=False)
    assert snap_compare(app, terminal_size=(100, 30), run_before=settle)


def test_help_screen(snap_compare: Any, sample_library_path: Path, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    # A fixed config path: the help names it, and a temporary one differs every run.
    app = BriefReaderApp(
        sample_library_path,
        config=Config(),
        config_path=Path("/home/reader/.config/briefreader/config.toml"),
        save_config=False,
        load_samples=False,
        clock=lambda: FIXED_NOW,
    )
    assert snap_compare(app, terminal_size=(100, 50), run_before=run_before)


def test_share_menu(snap_compare: Any, sample_library_path: Path, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_sample_brief(pilot)
        await pilot.press("S")
        await settle(pilot)

    app = make_app(sample_library_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_search_results(snap_compare: Any, sample_library_path: Path, make_app: MakeApp) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"strike")
        await settle(pilot)

    app = make_app(sample_library_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
