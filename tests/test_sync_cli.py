"""End to end, through the command line, against a real FreshRSS on 127.0.0.1:
``account add`` + ``sync`` bring the server's feeds with their state; ``mark``
changes reach the server on the next sync; a change made while the server is
stopped reaches it after it is restarted; ``refresh`` syncs too and never fetches
an account's feeds itself; a sync killed with SIGKILL is completed by the next one.
Failures are one line naming the account, exit 1, the library untouched."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from freshrss_server import GROUP, FeedSite, FreshRSS
from freshrss_server import freshrss as freshrss
from freshrss_server import freshrss_session as freshrss_session
from freshrss_server import site as site
from test_greader_client import Faulty
from testkit import CliResult

from briefreader.fetch.greader import READ, READING_LIST, STARRED, GReaderClient

#: Tests against the real FreshRSS: on the worker that has it (freshrss_server.GROUP),
#: beside the serial group; the others (a small server of our own) run anywhere.
on_freshrss = pytest.mark.xdist_group(GROUP)


@pytest.fixture
def server(freshrss: FreshRSS) -> FreshRSS:
    """A FreshRSS user of the test's own (no feeds) on the process's server."""
    return freshrss


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.own_env = {
            "BRIEFREADER_HOME": str(home),
            "BRIEFREADER_KEYRING": "off",
            "NO_COLOR": "1",
        }
        self.env = {**os.environ, **self.own_env}

    def __call__(self, *args: str, stdin: str | None = None, check: int | None = 0) -> Any:
        # In this process: ``main()`` without a fresh interpreter's start, as the
        # ``cli`` fixture of tests/conftest.py runs it (a command's parse workers
        # start from the fork server here: this process has threads).
        done: Any = _run_here(list(args), self.own_env, stdin or "")
        if check is not None:
            assert done.returncode == check, (done.returncode, done.stdout, done.stderr)
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "briefreader", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**self.env, **(env or {})},
            start_new_session=True,  # (its own process group: its workers go with it)
        )


def _run_here(args: list[str], env: dict[str, str], stdin: str) -> CliResult:
    """``briefreader *args`` in this process with ``stdin`` as its standard input (as
    testkit's in-process runner, which gives an empty one)."""
    from briefreader.cli import main

    streams = [io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="") for _ in range(2)]
    saved = sys.stdin, sys.stdout, sys.stderr, {k: os.environ.get(k) for k in env}
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    sys.stdout, sys.stderr = streams
    os.environ.update(env)
    try:
        try:
            code = main(args)
        except SystemExit as exc:  # argparse: usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
    finally:
        sys.stdin, sys.stdout, sys.stderr, old = saved
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    out, err = (_text(stream) for stream in streams)
    return CliResult(code, out, err)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", "replace")


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "home")


def _on_server(server: FreshRSS, fn: Any) -> Any:
    return server.run(fn)


def _unread(server: FreshRSS) -> set[str]:
    async def go(c: GReaderClient) -> set[str]:
        return set((await c.item_ids(READING_LIST, exclude=READ)).ids)

    return _on_server(server, go)  # type: ignore[no-any-return]


def _items_by_title(server: FreshRSS) -> dict[str, str]:
    async def go(c: GReaderClient) -> dict[str, str]:
        ids = (await c.item_ids(READING_LIST)).ids
        from briefreader.fetch.greader import short_item_id

        return {i["title"]: str(short_item_id(i["id"])) for i in await c.item_contents(ids)}

    return _on_server(server, go)  # type: ignore[no-any-return]


