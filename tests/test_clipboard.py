"""The clipboard: OSC 52 callable plus system tools run without a shell."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest

from briefreader import clipboard
from briefreader.clipboard import OSC52, ClipboardTool, CopyResult, copy_text, find_tools, preview

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake tools are shell scripts")

HOSTILE = (
    "https://x.example/a?q=$(touch pwned)&b=`touch pwned2`; rm -rf ~ ; touch pwned3 | cat\n"
    "'quotes' \"double\" $HOME ${IFS} \\ back\\slash * ? [a-z] ~ & > out.txt < /etc/passwd\n"
    "ünïcödé 中文 🙂 \t tab \r\n crlf — and no final newline"
)

RECORDER = """#!/bin/sh
# a fake clipboard tool: stdin to {name}.out, arguments (one a line) to {name}.args
for a in "$@"; do printf '%s\\n' "$a"; done > "{dir}/{name}.args"
cat > "{dir}/{name}.out"
"""


def make_tool(bindir: Path, name: str, body: str | None = None) -> Path:
    bindir.mkdir(parents=True, exist_ok=True)
    path = bindir / name
    script = RECORDER if body is None else body
    path.write_text(script.format(dir=bindir, name=name))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def bindir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of fake tools placed first on PATH; cwd is a scratch folder."""
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", f"{path}{os.pathsep}{os.environ.get('PATH', '')}")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return path


def only(bindir: Path) -> clipboard.Which:
    """``which`` that sees nothing but the fake tools."""
    return lambda name: shutil.which(name, path=str(bindir))


X11 = {"DISPLAY": ":0"}


# ---------------------------------------------------------------------------------
# which tools


def test_find_tools_by_environment(bindir: Path) -> None:
    for name in ("wl-copy", "xclip", "xsel", "pbcopy", "clip.exe"):
        make_tool(bindir, name)
    which = only(bindir)

    def names(env: dict[str, str], platform: str = "linux") -> list[str]:
        return [t.name for t in find_tools(env=env, which=which, platform=platform)]

    assert names({}) == []
    assert names({"WAYLAND_DISPLAY": "wayland-0"}) == ["wl-copy"]
    assert names(X11) == ["xclip", "xsel"]
    assert names({"WAYLAND_DISPLAY": "wayland-0", **X11}) == ["wl-copy", "xclip", "xsel"]
    assert names({}, "darwin") == ["pbcopy"]
    assert names({"WSL_DISTRO_NAME": "Ubuntu"}) == ["clip.exe"]
    assert names({"WSL_DISTRO_NAME": "Ubuntu"}, "darwin") == ["pbcopy"]


def test_find_tools_argument_lists(bindir: Path) -> None:
    for name in ("wl-copy", "xclip", "xsel"):
        make_tool(bindir, name)
    tools = find_tools(env={"WAYLAND_DISPLAY": "w", **X11}, which=only(bindir), platform="linux")
    assert [t.argv for t in tools] == [
        (str(bindir / "wl-copy"),),
        (str(bindir / "xclip"), "-selection", "clipboard"),
        (str(bindir / "xsel"), "--clipboard", "--input"),
    ]


def test_find_tools_skips_missing(bindir: Path) -> None:
    make_tool(bindir, "xsel")
    assert [t.name for t in find_tools(env=X11, which=only(bindir), platform="linux")] == ["xsel"]


@pytest.mark.parametrize("var", ["SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT"])
def test_find_tools_none_over_ssh(bindir: Path, var: str) -> None:
    make_tool(bindir, "xclip")
    env = {**X11, var: "/dev/pts/3"}
    assert find_tools(env=env, which=only(bindir), platform="linux") == []
    assert clipboard.is_ssh_session(env)


# ---------------------------------------------------------------------------------
# running a tool


def test_text_arrives_byte_exact_on_stdin_and_shell_is_never_involved(bindir: Path) -> None:
    make_tool(bindir, "xclip")
    # the default which (shutil.which on PATH) finds the fake tool first on PATH
    result = copy_text(HOSTILE, env=X11, platform="linux")
    assert result.methods == ["xclip"], result.errors
    assert (bindir / "xclip.out").read_bytes() == HOSTILE.encode("utf-8")
    assert (bindir / "xclip.args").read_text().splitlines() == ["-selection", "clipboard"]
    cwd = Path.cwd()
    for name in ("pwned", "pwned2", "pwned3", "out.txt"):
        assert not (cwd / name).exists()
        assert not (bindir / name).exists()


def test_osc52_and_tool_both_used_and_named(bindir: Path) -> None:
    make_tool(bindir, "xclip")
    sent: list[str] = []
    result = copy_text("https://x.example/a", osc52=sent.append, env=X11, platform="linux")
    assert sent == ["https://x.example/a"]
    assert result.methods == [OSC52, "xclip"]
    assert result.message() == "Copied https://x.example/a — via the terminal and xclip"


def test_failing_tool_falls_back_to_the_next(bindir: Path) -> None:
    make_tool(
        bindir,
        "xclip",
        "#!/bin/sh\ncat >/dev/null\necho 'Error: Can'\\''t open display: :0' >&2\nexit 1\n",
    )
    make_tool(bindir, "xsel")
    result = copy_text("hello", osc52=lambda _t: None, env=X11, platform="linux")
    assert result.methods == [OSC52, "xsel"]
    assert result.errors == ["xclip failed (exit 1): Error: Can't open display: :0"]
    assert result.message() == "Copied hello — via the terminal and xsel"
    assert (bindir / "xsel.out").read_text() == "hello"
    assert (bindir / "xsel.args").read_text().splitlines() == ["--clipboard", "--input"]


