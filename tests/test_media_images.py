"""Lead images: fetched from a real server on 127.0.0.1, sniffed, decoded with a
pixel limit, cached on disk; every hostile image ends in a one-line note and nothing
is written outside the cache.  The images are made here with Pillow."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from PIL import Image
from rich.console import Console

from briefreader.media.cache import ImageCache
from briefreader.media.halfblock import HalfBlockImage, half_block_lines
from briefreader.media.images import ImageRefused, Raster, decode_image, sniff_image
from briefreader.media.loader import load_image


def image_bytes(fmt: str, size: tuple[int, int] = (64, 32), colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` × ``height`` (a decompression bomb's
    header; its CRC is right, so only the size gives it away)."""
    data = bytearray(image_bytes("PNG", (8, 8)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_the_four_types_decode_and_scale_down(fmt: str) -> None:
    raster = decode_image(image_bytes(fmt, (640, 320)))
    assert (raster.width, raster.height) == (160, 80)
    r, g, b = raster.pixel(80, 40)
    assert r > 200 and g < 60 and b < 60


@pytest.mark.parametrize(
    ("data", "note"),
    [
        (SVG, "SVG"),
        (b'<?xml version="1.0"?>\n<svg/>', "SVG"),
        (b"<!doctype html><p>not found</p>", "not an image"),
        (b"\x00\x01garbage" * 10, "not a PNG, JPEG, GIF or WebP"),
        (b"", "empty"),
        (image_bytes("PNG", (1, 1)), "tracking pixel"),
        (image_bytes("GIF", (1, 1)), "tracking pixel"),
        (png_claiming(60_000, 60_000), "decompression bomb"),
        (image_bytes("PNG", (300, 300))[:200], "PNG image"),
        (image_bytes("JPEG", (300, 300))[:300], "JPEG image"),
    ],
    ids=[
        "svg",
        "svg-xml",
        "html",
        "garbage",
        "empty",
        "png-1x1",
        "gif-1x1",
        "bomb-header",
        "truncated-png",
        "truncated-jpeg",
    ],
)
def test_hostile_images_end_in_a_note(data: bytes, note: str) -> None:
    with pytest.raises(ImageRefused) as refused:
        decode_image(data)
    assert note in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_real_bomb_is_refused_by_its_header_size() -> None:
    bomb = image_bytes("PNG", (3000, 3000), "white")  # 9 Mpx in a few KB
    assert len(bomb) < 100_000
    with pytest.raises(ImageRefused, match="decompression bomb"):
        decode_image(bomb, max_pixels=1_000_000)


def test_sniffing_ignores_what_the_name_says() -> None:
    assert sniff_image(image_bytes("GIF")) == "gif"
    with pytest.raises(ImageRefused):
        sniff_image(b"GIF8")


def test_cache_round_trip_notes_and_lru_trim(tmp_path: Path) -> None:
    cache = ImageCache(tmp_path / "c", max_bytes=3 * (12 + 16 * 16 * 3))
    raster = decode_image(image_bytes("PNG", (16, 16)))
    for n in range(5):
        cache.put(f"https://img.example/{n}.png", raster)
    cache.put("https://img.example/svg", "an SVG image: not shown")
    kept = [cache.get(f"https://img.example/{n}.png") for n in range(5)]
    assert kept[:3] == [None, None, None] and kept[4] == raster  # oldest went first
    assert cache.get("https://img.example/svg") == "an SVG image: not shown"
    assert all(p.suffix == ".img" for p in (tmp_path / "c").iterdir())
    (tmp_path / "c" / next(iter(p.name for p in (tmp_path / "c").iterdir()))).write_bytes(b"x")
    assert sum(1 for _ in (tmp_path / "c").iterdir()) <= 4


def test_half_blocks_draw_two_pixels_a_cell() -> None:
    top, bottom = (255, 0, 0), (0, 0, 255)
    raster = Raster(2, 2, bytes([*top, *top, *bottom, *bottom]))
    (line,) = half_block_lines(raster, 10, 10)
    assert [s.text for s in line] == ["▀▀"]
    style = line[0].style
    assert style is not None and style.color is not None and style.bgcolor is not None
    assert style.color.triplet == top and style.bgcolor.triplet == bottom
    wide = Raster(100, 10, bytes(3000))
    assert [sum(len(s.text) for s in ln) for ln in half_block_lines(wide, 40, 8)] == [40] * 2
    console = Console(width=20, color_system="truecolor", record=True)
    console.print(HalfBlockImage(Raster(40, 40, bytes(4800)), max_rows=4))
    assert console.export_text().splitlines() == ["▀▀▀▀▀▀▀▀"] * 4


async def test_load_from_server_then_cache(fetch_server: FetchServer, tmp_path: Path) -> None:
    fetch_server.add("/lead.png", image_bytes("PNG", (120, 60)), content_type="image/png")
    cache = ImageCache(tmp_path / "cache")
    url = fetch_server.url("/lead.png")
    assert (await load_image(url, cache, fetch=False)).raster is None  # privacy: asked first
    assert fetch_server.hits("/lead.png") == 0
    first = await load_image(url, cache)
    again = await load_image(url, cache)
    assert first.raster is not None and first.fetched
    assert again.raster == first.raster and not again.fetched
    assert fetch_server.hits("/lead.png") == 1
    accept = fetch_server.requests_for("/lead.png")[0].header("accept") or ""
    assert "image/png" in accept and "svg" not in accept


async def test_hostile_images_from_the_server(fetch_server: FetchServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(image_bytes("PNG"))
    routes: dict[str, tuple[bytes, str]] = {
        "/bomb.png": (png_claiming(50_000, 50_000), "decompression bomb"),
        "/cut.png": (image_bytes("PNG", (400, 400))[:150], "PNG image"),
        "/page.png": (b"<html><body>404</body></html>", "not an image"),
        "/evil.svg": (SVG, "SVG"),
        "/pixel.gif": (image_bytes("GIF", (1, 1)), "tracking pixel"),
    }
    for path, (body, _) in routes.items():
        fetch_server.add(path, body, content_type="image/png")
    fetch_server.add_redirect("/to-file.png", f"file://{secret}")
    fetch_server.add("/huge.png", b"\x89PNG\r\n\x1a\n" + bytes(9 * 1024 * 1024))
    cache = ImageCache(tmp_path / "cache")
    for path, (_, note) in routes.items():
        outcome = await load_image(fetch_server.url(path), cache)
        assert outcome.raster is None and note in outcome.note, (path, outcome.note)
        again = await load_image(fetch_server.url(path), cache)  # the note was kept
        assert again.note == outcome.note and fetch_server.hits(path) == 1
    redirected = await load_image(fetch_server.url("/to-file.png"), cache)
    assert redirected.raster is None and "non-http(s)" in redirected.note
    huge = await load_image(fetch_server.url("/huge.png"), cache)
    assert huge.raster is None and "could not load" in huge.note
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "secret.png"]
    assert all(p.suffix == ".img" for p in (tmp_path / "cache").iterdir())


def test_a_note_cached_by_the_version_before_is_read_as_absent(tmp_path: Path) -> None:
    """The previous version's notes had a 10-byte header (``>6sHH``, "BRNOT2"): read
    with today's 18-byte one, their first 8 bytes of text were taken for sizes and
    the note shown cut short.  Such a file is absent now: the image is asked again."""
    import struct

    cache = ImageCache(tmp_path / "c")
    url = "https://img.example/old"
    cache.put(url, "an SVG image")
    old_note = struct.pack(">6sHH", b"BRNOT2", 0, 0) + b"an SVG image: a vector picture"
    cache._path(url).write_bytes(old_note)
    assert cache.get(url) is None
    cache.put(url, "an SVG image: a vector picture")
    assert cache.get(url) == "an SVG image: a vector picture"
