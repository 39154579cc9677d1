"""A refresh's parse workers compute each item's content hash, and the storing thread
uses it instead of hashing again (refresh._parse_to_store, Library.store_feeds)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from briefreader.model import Article, article_id
from briefreader.refresh import _parse_to_store
from briefreader.store import Library
from briefreader.store.rows import content_hash

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Quay Notes</title>
<link>https://quay.example/</link>
<item><title>Cranes idle</title><link>https://quay.example/1</link>
<description>&lt;p&gt;The cranes stood still.&lt;/p&gt;</description></item>
<item><title>Ferry back</title><link>https://quay.example/2</link>
<description>&lt;p&gt;The ferry ran again.&lt;/p&gt;</description></item>
</channel></rss>"""


def test_the_worker_hashes_are_the_store_hashes() -> None:
    done = _parse_to_store(FEED, "https://quay.example/feed", "application/rss+xml")
    assert not isinstance(done, str)
    assert len(done.feed.items) == 2
    assert done.digests == [content_hash(a) for a in done.feed.items]


def _article(title: str) -> Article:
    url = "https://quay.example/1"
    return Article(id=article_id(url=url), title=title, url=url, source="Quay", origin=url)


def test_a_given_hash_is_what_the_store_compares(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.sqlite3") as library:
        feed, _ = library.add_feed("https://quay.example/feed")
        first = _article("Cranes idle")
        [added] = library.store_feeds([(feed.id, [first])], digests=[[content_hash(first)]])
        assert added.added == 1
        changed = replace(first, title="Cranes idle again")
        # Given the stored hash, the store takes it as unchanged (it did not hash again).
        [same] = library.store_feeds([(feed.id, [changed])], digests=[[content_hash(first)]])
        stored = library.get(first.id)
        assert same.unchanged == 1 and stored is not None and stored.title == "Cranes idle"
        # Without one it hashes the item itself, as before.
        [updated] = library.store_feeds([(feed.id, [changed])])
        stored = library.get(first.id)
        assert updated.updated == 1 and stored is not None and stored.title == "Cranes idle again"