def test_all_tools_failing_is_reported(bindir: Path) -> None:
    make_tool(bindir, "xclip", "#!/bin/sh\nexit 3\n")
    result = copy_text("hello", osc52=lambda _t: None, env=X11, platform="linux")
    assert result.methods == [OSC52]
    assert result.message() == "Copied hello — via the terminal (xclip failed (exit 3))"
    result = copy_text("hello", env=X11, platform="linux")
    assert not result.ok
    assert result.message() == "Could not copy hello — xclip failed (exit 3)"


def test_nothing_available() -> None:
    result = copy_text("hello", env={}, tools=[])
    assert not result.ok
    assert result.message() == "Could not copy hello — no clipboard is available"


def test_forking_tool_does_not_hang(bindir: Path) -> None:
    # Like xclip: a child stays behind (holding stdout/stderr) to serve the selection.
    make_tool(
        bindir, "xclip",
        '#!/bin/sh\ncat > "{dir}/{name}.out"\n(sleep 5; echo late) &\necho started\nexit 0\n',
    )  # fmt: skip
    start = time.monotonic()
    result = copy_text("served", env=X11, platform="linux", timeout=4)
    assert time.monotonic() - start < 2.5
    assert result.methods == ["xclip"], result.errors
    assert (bindir / "xclip.out").read_text() == "served"


def test_slow_tool_times_out(bindir: Path) -> None:
    make_tool(bindir, "xclip", "#!/bin/sh\nexec sleep 5\n")
    start = time.monotonic()
    result = copy_text("x", osc52=lambda _t: None, env=X11, platform="linux", timeout=0.3)
    assert time.monotonic() - start < 2
    assert result.errors == ["xclip timed out after 0.3 s"]
    assert result.methods == [OSC52]


def test_tool_that_cannot_start(tmp_path: Path) -> None:
    tool = ClipboardTool("xclip", (str(tmp_path / "missing-xclip"),))
    assert (clipboard.run_tool(tool, "x") or "").startswith("xclip could not run")


def test_over_ssh_only_osc52(bindir: Path) -> None:
    make_tool(bindir, "xclip")
    sent: list[str] = []
    env = {**X11, "SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}
    result = copy_text("https://x.example/a", osc52=sent.append, env=env, platform="linux")
    assert sent == ["https://x.example/a"]
    assert result.methods == [OSC52]
    assert not (bindir / "xclip.out").exists()
    assert result.message() == (
        "Copied https://x.example/a — via the terminal"
        " — SSH session, so the remote clipboard tool was skipped"
    )


def test_osc52_failure_does_not_stop_the_tool(bindir: Path) -> None:
    make_tool(bindir, "xclip")

    def broken(_text: str) -> None:
        raise OSError("terminal gone")

    result = copy_text("abc", osc52=broken, env=X11, platform="linux")
    assert result.methods == ["xclip"]
    assert result.errors == ["the terminal (OSC 52) failed: terminal gone"]


def test_pbcopy_gets_a_utf8_locale(bindir: Path) -> None:
    make_tool(
        bindir,
        "pbcopy",
        '#!/bin/sh\nprintf %s "$LC_CTYPE" > "{dir}/{name}.env"\ncat > "{dir}/{name}.out"\n',
    )
    result = copy_text("café", env={}, platform="darwin")
    assert result.methods == ["pbcopy"]
    assert (bindir / "pbcopy.env").read_text() == "UTF-8"
    assert (bindir / "pbcopy.out").read_bytes() == "café".encode()


def test_clip_exe_gets_utf16_with_bom(bindir: Path) -> None:
    make_tool(bindir, "clip.exe")
    result = copy_text("café 中文", env={"WSL_INTEROP": "/run/WSL/1_interop"}, platform="linux")
    assert result.methods == ["clip.exe"]
    assert (bindir / "clip.exe.out").read_bytes() == b"\xff\xfe" + "café 中文".encode("utf-16-le")


# ---------------------------------------------------------------------------------
# the message


def test_preview_shortens_long_and_multi_line_text() -> None:
    assert preview("short") == "short"
    assert preview("x" * 80) == "x" * 80
    long = preview("y" * 200)
    assert len(long) == 80 and long.endswith("…")
    assert preview("Title (Source)\n\n1. one\n2. two") == "Title (Source)…"
    assert preview("evil\x1b]52;c;AAAA\x07 title\x00") == "evil title"


def test_message_with_label_and_lead() -> None:
    result = CopyResult("[T](https://x.example/a)", [OSC52], label="the Markdown link")
    assert (
        result.message() == "Copied the Markdown link: [T](https://x.example/a) — via the terminal"
    )
    result = CopyResult("T — Src, https://x.example", [OSC52])
    assert result.message("No link — copied its citation instead:") == (
        "No link — copied its citation instead: T — Src, https://x.example — via the terminal"
    )


def test_merged() -> None:
    first = CopyResult("t", [OSC52], label="the link")
    second = CopyResult("t", ["xclip"], ["xsel failed"], over_ssh=False)
    merged = first.merged(second)
    assert merged.methods == [OSC52, "xclip"]
    assert merged.errors == ["xsel failed"]
    assert merged.label == "the link"
