"""Lazy feed items (issue 11): a refresh stores an item's HTML and its words, and the
article is rendered when first read.  What anyone reads must be exactly what the
eager path stored before: these tests render every item of the feed corpus both
ways and compare, through the library, the command line and a real refresh.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from testkit import run_cli

from briefreader.model import Article
from briefreader.refresh import refresh_feeds
from briefreader.sources import SourceError
from briefreader.sources.feed import LazyArticle, ParsedFeed, parse_feed
from briefreader.sources.feedlazy import render_item, search_text
from briefreader.store import Library
from briefreader.store import lazy as store_lazy
from briefreader.store.schema import LAZY_SCHEMA, MIGRATIONS, split_sql

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpus" / "feeds"
FEEDGEN = HERE.parents[1] / "shared" / "bench" / "feedgen.py"
LOCAL = [HERE / "data" / "feeds", HERE / "data" / "corpus"]


def feed_files() -> list[Path]:
    roots = [*LOCAL, CORPUS]
    return sorted(
        p
        for root in roots
        if root.is_dir()
        for p in root.rglob("*")
        if p.is_file() and "LICENSES" not in p.parts and p.name not in ("SOURCES.json", "README.md")
    )


def _feedgen() -> ModuleType | None:
    if not FEEDGEN.is_file():
        return None
    spec = importlib.util.spec_from_file_location("feedgen", FEEDGEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Feeds like the shared refresh workload's (../shared/bench/feedgen.py), and a
    few of the kind the refresh benchmark makes, when that generator is there."""
    feedgen = _feedgen()
    if feedgen is None:
        return []
    out = tmp_path_factory.mktemp("generated")
    feedgen.generate(str(out), 12, 6, 7, 0, 6, 0.3, 0.5, "http://127.0.0.1:8808", True)
    return sorted(p for p in out.iterdir() if p.name != "manifest.json")


def parse_both(path: Path) -> tuple[ParsedFeed, ParsedFeed] | None:
    """The feed parsed eagerly and lazily (None when it is not a feed: then the
    lazy parse fails with the same reason)."""
    data = path.read_bytes()
    url = "https://corpus.example/" + path.name
    try:
        eager = parse_feed(data, url=url)
    except SourceError as exc:
        with pytest.raises(SourceError) as lazy_exc:
            parse_feed(data, url=url, lazy=True)
        assert lazy_exc.value.reason == exc.reason
        return None
    return eager, parse_feed(data, url=url, lazy=True)


def rendered(item: Article) -> Article:
    if not isinstance(item, LazyArticle):
        return item
    return render_item(item, item.html, item.html_base, item.dek_html, item.dek_base)


def check_feed(eager: ParsedFeed, lazy: ParsedFeed, name: str) -> int:
    """The lazy parse renders to the eager one, item by item; returns how many of
    its items were lazy."""
    assert (lazy.title, lazy.site_url, lazy.warnings, lazy.parser, lazy.ends_early) == (
        eager.title,
        eager.site_url,
        eager.warnings,
        eager.parser,
        eager.ends_early,
    ), name
    assert [a.id for a in lazy.items] == [a.id for a in eager.items], name
    for want, got in zip(eager.items, lazy.items, strict=True):
        assert rendered(got) == want, (name, want.id)
    return sum(isinstance(a, LazyArticle) for a in lazy.items)


def test_every_corpus_item_renders_as_the_eager_parse_gave_it() -> None:
    files = feed_files()
    assert files, "no feed files found"
    lazy_items = 0
    for path in files:
        both = parse_both(path)
        if both is not None:
            lazy_items += check_feed(*both, path.name)
    assert lazy_items > 50  # the corpus is read lazily, not merely eagerly twice


def test_generated_feeds_render_as_the_eager_parse_gave_them(generated: list[Path]) -> None:
    if not generated:
        pytest.skip(f"the shared workload's generator is not at {FEEDGEN}")
    for path in generated:
        both = parse_both(path)
        assert both is not None
        assert check_feed(*both, path.name) == len(both[0].items)


