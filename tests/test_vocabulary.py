"""One brief vocabulary: every reader finds the same takeaways and the same analysis.

The plain-text brief, the Markdown brief, a saved HTML page, an RSS item's HTML and a
JSON Feed item's HTML are read over the same cases: each takeaways heading, each
analysis label, numbered, bulleted and glued ordinals
(:mod:`briefreader.sources.vocabulary`).
"""

from __future__ import annotations

import html as htmllib
import json
from collections.abc import Callable

import pytest

from briefreader.model import Article
from briefreader.sources import parse_text
from briefreader.sources.feed import parse_feed
from briefreader.sources.vocabulary import (
    TAKEAWAYS_HEADINGS,
    analysis_label,
    is_takeaways_heading,
    strip_ordinals,
)

BODY = "The story itself runs on for a while, long enough to be the body of the article."
ANALYSIS = "What this means for the market, in one paragraph of analysis."


def _html_parts(heading: str, items: list[str], label: str) -> str:
    out = ""
    if heading:
        lis = "".join(f"<li>{htmllib.escape(t)}</li>" for t in items)
        out += f"<h2>{htmllib.escape(heading)}</h2><ul>{lis}</ul>"
    if label:
        out += f"<h2>{htmllib.escape(label)}</h2><p>{ANALYSIS}</p>"
    return out + f"<h2>More</h2><p>{BODY}</p>"


def brief(heading: str, items: list[str], label: str) -> Article:
    text = "A title\n\nThe dek of the story.\n\n"
    if heading:
        text += heading + "\n\n" + "\n".join(f"• {t}" for t in items) + "\n\n"
    if label:
        text += f"{label}\n\n{ANALYSIS}\n\n"
    [article] = parse_text(text + BODY + "\n", "case.txt", "brief")
    return article


def markdown(heading: str, items: list[str], label: str) -> Article:
    text = "# A title\n\nThe dek of the story.\n\n"
    if heading:
        text += f"## {heading}\n\n" + "\n".join(f"- {t}" for t in items) + "\n\n"
    if label:
        text += f"## {label}\n\n{ANALYSIS}\n\n"
    [article] = parse_text(text + f"## Body\n\n{BODY}\n", "case.md", "markdown")
    return article


def page(heading: str, items: list[str], label: str) -> Article:
    html = (
        "<!doctype html><html><head><title>A title</title></head><body><article>"
        f"<h1>A title</h1><p>The dek of the story.</p>{_html_parts(heading, items, label)}"
        "</article></body></html>"
    )
    [article] = parse_text(html, "case.html", "html")
    return article


def rss(heading: str, items: list[str], label: str) -> Article:
    description = htmllib.escape(_html_parts(heading, items, label))
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        "<link>https://f.example/</link><item><title>A title</title>"
        f"<link>https://f.example/a</link><description>{description}</description>"
        "</item></channel></rss>"
    )
    [article] = parse_feed(xml.encode(), url="https://f.example/feed").items
    return article


def json_feed(heading: str, items: list[str], label: str) -> Article:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "F",
        "items": [
            {
                "id": "1",
                "url": "https://f.example/a",
                "title": "A title",
                "content_html": _html_parts(heading, items, label),
            }
        ],
    }
    [article] = parse_text(json.dumps(doc), "case.json", "json")
    return article


READERS: dict[str, Callable[[str, list[str], str], Article]] = {
    "brief": brief,
    "markdown": markdown,
    "page": page,
    "rss": rss,
    "json_feed": json_feed,
}

