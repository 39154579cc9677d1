"""A way back from bulk changes (z undoes M), o marking read (a config choice), and the
list's orders (O cycles them, the config remembers), through Pilot and the library."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import screen_text, settle

from briefreader.config import SORTS, Config, load_config
from briefreader.store import Library
from briefreader.store.library import ORDERS
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)


def unread_ids(path: Path) -> set[str]:
    with Library(path) as library:
        return {row.id for row in library.rows("unread")}


def listed(app: BriefReaderApp) -> list[str]:
    return [row.id for _, row in app.article_list.iter_rows(0)]


async def test_z_undoes_mark_all_read_exactly(library_path: Path, make_app: MakeApp) -> None:
    with Library(library_path) as library:
        library.set_read("art003")  # read before: stays read after the undo
    before = unread_ids(library_path)
    assert len(before) == 7
    app = make_app(library_path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert unread_ids(library_path) == set()
        assert "z to undo" in screen_text(app)
        await pilot.press("z")
        await settle(pilot)
        assert unread_ids(library_path) == before
        assert app.unread_count == 7
        assert "Articles (7 unread)" in screen_text(app)
        row = app.article_list.row_at(1)
        assert row is not None and row.id == "art001" and not row.read
        # Nothing more to undo.
        await pilot.press("z")
        await settle(pilot)
        assert unread_ids(library_path) == before
        assert any("Nothing to undo" in str(n.message) for n in app._notifications)


async def test_z_undoes_the_last_change_first_delete_and_mark_all(
    library_path: Path, make_app: MakeApp
) -> None:
    """Each toast that offered an undo goes once its change is undone (it said "z to
    undo" for 5-8 s more); the other offer stays while it still holds."""
    app = make_app(library_path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("d")  # deletes art000
        await settle(pilot)
        await pilot.press("M")  # then marks the other seven read
        await settle(pilot)
        assert unread_ids(library_path) == set()
        shown = screen_text(app)
        assert "Deleted — z to undo" in shown and "read — z to undo" in shown
        await pilot.press("z")  # the mark-all first
        await settle(pilot)
        assert len(unread_ids(library_path)) == 7
        assert "art000" not in listed(app)
        shown = screen_text(app)
        assert "read — z to undo" not in shown and "unread again" in shown
        assert "Deleted — z to undo" in shown
        await pilot.press("z")  # then the delete
        await settle(pilot)
        assert "art000" in listed(app)
        assert len(unread_ids(library_path)) == 8
        shown = screen_text(app)
        assert "to undo" not in shown and "Restored" in shown


async def test_o_marks_the_article_read_unless_the_config_says_not(
    library_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://news.example/0"]
        assert "art000" not in unread_ids(library_path)
        assert app.unread_count == 7
    app = make_app(library_path, config=Config(open_marks_read=False))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("j", "o")
        await settle(pilot)
        assert opened[-1] == "https://news.example/1"
        assert "art001" in unread_ids(library_path)


async def test_o_leaves_the_article_unread_when_no_browser_opened_it(
    library_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (A user's trial: "Not opened … no web browser was found", and the article was
    # marked read all the same.)
    from briefreader.tui import share_menu

    def no_browser(url: str, **_: object) -> tuple[bool, str]:
        return False, f"Could not open {url}: no web browser was found"

    monkeypatch.setattr(share_menu, "open_in_browser", no_browser)
    app = make_app(library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert any("no web browser was found" in str(n.message) for n in app._notifications)
        assert "art000" in unread_ids(library_path)
        assert app.unread_count == 8


async def test_O_cycles_the_orders_shows_them_and_remembers_them(
    library_path: Path, make_app: MakeApp, config_path: Path
) -> None:
    with Library(library_path) as library:
        library.set_read("art000")
        library.set_read("art002")
    app = make_app(library_path)
    newest = [f"art{n:03d}" for n in range(8)]
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert listed(app) == newest
        await pilot.press("O")
        await settle(pilot)
        assert listed(app) == newest[::-1]
        assert "oldest first" in screen_text(app)
        assert load_config(config_path).config.sort == "oldest"
        await pilot.press("O")
        await settle(pilot)
        # By feed (the source's name, as the list shows it), newest first within one.
        kestrel, northgate = ["art001", "art003", "art005", "art007"], newest[::2]
        assert listed(app) == [*kestrel, *northgate]
        assert "by feed" in screen_text(app)
        await pilot.press("O")
        await settle(pilot)
        unread = ["art001", "art003", "art004", "art005", "art006", "art007"]
        assert listed(app) == [*unread, "art000", "art002"]
        assert "unread first" in screen_text(app)
        assert load_config(config_path).config.sort == "unread"
    # The next start opens in the order last chosen.
    app = make_app(library_path, config=load_config(config_path).config)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert listed(app)[-2:] == ["art000", "art002"]
        await pilot.press("O")
        await settle(pilot)
        assert listed(app) == newest
        assert load_config(config_path).config.sort == "newest"


def test_the_store_orders_match_the_config_and_apply_within_feeds(tmp_path: Path) -> None:
    from tui_helpers import sample_articles

    assert ORDERS == SORTS
    path = tmp_path / "lib.sqlite3"
    arts = sample_articles()
    with Library(path) as library:
        wire, _ = library.add_feed("https://feeds.example/wire.xml", title="Wire")
        library.store(arts[:4], feed_id=wire.id)
        library.store(arts[4:])
        library.set_read("art000")
        ids = {row.rowid: row.id for row in library.rows()}

        def order(*args: object) -> list[str]:
            return [ids[r] for r in library.row_ids(*args)]  # type: ignore[arg-type]

        assert order("all", "oldest", [wire.id]) == ["art003", "art002", "art001", "art000"]
        assert order("all", "unread", [wire.id]) == ["art001", "art002", "art003", "art000"]
        assert order("all", "newest", [wire.id]) == ["art000", "art001", "art002", "art003"]
        assert order("unread", "oldest") == [f"art{n:03d}" for n in range(7, 0, -1)]
        assert order("all", "feed", []) == []


def test_config_sort_and_open_marks_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('sort = "feed"\nopen_marks_read = false\n', encoding="utf-8")
    result = load_config(path)
    assert result.problems == []
    assert result.config.sort == "feed" and result.config.open_marks_read is False
    path.write_text('sort = "random"\nopen_marks_read = "yes"\n', encoding="utf-8")
    result = load_config(path)
    assert result.config == Config()
    assert any("sort must be one of newest, oldest, feed, unread" in p for p in result.problems)
    assert any("open_marks_read must be true or false" in p for p in result.problems)
