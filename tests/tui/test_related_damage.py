"""A library damaged only in its related index: the app keeps reading.  The Related
sidebar says why it is empty and the reader is told once what to do (doctor makes
the index again); moving on to other articles works as before."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static
from tui_helpers import screen_text, settle

from briefreader.tui.app import BriefReaderApp
from briefreader.tui.related_actions import RELATED_DAMAGED

MakeApp = Callable[..., BriefReaderApp]


def break_related_index(path: Path, table: str = "related_postings") -> None:
    """Overwrite the root page of ``table`` (the related index's postings)."""
    db = sqlite3.connect(path)
    query = "SELECT rootpage FROM sqlite_master WHERE name = ?"
    root = int(db.execute(query, (table,)).fetchone()[0])
    size = int(db.execute("PRAGMA page_size").fetchone()[0])
    db.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * size)


async def test_a_damaged_related_index_leaves_reading_alone(
    library_path: Path, make_app: MakeApp
) -> None:
    break_related_index(library_path)
    app = make_app(library_path)
    told: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        original = app.notify

        def notify(message: str, **kwargs: object) -> None:
            told.append(message)
            original(message, **kwargs)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        await settle(pilot)
        assert app.is_running and app.library_problem is None
        first = app.current
        assert first is not None
        empty = app.sidebar.query_one("#related-empty", Static)
        assert empty.display and str(empty.render()) == RELATED_DAMAGED
        for _ in range(3):
            await pilot.press("j")
            await settle(pilot)
        assert app.is_running and app.current is not None and app.current.id != first.id
        assert app.current.title in screen_text(app)
        damage = [m for m in told if "The related index is damaged" in m]
        assert len(damage) == 1 and "briefreader doctor --rebuild-related" in damage[0]
        assert "Related articles cannot be read" in screen_text(app)


async def test_damage_elsewhere_met_by_the_related_workers_still_quits(
    library_path: Path, make_app: MakeApp
) -> None:
    """The related workers read the articles too (and the index worker tidies the
    library): damage they meet while the related index itself is whole is elsewhere,
    and quits with one line, as any damage does."""
    app = make_app(library_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        # (as the worker's failure hands it over: the index's tables are whole here)
        app._related_index_damaged(sqlite3.DatabaseError("database disk image is malformed"))
        for _ in range(40):  # (bounded: the check, then the quit)
            await pilot.pause(0.05)
            if not app.is_running:
                break
    assert app.return_code == 1
    assert app.library_problem is not None and "damaged" in app.library_problem
