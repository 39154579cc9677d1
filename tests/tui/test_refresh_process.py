"""The app's refresh runs in a process of its own (briefreader.refresh_child): what
the reader sees when that process is killed, and that quitting the app mid-refresh
stops it."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from fetchserver import FetchServer
from testkit import rss
from tui_helpers import settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


def toasts(app: BriefReaderApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def gone(pid: int) -> bool:
    """Whether ``pid`` has ended (and been reaped: no zombie left behind)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def until(condition: Callable[[], bool], seconds: float) -> bool:
    for _ in range(int(seconds / 0.05)):  # bounded
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


@pytest.fixture
def library(tmp_path: Path, slow_server: FetchServer) -> Path:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.add_feed(slow_server.url("/good.xml"))
        lib.add_feed(slow_server.url("/slow.xml"))
    return path


async def test_a_killed_refresh_says_so_keeps_what_it_stored_and_r_works_again(
    library: Path, slow_server: FetchServer, make_app: MakeApp
) -> None:
    app = make_app(library)
    app.LIST_UPDATE_DELAY = 0.05  # type: ignore[misc]
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        service = app.service
        assert await until(lambda: slow_server.hits("/slow.xml") > 0, 30)
        assert await until(lambda: len(app.article_list) == 1, 10), toasts(app)  # the good feed
        pid = service.refresh_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        assert await until(lambda: not app._refreshing, 10)
        await settle(pilot)
        said = toasts(app)
        assert "Refresh stopped" in said and "refresh process stopped" in said, said
        assert gone(pid)
        assert len(app.article_list) == 1  # what it had stored stays
        # The app goes on: another r starts a new refresh process.
        slow_server.add("/slow.xml", rss("Slow", "s1"), content_type="application/rss+xml")
        app.clear_notifications()
        await pilot.press("r")
        assert await until(lambda: not app._refreshing, 30)
        await settle(pilot)
        assert "2 feeds refreshed" in toasts(app), toasts(app)
        assert len(app.article_list) == 2


async def test_quitting_during_a_refresh_stops_its_process(
    library: Path, slow_server: FetchServer, make_app: MakeApp
) -> None:
    app = make_app(library)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        assert await until(lambda: slow_server.hits("/slow.xml") > 0, 30)
        pid = app.service.refresh_pid
        assert pid is not None and not gone(pid)
        await pilot.press("q")
    assert await until(lambda: gone(pid), 10)
