"""Data safety in the library: deleting with tombstones, ids of local files, the related
queue, the samples, and files that are not (or no longer) a healthy library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server

from briefreader.library import Library
from briefreader.model import Article
from briefreader.refresh import refresh_feeds


@pytest.fixture
def lib(tmp_path: Path) -> Library:
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
