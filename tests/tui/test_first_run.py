"""The app's first run loads the samples once; a user who deleted them never gets
them back unasked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


async def test_samples_load_on_the_first_run_only(tmp_path: Path, make_app: MakeApp) -> None:
    path = tmp_path / "lib.sqlite3"
    app = make_app(path, load_samples=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(app.article_list) >= 10
        await pilot.press("q")
    app._shutdown_libraries()
    with Library(path) as lib:
        assert lib.remove_samples() >= 10
    app = make_app(path, load_samples=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(app.article_list) == 0
    app._shutdown_libraries()
    with Library(path) as lib:
        assert lib.count() == 0


async def test_a_library_with_content_never_gets_samples(tmp_path: Path, make_app: MakeApp) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.add_feed("https://site.example/feed.xml")
    app = make_app(path, load_samples=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(app.article_list) == 0
    app._shutdown_libraries()
    with Library(path) as lib:
        assert lib.samples_offered() and lib.count() == 0
