"""The article pane as a reader sees it: blocks set apart, nothing read twice, a meta
line that wraps between its parts (issue 10, items 1, 4 and 5)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fetchserver import FetchServer
from tui_helpers import make_article, screen_text, settle

from briefreader.model import Analysis, Article
from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.widgets.article_view import meta_lines

MakeApp = Callable[..., BriefReaderApp]
SIZES = [(160, 48), (80, 24)]

BODY = """The first paragraph of the body.

## What the rule says

A paragraph after the heading,
still the same paragraph.

- item one
- item two

> A quoted line.

The last paragraph."""


def library_of(tmp_path: Path, *articles: Article) -> Path:
    path = tmp_path / "reading.sqlite3"
    with Library(path) as library:
        library.store(list(articles))
    return path


def pane_lines(app: BriefReaderApp) -> list[str]:
    """The article pane's lines as the screen shows them (its region of the screen)."""
    region = app.article_view.content_region
    lines = screen_text(app).splitlines()[region.y : region.y + region.height]
    return [line[region.x : region.x + region.width].rstrip() for line in lines]


def blocks(lines: list[str]) -> list[str]:
    """Lines grouped by the blank lines between them, each group joined into one line."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line.strip())
        elif groups[-1]:
            groups.append([])
    return [" ".join(g) for g in groups if g]


@pytest.mark.parametrize("size", SIZES)
async def test_paragraphs_headings_lists_and_quotes_are_set_apart(
    size: tuple[int, int], tmp_path: Path, make_app: MakeApp
) -> None:
    article = make_article(0, title="Rule", summary="", takeaways=(), analysis=None, body=BODY)
    app = make_app(library_of(tmp_path, article))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        lines = pane_lines(app)
        start = next(i for i, line in enumerate(lines) if "The first paragraph" in line)
        end = next(i for i, line in enumerate(lines) if "The last paragraph." in line)
        assert blocks(lines[start : end + 1]) == [
            "The first paragraph of the body.",
            "What the rule says",
            "A paragraph after the heading, still the same paragraph.",
            "• item one • item two",  # a list's items stay together
            "▎ A quoted line.",
            "The last paragraph.",
        ], "\n".join(lines)


@pytest.mark.parametrize("size", SIZES)
async def test_the_meta_line_never_leaves_a_lone_separator(
    size: tuple[int, int], tmp_path: Path, make_app: MakeApp
) -> None:
    app = make_app(library_of(tmp_path, make_article(0)))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        width = app.article_view.scrollable_content_region.width - 1  # (a blank column)
        # Source · author fill a line exactly: the "·" after them must not go on alone.
        source = "Northgate Wire"
        author = "Aranda " * ((width - len(source) - len(" · ")) // 7)
        author = author.strip().ljust(width - len(source) - len(" · "), "a")
        article = make_article(0, source=source, author=author, summary="")
        app.article_view.show_article(article)
        await settle(pilot)
        lines = [line.strip() for line in pane_lines(app)]
        meta = lines[lines.index(article.title) + 1 :]
        meta = meta[: meta.index("")]
        assert len(meta) >= 2
        assert all(line.strip(" ·") and not line.startswith("·") for line in meta), meta
        assert " ".join(meta) == f"{source} · {author} · 27 Nov 2026 · 1 min read", meta


def test_meta_lines_break_only_after_a_part_and_its_separator() -> None:
    parts = ["Northgate Wire", "Delphine Aranda", "27 Nov 2026", "1 min read", "full text"]
    for width in range(len("Northgate"), 90):  # from the longest word up
        lines = meta_lines(parts, width)
        assert all(line.strip(" ·") for line in lines), lines  # never the separator alone
        assert " ".join(lines) == " · ".join(parts)
        assert all(len(line) <= width for line in lines), (width, lines)
        if width >= len("Delphine Aranda ·"):  # every part fits: breaks only between parts
            assert all(line.endswith(" ·") for line in lines[:-1]), (width, lines)


async def test_a_one_sentence_item_is_read_once(tmp_path: Path, make_app: MakeApp) -> None:
    sentence = "Council approves the harbour bridge repair budget"
    item = Article(
        id="one",
        title=sentence,
        summary=sentence + ".",  # what the feed reader makes of it: dek = body = title
        body=sentence + ".",
        url="https://news.example/one",
        source="Harbour Gazette",
    )
    app = make_app(library_of(tmp_path, item))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.article_view.text.count("Council approves") == 1, app.article_view.text


async def test_a_short_description_that_is_the_whole_item_is_read_once(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """An item with only a short description (the feed reader makes it both the dek
    and the body): shown once, under a title of its own."""
    item = Article(
        id="short",
        title="Harbour bridge reopens to traffic",
        summary="Short teaser.",
        body="Short teaser.",
        url="https://news.example/short",
        source="Harbour Gazette",
    )
    app = make_app(library_of(tmp_path, item))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.article_view.text.count("Short teaser.") == 1, app.article_view.text
        assert "Short teaser." in screen_text(app)


async def test_a_teasers_read_more_and_wordpress_footer_are_not_a_dek(
    tmp_path: Path, make_app: MakeApp
) -> None:
    lead = "The harbour bridge reopened to traffic on Tuesday after three weeks of repairs"
    item = make_article(
        0,
        title="Bridge reopens",
        summary=f"{lead} […] The post Bridge reopens appeared first on Harbour Gazette.",
        body=f"{lead}. Engineers replaced forty cables.\n\nTraders said business had halved.",
        takeaways=(),
        analysis=None,
    )
    app = make_app(library_of(tmp_path, item))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        shown = app.article_view.text
        assert shown.count("The harbour bridge reopened") == 1, shown
        assert "appeared first" not in shown


PAGE = (
    "<html><head><title>Bridge reopens</title></head><body>"
    "<nav>Home | World | Sport</nav><article><h1>Bridge reopens</h1>"
    + "".join(
        f"<p>Paragraph {n}: the harbour bridge reopened to traffic on Tuesday after three "
        f"weeks of repairs, and the council said the coast road would follow soon.</p>"
        for n in range(1, 12)
    )
    + "</article><footer>Sign up for our newsletter</footer></body></html>"
).encode()


@pytest.fixture
def server() -> Iterator[FetchServer]:
    with FetchServer() as srv:
        srv.add("/story", PAGE, content_type="text/html; charset=utf-8")
        yield srv


async def test_after_F_neither_the_teasers_read_more_nor_the_headline_repeat(
    tmp_path: Path, make_app: MakeApp, server: FetchServer
) -> None:
    teaser = "Paragraph 1: the harbour bridge reopened to traffic on Tuesday after three…"
    item = make_article(
        0,
        title="Bridge reopens",
        url=server.url("/story"),
        summary=f"{teaser} Read more",
        body=f"{teaser} [Read more]({server.url('/story')})",
        takeaways=(),
        analysis=None,
    )
    app = make_app(library_of(tmp_path, item))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        shown = app.article_view.text
        assert "Paragraph 7" in shown and "full text" in shown
        assert shown.count("Bridge reopens") == 1, shown
        assert "Read more" not in shown
        assert shown.count("Paragraph 1:") == 1, shown


async def test_line_breaks_and_table_rows_of_feed_html_stay_lines_on_screen(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A reader's trial: a forum feed's <br>-separated fields ran into one paragraph
    ("XpressCut v.0.1 Developer: kAIST Language: …") and a table's header joined its
    first row ("Option | Cost | Years Repair | £4.2m | 2"): a line break in Markdown
    is a space unless it is a hard break."""
    lines = await shown_item(
        tmp_path,
        make_app,
        "<p><b>XpressCut v.0.1</b><br><br><b>Developer</b>: kAIST<br><b>Language</b>: "
        "English<br>Status: free</p>"
        "<table><tr><th>Option</th><th>Cost</th></tr><tr><td>Repair</td><td>4m</td></tr>"
        "<tr><td>Replace</td><td>11m</td></tr></table><p>After the table.</p>",
    )
    for shown in (
        "XpressCut v.0.1",
        "Developer: kAIST",
        "Language: English",
        "Status: free",
        "Option | Cost",
        "Repair | 4m",
        "Replace | 11m",
    ):
        assert shown in lines, (shown, lines)
    assert not any(line.endswith("\\") for line in lines)


