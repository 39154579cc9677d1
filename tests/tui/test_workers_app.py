"""The app's parse pool (spawned): a feed that answers a web page fails alone, and
the pool goes on working for the next ``r``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fetchserver import FetchServer
from testkit import PAGE, rss
from tui_helpers import settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


@pytest.fixture
def server() -> Iterator[FetchServer]:
    with FetchServer() as srv:
        srv.add("/page.html", PAGE, content_type="text/html; charset=utf-8")
        for i in range(4):
            # The good feeds answer after the page, so they reach the pool after it.
            srv.add(
                f"/good{i}.xml",
                rss(f"Good {i}", f"g{i}"),
                content_type="application/rss+xml",
                delay=0.3,
            )
        yield srv


def toasts(app: BriefReaderApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_r_with_a_web_page_for_a_feed_loads_every_other_feed(
    tmp_path: Path, server: FetchServer, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as library:
        library.add_feed(server.url("/page.html"))
        for i in range(4):
            library.add_feed(server.url(f"/good{i}.xml"))
    app = make_app(path)
    app.PARSE_WORKERS = 2  # type: ignore[misc]
    app.LIST_UPDATE_DELAY = 0.05  # type: ignore[misc]
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert len(app.article_list) == 4, toasts(app)
        assert "4 of 5 feeds refreshed, 1 failed: 4 new articles" in toasts(app)
        assert "1 failed" in toasts(app)
        with Library(path) as library:
            errors = {f.url.rsplit("/", 1)[-1]: f.last_error for f in library.feeds()}
        assert errors["page.html"] and "BrokenProcessPool" not in errors["page.html"]
        assert not any(e for name, e in errors.items() if name != "page.html"), errors
        # A second r still works: the pool is alive.
        server.add("/good0.xml", rss("Good 0", "g9"), content_type="application/rss+xml")
        app._notifications.clear()
        await pilot.press("r")
        await settle(pilot)
        assert "4 of 5 feeds refreshed, 1 failed: 1 new article." in toasts(app), toasts(app)
        assert len(app.article_list) == 5
