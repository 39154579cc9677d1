"""The share menu, the copy-link key and the safe opener, driven with Pilot.

A minimal app lives here so these tests do not depend on the main app.
"""

from __future__ import annotations

import html
import os
import re
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from briefreader.model import Article
from briefreader.share import citation, markdown_link
from briefreader.tui.share_menu import (
    ShareMenu,
    copy_article_link,
    open_url_with_toast,
)

URL = "https://news.example/2026/11/ai-reckoning"
HOSTILE_TITLE = (
    "Markets [bold]slide[/] as [@click=app.quit]chips[/] fall [link=file:///etc/passwd]x"
)

ARTICLE = Article(
    id="a1",
    title="The AI Reckoning: chips & clouds",
    url=URL,
    source="China Daily Brief",
    published=datetime(2026, 11, 26, tzinfo=UTC),
    takeaways=("Export rules tighten", "Cloud margins fall", "Power is the new bottleneck"),
)
NO_URL = ARTICLE.with_changes(url="", title="Tamsin Valley power queue")


class Launcher:
    """Records what would have been opened in a browser."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.calls.append(url)
        return True


class ShareApp(App[None]):
    """Shows one line of text; ``S`` opens the share menu, ``c`` copies the link."""

    BINDINGS = [  # noqa: RUF012
        Binding("S", "share", "Share"),
        Binding("c", "copy_link", "Copy link"),
        Binding("o", "open_link", "Open"),
    ]

    def __init__(self, article: Article, *, push: bool = True) -> None:
        super().__init__()
        self.article = article
        self.launcher = Launcher()
        self.push = push

    def compose(self) -> ComposeResult:
        yield Static("briefreader share test", markup=False)

    def on_mount(self) -> None:
        if self.push:
            self.action_share()

    def action_share(self) -> None:
        self.push_screen(ShareMenu(self.article, launcher=self.launcher))

    def action_copy_link(self) -> None:
        copy_article_link(self, self.article)

    def action_open_link(self) -> None:
        open_url_with_toast(self, self.article.url, launcher=self.launcher)


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    """No system clipboard tool is found unless a test puts one there."""
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "WSL_DISTRO_NAME", "WSL_INTEROP"):
        monkeypatch.delenv(var, raising=False)
    for var in ("SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT"):
        monkeypatch.delenv(var, raising=False)


def toasts(app: App[Any]) -> list[str]:
    return [n.message for n in app._notifications]


def screen_text(app: App[Any]) -> str:
    """The visible screen as plain text, one line per row (from the SVG screenshot).

    Each text run is placed at its column (from its x position): runs of spaces are
    not written as text in the SVG, only their background.
    """
    svg = app.export_screenshot()
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    for m in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
        r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>',
        svg,
    ):
        x, length, row = float(m.group(1)), float(m.group(2)), int(m.group(3))
        text = html.unescape(m.group(4)).replace("\xa0", " ")
        if not text or row >= height:
            continue
        cell = length / len(text)
        col = round(x / cell)
        for offset, ch in enumerate(text):
            if col + offset < width:
                grid[row][col + offset] = ch
    return "\n".join("".join(line).rstrip() for line in grid)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# ---------------------------------------------------------------------------------
# the menu


async def test_menu_lists_every_option_with_what_it_does() -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ShareMenu)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 11
        assert options.has_focus and options.highlighted == 0
        text = screen_text(app)
        for label in ("Link", "Markdown link", "Citation", "Brief as text", "Email", "Bluesky",
                      "Mastodon", "LinkedIn", "Reddit", "Hacker News", "X"):  # fmt: skip
            assert re.search(rf"\s{re.escape(label)}\s+(copy|open)\s", text), label
        assert " 1  Link           copy  https://news.example/2026/11/ai-reckoning" in text
        assert " b  Bluesky        open  in the browser: bsky.app" in text
        assert " e  Email          open  new e-mail in your mail app" in text


async def test_enter_on_link_copies_the_url_and_closes() -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert app.clipboard == URL
        assert not isinstance(app.screen, ShareMenu)
        assert toasts(app) == [f"Copied the link: {URL} — via the terminal"]


async def test_markdown_link_by_arrow_and_enter() -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test() as pilot:
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.clipboard == f"[The AI Reckoning: chips & clouds]({URL})"
        assert toasts(app) == [
            f"Copied the Markdown link: [The AI Reckoning: chips & clouds]({URL})"
            " — via the terminal"
        ]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["2"], markdown_link(ARTICLE)),
        (["3"], citation(ARTICLE)),
        (["j", "j", "enter"], citation(ARTICLE)),
        (["j", "j", "k", "enter"], markdown_link(ARTICLE)),
    ],
)
async def test_quick_keys_and_vim_keys(keys: list[str], expected: str) -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test() as pilot:
        await pilot.press(*keys)
        await settle(pilot)
        assert app.clipboard == expected


async def test_brief_as_text() -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test() as pilot:
        await pilot.press("4")
        await settle(pilot)
        assert app.clipboard.splitlines()[2:5] == [
            "1. Export rules tighten",
            "2. Cloud margins fall",
            "3. Power is the new bottleneck",
        ]
        assert toasts(app) == [
            "Copied the brief: The AI Reckoning: chips & clouds (China Daily Brief)…"
            " — via the terminal"
        ]


async def test_enter_on_a_share_address_opens_it() -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test() as pilot:
        await pilot.press("b")
        await settle(pilot)
        assert len(app.launcher.calls) == 1
        assert app.launcher.calls[0].startswith("https://bsky.app/intent/compose?text=")
        assert app.clipboard == ""
        assert not isinstance(app.screen, ShareMenu)
        assert toasts(app) == [f"Opened {app.launcher.calls[0]}"]


async def test_c_copies_a_share_address_instead_of_opening_it() -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test() as pilot:
        await pilot.press("end")  # X
        await pilot.press("c")
        await settle(pilot)
        assert app.launcher.calls == []
        assert app.clipboard.startswith("https://x.com/intent/post?text=")
        assert toasts(app)[0].startswith(
            "Copied the X share address: https://x.com/intent/post?text="
        )


async def test_email_opens_the_mail_draft() -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test() as pilot:
        await pilot.press("e")
        await settle(pilot)
        assert len(app.launcher.calls) == 1
        assert app.launcher.calls[0].startswith("mailto:?subject=The%20AI%20Reckoning")
        assert toasts(app) == ["Opened a new e-mail in your mail app"]


async def test_the_menu_says_when_the_email_holds_only_the_citation() -> None:
    # (A user's trial: a brief of twelve long takeaways was mailed as its citation
    # alone, and nothing said so.)
    long = ARTICLE.with_changes(
        takeaways=tuple(f"Takeaway {n}: " + "a long point about the story " * 6 for n in range(12))
    )
    for article, said in ((ARTICLE, False), (long, True)):
        app = ShareApp(article)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ShareMenu)
            text = screen_text(app)
            shown = "new e-mail: citation only (brief too long)" if said else "new e-mail in your"
            assert shown in text, text


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_close_keys(key: str) -> None:
    app = ShareApp(ARTICLE)
    async with app.run_test() as pilot:
        await pilot.press(key)
        await settle(pilot)
        assert not isinstance(app.screen, ShareMenu)
        assert app.clipboard == "" and toasts(app) == [] and app.launcher.calls == []
        assert app.is_running


async def test_article_without_url() -> None:
    app = ShareApp(NO_URL)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        menu = app.screen
        assert isinstance(menu, ShareMenu)
        assert [o.key for o in menu.options] == ["citation", "brief", "email"]
        text = screen_text(app)
        assert "This article has no link." in text
        assert "Markdown link" not in text and "Bluesky" not in text
        await pilot.press("1")  # "copy link" does nothing: there is none
        await pilot.pause()
        assert app.screen is menu and app.clipboard == ""
        await pilot.press("enter")
        await settle(pilot)
        assert app.clipboard == "Tamsin Valley power queue — China Daily Brief, 26 Nov 2026"


async def test_hostile_title_is_shown_literally() -> None:
    article = ARTICLE.with_changes(title=HOSTILE_TITLE + "\x1b]52;c;cHduZWQ=\x07 \x1b[31mred")
    app = ShareApp(article)
    async with app.run_test(size=(140, 30), notifications=True) as pilot:
        await pilot.pause()
        title = app.screen.query_one("#share-title", Static)
        assert str(title.render()) == HOSTILE_TITLE + " red"
        text = screen_text(app)
        assert "Markets [bold]slide[/] as [@click=app.quit]chips[/] fall" in text  # wrapped
        assert "[link=file:///etc/passwd]x red" in text
        assert r"[Markets \[bold\]slide\[/\] as" in text  # the Markdown link preview
        await pilot.press("2")
        await settle(pilot)
        assert app.is_running  # [@click=app.quit] did nothing
        assert app.clipboard.startswith(r"[Markets \[bold\]slide\[/\] as \[@click=app.quit\]chips")
        assert "[bold]" not in toasts(app)[0].replace(r"\[bold\]", "")
        assert "\x1b" not in toasts(app)[0]
        await pilot.pause(0.1)
        assert r"\[@click=app.quit\]chips\[/\]" in screen_text(app)  # the toast, literally


# ---------------------------------------------------------------------------------
# the c key and the opener


async def test_copy_article_link() -> None:
    app = ShareApp(ARTICLE, push=False)
    async with app.run_test() as pilot:
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == URL
        assert toasts(app) == [f"Copied {URL} — via the terminal"]


async def test_copy_article_link_without_url_copies_the_citation() -> None:
    app = ShareApp(NO_URL, push=False)
    async with app.run_test() as pilot:
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == citation(NO_URL)
        assert toasts(app) == [
            "This article has no link — copied its citation instead: "
            "Tamsin Valley power queue — China Daily Brief, 26 Nov 2026 — via the terminal"
        ]


async def test_copy_uses_the_system_tool_in_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "xclip"
    tool.write_text(f'#!/bin/sh\ncat > "{tmp_path}/xclip.out"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("DISPLAY", ":0")
    app = ShareApp(ARTICLE, push=False)
    async with app.run_test() as pilot:
        await pilot.press("c")
        assert app.clipboard == URL  # OSC 52 happened at once, on the loop
        await settle(pilot)
        assert (tmp_path / "xclip.out").read_text() == URL
        assert toasts(app) == [f"Copied {URL} — via the terminal and xclip"]


UNSAFE_URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "smb://fileserver.example/share",
    "~/notes/secret.txt",
    "--option",
    "mailto:victim@example.com",
    "https://bank.example@evil.example/",
    "https://ba\u200bnk.example/",
    "https://\u202eelpmaxe.bank/",
    "https://\u0430pple.example/",
    "https://bank.example\u2044login.evil.example/",
]


async def test_c_refuses_to_copy_an_unsafe_link() -> None:
    """Every unsafe link in turn, in one app."""
    app = ShareApp(ARTICLE, push=False)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        for url in UNSAFE_URLS:
            app.article = ARTICLE.with_changes(url=url)
            app.clear_notifications()
            await pilot.press("c")
            await settle(pilot)
            assert app.clipboard == "", url
            assert app.is_running, url
            messages = toasts(app)
            assert len(messages) == 1, (url, messages)
            (message,) = messages
            assert message.startswith("Not copied: the article's link "), (url, message)
            assert "\n" not in message, (url, message)
            assert [n.severity for n in app._notifications] == ["error"], url


#: The link entries' keys are tried with these links (a scheme that is not http(s),
#: a link that reads as a command-line option, an http(s) link with a deceptive host).
#: The menu's keys act only through its entries (``check_action`` and ``action_choose``
#: look the key up in ``ShareMenu.options`` and nothing else), and every unsafe link's
#: entries are checked to be exactly citation, brief and e-mail below, so trying the
#: keys with the other links would run the same code on the same entries again.
KEY_SWEEP_URLS = ("javascript:alert(1)", "--option", "https://bank.example@evil.example/")


async def test_share_menu_offers_no_entry_with_an_unsafe_link() -> None:
    """Every unsafe link in turn, in one app: the menu opened, tried and closed."""
    assert set(KEY_SWEEP_URLS) <= set(UNSAFE_URLS)
    app = ShareApp(ARTICLE, push=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for url in UNSAFE_URLS:
            app.article = ARTICLE.with_changes(url=url)
            app._clipboard = ""  # (what the previous link's citation left)
            app.action_share()
            await pilot.pause()
            menu = app.screen
            assert isinstance(menu, ShareMenu), url
            assert [o.key for o in menu.options] == ["citation", "brief", "email"], url
            assert "is not offered" in screen_text(app), url
            if url in KEY_SWEEP_URLS:
                for key in ("1", "2", "b", "m", "l", "r", "h", "x"):  # the link entries do nothing
                    await pilot.press(key)  # (press waits for the screen and for idle)
                    assert app.screen is menu and app.clipboard == "", (url, key)
            assert app.launcher.calls == [], url
            await pilot.press("enter")  # the citation: text, without the link
            await settle(pilot)
            assert (
                app.clipboard == "The AI Reckoning: chips & clouds — China Daily Brief, 26 Nov 2026"
            ), url
            app.action_share()
            await pilot.pause()
            await pilot.press("4")  # the brief as text: no link either
            await settle(pilot)
            assert app.clipboard.startswith("The AI Reckoning") and url not in app.clipboard, url
            assert not isinstance(app.screen, ShareMenu), url


async def test_c_shows_the_ascii_form_of_an_international_host() -> None:
    url = "https://b\u00fccher.example/a"
    app = ShareApp(ARTICLE.with_changes(url=url), push=False)
    async with app.run_test() as pilot:
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == "https://xn--bcher-kva.example/a"  # the real host
        (message,) = toasts(app)
        assert "xn--bcher-kva.example" in message


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert('[bold]x[/]')",
        "file:///etc/passwd",
        "data:text/html,[@click=app.quit]",
        "",
    ],
)
async def test_opener_refuses_non_http(url: str) -> None:
    app = ShareApp(ARTICLE.with_changes(url=url), push=False)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert app.launcher.calls == []
        assert app.is_running
        (message,) = toasts(app)
        assert message.startswith(f"Refused to open {url}: ")
        assert [n.severity for n in app._notifications] == ["error"]
        if url:
            assert url[:40] in screen_text(app)  # shown literally, not as markup


async def test_opener_opens_http() -> None:
    app = ShareApp(ARTICLE, push=False)
    async with app.run_test() as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert app.launcher.calls == [URL]
        assert toasts(app) == [f"Opened {URL}"]


# ---------------------------------------------------------------------------------
# snapshot


def test_share_menu_snapshot(snap_compare: object) -> None:
    assert snap_compare(ShareApp(ARTICLE), terminal_size=(100, 30))  # type: ignore[operator]


def test_share_menu_without_link_snapshot(snap_compare: object) -> None:
    assert snap_compare(ShareApp(NO_URL), terminal_size=(100, 30))  # type: ignore[operator]