async def shown_item(tmp_path: Path, make_app: MakeApp, html: str) -> list[str]:
    """The article pane's lines (stripped) for an item whose HTML is ``html``."""
    from briefreader.sources.html import html_to_markdown

    body = html_to_markdown(html)
    article = make_article(0, body=body, takeaways=(), analysis=None, summary="")
    app = make_app(library_of(tmp_path, article))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        return [line.strip() for line in pane_lines(app)]


async def test_lines_typed_with_list_marks_after_a_line_break_stay_lines_on_screen(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """A reader's trial of a real forum feed: "Features:<br />* dimming<br />* keys
    off<br />and more" showed "• dimming\\" bullets with a backslash at each line's end,
    and the plain lines after them pulled into the last bullet: Markdown read the
    typed asterisks as a list."""
    lines = await shown_item(
        tmp_path,
        make_app,
        "<p><b>Features:</b><br />* screen dimming<br />* keys off<br />and more...<br />"
        "Changes:<br />- fixed a crash<br />1. first step<br /># not a heading<br />"
        "> not a quote</p><p>After.</p>",
    )
    start = lines.index("Features:")
    assert lines[start : start + 10] == [
        "Features:",
        "* screen dimming",
        "* keys off",
        "and more...",
        "Changes:",
        "- fixed a crash",
        "1. first step",
        "# not a heading",
        "> not a quote",
        "",
    ], lines
    assert "After." in lines


async def test_the_analysis_is_markdown_as_the_body_is_its_links_drawn_and_followed(
    tmp_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    # (A newcomer trial saw "See [the union statement](https://…)" in the panel, and
    # `u` did not list it.)
    analysis = Analysis(
        label="Why it matters",
        body="It is the *first* test of [the plan](https://gov.example/plan).\n\nA second thought.",
    )
    app = make_app(library_of(tmp_path, make_article(0, analysis=analysis)))
    async with app.run_test(size=(140, 48)) as pilot:
        await settle(pilot)
        lines = pane_lines(app)
        panel = [line.strip().strip("┃").strip() for line in lines if line.strip().startswith("┃")]
        assert blocks(panel) == [
            "WHY IT MATTERS",
            "It is the first test of the plan.",
            "A second thought.",
        ], "\n".join(lines)
        view = app.article_view
        assert view.links == ["https://gov.example/plan", "https://gov.example/rule"]
        row = next(i for i, line in enumerate(lines) if "the plan." in line)
        column = lines[row].index("the plan")
        region = view.content_region
        await pilot.click(offset=(region.x + column + 1, region.y + row))
        await settle(pilot)
        assert opened == ["https://gov.example/plan"]
        await pilot.press("u")
        await settle(pilot)
        assert "the plan" in screen_text(app) and "https://gov.example/plan" in screen_text(app)


async def test_a_list_row_with_no_source_names_its_file_or_its_host(
    tmp_path: Path, make_app: MakeApp
) -> None:
    # (A newcomer trial: an article from a Markdown file naming no source had a blank
    # second line in the list.)
    from_file = make_article(0, source="", url="", origin=str(tmp_path / "rail-notes.md"))
    from_page = make_article(
        1, source="", url="https://www.harbour.example/a", origin="https://www.harbour.example/a"
    )
    app = make_app(library_of(tmp_path, from_file, from_page))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        region = app.article_list.content_region
        rows = [
            line[region.x : region.x + region.width]
            for line in screen_text(app).splitlines()[region.y : region.y + 4]
        ]
        assert "rail-notes.md" in rows[1], rows
        assert "www.harbour.example" in rows[3], rows
    # What scripts read keeps the source as stored.
    with Library(tmp_path / "reading.sqlite3") as library:
        assert [row.source for row in library.rows("all")] == ["", ""]


async def test_a_markdown_briefs_dek_and_takeaways_show_what_they_say(
    tmp_path: Path, make_app: MakeApp
) -> None:
    # (A user's trial: "The **north bridge** stays shut until *June*, the [transport
    # office](https://…) said." as the dek, and "**Height limits** rise" as a takeaway.)
    article = make_article(
        0,
        summary="The **north bridge** stays shut until *June*, the "
        "[transport office](https://river.example/to) said.",
        takeaways=(
            "**Height limits** rise by a storey.",
            "See the [plan](https://t.example/p).",
            "Rename __init__.py, pass *args and **kwargs, delete *.pyc: 2*(3+4) = 14*",
        ),
    )
    app = make_app(library_of(tmp_path, article))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        text = " ".join(line.strip() for line in pane_lines(app))
        assert "The north bridge stays shut until June, the transport office said." in text
        assert "1 Height limits rise by a storey." in text and "2 See the plan." in text
        assert "**Height" not in text and "](" not in text
        # A plain takeaway's characters stay (a feed's or a pasted brief's is plain).
        plain = "Rename __init__.py, pass *args and **kwargs, delete *.pyc: 2*(3+4) = 14*"
        assert f"3 {plain}" in text, text
    from briefreader.textformat import article_to_text, brief_summary

    for shared in (article_to_text(article), brief_summary(article)):
        assert "1. Height limits rise by a storey." in shared, shared
        assert "2. See the plan." in shared and "**Height" not in shared
        assert "3. Rename __init__.py, pass *args and **kwargs, delete *.pyc: 2*(3+4) = 14*" in (
            shared.replace("\n      ", " ").replace("\n   ", " ")
        ), shared
    assert "The north bridge stays shut until June" in article_to_text(article)
