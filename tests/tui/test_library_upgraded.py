"""The app left running while a newer briefreader upgraded the library: adding a
feed (or any other job that opens the file again) says so in plain words, "The
library was upgraded by a newer briefreader; restart the app.", not
"LibraryError: … (schema 14 > 13)"."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input
from tui_helpers import screen_text, settle

from briefreader.store import Library
from briefreader.store.schema import SCHEMA_VERSION
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.dialogs import AddFeedScreen

MakeApp = Callable[..., BriefReaderApp]


async def test_adding_a_feed_after_a_newer_briefreader_upgraded_the_library(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.add_feed("https://news.example/feed.xml")
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        # A newer briefreader, from another terminal, migrates the file.
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.commit()
        db.close()
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddFeedScreen)
        app.screen.query_one(Input).value = "http://127.0.0.1:9/feed.xml"
        await pilot.press("enter")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        # (the dialog wraps the line: its two halves)
        assert "Could not add it: The library was upgraded by a newer briefreader;" in text, text
        assert "restart the app." in text
        assert "LibraryError" not in text and f"> {SCHEMA_VERSION}" not in text
