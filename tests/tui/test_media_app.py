"""Pictures and media in the app, through Pilot, against a real server on 127.0.0.1
with image and audio bytes made here: nothing is fetched until ``i``; ``i`` draws
the lead image in half blocks with its alt text; ``images = "auto"`` loads it as
the article opens, and the cache serves it again; a hostile image ends in a note;
``P`` plays an enclosure in the configured player (a script that records its
argv), ``D`` downloads it and ``P`` then plays the file."""

from __future__ import annotations

import io
import stat
import sys
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from PIL import Image
from textual.pilot import Pilot
from tui_helpers import make_article, screen_text, settle

from briefreader.config import Config
from briefreader.model import Enclosure
from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 40)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png(size: tuple[int, int] = (80, 40)) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", size, "navy")
    picture.paste((250, 200, 0), (0, 0, size[0] // 2, size[1]))
    picture.save(out, format="PNG")
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(8000 * 2))
    return out.getvalue()


def library(tmp_path: Path, server: FetchServer, image: str = "/lead.png") -> Path:
    path = tmp_path / "media.sqlite3"
    articles = [
        make_article(
            0,
            image_url=server.url(image),
            image_alt="A harbour crane at dusk",
            enclosures=(Enclosure(server.url("/ep.wav"), "audio/wav", len(wav()), 61),),
        ),
        make_article(1),
    ]
    with Library(path) as lib:
        lib.store(articles)
    return path


async def until(pilot: Pilot[Any], check: Callable[[], bool]) -> None:
    for _ in range(300):  # bounded: a few seconds at most
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out waiting")


def image_shown(app: BriefReaderApp) -> bool:
    return app.current is not None and app.article_view.lead_image(app.current.id) is not None


async def test_nothing_is_fetched_until_i_then_the_lead_image_is_drawn(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/lead.png", png(), content_type="image/png")
    app = make_app(library(tmp_path, fetch_server))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.current is not None and app.current.id == "art000"
        before = app.article_view.text
        assert "▀" not in before and "LISTEN" in before
        assert fetch_server.hits("/lead.png") == 0  # privacy: opening fetched nothing
        await pilot.press("i")
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        assert fetch_server.hits("/lead.png") == 1
        text = screen_text(app)
        assert "▀" in text and "A harbour crane at dusk" in text
        lines = app.article_view.text.splitlines()
        assert lines[1].startswith("▀")  # at the top, above the title
        assert lines.index(next(ln for ln in lines if "Story number 0" in ln)) > 2
        # another article and back: drawn from memory, nothing fetched again
        await pilot.press("j")
        await settle(pilot)
        assert "▀" not in app.article_view.text
        await pilot.press("k")
        await settle(pilot)
        assert "▀" in app.article_view.text
        assert fetch_server.hits("/lead.png") == 1


async def test_images_auto_loads_as_the_article_opens_and_the_cache_serves_it_again(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/lead.png", png(), content_type="image/png")
    path = library(tmp_path, fetch_server)
    for _ in range(2):
        app = make_app(path, config=Config(images="auto"))
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await until(pilot, lambda: image_shown(app))  # noqa: B023
            await settle(pilot)
            assert "▀" in app.article_view.text
    assert fetch_server.hits("/lead.png") == 1  # the second run read the disk cache


async def test_a_hostile_image_ends_in_a_note(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/evil.png", SVG, content_type="image/png")
    app = make_app(library(tmp_path, fetch_server, image="/evil.png"))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        text = app.article_view.text
        assert "Image not shown: an SVG image" in text and "▀" not in text


async def test_images_off_the_pane_is_as_before(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "plain.sqlite3"
    with Library(path) as lib:
        lib.store([make_article(0, image_url=fetch_server.url("/x.png"), image_alt="alt")])
    plain = tmp_path / "plainer.sqlite3"
    with Library(plain) as lib:
        lib.store([make_article(0)])
    texts = []
    for p in (path, plain):
        app = make_app(p)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            texts.append(app.article_view.text)
    # the same but for the hint under the byline (the image is not fetched to say it)
    assert texts[0].replace("i: load image · alt\n", "", 1) == texts[1]
    assert fetch_server.requests == []


def recording_player(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "argv.txt"
    script = tmp_path / "player"
    script.write_text(
        f"#!{sys.executable}\nimport sys\n"
        f"open({str(log)!r}, 'a').write('\\t'.join(sys.argv[1:]) + '\\n')\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


async def test_play_and_download_keys(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/ep.wav", wav(), content_type="audio/wav")
    script, log = recording_player(tmp_path)
    config = Config(player=(str(script), "--no-video"))
    app = make_app(library(tmp_path, fetch_server), config=config)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "audio/wav · 1:01 · 16.0 KB" in app.article_view.text
        await pilot.press("P")
        await until(pilot, lambda: log.exists() and log.read_text().count("\n") == 1)
        assert log.read_text().split("\n")[0].split("\t") == [
            "--no-video",
            fetch_server.url("/ep.wav"),
        ]
        await pilot.press("D")
        await until(pilot, lambda: not app.workers and app.status_text == "")
        await settle(pilot)
        downloaded = tmp_path / "home" / "downloads" / "ep.wav"
        assert downloaded.read_bytes() == wav()
        with Library(app.library_path) as lib:
            assert lib.downloaded_article_ids() == {"art000"}
        await pilot.press("P")
        await until(pilot, lambda: log.read_text().count("\n") == 2)
        assert log.read_text().split("\n")[1].split("\t") == ["--no-video", str(downloaded)]
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert log.read_text().count("\n") == 2  # no enclosure there: nothing played
    assert fetch_server.hits("/ep.wav") == 1


async def test_links_list_copies_the_enclosure_and_i_falls_back_to_a_body_image(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    from textual.widgets import OptionList

    fetch_server.add("/body.png", png(), content_type="image/png")
    path = tmp_path / "body.sqlite3"
    with Library(path) as lib:
        lib.store(
            [
                make_article(
                    0,
                    body=f"Text ![A chart]({fetch_server.url('/body.png')}) and more.",
                    enclosures=(Enclosure("https://pod.example/e.mp3", "audio/mpeg", 2_000, 0),),
                ),
                make_article(1, body="No pictures here."),
            ]
        )
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "[image 1: A chart]" in app.article_view.text
        await pilot.press("u")
        await settle(pilot)
        text = screen_text(app)
        assert "file" in text and "audio/mpeg · 2.0 KB" in text and "image 1: A chart" in text
        assert app.screen.query_one(OptionList).highlighted == 0
        await pilot.press("j")
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == "https://pod.example/e.mp3"
        await pilot.press("escape")
        await settle(pilot)
        assert fetch_server.hits("/body.png") == 0
        await pilot.press("i")  # no lead image: the body's first image
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        assert fetch_server.hits("/body.png") == 1 and "▀" in app.article_view.text
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert any("no images" in str(n.message) for n in app._notifications)


async def test_i_draws_the_body_images_in_place(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/lead.png", png(), content_type="image/png")
    fetch_server.add("/one.png", png((240, 80)), content_type="image/png")
    fetch_server.add("/evil.png", SVG, content_type="image/png")
    body = (
        "Intro paragraph.\n\n"
        f"![First picture]({fetch_server.url('/one.png')})\n\n"
        "Middle paragraph.\n\n"
        f"![Hostile]({fetch_server.url('/evil.png')})\n\n"
        "Last paragraph."
    )
    path = tmp_path / "pictures.sqlite3"
    with Library(path) as lib:
        lib.store([make_article(0, body=body, image_url=fetch_server.url("/lead.png"))])
    app = make_app(path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        before = app.article_view.text.splitlines()
        assert sum("▀" in line for line in before) == 0
        assert "[image 1: First picture]" in app.article_view.text
        await pilot.press("i")
        await until(pilot, lambda: bool(app.article_view.body_pictures("art000")))
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        lines = app.article_view.text.splitlines()
        intro = next(i for i, ln in enumerate(lines) if "Intro paragraph" in ln)
        first = next(i for i, ln in enumerate(lines) if "[image 1: First picture]" in ln)
        middle = next(i for i, ln in enumerate(lines) if "Middle paragraph" in ln)
        hostile = next(i for i, ln in enumerate(lines) if "[image 2: Hostile — not" in ln)
        assert all("▀" in ln for ln in lines[intro + 2 : first])  # the picture, in place
        assert first - intro - 2 >= 3
        assert not any("▀" in ln for ln in lines[middle:])  # the SVG stays a placeholder
        assert middle < hostile
        assert any("SVG" in str(n.message) for n in app._notifications)
        assert [fetch_server.hits(p) for p in ("/lead.png", "/one.png", "/evil.png")] == [1, 1, 1]
