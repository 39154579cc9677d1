#!/usr/bin/env python3
"""Regenerate the screenshots in this folder from the running app.

    .venv/bin/python screenshots/regenerate.py

Runs the reading app headless on a fresh library holding the bundled sample
briefs (in a temporary ``BRIEFREADER_HOME``; nothing of yours is read or
written), with "now" fixed so relative ages do not drift, and writes one SVG
per view.  A PNG is written beside each SVG when ``rsvg-convert`` (Debian:
librsvg2-bin) or the ``cairosvg`` module is available.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from textual.pilot import Pilot  # noqa: E402

from briefreader.config import Config  # noqa: E402
from briefreader.tui.app import BriefReaderApp  # noqa: E402

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC).timestamp()
SAMPLE_TITLE = "New Export Rule Puts a Ceiling"

Step = Callable[[Pilot[Any]], Awaitable[None]]


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_sample(pilot: Pilot[Any], title: str = SAMPLE_TITLE) -> None:
    app = pilot.app
    assert isinstance(app, BriefReaderApp)
    index = next((i for i, row in app.article_list.iter_rows(0) if row.title.startswith(title)), 0)
    app.article_list.move_to(index)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def same_story(pilot: Pilot[Any]) -> None:
    """A sample that another sample reports too: "Same story" heads the sidebar."""
    await open_sample(pilot, "Cloud Rivals Match")


def then(*keys: str) -> Step:
    async def step(pilot: Pilot[Any]) -> None:
        await open_sample(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return step


async def feeds_screen(pilot: Pilot[Any]) -> None:
    """A few subscriptions (no network: their state is written directly), then F2."""
    from briefreader.store import Library

    app = pilot.app
    assert isinstance(app, BriefReaderApp)
    with Library(app.library_path) as library:
        feeds = [
            ("https://northgatewire.example/feed.xml", "Northgate Wire", ["news"], ""),
            ("https://kestrelmarkets.example/rss", "Kestrel Markets Daily", ["markets"], ""),
            ("https://tideline.example/energy/atom.xml", "Tideline Energy Review", ["energy"], ""),
            (
                "https://lowlandcourier.example/feed",
                "The Lowland Courier",
                ["news"],
                "HTTP 503 Service Unavailable (retry after 120 s)",
            ),
            ("https://parallax.example/science.json", "Parallax Science Weekly", [], ""),
        ]
        for url, title, tags, error in feeds:
            feed, _ = library.add_feed(url, title=title, tags=tags)
            library.record_fetch(feed.id, ok=not error, status=503 if error else 200, error=error)
        library._db.execute(
            "UPDATE feeds SET last_fetched = ?, last_ok = CASE WHEN last_error = '' THEN ? END",
            (NOW - 1500, NOW - 1500),
        )
    await pilot.press("f2")
    await settle(pilot)
    await pilot.press(*"jjjjjjj")  # to the feed with an error
    await settle(pilot)


async def feeds_pane(pilot: Pilot[Any]) -> None:
    """The samples as if they came from feeds (each source a subscription, some with
    tags, a third of the articles read): the feeds pane beside the list."""
    from briefreader.store import Library

    app = pilot.app
    assert isinstance(app, BriefReaderApp)
    feeds = [
        ("https://northgatewire.example/feed.xml", "Northgate Wire", ["news"]),
        ("https://brightwater.example/rss", "Brightwater Ledger", ["news", "markets"]),
        ("https://kestrelmarkets.example/rss", "Kestrel Markets Daily", ["markets"]),
        ("https://tideline.example/energy/atom.xml", "Tideline Energy Review", ["energy"]),
        ("https://lowlandcourier.example/feed", "The Lowland Courier", ["news"]),
        ("https://ferncastle.example/feed", "Ferncastle Times", []),
        ("https://parallax.example/science.json", "Parallax Science Weekly", ["science"]),
    ]
    with Library(app.library_path) as library:
        library._db.execute("UPDATE articles SET sample = 0")  # (feeds: samples give way)
        for url, title, tags in feeds:
            feed, _ = library.add_feed(url, title=title, tags=tags)
            library._db.execute(
                "UPDATE articles SET feed_id = ? "
                "WHERE source_id = (SELECT id FROM sources WHERE name = ?)",
                (feed.id, title),
            )
        library._db.execute("UPDATE articles SET read_at = ? WHERE rowid % 3 = 0", (NOW,))
    app.reload()
    await settle(pilot)
    await open_sample(pilot)


def _data_hall() -> Any:
    """A 600×320 picture for the lead-image view: racks of blinking boards in a dim
    hall (drawn here, deterministic: no image file, no network)."""
    from briefreader.media.images import Raster

    scale = 4
    width, height = 150 * scale, 80 * scale
    rgb = bytearray()
    for py in range(height):
        for px in range(width):
            x, y = px // scale, py // scale
            floor = y > 62
            rack = (x % 30) in range(4, 24) and 10 < y < 66
            if rack:
                light = (x % 6) in (1, 2, 3) and (y % 8) in (2, 3, 4)
                colour = (80, 220, 140) if light and (x * 7 + y) % 3 else (28, 34, 48)
            elif floor:
                colour = (36 + (y - 62) * 2, 40 + (y - 62) * 2, 52 + (y - 62) * 2)
            else:
                colour = (14, 18 + y // 6, 40 + y // 3)
            rgb += bytes(colour)
    return Raster(width, height, bytes(rgb))


async def lead_image(pilot: Pilot[Any]) -> None:
    """``i`` on a brief with a lead image (put in the image cache first: no network)."""
    from briefreader.media.cache import ImageCache, default_cache_dir
    from briefreader.store import Library

    app = pilot.app
    assert isinstance(app, BriefReaderApp)
    url = "https://northgatewire.example/img/data-hall.jpg"
    ImageCache(default_cache_dir()).put(url, _data_hall())
    with Library(app.library_path) as library:
        library._db.execute(
            "UPDATE articles SET image_url = ?, image_alt = ? WHERE title LIKE ?",
            (url, "Racks of accelerator boards in a data hall", SAMPLE_TITLE + "%"),
        )
    await open_sample(pilot)
    await pilot.press("i")
    await settle(pilot)


#: name, terminal size, theme, what to do before the picture.
SHOTS: list[tuple[str, tuple[int, int], str, Step]] = [
    ("main", (140, 42), "textual-dark", open_sample),
    ("same-story", (140, 42), "textual-dark", same_story),
    ("share-menu", (140, 42), "textual-dark", then("S")),
    ("links", (140, 42), "textual-dark", then("u")),
    ("help", (110, 52), "textual-dark", then("question_mark")),
    ("narrow-80x24", (80, 24), "textual-dark", open_sample),
    ("narrow-related-80x24", (80, 24), "textual-dark", then("right_square_bracket")),
    ("single-pane-50x22", (50, 22), "textual-dark", open_sample),
    ("light-theme", (140, 42), "textual-light", open_sample),
    ("feeds", (120, 30), "textual-dark", feeds_screen),
    ("feeds-pane", (150, 42), "textual-dark", feeds_pane),
    ("lead-image", (140, 42), "textual-dark", lead_image),
]


async def shoot(library: Path, name: str, size: tuple[int, int], theme: str, step: Step) -> Path:
    app = BriefReaderApp(
        library,
        config=Config(theme=theme),
        config_path=Path("~/.config/briefreader/config.toml"),
        save_config=False,
        load_samples=True,
        clock=lambda: NOW,
    )
    app.RELATED_DELAY = 0  # type: ignore[misc]
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await step(pilot)
        svg = app.export_screenshot(title=f"briefreader — {name}")
    out = HERE / f"{name}.svg"
    out.write_text(svg, encoding="utf-8")
    return out


def to_png(svg: Path) -> Path | None:
    png = svg.with_suffix(".png")
    tool = shutil.which("rsvg-convert")
    if tool:
        subprocess.run([tool, str(svg), "-o", str(png)], check=True)
        return png
    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        return None
    cairosvg.svg2png(url=str(svg), write_to=str(png))
    return png


async def main() -> int:
    with tempfile.TemporaryDirectory(prefix="briefreader-shots-") as home:
        os.environ["BRIEFREADER_HOME"] = home
        made: list[Path] = []
        for name, size, theme, step in SHOTS:
            # A fresh library per view: the first run imports the bundled samples.
            library = Path(home) / f"{name}.sqlite3"
            svg = await shoot(library, name, size, theme, step)
            made.append(svg)
            png = to_png(svg)
            if png is not None:
                made.append(png)
    for path in made:
        print(path.relative_to(HERE.parent))
    if not any(p.suffix == ".png" for p in made):
        print(
            "(no PNGs: install rsvg-convert (librsvg2-bin) or cairosvg for them)", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
