"""The SQLite library: storing, state, search, migrations, two instances at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefreader.model import Analysis, Article, RelatedLink, article_id
from briefreader.store import SCHEMA_VERSION, Library, LibraryError, fts_query

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def make(n: int, **changes: object) -> Article:
    title = str(changes.pop("title", f"Story number {n} about harbour cranes"))
    base = Article(
        id=article_id(url=f"https://news.example/{n}"),
        title=title,
        summary=f"Dek for story {n}.",
        url=f"https://news.example/{n}",
        source="Harbour Ledger",
        author="Ada Quay",
        published=T0 + timedelta(hours=n),
        takeaways=(f"First point of {n}", "Second point"),
        analysis=Analysis(
            body="Why it matters.", label="Editor's Desk", title="Angle", byline="HL Editorial"
        ),
        body=f"Body paragraph of story {n}.\n\nSecond paragraph.",
        tags=("ports", "labour"),
        related=(RelatedLink("Other", "https://news.example/other"),),
        origin=f"/tmp/story{n}.md",
    )
    return base.with_changes(**changes)


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "lib.sqlite3")
    yield library
    library.close()


def test_store_and_get_round_trips_every_field(lib: Library) -> None:
    art = make(1)
    counts = lib.store([art])
    assert (counts.added, counts.updated, counts.unchanged) == (1, 0, 0)
    got = lib.get(art.id)
    assert got is not None
    assert got.to_dict() == art.to_dict()


def test_article_without_optional_parts(lib: Library) -> None:
    art = Article(id="x1", title="Bare")
    lib.store([art])
    assert lib.get("x1") == art


def test_restore_keeps_state_and_counts(lib: Library) -> None:
    art = make(1)
    lib.store([art])
    lib.set_read(art.id)
    lib.set_starred(art.id)
    assert lib.store([art]).unchanged == 1
    changed = art.with_changes(title="Corrected headline", body="New body")
    counts = lib.store([changed])
    assert counts.updated == 1
    got = lib.get(art.id)
    assert got is not None and got.title == "Corrected headline"
    row = lib.row(art.id)
    assert row is not None and row.read and row.starred
    read_at, starred_at = lib.state(art.id)
    assert read_at is not None and starred_at is not None
    # The full-text index follows the update.
    assert lib.search_ids("corrected") == [art.id]
    assert lib.search_ids("cranes") == []


def test_rows_newest_first_and_filters(lib: Library) -> None:
    lib.store([make(n) for n in range(5)])
    rows = lib.rows()
    assert rows[0].title.startswith("Story number 4")
    lib.set_read(rows[0].id)
    lib.set_starred(rows[1].id)
    assert lib.count("unread") == 4
    assert [r.id for r in lib.rows("starred")] == [rows[1].id]
    assert rows[0].id not in {r.id for r in lib.rows("unread")}
    assert lib.mark_read([r.id for r in rows]) == 4
    assert lib.count("unread") == 0


def test_search_ranks_title_matches_first_with_snippets(lib: Library) -> None:
    lib.store(
        [
            make(1, title="Rail strike called for Monday", body="Unions and the rail operator."),
            make(2, title="Budget talks", body="A strike was mentioned once in passing."),
            make(3, title="Weather", body="Sunny."),
        ]
    )
    hits = lib.search("strike")
    assert [h.title for h in hits] == ["Rail strike called for Monday", "Budget talks"]
    assert "\x02" in hits[0].snippet  # highlight markers around the match
    assert hits[0].score > hits[1].score


@pytest.mark.parametrize(
    "query",
    ['"', "AND", "OR NOT", "(", "*", "title:", "NEAR(a b)", "^", "-", "''", 'a"b', "\x00"],
)
def test_search_never_raises_on_fts_syntax(lib: Library, query: str) -> None:
    lib.store([make(1)])
    assert isinstance(lib.search(query), list)


def test_fts_query_quotes_terms() -> None:
    assert fts_query("rail strike") == '"rail" "strike"*'
    assert fts_query('"rail strike" pay', prefix_last=False) == '"rail strike" "pay"'
    assert fts_query("  ") == ""
    # A trailing * asks for a prefix on the command line (whole words otherwise) …
    assert fts_query("strik* rail", prefix_last=False) == '"strik"* "rail"'
    assert fts_query("Zürich*", prefix_last=False) == '"Zürich"*'
    assert fts_query("東*", prefix_last=False) == ""  # (a substring: test_search_unspaced)
    assert fts_query('"rail*" *', prefix_last=False) == '"rail*"'  # (a phrase, a lone star)
    # … not in the app's as-you-type search, which bounds what a prefix costs.
    assert fts_query("strik* rail", stars=False) == '"strik*" "rail"*'


def test_related_finds_the_same_story(lib: Library) -> None:
    a = make(1, title="Port strike halts container traffic at Rotterdam")
    b = make(2, title="Rotterdam dockers extend strike as ships queue")
    c = make(3, title="Central bank holds interest rates", body="Inflation.", takeaways=("Rates",))
    lib.store([a, b, c])
    hits = lib.related(a)
    assert hits and hits[0].id == b.id
    assert a.id not in [h.id for h in hits]


def test_find_by_url_and_origin(lib: Library) -> None:
    art = make(7)
    lib.store([art])
    assert lib.find(art.url) == art
    assert lib.find(art.origin) == art
    assert lib.find("nope") is None


def test_schema_version_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        lib.store([make(1)])
    with Library(path) as lib:
        assert lib.count() == 1
        mode = lib._db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(LibraryError, match="newer briefreader"):
        Library(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError, match="not a briefreader library"):
        Library(path)


def test_importing_the_package_creates_nothing(tmp_path: Path) -> None:
    env_home = tmp_path / "home"
    code = "import briefreader.cli, briefreader.store, briefreader.paths, briefreader.sources"
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        env={"BRIEFREADER_HOME": str(env_home), "PATH": "/usr/bin:/bin"},
    )
    assert not env_home.exists()


def test_second_instance_writes_while_first_holds_a_read(tmp_path: Path) -> None:
    """Two processes share the file: a long reader does not block a writer (WAL)."""
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store([make(n) for n in range(50)])
        cur = lib._db.execute("SELECT id FROM articles")  # an open read cursor
        cur.fetchone()
        script = textwrap.dedent(
            f"""
            import sys
            sys.path[:0] = {sys.path!r}
            from briefreader.store import Library
            from briefreader.model import Article
            with Library({str(path)!r}) as other:
                other.store([Article(id="from-other", title="Written by the second instance")])
                rows = other.rows()
                other.set_starred(rows[-1].id)
            print("ok")
            """
        )
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
        assert out.stdout.strip() == "ok", out.stderr
        cur.fetchall()
        assert lib.count() == 51
        assert lib.count("starred") == 1
        lib.set_read("from-other")
        assert lib.count("unread") == 50


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    Library(path).close()
    script = textwrap.dedent(
        f"""
        import sys
        sys.path[:0] = {sys.path!r}
        from briefreader.store import Library
        from briefreader.model import Article
        tag = sys.argv[1]
        with Library({str(path)!r}) as lib:
            for i in range(40):
                lib.store([Article(id=f"{{tag}}-{{i}}", title=f"{{tag}} {{i}}")])
                lib.set_read(f"{{tag}}-{{i}}")
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, tag]) for tag in ("a", "b", "c")]
    for p in procs:
        assert p.wait(timeout=120) == 0
    with Library(path) as lib:
        assert lib.count() == 120
        assert lib.count("unread") == 0
        integrity = lib._db.execute("PRAGMA integrity_check").fetchone()[0]
        assert integrity == "ok"
