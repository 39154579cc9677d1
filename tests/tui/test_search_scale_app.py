"""Search as you type on a library where a word is common: the list holds the word's
newest matches and its title says about how many match (the ranking window made
small here, so that thirty articles show what a million would)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tui_helpers import screen_text, settle

from briefreader.model import Article, article_id
from briefreader.store import Library
from briefreader.store import search as S
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def stored(path: Path) -> Path:
    with Library(path) as library:
        for n in range(30):  # one at a time: rowid order is arrival order
            library.store(
                [
                    Article(
                        id=article_id(url=f"https://news.example/{n}"),
                        title=f"Report number {n}",
                        url=f"https://news.example/{n}",
                        source="Ledger",
                        published=T0 + timedelta(hours=n),
                        body=f"The harbour report {n}." + (" Kobamar." if n == 3 else ""),
                    )
                ]
            )
        library.index_related()
    return path


async def test_a_common_word_shows_its_newest_matches_and_about_how_many(
    tmp_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(S, "TYPING_WINDOW", 10)
    app = make_app(stored(tmp_path / "lib.sqlite3"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"harbour")
        await settle(pilot)
        rows = [app.article_list.row_at(i) for i in range(len(app.article_list))]
        assert [r.title for r in rows if r] == [f"Report number {n}" for n in range(29, 19, -1)]
        assert "10 of about 30 found" in screen_text(app)
        # A rare word: every match, counted exactly.
        await pilot.press(*["backspace"] * 7, *"kobamar")
        await settle(pilot)
        assert len(app.article_list) == 1
        assert "1 found" in screen_text(app)
        assert "about" not in screen_text(app)
