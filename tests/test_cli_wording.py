"""What the command line says about counts and feeds: singular for one ("1 article",
"1 feed", never "1 articles" or "feed(s)"); a feed never fetched is ``[new]`` and
"never fetched" (not ``[ok]``); a failing feed's last attempt and last success are
each named (F2 tells the same)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from testkit import run_cli

from briefreader.model import Article
from briefreader.store import Library
from briefreader.wording import counted

FEED = "https://news.example/feed.xml"


def one_article(home: Path) -> None:
    with Library(home / "library.sqlite3") as lib:
        feed, _ = lib.add_feed(FEED)
        lib.store(
            [
                Article(
                    id="only",
                    title="The only story",
                    url="https://news.example/1",
                    published=datetime(2026, 11, 1, tzinfo=UTC),
                    body="Harbour works continue.",
                    origin=FEED,
                )
            ],
            feed_id=feed.id,
        )
        lib.store(
            [
                Article(
                    id=f"more-{i}",
                    title=f"Story {i}",
                    url=f"https://news.example/m{i}",
                    published=datetime(2026, 11, 2 + i, tzinfo=UTC),
                    body="Harbour works continue.",
                    origin=FEED,
                )
                for i in range(3)
            ],
            feed_id=feed.id,
        )


def test_counted() -> None:
    assert counted(1, "article") == "1 article"
    assert counted(0, "feed") == "0 feeds"
    assert counted(1204, "item") == "1,204 items"
    assert counted(2, "entry") == "2 entries"


def test_one_is_singular_everywhere(tmp_path: Path) -> None:
    home = tmp_path / "home"
    one_article(home)
    out = run_cli("prune", "--dry-run", "--keep-per-feed", "3", home=home, check=True)
    assert "1 article would go from 1 feed " in out.stderr, out.stderr
    assert f"{FEED}: 1 article (about" in out.stdout
    out = run_cli("doctor", home=home, check=True)
    assert "4 articles (0 starred), 1 feed, 0 tombstones" in out.stdout, out.stdout
    assert "feed(s)" not in out.stdout
    listed = run_cli("feeds", home=home, check=True).stdout
    assert "4 items" in listed
    run_cli("prune", "--keep-per-feed", "3", home=home, check=True)
    out = run_cli("doctor", home=home, check=True)
    assert "3 articles (0 starred), 1 feed, 1 tombstone" in out.stdout, out.stdout


def test_export_of_one_article(tmp_path: Path) -> None:
    home = tmp_path / "home"
    one_article(home)
    with Library(home / "library.sqlite3") as lib:
        for i in range(3):
            lib.delete(f"more-{i}")
    out = run_cli("export", home=home, check=True)
    assert "exported 1 article" in out.stderr and "1 articles" not in out.stderr


def test_imported_feeds_are_new_and_a_failing_feed_names_both_times(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    urls = tmp_path / "urls"
    urls.write_text(f"{FEED}\n", encoding="utf-8")
    out = run_cli("import", str(urls), home=home, check=True)
    assert "1 feed in" in out.stderr, out.stderr
    listed = run_cli("feeds", home=home, check=True).stdout
    assert "[new]" in listed and "[ok]" not in listed, listed
    assert "never fetched · 0 items · 0 unread" in listed
    with Library(home / "library.sqlite3") as lib:
        feed = lib.feed(FEED)
        assert feed is not None
        lib.record_fetch(feed.id, ok=False, status=404, error="HTTP 404 Not Found")
    listed = run_cli("feeds", home=home, check=True).stdout
    assert "[ERROR]" in listed and "last tried 20" in listed, listed
    assert "last worked never" in listed and "    fetched 20" not in listed
    with Library(home / "library.sqlite3") as lib:
        lib.record_fetch(feed.id, ok=True, status=200)
    listed = run_cli("feeds", home=home, check=True).stdout
    assert "[ok]" in listed and "    fetched 20" in listed and "last tried" not in listed
