"""Adding a feed (``a``), from a new user's trial: the toast says when the sample
briefs made way for the first feed and how to bring them back; an error opens the
dialog again with what was typed and why; an address typed without a scheme is
tried as https, then as http when https cannot connect (and the toast says so)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fetchserver import FetchServer
from textual.widgets import Input
from tui_helpers import screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.dialogs import AddFeedScreen

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Alpha News'
    b"</title><link>https://site.example/</link><description>d</description><item><title>"
    b"Bridge reopens</title><link>https://site.example/a1</link><guid>a1</guid><description>"
    b"The bridge reopened.</description></item></channel></rss>"
)


@pytest.fixture
def server() -> Iterator[FetchServer]:
    with FetchServer() as srv:
        srv.add("/alpha.xml", FEED, content_type="application/rss+xml")
        srv.add("/broken.xml", b"oops", status=500, content_type="text/plain")
        yield srv


def dialog_open(app: BriefReaderApp) -> bool:
    return isinstance(app.screen, AddFeedScreen)


def toasts(app: BriefReaderApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def add(pilot: object, app: BriefReaderApp, text: str) -> None:
    await pilot.press("a")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, AddFeedScreen)
    app.screen.query_one(Input).value = text
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_the_first_feed_says_the_samples_made_way_and_how_to_bring_them_back(
    sample_library_path: Path, make_app: MakeApp, server: FetchServer
) -> None:
    with Library(sample_library_path) as library:
        samples = library.sample_count()
    assert samples > 0
    app = make_app(sample_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await add(pilot, app, server.url("/alpha.xml"))
        said = toasts(app)
        assert "Subscribed to Alpha News: 1 article." in said
        assert f"The {samples} sample briefs made way for it" in said, said
        assert "briefreader add --samples brings them back" in said
        assert len(app.article_list) == 1


async def test_the_first_feed_shows_its_article_not_a_sample_that_made_way(
    sample_library_path: Path, make_app: MakeApp, server: FetchServer
) -> None:
    """The samples go and the feed's items come: the new items take the samples' row
    numbers (SQLite numbers new rows from the highest left), and the pane kept the
    sample that had been open, beside a list on the feed's first item."""
    items = "".join(
        f"<item><title>Harbour notice {i}</title><link>https://site.example/n{i}</link>"
        f"<guid>n{i}</guid><description>Notice {i} for the harbour.</description></item>"
        for i in range(40)
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Board</title>'
        f"<link>https://site.example/</link><description>d</description>{items}"
        "</channel></rss>"
    )
    server.add("/harbour.xml", feed.encode(), content_type="application/rss+xml")
    app = make_app(sample_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        sample = app.current
        assert sample is not None
        await add(pilot, app, server.url("/harbour.xml"))
        row = app.article_list.current
        assert row is not None and row.title.startswith("Harbour notice")
        assert app.current is not None and app.current.id == row.id
        text = screen_text(app)
        assert sample.title[:30] not in text and row.title in text, text


async def test_an_error_opens_the_dialog_again_with_the_typed_address(
    empty_library_path: Path, make_app: MakeApp, server: FetchServer
) -> None:
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await add(pilot, app, server.url("/broken.xml"))
        assert isinstance(app.screen, AddFeedScreen)
        assert app.screen.query_one(Input).value == server.url("/broken.xml")
        text = screen_text(app)
        assert "Could not add it: HTTP 500" in text, text
        # Emptied and entered: the dialog says there is nothing to add, not the old error.
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert isinstance(app.screen, AddFeedScreen)
        assert "Nothing to add yet: type the address of a feed." in text, text
        assert "HTTP 500" not in text
        # Corrected in place, it is added.
        app.screen.query_one(Input).value = server.url("/alpha.xml")
        await pilot.press("enter")
        await settle(pilot)
        assert not dialog_open(app)
        assert "Subscribed to Alpha News" in toasts(app)


async def test_enter_on_an_empty_dialog_says_there_is_nothing_to_add(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await add(pilot, app, "")
        assert isinstance(app.screen, AddFeedScreen)
        assert "Nothing to add yet: type the address of a feed." in screen_text(app)
        await pilot.press("enter")  # again: still one line
        await settle(pilot)
        assert screen_text(app).count("Nothing to add yet") == 1
        assert app.screen.focused is app.screen.query_one(Input)


async def test_words_that_are_not_an_address_are_told_so_without_a_fetch(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await add(pilot, app, "not a url")
        assert isinstance(app.screen, AddFeedScreen)
        text = screen_text(app)
        assert "Could not add it: that is not a web address (it has spaces)" in text, text
        assert "resolve" not in text
        assert app.screen.query_one(Input).value == "not a url"
    with Library(empty_library_path) as library:
        assert library.feeds() == []


async def test_an_address_without_a_scheme_falls_back_to_http(
    empty_library_path: Path, make_app: MakeApp, server: FetchServer
) -> None:
    typed = server.url("/alpha.xml").removeprefix("http://")
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await add(pilot, app, typed)
        said = toasts(app)
        assert "Subscribed to Alpha News: 1 article." in said, screen_text(app)
        assert "Over plain http: https did not connect." in said
    with Library(empty_library_path) as library:
        assert [f.url for f in library.feeds()] == ["http://" + typed]


async def test_a_plain_http_answer_s_error_comes_without_the_https_one(
    empty_library_path: Path, make_app: MakeApp, server: FetchServer
) -> None:
    """Typed without a scheme, https could not connect and http answered (an error of
    the feed's own): the https line ("TLS error: WRONG_VERSION_NUMBER") was noise."""
    typed = server.url("/broken.xml").removeprefix("http://")
    app = make_app(empty_library_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await add(pilot, app, typed)
        assert isinstance(app.screen, AddFeedScreen)
        text = " ".join(screen_text(app).split())
        assert "500" in text, text
        assert "over https" not in text and "TLS" not in text
