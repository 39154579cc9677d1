"""End to end: the installed ``briefreader`` in a real terminal (tmux), ``c`` copies.

tmux runs on a private socket (``-L``) with its own config file (``-f``) holding
``set-clipboard on``, so an OSC 52 sequence written by the app lands in a tmux
paste buffer that ``tmux show-buffer`` prints.  The user's tmux is never touched;
only the private server is killed at the end.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BRIEFREADER = Path(sys.executable).parent / "briefreader"
URL = "https://news.example/2026/11/e2e-clipboard-check?ref=tmux&x=1"
TITLE = "Grid operators brace for the e2e clipboard check"
TAKEAWAY = "Operators reserve spare capacity for the evening peak"

ARTICLE = {
    "title": TITLE,
    "url": URL,
    "source": "Test Wire",
    "author": "A. Tester",
    "published": "2026-11-26T08:00:00+00:00",
    "summary": "A short brief used by the end-to-end test.",
    "takeaways": [TAKEAWAY, "Prices rise in the evening", "Storage fills the gap"],
    "body": "Body text of the end-to-end brief.\n\nA second paragraph.",
}

Tmux = Callable[..., subprocess.CompletedProcess[str]]


def _clean_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX", "TMUX_PANE", "BROWSER")
        and not k.startswith(("SSH_", "WSL_"))
    }
    env.update(BRIEFREADER_HOME=str(home), TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    return env


def _wait_for(what: str, probe: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.1)
    return probe()


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    exe = shutil.which("tmux")
    if exe is None:
        pytest.skip("tmux is not installed")
    socket = f"briefreader-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    conf = tmp_path / "tmux.conf"
    conf.write_text(
        "set -g set-clipboard on\n"
        "set -g remain-on-exit on\n"
        "set -g escape-time 0\n"
        "set -g default-terminal tmux-256color\n"
        "set -g status off\n"
    )
    env = _clean_env(tmp_path / "home")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, "-L", socket, "-f", str(conf), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=check,
            env=env,
        )

    try:
        yield run
    finally:
        shown = run("display-message", "-p", "#{socket_path}", check=False)
        run("kill-server", check=False)
        socket_path = shown.stdout.strip()
        if shown.returncode == 0 and socket_path.endswith(socket):
            Path(socket_path).unlink(missing_ok=True)  # tmux leaves the socket file behind


def test_c_copies_the_link_through_tmux_and_q_exits_zero(tmux: Tmux, tmp_path: Path) -> None:
    if importlib.util.find_spec("briefreader.tui.app") is None:
        pytest.skip("the reading app (briefreader.tui.app) is not built yet")
    assert BRIEFREADER.exists(), f"console script not installed: {BRIEFREADER}"
    home = tmp_path / "home"
    home.mkdir()
    env = _clean_env(home)

    # a library holding one article with a known URL
    source = tmp_path / "article.json"
    source.write_text(json.dumps(ARTICLE), encoding="utf-8")
    added = subprocess.run(
        [str(BRIEFREADER), "add", "--quiet", str(source)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    exitfile = tmp_path / "exit-status"
    command = f"{shlex.quote(str(BRIEFREADER))}; echo $? > {shlex.quote(str(exitfile))}"
    tmux("new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40", "-c", str(tmp_path), command)

    def screen() -> str:
        return tmux("capture-pane", "-p", "-t", "e2e", check=False).stdout

    def buffer() -> str | None:
        shown = tmux("show-buffer", check=False)
        return shown.stdout if shown.returncode == 0 else None

    def dead() -> bool:
        shown = tmux("display-message", "-p", "-t", "e2e", "#{pane_dead}", check=False)
        return shown.stdout.strip() == "1"

    def report() -> str:
        status = exitfile.read_text().strip() if exitfile.exists() else "(still running)"
        return f"exit status: {status}\n{screen()}"

    shown = _wait_for("the app", lambda: "Grid operators brace" in screen() or dead(), 20)
    assert shown and not dead(), report()
    assert buffer() is None  # nothing copied yet

    tmux("send-keys", "-t", "e2e", "Enter")
    assert _wait_for("the article", lambda: "Operators reserve spare" in screen()), report()

    tmux("send-keys", "-t", "e2e", "c")
    assert _wait_for("the clipboard", lambda: buffer() == URL), (buffer(), report())
    assert _wait_for("the toast", lambda: "Copied" in screen(), 5), report()

    tmux("send-keys", "-t", "e2e", "q")
    exited = _wait_for("exit", lambda: exitfile.exists() and exitfile.read_text().strip() != "")
    assert exited, report()
    assert exitfile.read_text().strip() == "0", report()
    assert _wait_for("the pane to close", dead, 5)
