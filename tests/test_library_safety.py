"""Data safety in the library: deleting with tombstones, ids of local files, the related
queue, the samples, and files that are not (or no longer) a healthy library."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from testkit import run_cli

from briefreader.model import Article, article_id
from briefreader.refresh import refresh_feeds
from briefreader.store import Library


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "lib.sqlite3")
    yield library
    library.close()


def rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>https://site.example/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>{t} happened today in the harbour district.</description></item>"
        for t, guid in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Alpha</title>'
        f"<link>https://site.example/</link><description>d</description>{body}</channel></rss>"
    ).encode()


# -- delete_articles / tombstones -------------------------------------------------------


def test_delete_articles_removes_everything_hanging_off_them(lib: Library) -> None:
    arts = [
        Article(id=f"a{n}", title=f"Harbour cranes story {n}", body="Cranes and harbour " * 20)
        for n in range(3)
    ]
    lib.store(arts)
    lib.update_stories()
    lib.set_full_text("a0", "full text")
    assert lib.search_ids("cranes")
    assert lib.delete_articles(["a0", "a1", "missing"]) == ["a0", "a1"]
    assert lib.get("a0") is None and lib.get("a1") is None and lib.get("a2") is not None
    assert lib.search_ids("cranes") == ["a2"]
    db = lib._db
    assert db.execute("SELECT count(*) FROM related_docs").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM related_pending").fetchone()[0] == 0
    # Local articles get no tombstone.
    assert not lib.is_deleted("a0")
    assert lib.delete("a2") is True and lib.delete("a2") is False


async def test_deleted_feed_item_does_not_come_back(
    fetch_server: FetchServer, lib: Library
) -> None:
    fetch_server.add("/a.xml", rss([("Bridge reopens", "a1"), ("Ferry delayed", "a2")]))
    lib.add_feed(fetch_server.url("/a.xml"))
    await refresh_feeds(lib)
    assert lib.count() == 2
    gone = next(r.id for r in lib.rows() if r.title == "Bridge reopens")
    assert lib.delete_articles([gone]) == [gone]
    assert lib.is_deleted(gone)
    fetch_server.add(
        "/a.xml", rss([("Bridge reopens", "a1"), ("Ferry delayed", "a2"), ("T", "a3")])
    )
    report = await refresh_feeds(lib)
    assert report.outcomes[0].added == 1
    assert lib.get(gone) is None and lib.count() == 2
    # Undo: the tombstone is cleared and the item may come back.
    lib.forget_deleted([gone])
    assert not lib.is_deleted(gone)
    fetch_server.add(
        "/a.xml", rss([("Bridge reopens", "a1"), ("Ferry delayed", "a2"), ("T", "a3")])
    )
    await refresh_feeds(lib)
    assert lib.get(gone) is not None


def test_explicit_add_clears_a_tombstone(lib: Library) -> None:
    feed, _ = lib.add_feed("https://site.example/feed.xml")
    art = Article(id="x1", title="Item", url="https://site.example/x1")
    lib.store([art], feed_id=feed.id)
    lib.delete_articles(["x1"])
    assert lib.store([art], feed_id=feed.id).added == 0
    assert lib.get("x1") is None
    assert lib.store([art]).added == 1  # an explicit add
    assert lib.get("x1") is not None and not lib.is_deleted("x1")


# -- the related queue: re-storing an article still queued ---------------------------


def _notes(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        p = folder / f"note{i:03d}.md"
        p.write_text(
            f"---\ntitle: Council note {i}\n---\n\nThe council met about item {i} and the "
            f"harbour budget. Paragraph {i} has more words about ferries. The mayor said the "
            "plan would cost more than expected. Residents asked for a second meeting. Ferry "
            "crews warned of delays through the winter. The budget vote is due on Friday.\n",
            encoding="utf-8",
        )
        paths.append(p)
    return paths


def test_re_adding_an_edited_file_of_a_201_file_folder(tmp_path: Path) -> None:
    from briefreader.cli import main

    library = str(tmp_path / "lib.sqlite3")
    paths = _notes(tmp_path / "notes", 201)
    assert main(["add", str(tmp_path / "notes"), "--library", library, "-q"]) == 0
    paths[7].write_text(paths[7].read_text() + "\nAn edited paragraph.\n", encoding="utf-8")
    assert main(["add", str(paths[7]), "--library", library, "-q"]) == 0
    with Library(library) as lib:
        assert lib.count() == 201
        art = lib.find(str(paths[7].resolve()))
        assert art is not None and "An edited paragraph." in art.body


def test_re_adding_an_export_of_a_201_file_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefreader.cli import main

    library = str(tmp_path / "lib.sqlite3")
    _notes(tmp_path / "notes", 201)
    assert main(["add", str(tmp_path / "notes"), "--library", library, "-q"]) == 0
    capsys.readouterr()
    assert main(["export", "--library", library]) == 0
    # An export that differs from what is stored (an older backup): restoring it
    # updates articles still queued for the related index.
    data = json.loads(capsys.readouterr().out)
    data[3]["body"] += "\n\nA paragraph from the backup."
    export = tmp_path / "export.json"
    export.write_text(json.dumps(data), encoding="utf-8")
    assert main(["add", str(export), "--library", library, "-q"]) == 0
    with Library(library) as lib:
        assert lib.count() == 201
        art = lib.get(data[3]["id"])
        assert art is not None and art.body.endswith("A paragraph from the backup.")


# -- ids of local files ---------------------------------------------------------------


def _add(library: Path, *paths: Path) -> None:
    from briefreader.cli import main

    assert main(["add", *map(str, paths), "--library", str(library), "-q"]) == 0


def test_local_files_with_one_title_do_not_overwrite_each_other(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    a, b = tmp_path / "a.md", tmp_path / "b.txt"
    a.write_text("# Weekly notes\n\nThe harbour was quiet.\n", encoding="utf-8")
    b.write_text("Weekly notes\n\nThe ferry was late.\n", encoding="utf-8")
    _add(library, a, b)
    with Library(library) as lib:
        assert lib.count() == 2
        first = lib.find(str(a.resolve()))
        assert first is not None
        lib.set_starred(first.id)
    # The same file again (edited, even its title): updated in place, star kept.
    a.write_text("# Weekly notes, revised\n\nThe harbour was busy.\n", encoding="utf-8")
    _add(library, a)
    with Library(library) as lib:
        assert lib.count() == 2
        again = lib.get(first.id)
        assert again is not None and again.title == "Weekly notes, revised"
        assert lib.state(first.id)[1] is not None


def test_a_file_of_several_articles_gives_each_its_own_id(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    f = tmp_path / "many.json"
    f.write_text(
        json.dumps(
            [
                {"title": "Same", "body": "One."},
                {"title": "Same", "body": "Two."},
                {"title": "Other", "body": "Three."},
                {"id": "mine", "title": "Same", "body": "Four."},
            ]
        ),
        encoding="utf-8",
    )
    _add(library, f)
    _add(library, f)
    with Library(library) as lib:
        assert lib.count() == 4
        assert lib.get("mine") is not None  # an explicit id wins
        assert {a.body for a in lib.articles()} == {"One.", "Two.", "Three.", "Four."}


def test_a_legacy_title_id_is_adopted_for_the_same_file(tmp_path: Path) -> None:
    """A library made before schema 4 keyed a local file by its title: adding that
    file again updates the stored article (same id, star kept) instead of adding a
    second copy; a different file with that title is a new article."""
    library = tmp_path / "lib.sqlite3"
    a = tmp_path / "a.md"
    a.write_text("# Weekly notes\n\nThe harbour was quiet.\n", encoding="utf-8")
    legacy = article_id(title="Weekly notes")
    with Library(library) as lib:
        lib.store([Article(id=legacy, title="Weekly notes", body="Old.", origin=str(a.resolve()))])
        lib.set_starred(legacy)
    _add(library, a)
    with Library(library) as lib:
        assert lib.count() == 1
        art = lib.get(legacy)
        assert art is not None and "quiet" in art.summary + art.body
        assert lib.state(legacy)[1] is not None
    b = tmp_path / "b.md"
    b.write_text("# Weekly notes\n\nThe ferry was late.\n", encoding="utf-8")
    _add(library, b)
    with Library(library) as lib:
        assert lib.count() == 2


def test_export_then_import_keeps_local_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefreader.cli import main

    library, other = tmp_path / "lib.sqlite3", tmp_path / "other.sqlite3"
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("# Weekly notes\n\nThe harbour was quiet.\n", encoding="utf-8")
    b.write_text("# Weekly notes\n\nThe ferry was late.\n", encoding="utf-8")
    _add(library, a, b)
    capsys.readouterr()
    assert main(["export", "--library", str(library)]) == 0
    export = tmp_path / "export.json"
    export.write_text(capsys.readouterr().out, encoding="utf-8")
    _add(other, export)
    with Library(library) as lib, Library(other) as copy:
        assert sorted(r.id for r in lib.rows()) == sorted(r.id for r in copy.rows())
        assert copy.count() == 2


# -- the samples ------------------------------------------------------------------------


def test_reading_commands_never_write_the_samples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefreader.cli import main

    library = tmp_path / "lib.sqlite3"
    assert main(["list", "--library", str(library)]) == 0
    assert main(["list", "--no-samples", "--library", str(library)]) == 0  # still accepted
    with Library(library) as lib:
        assert lib.count() == 0


def test_samples_give_way_to_the_first_real_article(tmp_path: Path) -> None:
    from briefreader.cli import main
    from briefreader.ingest import import_samples

    library = tmp_path / "lib.sqlite3"
    with Library(library) as lib:
        n = import_samples(lib).added
        assert n >= 10 and lib.sample_count() == n and lib.samples_offered()
        kept = lib.rows()[0].id
        lib.set_starred(kept)
    real = tmp_path / "real.md"
    real.write_text("# Council budget\n\nThe vote is on Friday.\n", encoding="utf-8")
    _add(library, real)
    with Library(library) as lib:
        assert {r.id for r in lib.rows()} == {kept, lib.find(str(real.resolve())).id}  # type: ignore[union-attr]
        assert lib.search_ids("harbour") == [] or all(i == kept for i in lib.search_ids("harbour"))
    # `add --samples` brings them back, and with real articles there they stay.
    assert main(["add", "--samples", "--library", str(library), "-q"]) == 0
    with Library(library) as lib:
        assert lib.sample_count() == n
        lib.store([Article(id="another", title="Another real one")])
        assert lib.sample_count() == n


def test_samples_give_way_to_the_first_feed(tmp_path: Path) -> None:
    from briefreader.ingest import import_samples

    with Library(tmp_path / "lib.sqlite3") as lib:
        import_samples(lib)
        lib.add_feed("https://site.example/feed.xml")
        assert lib.count() == 0 and lib.sample_count() == 0


def test_a_schema_3_library_marks_its_samples_and_its_first_run(tmp_path: Path) -> None:
    from briefreader.ingest import sample_paths
    from briefreader.store.schema import MIGRATIONS, split_sql

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        for statement in split_sql(script):
            db.execute(statement)
    db.execute(
        "INSERT INTO articles(id, title, origin, sort_ts, content_hash, added_at, updated_at) "
        "VALUES ('s1', 'Sample', ?, 1, 'h', 1, 1), ('r1', 'Real', '/home/me/r.md', 2, 'h', 1, 1)",
        (str(sample_paths()[0]),),
    )
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    with Library(path) as lib:
        assert lib.sample_count() == 1 and lib.samples_offered()
        assert not lib.first_run()


# -- damaged, foreign and read-only library files ---------------------------------------


def _damaged_library(path: Path) -> bytes:
    """A library whose header and schema are fine but whose middle pages are garbage."""
    with Library(path) as lib:
        feed, _ = lib.add_feed("https://site.example/feed.xml", title="Site")
        lib.store(
            [
                Article(
                    id=f"d{n}",
                    title=f"Story {n} about the harbour",
                    url=f"https://site.example/{n}",
                    body=f"Paragraph {n} about cranes and ferries. " * 40,
                )
                for n in range(400)
            ],
            feed_id=feed.id,
        )
    data = bytearray(path.read_bytes())
    page = 4096
    pages = len(data) // page
    for p in range(pages // 4, pages - 2):  # page headers of the middle and end
        data[p * page : p * page + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.mark.parametrize(
    "command",
    [["list"], ["feeds"], ["export"], ["related", "d1"], ["search", "harbour"]],
)
def test_a_damaged_library_gives_one_line_and_stays_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    from briefreader.cli import main

    path = tmp_path / "lib.sqlite3"
    before = _damaged_library(path)
    capsys.readouterr()
    assert main([*command, "--library", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(path) in err and "damaged" in err, err
    assert path.read_bytes() == before


def test_the_app_quits_with_one_line_on_a_damaged_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from briefreader.config import Config
    from briefreader.tui.app import BriefReaderApp

    path = tmp_path / "lib.sqlite3"
    before = _damaged_library(path)

    async def run() -> BriefReaderApp:
        app = BriefReaderApp(path, config=Config(), config_path=None, load_samples=False)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(50):  # bounded: the load fails within a few frames
                await pilot.pause(0.05)
                if not app.is_running:
                    break
        return app

    app = asyncio.run(run())
    app._shutdown_libraries()
    assert app.return_code == 1
    assert app.library_problem is not None and str(path) in app.library_problem
    assert path.read_bytes() == before


def test_negative_user_version_and_foreign_files_are_refused(tmp_path: Path) -> None:
    from briefreader.store import LibraryError

    neg = tmp_path / "neg.sqlite3"
    Library(neg).close()
    db = sqlite3.connect(neg)
    db.execute("PRAGMA user_version = -3")
    db.commit()
    db.close()
    with pytest.raises(LibraryError, match="not a briefreader library"):
        Library(neg)

    other = tmp_path / "other.sqlite3"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes (x)")
    db.commit()
    db.close()
    before = other.read_bytes()
    with pytest.raises(LibraryError, match="not a briefreader library"):
        Library(other)
    assert other.read_bytes() == before

    app = tmp_path / "app.sqlite3"
    db = sqlite3.connect(app)
    db.execute("PRAGMA application_id = 1234")
    db.commit()
    db.close()
    with pytest.raises(LibraryError, match="another program"):
        Library(app)


def test_a_new_library_carries_our_application_id(tmp_path: Path) -> None:
    from briefreader.store.schema import APPLICATION_ID

    with Library(tmp_path / "lib.sqlite3") as lib:
        assert lib._db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_a_library_opened_read_only_reads_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store([Article(id="r1", title="Harbour story", body="Cranes.")])
    before = path.read_bytes()
    with Library(path, readonly=True) as ro:
        assert [r.id for r in ro.rows()] == ["r1"]
        assert ro.search_ids("harbour") == ["r1"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro.set_read("r1")
    assert path.read_bytes() == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file modes")
def test_a_read_only_library_file_still_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefreader.cli import main

    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store([Article(id="r1", title="Harbour story", body="Cranes.")])
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        assert main(["list", "--library", str(path)]) == 0
        assert "Harbour story" in capsys.readouterr().out
        assert main(["add", "--samples", "--library", str(path)]) == 1
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "read-only" in err
    finally:
        tmp_path.chmod(0o755)
        path.chmod(0o644)


# -- reading commands never write ---------------------------------------------------

_READING = (
    ("list", "--json"),
    ("list",),
    ("search", "--json", "harbour"),
    ("search", "harbour"),
    ("feeds", "--json"),
    ("feeds",),
    ("export",),
    ("export", "--opml"),
    ("related", "--json", "r1"),
)


@pytest.mark.parametrize("command", _READING, ids=" ".join)
def test_a_reading_command_on_a_missing_library_creates_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A mistyped --library: the command reads an empty library, says there is none
    yet, and creates neither the file nor its folder."""
    home = tmp_path / "home"
    path = tmp_path / "typo" / "deeper" / "lib.sqlite3"
    done = run_cli(*command, "--library", str(path), home=home)
    assert done.returncode == (1 if command[0] == "related" else 0), done.stderr
    assert f"no library at {path} yet" in done.stderr
    assert "Traceback" not in done.stderr
    if command[0] != "related" and ("--json" in command or command == ("export",)):
        assert json.loads(done.stdout) == []
    assert not path.exists() and not path.parent.exists() and not (tmp_path / "typo").exists()
    assert not home.exists()


@pytest.mark.parametrize("command", [("list", "--json"), ("feeds",), ("export",), ()], ids=str)
def test_a_reading_command_on_a_fresh_home_creates_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """No library yet, at the default place: nothing is made under BRIEFREADER_HOME (the
    command with no arguments, piped, lists)."""
    home = tmp_path / "home"
    done = run_cli(*command, home=home)
    assert done.returncode == 0, done.stderr
    assert "no library at" in done.stderr and "yet" in done.stderr
    assert not home.exists()


def test_reading_an_existing_library_prints_no_note(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store([Article(id="r1", title="Harbour story", body="Cranes.")])
    done = run_cli("list", "--json", "--library", str(path), home=tmp_path / "home")
    assert [r["id"] for r in json.loads(done.stdout)] == ["r1"]
    assert "no library" not in done.stderr