@on_freshrss
def test_end_to_end(server: FreshRSS, site: FeedSite, cli: Cli) -> None:
    urls = {name: site.put_feed(name, 5) for name in ("e2e-a", "e2e-b", "e2e-c")}

    async def setup(c: GReaderClient) -> None:
        await c.subscribe(urls["e2e-a"], folder="Tech")
        await c.subscribe(urls["e2e-b"], folder="Tech")
        await c.subscribe(urls["e2e-c"], folder="News")

    _on_server(server, setup)
    by_title = _items_by_title(server)
    assert len(by_title) == 15

    async def mark(c: GReaderClient) -> None:
        await c.edit_tag([by_title["e2e-a story 0"], by_title["e2e-b story 1"]], add=READ)
        await c.edit_tag([by_title["e2e-c story 2"]], add=STARRED)

    _on_server(server, mark)

    # account add: the password from stdin, never echoed, kept in a 0600 file only
    out = cli(
        "account",
        "add",
        server.endpoint,
        "--user",
        server.user,
        "--password-stdin",
        stdin=server.api_password + "\n",
    )
    assert server.api_password not in out.stdout + out.stderr
    assert "readable only by you" in out.stderr
    cred = cli.home / "credentials.json"
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    accounts = cli.json("account", "list")
    assert [a["account"] for a in accounts] == [f"{server.user}@{server.endpoint}"]
    assert server.api_password not in json.dumps(accounts)

    # sync brings the feeds (folders as tags), the items and the server's state
    reports = cli.json("sync")
    assert reports[0]["ok"] and reports[0]["new_items"] == 15
    arts = {a["title"]: a for a in cli.json("list")}
    assert len(arts) == 15
    read = {t for t, a in arts.items() if a.get("read")}
    starred = {t for t, a in arts.items() if a.get("starred")}
    assert read == {"e2e-a story 0", "e2e-b story 1"}
    assert starred == {"e2e-c story 2"}
    tags = {f["url"]: f["tags"] for f in cli.json("feeds")}
    assert tags == {urls["e2e-a"]: ["Tech"], urls["e2e-b"]: ["Tech"], urls["e2e-c"]: ["News"]}
    assert {f["account"] for f in cli.json("feeds")} == {server.endpoint}
    # fetched by the server, not by this device: "synced", never "never fetched"
    shown = cli("feeds").stdout
    assert shown.count("[synced]") == 3 and "never fetched" not in shown
    assert f"via {server.endpoint}: synced " in shown
    library = (cli.home / "library.sqlite3").read_bytes()
    assert server.api_password.encode() not in library
    for export in (cli("export").stdout, cli("export", "--opml").stdout):
        assert server.api_password not in export and server.endpoint not in export

    # `mark` changes reach the server on the next sync
    cli("mark", arts["e2e-a story 3"]["id"], arts["e2e-c story 4"]["id"], "--read")
    cli("mark", arts["e2e-a story 0"]["id"], "--unread")
    assert cli.json("sync")[0]["pushed"] == 3
    unread = _unread(server)
    assert by_title["e2e-a story 3"] not in unread and by_title["e2e-c story 4"] not in unread
    assert by_title["e2e-a story 0"] in unread

    # a change made while the server is stopped reaches it once it is back
    server.stop()
    try:
        cli("mark", arts["e2e-b story 4"]["id"], "--read")
        before = cli.json("list")
        out = cli("sync", check=1)
        lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
        assert lines == [
            f"briefreader: {server.user}@{server.endpoint}: login: connection refused "
            "(is the server up?)"
        ]
        assert cli.json("list") == before
        assert cli.json("account", "list")[0]["pending_changes"] == 1
    finally:
        server.restart()
    assert cli.json("sync")[0]["pushed"] == 1
    assert by_title["e2e-b story 4"] not in _unread(server)

    # refresh syncs the account too, and never fetches its feeds itself
    site.reset_stats()
    site.put_feed("e2e-a", 7)
    server.actualize()
    fetched_by_server = len(site.requests)
    out = cli("refresh")
    assert "2 new items" in out.stderr
    assert len(site.requests) == fetched_by_server  # briefreader did not fetch them
    assert len(cli.json("list")) == 17

    # removing an account's feed unsubscribes it on the server
    cli("remove", urls["e2e-c"])

    async def subs(c: GReaderClient) -> set[str]:
        return {s.url for s in await c.subscriptions()}

    assert _on_server(server, subs) == {urls["e2e-a"], urls["e2e-b"]}
    assert urls["e2e-c"] not in {f["url"] for f in cli.json("feeds")}

    # account remove: feeds, articles (starred kept) and the password go
    cli("account", "remove", f"{server.user}@{server.endpoint}")
    assert cli.json("account", "list") == []
    assert cli.json("feeds") == []
    assert json.loads(cred.read_text()) == {}


