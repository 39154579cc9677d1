"""A library damaged only in an index made from the articles (the related index,
the search index) is told apart from one whose articles are damaged, and
``doctor --rebuild-related`` / ``--rebuild-search`` make the index again with
nothing lost: the same articles, read and star state, related lists and search
results as before the damage (store/repair.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from testkit import run_cli

from briefreader import cli_upkeep
from briefreader.model import Article
from briefreader.store import Library
from briefreader.store.repair import damaged_tables

TOPICS = [
    "harbour cranes strike dockers wages port",
    "orchard frost apples growers harvest prices",
    "comet telescope astronomers orbit discovery night",
]


def filled(path: Path, n: int = 240) -> None:
    """``n`` articles on three topics (so each has related articles), some read and
    starred, the related index built and the stories grouped."""
    now = datetime.now(UTC)
    articles = [
        Article(
            id=f"a{i}",
            title=f"{TOPICS[i % 3].split()[0].title()} report {i}",
            url=f"https://news.example/{i}",
            published=now - timedelta(hours=i),
            body=" ".join(
                f"{TOPICS[i % 3]} detail{(i * 13 + k) % 400} update{k % 17}" for k in range(40)
            ),
        )
        for i in range(n)
    ]
    with Library(path) as lib:
        lib.store(articles)
        lib.index_related()
        lib.update_stories()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE articles SET read_at = 1.7e9 WHERE id IN ('a1', 'a2')")
    db.execute("UPDATE articles SET starred_at = 1.7e9 WHERE id = 'a5'")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def scribble(path: Path, table: str, *, root: bool) -> None:
    """Damage ``table``'s b-tree: its root page (DROP TABLE can no longer walk it) or
    the cells of two of its leaves."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # (every page in the file itself)
    if root:
        pages = [
            int(
                db.execute(
                    "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
                ).fetchone()[0]
            )
        ]
    else:
        pages = [
            int(r[0])
            for r in db.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' LIMIT 2", (table,)
            )
        ]
    size = int(db.execute("PRAGMA page_size").fetchone()[0])
    db.close()
    assert pages
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * size + (0 if root else 100))
            f.write(b"\xff" * size if root else b"\xde\xad\xbe\xef" * 200)