def _library(tmp_path: Path, name: str) -> Library:
    return Library(tmp_path / f"{name}.sqlite3")


@pytest.fixture
def both_libraries(tmp_path: Path, generated: list[Path]) -> Iterator[tuple[Library, Library]]:
    """One library with every feed stored eagerly, one with the same stored lazily."""
    eager_lib, lazy_lib = _library(tmp_path, "eager"), _library(tmp_path, "lazy")
    for path in [*feed_files(), *generated]:
        both = parse_both(path)
        if both is None:
            continue
        for lib, parsed in zip((eager_lib, lazy_lib), both, strict=True):
            feed, _ = lib.add_feed("https://corpus.example/" + path.name, title=parsed.title)
            lib.store(parsed.items, feed_id=feed.id)
    store_lazy.clear_cache()
    yield eager_lib, lazy_lib
    eager_lib.close()
    lazy_lib.close()


def test_the_library_reads_a_lazy_item_as_the_eager_one(
    both_libraries: tuple[Library, Library],
) -> None:
    eager_lib, lazy_lib = both_libraries
    lazy_rows = lazy_lib._db.execute(
        "SELECT count(*) FROM articles WHERE body_html IS NOT NULL"
    ).fetchone()[0]
    assert lazy_rows > 50
    assert (
        eager_lib._db.execute(
            "SELECT count(*) FROM articles WHERE body_html IS NOT NULL"
        ).fetchone()[0]
        == 0
    )
    ids = [r[0] for r in eager_lib._db.execute("SELECT id FROM articles ORDER BY rowid")]
    for art_id in ids:
        assert lazy_lib.get(art_id) == eager_lib.get(art_id), art_id
        assert lazy_lib.get_stored(art_id) == eager_lib.get_stored(art_id), art_id
    assert list(lazy_lib.articles()) == list(eager_lib.articles())


def test_export_writes_what_it_wrote(
    tmp_path: Path, both_libraries: tuple[Library, Library]
) -> None:
    outputs = []
    for lib in both_libraries:
        home = tmp_path / f"home-{lib.path.stem}"
        args = ("--library", str(lib.path))
        exported = run_cli("export", *args, home=home, check=True).stdout
        out = tmp_path / f"md-{lib.path.stem}"
        run_cli("export", *args, "--format", "markdown", "--out", str(out), home=home, check=True)
        files = {p.name: p.read_text("utf-8") for p in sorted(out.iterdir())}
        outputs.append((json.loads(exported), files))
    assert outputs[0][0] and outputs[0][1]
    assert outputs[0] == outputs[1]


def test_search_and_the_related_index_see_a_lazy_items_words(
    both_libraries: tuple[Library, Library],
) -> None:
    _, lazy_lib = both_libraries
    row = lazy_lib._db.execute(
        "SELECT id, body_html FROM articles WHERE body_html IS NOT NULL AND length(body) > 400 "
        "ORDER BY rowid LIMIT 1"
    ).fetchone()
    words = [w for w in search_text(row[1]).split() if w.isalpha() and len(w) > 3][-3:]
    assert any(hit.id == row[0] for hit in lazy_lib.search(" ".join(words), limit=50))
    lazy_lib.index_related()
    indexed = lazy_lib._db.execute(
        "SELECT terms FROM related_docs JOIN articles a ON a.rowid = related_docs.doc "
        "WHERE a.id = ?",
        (row[0],),
    ).fetchone()
    assert indexed is not None and json.loads(indexed[0])


def test_search_text_is_the_words_of_the_html() -> None:
    html = (
        "<h2>Key takeaways</h2><ul><li>One</li><li>Two&amp;three</li></ul>"
        "<p>Café <b>bold</b> text\x1b[31m red</p>"
    )
    text = search_text(html)
    assert text.split() == ["Key", "takeaways", "One", "Two&three", "Café", "bold", "text", "red"]
    assert "\x1b" not in text
    assert search_text("") == ""
    deep = "<div>" * 2000 + "deep words" + "</div>" * 2000
    assert search_text(deep).split() == ["deep", "words"]


