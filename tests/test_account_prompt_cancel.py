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


#: Runs the command with Ctrl-C's default action restored first.  A shell runs a
#: background job (``pytest … &`` from a script) with SIGINT and SIGQUIT ignored, and
#: an ignored signal stays ignored across exec: the command then rightly ignores
#: Ctrl-C, and this test (which every such run failed) would test nothing.
_WITH_DEFAULT_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


def _prompt_then(home: Path, act: str) -> tuple[int, bytes]:
    """Run ``account add`` on a pseudo-terminal; at the password prompt, ``act``
    ("interrupt": one SIGINT, as Ctrl-C sends; "eof": Ctrl-D).  (exit status, output)"""
    import pty
    import select

    cli = Cli(home)
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _WITH_DEFAULT_SIGINT, *COMMAND[1:], ENDPOINT, "--user", "me"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=cli.env,
            start_new_session=True,
        )
        os.close(slave)
        seen, acted = b"", False
        deadline = time.monotonic() + 30
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
                    else:
                        os.write(master, b"\x04")
                if not ready and proc.poll() is not None:
                    break
            try:
                return proc.wait(timeout=30), seen
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"account add still running after {act}; it printed {seen!r}; "
                    f"{_signal_state(proc.pid)}"
                ) from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    finally:
        os.close(master)


def _signal_state(pid: int) -> str:
    """What the kernel says of a stuck process: its signal masks and where it waits
    (for a failure's message: a hang here has not been reproduced outside the suite)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except OSError as exc:
        return f"no /proc state ({exc})"
    keep = [line for line in status if line.startswith(("State", "Sig", "Shd"))]
    return "; ".join([*keep, f"wchan {wchan}"])


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
