"""The library keeps an article's lead image and enclosures (eager and lazily stored
items alike), reads old files without them, and remembers downloads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from briefreader.model import Article, Enclosure
from briefreader.sources.feed import parse_feed
from briefreader.store import Library
from briefreader.store.schema import MEDIA_SCHEMA, SCHEMA_VERSION

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Pod</title>
<link>https://pod.example/</link>
<item><title>Episode one</title><link>https://pod.example/1</link><guid>ep1</guid>
<description>&lt;p&gt;The first episode, about harbours.&lt;/p&gt;</description>
<media:thumbnail url="https://pod.example/1.jpg"/>
<enclosure url="https://pod.example/1.mp3" length="4096" type="audio/mpeg"/></item>
</channel></rss>"""


def test_eager_article_round_trip(tmp_path: Path) -> None:
    art = Article(
        id="a1",
        title="Comic",
        body="words",
        image_url="https://c.example/strip.png",
        image_alt="Two cats argue",
        enclosures=(Enclosure("https://c.example/a.ogg", "audio/ogg", 10, 5),),
    )
    with Library(tmp_path / "lib.db") as lib:
        lib.store([art])
        got = lib.get("a1")
    assert got is not None
    assert (got.image_url, got.image_alt, got.enclosures) == (
        art.image_url,
        art.image_alt,
        art.enclosures,
    )


def test_lazy_feed_item_keeps_its_media_and_restores_once(tmp_path: Path) -> None:
    parsed = parse_feed(FEED, url="https://pod.example/feed", lazy=True)
    with Library(tmp_path / "lib.db") as lib:
        first = lib.store(parsed.items)
        again = lib.store(parse_feed(FEED, url="https://pod.example/feed", lazy=True).items)
        (got,) = lib.articles()
    assert first.added == 1 and again.unchanged == 1
    assert got.image_url == "https://pod.example/1.jpg"
    assert got.enclosures == (Enclosure("https://pod.example/1.mp3", "audio/mpeg", 4096, 0),)
    assert "harbours" in got.body


def test_old_file_read_only_has_no_media(tmp_path: Path) -> None:
    path = tmp_path / "lib.db"
    with Library(path) as lib:
        lib.store([Article(id="x", title="Old", body="b")])
    db = sqlite3.connect(path)
    for column in ("image_url", "image_alt", "enclosures"):
        db.execute(f"ALTER TABLE articles DROP COLUMN {column}")
    db.execute("DROP TABLE downloads")
    db.execute(f"PRAGMA user_version = {MEDIA_SCHEMA - 1}")
    db.commit()
    db.close()
    path.chmod(0o444)
    try:
        with Library(path, readonly=True) as lib:
            got = lib.get("x")
            assert got is not None and got.image_url == "" and got.enclosures == ()
            assert lib.download("https://x.example/a.mp3") is None
            assert lib.downloaded_article_ids() == set()
    finally:
        path.chmod(0o644)
    with Library(path) as lib:  # migrated when opened for writing
        assert lib.schema_version == SCHEMA_VERSION
        assert lib.get("x") is not None


def test_downloads_are_remembered(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.db") as lib:
        lib.record_download("https://p.example/1.mp3", "a1", "ep.mp3", 10, complete=False)
        lib.record_download("https://p.example/1.mp3", "a1", "ep.mp3", 20, complete=True)
        got = lib.download("https://p.example/1.mp3")
        assert got is not None and got.size == 20 and got.complete
        assert lib.downloaded_article_ids() == {"a1"}


def test_config_images_and_player(tmp_path: Path) -> None:
    from briefreader.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('images = "auto"\nplayer = ["mpv", "--no-video"]\n')
    result = load_config(path)
    assert result.problems == []
    assert result.config.images == "auto"
    assert result.config.player == ("mpv", "--no-video")
    path.write_text('images = "always"\nplayer = "mpv --no-video; rm -rf ~"\n')
    result = load_config(path)
    assert result.config.images == "off" and result.config.player == ()
    assert len(result.problems) == 2


def test_export_then_import_keeps_the_media(tmp_path: Path) -> None:
    from briefreader.cli import main

    art = Article(
        id="e1",
        title="Episode",
        body="b",
        url="https://p.example/1",
        image_url="https://p.example/i.png",
        image_alt="alt",
        enclosures=(Enclosure("https://p.example/1.mp3", "audio/mpeg", 10, 61),),
    )
    with Library(tmp_path / "a.sqlite3") as lib:
        lib.store([art])
    for fmt in ("json", "markdown"):
        out = tmp_path / fmt
        assert (
            main(
                [
                    "export",
                    "--format",
                    fmt,
                    "--out",
                    str(out),
                    "--library",
                    str(tmp_path / "a.sqlite3"),
                ]
            )
            == 0
        )
        target = tmp_path / f"{fmt}.sqlite3"
        assert main(["add", str(out), "--library", str(target)]) == 0
        with Library(target) as lib:
            got = lib.get("e1")
        assert got is not None
        assert (got.image_url, got.image_alt, got.enclosures) == (
            art.image_url,
            art.image_alt,
            art.enclosures,
        ), fmt
