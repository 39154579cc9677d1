"""Search finds words of scripts written without spaces (Chinese, Japanese, Thai, …)
inside a run of text: the index holds a whole run between two punctuation marks as one
word, so "研究" matched nothing in "東京大学の研究チームが…" (a trial with a feed of
Chinese, Japanese and Korean items: every Chinese and Japanese word not at the start
of a run found nothing).  These terms are looked for as substrings
(briefreader.store.unspaced); the other words of a query still go through the index."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_search_scale import art  # (an article n, published n hours on)

from briefreader.store import Library
from briefreader.store import search as S
from briefreader.store.unspaced import is_unspaced, snippet

#: (title, body) of each article, in arrival order (rowid 1, 2, …).
STORIES = [
    (
        "港区の図書館が夜間開館を試行",
        "区の発表によると、図書館は来月から平日の夜九時まで開館する。利用者の声を聞いて延長を決めた。",
    ),
    ("杭州地铁新线路周末开通", "市交通局表示，新线路将连接火车东站和机场，全程约四十分钟。"),
    (
        "Harbour ferry adds a late sailing",
        "Commuters asked for it; the 図書館 by the pier stays open too.",
    ),
    ("부산 버스 노선 개편 발표", "부산시는 다음 달부터 시내버스 노선을 개편한다고 밝혔다."),
    ("ตลาดน้ำเปิดใหม่ช่วงวันหยุด", "ผู้ว่าราชการจังหวัดกล่าวว่าตลาดน้ำจะเปิดทุกวันเสาร์และอาทิตย์"),
]


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "lib.sqlite3")
    for n, (title, body) in enumerate(STORIES):
        library.store([art(n, title, body)])
    yield library
    library.close()


def titles(lib: Library, query: str) -> list[str]:
    return [hit.title for hit in lib.search(query)]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("図書館", [0, 2]),  # Japanese, in a title and in an English body
        ("夜間開館", [0]),  # in the middle of the title's run
        ("开通", [1]),  # Chinese, the end of a run
        ("火车东站", [1]),  # in the body
        ("노선", [3]),  # Korean: a word with its particle ("노선을")
        ("ตลาดน้ำ", [4]),  # Thai: no spaces at all
        ("開館 図書館", [0]),  # every term, in any column
        ("ferry 図書館", [2]),  # a word the index finds, and one it cannot
        ("博物館", []),
        ("ferry 开通", []),
    ],
)
def test_a_word_inside_a_run_of_text_is_found(lib: Library, query: str, found: list[int]) -> None:
    assert sorted(titles(lib, query)) == sorted(STORIES[n][0] for n in found)
    _, total, exact = lib.search_with_count(query)
    assert (total, exact) == (len(found), True)


def test_before_this_change_the_index_alone_found_none_of_them(lib: Library) -> None:
    """(What the index finds by itself: only a whole run.)"""
    match = '"図書館"'
    found = lib._db.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)
    ).fetchone()[0]
    assert found == 1  # the English article's "図書館", a run of its own
    assert len(lib.search("図書館")) == 2


def test_a_hit_in_the_title_comes_first_then_the_newest(lib: Library) -> None:
    hits = lib.search("図書館")
    assert [h.title for h in hits] == [STORIES[0][0], STORIES[2][0]]  # title, then body
    assert hits[0].score > hits[1].score


def test_the_snippet_marks_the_word_where_it_was_found(lib: Library) -> None:
    (hit,) = lib.search("火车东站")
    assert "\x02火车东站\x03" in hit.snippet
    assert hit.snippet.startswith("市交通局表示，新线路将连接")
    (hit,) = lib.search("ferry 図書館")
    assert "\x02図書館\x03" in hit.snippet


def test_typing_in_the_app_finds_them_too(lib: Library) -> None:
    """The as-you-type search (search_rowids) takes the same path."""
    found = lib.search_rowids("开")  # one character, as an input method may send it
    assert [rowid for rowid, _ in found.top] == [2]
    assert found.exact


def test_more_matches_than_the_window_are_ranked_within_the_newest_and_estimated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(S, "RANK_WINDOW", 5)
    with Library(tmp_path / "many.sqlite3") as library:
        for n in range(20):
            library.store([art(n, f"第{n}号", "今日の天気は晴れ。" if n % 2 else "雨。")])
        hits, total, exact = library.search_with_count("天気", limit=3)
        assert not exact and total >= 6
        assert [h.title for h in hits] == ["第19号", "第17号", "第15号"]  # the newest


def test_the_command_line_search_finds_and_shows_them(home: Path, tmp_path: Path) -> None:
    from testkit import run_cli

    brief = tmp_path / "library-hours.md"
    brief.write_text(
        f"---\nsource: Asia Desk\n---\n# {STORIES[0][0]}\n\n{STORIES[0][1]}\n", "utf-8"
    )
    run_cli("add", str(brief), home=home, check=True)
    out = run_cli("search", "夜九時", home=home, check=True).stdout
    assert STORIES[0][0] in out and "夜九時" in out


CJK = st.text(
    alphabet=st.sampled_from("東京大学研究図書館开通火车站漢字かなカナ한국어"),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(text=CJK, data=st.data())
def test_every_piece_of_a_run_finds_its_article(
    tmp_path_factory: pytest.TempPathFactory, text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    with Library(tmp_path_factory.mktemp("p") / "l.sqlite3") as library:
        library.store([art(1, "Notice", f"({text})")])
        assert [h.title for h in library.search(text[start:end])] == ["Notice"]


def test_what_counts_as_unspaced() -> None:
    assert (
        is_unspaced("研究") and is_unspaced("ตลาด") and is_unspaced("노선") and is_unspaced("カナ")
    )
    assert not is_unspaced("harbour") and not is_unspaced("Zürich") and not is_unspaced("Москва")


def test_a_snippet_is_cut_around_the_first_word_found() -> None:
    text = "あ" * 100 + "研究" + "い" * 100
    cut = snippet(["", text], ["研究"])
    assert cut.startswith("…") and cut.endswith("…")
    assert "\x02研究\x03" in cut and len(cut) < 70
    assert snippet(["nothing here"], ["研究"]) == ""


def test_ascii_letters_beside_them_match_in_any_case(tmp_path: Path) -> None:
    """(A review: "ai研究" found nothing in "AI研究の成果", though every other search
    ignores case.)"""
    with Library(tmp_path / "l.sqlite3") as library:
        library.store([art(1, "AI研究の成果を発表", "新しいiPhone手机的销量。")])
        assert len(library.search("ai研究")) == 1
        assert len(library.search("IPHONE手机")) == 1
        (hit,) = library.search("iphone手机")
        assert "\x02iPhone手机\x03" in hit.snippet


@pytest.mark.parametrize(
    "query", ["研究、", "「研究」", "研究!", "(研究)", "‘研究’", "研究*", "研究-"]
)
def test_punctuation_around_a_term_is_not_looked_for(tmp_path: Path, query: str) -> None:
    """Punctuation cuts a term as it cuts a word for the index (a review: "研究、"
    and, in the app, "研究*" found nothing)."""
    with Library(tmp_path / "l.sqlite3") as library:
        library.store([art(1, "東京大学の研究チーム", "本文。")])
        assert len(library.search(query)) == 1
        assert len(library.search_rowids(query).top) == 1


def test_terms_joined_by_punctuation_are_each_looked_for(tmp_path: Path) -> None:
    with Library(tmp_path / "l.sqlite3") as library:
        library.store([art(1, "研究と開発", "本文。"), art(2, "研究だけ", "本文。")])
        assert titles(library, "研究、開発") == ["研究と開発"]


def test_a_query_of_a_thousand_words_still_finds_its_article(tmp_path: Path) -> None:
    """(A review: from ~1,000 terms SQLite refused the expression and the search said
    nothing matched; the first 32 are looked for.)"""
    syllables = [chr(0xAC00 + 7 * n) for n in range(1000)]
    with Library(tmp_path / "l.sqlite3") as library:
        library.store([art(1, "긴 글", "".join(syllables))])
        hits, total, exact = library.search_with_count(" ".join(syllables))
        assert [h.title for h in hits] == ["긴 글"] and (total, exact) == (1, True)


def test_a_thai_snippet_starts_at_a_letter_not_a_vowel_sign() -> None:
    text = "ก" * 10 + "ผู้ว่าราชการกรุงเทพมหานครกล่าวว่าตลาดน้ำจะเปิด"
    cut = snippet([text], ["ตลาดน้ำ"])
    first = cut.lstrip("…")[0]
    assert not unicodedata.category(first).startswith("M"), cut


def test_the_other_words_of_a_query_are_marked_too(lib: Library) -> None:
    (hit,) = lib.search("ferry 図書館")
    assert "\x02図書館\x03" in hit.snippet
    (hit,) = lib.search("PIER 図書館")
    assert "\x02図書館\x03 by the \x02pier\x03" in hit.snippet


def test_a_scan_a_reader_typed_past_stops_and_matches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While typing, each keystroke's search of such a term reads every article's text
    (~0.3 s at 100,000), holding the app's reader (the Related sidebar waits): a
    search the reader has typed past stops as soon as it is asked."""
    monkeypatch.setattr(S, "STALE_STEPS", 100)
    with Library(tmp_path / "l.sqlite3") as library:
        library.store([art(n, f"記事{n}", "本文の研究。" * 20) for n in range(200)])
        asked: list[bool] = []

        def typed_on() -> bool:
            asked.append(True)
            return True

        assert library.search_rowids("研究", stale=typed_on) == S.Matches([], 0, True)
        assert asked
        # (the check is taken off again: the next search reads every article)
        assert library.search_rowids("研究").total == 200
        assert library.search_rowids("研究", stale=lambda: False).total == 200
