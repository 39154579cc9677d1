"""The lead image through the terminal's graphics protocol, in the app: with
``image_protocol = "kitty"`` ``i`` draws Kitty Unicode placeholders (and sends the
pixels to the terminal once); ``auto`` in the headless test driver draws half blocks,
even where the environment says kitty; without true colour, so does ``kitty``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from test_media_app import image_shown, library, png, until
from tui_helpers import settle

from briefreader.config import Config
from briefreader.media.kitty import PLACEHOLDER, KittyImage
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 40)


async def test_kitty_protocol_draws_placeholders_and_sends_the_pixels_once(
    fetch_server: FetchServer,
    tmp_path: Path,
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")  # the placeholders' colour is the image id
    monkeypatch.delenv("NO_COLOR", raising=False)
    fetch_server.add("/lead.png", png(), content_type="image/png")
    app = make_app(library(tmp_path, fetch_server), config=Config(image_protocol="kitty"))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.image_protocol == "kitty"
        assert PLACEHOLDER not in app.article_view.text
        await pilot.press("i")
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        lines = app.article_view.text.splitlines()
        assert lines[1].startswith(PLACEHOLDER)  # at the top, above the title
        assert "▀" not in app.article_view.text
        assert "A harbour crane at dusk" in app.article_view.text
        assert app.current is not None
        shown = app.article_view.lead_image(app.current.id)
        assert shown is not None and isinstance(shown.picture, KittyImage)
        sent = app.article_view.graphics_sent
        assert sent > 0  # the pixels and the placement went to the terminal
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert app.article_view.text.splitlines()[1].startswith(PLACEHOLDER)
        assert app.article_view.graphics_sent == sent  # back again: nothing re-sent


async def test_auto_in_the_headless_driver_draws_half_blocks(
    fetch_server: FetchServer,
    tmp_path: Path,
    make_app: MakeApp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm-kitty")
    monkeypatch.setenv("KITTY_WINDOW_ID", "1")
    fetch_server.add("/lead.png", png(), content_type="image/png")
    app = make_app(library(tmp_path, fetch_server))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.image_protocol == "halfblock"
        await pilot.press("i")
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        text = app.article_view.text
        assert text.splitlines()[1].startswith("▀") and PLACEHOLDER not in text
        assert app.article_view.graphics_sent == 0


async def test_kitty_without_true_colour_falls_back_to_half_blocks(
    tmp_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    path = tmp_path / "none.sqlite3"
    app = make_app(path, config=Config(image_protocol="kitty"))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.console.color_system == "256"
        assert app.image_protocol == "halfblock"
