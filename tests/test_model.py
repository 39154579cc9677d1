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
