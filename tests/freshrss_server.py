"""A real FreshRSS (Google Reader API) on 127.0.0.1 for the sync tests and benchmark.

It comes from the shared servers folder beside the repository
(``../shared/servers/freshrss/start.sh``, which installs PHP from Debian's packages
when run as root); :func:`start_freshrss` skips the calling test, naming what is
missing, when that folder or PHP is absent.  The server fetches feeds itself: the
tests serve them from 127.0.0.1 (:class:`FeedSite`) and never point it anywhere
else (the feed FreshRSS subscribes a new user to is unsubscribed at once).

Fixtures (import them into a test module, ``from freshrss_server import freshrss as
freshrss``, …; the ``as`` form keeps ruff's F401/F811 quiet):

* ``freshrss_session``: one server per test process (per xdist worker), started on
  first use and stopped by its process group at the end.  Its data sits on a tmpfs
  when there is one: FreshRSS on SQLite commits every item it stores, ~18 ms each
  on a disk (a 50-item feed took 1 s to subscribe to, 0.17 s on a tmpfs).
* ``freshrss``: a FreshRSS user of the test's own on that server (its own
  subscriptions, items and state: tests stay independent), the server up.  A test
  may stop and restart it (:meth:`FreshRSS.stop`, :meth:`FreshRSS.restart`); it is
  restarted for the next test if it was left stopped.
* ``site``: one :class:`FeedSite` per test process (tests use feed names of their own).

Tests that use them go in the ``freshrss`` xdist group (:data:`GROUP`), so that one
worker runs them all on one server, beside the serial group.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from fetchserver import FetchServer

from briefreader.fetch.greader import READING_LIST, GReaderClient

REPO = Path(__file__).resolve().parents[1]
START = REPO.parent / "shared" / "servers" / "freshrss" / "start.sh"

#: The xdist group of the tests that use the shared server.
GROUP = "freshrss"
#: Where the shared server's data goes when this is a tmpfs folder (Linux's usual one).
TMPFS = Path("/dev/shm")


@dataclass
class _Php:
    """What every user's :class:`FreshRSS` of one server shares: the PHP server
    process (when this process started it) and the user new ones are copied from."""

    proc: subprocess.Popen[bytes] | None = None
    template: FreshRSS | None = None
    stops: int = 0  # (a client held across a stop is made again)


@dataclass
class _Held:
    """An event loop and a logged-in client kept between :meth:`FreshRSS.run` calls
    (each new one cost ~90 ms: the HTTP client's TLS set-up and FreshRSS's password
    check at login)."""

    runner: asyncio.Runner
    client: GReaderClient | None = None
    stops: int = 0


@dataclass
class FreshRSS:
    base: str
    user: str
    password: str
    api_password: str
    workdir: Path
    port: int
    _php: _Php = field(default_factory=_Php, repr=False)
    _held: _Held | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def endpoint(self) -> str:
        return f"{self.base}/api/greader.php"

    def _pgid(self) -> int | None:
        try:
            return int((self.workdir / "server.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def _answers(self) -> bool:
        """Whether something listens on the server's port."""
        import socket

        with socket.socket() as sock:
            sock.settimeout(1)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        """Stop the PHP server (its whole process group, at once: SIGKILL; PHP's
        server takes 1.5 s to leave on SIGTERM); the data stays (SQLite, committed).
        Returns once the port refuses connections (a server start.sh started is not
        our child: it may stay a zombie until something else reaps it)."""
        self._php.stops += 1
        pgid = self._pgid()
        if pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            (self.workdir / "server.pid").unlink(missing_ok=True)
        if self._php.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._php.proc.wait(timeout=10)
            self._php.proc = None
        deadline = time.monotonic() + 10
        while self._answers() and time.monotonic() < deadline:
            time.sleep(0.01)

    @property
    def running(self) -> bool:
        return self._pgid() is not None and self._answers()

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
        self._php.proc = proc
        (self.workdir / "server.pid").write_text(f"{proc.pid}\n")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.endpoint}", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return
            time.sleep(0.02)
        raise RuntimeError(f"FreshRSS did not come back on {self.base}")

    def new_user(self, user: str) -> FreshRSS:
        """A new user on this server, without feeds, as a FreshRSS of its own.  The
        first is made by FreshRSS (``cli/create-user.php``, its default feed then
        unsubscribed) and kept as a template; the others are copies of its folder
        (a FreshRSS user is ``data/users/NAME``: settings, password hashes and its own
        SQLite database), ~1 ms instead of 0.3 s each."""
        users = self.workdir / "freshrss" / "data" / "users"
        template = self._php.template
        if template is None:
            template = self._create_user("template")
            self._php.template = template
        shutil.copytree(users / template.user, users / user)
        return replace(template, user=user)

    def _create_user(self, user: str) -> FreshRSS:
        password = f"{user}-password-1"
        api_password = f"{user}-api-password-1"
        done = subprocess.run(
            [
                "php",
                "cli/create-user.php",
                "--user",
                user,
                "--password",
                password,
                "--api-password",
                api_password,
            ],  # (its --no-default-feeds fails in this FreshRSS: a PHP TypeError)
            cwd=self.workdir / "freshrss",
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"FreshRSS could not create user {user}: {done.stderr.strip()}")
        server = replace(self, user=user, password=password, api_password=api_password)
        server.run(_drop_default_feeds)
        return server

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
        on the server: subscribing, marking, reading state).  After :meth:`hold`, one
        client and loop serve every call until :meth:`close`."""
        held = self._held
        if held is None:

            async def go() -> object:
                async with self.client() as c:
                    await c.login(self.user, self.api_password)
                    return await coro_fn(c)  # type: ignore[operator]

            return asyncio.run(go())

        async def go_held() -> object:
            if held.client is not None and held.stops != self._php.stops:
                await held.client.__aexit__(None, None, None)  # (its connections are dead)
                held.client = None
            if held.client is None:
                client = await self.client().__aenter__()
                try:
                    await client.login(self.user, self.api_password)
                except BaseException:
                    await client.__aexit__(None, None, None)
                    raise
                held.client, held.stops = client, self._php.stops
            return await coro_fn(held.client)  # type: ignore[operator]

        return held.runner.run(go_held())

    def hold(self) -> None:
        """Keep one loop and logged-in client for :meth:`run` (until :meth:`close`)."""
        if self._held is None:
            self._held = _Held(asyncio.Runner(loop_factory=asyncio.new_event_loop))

    def close(self) -> None:
        """Close what :meth:`hold` kept."""
        held, self._held = self._held, None
        if held is None:
            return
        try:
            if held.client is not None:
                held.runner.run(held.client.__aexit__(None, None, None))
        finally:
            held.runner.close()


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

    try:
        server.run(_drop_default_feeds)
    except BaseException:
        server.stop()
        raise
    return server


async def _drop_default_feeds(c: GReaderClient) -> None:
    # A new user is subscribed to the FreshRSS releases feed on the Internet (not
    # fetched yet): the server must never fetch it here.
    for sub in await c.subscriptions():
        await c.unsubscribe(sub.id)


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


# -- fixtures: one server per test process, a user of its own per test ----------------

_users = itertools.count(1)


#: This process's shared server (each module that imports the session fixture has a
#: copy of it: pytest keeps one per module, and they all hand out this one).
_shared: FreshRSS | None = None


@pytest.fixture(scope="session")
def freshrss_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshRSS]:
    """One FreshRSS for this test process (on a tmpfs when there is one)."""
    global _shared
    if _shared is None:
        on_tmpfs = TMPFS.is_dir() and os.access(TMPFS, os.W_OK)
        workdir = (
            Path(tempfile.mkdtemp(prefix="briefreader-freshrss-", dir=TMPFS))
            if on_tmpfs
            else tmp_path_factory.mktemp("freshrss")
        )
        try:
            _shared = start_freshrss(workdir / "server")
        except BaseException:
            if on_tmpfs:
                shutil.rmtree(workdir, ignore_errors=True)
            raise
    yield _shared
    if _shared is not None:  # (the first copy's teardown, at the end of the session)
        server, _shared = _shared, None
        server.stop()
        if server.workdir.parent.parent == TMPFS:
            shutil.rmtree(server.workdir.parent, ignore_errors=True)


@pytest.fixture
def freshrss(freshrss_session: FreshRSS) -> Iterator[FreshRSS]:
    """A user of this test's own on the process's FreshRSS (no feeds), the server up."""
    if not freshrss_session.running:
        freshrss_session.restart()  # a test before this one left it stopped
    user = freshrss_session.new_user(f"t{os.getpid()}n{next(_users)}")
    user.hold()
    try:
        yield user
    finally:
        user.close()


@pytest.fixture(scope="module")
def site() -> Iterator[FeedSite]:
    """Feeds for FreshRSS to fetch (one server per test module; tests name their own).

    Per module, not per session: its server thread would otherwise outlive the
    module and make later tests in the process see a thread (the forked import
    pool is not used then, and the test of it skips)."""
    with FeedSite() as s:
        yield s
