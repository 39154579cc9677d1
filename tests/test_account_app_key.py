"""``account add --app-id`` without the key on the command line (where every user of
the machine sees it in the process list): from ``BRIEFREADER_APP_KEY``, or typed on
a terminal without echo, like the password."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_greader_client import Faulty
from test_sync_cli import Cli

KEY = "k3y-from-elsewhere-8086"
COMMAND = (sys.executable, "-m", "briefreader", "account", "add")


def _serve(s: Faulty) -> None:
    s.routes["subscription/list"] = lambda _m, _q, _b: (200, {}, b'{"subscriptions": []}')
    s.routes["stream/items/ids"] = lambda _m, _q, _b: (200, {}, b'{"itemRefs": []}')


def test_the_app_key_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(tmp_path / "home")
    with Faulty(required={"AppId": "999123", "AppKey": KEY}) as s:
        _serve(s)
        add = ("account", "add", s.endpoint, "--user", "me", "--password-stdin")
        # no key anywhere and no terminal: a usage error naming where to put it
        out = cli(*add, "--app-id", "999123", stdin="pw\n", check=2)
        assert "BRIEFREADER_APP_KEY" in out.stderr and not s.seen
        monkeypatch.setitem(cli.own_env, "BRIEFREADER_APP_KEY", KEY)
        out = cli(*add, "--app-id", "999123", stdin="pw\n")
        assert "app id and key are kept" in out.stderr and KEY not in out.stderr
        assert s.seen and all(h.get("AppKey") == KEY for *_x, h in s.seen)
        # kept with the password: later commands send it without the variable
        monkeypatch.delitem(cli.own_env, "BRIEFREADER_APP_KEY")
        s.seen.clear()
        cli("sync")
        assert s.seen and all(h.get("AppKey") == KEY for *_x, h in s.seen)
    assert KEY in (cli.home / "credentials.json").read_text()


def _converse(fd: int, answers: dict[bytes, bytes], proc: subprocess.Popen[bytes]) -> bytes:
    """Read the terminal's output; when a prompt in ``answers`` appears, type its
    answer (each once).  Ends when the process does (30 s at most)."""
    seen = b""
    pending = dict(answers)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            seen += chunk
        for prompt in [p for p in pending if p in seen]:
            os.write(fd, pending.pop(prompt))
        if not ready and proc.poll() is not None:
            break
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
def test_the_app_key_asked_for_on_a_terminal_is_not_echoed(tmp_path: Path) -> None:
    import pty

    cli = Cli(tmp_path / "home")
    with Faulty(required={"AppId": "999123", "AppKey": KEY}) as s:
        _serve(s)
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen(
                [*COMMAND, s.endpoint, "--user", "me", "--app-id", "999123"],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env={k: v for k, v in cli.env.items() if k != "BRIEFREADER_APP_KEY"},
                start_new_session=True,  # no controlling terminal but this one
            )
            os.close(slave)
            try:
                seen = _converse(
                    master,
                    {b"App key for app id 999123: ": KEY.encode() + b"\n", b"Password": b"pw\n"},
                    proc,
                )
                assert proc.wait(timeout=30) == 0, seen
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=10)
        finally:
            os.close(master)
    assert b"App key for app id 999123" in seen and b"Password for me" in seen
    assert KEY.encode() not in seen  # not echoed, nor printed
    assert b"app id and key are kept" in seen
    assert s.seen and all(h.get("AppKey") == KEY for *_x, h in s.seen)
