"""Feeds in the app: r (refresh), a (add), the feeds screen, F (full text), and
"Same story" in the sidebar and the list.

Every feed and page is served by a real HTTP server on 127.0.0.1 (tests/fetchserver.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fetchserver import FetchServer
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from tui_helpers import make_article, screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.dialogs import AddFeedScreen
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)
RELATED_DATA = Path(__file__).resolve().parent.parent / "data" / "related" / "part-a"


def rss(title: str, items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>https://site.example/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{t} happened today in the harbour district. Officials "
        f"said the work would continue for three weeks.</p>]]></description></item>"
        for t, guid in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://site.example/</link><description>d</description>{body}</channel></rss>"
    ).encode()


PAGE = (
    "<html><head><title>Bridge reopens</title></head><body>"
    "<nav>Home | World | Sport</nav><article><h1>Bridge reopens</h1>"
    + "".join(
        f"<p>Paragraph {n}: the harbour bridge reopened to traffic on Tuesday after three "
        f"weeks of repairs, and the council said the coast road would follow soon.</p>"
        for n in range(1, 12)
    )
    + "</article><footer>Sign up for our newsletter</footer></body></html>"
).encode()


@pytest.fixture
def server() -> Iterator[FetchServer]:
    with FetchServer() as srv:
        srv.add(
            "/alpha.xml",
            rss("Alpha News", [("Bridge reopens", "a1"), ("Ferry delayed", "a2")]),
            content_type="application/rss+xml",
        )
        srv.add(
            "/beta.xml",
            rss("Beta Times", [("Tram strike ends", "b1"), ("Harbour fair opens", "b2")]),
            content_type="application/rss+xml",
        )
        srv.add("/broken.xml", b"oops", status=500, content_type="text/plain")
        srv.add("/story", PAGE, content_type="text/html; charset=utf-8")
        yield srv


@pytest.fixture
def feeds_app(
    tmp_path: Path, server: FetchServer, make_app: MakeApp
) -> Callable[..., BriefReaderApp]:
    """An app over an empty library subscribed to alpha, beta (tag "local") and broken."""

    def factory() -> BriefReaderApp:
        path = tmp_path / "feeds.sqlite3"
        with Library(path) as library:
            library.add_feed(server.url("/alpha.xml"), tags=["local"])
            library.add_feed(server.url("/beta.xml"), tags=["local"])
            library.add_feed(server.url("/broken.xml"))
        app = make_app(path)
        app.PARSE_WORKERS = 1  # type: ignore[misc]
        app.LIST_UPDATE_DELAY = 0.05  # type: ignore[misc]
        return app

    return factory


async def on_the_feeds_screen(pilot: Pilot[Any], title: str) -> FeedsScreen:
    """F2, its cursor on the feed called ``title``."""
    await pilot.press("f2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FeedsScreen)
    feed = next(f for f in screen.feeds if f.title == title)
    screen.query_one(DataTable).move_cursor(row=screen._keys.index(f"feed:{feed.id}"))
    return screen


def toasts(app: BriefReaderApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def table_text(screen: FeedsScreen) -> str:
    table = screen.query_one(DataTable)
    return "\n".join(
        " | ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)
    )


async def test_r_with_no_feeds_says_how_to_add_one(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "press a to subscribe" in screen_text(app).lower()
        await pilot.press("r")
        await settle(pilot)
        assert "No feeds yet: press a to add one" in toasts(app)


async def test_r_refreshes_every_feed_and_the_failure_is_on_the_feeds_screen(
    feeds_app: Callable[..., BriefReaderApp],
) -> None:
    app = feeds_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert len(app.article_list) == 0
        await pilot.press("r")
        await settle(pilot)
        assert len(app.article_list) == 4
        text = screen_text(app)
        assert "Bridge reopens" in text and "Tram strike ends" in text
        summary = toasts(app)
        assert "2 of 3 feeds refreshed, 1 failed: 4 new articles" in summary
        assert "1 failed" in summary and "f2 for the feeds" in summary
        assert app.status_text == ""  # the progress line is gone
        # The feeds screen: status and the last error in full.
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        rows = table_text(screen)
        assert "Alpha News | ok" in rows and "Beta Times | ok" in rows
        assert "broken.xml | error" in rows
        assert "# local | 2 feeds" in rows
        broken = next(i for i, key in enumerate(screen._keys) if key == screen._keys[-1])
        screen.query_one(DataTable).move_cursor(row=broken)
        await settle(pilot)
        detail = str(screen.query_one("#feed-detail").render())
        assert "Last error:" in detail and "500" in detail
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, FeedsScreen)


async def test_refresh_keeps_the_cursor_on_the_same_article(
    feeds_app: Callable[..., BriefReaderApp], server: FetchServer
) -> None:
    app = feeds_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("G")
        before = app.current.id if app.current else None
        server.add(
            "/alpha.xml",
            rss("Alpha News", [("Bridge reopens", "a1"), ("Ferry delayed", "a2"), ("New", "a3")]),
            content_type="application/rss+xml",
        )
        await pilot.press("r")
        await settle(pilot)
        assert len(app.article_list) == 5
        assert app.article_list.current is not None
        assert app.article_list.current.id == before


async def test_a_subscribes_to_a_feed(
    empty_library_path: Path, make_app: MakeApp, server: FetchServer
) -> None:
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AddFeedScreen)
        app.screen.query_one(Input).value = server.url("/alpha.xml")
        await pilot.press("enter")
        await settle(pilot)
        assert "Subscribed to Alpha News: 2 articles." in toasts(app)
        assert len(app.article_list) == 2
        assert "Ferry delayed" in screen_text(app)
        # A wrong address: the one-line error, nothing added.
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one(Input).value = server.url("/broken.xml")
        await pilot.press("enter")
        await settle(pilot)
        # The dialog again, with the address as typed and why it failed.
        assert isinstance(app.screen, AddFeedScreen)
        assert app.screen.query_one(Input).value == server.url("/broken.xml")
        assert "500" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        with Library(empty_library_path) as library:
            assert [f.title for f in library.feeds()] == ["Alpha News"]


async def test_feeds_screen_filters_by_feed_and_tag_and_removes(
    feeds_app: Callable[..., BriefReaderApp],
) -> None:
    app = feeds_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        table = screen.query_one(DataTable)
        # Enter on a feed: only its articles, named in the list's border title.
        table.move_cursor(row=screen._keys.index(f"feed:{screen.feeds[1].id}"))
        name = screen.feeds[1].title
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, FeedsScreen)
        assert len(app.article_list) == 2
        assert f"{name} (2 unread)" in screen_text(app)
        # f combines with it.
        await pilot.press("enter")  # read one
        await pilot.press("escape")
        await pilot.press("f")
        await settle(pilot)
        assert app.filter == "unread" and len(app.article_list) == 1
        await pilot.press("f", "f")
        await settle(pilot)
        # esc clears the feed filter.
        await pilot.press("escape")
        await settle(pilot)
        assert app.scope is None and len(app.article_list) == 4
        # A tag: every feed with it.
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        screen.query_one(DataTable).move_cursor(row=screen._keys.index("tag:local"))
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.article_list) == 4
        assert "# local (3 unread)" in screen_text(app)
        # d removes a feed (after the question); its articles go.
        feeds = await on_the_feeds_screen(pilot, "Alpha News")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("n")  # no: nothing happens
        await settle(pilot)
        assert len(feeds.feeds) == 3
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "Removed Alpha News and 2 articles." in toasts(app)
        assert [f.title for f in feeds.feeds if f.title] == ["Beta Times"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.article_list) == 2


async def test_z_after_a_feed_is_removed_undoes_nothing_older(
    feeds_app: Callable[..., BriefReaderApp],
) -> None:
    """A newcomer's trial: after removing a feed, z said "Marked 2 articles unread
    again.", undoing a mark-all from minutes before, unasked.  A feed's removal cannot
    be undone, and nothing before it is undone past it."""
    app = feeds_app()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("M")  # mark all read: z could undo it
        await settle(pilot)
        assert app.unread_count == 0
        await on_the_feeds_screen(pilot, "Alpha News")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "Removed Alpha News and 2 articles." in toasts(app)
        assert "to undo" not in toasts(app)  # the mark-all's offer is withdrawn
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert list(app._notifications)[-1].message == "Nothing to undo."
        assert app.unread_count == 0


async def test_search_stays_within_the_chosen_feed(
    feeds_app: Callable[..., BriefReaderApp],
) -> None:
    app = feeds_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("slash", *"harbour")
        await settle(pilot)
        assert len(app.article_list) == 4  # every item mentions the harbour
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        beta = next(f for f in screen.feeds if f.title == "Beta Times")
        screen.query_one(DataTable).move_cursor(row=screen._keys.index(f"feed:{beta.id}"))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("slash", *"harbour")
        await settle(pilot)
        rows = [app.article_list.row_at(i) for i in range(len(app.article_list))]
        titles = {r.title for r in rows if r is not None}
        assert titles == {"Tram strike ends", "Harbour fair opens"}


async def test_F_fetches_the_full_text_and_keeps_it(
    tmp_path: Path, make_app: MakeApp, server: FetchServer
) -> None:
    path = tmp_path / "full.sqlite3"
    with Library(path) as library:
        library.store(
            [
                make_article(0, url=server.url("/story"), body="Only a teaser."),
                make_article(1, url=server.url("/missing"), body="Another teaser."),
            ]
        )
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "Only a teaser." in app.article_view.text
        await pilot.press("F")
        await settle(pilot)
        shown = app.article_view.text
        assert "Paragraph 7" in shown and "full text" in shown
        assert "Only a teaser." not in shown
        with Library(path) as library:
            assert "Paragraph 7" in (library.full_text("art000") or "")
        # A 404: says why, keeps the teaser.
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        assert "Another teaser." in app.article_view.text
        assert "full text" not in app.article_view.text
        assert "404" in toasts(app)
        # Back to the first: the cached full text, no new request.
        hits = server.hits("/story")
        await pilot.press("k")
        await settle(pilot)
        assert "Paragraph 7" in app.article_view.text
        assert server.hits("/story") == hits


@pytest.fixture(scope="module")
def story_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The related evaluation set's part A, indexed and grouped into stories."""
    from briefreader.ingest import import_paths

    path = tmp_path_factory.mktemp("stories") / "stories.sqlite3"
    with Library(path) as library:
        report = import_paths(library, [str(p) for p in sorted(RELATED_DATA.glob("*.md"))])
        assert report.ok, report.errors
        library.index_related()
        library.update_stories()
    return path


