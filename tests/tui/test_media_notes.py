"""Why a picture is not shown, where it would be, through Pilot against a real
server on 127.0.0.1: each failed body image's placeholder says why in place (as
plain text, never markup), the lead image's note says "not shown" once, and a
response over the size cap gives its size in MB."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from test_media_app import WIDE, MakeApp, image_shown, png, until
from test_media_images import png_claiming
from tui_helpers import make_article, settle

from briefreader.fetch.media import fetch_image
from briefreader.store import Library


async def test_each_failed_body_image_says_why_in_place(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/cut.png", png((300, 300))[:200], content_type="image/png")
    fetch_server.add("/huge.png", png_claiming(20_000, 20_000), content_type="image/png")
    fetch_server.add("/fine.png", png((60, 20)), content_type="image/png")
    body = (
        "Intro.\n\n"
        f"![A cut [b]picture[/b]]({fetch_server.url('/cut.png')})\n\n"
        f"![An enormous picture]({fetch_server.url('/huge.png')})\n\n"
        f"![Fine]({fetch_server.url('/fine.png')})\n\n"
        "End."
    )
    path = tmp_path / "notes.sqlite3"
    with Library(path) as lib:
        lib.store([make_article(0, body=body)])
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await until(pilot, lambda: "▀" in app.article_view.text)
        await settle(pilot)
        text = " ".join(app.article_view.text.split())
        assert "[image 1: A cut [b]picture[/b] — not shown: a truncated PNG image]" in text
        assert "[image 2: An enormous picture — not shown: too many pixels" in text
        assert "[image 3: Fine]" in text
        assert text.count("not shown") == 2


async def test_the_lead_image_note_says_not_shown_once(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/cut.png", png((300, 300))[:200], content_type="image/png")
    path = tmp_path / "lead.sqlite3"
    with Library(path) as lib:
        lib.store([make_article(0, image_url=fetch_server.url("/cut.png"))])
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        text = " ".join(app.article_view.text.split())
        assert "Image not shown: a truncated PNG image" in text
        assert text.count("not shown") == 1


def test_an_image_over_the_cap_gives_its_size_in_mb(fetch_server: FetchServer) -> None:
    fetch_server.add("/big.png", bytes(13_384_544), content_type="image/png")
    result = asyncio.run(fetch_image(fetch_server.url("/big.png")))
    assert result.error == "response too large: 12.8 MB (the limit is 8 MB)"


def webp(size: tuple[int, int]) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format="WEBP")
    return out.getvalue()


def picture_cells(text: str) -> list[int]:
    """The width in cells of each line of half blocks."""
    return [line.count("▀") for line in text.splitlines() if "▀" in line]


async def test_a_small_image_is_not_blown_up_and_a_big_one_takes_a_third(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/icon.webp", webp((64, 48)), content_type="image/webp")
    fetch_server.add("/photo.png", png((1200, 900)), content_type="image/png")
    path = tmp_path / "sizes.sqlite3"
    with Library(path) as lib:
        lib.store(
            [
                make_article(0, image_url=fetch_server.url("/icon.webp")),
                make_article(1, image_url=fetch_server.url("/photo.png")),
            ]
        )
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await until(pilot, lambda: "▀" in app.article_view.text)
        await settle(pilot)
        # 64×48 pixels at 8×16 a cell: 8 columns, 3 lines (the pane is far wider)
        assert picture_cells(app.article_view.text) == [8, 8, 8]
    small = make_app(path)
    async with small.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "i")
        await until(pilot, lambda: "▀" in small.article_view.text)
        await settle(pilot)
        rows = small.article_view.scrollable_content_region.height
        cells = picture_cells(small.article_view.text)
        assert 3 <= len(cells) <= rows // 3
        assert max(cells) < small.article_view.scrollable_content_region.width