def break_middle_leaves(path: Path) -> int:
    """Overwrite two leaf pages in the middle of the articles table (after the page
    header's type byte); how many leaves the table has."""
    db = sqlite3.connect(path)
    query = "SELECT pageno FROM dbstat WHERE name = 'articles' AND pagetype = 'leaf'"
    leaves = [int(r[0]) for r in db.execute(query)]
    size = int(db.execute("PRAGMA page_size").fetchone()[0])
    db.close()
    with open(path, "r+b") as f:
        for page in leaves[len(leaves) // 2 : len(leaves) // 2 + 2]:
            f.seek((page - 1) * size)
            f.write(b"\x0d" + b"\xff" * (size - 1))
    return len(leaves)


def state(home: Path) -> dict[str, object]:
    """What a reader sees: the articles with their read and star state, a related
    list, search results."""
    listed = json.loads(run_cli("list", "--json", home=home, check=True).stdout)
    related = json.loads(run_cli("related", "a9", "--json", home=home, check=True).stdout)
    found = json.loads(run_cli("search", "orchard", "--json", home=home, check=True).stdout)
    return {
        "articles": sorted((a["id"], a["read"], a["starred"]) for a in listed),
        "related": [(h["id"], round(h["score"], 6)) for h in related],
        "search": sorted(h["id"] for h in found),
    }


@pytest.mark.parametrize("root", [False, True], ids=["leaves", "root page"])
def test_a_damaged_related_index_is_made_again_with_nothing_lost(
    tmp_path: Path, root: bool
) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    before = state(home)
    assert before["related"] and before["search"]
    scribble(path, "related_postings", root=root)
    out = run_cli("doctor", home=home)
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert str(path) in line and "related index: damaged (related_postings" in line
    assert "nothing is lost" in line and "`briefreader doctor --rebuild-related`" in line
    assert "backup" not in line
    report = json.loads(run_cli("doctor", "--json", home=home).stdout)
    assert report["damaged_indexes"] == ["related index"] and not report["ok"]

    out = run_cli("doctor", "--rebuild-related", home=home)
    assert out.returncode == 0, out.stderr
    assert "related index rebuilt: 240 articles indexed" in out.stdout
    assert "quick_check: ok" in out.stdout
    assert ("VACUUM" in out.stdout) == root  # pages DROP TABLE could not walk: left behind
    assert state(home) == before
    db = sqlite3.connect(path)
    assert [r[0] for r in db.execute("PRAGMA integrity_check")] == ["ok"]
    db.close()


def test_a_search_index_whose_pages_are_damaged_is_made_again(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    before = state(home)
    scribble(path, "articles_fts_data", root=True)
    out = run_cli("doctor", home=home)
    assert out.returncode == 1 and "--rebuild-search" in out.stderr, out.stderr
    assert "--rebuild-related" not in out.stderr
    # The other index's option alone leaves it as it is.
    assert run_cli("doctor", "--rebuild-related", home=home).returncode == 1
    out = run_cli("doctor", "--rebuild-search", home=home)
    assert out.returncode == 0, out.stderr
    assert "search index rebuilt" in out.stdout and "search index: ok" in out.stdout
    assert state(home) == before


def test_damaged_articles_are_not_taken_for_an_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    scribble(path, "articles", root=True)
    db = sqlite3.connect(path)
    assert "articles" in damaged_tables(db)
    db.close()
    out = run_cli("doctor", home=home)
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert "table articles: damaged" in line and "backup" in line
    assert "--rebuild" not in line.split("; ", 1)[1]
    size = path.stat().st_size
    out = run_cli("doctor", "--rebuild-related", "--rebuild-search", home=home)
    assert out.returncode == 1 and "rebuilt" not in out.stdout
    assert path.stat().st_size == size


def test_a_query_that_meets_damage_points_at_doctor(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    scribble(path, "related_postings", root=True)
    out = run_cli("related", "a9", home=home)
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert "damaged" in line and "`briefreader doctor` says where" in line


def test_export_saves_what_a_damaged_library_can_still_read(tmp_path: Path) -> None:
    """Damaged article pages: export reads the others one at a time, with their read
    and star state, says how many it could not read, and exits 1; the export imports."""
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert break_middle_leaves(path) > 10
    assert run_cli("list", home=home).returncode == 1  # (a whole-table read stops)
    out = run_cli("export", home=home)
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert str(path) in line and "the library is damaged: exported the" in line
    assert "articles that could still be read" in line and "could not be read" in line
    saved = json.loads(out.stdout)
    n_lost = int(line.rsplit("; ", 1)[1].split()[0])
    assert 0 < n_lost < 40 and len(saved) == 240 - n_lost
    by_id = {a["id"]: a for a in saved}
    assert by_id["a5"]["starred_at"] and by_id["a1"]["read_at"] and not by_id["a3"]["read_at"]

    (tmp_path / "saved.json").write_text(out.stdout, encoding="utf-8")
    fresh = tmp_path / "fresh"
    run_cli("add", str(tmp_path / "saved.json"), home=fresh, check=True)
    listed = json.loads(run_cli("list", "--json", home=fresh, check=True).stdout)
    assert {a["id"] for a in listed} == set(by_id)
    assert {a["id"] for a in listed if a["starred"]} == {"a5"}


def test_a_rebuild_is_one_transaction_and_a_busy_library_is_not_taken_for_damage(
    tmp_path: Path,
) -> None:
    from briefreader.store.repair import RELATED_INDEX, SEARCH_INDEX, DerivedIndex, rebuild

    path = tmp_path / "lib.sqlite3"
    filled(path, 60)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 100")
    before = db.execute("SELECT count(*) FROM related_postings").fetchone()[0]
    # A fill that fails (as a Ctrl-C or a full disk would): nothing changed.
    broken = DerivedIndex(
        RELATED_INDEX.name, RELATED_INDEX.option, RELATED_INDEX.prefix, ("SELECT no_such(1)",)
    )
    with pytest.raises(sqlite3.OperationalError):
        rebuild(db, broken)
    assert db.execute("SELECT count(*) FROM related_postings").fetchone()[0] == before
    # Another connection holds the write lock: busy, raised as it is, nothing unlinked.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        rebuild(db, RELATED_INDEX)
    other.execute("ROLLBACK")
    other.close()
    assert [r[0] for r in db.execute("PRAGMA quick_check")] == ["ok"]
    # The search index keeps its automerge setting (schema 9).
    assert rebuild(db, SEARCH_INDEX) is False
    config = dict(db.execute("SELECT k, v FROM articles_fts_config").fetchall())
    assert config.get("automerge") == 8
    db.close()


def test_pages_a_cut_short_rebuild_left_are_mended_by_vacuum(tmp_path: Path) -> None:
    """A rebuild that had to unlink a damaged index, stopped before its VACUUM: every
    table reads whole, doctor says so and --vacuum mends it."""
    from briefreader.store.repair import RELATED_INDEX, rebuild

    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    before = state(home)
    scribble(path, "related_postings", root=True)
    db = sqlite3.connect(path, isolation_level=None)
    assert rebuild(db, RELATED_INDEX) is True  # (the VACUUM that should follow: not run)
    db.close()
    out = run_cli("doctor", home=home)
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert "pages no table uses" in line and "`briefreader doctor --vacuum`" in line
    assert "nothing is lost" in line and "backup" not in line
    out = run_cli("doctor", "--vacuum", home=home)
    assert out.returncode == 0, out.stderr
    assert "quick_check: ok" in out.stdout
    assert state(home) == before


def test_salvage_counts_only_articles_that_were_there(tmp_path: Path) -> None:
    """Deleted articles leave rowid gaps; a damaged page among them: the articles
    said to be unreadable are exactly those not exported."""
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    with Library(path) as lib:
        lib.delete_articles([f"a{i}" for i in range(0, 240, 2)])  # every other one
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert db.execute("SELECT max(rowid) - count(*) FROM articles").fetchone()[0] >= 100  # gaps
    db.close()
    break_middle_leaves(path)
    out = run_cli("export", home=home)
    assert out.returncode == 1
    saved = len(json.loads(out.stdout))
    said = out.stderr.strip().splitlines()[-1]
    lost = int(said.rsplit("; ", 1)[1].split()[0])
    assert saved + lost == 120, said


def test_a_reader_open_during_a_rebuild_drops_its_term_cache(tmp_path: Path) -> None:
    """The app keeps a cache of the index's term ids; doctor --rebuild-related numbers
    the terms again: the open reader's next related list is a fresh reader's."""
    from briefreader.store.repair import RELATED_INDEX, rebuild

    path = tmp_path / "lib.sqlite3"
    filled(path)
    with Library(path) as reader:
        before = [(h.id, round(h.score, 6)) for h in reader.related("a9")]
        assert before
        # The first article rewritten in other words, then the index rebuilt: the
        # terms it brought first are gone and the others numbered again, while the
        # index's size barely changes (the reader's cache would otherwise stay).
        with Library(path) as writer:
            writer._db.execute(
                "UPDATE articles SET title = 'Zebra quartet', body = ? WHERE id = 'a0'",
                (" ".join(f"zz{k}" for k in range(300)),),
            )
        db = sqlite3.connect(path, isolation_level=None)
        ids = dict(db.execute("SELECT term, id FROM related_terms").fetchall())
        rebuild(db, RELATED_INDEX)
        db.close()
        with Library(path) as writer:
            writer.index_related()
            writer.update_stories()
            renumbered = dict(writer._db.execute("SELECT term, id FROM related_terms").fetchall())
        assert sum(ids.get(t) != i for t, i in renumbered.items()) > len(renumbered) // 4
        with Library(path) as fresh:
            expected = [(h.id, round(h.score, 6)) for h in fresh.related("a9")]
        assert [(h.id, round(h.score, 6)) for h in reader.related("a9")] == expected


def test_a_damaged_index_of_the_articles_is_made_again_from_their_rows(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    before = state(home)
    scribble(path, "articles_by_time", root=True)
    out = run_cli("doctor", home=home)
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert "table articles: damaged" in line
    assert "if only their indexes are damaged, `briefreader doctor --reindex`" in line
    out = run_cli("doctor", "--reindex", home=home)
    assert out.returncode == 0, out.stderr
    assert "table articles: indexes made again from its rows" in out.stdout
    assert "quick_check: ok" in out.stdout
    assert state(home) == before


def test_reindex_leaves_damaged_rows_as_they_are(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    scribble(path, "articles", root=True)
    damaged = path.read_bytes()
    out = run_cli("doctor", "--reindex", home=home)
    assert out.returncode == 1
    assert "its rows cannot be read" in out.stdout and "not mended" in out.stdout
    assert "backup" in out.stderr
    assert path.read_bytes() == damaged


def test_rebuild_related_groups_the_newest_stories_and_says_the_app_does_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Grouping a whole library into stories took minutes with nothing said (~5 at
    100,000): doctor groups the newest and says the app groups the others."""
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path)
    monkeypatch.setattr(cli_upkeep, "STORY_GROUP_MAX", 50)
    out = run_cli("doctor", "--rebuild-related", home=home)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if "related index rebuilt" in x)
    with Library(path, readonly=True) as lib:
        left = lib.stories_pending()
    assert left > 0
    grouped = int(line.split(" indexed, ")[1].split()[0])
    assert grouped + left == 240  # (an article's same-story matches join with it)
    assert line.strip() == (
        f"related index rebuilt: 240 articles indexed, {grouped} grouped into stories "
        f"(the newest: the app groups the other {left:,} as it runs)"
    )
    monkeypatch.setattr(cli_upkeep, "STORY_GROUP_MAX", 2000)
    out = run_cli("doctor", "--rebuild-related", home=home, check=True)
    assert "grouped into stories\n" in out.stdout + "\n" and "the app groups" not in out.stdout
