"""A library the user cannot write (a 0444 file, a read-only folder or disk): the
app opens it read-only, says so once, and every action that would write says in one
line that it cannot be saved.

Tests run as root, which ignores file modes: the app is opened with
``readonly=True``, and the decision itself is tested with ``os.access`` faked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import sample_articles, settle

from briefreader.store import Library, opens_read_only
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.messages import FullTextReady
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)
FEED = "https://feeds.example/wire.xml"


def toasts(app: BriefReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _no_writing(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """``os.access`` says nothing under ``denied`` can be written (as for a user
    without the right, or on a read-only disk), whoever runs the test."""
    real = os.access

    def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(str(path)).resolve().is_relative_to(denied.resolve()):
            return False
        return real(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)  # what store.schema.writable asks


def test_the_decision_to_open_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    path = folder / "lib.sqlite3"
    assert not opens_read_only(path)  # no file yet: it is made, not opened
    with Library(path) as lib:
        lib.store(sample_articles()[:1])
    assert not opens_read_only(path)  # ours to write
    _no_writing(monkeypatch, path)  # the file cannot be written
    assert opens_read_only(path)
    monkeypatch.undo()
    _no_writing(monkeypatch, folder)  # nor the folder its -wal and -shm files go in
    assert opens_read_only(path)


async def test_the_app_opens_a_library_it_cannot_write_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_app: MakeApp
) -> None:
    """It used to refuse to start ("the library is read-only … reading commands still work")."""
    path = tmp_path / "lib" / "lib.sqlite3"
    with Library(path) as lib:
        lib.store(sample_articles())
    _no_writing(monkeypatch, path.parent)
    app = make_app(path)
    assert app.library.readonly
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        assert len(app.article_list) == 8
        assert "Read-only library: marks, stars and deletes are not saved." in toasts(app)


async def test_every_writing_action_on_a_read_only_library_says_it_cannot_be_saved(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        feed, _ = lib.add_feed(FEED, title="Wire")
        lib.store(sample_articles(), feed_id=feed.id, index=False)  # left for the app
        before = {r.id: (r.read, r.starred) for r in lib.rows()}
    app = make_app(path, readonly=True)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        assert "Read-only library: marks, stars and deletes are not saved." in toasts(app)
        assert app.current is not None
        shown = app.current.id
        for key, what in (
            ("s", "stars"),
            ("m", "read marks"),
            ("M", "read marks"),
            ("d", "deletes"),
            ("r", "refreshed feeds"),
            ("a", "new feeds"),
        ):
            app.clear_notifications()
            await pilot.press(key)
            await settle(pilot)
            assert toasts(app) == [f"Read-only library: {what} cannot be saved."], key
            assert app.screen is app.screen_stack[0], key  # no dialog opened
        # Reading an article (enter, n) marks nothing and breaks nothing.
        await pilot.press("enter", "n")
        await settle(pilot)
        assert len(app.article_list) == 8 and shown in [
            r.id for _, r in app.article_list.iter_rows(0)
        ]
        # The full text is shown, not cached.
        app.clear_notifications()
        assert app.current is not None
        shown = app.current.id
        app.post_message(FullTextReady(shown, "The whole story, fetched.", ""))
        await settle(pilot)
        assert toasts(app) == ["Read-only library: the full text (shown now) cannot be saved."]
        assert app.article_view.full_text
        # The feeds screen: removing a feed asks nothing and removes nothing.
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        await pilot.press("j", "d")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        assert "Read-only library: removing a feed cannot be saved." in toasts(app)
        app.remove_feed(FEED, "Wire")
        await settle(pilot)
        # Nothing failed, nothing was indexed or fetched in the background.
        assert app.library_problem is None and app.return_code is None
        assert app._service is None
    app._shutdown_libraries()
    with Library(path) as lib:
        assert {r.id: (r.read, r.starred) for r in lib.rows()} == before
        assert lib.full_text(shown) is None
        assert [f.url for f in lib.feeds()] == [FEED]
        assert lib.related_pending() == 8
