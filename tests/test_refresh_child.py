"""The app's refresh process (briefreader.refresh_child), without the app: each
feed's outcome arrives as it finishes, then the report; a refresh that cannot run
says why, naming the file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fetchserver import FetchServer
from testkit import rss

from briefreader.refresh_child import RefreshProcessError, refresh_in_child
from briefreader.store import Library


def test_each_feed_is_reported_as_it_finishes_then_the_report(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with FetchServer() as server:
        server.add("/a.xml", rss("Alpha", "a1"), content_type="application/rss+xml")
        server.add("/b.xml", b"<html>not a feed</html>", content_type="text/html")
        with Library(path) as library:
            a, _ = library.add_feed(server.url("/a.xml"))
            b, _ = library.add_feed(server.url("/b.xml"))
        seen: list[tuple[str, str, int, int]] = []
        pids: list[int] = []

        def progress(outcome: object, done: int, total: int) -> None:
            seen.append((outcome.url, outcome.status, done, total))  # type: ignore[attr-defined]

        report = asyncio.run(
            refresh_in_child(path, [a.id, b.id], workers=1, progress=progress, started=pids.append)
        )
    assert len(pids) == 1
    assert sorted((url.rsplit("/", 1)[-1], status) for url, status, _, _ in seen) == [
        ("a.xml", "new"),
        ("b.xml", "failed"),
    ]
    assert [(done, total) for *_, done, total in seen] == [(1, 2), (2, 2)]
    assert report.totals()["new_items"] == 1 and len(report.failed) == 1
    with Library(path) as library:
        assert [art.title for art in library.articles()] == ["Alpha story"]


def test_a_refresh_that_cannot_open_the_library_says_why(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a library\n" * 200)
    with pytest.raises(RefreshProcessError, match=r"notes\.txt"):
        asyncio.run(refresh_in_child(path, [1], workers=1))
    assert path.read_text() == "not a library\n" * 200  # untouched
