"""A real FreshRSS (Google Reader API) on 127.0.0.1 for the sync tests and benchmark.

It comes from the shared servers folder beside the repository
(``../shared/servers/freshrss/start.sh``, which installs PHP from Debian's packages
when run as root); :func:`start_freshrss` skips the calling test, naming what is
missing, when that folder or PHP is absent.  The server fetches feeds itself: the
tests serve them from 127.0.0.1 (:class:`FeedSite`) and never point it anywhere
else (the feed FreshRSS subscribes a new user to is unsubscribed at once).

Use the ``freshrss`` fixture pattern of the test modules (module scope: one server
per module, stopped by its process group).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fetchserver import FetchServer

from briefreader.fetch.greader import READING_LIST, GReaderClient

REPO = Path(__file__).resolve().parents[1]
START = REPO.parent / "shared" / "servers" / "freshrss" / "start.sh"


@dataclass
class FreshRSS:
    base: str
    user: str
    password: str
    api_password: str
    workdir: Path
    port: int
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"{self.base}/api/greader.php"

    def _pgid(self) -> int | None:
        try:
            return int((self.workdir / "server.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        """Stop the PHP server (its whole process group); the data stays."""
        pgid = self._pgid()
        if pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.killpg(pgid, 0)
                except (ProcessLookupError, PermissionError):
                    break
                if self._proc is not None and self._proc.poll() is not None:
                    break  # our own child: reaped (a zombie would still answer kill 0)
                time.sleep(0.05)
            else:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pgid, signal.SIGKILL)
            if self._proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=5)
                self._proc = None

    def restart(self) -> None:
        """Serve the same data again on the same port (start.sh would reinstall)."""
        log = open(self.workdir / "server.log", "ab")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", "p/"],
            cwd=self.workdir / "freshrss",
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        self._proc = proc
        (self.workdir / "server.pid").write_text(f"{proc.pid}\n")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.endpoint}", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"FreshRSS did not come back on {self.base}")

    def actualize(self) -> None:
        """Have FreshRSS fetch its feeds now (they are all on 127.0.0.1).  Its feeds'
        last-update times are cleared first: FreshRSS skips a feed fetched within the
        hour, and the tests change their feeds within seconds; and its cache of fetched
        feeds is emptied (it would answer from it)."""
        import sqlite3

        for cached in (self.workdir / "freshrss" / "data" / "cache").glob("*.spc"):
            cached.unlink()
        db = sqlite3.connect(self.workdir / "freshrss" / "data" / "users" / self.user / "db.sqlite")
        try:
            with db:
                db.execute("UPDATE feed SET lastUpdate = 0")
        finally:
            db.close()
        # (it exits 1 when no feed had anything new: not a failure here)
        subprocess.run(
            ["php", "cli/actualize-user.php", "--user", self.user],
            cwd=self.workdir / "freshrss",
            capture_output=True,
            timeout=300,
        )

    def client(self) -> GReaderClient:
        return GReaderClient(self.endpoint, name="test-admin")

    def run(self, coro_fn: object) -> object:
        """Run ``async def f(client)`` with a logged-in client (the test's own hands
        on the server: subscribing, marking, reading state)."""

        async def go() -> object:
            async with self.client() as c:
                await c.login(self.user, self.api_password)
                return await coro_fn(c)  # type: ignore[operator]

        return asyncio.run(go())


def start_freshrss(workdir: Path) -> FreshRSS:
    """Start a FreshRSS in ``workdir``, or skip the test saying what is missing."""
    if not START.is_file():
        pytest.skip(f"no FreshRSS to test against: {START.parent} is absent (../shared)")
    try:
        done = subprocess.run(
            ["bash", str(START), str(workdir)],
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("FreshRSS's start.sh did not finish in 15 minutes")
    if done.returncode == 2:
        pytest.skip(f"no FreshRSS to test against: {done.stderr.strip() or 'PHP is missing'}")
    if done.returncode != 0:
        pytest.fail(f"FreshRSS did not start: {done.stderr.strip()}")
    base, user, password, api_password = done.stdout.split()[:4]
    server = FreshRSS(base, user, password, api_password, workdir, port=int(base.rsplit(":", 1)[1]))

    async def drop_default_feeds(c: GReaderClient) -> None:
        # A new user is subscribed to the FreshRSS releases feed on the Internet: the
        # server must never fetch it here.
        for sub in await c.subscriptions():
            await c.unsubscribe(sub.id)

    try:
        server.run(drop_default_feeds)
    except BaseException:
        server.stop()
        raise
    return server


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS 2.0 document: ``items`` are (guid, title, html body)."""
    from xml.sax.saxutils import escape

    parts = [
        f"<item><title>{escape(t)}</title><link>http://127.0.0.1/{escape(g)}</link>"
        f"<guid isPermaLink='false'>{escape(g)}</guid><description>{escape(b)}</description>"
        f"<pubDate>Mon, 02 Nov 2026 {i % 24:02d}:00:00 GMT</pubDate></item>"
        for i, (g, t, b) in enumerate(items)
    ]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/{escape(title)}</link>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


class FeedSite(FetchServer):
    """Feeds for FreshRSS to fetch, served from 127.0.0.1."""

    def put_feed(self, name: str, count: int, *, start: int = 0) -> str:
        """Serve ``/name.xml`` with ``count`` items (numbered from ``start``); its URL."""
        items = [
            (
                f"{name}-{i}",
                f"{name} story {i}",
                f"<p>Story {i} of {name}. Markets moved as the council met on the budget, "
                f"and the vote on item {i} is due next week.</p>",
            )
            for i in range(start, start + count)
        ]
        self.add(f"/{name}.xml", rss(name, items), content_type="application/rss+xml")
        return self.url(f"/{name}.xml")


async def reading_list(c: GReaderClient) -> list[str]:
    return (await c.item_ids(READING_LIST)).ids