HEADINGS = [
    "Key Takeaways",
    "Key takeaway",
    "KEY POINTS",
    "Key Point",
    "Main Points",
    "Key Facts",
    "Key Findings",
    "Highlights",
    "Key Highlights",
    "At a Glance",
    "In brief",
    "TL;DR",
    "TLDR",
    "tl;dr:",
    "The Key Takeaways",
]
LABELS = [
    ("Editor's Desk", "Editor's Desk", ""),
    ("Editor’s Desk", "Editor's Desk", ""),
    ("Editor's Note", "Editor's Note", ""),
    ("Editors Note", "Editors Note", ""),
    ("Editor's Analysis", "Editor's Analysis", ""),
    ("Analysis", "Analysis", ""),
    ("Analysis: The compute wall", "Analysis", "The compute wall"),
    ("Why it matters", "Why it matters", ""),
    ("Why This Matters", "Why This Matters", ""),
    ("The bottom line", "The bottom line", ""),
    ("Our take", "Our take", ""),
]
ORDINALS = [
    (["First point here", "Second point here"], ["First point here", "Second point here"]),
    (["1First point", "2Second point"], ["First point", "Second point"]),
    (["1. First point", "2. Second point"], ["First point", "Second point"]),
    (
        ["1) First point", "2) Second point", "Third point"],
        ["First point", "Second point", "Third point"],
    ),
    (["1 First point", "2 Second point"], ["First point", "Second point"]),
    (
        ["1Microsoft ends it", "22025 budgets rise", "3OpenAI misses"],
        ["Microsoft ends it", "2025 budgets rise", "OpenAI misses"],
    ),
    # one letter-glued item is no evidence of a glued list: a name and a year
    (["1Microsoft ends it", "22025 budgets rise"], ["1Microsoft ends it", "22025 budgets rise"]),
    (
        ["1Password adds passkeys", "2026 forecasts look grim"],
        ["1Password adds passkeys", "2026 forecasts look grim"],
    ),
    (
        ["1Three port authorities", "22025 budgets", "3Harbour fees", "412 of the 41 vessels"],
        ["Three port authorities", "2025 budgets", "Harbour fees", "12 of the 41 vessels"],
    ),
    # numbers glued to a comma or a suffix are numbers
    (["1,000 people came", "2,500 left"], ["1,000 people came", "2,500 left"]),
    (["1st quarter profits", "2nd half outlook"], ["1st quarter profits", "2nd half outlook"]),
    (["1Strong demand", "2Steady supply"], ["Strong demand", "Steady supply"]),
    (["300 jobs cut", "12 plants close"], ["300 jobs cut", "12 plants close"]),
    (["1.5 million users", "2.5 million more"], ["1.5 million users", "2.5 million more"]),
    (["Three cheers", "3 3D printers"], ["Three cheers", "3 3D printers"]),
]


@pytest.mark.parametrize("heading", HEADINGS)
def test_every_reader_knows_every_takeaways_heading(heading: str) -> None:
    assert is_takeaways_heading(heading)
    items = ["The first point of the story", "The second point of the story"]
    for name, read in READERS.items():
        article = read(heading, items, "")
        assert list(article.takeaways) == items, (name, heading)
        assert article.analysis is None, (name, heading)


@pytest.mark.parametrize(("label", "expected", "title"), LABELS)
def test_every_reader_knows_every_analysis_label(label: str, expected: str, title: str) -> None:
    assert analysis_label(label) == (expected, title)
    for name, read in READERS.items():
        article = read("", [], label)
        assert article.analysis is not None, (name, label)
        assert (article.analysis.label, article.analysis.title) == (expected, title), name
        assert article.analysis.body.strip() == ANALYSIS, (name, label)
        assert ANALYSIS not in article.body, (name, label)


@pytest.mark.parametrize(("items", "expected"), ORDINALS)
def test_every_reader_strips_ordinals_alike(items: list[str], expected: list[str]) -> None:
    assert strip_ordinals(items) == expected
    for name, read in READERS.items():
        assert list(read("Key Takeaways", items, "").takeaways) == expected, (name, items)


@pytest.mark.parametrize(
    "text",
    ["Key takeaways from the budget debate", "Highlighted", "Points", "Editorial", "Brief"],
)
def test_not_takeaways_headings(text: str) -> None:
    assert not is_takeaways_heading(text)


@pytest.mark.parametrize(
    "text", ["Editorial", "Market analysis of Q3", "Editor's pick", "Why it matters so much"]
)
def test_not_analysis_labels(text: str) -> None:
    assert analysis_label(text) is None


def test_headings_are_normalised() -> None:
    assert all(h == h.casefold().strip() for h in TAKEAWAYS_HEADINGS)