def story_urls(story: str) -> list[str]:
    """The URLs (front matter) of the evaluation set's articles of one story."""
    urls = []
    for path in sorted(RELATED_DATA.glob(f"{story}--*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("url:"):
                urls.append(line.removeprefix("url:").strip())
                break
    return urls


def story_article(path: Path) -> str:
    with Library(path) as library:
        article = library.find("https://meridianwire.example/2026/11/10/halcyne-keswater-fab-fire")
        assert article is not None
        return article.id


async def test_same_story_first_in_the_sidebar_and_plus_n_in_the_list(
    story_library: Path, make_app: MakeApp
) -> None:
    app = make_app(story_library)
    art_id = story_article(story_library)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.show_article(art_id)
        await settle(pilot)
        entries = app.sidebar.entries
        assert entries and entries[0].same_story
        same = [e for e in entries if e.same_story]
        assert entries[: len(same)] == same  # "Same story" first, then "Related"
        with Library(story_library) as library:
            story = {a.id for u in story_urls("chip-plant-fire") if (a := library.find(u))}
        assert len(story) == 5
        assert {e.article_id for e in same} <= story
        text = screen_text(app)
        assert "SAME STORY" in text
        assert "+4" in text or "+3" in text
        # Numbers follow the display order.
        await pilot.press("1")
        await settle(pilot)
        assert app.current is not None and app.current.id == same[0].article_id


async def test_stories_are_grouped_in_the_background(tmp_path: Path, make_app: MakeApp) -> None:
    """An import leaves articles ungrouped: the app groups them and repaints "+N"."""
    from briefreader.ingest import import_paths

    path = tmp_path / "ungrouped.sqlite3"
    with Library(path) as library:
        import_paths(library, [str(p) for p in sorted(RELATED_DATA.glob("*.md"))])
        assert library.stories_pending() or library.related_pending()
    app = make_app(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        with Library(path) as library:
            assert library.stories_pending() == 0 and library.related_pending() == 0
        assert any(app.article_list.others(row) for _, row in app.article_list.iter_rows(0))
