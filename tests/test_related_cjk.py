"""Related articles in Chinese, Japanese and Korean: a run of their letters is one
"word" between two punctuation marks, so two reports of one story shared no term and
no article had a related one (a library of six such articles: every related list
empty).  A run is now cut into overlapping pairs of letters (briefreader.scripts), the
usual index terms for these scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.model import Article, article_id
from briefreader.related.terms import index_terms, phrase_pairs, term_set
from briefreader.scripts import cjk_pairs, has_cjk
from briefreader.store import Library

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

#: Two stories told twice each (0 and 1; 3 and 4), and two alone.
STORIES = [
    ("北浜大学の研究班が新しい蓄電池素材を開発",
     "北浜大学の研究班は、充電にかかる時間を半分に縮める蓄電池素材を開発したと発表した。電池の寿命も延びるという。"),
    ("充電時間が半分に　北浜大学が蓄電池素材",
     "北浜大学などの研究班が開発した蓄電池素材は、充電時間を半分にする。実用化は数年先の見通しだ。"),
    ("南港で記録的な大雨、列車に遅れ",
     "南港市では記録的な大雨となり、鉄道各線で運転の見合わせが相次いだ。気象台は土砂災害に警戒を呼びかけた。"),
    ("青湖地铁六号线周末开通",
     "青湖市交通局表示，地铁六号线将连接火车东站和机场，全程约四十分钟。"),
    ("青湖地铁六号线本周六通车",
     "青湖地铁六号线本周六正式开通运营，连接火车东站与机场。"),
    ("西江股市周二小幅上涨", "分析人士表示，投资者关注央行的利率决定。"),
]  # fmt: skip


def test_two_reports_of_one_story_are_each_others_related(tmp_path: Path) -> None:
    with Library(tmp_path / "l.sqlite3") as lib:
        arts = [
            Article(
                id=article_id(url=f"https://news.example/{n}"),
                title=title,
                url=f"https://news.example/{n}",
                source=f"Desk {n % 3}",
                published=T0 + timedelta(hours=n),
                body=body,
            )
            for n, (title, body) in enumerate(STORIES)
        ]
        lib.store(arts)
        lib.index_related()
        related = {n: [h.title for h in lib.related(a, limit=3)] for n, a in enumerate(arts)}
    assert related[0] == [STORIES[1][0]] and related[1] == [STORIES[0][0]]
    assert related[3] == [STORIES[4][0]] and related[4] == [STORIES[3][0]]
    assert related[2] == [] and related[5] == []


def test_a_run_becomes_pairs_and_other_words_stay() -> None:
    assert cjk_pairs("東京大学").split() == ["東京", "京大", "大学"]
    assert cjk_pairs("港").split() == ["港"]
    assert cjk_pairs("gpu東京x").split() == ["gpu", "東京", "x"]
    terms = index_terms("Corvane 東京大学", "", "", "The harbour.")
    assert {"corvane", "東京", "京大", "大学", "harbour"} <= set(terms)
    assert "東京大学" not in terms
    assert ("東京", "京大") in phrase_pairs("東京大学。")


def test_text_without_those_letters_gives_the_same_terms_as_before() -> None:
    title, body = (
        "Dockers’ strike closes the port",
        "The union’s walkout — its third — halts cranes.",
    )
    assert not has_cjk(title + body)
    assert set(index_terms(title, "", "", body)) == {
        "docker", "strike", "close", "port", "union", "walkout", "third", "halt", "crane",
    }  # fmt: skip


TEXT = st.text(alphabet=st.sampled_from("北浜大学研究蓄電池の、。abc de ，！"), max_size=60)


@settings(max_examples=150, deadline=None)
@given(title=TEXT, summary=TEXT, takeaways=TEXT, body=TEXT)
def test_what_an_article_adds_to_the_counts_is_what_forgetting_it_takes_off(
    title: str, summary: str, takeaways: str, body: str
) -> None:
    """term_set (what forgetting a deleted article takes off the document counts) is
    the terms index_terms gave it: otherwise the counts drift."""
    assert term_set(title, summary, takeaways, body) == set(
        index_terms(title, summary, takeaways, body)
    )


ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(".,!?;:'’“”—–…•·«»()[]{}#$&*+-/<=>@\\^_`|~\u00a0 \n\x01"),
        st.sampled_from("abcXYZ019éüßø東京大学のカナ한국€™"),
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT)
def test_the_quick_translations_are_str_translates(text: str) -> None:
    """For text that is not ASCII, regular expressions stand in for str.translate
    (~4x quicker there): they give the same text, character for character."""
    from briefreader.related import terms as T

    assert T._translated(text) == text.lower().translate(T._TRANSLATE)
    low = text.lower()
    assert T._sentence_translated(low) == low.translate(T._SENTENCE_TRANSLATE_FAST)


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT)
def test_pairs_of_a_whole_text_are_the_pairs_of_its_words(text: str) -> None:
    assert cjk_pairs(text).split() == [p for word in text.split() for p in bigrams(word)]


def bigrams(word: str) -> list[str]:
    """The reference, a letter at a time: each run of CJK letters in ``word`` as its
    overlapping pairs (a single letter stays), the rest as the pieces between."""
    out: list[str] = []
    run = other = ""
    for ch in word + " ":
        if has_cjk(ch):
            if other:
                out.append(other)
                other = ""
            run += ch
            continue
        if run:
            out += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
            run = ""
        if ch != " ":
            other += ch
    return out + ([other] if other else [])
