"""Lead images in the reading app: what showing an article costs with a cached image.

    python benchmarks/bench_media.py [--articles 100000] [--presses 60]

Opens the app (headless, Pilot, 160×48) over the synthetic library of
``bench_library`` (built once under ``benchmarks/.data``), with every article given
a lead image whose decoded raster is already in the disk cache (a real
:class:`~briefreader.media.cache.ImageCache` in a temporary folder: a cache hit, no
network).  Then, for ``images = "off"`` and ``images = "auto"``:

* opening ``--presses`` articles one after another (``show_article``, what a key
  press does): the UI thread's CPU time (``time.thread_time``, so the machine's
  other load does not count), median and 90th percentile;
* with ``auto``, the UI thread's CPU time when the image arrives from the worker
  (the pane drawn again with it: the cache read, the decoding-free raster and its
  half-block lines were done off the UI thread).

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_library import DATA, build_library  # noqa: E402

from briefreader.config import Config  # noqa: E402
from briefreader.media.cache import ImageCache  # noqa: E402
from briefreader.media.images import Raster  # noqa: E402
from briefreader.store import Library  # noqa: E402


def raster() -> Raster:
    """A 160×96 picture (the largest a cache keeps), a gradient: many colours."""
    rgb = bytearray()
    for y in range(96):
        for x in range(160):
            rgb += bytes(((x * 3) % 256, (y * 5) % 256, (x + y) % 256))
    return Raster(160, 96, bytes(rgb))


def image_url(article_id: str) -> str:
    return f"https://img.invalid/{article_id}.png"


async def run(library: Path, mode: str, presses: int, cache_dir: Path) -> dict[str, Any]:
    from briefreader import reading
    from briefreader.tui import app as app_module
    from briefreader.tui.app import BriefReaderApp

    original = reading.article_as_read

    def with_image(lib: Library, article_id: str) -> Any:
        found = original(lib, article_id)
        if found is None:
            return None
        article, full = found
        return article.with_changes(image_url=image_url(article.id)), full

    setattr(app_module, "article_as_read", with_image)  # noqa: B010 - (not exported)
    app = BriefReaderApp(library, config=Config(images=mode), config_path=None)  # type: ignore[arg-type]
    app.service.image_folder = cache_dir
    opens: list[float] = []
    arrivals: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(500):
            await pilot.pause(0.02)
            if app.current is not None:
                break
        await pilot.pause(0.5)
        view = app.article_view
        set_image = view.set_lead_image

        def timed_set_image(article_id: str, image: Any) -> None:
            t0 = time.thread_time()
            set_image(article_id, image)
            arrivals.append((time.thread_time() - t0) * 1000)

        view.set_lead_image = timed_set_image  # type: ignore[method-assign]
        rows = [row.id for _, row in itertools.islice(app.article_list.iter_rows(0), presses + 2)]
        for article_id in rows[1 : presses + 1]:
            # The UI thread's work for a key press that opens an article (its CPU time:
            # the machine's other load does not count).
            t0 = time.thread_time()
            app.show_article(article_id)
            opens.append((time.thread_time() - t0) * 1000)
            for _ in range(1000):  # bounded
                await pilot.pause(0)
                if mode == "off" or view.lead_image(article_id) is not None:
                    break
            await pilot.pause(0.02)
    setattr(app_module, "article_as_read", original)  # noqa: B010
    result: dict[str, Any] = {
        "mode": mode,
        "open_article_ui_cpu_ms_median": round(statistics.median(opens), 3),
        "open_article_ui_cpu_ms_p90": round(sorted(opens)[int(len(opens) * 0.9)], 3),
    }
    if arrivals:
        result["image_arrives_ui_cpu_ms_median"] = round(statistics.median(arrivals), 3)
        result["image_arrives_ui_cpu_ms_p90"] = round(sorted(arrivals)[int(len(arrivals) * 0.9)], 3)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    library = DATA / f"library-{args.articles}.sqlite3"
    if not library.exists():
        DATA.mkdir(exist_ok=True)
        build_library(library, args.articles)
    with tempfile.TemporaryDirectory(prefix="briefreader-bench-media-") as tmp:
        os.environ["BRIEFREADER_HOME"] = tmp
        cache_dir = Path(tmp) / "images"
        cache = ImageCache(cache_dir)
        picture = raster()
        with Library(library) as lib:  # (migrates the file first)
            ids = [row.id for row in lib.rows(limit=args.presses + 2)]
        for article_id in ids:
            cache.put(image_url(article_id), picture)
        results = [
            asyncio.run(run(library, mode, args.presses, cache_dir)) for mode in ("off", "auto")
        ]
    print(json.dumps({"articles": args.articles, "presses": args.presses, "runs": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
