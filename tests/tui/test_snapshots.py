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
from textual.widgets import DataTable
from tui_helpers import FIXED_NOW, make_article, settle

from briefreader.config import Config
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.feeds import FeedsScreen

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


RELATED_DATA = Path(__file__).resolve().parent.parent / "data" / "related" / "part-a"
FIRE_URL = "https://meridianwire.example/2026/11/10/halcyne-keswater-fab-fire"


def test_same_story_sidebar(snap_compare: Any, tmp_path: Path, make_app: MakeApp) -> None:
    """The sidebar's "Same story" group (with "also:" copies), then "Related"; "+N" in the list."""
    from briefreader.ingest import import_paths
    from briefreader.store import Library

    path = tmp_path / "stories.sqlite3"
    with Library(path) as library:
        import_paths(library, [str(p) for p in sorted(RELATED_DATA.glob("*.md"))])
        library.index_related()
        library.update_stories()
        article = library.find(FIRE_URL)
        assert article is not None
        fire = article.id

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, BriefReaderApp)
        index = next(i for i, row in app.article_list.iter_rows(0) if row.id == fire)
        app.article_list.move_to(index)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    app = make_app(path)
    assert snap_compare(app, terminal_size=(140, 44), run_before=run_before)


def test_feeds_screen(snap_compare: Any, tmp_path: Path, make_app: MakeApp) -> None:
    """Feeds with their status, tags and the highlighted feed's last error in full."""
    from briefreader.store import Library

    path = tmp_path / "feeds.sqlite3"
    with Library(path) as library:
        ok, _ = library.add_feed(
            "https://alpha.example/feed.xml", title="Alpha News", tags=["local"]
        )
        library.add_feed("https://beta.example/rss", title="Beta Times [bold]", tags=["local", "x"])
        bad, _ = library.add_feed("https://broken.example/feed.xml", tags=["x"])
        library.add_feed("https://gone.example/atom.xml", title="Gone Gazette")
        library.add_feed("https://new.example/feed.json", title="Not Yet Fetched")
        library.store([make_article(0, url="https://alpha.example/1")], feed_id=ok.id)
        library.record_fetch(ok.id, ok=True, status=200)
        library.record_fetch(bad.id, ok=False, status=500, error="HTTP 500 Internal Server Error")
        gone = library.feed("https://gone.example/atom.xml")
        assert gone is not None
        library.record_fetch(gone.id, ok=False, status=410, error="gone (HTTP 410)", dead=True)
        # Fixed fetch times (record_fetch uses the real clock).
        library._db.execute(
            "UPDATE feeds SET last_fetched = ?, last_ok = CASE WHEN last_ok IS NULL THEN NULL "
            "ELSE ? END WHERE last_fetched IS NOT NULL",
            (FIXED_NOW - 7200, FIXED_NOW - 7200),
        )

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        screen.query_one(DataTable).move_cursor(row=screen._keys.index(f"feed:{bad.id}"))
        await settle(pilot)

    app = make_app(path)
    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)
