"""The model's derived views (reading time) for text of every script."""

from __future__ import annotations

from briefreader.model import Article


def test_reading_time_of_chinese_and_japanese_counts_their_letters() -> None:
    """Written without spaces, a whole article was a few "words": "1 min read" for
    anything; two letters now count as a word (~460 letters a minute)."""
    sentence = "市の図書館は来月から平日の夜九時まで開館すると発表した。"  # 28 letters, 1 mark
    article = Article(id="x", title="t", body=sentence * 70)
    assert 950 <= article.word_count <= 1_100
    assert article.reading_minutes == 4
    mixed = Article(id="y", title="t", body="The 図書館 opens late. " * 10)
    assert mixed.word_count == 45  # 3 words and 3 letters (1.5 words), ten times
    assert Article(id="z", title="t", body="word " * 460).reading_minutes == 2


def full_article(cls: type[Article] = Article, **extra: object) -> Article:
    from datetime import UTC, datetime

    from briefreader.model import Analysis, Enclosure, RelatedLink

    return cls(
        id="id-1",
        title="A title",
        summary="A dek",
        url="https://example.org/a",
        source="Example",
        author="A. Writer",
        published=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
        image_caption="caption",
        takeaways=("one", "two"),
        takeaways_derived=True,
        analysis=Analysis(body="why", title="Analysis", byline="By B"),
        body="Body **text**.",
        tags=("world", "tech"),
        related=(RelatedLink(title="Other", url="https://example.org/b"),),
        origin="https://example.org/feed",
        image_url="https://example.org/i.jpg",
        image_alt="alt",
        enclosures=(Enclosure(url="https://example.org/e.mp3", type="audio/mpeg", length=3),),
        **extra,
    )


def test_an_article_pickles_as_its_values_and_comes_back_equal() -> None:
    """A refresh's parse workers send every item back pickled: as the class and its
    field values (cheaper than the state of a slotted dataclass), the same article."""
    import copy
    import pickle

    from briefreader import model
    from briefreader.sources.feedlazy import LazyArticle

    for art in (
        full_article(),
        Article(id="x", title="t"),
        full_article(LazyArticle, html="<p>x</p>", html_base="https://b/", dek_html=None),
        full_article(LazyArticle, html="<p>x</p>", dek_html="<b>d</b>", dek_base="https://d/"),
    ):
        assert art.__reduce__()[0] is model._rebuild
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(art, protocol=protocol))
            assert back == art and type(back) is type(art)
            assert hash(back) == hash(art)
        assert copy.deepcopy(art) == art and copy.copy(art) == art


def test_a_subclass_without_slots_pickles_too() -> None:
    """(A review's finding: its fields' class defaults were taken for slots.)"""
    import pickle
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class Extra(Article):
        extra: str = "d"
        more: tuple[str, ...] = field(default_factory=tuple)

    globals()["Extra"] = Extra  # (pickle finds a class by its module's name for it)
    Extra.__qualname__ = "Extra"
    art = Extra(id="x", title="t", extra="kept", more=("a",))
    back = pickle.loads(pickle.dumps(art))
    assert back == art and back.extra == "kept" and back.more == ("a",)


def test_unpickling_in_many_threads_at_once_needs_no_warm_cache() -> None:
    """(A review's finding: a thread could find one cache filled and the other not.)"""
    import pickle
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from briefreader import model
    from briefreader.sources.feedlazy import LazyArticle

    data = pickle.dumps(full_article(LazyArticle, html="<p>x</p>"))
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(60):
            for cache in ("_PICKLING", "_VALUES", "_SETTERS", "_SLOTS"):  # (any era's caches)
                getattr(model, cache, {}).clear()
            with ThreadPoolExecutor(8) as pool:
                backs = list(pool.map(lambda _: pickle.loads(data), range(16)))
            assert all(type(b) is LazyArticle for b in backs)
    finally:
        sys.setswitchinterval(before)
