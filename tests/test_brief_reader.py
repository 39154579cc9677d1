"""The plain-text brief reader (``briefreader.sources.brief``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefreader.model import Analysis, Article, RelatedLink, article_id
from briefreader.sources import brief, clean_article, parse_text
from briefreader.sources.vocabulary import strip_ordinals

DATA = Path(__file__).parent / "data" / "briefs"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def read(name: str) -> Article:
    path = DATA / name
    articles = brief.parse(path.read_text(encoding="utf-8"), str(path))
    assert len(articles) == 1
    return articles[0]


def one(text: str, origin: str = "paste.txt") -> Article:
    articles = brief.parse(text, origin)
    assert len(articles) == 1
    return articles[0]


# ---------------------------------------------------------------------------------
# the real sample


def test_real_sample_compute_wall() -> None:
    path = SAMPLES / "compute-wall.brief.txt"
    if not path.exists():
        pytest.skip(f"{path} not present")
    a = one(path.read_text(encoding="utf-8"), str(path))
    assert a.title == (
        "The AI Reckoning: OpenAI and Microsoft Pivot as High Costs and Missed Targets Loom"
    )
    assert a.summary.startswith("OpenAI and Microsoft are restructuring their partnership")
    assert a.summary.endswith("a potential end to the unbridled AI hype cycle.")
    assert a.image_caption == (
        "Close-up of a smartphone showing ChatGPT details on the OpenAI website, held by a person."
    )
    assert len(a.takeaways) == 5
    assert a.takeaways[0].startswith("Microsoft has formally ended its exclusive")
    assert a.takeaways[1].startswith("OpenAI reportedly missed")
    assert a.takeaways[2].startswith("The company's CFO warned")
    assert a.takeaways[3].startswith("Major investors and partners")
    assert a.takeaways[4].startswith("Legal pressures continue to mount")
    assert not any(t[0].isdigit() for t in a.takeaways)
    assert a.analysis is not None
    assert a.analysis.label == "Editor's Desk"
    assert a.analysis.title == "Strategic Analysis"
    assert a.analysis.body.startswith("The fraying of the Microsoft-OpenAI partnership")
    assert a.analysis.body.endswith("consolidation is likely beginning.")
    assert "\n" not in a.analysis.body
    assert a.analysis.byline == "China Daily Brief Editorial"
    assert a.analysis.kicker == "Strategic Insight"
    assert a.source == "China Daily Brief"
    paragraphs = a.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The tech world’s most consequential alliance")
    assert paragraphs[3].endswith("the laws of financial gravity.")
    for chrome in ("Share Article", "Related Articles", "No related articles", "\U0001f4f0"):
        assert chrome not in a.body
    assert a.related == ()
    assert a.origin == str(path)
    assert a.id == article_id(title=a.title, source="China Daily Brief")
    assert a.takeaways_derived is False


# ---------------------------------------------------------------------------------
# fixtures, field by field

HARBOUR_TAKEAWAYS = (
    "The port authority will spend an estimated 1.4 billion euros converting two terminals "
    "to remotely operated cranes.",
    "Union leaders say about 800 positions are at risk and have scheduled three 24-hour "
    "stoppages this winter.",
    "Operators argue that automated terminals in Shanghai and Singapore already move boxes "
    "30% faster.",
    "The national government has offered a retraining fund but has not said how large it will be.",
    "Shipping lines are watching closely, since delays in Rotterdam ripple across European "
    "supply chains.",
)


def test_full_brief_every_field() -> None:
    a = read("harbour-robots.brief.txt")
    assert a.title == (
        "Robots on the Quay: Rotterdam Bets Its Future on Driverless Cranes as Unions Push Back"
    )
    assert a.summary == (
        "Europe's largest port is accelerating a plan to automate two more container terminals "
        "by 2028, a move its operators say is needed to stay competitive with Asian hubs. "
        "Dockworkers warn the timetable leaves no room for retraining and have called a series "
        "of short strikes."
    )
    assert a.image_caption == (
        "Aerial view of stacked shipping containers and idle cranes at dusk on a wide river quay."
    )
    assert a.takeaways == HARBOUR_TAKEAWAYS
    assert a.analysis == Analysis(
        label="Editor's Desk",
        title="Structural Outlook",
        body=(
            "Rotterdam's decision is less about robots than about arithmetic. A terminal that "
            "runs around the clock without shift changes wins contracts, and contracts decide "
            "which port becomes the default gateway for a continent. The unions are right that "
            "the social cost has been treated as an afterthought.\n\n"
            "What happens next will be watched in Hamburg and Antwerp, where the same trade-off "
            "is waiting to be made."
        ),
        byline="Harbour Ledger Editorial",
        kicker="Port Watch",
    )
    assert a.source == "Harbour Ledger"
    assert a.body == (
        "The port authority presented the plan on Tuesday to a room of shipping executives, "
        "city officials and, unusually, a delegation from the dockworkers' union. The "
        "presentation promised a phased rollout that would begin with the night shift.\n\n"
        "Union representatives left before the question session. In a short statement they "
        "said the timetable had been decided without them and that the promised retraining "
        'fund was "a number without a figure".\n\n'
        "Analysts note that the port has lost market share to rivals in each of the past three "
        "years, largely on turnaround times for the biggest container ships."
    )
    assert a.related == (
        RelatedLink(
            "Antwerp weighs its own automation timetable", "https://example.org/antwerp-automation"
        ),
        RelatedLink("Why crane software is the new battleground for ports"),
        RelatedLink(
            "Dockworkers across Europe coordinate strike calendar",
            "https://example.org/strike-calendar",
        ),
    )
    assert (a.url, a.author, a.published, a.tags) == ("", "", None, ())
    assert a.takeaways_derived is False
    assert a.origin == str(DATA / "harbour-robots.brief.txt")
    assert a.id == article_id(title=a.title, source="Harbour Ledger")


def test_crlf_line_endings_give_the_same_article() -> None:
    text = (DATA / "harbour-robots.brief.txt").read_text(encoding="utf-8")
    lf = one(text)
    crlf = one(text.replace("\n", "\r\n"))
    cr = one(text.replace("\n", "\r"))
    assert crlf == lf
    assert cr == lf


def test_bom_is_ignored() -> None:
    text = (DATA / "harbour-robots.brief.txt").read_text(encoding="utf-8")
    assert one("\ufeff" + text) == one(text)


def test_header_date_and_url_no_caption_no_analysis() -> None:
    a = read("grid-storage.brief.txt")
    assert a.title == "Grid Batteries Outpace Gas Peakers in Texas Summer Test"
    assert a.published == datetime(2026, 11, 26, tzinfo=UTC)
    assert a.url == "https://example.org/energy/grid-batteries-texas"
    assert a.id == article_id(url="https://example.org/energy/grid-batteries-texas")
    assert a.summary == (
        "Battery plants supplied more evening peak power than gas turbines for the first time "
        "during a summer heat wave, according to the grid operator's preliminary figures."
    )
    assert a.image_caption == ""
    assert a.takeaways == (
        "Batteries delivered up to 9 gigawatts during the hottest evenings of August.",
        "Prices during the evening peak were roughly a third lower than in the previous summer.",
        "The operator still expects gas plants to cover most winter peaks for years to come.",
    )
    assert a.analysis is None
    assert a.source == ""
    assert a.body.split("\n\n") == [
        "The grid operator published the figures in a short note on Monday, cautioning that "
        "they would be revised once metering data was complete.",
        "Developers have added storage faster in the state than anywhere else in the country, "
        "helped by quick permitting and a market that pays for flexibility.",
        "Critics point out that the batteries were charged largely from solar farms, and that a "
        "cloudy heat wave would test the system in a different way.",
    ]
    assert a.related == ()


def test_paren_ordinals_curly_one_line_label_analysis_without_byline() -> None:
    a = read("river-transit.brief.txt")
    assert a.title == "City Approves Electric Ferry Line Linking Three River Districts"
    assert a.summary.startswith("Councillors voted to fund a pilot ferry route")
    assert a.image_caption == ""
    assert a.takeaways == (
        "Six small electric ferries will run every twelve minutes at peak times.",
        "Fares will match a single bus ticket and transfers will be free.",
        "24-hour service is planned on weekends during the first summer.",
        "The pilot is funded for two years before a review.",
    )
    assert a.analysis == Analysis(
        label="Editor's Desk",
        title="",
        body=(
            "Ferries are cheap to start and hard to keep running. The pilot's real test is not "
            "the first summer but the second winter, when fog and low ridership meet the "
            "maintenance bill."
        ),
    )
    assert a.source == ""
    assert a.body == (
        "Transport officials expect construction of the floating stops to begin in the spring, "
        "once the river authority signs off on the mooring design.\n\n"
        "Residents of the upriver estates, who currently face a forty-minute bus ride into town, "
        "were the most vocal supporters at the council meeting."
    )


def test_twelve_glued_takeaways_label_with_title_and_missing_source() -> None:
    a = read("chip-quotas.brief.txt")
    assert (
        a.image_caption
        == "Technicians in white suits inspecting a silicon wafer under yellow light."
    )
    assert len(a.takeaways) == 12
    assert a.takeaways[0] == (
        "Regulators cut the annual quota for lithography tools by roughly a quarter."
    )
    assert a.takeaways[3] == (
        "'Emergency' licences will be available for medical equipment makers."
    )
    assert a.takeaways[9] == "Lawmakers plan hearings on the rules early next year."
    assert a.takeaways[10] == "Allied governments have not yet matched the new limits."
    assert a.takeaways[11] == "The rules will be reviewed again after twelve months."
    assert a.analysis == Analysis(
        label="Editor's Desk",
        title="Market Outlook",
        body=(
            "Quotas are a blunt tool, and blunt tools tend to hit the smallest firms first. "
            "Expect consolidation among suppliers long before the review comes around."
        ),
        byline="Foundry Notes Staff",
        kicker="Market Outlook",
    )
    assert a.source == ""
    assert len(a.body.split("\n\n")) == 2
    assert a.body.startswith("Industry executives spent much of Monday")


def test_no_blank_lines_at_all() -> None:
    a = read("alpine-night-train.brief.txt")
    assert a.title == "Night Trains Return to the Alpine Route"
    assert a.summary == (
        "Operators are reviving an overnight service between two mountain capitals after a "
        "twenty-year gap."
    )
    assert a.takeaways == (
        "Tickets go on sale in March.",
        "Sleeper cabins will sell for the price of a budget flight.",
    )
    assert a.analysis == Analysis(
        label="Editor's Desk",
        title="Second Acts",
        body=(
            "Night trains failed once because they lost money on every seat; this time the "
            "subsidy is written into the contract, which changes the question from whether to "
            "how long."
        ),
        byline="Rail Review Editorial",
        kicker="Travel Insight",
    )
    assert a.source == "Rail Review"
    assert a.body == (
        "The first departures are planned for the end of May, subject to safety approval of "
        "the refurbished carriages."
    )
    assert a.related == ()


def test_unstructured_text_is_title_and_verbatim_body() -> None:
    a = read("field-notes.txt")
    assert a.title == "Notes from the allotment, week 14"
    assert a.summary == "" and a.takeaways == () and a.analysis is None
    assert a.body == (
        "The tomatoes finally came up after the cold spell.\n"
        "Need to buy more twine and a second watering can.\n\n"
        "Neighbour says the slugs are worse this year; try copper tape?\n\n"
        "  - beans: sow again in two weeks\n"
        "  - garlic: leave until July"
    )


# ---------------------------------------------------------------------------------
# variations built in the test

TEMPLATE = """Wind Farm Cleared for Construction Off the Northern Coast

