"""Retention in the app: the config's keep_per_feed applied after ``r`` (in the feed
service's background process), pruned items not coming back on the next ``r``, and
keep_days applied at start; starred articles stay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fetchserver import FetchServer
from tui_helpers import screen_text, settle

from briefreader.config import Config
from briefreader.model import Article
from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 30)


def rss(n: int) -> bytes:
    body = "".join(
        f"<item><title>Harbour story {i}</title><link>https://site.example/{i}</link>"
        f"<guid>g{i}</guid><pubDate>Tue, {10 + i:02d} Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>The harbour works, part {i}, continue for weeks.</description></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Harbour</title>'
        f"<link>https://site.example/</link><description>d</description>{body}</channel></rss>"
    ).encode()


@pytest.fixture
def server() -> Iterator[FetchServer]:
    with FetchServer() as srv:
        srv.add("/feed.xml", rss(6), content_type="application/rss+xml")
        yield srv


async def settled(pilot: object) -> None:
    for _ in range(3):  # the refresh, then the index worker's housekeeping, then the reload
        await settle(pilot)  # type: ignore[arg-type]


async def test_r_prunes_by_keep_per_feed_and_pruned_items_stay_away(
    tmp_path: Path, server: FetchServer, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.add_feed(server.url("/feed.xml"))
    app = make_app(path, config=Config(keep_per_feed=2))
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        await pilot.press("r")
        await settled(pilot)
        assert len(app.article_list) == 2
        text = screen_text(app)
        assert "Harbour story 5" in text and "Harbour story 4" in text
        assert "Harbour story 0" not in text
        await pilot.press("r")
        await settled(pilot)
        assert len(app.article_list) == 2
        assert "0 new articles" in "\n".join(str(n.message) for n in app._notifications)
        await pilot.press("j")  # the list still answers
        await settle(pilot)
        assert app.current is not None and app.current.title == "Harbour story 4"


async def test_keep_days_applies_at_start_and_starred_stay(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    now = datetime.now(UTC)
    with Library(path) as lib:
        feed, _ = lib.add_feed("https://news.example/feed.xml")
        lib.store(
            [
                Article(
                    id=f"a{i}",
                    title=f"Old story {i}" if i < 5 else f"New story {i}",
                    url=f"https://news.example/{i}",
                    published=now - timedelta(days=90 if i < 5 else 1),
                    body="The harbour works continue.",
                    origin="https://news.example/feed.xml",
                )
                for i in range(8)
            ],
            feed_id=feed.id,
        )
        lib._db.execute("UPDATE articles SET added_at = added_at - 60 * 86400")
        lib.set_starred("a0")
    app = make_app(path, config=Config(keep_days=30))
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        assert len(app.article_list) == 4  # three new, one old but starred
        text = screen_text(app)
        assert "Old story 0" in text and "Old story 1" not in text
    with Library(path) as lib:
        assert lib.count() == 4 and lib.count("starred") == 1


async def test_start_warns_about_a_rule_that_names_no_feed(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "lib.sqlite3"
    url = "https://news.example/feed5.xml"
    with Library(path) as lib:
        lib.add_feed(url)
    config = Config(keep_per_feed=2, feeds={url + "/": (None, 0)})
    app = make_app(path, config=config)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settle(pilot)
        # The toast wraps: its words, read off the screen with the layout taken out.
        words = " ".join(
            part
            for line in screen_text(app).splitlines()
            for part in line.rsplit("▌", 1)[-1].strip(" │").split()
        )
        assert f'[feeds."{url}/"]' in words and "matches no subscribed feed" in words, words
        assert f'did you mean "{url}"' in words


async def test_pruning_says_so_and_the_stories_plus_counts_follow(
    tmp_path: Path, make_app: MakeApp
) -> None:
    from tui_helpers import SAME_STORY_FACTS

    path = tmp_path / "lib.sqlite3"
    url = "https://news.example/feed.xml"
    now = datetime.now(UTC)
    with Library(path) as lib:
        feed, _ = lib.add_feed(url)
        lib.store(
            [
                Article(
                    id=f"s{i}",
                    title=f"Halvorsen caps exports, report {i}",
                    url=f"https://news.example/{i}",
                    published=now - timedelta(hours=i),
                    body=f"Report {i}. The export rule caps chip shipments. {SAME_STORY_FACTS}",
                    origin=url,
                    source=f"Wire {i}",
                )
                for i in range(10)
            ],
            feed_id=feed.id,
        )
        lib.index_related()
        lib.update_stories()
        assert lib.story_sizes(["s0"])["s0"].others == 9
    app = make_app(path, config=Config(keep_per_feed=3))
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settled(pilot)
        assert len(app.article_list) == 3
        text = screen_text(app)
        assert "7 old articles pruned (keep_per_feed = 3)" in text, text
        assert "+9" not in text and "+2" in text, text