@on_freshrss
def test_account_add_failures(server: FreshRSS, cli: Cli) -> None:
    out = cli(
        "account",
        "add",
        server.endpoint,
        "--user",
        server.user,
        "--password-stdin",
        stdin="wrong-password-77\n",
        check=1,
    )
    assert out.stderr.count("\n") == 1 and "HTTP 401" in out.stderr
    assert "wrong-password-77" not in out.stderr
    assert cli.json("account", "list") == []
    assert not (cli.home / "credentials.json").exists()
    out = cli(
        "account",
        "add",
        "ftp://example.org/api",
        "--user",
        "x",
        "--password-stdin",
        stdin="pw\n",
        check=1,
    )
    assert "only http and https" in out.stderr
    out = cli("account", "add", server.endpoint, "--user", server.user, check=2)
    assert "--password-stdin" in out.stderr
    out = cli(
        "account",
        "add",
        server.endpoint,
        "--user",
        server.user,
        "--password-stdin",
        stdin="wrong-again-1\n",
        check=1,
    )
    assert "warning" not in out.stderr  # plain http on this machine: no warning


def test_an_app_id_and_key_are_kept_and_sent_never_shown(cli: Cli) -> None:
    """Inoreader and others want an app id and key from every client: given to
    ``account add``, kept with the password, sent on every request of every later
    command, never printed nor put in the library."""
    key = "k3y-never-printed-5150"
    with Faulty(required={"AppId": "999123", "AppKey": key}) as s:
        s.routes["subscription/list"] = lambda _m, _q, _b: (200, {}, b'{"subscriptions": []}')
        s.routes["stream/items/ids"] = lambda _m, _q, _b: (200, {}, b'{"itemRefs": []}')
        add = ("account", "add", s.endpoint, "--user", "me", "--password-stdin")
        out = cli(*add, stdin="pw\n", check=1)  # refused without them: one line
        assert out.stderr.count("\n") == 1 and "HTTP 403" in out.stderr
        out = cli(*add, "--app-id", "999123", stdin="pw\n", check=2)
        assert "--app-id and --app-key together" in out.stderr
        out = cli(*add, "--app-id", "999123", "--app-key", key, stdin="pw\n")
        assert "app id and key are kept" in out.stderr
        s.seen.clear()
        runs = [cli("sync"), cli("account", "list"), cli("account", "list", "--json")]
        assert len(s.seen) >= 4  # login, subscriptions, ids...
        assert all(h.get("AppKey") == key and h.get("AppId") == "999123" for *_x, h in s.seen)
        for done in [out, *runs]:
            assert key not in done.stdout + done.stderr
        assert key.encode() not in (cli.home / "library.sqlite3").read_bytes()
        assert key in (cli.home / "credentials.json").read_text()
        cli("account", "remove", "1")
        assert key not in (cli.home / "credentials.json").read_text()


def test_account_list_shows_the_last_sync_and_the_last_error(cli: Cli) -> None:
    with Faulty() as s:
        s.routes["subscription/list"] = lambda _m, _q, _b: (200, {}, b'{"subscriptions": []}')
        s.routes["stream/items/ids"] = lambda _m, _q, _b: (200, {}, b'{"itemRefs": []}')
        cli("account", "add", s.endpoint, "--user", "me", "--password-stdin", stdin="pw\n")
        out = cli("account", "list").stdout
        assert "synced never" in out and "last error" not in out
        cli("sync")
        out = cli("account", "list").stdout
        assert "synced never" not in out and "last error" not in out
        synced = cli.json("account", "list")[0]["last_sync"]
        s.routes["subscription/list"] = lambda _m, _q, _b: (500, {}, b"oops")
        cli("sync", check=1)
        out = cli("account", "list").stdout.splitlines()
        assert out[2] == (
            f"    last error: me@{s.endpoint}: subscription/list: HTTP 500 Internal Server Error"
        )
        (listed,) = cli.json("account", "list")
        assert listed["last_sync"] == synced and "HTTP 500" in listed["last_error"]


def test_plain_http_to_another_machine_is_warned_about() -> None:
    from briefreader.cli_accounts import _plain_http_elsewhere

    assert _plain_http_elsewhere("http://rss.example.org/api/greader.php")
    assert _plain_http_elsewhere("http://192.0.2.1:8080/api/greader.php")
    for quiet in (
        "https://rss.example.org/api/greader.php",
        "http://127.0.0.1:8080/api/greader.php",
        "http://localhost/api/greader.php",
        "http://[::1]:80/api/greader.php",
    ):
        assert not _plain_http_elsewhere(quiet)


