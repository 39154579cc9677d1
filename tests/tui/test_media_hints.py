"""What the media keys are for, said where they apply (Pilot, real keys, a real
server on 127.0.0.1): "i: load image" under the byline of an article with an image
until it is loaded (not with images = "auto"); "P play · D download" beside the
LISTEN heading and a mark on a downloaded file; the download's toast names its folder;
D with nothing to download says so; the help says i loads the article's images;
q during a download says it will resume, and a second q quits."""

from __future__ import annotations

from pathlib import Path

from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from test_media_app import WIDE, MakeApp, image_shown, library, png, until, wav
from tui_helpers import make_article, settle

from briefreader.config import Config
from briefreader.model import Enclosure
from briefreader.store import Library
from briefreader.tui.screens.help import HelpScreen


def toasts(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


def line_after_byline(text: str) -> str:
    lines = text.splitlines()
    meta = max(i for i, ln in enumerate(lines[:8]) if "min read" in ln)
    return lines[meta + 1]


async def test_i_load_image_hint_under_the_byline_until_loaded(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/lead.png", png(), content_type="image/png")
    path = library(tmp_path, fetch_server)
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        hint = line_after_byline(app.article_view.text)
        assert hint.startswith("i: load image") and "A harbour crane" in hint
        await pilot.press("i")
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        text = app.article_view.text
        assert "▀" in text and "i: load image" not in text
        await pilot.press("j")  # an article with no image: no hint
        await settle(pilot)
        assert "i: load image" not in app.article_view.text
    auto = make_app(path, config=Config(images="auto"))
    async with auto.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: image_shown(auto))
        await settle(pilot)
        assert "i: load image" not in auto.article_view.text


async def test_enclosure_keys_downloaded_mark_and_folder_in_the_toast(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/ep.wav", wav(), content_type="audio/wav")
    app = make_app(library(tmp_path, fetch_server))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        flat = " ".join(app.article_view.text.split())
        assert "LISTEN P play · D download ▶ audio/wav · 1:01 · 16.0 KB" in flat
        assert "downloaded" not in flat
        await pilot.press("D")
        await until(pilot, lambda: any(t.startswith("Downloaded:") for t in toasts(app)))
        await settle(pilot)
        folder = tmp_path / "home" / "downloads"
        done = next(t for t in toasts(app) if t.startswith("Downloaded:"))
        assert " ".join(done.split()) == f"Downloaded: ep.wav (16.0 KB) in {folder}"
        flat = " ".join(app.article_view.text.split())
        assert "LISTEN P play · D download ▶ audio/wav · 1:01 · 16.0 KB · ✓ downloaded" in flat
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert toasts(app)[-1] == "This article has nothing to download."
    again = make_app(app.library_path)  # next time: marked from the start
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "✓ downloaded" in again.article_view.text


async def test_the_help_says_i_loads_the_articles_images(tmp_path: Path, make_app: MakeApp) -> None:
    path = tmp_path / "one.sqlite3"
    with Library(path) as lib:
        lib.store([make_article(0)])
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        entries = {entry.binding_id: entry for entry in app.screen.entries}
        assert "Load the article's images" in entries["load_images"].description


async def test_q_during_a_download_says_it_resumes_then_quits(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add_drip("/ep.wav", wav()[:200], interval=0.05, limit=10.0)
    path = tmp_path / "slow.sqlite3"
    with Library(path) as lib:
        lib.store([make_article(0, enclosures=(Enclosure(fetch_server.url("/ep.wav")),))])
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await until(pilot, lambda: fetch_server.hits("/ep.wav") == 1)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and any("resumes it next time" in t for t in toasts(app))
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)


async def test_q_warns_again_during_a_later_download(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    """The warning is once a download, not once a session: after a warned download
    ended, ``q`` during the next one warns again instead of quitting at once."""
    fetch_server.add_drip("/short.wav", wav()[:12], interval=0.05, limit=10.0)
    fetch_server.add_drip("/long.wav", wav()[:200], interval=0.05, limit=10.0)
    path = tmp_path / "two.sqlite3"
    with Library(path) as lib:
        lib.store(
            [
                make_article(0, enclosures=(Enclosure(fetch_server.url("/short.wav")),)),
                make_article(1, enclosures=(Enclosure(fetch_server.url("/long.wav")),)),
            ]
        )
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        first = app.current
        await pilot.press("D")
        await until(pilot, lambda: len(fetch_server.requests) == 1)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        await until(pilot, lambda: any(t.startswith("Downloaded:") for t in toasts(app)))
        app.clear_notifications()
        await pilot.press("j")
        await settle(pilot)
        assert app.current != first
        await pilot.press("D")
        await until(pilot, lambda: len(fetch_server.requests) == 2)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and any("resumes it next time" in t for t in toasts(app))
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)
