"""The JSON reader: the model's own JSON form, lenient variants, and JSON Feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from briefreader.model import Analysis, Article, RelatedLink, article_id
from briefreader.sources import SourceError, parse_text, read_file
from briefreader.sources.jsonfile import parse

DATA = Path(__file__).parent / "data" / "json"


def read(name: str) -> list[Article]:
    return read_file(DATA / name).articles


# -- the model's own form ----------------------------------------------------------------


def test_single_article_all_fields() -> None:
    [art] = read("single-article.json")
    assert art.title == "Lighthouse Keepers Return to Skerrvik Island"
    assert art.summary.startswith("After forty years of automation")
    assert art.url == "https://northsea-notes.example.org/2026/skerrvik-keepers"
    assert art.source == "North Sea Notes"
    assert art.author == "Mads Arnesen"  # {"name": …} accepted
    assert art.published == datetime(2026, 2, 3, 8, 15, tzinfo=UTC)  # RFC 822 date
    assert art.image_caption == "The Skerrvik light at dusk, seen from the supply boat."
    assert art.takeaways == (
        "Two researchers will live at the lighthouse from April to October.",
        "The station will count seabirds and measure wave heights.",
        "The lamp itself stays automatic.",
    )
    assert art.analysis == Analysis(
        body="Old infrastructure is finding new tenants along the coast.",
        label="Editor's Desk",
        title="A light with a second life",
        byline="North Sea Notes Editorial",
    )
    assert art.body.startswith("The supply boat reached Skerrvik on a grey morning.\n\n")
    assert art.tags == ("Islands", "Research", "Lighthouses")  # comma string
    assert art.related == (
        RelatedLink(
            "Seabird counts fall for a third year",
            "https://northsea-notes.example.org/2025/seabirds",
        ),
        RelatedLink("Wave buoys go live off the coast"),  # a plain string
    )
    assert art.origin == str(DATA / "single-article.json")
    assert art.id == article_id(url=art.url)


def test_list_of_articles_with_aliases() -> None:
    first, second = read("article-list.json")
    assert first.title == "Ferry Timetable Changes for the Winter"
    assert first.published == datetime(2026, 1, 10, tzinfo=UTC)
    assert first.tags == ("Transport",)
    assert second.url == "https://northsea-notes.example.org/2026/cafe-award"  # "link"
    assert second.summary == "The judges praised its fish soup."  # "description"
    assert second.body == "The café opened in 2019 in a former net loft."  # "content"
    assert second.published == datetime(2026, 1, 12, 17, 0, tzinfo=UTC)  # "date"
    assert second.analysis == Analysis(body="Small businesses are carrying the harbour's revival.")


def test_articles_wrapper_object() -> None:
    arts = read("wrapped-articles.json")
    assert [a.title for a in arts] == ["Storm Closes the Coast Road", "New Bus Shelter at the Quay"]


def test_round_trip_of_to_dict() -> None:
    arts = read("single-article.json") + read("article-list.json")
    text = json.dumps([a.to_dict() for a in arts])
    again = parse_text(text, "elsewhere.json", "json")
    assert again == arts  # ids, origins and everything else survive


def test_round_trip_keeps_derived_flag_and_kicker() -> None:
    art = Article(
        id="abc",
        title="T",
        takeaways=("one", "two"),
        takeaways_derived=True,
        analysis=Analysis(body="b", kicker="Strategic Insight"),
    )
    [again] = parse(json.dumps(art.to_dict()), "x.json")
    assert again.takeaways_derived is True
    assert again.analysis is not None and again.analysis.kicker == "Strategic Insight"


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        (
            "2026-03-01T10:00:00+02:00",
            datetime(2026, 3, 1, 10, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("Sun, 01 Mar 2026 10:00:00 GMT", datetime(2026, 3, 1, 10, tzinfo=UTC)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("1 March 2026", datetime(2026, 3, 1, tzinfo=UTC)),
        ("not a date", None),
        (None, None),
    ],
)
def test_published_formats(published: str | None, expected: datetime | None) -> None:
    [art] = parse(json.dumps({"title": "T", "published": published}), "x.json")
    assert art.published == expected


def test_takeaways_as_text_and_with_bullets() -> None:
    data = {"title": "T", "takeaways": "• 1First point\n• 2Second point, with a comma\n"}
    [art] = parse(json.dumps(data), "x.json")
    assert art.takeaways == ("First point", "Second point, with a comma")


def test_unnumbered_takeaways_keep_their_numbers() -> None:
    data = {"title": "T", "takeaways": ["300 jobs go", "12 plants close"]}
    [art] = parse(json.dumps(data), "x.json")
    assert art.takeaways == ("300 jobs go", "12 plants close")


def test_authors_list_and_related_href() -> None:
    data = {
        "title": "T",
        "authors": [{"name": "A. One"}, "B. Two"],
        "related": [{"title": "Other", "href": "https://e.example/o"}],
    }
    [art] = parse(json.dumps(data), "x.json")
    assert art.author == "A. One, B. Two"
    assert art.related == (RelatedLink("Other", "https://e.example/o"),)


def test_title_falls_back_to_summary() -> None:
    [art] = parse(json.dumps({"summary": "Only a summary here."}), "x.json")
    assert art.title == "Only a summary here."


# -- JSON Feed ---------------------------------------------------------------------------


def test_json_feed_1_1_items() -> None:
    arts = read("feed-1.1.json")
    assert len(arts) == 3  # the item with no content at all is skipped
    marsh, oysters, note = arts

    assert marsh.title == "Salt Marsh Restoration Doubles in Size"
    assert marsh.url == "https://tidewater.example.net/2026/04/salt-marsh"
    assert marsh.id == article_id(url=marsh.url)
    assert marsh.source == "Tidewater Weekly"
    assert marsh.author == "Lotte Visser, Joris Bakker"
    assert marsh.published == datetime(2026, 4, 7, 7, 0, tzinfo=UTC)
    assert marsh.summary.startswith("A second phase of dyke removal")
    assert marsh.tags == ("Environment", "Coast")
    # the "Key takeaways" list, ordinals stripped, out of the body
    assert marsh.takeaways == (
        "The restored marsh now covers 140 hectares.",
        "Wading birds arrived within weeks of the first breach.",
    )
    assert not marsh.takeaways_derived
    # the "Why it matters" section, out of the body
    assert marsh.analysis == Analysis(
        label="Why it matters",
        title="Land given back",
        body="Giving land back to the sea used to be unthinkable here; now it is a budget line.",
        byline="Tidewater Analysis",
    )
    # HTML → Markdown, relative link resolved against the item URL
    assert marsh.body == (
        "Engineers opened [the first breach](https://tidewater.example.net/2026/01/phase-one)"
        " last winter. The second one went in on Tuesday.\n\n"
        "## Flooding worries\n\n"
        "Neighbours asked whether the new marsh raises flood risk. The agency says it lowers it."
    )
    assert "Key takeaways" not in marsh.body and "Why it matters" not in marsh.body

    assert oysters.body == (
        "About sixty volunteers spent Saturday on the mudflats.\n\n"
        "They counted more oysters than last year."
    )
    assert oysters.author == "Tidewater Desk"  # the feed's authors
    assert oysters.takeaways == () and oysters.analysis is None

    # no URL: id from the feed URL and the item id; title from the text
    assert note.url == ""
    assert note.id == article_id(url="https://tidewater.example.net/feed.json#tw-2026-043")
    assert note.title == "Short note: the tide tables for May are online."


def test_json_feed_1_0_author_external_url_and_tldr() -> None:
    dunes, planting = read("feed-1.0.json")
    assert dunes.url == "https://elsewhere.example.com/dunes-moving"  # external_url
    assert dunes.author == "Pia Lund"  # 1.0 "author" object
    assert dunes.takeaways == ("Six metres in a year.", "Fences are being rebuilt.")
    assert dunes.body == "Survey data show the dunes moved six metres last year."
    assert planting.author == "The Dune Watch Team"
    assert planting.id == article_id(url="https://dunewatch.example.com/feed.json#2")


def test_json_feed_ids_are_stable() -> None:
    assert [a.id for a in read("feed-1.1.json")] == [a.id for a in read("feed-1.1.json")]


def test_json_feed_item_with_unsafe_url() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "F",
        "items": [
            {
                "id": "1",
                "url": "javascript:alert(1)",
                "title": "T",
                "content_html": '<p><a href="javascript:alert(1)">click</a> here</p>',
            }
        ],
    }
    [art] = parse(json.dumps(feed), "f.json")
    assert art.url == ""
    assert art.body == "click here"


def test_json_feed_without_version_but_with_items() -> None:
    feed = {"title": "Loose feed", "items": [{"id": "a", "title": "Item A", "content_text": "x"}]}
    [art] = parse(json.dumps(feed), "f.json")
    assert art.title == "Item A" and art.source == "Loose feed"


def test_json_feed_with_no_readable_items() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1"}, 42]}
    with pytest.raises(SourceError, match="no readable items"):
        parse(json.dumps(feed), "f.json")


def test_json_feed_with_no_items_list() -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "F", "items": "none"}
    with pytest.raises(SourceError, match="items list"):
        parse(json.dumps(feed), "f.json")


# -- errors ------------------------------------------------------------------------------


def test_invalid_json_names_line_and_column() -> None:
    text = '{\n  "title": "T",\n  "body": oops\n}'
    with pytest.raises(SourceError) as info:
        parse(text, "broken.json")
    assert str(info.value) == ("broken.json: invalid JSON at line 3 column 11: Expecting value")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("42", "JSON holds a number, not an article or a list of articles"),
        ('"just a string"', "JSON holds a string"),
        ("null", "JSON holds null"),
        ("true", "JSON holds a boolean"),
        ("{}", "the JSON object is empty, not an article"),
        ('{"foo": 1}', "the JSON object is not an article (no title, summary or body)"),
        ("[]", "empty list: no articles"),
        ('[{"title": "ok"}, 3]', "item 2 is a number, not an article object"),
        ('[{"title": "ok"}, {"tags": ["x"]}]', "item 2 is not an article"),
        ('{"articles": []}', "empty list: no articles"),
    ],
)
def test_valid_json_that_is_not_articles(text: str, reason: str) -> None:
    with pytest.raises(SourceError) as info:
        parse(text, "odd.json")
    assert reason in str(info.value)
    assert str(info.value).startswith("odd.json: ")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("opener", ["[", '{"a":', '{"a": ['])
def test_deeply_nested_json(opener: str) -> None:
    with pytest.raises(SourceError, match="too deeply nested"):
        parse(opener * 100_000, "deep.json")


def test_huge_integer_is_an_error_not_a_crash() -> None:
    with pytest.raises(SourceError, match="invalid JSON"):
        parse('{"title": ' + "9" * 10_000 + "}", "digits.json")
