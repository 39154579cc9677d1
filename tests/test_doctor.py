"""``briefreader doctor`` and the file's upkeep (store/upkeep.py): a healthy library
is checked and tidied; a damaged file or search index gives exit 1 and one line
naming the file; free pages go back to the disk after a large prune (new files), or
after ``doctor --vacuum`` (files made before)."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from testkit import run_cli

from briefreader.model import Article
from briefreader.store import Library
from briefreader.store.retention import Retention, prune
from briefreader.store.upkeep import check, space, tidy

FEED = "https://news.example/feed.xml"


def filled(path: Path, n: int = 400, *, words: int = 300) -> None:
    with Library(path) as lib:
        feed, _ = lib.add_feed(FEED)
        now = datetime.now(UTC)
        lib.store(
            [
                Article(
                    id=f"a{i}",
                    title=f"Harbour story {i}",
                    url=f"https://news.example/{i}",
                    published=now - timedelta(hours=i),
                    body=" ".join(f"word{(i * 7 + k) % 5000}" for k in range(words)),
                    origin=FEED,
                )
                for i in range(n)
            ],
            feed_id=feed.id,
        )


def checkpoint(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def test_doctor_on_a_healthy_library(tmp_path: Path) -> None:
    home = tmp_path / "home"
    filled(home / "library.sqlite3", 50)
    out = run_cli("doctor", home=home)
    assert out.returncode == 0, out.stderr
    assert "quick_check: ok" in out.stdout and "search index: ok" in out.stdout
    assert "50 articles (0 starred)" in out.stdout
    assert "schema" in out.stdout and "(current)" in out.stdout
    assert "free pages" in out.stdout and "auto_vacuum incremental" in out.stdout
    assert "tidied: statistics updated" in out.stdout
    full = run_cli("doctor", "--full", home=home)
    assert full.returncode == 0 and "integrity_check: ok" in full.stdout


def test_doctor_with_no_library_creates_none(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = run_cli("doctor", home=home)
    assert out.returncode == 0 and "nothing to check" in out.stderr
    assert not home.exists()


def test_doctor_finds_a_damaged_search_index_and_rebuilds_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path, 30)
    db = sqlite3.connect(path, isolation_level=None)
    # The index no longer matches the articles (a change made behind its trigger).
    db.execute("DROP TRIGGER articles_fts_update")
    db.execute("UPDATE articles SET body = 'zebra crossing' WHERE id = 'a3'")
    db.close()
    out = run_cli("doctor", home=home)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert str(path) in lines[0] and "search index" in lines[0]
    assert "--rebuild-search" in lines[0]
    out = run_cli("doctor", "--rebuild-search", home=home)
    assert out.returncode == 0, out.stderr
    assert "search index rebuilt" in out.stdout and "search index: ok" in out.stdout


def test_doctor_finds_a_damaged_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path, 300)
    checkpoint(path)
    size = path.stat().st_size
    with open(path, "r+b") as f:  # scribble over pages in the middle of the file
        for offset in range(size // 3, size // 3 + 16 * 4096, 4096):
            f.seek(offset)
            f.write(os.urandom(4096))
    out = run_cli("doctor", home=home)
    assert out.returncode == 1
    last = out.stderr.strip().splitlines()
    assert len(last) == 1 and str(path) in last[0] and "damaged" in last[0], out.stderr
    assert "backup" in last[0]
    # (reading commands go on where the damage lets them: export may rescue the articles)
    assert "`briefreader export` saves every article that can still be read" in last[0]


def test_doctor_on_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "library.sqlite3").write_bytes(b"not sqlite at all " * 500)
    out = run_cli("doctor", home=home)
    assert out.returncode == 1
    assert len(out.stderr.strip().splitlines()) == 1
    assert str(home / "library.sqlite3") in out.stderr


def test_free_pages_go_back_after_a_large_prune(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    filled(path, 600, words=600)
    with Library(path) as lib:
        assert space(lib._db).auto_vacuum == "incremental"
        prune(lib, Retention(keep_per_feed=20))
        checkpoint(path)
        before = path.stat().st_size
        free = space(lib._db).free_pages
        assert 300 < free < 2048
        assert tidy(lib._db).pages_freed == 0  # under VACUUM_MIN_PAGES: left for new articles
        done = tidy(lib._db, min_pages=200)
        assert done.pages_freed >= free * 0.9
        checkpoint(path)
        assert path.stat().st_size < before * 0.5
        assert check(lib._db).ok
        assert {h.id for h in lib.search("harbour")} <= {f"a{i}" for i in range(20)}


def test_a_file_made_before_keeps_its_pages_until_doctor_vacuum(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path, 600, words=600)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA auto_vacuum = NONE")
    db.execute("VACUUM")  # as every library made before schema 10
    db.close()
    with Library(path) as lib:
        prune(lib, Retention(keep_per_feed=20))
        assert tidy(lib._db, min_pages=200).pages_freed == 0
        assert space(lib._db).free_pages > 300
    checkpoint(path)
    before = path.stat().st_size
    out = run_cli("doctor", "--vacuum", home=home)
    assert out.returncode == 0, out.stderr
    assert "auto_vacuum incremental" in out.stdout
    assert path.stat().st_size < before * 0.5


def fts_bytes(lib: Library) -> int:
    return int(lib._db.execute("SELECT sum(length(block)) FROM articles_fts_data").fetchone()[0])


def test_a_full_merge_takes_pruned_articles_out_of_the_search_index(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.sqlite3") as lib:
        feed, _ = lib.add_feed(FEED)
        now = datetime.now(UTC)
        for day in range(60):  # sixty refreshes: segments on several levels
            lib.store(
                [
                    Article(
                        id=f"a{day}-{i}",
                        title=f"Harbour {day} {i}",
                        url=f"https://news.example/{day}/{i}",
                        published=now - timedelta(hours=1000 - day),
                        body=" ".join(f"word{(day * 97 + i * 7 + k) % 5000}" for k in range(200)),
                        origin=FEED,
                    )
                    for i in range(20)
                ],
                feed_id=feed.id,
            )
        prune(lib, Retention(keep_per_feed=100))
        tidy(lib._db)  # the everyday merge leaves most deleted entries where they are
        everyday = fts_bytes(lib)
        report = tidy(lib._db, full_merge=True)
        assert report.merge_rounds >= 1
        assert fts_bytes(lib) < everyday * 0.6  # the deleted entries are gone
        assert check(lib._db).ok
        assert len(lib.search("harbour", limit=500)) == 100


def test_after_refresh_merges_the_search_index_whole_once_a_week(tmp_path: Path) -> None:
    from briefreader.config import Config
    from briefreader.housekeeping import FULL_MERGE_EVERY, FULL_MERGE_KEY, after_refresh

    path = tmp_path / "lib.sqlite3"
    filled(path, 200, words=100)
    with Library(path) as lib:
        after_refresh(lib, Config(keep_per_feed=150), now=1_000_000.0)
        assert lib.meta(FULL_MERGE_KEY) == repr(1_000_000.0)
        after_refresh(lib, Config(keep_per_feed=100), now=1_000_000.0 + FULL_MERGE_EVERY / 2)
        assert lib.meta(FULL_MERGE_KEY) == repr(1_000_000.0)
        done = after_refresh(lib, Config(keep_per_feed=50), now=1_000_000.0 + FULL_MERGE_EVERY)
        assert lib.meta(FULL_MERGE_KEY) == repr(1_000_000.0 + FULL_MERGE_EVERY)
        assert done.pruned is not None and done.pruned.articles == 50
        assert lib.count() == 50
