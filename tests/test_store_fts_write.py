"""How storing writes the search index (issue 11): a batch of articles reaches FTS5
as one pending segment, not one segment an article, and search still finds every
word of every article, after updates too, whatever the SQLite variable limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from briefreader.model import Article, article_id
from briefreader.store import Library
from briefreader.store import library as library_module

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def word(n: int, tag: str = "w") -> str:
    """A word only article ``n`` has (letters only: the tokenizer keeps it whole)."""
    letters = "".join(chr(ord("a") + int(d)) for d in str(n))
    return f"{tag}q{letters}z"


def make(n: int, *, body_tag: str = "w") -> Article:
    url = f"https://feed.example/item/{n}"
    return Article(
        id=article_id(url=url),
        title=f"Item {n} on the harbour",
        summary=f"Dek of item {n}.",
        url=url,
        source="Harbour Feed",
        published=T0 + timedelta(minutes=n),
        body=f"First paragraph of item {n}.\n\nIt says {word(n, body_tag)} in its body.",
    )


@pytest.fixture
def lib() -> Iterator[Library]:
    library = Library(":memory:", in_memory=True)
    yield library
    library.close()


def segments(lib: Library) -> int:
    """FTS5 segments the search index holds now."""
    return int(lib._db.execute("SELECT count(DISTINCT segid) FROM articles_fts_idx").fetchone()[0])


def integrity_ok(lib: Library) -> None:
    lib._db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


def test_one_store_is_one_search_index_segment(lib: Library) -> None:
    feed = lib.add_feed("https://feed.example/rss")[0]
    counts = lib.store([make(n) for n in range(50)], feed_id=feed.id, index=False)
    assert counts.added == 50
    # Row by row (executemany), FTS5 flushed at every row's savepoint: 50 segments,
    # merged down to 5 by automerge; one statement for the batch: one segment.
    assert segments(lib) == 1
    integrity_ok(lib)


def test_every_body_word_is_found_after_inserts_and_updates(lib: Library) -> None:
    feed = lib.add_feed("https://feed.example/rss")[0]
    lib.store([make(n) for n in range(40)], feed_id=feed.id, index=False)
    # Half of them again with new bodies, beside new ones, in one store.
    again = [make(n, body_tag="v") for n in range(20)] + [make(n) for n in range(40, 60)]
    counts = lib.store(again, feed_id=feed.id, index=False)
    assert (counts.added, counts.updated, counts.unchanged) == (20, 20, 0)
    integrity_ok(lib)
    for n in range(60):
        stored = article_id(url=f"https://feed.example/item/{n}")
        new_word = word(n, "v") if n < 20 else word(n)
        assert lib.search_ids(new_word) == [stored], n
        if n < 20:  # the old body's word is gone from the index with the old body
            assert lib.search_ids(word(n)) == [], n


@pytest.mark.parametrize("variables", [999, 4000])
def test_batches_larger_than_a_statement_are_stored_whole(lib: Library, variables: int) -> None:
    """More rows than one statement can take (the variable limit; UPSERT_ROWS) are
    split over several statements, none lost or doubled (999: the smallest limit
    an SQLite build has had by default, which the store's IN lists assume too)."""
    lib._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variables)
    n_items = library_module.UPSERT_ROWS + 7
    feed = lib.add_feed("https://feed.example/rss")[0]
    counts = lib.store([make(n) for n in range(n_items)], feed_id=feed.id, index=False)
    assert counts.added == n_items
    assert lib.count() == n_items
    integrity_ok(lib)
    for n in (0, 1, n_items // 2, n_items - 1):
        assert len(lib.search_ids(word(n))) == 1


# ---------------------------------------------------------------------------------
# several feeds in one write (the refresh's writer)


def feed_items(feed: int, n: int, *, shared: int | None = None) -> list[Article]:
    items = [make(feed * 1000 + i) for i in range(n)]
    if shared is not None:
        items.append(make(shared))
    return items


def test_store_feeds_counts_as_feed_after_feed(lib: Library) -> None:
    """One write of three feeds counts each as store() would have, one after another:
    an item two feeds carry is new for the first, unchanged for the second; a
    tombstoned item is skipped; the next write finds everything stored."""
    feeds = [lib.add_feed(f"https://feed.example/{k}")[0].id for k in range(3)]
    lib.store(feed_items(2, 1), feed_id=feeds[2], index=False)  # one already there
    lib.store([make(1000)], feed_id=feeds[1], index=False)
    lib.delete_articles([make(1000).id])  # a tombstone
    before = segments(lib)
    batches = [
        (feeds[0], feed_items(0, 5, shared=7)),
        (feeds[1], feed_items(1, 4, shared=7)),
        (feeds[2], feed_items(2, 3)),
    ]
    counts = lib.store_feeds(batches)
    assert [(c.added, c.updated, c.unchanged) for c in counts] == [(6, 0, 0), (3, 0, 2), (2, 0, 1)]
    assert segments(lib) <= before + 1  # one for the write of three feeds
    again = lib.store_feeds(batches)
    assert [(c.added, c.updated, c.unchanged) for c in again] == [(0, 0, 6), (0, 0, 5), (0, 0, 3)]
    integrity_ok(lib)
    for art in feed_items(0, 5, shared=7) + feed_items(1, 4)[1:] + feed_items(2, 3):
        assert lib.search_ids(word(int(art.url.rsplit("/", 1)[1]))) == [art.id]
    assert lib.search_ids(word(1000)) == []


def test_store_feeds_an_item_updated_by_a_later_feed(lib: Library) -> None:
    feeds = [lib.add_feed(f"https://feed.example/{k}")[0].id for k in range(2)]
    changed = make(7, body_tag="v")
    counts = lib.store_feeds([(feeds[0], [make(7)]), (feeds[1], [changed])])
    assert [(c.added, c.updated) for c in counts] == [(1, 0), (0, 1)]
    stored = lib.get(changed.id)
    assert stored is not None and word(7, "v") in stored.body
    assert lib.search_ids(word(7, "v")) == [changed.id]
    assert lib.search_ids(word(7)) == []
    integrity_ok(lib)


async def test_refresh_writer_stores_waiting_feeds_together(lib: Library) -> None:
    """Feeds parsed while the writer is busy are written together, each feed getting
    its own counts; a feed whose items cannot be stored fails alone (the others of
    its write are stored again, one by one)."""
    import asyncio
    import threading

    from briefreader.refresh import _Run

    feeds = [lib.add_feed(f"https://feed.example/{k}")[0].id for k in range(5)]
    run = _Run(lib, None, None, len(feeds))
    try:
        gate = threading.Event()
        run.writer.submit(gate.wait, 30)  # the writer is busy with something else
        first = asyncio.ensure_future(run.store(feeds[0], feed_items(0, 2)))
        await asyncio.sleep(0)
        rest = [
            asyncio.ensure_future(run.store(f, feed_items(k, 3)))
            for k, f in enumerate(feeds[1:3], 1)
        ]
        await asyncio.sleep(0)
        gate.set()
        counts = await asyncio.gather(first, *rest)
        assert [c.added for c in counts] == [2, 3, 3]
        assert run.store_calls == 2  # the first alone, the two that waited together
        # A feed whose items break the write: tags that are not text.
        broken = make(4321).with_changes(tags=(None,))
        gate.clear()
        run.writer.submit(gate.wait, 30)
        good = asyncio.ensure_future(run.store(feeds[3], feed_items(3, 2)))
        bad = asyncio.ensure_future(run.store(feeds[4], [broken]))
        await asyncio.sleep(0)
        gate.set()
        assert (await good).added == 2
        with pytest.raises(TypeError):
            await bad
    finally:
        run.writer.shutdown(wait=True)
    assert lib.count() == 2 + 3 + 3 + 2
    integrity_ok(lib)
