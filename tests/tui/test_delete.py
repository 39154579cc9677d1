"""Deleting an article in the app (d), and undoing it (z), through Pilot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import sample_articles, screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)
FEED = "https://feeds.example/wire.xml"


def listed(app: BriefReaderApp) -> list[str]:
    return [row.id for _, row in app.article_list.iter_rows(0)]


async def test_d_deletes_the_article_and_z_brings_it_back(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    arts = sample_articles()
    with Library(path) as lib:
        feed, _ = lib.add_feed(FEED, title="Wire")
        lib.store([a for a in arts if a.id != "art001"])
        lib.store([arts[1]], feed_id=feed.id)  # a feed item: deleting it leaves a tombstone
        lib.set_read("art001")
        lib.set_starred("art001")
        lib.set_full_text("art001", "The whole story, fetched once.")
        before = lib.get("art001")
        before_state = lib.state("art001")
    app = make_app(path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert app.current is not None and app.current.id == "art001"
        await pilot.press("d")
        await settle(pilot)
        with Library(path) as lib:
            assert lib.get("art001") is None
            assert lib.is_deleted("art001")  # a refresh will not bring it back
        assert "art001" not in listed(app)
        assert len(app.article_list) == 7
        # The article below takes its place; the toast says how to undo.
        assert app.current is not None and app.current.id == "art002"
        assert app.article_list.cursor == 1
        text = screen_text(app)
        assert "Deleted" in text and "z to undo" in text
        assert "Articles (7 unread)" in text  # it was read: the count is unchanged

        await pilot.press("z")
        await settle(pilot)
        with Library(path) as lib:
            assert lib.get("art001") == before
            assert lib.state("art001") == before_state  # the same times, not "now"
            assert not lib.is_deleted("art001")
            in_feed = lib.rows_by_rowid(lib.row_ids_for_feeds("all", [feed.id]))
            assert [r.id for r in in_feed] == ["art001"]
            assert lib.full_text("art001") == "The whole story, fetched once."
        assert listed(app)[1] == "art001"
        assert app.current is not None and app.current.id == "art001"
        assert "Story number 1 about chip export quotas" in screen_text(app)

        # An unread article: the unread count goes down; nothing left to undo says so.
        await pilot.press("g", "delete")
        await settle(pilot)
        assert "art000" not in listed(app)
        assert "Articles (6 unread)" in screen_text(app)
        await pilot.press("z")
        await settle(pilot)
        assert listed(app)[0] == "art000"
        assert "Articles (7 unread)" in screen_text(app)
        await pilot.press("z")
        await settle(pilot)
        assert "Nothing to undo" in screen_text(app)
        with Library(path) as lib:
            assert lib.count() == 8


async def test_deleting_the_last_article_leaves_an_empty_list(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store(sample_articles()[:1])
    app = make_app(path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert len(app.article_list) == 0
        assert app.current is None
        await pilot.press("d")  # nothing to delete: no error
        await settle(pilot)
        assert "No article" in screen_text(app)


async def test_undoing_the_delete_of_a_sample_puts_back_a_sample(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """The first run's samples: d then z gives the same 16 samples, not one real article
    (a restored "real" article used to make the other samples give way)."""
    path = tmp_path / "lib.sqlite3"
    app = make_app(path, load_samples=True)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        with Library(path) as lib:
            samples = lib.sample_count()
            assert samples >= 10 and lib.count() == samples
        first = app.current
        assert first is not None
        await pilot.press("d")
        await settle(pilot)
        with Library(path) as lib:
            assert lib.count() == samples - 1 and lib.sample_count() == samples - 1
        await pilot.press("z")
        await settle(pilot)
        with Library(path) as lib:
            assert lib.count() == samples
            assert lib.sample_count() == samples
            assert lib.is_sample(first.id)
        assert len(app.article_list) == samples
        assert app.current is not None and app.current.id == first.id


async def test_undoing_a_delete_never_makes_samples_give_way(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A sample left (starred when a real article came, then unstarred) stays when the
    real article is deleted and the delete undone."""
    path = tmp_path / "lib.sqlite3"
    real = sample_articles()[0]
    sample = sample_articles()[1].with_changes(id="sample1", url="")
    with Library(path) as lib:
        lib.store([sample], sample=True)
        lib.set_starred("sample1")
        lib.store([real])  # the samples give way, but a starred one stays
        lib.set_starred("sample1", False)
        assert lib.count() == 2
    app = make_app(path)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        assert app.current is not None and app.current.id == real.id
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        with Library(path) as lib:
            assert lib.get("sample1") is not None and lib.is_sample("sample1")
            assert lib.get(real.id) is not None and not lib.is_sample(real.id)
            assert lib.count() == 2