@pytest.mark.parametrize(
    ("status", "body", "expect"),
    [
        (500, b"oops", "HTTP 500 Internal Server Error"),
        (429, b"slow down", "HTTP 429 Too Many Requests"),
        (403, b"no", "HTTP 403 Forbidden"),
        (200, b"{broken", "malformed answer"),
    ],
)
def test_sync_faults_leave_the_library_untouched(
    cli: Cli, status: int, body: bytes, expect: str
) -> None:
    with Faulty() as s:
        s.routes["subscription/list"] = lambda _m, _q, _b: (
            200,
            {},
            b'{"subscriptions": [{"id": "feed/1", "url": "http://127.0.0.1:9/f.xml", '
            b'"title": "F", "categories": []}]}',
        )
        s.routes["stream/items/ids"] = lambda _m, _q, _b: (200, {}, b'{"itemRefs": []}')
        cli("account", "add", s.endpoint, "--user", "me", "--password-stdin", stdin="pw\n")
        cli("sync")
        assert len(cli.json("feeds")) == 1
        s.routes["subscription/list"] = lambda _m, _q, _b: (status, {}, body)
        out = cli("sync", check=1)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"briefreader: me@{s.endpoint}: ")
        assert expect in lines[0]
        assert len(cli.json("feeds")) == 1


@on_freshrss
def test_a_sync_killed_midway_is_completed_by_the_next(
    server: FreshRSS, site: FeedSite, cli: Cli, tmp_path: Path
) -> None:
    """kill -9 at known points mid-sync (the engine's test pause: after a batch of
    articles is stored, before its id map is written), twice; the next sync completes
    it, nothing lost or doubled."""
    names = [f"kill-{n}" for n in range(4)]

    async def setup(c: GReaderClient) -> None:
        for name in names:
            await c.subscribe(site.put_feed(name, 30))

    _on_server(server, setup)
    cli(
        "account",
        "add",
        server.endpoint,
        "--user",
        server.user,
        "--password-stdin",
        stdin=server.api_password + "\n",
    )
    library = cli.home / "library.sqlite3"
    kills = 0
    # 1st sync: killed once feed 1 is stored and mapped and feed 2 stored; the 2nd
    # (feed 1 known): once feed 2 is mapped and feed 3 stored
    for n in range(2):
        paused = tmp_path / f"paused-{n}"
        proc = cli.popen("sync", "-q", env={"BRIEFREADER_SYNC_TEST_PAUSE": f"2:{paused}"})
        try:
            deadline = time.monotonic() + 60
            while not paused.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            assert paused.exists() and proc.poll() is None, "the sync never reached its pause"
            proc.send_signal(signal.SIGKILL)
            kills += 1
            assert proc.wait(timeout=60) == -signal.SIGKILL
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # its parse workers, if any are left
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        stored = cli.json("list")
        assert 0 < len(stored) < 120 and len({a["id"] for a in stored}) == len(stored)
    assert kills == 2 and library.exists()
    cli("sync")
    arts = cli.json("list")
    assert len(arts) == 120 and len({a["id"] for a in arts}) == 120
    # the map has each server item once, and the next sync has nothing to do
    again = cli.json("sync")[0]
    assert (again["new_items"], again["pushed"], again["pending"]) == (0, 0, 0)


@on_freshrss
def test_account_subscribe(server: FreshRSS, site: FeedSite, cli: Cli) -> None:
    cli(
        "account",
        "add",
        server.endpoint,
        "--user",
        server.user,
        "--password-stdin",
        stdin=server.api_password + "\n",
    )
    url = site.put_feed("via-account", 4)
    out = cli("account", "subscribe", f"{server.user}@{server.endpoint}", url, "--tag", "Added")
    assert "4 new items" in out.stderr
    feeds = {f["url"]: f for f in cli.json("feeds")}
    assert feeds[url]["tags"] == ["Added"]

    async def listed(c: GReaderClient) -> set[str]:
        return {s.url for s in await c.subscriptions()}

    assert url in _on_server(server, listed)
    site.add("/not-a-feed.html", b"<html><body>hello</body></html>", content_type="text/html")
    out = cli("account", "subscribe", "1", site.url("/not-a-feed.html"), check=1)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "subscription/edit: HTTP 400" in lines[0], lines
    out = cli("account", "subscribe", "9", url, check=1)
    assert "no account '9'" in out.stderr
