"""Pictures that failed, through Pilot against real servers on 127.0.0.1: a failure
that may pass (the server was down) is tried again on the next ``i`` and the image
drawn; a refusal about the file itself (an SVG) is kept, and ``i`` says why again."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from test_media_app import SVG, WIDE, MakeApp, image_shown, png, until
from tui_helpers import make_article, settle

from briefreader.store import Library


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def image_server(port: int, body: bytes, hits: list[str]) -> Iterator[None]:
    """A server that comes up late, on ``port``, answering every GET with ``body``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def one_article(tmp_path: Path, image_url: str) -> Path:
    path = tmp_path / "retry.sqlite3"
    with Library(path) as lib:
        lib.store([make_article(0, image_url=image_url, image_alt="A lighthouse"), make_article(1)])
    return path


def toasts(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_i_tries_again_after_the_server_was_down(tmp_path: Path, make_app: MakeApp) -> None:
    port = free_port()
    app = make_app(one_article(tmp_path, f"http://127.0.0.1:{port}/lead3.jpg"))
    hits: list[str] = []
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        assert "connection refused" in app.article_view.text
        with image_server(port, png(), hits):
            await pilot.press("i")
            await until(pilot, lambda: "▀" in app.article_view.text)
            await settle(pilot)
            assert hits == ["/lead3.jpg"]
            text = app.article_view.text
            assert "Image not shown" not in text and "A lighthouse" in text
            # away and back: still drawn, nothing fetched again
            await pilot.press("j", "k")
            await settle(pilot)
            assert "▀" in app.article_view.text and hits == ["/lead3.jpg"]


async def test_a_refused_image_stays_refused_but_i_says_why_each_time(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/evil.png", SVG, content_type="image/png")
    app = make_app(one_article(tmp_path, fetch_server.url("/evil.png")))
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await until(pilot, lambda: image_shown(app))
        await settle(pilot)
        assert sum("SVG" in t for t in toasts(app)) == 1
        await pilot.press("i")
        await until(pilot, lambda: sum("SVG" in t for t in toasts(app)) == 2)
        await pilot.press("j", "k", "i")
        await until(pilot, lambda: sum("SVG" in t for t in toasts(app)) == 3)
        assert fetch_server.hits("/evil.png") == 1  # the refusal was kept: not fetched again
        assert "Image not shown: an SVG image" in app.article_view.text
