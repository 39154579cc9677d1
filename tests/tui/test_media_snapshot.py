"""Snapshot of a brief with its lead image drawn in half blocks (``i``, the image
served from 127.0.0.1) and its enclosure listed.

New in issue 14: generate it once with
``pytest tests/tui/test_media_snapshot.py --snapshot-update`` and look at the SVG
(a picture of two colour bands above the title, the alt text under it, LISTEN with
the episode's type, duration and size).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from PIL import Image
from textual.pilot import Pilot
from tui_helpers import make_article, settle

from briefreader.model import Enclosure
from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]


def lead_png() -> bytes:
    """A 384×192 picture (a photo's proportions; pictures are drawn at most their
    natural size, 8×16 pixels a cell): a sky gradient over a dark sea, a yellow sun
    (deterministic)."""
    picture = Image.new("RGB", (384, 192))
    for py in range(192):
        for px in range(384):
            x, y = px // 4, py // 4
            sky = y < 30
            colour = (40 + 4 * y, 90 + 3 * y, 200) if sky else (10, 40 + y, 80 + x // 2)
            if (x - 70) ** 2 + (y - 14) ** 2 < 64:
                colour = (250, 210, 60)
            picture.putpixel((px, py), colour)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def test_brief_with_lead_image_120x40(
    snap_compare: Any, fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/lead.png", lead_png(), content_type="image/png")
    path = tmp_path / "media.sqlite3"
    with Library(path) as lib:
        lib.store(
            [
                make_article(
                    0,
                    image_url=fetch_server.url("/lead.png"),
                    image_alt="Sunrise over the harbour mouth",
                    enclosures=(
                        Enclosure("https://pod.example/ep0.mp3", "audio/mpeg", 31_000_000, 3725),
                    ),
                ),
                make_article(1),
            ]
        )

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("i")
        app = pilot.app
        assert isinstance(app, BriefReaderApp)
        for _ in range(300):  # bounded
            if app.article_view.lead_image("art000") is not None:
                break
            await pilot.pause(0.02)
        app.clear_notifications()  # the "Loading" toast's timer is not what this pins
        await settle(pilot)

    app = make_app(path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
