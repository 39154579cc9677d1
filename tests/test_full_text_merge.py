"""A feed item read once: the full text merged without the teaser's leftovers, a dek
that repeats the body recognised (issue 10, item 4)."""

from __future__ import annotations

import pytest

from briefreader.insight import (
    body_without_headline,
    dek_repeats_body,
    repeats_title,
    without_teaser_tail,
)
from briefreader.model import Article
from briefreader.reading import with_full_text

SENTENCES = [
    "The harbour bridge reopened to traffic on Tuesday after three weeks of repairs.",
    "Engineers replaced forty cables and resurfaced the whole deck of the bridge.",
    "The council said the coast road, closed since the spring storms, would follow.",
    "Traders near the bridge said their business had halved while it was shut.",
    "A second inspection of the cables is due in the spring, the engineers said.",
    "Ferry operators, who carried twice their usual load, will return to timetables.",
]
#: A page's full text: its headline first (as trafilatura gives it), ~200 words.
FULL = "# Bridge reopens\n\n" + "\n\n".join(" ".join(SENTENCES) for _ in range(3))


def teaser_item(**changes: object) -> Article:
    teaser = SENTENCES[0][:60] + "…"
    base = Article(
        id="t1",
        title="Bridge reopens",
        url="https://news.example/bridge",
        source="Harbour Gazette",
        summary=f"{teaser} Read more",
        body=f"{teaser} [Read more](https://news.example/bridge)",
    )
    return base.with_changes(**changes)


def test_full_text_leaves_out_the_pages_headline() -> None:
    merged = with_full_text(teaser_item(), FULL)
    assert not merged.body.startswith("#")
    assert "Bridge reopens" not in merged.body
    assert merged.body.startswith(SENTENCES[0])


def test_full_text_leaves_out_the_teasers_read_more() -> None:
    merged = with_full_text(teaser_item(), FULL)
    assert "Read more" not in merged.summary
    assert merged.summary.startswith(SENTENCES[0][:40])
    assert dek_repeats_body(merged.summary, merged.body)  # so the view does not show it


def test_full_text_gets_derived_takeaways_when_the_teaser_was_too_short() -> None:
    merged = with_full_text(teaser_item(), FULL)
    assert merged.takeaways and merged.takeaways_derived
    assert not any("Read more" in t or t == "Bridge reopens" for t in merged.takeaways)
    own = with_full_text(teaser_item(takeaways=("Mine.",)), FULL)
    assert own.takeaways == ("Mine.",) and not own.takeaways_derived


@pytest.mark.parametrize(
    ("teaser", "left"),
    [
        ("The bridge reopened on Tuesday … Read more", "The bridge reopened on Tuesday …"),
        (
            "The bridge reopened on Tuesday... Continue reading →",
            "The bridge reopened on Tuesday...",
        ),
        (
            "The bridge reopened on Tuesday […] The post Bridge reopens appeared first on "
            "Harbour Gazette.",
            "The bridge reopened on Tuesday…",
        ),
        ("The bridge reopened on Tuesday. More »", "The bridge reopened on Tuesday."),
        ("The bridge reopened | Read the full story", "The bridge reopened"),
        # A sentence that ends with the words is no teaser's tail.
        (
            "Children in the district should read more.",
            "Children in the district should read more.",
        ),
        ("The bridge reopened and they read more", "The bridge reopened and they read more"),
    ],
)
def test_without_teaser_tail(teaser: str, left: str) -> None:
    assert without_teaser_tail(teaser) == left


def test_a_dek_repeating_the_body_is_recognised_past_a_dateline_and_a_cut() -> None:
    body = "HARBOURTON (Gazette) — " + " ".join(SENTENCES)
    assert dek_repeats_body(SENTENCES[0][:55] + "…", body)  # cut mid-word
    assert dek_repeats_body(f"{SENTENCES[0][:-1]} […]", body)
    assert dek_repeats_body(f"“{SENTENCES[0]}”", body.replace("—", "-"))  # quotes, dashes
    assert not dek_repeats_body("Regulators and chip makers trade blows.", body)
    assert not dek_repeats_body("The harbour bridge", body)  # too short to tell
    # A short item whose description is its whole text: the dek is the body.
    assert dek_repeats_body("Short teaser.", "Short teaser.")
    assert dek_repeats_body("Short teaser.", "Short  teaser.\n")
    assert not dek_repeats_body("Short teaser.", "Short teaser. And a second sentence.")
    # Far into the body is not "the body's start" (a pull quote, not a teaser).
    assert not dek_repeats_body(SENTENCES[4], " ".join(SENTENCES))


def test_a_dek_made_by_stripping_the_bodys_tags_repeats_it() -> None:
    # (A reading review of a real forum feed: its summaries are its posts with the tags
    # stripped — words glued at each <br>, no picture's alt text, file names with
    # underscores — and they were shown above the very same post.)
    body = (
        "Tide Clock v1.2\n\n"
        "[![Attached image](https://f.example/t.jpg)](https://f.example/attach?id=1634)\\\n"
        "360 x 640 (38 KB)\n\nDeveloper: Ana Ruiz\\\nLanguage: English\\\nStatus: Free\\\n"
        "Download: [tide_clock_v1.2.zip](https://f.example/tide_clock_v1.2.zip) (152 KB)"
    )
    dek = (
        "Tide Clock v1.2 360 x 640 (38 KB)Developer: Ana RuizLanguage: EnglishStatus: "
        "FreeDownload: tide_clock_v1.2.zip (152 KB)"
    )
    assert dek_repeats_body(dek, body)
    assert not dek_repeats_body("A clock for the tides, free, in English, for phones.", body)
    # A caption of no words under a picture is the whole body too.
    picture = "[![](https://p.example/a.jpg)](https://p.example/b.jpg)\\\n"
    assert dek_repeats_body("!!!", picture + "!!!")
    assert dek_repeats_body("Chestnuts in September", picture + "Chestnuts in September")
    assert not dek_repeats_body("!!!", picture + "Wow!!! Chestnuts already.")


def test_a_body_that_opens_with_the_title_loses_only_that() -> None:
    assert body_without_headline("# Bridge reopens!\n\nText.", "Bridge Reopens") == "Text."
    assert body_without_headline("## Bridge reopens\nText.", "Bridge reopens") == "Text."
    assert body_without_headline("Bridge reopens.", "Bridge reopens") == ""
    kept = "Bridge reopens: traffic is back.\n\nText."
    assert body_without_headline(kept, "Bridge reopens") == kept
    assert body_without_headline("Text.", "") == "Text."
    assert repeats_title("“Bridge reopens.”", "Bridge reopens")
