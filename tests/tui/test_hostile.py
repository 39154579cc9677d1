"""Hostile text: markup, actions and escapes in articles are shown literally, never run."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tui_helpers import make_article, screen_text, settle

from briefreader.model import Analysis, RelatedLink
from briefreader.sources import clean_article
from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.widgets.body import parse_markdown

MakeApp = Callable[..., BriefReaderApp]

MARKUP = [
    "[bold]loud[/bold]",
    "[/]",
    "[@click=app.quit]click me[/]",
    "[link=file:///etc/passwd]passwd[/link]",
    "[red on blue]colour",
    "[b]$variable[/b]",
]
ESCAPES = "\x1b[31mred\x1b[0m \x1b]8;;file:///etc/passwd\x1b\\link\x1b]8;;\x1b\\ \x9b2J \x07bell"


def hostile_article(n: int, text: str):  # type: ignore[no-untyped-def]
    return make_article(
        n,
        title=f"Title {text}",
        summary=f"Dek {text}",
        source=f"Source {text}",
        author=f"Author {text}",
        image_caption=f"Caption {text}",
        takeaways=(f"Takeaway {text}", "Second"),
        analysis=Analysis(
            body=f"Analysis {text}",
            label=f"Label {text}",
            title=f"Analysis title {text}",
            byline=f"Byline {text}",
            kicker=f"Kicker {text}",
        ),
        body=f"Body {text}\n\n- item {text}\n\n> quote {text}\n\n`code {text}`\n\n<b>raw html</b>",
        related=(RelatedLink(f"Related {text}", "https://news.example/related"),),
    )


@pytest.fixture
def hostile_path(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.sqlite3"
    with Library(path) as library:
        library.store([hostile_article(n, text) for n, text in enumerate(MARKUP)])
    return path


async def test_markup_in_every_field_is_shown_literally(
    hostile_path: Path, make_app: MakeApp
) -> None:
    """Each markup sample (one article each) in turn, in one app."""
    app = make_app(hostile_path)
    async with app.run_test(size=(300, 80)) as pilot:
        await settle(pilot)
        for index, text in enumerate(MARKUP):
            app.article_list.move_to(index)
            await settle(pilot)
            assert app.current is not None and app.current.title == f"Title {text}", text
            shown = app.article_view.text
            for field in (
                "Title",
                "Dek",
                "Caption",
                "Takeaway",
                "Analysis",
                "Byline",
                "Body",
                "item",
                "quote",
                "code",
            ):
                assert f"{field} {text}" in shown, (text, field)
            assert f"Kicker {text}" in shown, text
            assert f"LABEL {text.upper()}" in shown, text
            assert "<b>raw html</b>" in shown, text
            screen = screen_text(app)
            for token in text.split():
                assert token in screen, (text, token)
            # "Same story" entries come first, then the declared link (first of "Related").
            entries = app.sidebar.entries
            declared = next(e for e in entries if not e.same_story)
            assert declared.title == f"Related {text}" and declared.declared, text
            assert all(e.same_story for e in entries[: entries.index(declared)]), text
            assert app.is_running, text


async def test_clicking_a_hostile_title_runs_nothing(hostile_path: Path, make_app: MakeApp) -> None:
    app = make_app(hostile_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.article_list.move_to(2)  # "[@click=app.quit]click me[/]"
        await settle(pilot)
        assert app.current is not None and "@click" in app.current.title
        view = app.article_view
        # Click all over the top of the article and the list: nothing may quit.
        for y in (1, 2, 3):
            for x in (4, 12, 24):
                await pilot.click(view, offset=(x, y))
        await pilot.click("#articles", offset=(8, 0))
        await settle(pilot)
        assert app.is_running
        assert app.return_code is None


async def test_raw_escapes_never_reach_the_screen(tmp_path: Path, make_app: MakeApp) -> None:
    """Even an article stored without parse-time cleaning shows no escape sequence."""
    path = tmp_path / "escapes.sqlite3"
    with Library(path) as library:
        library.store([hostile_article(0, ESCAPES)])
    app = make_app(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        shown = app.article_view.text
        screen = screen_text(app)
        for text in (shown, screen):
            assert "\x1b" not in text
            assert "\x9b" not in text
            assert "\x07" not in text
        assert "Title" in screen and "red" in shown


async def test_cleaned_articles_keep_the_brackets(tmp_path: Path, make_app: MakeApp) -> None:
    """After parse-time cleaning the markup-like text is still there, literally."""
    cleaned = [clean_article(hostile_article(n, text + ESCAPES)) for n, text in enumerate(MARKUP)]
    path = tmp_path / "cleaned.sqlite3"
    with Library(path) as library:
        library.store(cleaned)
    app = make_app(path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        for index, text in enumerate(MARKUP):
            app.article_list.move_to(index)
            await pilot.pause()
            assert f"Title {text}" in app.article_view.text


async def test_body_links_go_through_the_safe_opener(
    library_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        view = app.article_view
        assert view.links == ["https://gov.example/rule", "ftp://files.example/etc/passwd"]
        view.action_follow_link(0)
        await settle(pilot)
        assert opened == ["https://gov.example/rule"]
        view.action_follow_link(1)  # not http(s): refused with a message
        await settle(pilot)
        assert opened == ["https://gov.example/rule"]
        assert any("files.example" in str(n.message) for n in app._notifications)
        view.action_follow_link(99)  # out of range: ignored
        await settle(pilot)


async def test_clicking_a_body_link(
    library_path: Path, make_app: MakeApp, opened: list[str]
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(140, 60)) as pilot:
        await settle(pilot)
        view = app.article_view
        lines = view.text.splitlines()
        row = next(i for i, line in enumerate(lines) if "the rule" in line)
        col = lines[row].index("the rule")
        await pilot.click(view, offset=(1 + 2 + col + 2, 1 + row))  # border, padding
        await settle(pilot)
        assert opened == ["https://gov.example/rule"]


def test_markdown_links_are_indexes_not_urls() -> None:
    doc = parse_markdown("[x](<https://a.example/'),app.quit('>) [y](javascript:alert(1))")
    assert doc.links == ["https://a.example/'),app.quit('"]  # javascript: is not a link
    spans = [span for block in doc.blocks for span in block.spans]
    assert [span[2] for span in spans if span[2] is not None] == [0]
    assert any("javascript:alert(1)" in span[0] for span in spans)  # left as text
    from rich.style import Style

    from briefreader.tui.widgets.body import STYLE_NAMES, render_blocks

    group = render_blocks(doc.blocks, {name: Style() for name in STYLE_NAMES})
    metas = [
        seg.style.meta
        for renderable in group.renderables
        for seg in getattr(renderable, "spans", [])
        if hasattr(seg, "style") and isinstance(seg.style, Style) and seg.style.meta
    ]
    assert all(meta.get("@click") == "follow_link(0)" for meta in metas)


def test_markdown_html_is_text() -> None:
    doc = parse_markdown("<script>alert(1)</script>\n\nok <b>bold</b>")
    texts = [span[0] for block in doc.blocks for span in block.spans]
    assert "<script>alert(1)</script>" in "".join(texts)
    assert "<b>" in "".join(texts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from([*"ab []()<>*_`#>-+|!\\\n:/.=@", "\x1b", "\x9b", "\u202e", "[/]", "]("]),
        max_size=200,
    ).map("".join)
)
def test_any_body_renders_without_escapes(text: str) -> None:
    from rich.console import Console
    from rich.style import Style

    from briefreader.tui.widgets.body import STYLE_NAMES, render_blocks

    doc = parse_markdown(text)
    console = Console(width=40, file=io.StringIO(), color_system=None)
    lines = console.render_lines(
        render_blocks(doc.blocks, {name: Style() for name in STYLE_NAMES}),
        console.options.update_width(40),
    )
    shown = "".join(seg.text for line in lines for seg in line)
    assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown


def test_a_long_code_line_goes_on_under_its_own_indentation() -> None:
    """A code line longer than the pane went on at the block's edge (the trial saw
    "   indented" under "print(…)   #"): it goes on two cells past its own
    indentation, every character kept, lines cut at the width and never at a word."""
    from rich.console import Console
    from rich.style import Style

    from briefreader.tui.widgets.body import STYLE_NAMES, render_blocks

    code = (
        "def greet(name):\n"
        '    print(f"Hello, {name}!")   # a comment long enough to go past the pane\n'
        "\tpass"
    )
    doc = parse_markdown(f"```\n{code}\n```")
    console = Console(width=40, file=io.StringIO(), color_system=None)
    lines = console.render_lines(
        render_blocks(doc.blocks, {name: Style() for name in STYLE_NAMES}),
        console.options.update_width(40),
    )
    shown = ["".join(seg.text for seg in line).rstrip() for line in lines]
    shown = [line for line in shown if line.strip()]
    assert shown[0] == " def greet(name):"
    assert shown[1].startswith('     print(f"Hello, {name}!")')
    assert len(shown) >= 4 and shown[2].startswith(" " * 7) and not shown[2][7].isspace()
    assert "".join(line.strip() for line in shown[1:-1]).replace(" ", "") == (
        'print(f"Hello,{name}!")#acommentlongenoughtogopastthepane'
    )
    assert shown[-1] == "     pass"  # (a tab: four cells)
    assert all(len(line) <= 40 for line in shown)
