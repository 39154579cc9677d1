"""Ctrl-C (or Ctrl-D) at ``account add``'s password prompt: the prompt's line is
ended, "cancelled" is said, the exit status is 130 (1 for Ctrl-D), nothing is
stored, and the message about there being no terminal is not given (there was one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_account_app_key import COMMAND
from test_sync_cli import Cli

ENDPOINT = "http://127.0.0.1:9/api/greader.php"  # never reached: nothing is sent


def _prompt_then(home: Path, act: str) -> tuple[int, bytes]:
    """Run ``account add`` on a pseudo-terminal; at the password prompt, ``act``
    ("interrupt": SIGINT, as Ctrl-C sends; "eof": Ctrl-D).  (exit status, output)"""
    import pty
    import select

    cli = Cli(home)
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [*COMMAND, ENDPOINT, "--user", "me"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=cli.env,
            start_new_session=True,
        )
        os.close(slave)
        seen, acted = b"", False
        deadline = time.monotonic() + 30
        # CPython loses a signal that lands after its last check and before the read
        # of the line begins (the read then waits for input): on a loaded machine the
        # one SIGINT sometimes did (1 run in 3 of the suite).  A person presses
        # Ctrl-C again; so does this test, every 2 s until the process ends.
        interrupted_at = 0.0
        try:
            while time.monotonic() < deadline:
                ready, _w, _x = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    seen += chunk
                if not acted and b"Password for me" in seen:
                    acted = True
                    if act == "interrupt":
                        os.kill(proc.pid, signal.SIGINT)
                        interrupted_at = time.monotonic()
                    else:
                        os.write(master, b"\x04")
                elif interrupted_at and time.monotonic() - interrupted_at > 2:
                    if proc.poll() is None:
                        os.kill(proc.pid, signal.SIGINT)
                    interrupted_at = time.monotonic()
                if not ready and proc.poll() is not None:
                    break
            return proc.wait(timeout=30), seen
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    finally:
        os.close(master)


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
@pytest.mark.parametrize(("act", "code"), [("interrupt", 130), ("eof", 1)])
def test_cancelling_the_password_prompt(tmp_path: Path, act: str, code: int) -> None:
    home = tmp_path / "home"
    status, seen = _prompt_then(home, act)
    text = seen.decode("utf-8", "replace").replace("\r\n", "\n")
    assert status == code, text
    assert "no terminal" not in text
    _, _, after = text.partition("Password for me")
    assert after.split(": ", 1)[1].startswith("\nbriefreader: cancelled"), text
    assert not (home / "credentials.json").exists()
    assert "me@" not in Cli(home)("account", "list").stdout