Regulators approved the long-delayed project after a final review of its impact on seabirds.

Turbine blades lined up on a dock waiting to be shipped.

{heading}

{items}

{label}

Open Water

Approval is the easy part; the harder one is finding ships that can install turbines this size.

Coastal Monitor Editorial
Energy Insight
Coastal Monitor

Construction is expected to start next spring and take about three years.
"""

ITEMS = ("The project will power about 400,000 homes.", "Fishing zones will be moved further out.")


def build(
    heading: str = "Key Takeaways", items: str | None = None, label: str = "Editor's\nDesk"
) -> str:
    if items is None:
        items = "\n".join(f"  • {k}{text}" for k, text in enumerate(ITEMS, 1))
    return TEMPLATE.format(heading=heading, items=items, label=label)


def check_template(
    a: Article, *, takeaways: tuple[str, ...] = ITEMS, label: str = "Editor's Desk"
) -> None:
    assert a.title == "Wind Farm Cleared for Construction Off the Northern Coast"
    assert a.summary == (
        "Regulators approved the long-delayed project after a final review of its impact "
        "on seabirds."
    )
    assert a.image_caption == "Turbine blades lined up on a dock waiting to be shipped."
    assert a.takeaways == takeaways
    assert a.analysis is not None
    assert a.analysis.label == label
    assert a.analysis.title == "Open Water"
    assert a.analysis.body == (
        "Approval is the easy part; the harder one is finding ships that can install turbines "
        "this size."
    )
    assert a.analysis.byline == "Coastal Monitor Editorial"
    assert a.analysis.kicker == "Energy Insight"
    assert a.source == "Coastal Monitor"
    assert a.body == "Construction is expected to start next spring and take about three years."


def test_template_baseline() -> None:
    check_template(one(build()))


@pytest.mark.parametrize(
    "heading",
    [
        "Key Takeaways",
        "Key takeaways",
        "KEY TAKEAWAYS",
        "key takeaways:",
        "Key Points",
        "KEY POINTS",
        "Highlights",
        "highlights",
        "TL;DR",
        "tl;dr:",
        "TLDR",
        "**Key Takeaways**",
        "## Key Points",
    ],
)
def test_takeaways_headings(heading: str) -> None:
    check_template(one(build(heading=heading)))


@pytest.mark.parametrize("bullet", ["•", "·", "-", "*", "–", "▪", "●", "◦", ""])
@pytest.mark.parametrize("ordinal", ["{k}", "{k}. ", "{k}) ", "{k} ", ""])
def test_bullets_and_ordinals(bullet: str, ordinal: str) -> None:
    prefix = f"  {bullet} " if bullet else ""
    items = "\n".join(prefix + ordinal.format(k=k) + text for k, text in enumerate(ITEMS, 1))
    check_template(one(build(items=items)))


@pytest.mark.parametrize(
    "label",
    [
        "Editor's\nDesk",
        "Editor’s\nDesk",
        "Editor's Desk",
        "Editor’s Desk",
        "EDITOR'S DESK",
        "Editor's\n\nDesk",
    ],
)
def test_analysis_label_forms(label: str) -> None:
    expected = "EDITOR'S DESK" if label.isupper() else "Editor's Desk"
    check_template(one(build(label=label)), label=expected)


def test_label_with_title_on_the_same_line() -> None:
    text = build(label="Editor's Desk: Open Water").replace("\nOpen Water\n", "\n", 1)
    check_template(one(text))


def test_ten_or_more_glued_takeaways() -> None:
    texts = [f"Point number {word} is made here." for word in "abcdefghijklmn"]
    items = "\n".join(f"  • {k}{t}" for k, t in enumerate(texts, 1))
    a = one(build(items=items))
    assert a.takeaways == tuple(texts)


def test_bullets_separated_by_blank_lines_and_wrapped() -> None:
    items = "  • 1First point\nthat wraps onto a second line.\n\n  • 2Second point."
    a = one(build(items=items))
    assert a.takeaways == ("First point that wraps onto a second line.", "Second point.")


def test_no_image_caption() -> None:
    text = build().replace("Turbine blades lined up on a dock waiting to be shipped.\n\n", "")
    a = one(text)
    assert a.image_caption == ""
    assert a.summary.startswith("Regulators approved")
    assert a.takeaways == ITEMS


def test_no_analysis() -> None:
    text = build()
    start = text.index("Editor's")
    end = text.index("Construction is expected")
    a = one(text[:start] + text[end:])
    assert a.analysis is None
    assert a.source == ""
    assert a.takeaways == ITEMS
    assert a.body == "Construction is expected to start next spring and take about three years."


def test_analysis_without_byline_group() -> None:
    text = build().replace("Coastal Monitor Editorial\nEnergy Insight\nCoastal Monitor\n\n", "")
    a = one(text)
    assert a.analysis is not None
    assert a.analysis.body.startswith("Approval is the easy part")
    assert (a.analysis.byline, a.analysis.kicker, a.source) == ("", "", "")
    assert a.body == "Construction is expected to start next spring and take about three years."


def test_byline_and_source_only() -> None:
    text = build().replace("Energy Insight\n", "")
    a = one(text)
    assert a.analysis is not None
    assert (a.analysis.byline, a.analysis.kicker, a.source) == (
        "Coastal Monitor Editorial",
        "",
        "Coastal Monitor",
    )


def test_dash_byline_line() -> None:
    text = build().replace(
        "Coastal Monitor Editorial\nEnergy Insight\nCoastal Monitor\n", "— Mara Jensen\n"
    )
    a = one(text)
    assert a.analysis is not None
    assert a.analysis.byline == "Mara Jensen"
    assert a.source == ""


def test_analysis_title_and_byline_group_without_text() -> None:
    text = build().replace(
        "Approval is the easy part; the harder one is finding ships that can install turbines "
        "this size.\n\n",
        "",
    )
    a = one(text)
    assert a.analysis == Analysis(
        body="",
        label="Editor's Desk",
        title="Open Water",
        byline="Coastal Monitor Editorial",
        kicker="Energy Insight",
    )
    assert a.source == "Coastal Monitor"
    assert a.body == "Construction is expected to start next spring and take about three years."


def test_editors_pick_is_not_an_analysis() -> None:
    a = one("Title\n\nDek.\n\nKey Takeaways\n\n• 1One\n\nEditor's Pick: Ten books\n\nBody.")
    assert a.analysis is None
    assert a.body == "Editor's Pick: Ten books\n\nBody."


def test_related_titles_become_links() -> None:
    text = build() + (
        "\nShare Article\n\nRelated Articles\n\n\U0001f4f0\nShips for giant turbines are scarce\n"
        "https://example.org/ships\n\ue001\nSeabird survey results published\n"
    )
    a = one(text)
    check_template(a)
    assert a.related == (
        RelatedLink("Ships for giant turbines are scarce", "https://example.org/ships"),
        RelatedLink("Seabird survey results published"),
    )


def test_lone_share_line_in_the_middle_is_dropped() -> None:
    text = build().replace("Construction is expected", "Share Article\n\nConstruction is expected")
    check_template(one(text))


# ---------------------------------------------------------------------------------
# the ordinal rule


def items_of(*lines: str) -> tuple[str, ...]:
    text = "Title\n\nDek paragraph here.\n\nKey Takeaways\n\n" + "\n".join(lines) + "\n"
    return one(text).takeaways


def test_glued_ordinal_followed_by_digit_is_kept() -> None:
    # Item 1 "12 firms joined" — the due ordinal 1 is followed by a digit, and the list
    # is not fully glued (item 5 has no ordinal): keep it whole.
    assert items_of(
        "• 12 firms joined", "• 2Prices rose", "• 3Talks resume", "• 4Rents fall", "• Calm"
    ) == ("12 firms joined", "Prices rose", "Talks resume", "Rents fall", "Calm")


def test_bullet_with_glued_ordinal_before_digits_in_a_fully_glued_list() -> None:
    # Every item carries its glued due ordinal (a scraped numbered list): strip it, and
    # only it, also where a digit follows.
    assert items_of(
        "• 1Three port authorities agreed to share data.",
        "• 22025 budgets were cut by a fifth.",
        "• 3Ministers met on Tuesday.",
        "• 412 of the 41 vessels were inspected.",
    ) == (
        "Three port authorities agreed to share data.",
        "2025 budgets were cut by a fifth.",
        "Ministers met on Tuesday.",
        "12 of the 41 vessels were inspected.",
    )


_ITEM_TEXT = st.text(alphabet="abcdefghij0123456789 ", min_size=1, max_size=40).filter(
    lambda t: t[0].isalnum() and t == t.strip()
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_ITEM_TEXT, min_size=1, max_size=6), word=st.sampled_from("xyz"))
def test_fully_glued_bulleted_list_gives_back_its_texts(texts: list[str], word: str) -> None:
    # Whatever each item's text starts with (digits included), "• {k}{text}" for every
    # k is read back as the text: the due ordinal, and only it, is stripped — once
    # the list is plainly glued: every other item, and the last, starts with a letter.
    texts = [t for text in texts for t in (text, word + "ord follows")]
    texts = [*texts, word + "ord ends the list"]
    lines = [f"• {k}{text}" for k, text in enumerate(texts, 1)]
    got = items_of(*lines)
    assert tuple(" ".join(t.split()) for t in got) == tuple(" ".join(t.split()) for t in texts)


def test_one_letter_glued_item_beside_a_year_is_not_a_glued_list() -> None:
    # A name that starts with a digit and a year: no ordinal anywhere.
    assert items_of("• 1Password adds passkeys", "• 2026 forecasts look grim") == (
        "1Password adds passkeys",
        "2026 forecasts look grim",
    )
    # The glued list still loses its ordinals, also before digits.
    assert items_of(
        "• 1Three port authorities agreed to share data.",
        "• 22025 budgets were cut by a fifth.",
        "• 3Harbour fees rose.",
        "• 412 of the 41 vessels were inspected.",
    ) == (
        "Three port authorities agreed to share data.",
        "2025 budgets were cut by a fifth.",
        "Harbour fees rose.",
        "12 of the 41 vessels were inspected.",
    )


_NUMBER = st.one_of(
    st.integers(1900, 2100).map(str),  # years
    st.integers(10, 99_999).map(str),  # counts
    st.integers(10, 999).map(lambda n: f"{n // 10}.{n % 10}"),  # decimals
    st.integers(1, 99).map(lambda n: f"{n},{n * 7 % 1000:03d}"),  # thousands
)
_SENTENCE = st.tuples(
    _NUMBER, st.sampled_from(["forecasts look grim", "jobs were cut", "ships docked"])
).map(" ".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sentences=st.lists(_SENTENCE, min_size=1, max_size=8),
    glued=st.one_of(st.none(), st.sampled_from(["Password adds passkeys", "Three ports"])),
    where=st.integers(0, 8),
)
def test_numbers_with_at_most_one_letter_glued_ordinal_stay(
    sentences: list[str], glued: str | None, where: int
) -> None:
    # Ordinary sentences that start with numbers (years, counts), and at most one item
    # that starts with its due ordinal glued to a letter: the list is left unchanged.
    items = list(sentences)
    if glued is not None:
        at = where % (len(items) + 1)
        items.insert(at, f"{at + 1}{glued}")
    assert strip_ordinals(items) == items
    assert items_of(*(f"• {t}" for t in items)) == tuple(items)


def test_digits_that_are_not_the_due_ordinal_stay() -> None:
    assert items_of("• 1Printers sold out", "• 2Orders doubled", "• 3 3D printers shipped") == (
        "Printers sold out",
        "Orders doubled",
        "3D printers shipped",
    )
    assert items_of("• 1Alpha", "• 3D printers shipped", "• 3Gamma", "• 4Delta") == (
        "Alpha",
        "3D printers shipped",
        "Gamma",
        "Delta",
    )
    assert items_of(
        "• 1Deals closed", "• 23andMe agreed to a sale", "• 3Shares fell", "• 4Bids", "• Calm"
    ) == ("Deals closed", "23andMe agreed to a sale", "Shares fell", "Bids", "Calm")


def test_glued_ordinal_before_a_digit() -> None:
    # In a fully glued list the due "2" before "3D printers" is stripped ...
    assert items_of("• 1Alpha", "• 23D printers shipped", "• 3Gamma") == (
        "Alpha",
        "3D printers shipped",
        "Gamma",
    )
    # ... in one that is not, a remainder starting with a digit keeps it.
    assert items_of("• 1Alpha", "• 23D printers shipped", "• 3Gamma", "• 4Delta", "• Eps") == (
        "Alpha",
        "23D printers shipped",
        "Gamma",
        "Delta",
        "Eps",
    )


def test_a_list_that_is_not_numbered_keeps_its_digits() -> None:
    assert items_of("• 1Gbps links arrive", "• Prices fall", "• Rollout slows") == (
        "1Gbps links arrive",
        "Prices fall",
        "Rollout slows",
    )


def test_separated_ordinal_is_stripped_even_before_digits() -> None:
    assert items_of("1. 12 firms joined", "2. 3D printers shipped") == (
        "12 firms joined",
        "3D printers shipped",
    )
    assert items_of("1 12 firms joined", "2 3D printers shipped") == (
        "12 firms joined",
        "3D printers shipped",
    )


def test_decimal_is_not_an_ordinal() -> None:
    assert items_of("- 1.5 million people moved", "- Rents rose") == (
        "1.5 million people moved",
        "Rents rose",
    )


def test_unnumbered_bullets_keep_leading_numbers() -> None:
    assert items_of("• 1 in 5 adults cycle", "• 40 cities joined") == (
        "1 in 5 adults cycle",
        "40 cities joined",
    )
    assert items_of("• 1 in 5 adults cycle") == ("1 in 5 adults cycle",)


def test_mostly_numbered_long_list() -> None:
    assert items_of("• 1Alpha", "• 2Beta", "• 3Gamma", "• 55 percent agree") == (
        "Alpha",
        "Beta",
        "Gamma",
        "55 percent agree",
    )
    # (fully glued: "44 percent" as item 4 is the ordinal 4 and "4 percent")
    assert items_of("• 1Alpha", "• 2Beta", "• 3Gamma", "• 44 percent agree")[3] == (
        "4 percent agree"
    )


def test_plain_lines_are_items() -> None:
    assert items_of("Alpha rises", "Beta falls") == ("Alpha rises", "Beta falls")


# ---------------------------------------------------------------------------------
# arbitrary text


def test_empty_and_blank_text_give_nothing() -> None:
    assert brief.parse("", "x") == []
    assert brief.parse(" \n\r\n\t\n", "x") == []


def test_single_line() -> None:
    a = one("Just a headline")
    assert a.title == "Just a headline"
    assert a.body == ""
    assert a.id == article_id(title="Just a headline")


def test_long_first_line_is_cut_and_kept_in_body() -> None:
    line = " ".join(["word"] * 100)
    a = one(line + "\n\nSecond paragraph.")
    assert len(a.title) <= 200
    assert a.title.endswith("…")
    assert a.body == line + "\n\nSecond paragraph."


def test_five_megabyte_single_line_is_fast() -> None:
    cases = [
        "x" * 5_000_000,
        ("word " * 1_000_000),
        " " * 5_000_000 + "x",
        "1" * 5_000_000,
        "• " + "1" * 5_000_000,
        "Title\n\nKey Takeaways\n\n• 1" + "a " * 2_500_000,
        "Title\n\n" + "http://" + "a" * 5_000_000,
    ]
    for text in cases:
        start = time.thread_time()
        articles = brief.parse(text, "big.txt")
        cleaned = parse_text(text, "big.txt", "brief")
        elapsed = time.thread_time() - start
        assert len(articles) == 1 and len(cleaned) == 1
        assert len(articles[0].title) <= 200
        assert elapsed < 5, f"{elapsed:.2f}s for {text[:20]!r}"


def test_many_short_lines_are_fast() -> None:
    text = "Title\n\nKey Takeaways\n\n" + "• 1a\n" * 200_000 + "Share\n" * 100_000
    start = time.thread_time()
    brief.parse(text, "many.txt")
    assert time.thread_time() - start < 5


def test_parse_text_uses_this_reader_and_cleans() -> None:
    articles = parse_text("Title \x1b[31mred\x1b[0m\n\nBody\x07 text", "t.txt", "brief")
    assert articles[0].title == "Title red"
    assert articles[0].body == "Body text"


HEADING_WORDS = [
    "Key Takeaways",
    "Key Points",
    "TL;DR",
    "Highlights",
    "Editor's",
    "Editor’s",
    "Desk",
    "Editor's Desk: Title",
    "Strategic Analysis",
    "Share Article",
    "Related Articles",
    "No related articles found",
    "\U0001f4f0",
    "\ue000",
    "China Daily Brief",
    "— Byline",
    "By Jane Doe",
    "26 Nov 2026",
    "https://example.org/x",
    "Image: a photo",
]
line = st.one_of(
    st.sampled_from(HEADING_WORDS),
    st.text(max_size=60),
    st.builds(
        lambda b, k, t: f"{b} {k}{t}",
        st.sampled_from(["•", "-", "*", "", "▪"]),
        st.integers(0, 15),
        st.text(max_size=20),
    ),
    st.just(""),
)
structured = st.lists(line, max_size=40).map("\n".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), structured))
def test_never_raises(text: str) -> None:
    articles = brief.parse(text, "fuzz.txt")
    if not text.removeprefix("\ufeff").strip():
        assert articles == []
        return
    assert len(articles) == 1
    a = articles[0]
    assert a.origin == "fuzz.txt"
    assert len(a.title) <= 200
    assert a.id
    clean_article(a)


@settings(max_examples=100, deadline=None)
@given(structured.map(lambda t: t.replace("\r", "")))
def test_crlf_never_changes_the_result(text: str) -> None:
    assert brief.parse(text.replace("\n", "\r\n"), "x") == brief.parse(text, "x")
