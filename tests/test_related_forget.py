"""The related index's document frequencies and document count follow deletes and
edits (schema 13, ``related_gone``): after a delete by the user, a feed's removal or
retention, and after an article is edited, they are those of a library that only
ever held what is left."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefreader import related as R
from briefreader.model import Article
from briefreader.store import Library
from briefreader.store.retention import Retention, prune

WORDS = (
    "harbour strike crane union wages ballot port ship vessel cargo container dockers "
    "rates bank inflation mortgage lender telescope orbit satellite launch mission rocket "
    "grid battery auction turbine offshore wind heatwave prices drought harvest wheat"
).split()
NAMES = ("Kellport", "Maravia", "Osterlund", "Halcyne")
FEED = "https://news.example/feed.xml"


def articles(n: int, *, seed: int = 3, first: int = 0) -> list[Article]:
    rng = random.Random(seed)
    out = []
    for i in range(first, first + n):
        name = rng.choice(NAMES)
        words = [rng.choice(WORDS) for _ in range(40)] + [f"w{rng.randrange(400)}"]
        out.append(
            Article(
                id=f"a-{i}",
                title=f"{name} {words[0]} {words[1]}",
                summary=" ".join(words[2:9]) + f" in {name}.",
                url=f"https://news.example/{i}",
                origin=FEED,
                published=datetime.now(UTC) - timedelta(days=i % 40),
                body=" ".join(words[9:25]) + f", said {name} officials. " + " ".join(words[25:]),
            )
        )
    return out


def counts(path: Path) -> tuple[dict[str, int], int]:
    """The frequencies of the terms some article has, by term, and the document count."""
    db = sqlite3.connect(path)
    df = {str(t): int(n) for t, n in db.execute("SELECT term, df FROM related_terms WHERE df > 0")}
    docs = int(db.execute("SELECT value FROM related_meta WHERE key = 'docs'").fetchone()[0])
    db.close()
    return df, docs


def reference(path: Path, arts: list[Article]) -> tuple[dict[str, int], int]:
    with Library(path) as lib:
        lib.store(arts)
        assert lib.related_pending() == 0
    return counts(path)


def test_deleting_articles_takes_their_terms_off(tmp_path: Path) -> None:
    arts = articles(60)
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store(arts[:30])
        lib.store(arts[30:])
        assert lib.related_pending() == 0
        before = counts(path)
        assert lib.delete_articles([a.id for a in arts[::4]])
        assert R.gone_count(lib._db) == 15
        lib.index_related()  # the background's indexing pass takes them off
        assert R.gone_count(lib._db) == 0
    after = counts(path)
    want = reference(tmp_path / "ref.sqlite3", [a for i, a in enumerate(arts) if i % 4])
    assert before[1] == 60 and after[1] == 45
    assert after == want


def test_an_edited_article_counts_once_with_its_new_terms(tmp_path: Path) -> None:
    arts = articles(40)
    edited = [a.with_changes(body=a.body + " Quarantine zeppelin update.") for a in arts[:5]]
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store(arts)
        lib.store(edited)  # indexed again at once; the old version's terms are kept aside
        assert R.gone_count(lib._db) == 5
        lib.index_related()
    want = reference(tmp_path / "ref.sqlite3", edited + arts[5:])
    assert counts(path) == want
    assert want[0]["zeppelin"] == 5 and want[1] == 40


def test_removing_a_feed_and_pruning_take_their_articles_terms_off(tmp_path: Path) -> None:
    arts = articles(50)
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        feed, _ = lib.add_feed(FEED)
        other, _ = lib.add_feed("https://other.example/feed.xml")
        lib.store(arts[:30], feed_id=feed.id)
        lib.store(arts[30:], feed_id=other.id)
        # Retention: articles older than 20 days go (long arrived), and prune() takes
        # their terms off at once.
        lib._db.execute("UPDATE articles SET added_at = added_at - 100 * 86400")
        report = prune(lib, Retention(keep_days=20))
        assert report.batches and R.gone_count(lib._db) == 0
        kept = {r.id for r in lib.rows()}
        assert 0 < len(kept) < 50
        assert counts(path) == reference(
            tmp_path / "ref1.sqlite3", [a for a in arts if a.id in kept]
        )
        lib.remove_feed("https://other.example/feed.xml")
        lib.index_related()
        kept = {r.id for r in lib.rows()}
    assert counts(path) == reference(tmp_path / "ref2.sqlite3", [a for a in arts if a.id in kept])


def test_an_article_deleted_before_it_was_indexed_takes_nothing_off(tmp_path: Path) -> None:
    arts = articles(30)
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store(arts[:20])
        lib.store(arts[20:], index=False)  # queued, not indexed
        lib.delete_articles([a.id for a in arts[20:25]])
        assert R.gone_count(lib._db) == 0
        # Edited while still queued, then deleted: it never counted.
        lib.store(
            [a.with_changes(body="A new body about harbour cranes.") for a in arts[25:]],
            index=False,
        )
        lib.delete_articles([a.id for a in arts[25:]])
        assert R.gone_count(lib._db) == 0
        lib.index_related()
    assert counts(path) == reference(tmp_path / "ref.sqlite3", arts[:20])


def test_the_sidebar_term_cache_is_dropped_as_articles_turn_over(tmp_path: Path) -> None:
    """A library under retention keeps its count while its articles change: the
    ranking's cached frequencies are dropped once 5% of it has been forgotten."""
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store(articles(100))
        first = lib._related_term_cache()
        first["harbour"] = (1, 1)
        assert lib._related_term_cache() is first  # nothing changed: kept
        lib.delete_articles([f"a-{i}" for i in range(6)])
        lib.store(articles(6, seed=9, first=100))
        lib.index_related()
        assert lib._related_term_cache() is not first


