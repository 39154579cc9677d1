"""Hostile input to the readers and the feed parser: special files, lone surrogates,
entity amplification, items that share a link.  Each fails with one line naming the
file or feed, in bounded time and memory, and loses nothing already stored."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefreader.sources import SourceError, expand_inputs, read_file


def run(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEFREADER_HOME": str(home), "NO_PROXY": "*"}
    return subprocess.run(
        [sys.executable, "-m", "briefreader", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def one_error_line(out: subprocess.CompletedProcess[str], path: Path | str) -> str:
    lines = [line for line in out.stderr.splitlines() if str(path) in line]
    assert lines, out.stderr
    assert "Traceback" not in out.stderr, out.stderr
    return lines[0]


# ---------------------------------------------------------------------------------
# special files (item 9)

needs_posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def within(seconds: float, fn: Callable[[], Any], fifo: Path | None = None) -> Any:
    """``fn()`` in a thread, failing the test if it takes longer than ``seconds``
    (a reader stuck opening ``fifo`` is then released by opening its other end)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the test below
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"still running after {seconds} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


@needs_posix
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    with pytest.raises(SourceError) as info:
        within(10, lambda: read_file(fifo), fifo)
    assert str(info.value) == f"{fifo}: not a regular file"


@needs_posix
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_symlink_to_a_device_is_refused(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    link = tmp_path / "a.txt"
    link.symlink_to(device)
    with pytest.raises(SourceError) as info:
        read_file(link)
    assert str(info.value) == f"{link}: not a regular file"


@needs_posix
def test_folder_walk_skips_special_files(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A brief\n\nIts dek.\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    if os.path.exists("/dev/zero"):
        (tmp_path / "zero.md").symlink_to("/dev/zero")
    found = list(expand_inputs([str(tmp_path)]))
    files = [p.name for p, _ in found if p is not None]
    notes = [n for p, n in found if p is None]
    assert files == ["good.txt"]
    assert any("pipe.txt: skipped, not a regular file" in n for n in notes)
    # and through a glob
    found = list(expand_inputs([str(tmp_path / "*.txt")]))
    assert [p.name for p, _ in found if p is not None] == ["good.txt"]


@needs_posix
@pytest.mark.parametrize("command", ["show", "add"])
def test_show_and_add_refuse_a_fifo_and_dev_zero(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    targets = [fifo]
    if os.path.exists("/dev/zero"):
        zero = tmp_path / "a.txt"
        zero.symlink_to("/dev/zero")
        targets.append(zero)
    for target in targets:
        out = run(command, str(target), home=tmp_path / "home", timeout=30)
        assert out.returncode == 1, out.stderr
        assert one_error_line(out, target).endswith(f"{target}: not a regular file")


@needs_posix
def test_import_opml_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "subs.opml"
    os.mkfifo(fifo)
    out = run("import", str(fifo), home=tmp_path / "home", timeout=30)
    assert out.returncode == 1, out.stderr
    assert one_error_line(out, fifo).endswith(f"{fifo}: not a regular file")
