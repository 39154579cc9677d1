"""The HTML reader: saved pages, and the HTML helpers the feed readers use."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from briefreader.model import Analysis, Article, RelatedLink, article_id
from briefreader.sources import SourceError, read_file
from briefreader.sources.html import (
    MAX_DEPTH,
    extract_brief_parts,
    html_to_markdown,
    is_analysis_heading,
    is_takeaways_heading,
    parse,
    safe_url,
    strip_ordinals,
    too_deeply_nested,
)

DATA = Path(__file__).parent / "data" / "html"


def page(name: str) -> Article:
    [article] = read_file(DATA / name).articles
    return article


def one(html: str) -> Article:
    [article] = parse(html, "page.html")
    return article


# -- a saved news page with all the chrome -------------------------------------------


@pytest.fixture(scope="module")
def harbour() -> Article:
    return page("harbour-page.html")


def test_page_metadata(harbour: Article) -> None:
    assert harbour.title == "Port of Halvik Automates Its Night Shift"  # " | Site" stripped
    assert harbour.source == "The Coastal Ledger"
    assert harbour.url == "https://ledger.example.com/ports/halvik-night-shift"  # canonical
    assert harbour.id == article_id(url=harbour.url)
    assert harbour.author == "Ingrid Solberg"
    assert harbour.published == datetime(2026, 3, 14, 6, 30, tzinfo=timezone(timedelta(hours=1)))
    assert harbour.tags == ("Shipping", "Automation")
    assert harbour.origin == str(DATA / "harbour-page.html")


def test_page_dek_and_caption(harbour: Article) -> None:
    assert harbour.summary == (
        "Cranes at the northern terminal now run unattended after dark,"
        " and the dockworkers' union says it was never asked."
    )
    assert harbour.image_caption == (
        "Gantry cranes at Halvik's northern terminal, photographed at 2 a.m."
    )


def test_page_takeaways(harbour: Article) -> None:
    assert harbour.takeaways == (
        "Six remote-controlled cranes now work the night shift without an operator in the cab.",
        "The port authority expects container throughput to rise by a fifth this year.",
        "The union has filed a grievance, saying the change breaks its 2024 agreement.",
    )
    assert not harbour.takeaways_derived


def test_page_analysis(harbour: Article) -> None:
    assert harbour.analysis == Analysis(
        label="Editor's Desk",
        title="Automation arrives quietly",
        body=(
            "Halvik is small, but the way it automated matters more than the scale: step by"
            " step, without a public debate, until the change was already routine.\n\n"
            "Other mid-sized ports are watching the grievance closely."
        ),
        byline="Coastal Ledger Editorial",
    )


def test_page_related_links(harbour: Article) -> None:
    assert harbour.related == (
        RelatedLink(
            "Dock unions weigh their options", "https://ledger.example.com/ports/union-grievances"
        ),
        RelatedLink(
            "Container throughput hits record", "https://ledger.example.com/ports/throughput-2025"
        ),
        # the page's own URL is not related to itself
    )


def test_page_body_is_the_story_only(harbour: Article) -> None:
    assert harbour.body == (
        "The northern terminal at Halvik went quiet in an unusual way last week: the cranes kept"
        " moving, but nobody was sitting in them. Operators now steer the machines from a control"
        " room [two kilometres away](https://ledger.example.com/ports/control-room), and at night"
        " the software handles most moves on its own.\n\n"
        "## A long time coming\n\n"
        "Port managers first tested remote operation in 2023. Pilots ran on weekends, then on slow"
        " weekdays, before the switch was made permanent.\n\n"
        "- Weekend pilot: 2023\n"
        "- Weekday pilot: 2025\n\n"
        "Union officials said the announcement arrived by email. Read the letter for yourself."
    )


@pytest.mark.parametrize(
    "chrome",
    [
        "We use cookies",
        "Share",
        "Copy link",
        "Sign up",
        "Advertisement",
        "Key Takeaways",
        "Editor's Desk",
        "Related Articles",
        "Dock unions",
        "News",
        "©",
        "not content",
        "font-family",
        "javascript:",
        "Gantry cranes",
        "By Ingrid",
    ],
)
def test_page_chrome_left_out(harbour: Article, chrome: str) -> None:
    assert chrome not in harbour.body


def test_page_without_article_element() -> None:
    art = page("plain-layout.html")
    assert art.title == "Night Trains Return to the Northern Line"  # JSON-LD headline
    assert art.source == "Rail Digest"  # JSON-LD publisher
    assert art.author == "Tomas Berg, Ana Ruiz"  # JSON-LD authors
    assert art.published == datetime(2025, 12, 1, 22, 10, tzinfo=UTC)
    assert art.summary.startswith("Sleeper services resume")  # meta description
    assert art.tags == ("rail", "night trains", "travel")  # meta keywords
    assert art.takeaways == (
        "Night trains are back after six years.",
        "Twelve refurbished carriages.",
    )
    assert art.analysis == Analysis(
        label="Analysis",
        body=(
            "Rail travel at night competes with short flights only when it arrives early enough"
            " to be useful; this timetable does."
        ),
    )
    paragraphs = art.body.split("\n\n")
    assert paragraphs[0].startswith("The first sleeper train in six years")
    assert paragraphs[-2:] == [
        "## What comes next",
        "A second route to the west coast is planned for 2027.",
    ]
    assert "Most read" not in art.body and "Home" not in art.body


# -- metadata fallbacks -------------------------------------------------------------


def test_title_from_title_element_keeps_suffix_when_site_unknown() -> None:
    art = one("<title>Fog Delays Flights | Airport News</title><p>Text.</p>")
    assert art.title == "Fog Delays Flights | Airport News"


def test_title_suffix_stripped_when_site_known() -> None:
    html = (
        '<meta property="og:site_name" content="Airport News">'
        "<title>Fog Delays Flights | Airport News</title><p>Text.</p>"
    )
    assert one(html).title == "Fog Delays Flights"
    assert one(html.replace("| Airport News", "— Airport News")).title == "Fog Delays Flights"


def test_title_from_h1() -> None:
    art = one("<title>Site</title><article><h1>The Real Headline</h1><p>Story text.</p></article>")
    assert art.title == "The Real Headline"
    assert art.body == "Story text."  # the headline is not repeated in the body


def test_og_and_time_fallbacks() -> None:
    html = """
      <meta property="og:title" content="OG Title">
      <meta property="og:description" content="OG description text.">
      <meta property="og:url" content="https://site.example/og">
      <meta property="article:author" content="https://facebook.example/someone">
      <article><p>Body <a rel="author" href="/a">Kim Lee</a>.</p>
      <time datetime="2024-05-06T07:08:09Z">May 6</time></article>"""
    art = one(html)
    assert art.title == "OG Title"
    assert art.summary == "OG description text."
    assert art.url == "https://site.example/og"
    assert art.author == "Kim Lee"  # article:author was a URL, so rel=author
    assert art.published == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_non_http_canonical_is_ignored() -> None:
    art = one('<link rel="canonical" href="file:///etc/passwd"><h1>T</h1><p>x</p>')
    assert art.url == ""


def test_relative_links_resolve_against_the_canonical_url() -> None:
    html = '<link rel="canonical" href="https://news.example/a/b"><p><a href="../c">C</a></p>'
    assert one(html).body == "[C](https://news.example/c)"


def test_page_with_nothing_in_it_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty-page.html"
    path.write_text("<html><head></head><body>  </body></html>")
    with pytest.raises(SourceError, match="no article found"):
        read_file(path)


def test_broken_json_ld_is_ignored() -> None:
    html = '<script type="application/ld+json">[[[[[</script><h1>Fine</h1><p>Body</p>'
    assert one(html).title == "Fine"


def test_deep_json_ld_is_ignored() -> None:
    html = f'<script type="application/ld+json">{"[" * 100_000}</script><h1>Fine</h1><p>B</p>'
    assert one(html).title == "Fine"


# -- HTML → Markdown --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<h1>Big</h1><h2>Sub</h2><h3>Small</h3><p>x</p>", "## Big\n\n## Sub\n\n### Small\n\nx"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
        ('<ol start="3"><li>c</li></ol>', "3. c"),
        ("<ul><li>a<ul><li>a1</li></ul></li><li>b</li></ul>", "- a\n  - a1\n- b"),
        ("<ul><li><p>para one</p><p>para two</p></li></ul>", "- para one\n  para two"),
        ("<p>x</p><ul><li>a</li></ul><p>y</p>", "x\n\n- a\n\ny"),
        ("<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2"),
        ("<pre><code>a = 1\n  b = 2</code></pre>", "```\na = 1\n  b = 2\n```"),
        ("<p>a<br>b</p>", "a\\\nb"),  # a hard break: the line stays a line
        ("<p>use <code>ls -l</code> here</p>", "use `ls -l` here"),
        ("<p>  lots   of\n\n   space </p>", "lots of space"),
        ("<p>&amp; &lt;tag&gt; &eacute; &#x1F680;</p>", "& <tag> é 🚀"),
        ("<div>loose text<p>para</p>tail</div>", "loose text\n\npara\n\ntail"),
        (
            "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>",
            "A | B\\\n1 | 2",  # rows: hard breaks, one line each
        ),
        ("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>", "a\n\nb"),
        ("<p>shown</p><p hidden>hidden</p><p aria-hidden=true>also</p>", "shown"),
        ("<form><p>in a form</p><button>Go</button></form><p>out</p>", "out"),
        ("<p>x<iframe src=y>fallback</iframe><svg><text>svg</text></svg></p>", "x"),
        ("<p><em>soft</em> and <strong>hard</strong></p>", "soft and hard"),
        ("<p>a</p><hr><p>b</p>", "a\n\nb"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://e.example/x", "[link](https://e.example/x)"),
        ("http://e.example/x", "[link](http://e.example/x)"),
        ("mailto:me@e.example", "[link](mailto:me@e.example)"),
        ("javascript:alert(1)", "link"),
        ("JaVaScRiPt:alert(1)", "link"),
        ("data:text/html,<b>x</b>", "link"),
        ("file:///etc/passwd", "link"),
        ("vbscript:msgbox", "link"),
        ("#section", "link"),
        ("/relative/path", "link"),  # no base URL to resolve against
        ("https://e.example/a b(c)", "[link](https://e.example/a%20b%28c%29)"),
    ],
)
def test_link_schemes(href: str, expected: str) -> None:
    assert html_to_markdown(f'<p><a href="{href}">link</a></p>') == expected


def test_relative_link_with_base_url() -> None:
    md = html_to_markdown('<a href="/p/1">one</a>', base_url="https://site.example/x/")
    assert md == "[one](https://site.example/p/1)"


def test_link_text_brackets_are_escaped_and_bare_urls_stay_bare() -> None:
    assert html_to_markdown('<a href="https://e.example/">[x]</a>') == (
        "[\\[x\\]](https://e.example/)"
    )
    assert html_to_markdown('<a href="https://e.example/">https://e.example/</a>') == (
        "https://e.example/"
    )


def test_text_that_looks_like_a_markdown_block_stays_text() -> None:
    # Typed marks at a line's start are the author's characters, not Markdown's.
    assert html_to_markdown("<p>* one star</p><p>+ plus</p><p>2) two</p>") == (
        "\\* one star\n\n\\+ plus\n\n2\\) two"
    )
    assert html_to_markdown("<ol><li>1. already numbered</li></ol>") == "1. 1\\. already numbered"
    assert html_to_markdown("<p>a<br>---<br>b<br>===</p>") == "a\\\n\\---\\\nb\\\n\\==="
    # Not a block's start: left alone.
    assert html_to_markdown("<p>-dash *stars* 3.5 #tag</p>") == "-dash *stars* 3.5 #tag"


def test_safe_url() -> None:
    assert safe_url("https://a.example/") == "https://a.example/"
    assert safe_url("//cdn.example/x", "https://a.example/") == "https://cdn.example/x"
    assert safe_url("javascript:x", "https://a.example/") == ""
    assert safe_url("http://") == ""
    assert safe_url("http://[::1") == ""  # invalid IPv6 literal
    assert safe_url(None) == ""


# -- takeaways and analysis in item HTML -------------------------------------------------


def test_extract_brief_parts() -> None:
    html = """
      <p>Intro.</p>
      <h3>Key Points</h3>
      <ol><li>1. First</li><li>2. Second</li></ol>
      <p>Middle.</p>
      <h3>Editor's Note</h3>
      <p>An opinion.</p>
      <p>Another thought.</p>
      <p>— The Desk</p>
      <h3>After</h3>
      <p>Last.</p>"""
    body, takeaways, analysis = extract_brief_parts(html)
    assert body == "Intro.\n\nMiddle.\n\n### After\n\nLast."
    assert takeaways == ["First", "Second"]
    assert analysis == Analysis(
        label="Editor's Note", body="An opinion.\n\nAnother thought.", byline="The Desk"
    )


def test_extract_brief_parts_nothing_special() -> None:
    assert extract_brief_parts("<p>Just text.</p>") == ("Just text.", [], None)
    assert extract_brief_parts("") == ("", [], None)


_BRIEF_LAYOUT = """
  <h1>A night ferry</h1>
  <p>The ferry board voted on Tuesday to run a night crossing from April.</p>
  <h2>Key Takeaways</h2><ul><li>Boats every hour.</li><li>Fares unchanged.</li></ul>
  <h2>Why it matters</h2>{analysis}
  <p>Shift workers on the island have asked for a late boat for years.</p>
  <p>The board said the crossing would be paid for by the harbour fund.</p>"""
_STORY = (
    "Shift workers on the island have asked for a late boat for years.\n\n"
    "The board said the crossing would be paid for by the harbour fund."
)


def test_an_unended_analysis_in_a_brief_layout_ends_after_its_first_paragraph() -> None:
    # Lede, takeaways, the analysis, then the story with no heading of its own: the
    # story stays in the body, after the lede and in its order, not in the panel.
    html = _BRIEF_LAYOUT.format(analysis="<p>It is the <a href='/plan'>plan's</a> first test.</p>")
    body, takeaways, analysis = extract_brief_parts(html, "https://ferry.example/a")
    assert takeaways == ["Boats every hour.", "Fares unchanged."]
    assert analysis == Analysis(
        label="Why it matters", body="It is the [plan's](https://ferry.example/plan) first test."
    )
    # (A headline above the lede is not story told before the analysis.)
    assert body == (
        "## A night ferry\n\n"
        "The ferry board voted on Tuesday to run a night crossing from April.\n\n" + _STORY
    )


def test_an_unended_analysis_runs_to_its_byline_or_keeps_its_title() -> None:
    signed = "<p>One view.</p><p>A second view.</p><p>— Ana Ruiz, transport editor</p>"
    body, _, analysis = extract_brief_parts(_BRIEF_LAYOUT.format(analysis=signed))
    assert analysis == Analysis(
        label="Why it matters",
        body="One view.\n\nA second view.",
        byline="Ana Ruiz, transport editor",
    )
    assert body.endswith(_STORY) and "view" not in body
    titled = "<h3>A late boat, at last</h3><p>One view.</p>"
    body, _, analysis = extract_brief_parts(_BRIEF_LAYOUT.format(analysis=titled))
    assert analysis == Analysis(
        label="Why it matters", title="A late boat, at last", body="One view."
    )
    assert body.endswith(_STORY) and "late boat, at last" not in body


_LONG = "The survey counted every boat on the river over two weeks in the spring. " * 6

#: Unended analyses whose shape says the whole run is the analysis: (html, its body).
_WHOLE_RUNS = [
    # the story told before it (here wrapped in a div): an analysis closing the item
    (
        f"<div><p>{_LONG}</p><p>{_LONG}</p></div><h2>Why it matters</h2><p>A1.</p><p>A2.</p>",
        "A1.\n\nA2.",
    ),
    # nothing before it: the item is its analysis
    ("<h2>Why it matters</h2><p>A1.</p><p>A2.</p><p>A3.</p>", "A1.\n\nA2.\n\nA3."),
    # sections of its own
    (
        "<p>Lede.</p><h2>Why it matters</h2><h3>Costs</h3><p>A1.</p><h3>Risks</h3><p>A2.</p>",
        "A1.\n\n### Risks\n\nA2.",  # (its first subheading is its title)
    ),
    # text outside any block: a sentence is not cut in two
    (
        "<p>Lede.</p><h2>Why it matters</h2>It is <b>the plan's</b> first test.<br>More.<p>S.</p>",
        "It is the plan's first test.\\\nMore.\n\nS.",
    ),
    # a short story told first (two paragraphs), or one in a wrapper of its own
    (
        f"<p>{_LONG[:300]}</p><p>{_LONG[:300]}</p><h2>Why it matters</h2><p>A1.</p><p>A2.</p>",
        "A1.\n\nA2.",
    ),
    (
        f"<div><p>{_LONG}</p><p>{_LONG}</p></div><div><p>Pre.</p><h2>Why it matters</h2><p>A1.</p>"
        "<p>A2.</p></div>",
        "A1.\n\nA2.",
    ),
    # takeaways after the analysis: still nothing before it
    (
        "<h2>Why it matters</h2><p>A1.</p><p>A2.</p><div class='takeaways'><ul><li>T.</li>"
        "</ul></div>",
        "A1.\n\nA2.",
    ),
    # a list first, or a signature first: not a paragraph to end after
    ("<p>Lede.</p><h2>Why it matters</h2><ul><li>A1.</li></ul><p>S.</p>", "- A1.\n\nS."),
    (
        "<p>Lede.</p><h2>Why it matters</h2><p>— Ana Ruiz</p><p>A1.</p><p>S.</p>",
        "— Ana Ruiz\n\nA1.\n\nS.",
    ),
]


@pytest.mark.parametrize(("html", "analysis_body"), _WHOLE_RUNS)
def test_an_unended_analysis_is_kept_whole_when_its_shape_says_so(
    html: str, analysis_body: str
) -> None:
    body, _, analysis = extract_brief_parts(html)
    assert analysis is not None and analysis.body == analysis_body, analysis
    assert "A1." not in body


_TAKEAWAYS = "<h2>Key Takeaways</h2><ul><li>Boats every hour.</li></ul>"
_LEDE = "<p>The ferry board voted on Tuesday to run a night crossing from April.</p>"
_WHY = "<h2>Why it matters</h2>"

#: Brief-shaped items whose story follows an unended analysis: (html, the analysis's
#: body, what the body holds after the lede, in order).
_BRIEF_SHAPES = [
    # a long lede and a photo's caption before the takeaways
    (
        f"<figure><img src='https://i.example/q.jpg'><figcaption>{_LONG[:200]}</figcaption>"
        f"</figure><p>{_LONG[:450]}</p>{_TAKEAWAYS}{_WHY}<p>A1.</p><p>S1.</p><p>S2.</p>",
        "A1.",
        ["S1.", "S2."],
    ),
    # the lede only in the dek: takeaways, then the analysis, then the story
    (f"{_TAKEAWAYS}{_WHY}<p>A1.</p><p>S1.</p><p>S2.</p>", "A1.", ["S1.", "S2."]),
    # paragraphs as divs of text
    (f"{_LEDE}{_TAKEAWAYS}{_WHY}<div>A1.</div><div>S1.</div><div>S2.</div>", "A1.", ["S1.", "S2."]),
    # the story with subheads of its own, loose text and inline markup
    (
        f"{_LEDE}{_TAKEAWAYS}{_WHY}<p>A1.</p><h3>Cost</h3><p>S1.</p><h3>Timing</h3>"
        "<b>Update:</b> S2.<br><br>S3.",
        "A1.",
        ["### Cost", "S1.", "### Timing", "Update: S2.", "S3."],
    ),
    # a paragraph that introduces a list keeps it; dialogue is no signature
    (
        f"{_LEDE}{_TAKEAWAYS}{_WHY}<p>Three reasons:</p><ul><li>R1.</li><li>R2.</li></ul>"
        "<p>S1.</p><p>— We will not give up, said the union leader.</p><p>S2.</p>",
        "Three reasons:\n\n- R1.\n- R2.",
        ["S1.", "— We will not give up, said the union leader.", "S2."],
    ),
]


def test_a_signature_may_hold_initials_and_titles() -> None:
    html = (
        f"{_LEDE}{_TAKEAWAYS}{_WHY}<p>A1.</p><p>A2.</p><p>— Dr. J. R. Ruiz, St. Louis bureau</p>"
        "<p>S1.</p>"
    )
    body, _, analysis = extract_brief_parts(html)
    assert analysis == Analysis(
        label="Why it matters", body="A1.\n\nA2.", byline="Dr. J. R. Ruiz, St. Louis bureau"
    )
    assert body.endswith("S1.")


@pytest.mark.parametrize(("html", "analysis_body", "story"), _BRIEF_SHAPES)
def test_an_unended_analysis_ends_where_a_briefs_story_goes_on(
    html: str, analysis_body: str, story: list[str]
) -> None:
    body, _, analysis = extract_brief_parts(html)
    assert analysis is not None and analysis.body == analysis_body, analysis
    assert not analysis.byline
    found = [body.find(part) for part in story]
    assert all(at >= 0 for at in found) and found == sorted(found), (story, body)


def test_an_unended_analysis_ends_before_the_story_whatever_comes_first() -> None:
    # A picture and a dateline before the lede; the story has a list and ends with a
    # wire credit, and a line starting "-5" is not a signature.
    html = (
        "<p><img src='https://img.example/a.jpg' alt='the quay'></p><p>HARBOURTON, 2 May</p>"
        "<p>Lede.</p><div><ul><li>t</li></ul></div><h2>Why it matters</h2><p>A1.</p>"
        "<p>-5 degrees overnight.</p><ul><li>Buses every hour.</li></ul><p>S2.</p><p>S3.</p>"
        "<p>— The Associated Press</p>"
    )
    body, _, analysis = extract_brief_parts(html)
    assert analysis == Analysis(label="Why it matters", body="A1.")
    assert body.endswith(
        "Lede.\n\n- t\n\n-5 degrees overnight.\n\n- Buses every hour.\n\nS2.\n\nS3.\n\n"
        "— The Associated Press"
    ), body


def test_analysis_heading_with_title() -> None:
    html = "<h2>Analysis: Who pays for the dyke</h2><p>The province will.</p>"
    _, _, analysis = extract_brief_parts(html)
    assert analysis == Analysis(
        label="Analysis", title="Who pays for the dyke", body="The province will."
    )


def test_analysis_box_by_class() -> None:
    html = """
      <p>Story.</p>
      <blockquote class="editor-note">
        <p class="kicker">Strategic Insight</p>
        <p>This is the view of the editors on the matter.</p>
        <footer>Ledger Editorial Board</footer>
      </blockquote>"""
    body, _, analysis = extract_brief_parts(html)
    assert body == "Story."
    assert analysis == Analysis(
        body="This is the view of the editors on the matter.",
        byline="Ledger Editorial Board",
        kicker="Strategic Insight",
    )


def test_editors_picks_box_is_not_analysis() -> None:
    html = '<div class="editors-picks"><p>Five stories we liked this week.</p></div>'
    assert extract_brief_parts(html)[2] is None


def test_editors_note_paragraph_is_not_a_section() -> None:
    html = (
        "<p>Story.</p><p><em>Editor's note: This story was updated on Monday.</em></p><p>More.</p>"
    )
    body, _, analysis = extract_brief_parts(html)
    assert analysis is None
    assert "updated on Monday" in body and "More." in body


def test_story_wrapper_with_an_editor_class_is_not_analysis() -> None:
    paragraphs = "".join(f"<p>Paragraph {i} of the story.</p>" for i in range(10))
    html = f'<div class="editor-content">{paragraphs}</div>'
    body, _, analysis = extract_brief_parts(html)
    assert analysis is None
    assert body.count("Paragraph") == 10


def test_highlights_wrapper_that_is_mostly_prose_is_not_takeaways() -> None:
    html = (
        '<div class="highlights-story"><p>A long paragraph of story text that goes on and on'
        " about the match and the crowd and the weather.</p><ul><li>x</li></ul></div>"
    )
    assert extract_brief_parts(html)[1] == []


def test_takeaways_in_site_navigation_are_ignored() -> None:
    html = """
      <header><nav><h3>Highlights</h3><ul><li>Another story</li><li>And another</li></ul></nav>
      </header>
      <article><h1>Title</h1><p>The story itself.</p></article>"""
    art = one(html)
    assert art.takeaways == ()
    assert art.body == "The story itself."


def test_takeaways_box_by_class_without_heading() -> None:
    html = '<div class="article-takeaways"><ul><li>Alpha</li><li>Beta</li></ul></div><p>Body.</p>'
    assert extract_brief_parts(html) == ("Body.", ["Alpha", "Beta"], None)


def test_takeaways_heading_without_list_is_left_in_body() -> None:
    body, takeaways, _ = extract_brief_parts("<h2>Highlights</h2><p>The match was long.</p>")
    assert takeaways == []
    assert body == "## Highlights\n\nThe match was long."


@pytest.mark.parametrize(
    "text",
    [
        "Key Takeaways",
        "key takeaway",
        "KEY POINTS",
        "Highlights",
        "At a glance",
        "TL;DR",
        "TLDR:",
        "tl;dr",
    ],
)
def test_takeaways_headings(text: str) -> None:
    assert is_takeaways_heading(text)


@pytest.mark.parametrize("text", ["Key takeaways from the budget debate", "Highlighted", "Points"])
def test_not_takeaways_headings(text: str) -> None:
    assert not is_takeaways_heading(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Editor's Desk", ("Editor's Desk", "")),
        ("Editor’s Analysis", ("Editor's Analysis", "")),  # straightened, as every reader does
        ("Editors Note", ("Editors Note", "")),
        ("Editor's\n Desk", ("Editor's Desk", "")),
        ("Why it matters", ("Why it matters", "")),
        ("Analysis", ("Analysis", "")),
        ("Analysis: The compute wall", ("Analysis", "The compute wall")),
        ("Market analysis of Q3", None),
        ("Editorial", None),
    ],
)
def test_analysis_headings(text: str, expected: tuple[str, str] | None) -> None:
    assert is_analysis_heading(text) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["1Microsoft ends it", "2OpenAI misses"], ["Microsoft ends it", "OpenAI misses"]),
        (["1. One", "2) Two", "3: Three"], ["One", "Two", "Three"]),
        (["1 One", "2 Two"], ["One", "Two"]),
        (["300 jobs cut", "12 plants close"], ["300 jobs cut", "12 plants close"]),
        (["1.5 million users", "2.5 million more"], ["1.5 million users", "2.5 million more"]),
        (["1 thing to know"], ["1 thing to know"]),
        (["1First only"], ["First only"]),
        (["12 firms joined", "2 left"], ["12 firms joined", "2 left"]),
        (["No numbers", "at all"], ["No numbers", "at all"]),
    ],
)
def test_strip_ordinals(items: list[str], expected: list[str]) -> None:
    assert strip_ordinals(items) == expected


# -- hostile and huge input --------------------------------------------------------------


def test_nesting_estimate() -> None:
    assert too_deeply_nested("<div>" * (MAX_DEPTH + 1))
    assert not too_deeply_nested("<div>" * (MAX_DEPTH - 10))
    assert not too_deeply_nested("<div></div>" * 100_000)  # wide, not deep
    assert not too_deeply_nested("<p>para" * 100_000)  # <p> closes the one before
    assert not too_deeply_nested("<ul>" + "<li>item" * 100_000 + "</ul>")
    assert not too_deeply_nested("<br><img><hr>" * 100_000)
    assert not too_deeply_nested("<svg>" + "<path/>" * 100_000 + "</svg>")
    assert too_deeply_nested("<div/>" * 100_000)  # "/>" does not close an HTML div
    assert not too_deeply_nested("<!--" + "<div>" * 100_000 + "-->")
    assert not too_deeply_nested("<script>" + "<div>" * 100_000 + "</script>")
    assert too_deeply_nested("<div><!--</div>-->" * 100_000)  # a comment closes nothing
    assert not too_deeply_nested("<section>" + "<div>" * 300 + "</section>" * 1000)


def test_deeply_nested_page_is_a_quick_clear_error() -> None:
    html = "<html><body>" + "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000
    start = time.thread_time()
    with pytest.raises(SourceError, match="too deeply nested"):
        parse(html, "deep.html")
    assert time.thread_time() - start < 5


def test_deeply_nested_fragment_falls_back_to_plain_text() -> None:
    html = "<div>" * 100_000 + "<p>deep &amp; dark</p><script>x()</script>" + "</div>" * 100_000
    assert html_to_markdown(html) == "deep & dark"
    assert extract_brief_parts(html) == ("deep & dark", [], None)


def test_tree_walk_does_not_recurse() -> None:
    depth = MAX_DEPTH - 10
    html = "<div>" * depth + "<p>inside</p>" + "</div>" * depth
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        md = html_to_markdown(html)
        body, _, _ = extract_brief_parts(html)
        [art] = parse(html, "nested.html")
    finally:
        sys.setrecursionlimit(limit)
    assert md == body == art.body == "inside"


@pytest.mark.slow
def test_ten_megabyte_page_parses_in_seconds() -> None:
    chunk = (
        '<div class="para"><p>Paragraph {i} of a long story, with <a href="/x/{i}">a link</a>'
        " and <b>some emphasis</b>, followed by enough words to look like real prose.</p>"
        '<span class="share-count">3</span></div>\n'
    )
    html = (
        "<html><head><title>Long</title></head><body><article><h1>Long</h1>"
        + "".join(chunk.format(i=i) for i in range(50_000))
        + "</article></body></html>"
    )
    assert len(html) > 10_000_000
    start = time.thread_time()
    [art] = parse(html, "big.html")
    elapsed = time.thread_time() - start
    assert art.body.count("\n\n") == 49_999
    assert "share" not in art.body
    assert elapsed < 15, f"took {elapsed:.1f}s"


def test_a_pages_date_line_is_in_the_meta_line_not_the_body() -> None:
    # (A user's trial: a saved page's body opened with "May 10, 2025", the date its
    # meta line already showed.)
    page = (
        "<html><head><title>Valley dam opens</title></head><body><article>"
        "<h1>Valley dam opens</h1><p><time datetime='2025-05-10'>May 10, 2025</time></p>"
        "<p>The new dam opened on Saturday after six years of work, the board said.</p>"
        "<p>It will hold <time datetime='2025-06-01'>June 1</time> levels all summer.</p>"
        "</article></body></html>"
    )
    article = parse(page, "/tmp/dam.html")[0]
    assert article.published is not None and article.published.date().isoformat() == "2025-05-10"
    assert article.body == (
        "The new dam opened on Saturday after six years of work, the board said.\n\n"
        "It will hold June 1 levels all summer."
    )