def test_the_sidebar_idf_memo_changes_no_score(tmp_path: Path) -> None:
    """The ranking keeps the idf of the terms it weighed beside its term cache: every
    list is the one ranked without it, also once more articles were indexed (a new
    document count) and after the cache was dropped."""
    path = tmp_path / "lib.sqlite3"

    def lists(lib: Library, memo: bool) -> list[list[tuple[str, float]]]:
        def ranked() -> list[list[tuple[str, float]]]:
            return [[(h.id, h.score) for h in lib.related(f"a-{i}")] for i in range(0, 60, 3)]

        if memo:
            return ranked()
        lib._related_term_cache()  # (not dropped while ranking without the memo)
        kept, lib._idf_memo = lib._idf_memo, None  # type: ignore[assignment]
        try:
            return ranked()
        finally:
            lib._idf_memo = kept

    with Library(path) as lib:
        lib.store(articles(60))
        first = lists(lib, memo=True)
        memo = lib._idf_memo
        assert memo.idf and memo.n_docs == 60
        assert first == lists(lib, memo=False)
        assert lists(lib, memo=True) == first  # the memo's terms again: the same
        lib.store(articles(2, seed=11, first=60))  # 62 articles: weighed again
        again = lists(lib, memo=True)
        assert lib._idf_memo is memo and memo.n_docs == 62
        assert again == lists(lib, memo=False)
        lib.store(articles(10, seed=12, first=62))  # grown 5%: cache and memo dropped
        lib.related("a-0")
        assert lib._idf_memo is not memo
        assert lists(lib, memo=True) == lists(lib, memo=False)


def test_the_idf_memo_weighs_a_number_no_candidate_has_as_unseen(tmp_path: Path) -> None:
    """A number is weighed by its idf as a term when this list's articles have it as
    one, else as unseen: one kind of story writes "$40m" (the term "40m", the number
    "40"), the other "40 jobs" (the term "40").  The memo holds the bare numbers
    once the second kind was listed; the first kind's list must not change."""
    rng = random.Random(5)
    money = "harbour strike crane union wages ballot port ship vessel cargo container".split()
    jobs = "telescope orbit satellite launch mission rocket grid battery turbine wind".split()
    arts = []
    for i in range(200):
        words = [rng.choice(money if i % 2 == 0 else jobs) for _ in range(40)]
        n = rng.choice((15, 20, 40, 75))
        other = rng.choice((15, 20, 40, 75)) + 1
        amount = f"${n}m and ${other}m" if i % 2 == 0 else f"{n} jobs"
        arts.append(
            Article(
                id=f"m-{i}",
                title=" ".join(words[:3]),
                summary=" ".join(words[3:10]) + ".",
                url=f"https://news.example/m{i}",
                origin=FEED,
                published=datetime.now(UTC) - timedelta(hours=i),
                body=" ".join(words[10:25]) + f" costing {amount}. " + " ".join(words[25:]),
            )
        )
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store(arts)
    with Library(path) as fresh:
        expected = [(h.id, h.score) for h in fresh.related("m-0", min_score=0)]
    with Library(path) as browsed:
        for i in range(1, 200, 2):
            browsed.related(f"m-{i}")
        assert {"15", "20", "40", "75"} <= browsed._idf_memo.idf.keys()
        assert [(h.id, h.score) for h in browsed.related("m-0", min_score=0)] == expected


def test_an_update_with_the_same_text_keeps_and_queues_nothing(tmp_path: Path) -> None:
    """A refresh that stores an item again with its text unchanged (its markup, and so
    its content hash, changed) neither re-queues it nor takes its terms off."""
    arts = articles(10)
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store(arts)
        assert lib.related_pending() == 0
        lib._db.execute("UPDATE articles SET title = title, body = body, url = url || '?v=2'")
        assert lib.related_pending() == 0
        assert R.gone_count(lib._db) == 0
        lib._db.execute("UPDATE articles SET body = body || ' strike' WHERE id = 'a-3'")
        assert lib.related_pending() == 1
        assert R.gone_count(lib._db) == 1