def test_a_rendering_is_kept_and_a_changed_item_rendered_again(
    tmp_path: Path, generated: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    if not generated:
        pytest.skip(f"the shared workload's generator is not at {FEEDGEN}")
    from briefreader.sources import feedlazy

    calls: list[str] = []
    real = feedlazy.render_item

    def counting(stored: Article, *args: object) -> Article:
        calls.append(stored.id)
        return real(stored, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(feedlazy, "render_item", counting)
    store_lazy.clear_cache()
    lib = _library(tmp_path, "cache")
    parsed = parse_feed(generated[0].read_bytes(), url="https://g.example/f", lazy=True)
    lib.store(parsed.items)
    first = parsed.items[0]
    assert isinstance(first, LazyArticle)
    one = lib.get(first.id)
    assert lib.get(first.id) == one and calls == [first.id]
    changed = first.with_changes(html=first.html + "<p>A late correction.</p>")
    assert lib.store([changed]).updated == 1
    again = lib.get(first.id)
    assert again is not None and one is not None
    assert again.body.endswith("A late correction.") and calls == [first.id, first.id]
    lib.close()


def test_a_cached_rendering_takes_the_feeds_new_name(tmp_path: Path, generated: list[Path]) -> None:
    """The cache keeps what the HTML gave; a feed renamed since shows its new name at
    once (found trying the app: the article pane kept the old name after a rename)."""
    store_lazy.clear_cache()
    lib = _library(tmp_path, "renamed")
    feed, _ = lib.add_feed("https://g.example/f", title="Old Name")
    parsed = parse_feed(generated[0].read_bytes(), url="https://g.example/f", lazy=True)
    lib.store(parsed.items, feed_id=feed.id)
    first = parsed.items[0]
    before = lib.get(first.id)
    assert before is not None and before.source == "Old Name"
    lib.rename_feed(feed.id, "New Name")
    after = lib.get(first.id)
    assert after is not None and after.source == "New Name"
    assert after.with_changes(source="Old Name") == before
    lib.close()


def test_an_older_library_is_migrated_and_an_old_read_only_one_still_reads(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[: LAZY_SCHEMA - 1]:
        for statement in split_sql(script):
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {LAZY_SCHEMA - 1}")
    db.close()
    item = Article(id="x1", title="An old article", body="Its body.", summary="Its dek.")
    # Written by a briefreader of the schema before: no lazy columns at all.
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(
        "INSERT INTO articles(id, title, summary, body, sort_ts, content_hash, added_at, "
        "updated_at) VALUES ('x1', 'An old article', 'Its dek.', 'Its body.', 1, 'h', 1, 1)"
    )
    db.close()
    path.chmod(0o444)
    with Library(path, readonly=True) as old:
        assert old.schema_version == LAZY_SCHEMA - 1
        assert old.get("x1") is not None
        assert old.get_stored("x1") == item
    path.chmod(0o644)
    with Library(path) as lib:
        assert lib.schema_version >= LAZY_SCHEMA
        assert lib.get_stored("x1") == item


async def test_a_refresh_stores_items_lazily_and_reads_them_whole(
    fetch_server: FetchServer, tmp_path: Path
) -> None:
    data = (HERE / "data" / "feeds" / "rss_brief.xml").read_bytes()
    fetch_server.add_conditional("/brief.xml", data)
    url = fetch_server.url("/brief.xml")
    eager = parse_feed(data, url=url)
    with _library(tmp_path, "refreshed") as lib:
        lib.add_feed(url)
        report = await refresh_feeds(lib)
        assert report.ok and report.outcomes[0].added == len(eager.items)
        assert lib._db.execute(
            "SELECT count(*) FROM articles WHERE body_html IS NOT NULL"
        ).fetchone()[0] == len(eager.items)
        for want in eager.items:
            assert lib.get_stored(want.id) == want
        # Nothing changed: the same items are not stored again.
        fetch_server.add_conditional("/brief.xml", data, etag='"v2"')
        report = await refresh_feeds(lib)
        assert report.outcomes[0].unchanged == len(eager.items)
