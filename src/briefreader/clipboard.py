"""Writing text to the clipboard, two ways at once.

1. **OSC 52 through the terminal**: a callable passed in (in the app,
   Textual's ``App.copy_to_clipboard``) writes the escape sequence.  It works over
   SSH and inside tmux (``set-clipboard on``), in most terminals — but not in
   macOS Terminal, and a terminal may ignore it silently, so it is reported as
   "via terminal (OSC 52)", never as verified.
2. **The system clipboard tool**, when one is present: ``wl-copy`` (Wayland),
   ``xclip`` / ``xsel`` (X11), ``pbcopy`` (macOS), ``clip.exe`` (WSL).  The first
   that succeeds wins.  Each runs from an argument list, never a shell, with the
   text on stdin and a two-second timeout.  Over SSH (``SSH_TTY`` /
   ``SSH_CONNECTION`` / ``SSH_CLIENT`` set) these tools would fill the *remote*
   host's clipboard, so they are skipped and only OSC 52 is used.

``xclip``, ``xsel`` and ``wl-copy`` fork a child that stays alive to serve the
selection and inherits the tool's stdout and stderr.  Their output therefore goes
to a temporary file rather than a pipe: reading a pipe would wait for that child
to exit, i.e. until the timeout.

No Textual import; the app supplies the OSC 52 callable and decides which thread
runs the (possibly slow) system tool.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from briefreader.textclean import clean_line

__all__ = [
    "OSC52",
    "ClipboardTool",
    "CopyResult",
    "copy_text",
    "find_tools",
    "is_ssh_session",
    "preview",
    "run_tool",
]

OSC52 = "the terminal"
"""The name of the OSC 52 method in :attr:`CopyResult.methods`."""

DEFAULT_TIMEOUT = 2.0
PREVIEW_LENGTH = 80

Which = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class ClipboardTool:
    """A system clipboard command: ``argv[0]`` is the resolved executable."""

    name: str
    argv: tuple[str, ...]
    encoding: str = "utf-8"
    env: tuple[tuple[str, str], ...] = ()
    """Extra environment variables for the tool (pbcopy needs a UTF-8 locale)."""

    def payload(self, text: str) -> bytes:
        if self.encoding == "utf-16":
            # clip.exe reads UTF-16 with a byte-order mark; anything else becomes mojibake.
            return b"\xff\xfe" + text.encode("utf-16-le")
        return text.encode(self.encoding)


def is_ssh_session(env: Mapping[str, str] | None = None) -> bool:
    """True inside an SSH session (the system clipboard would be the remote one)."""
    env = os.environ if env is None else env
    return any(env.get(name) for name in ("SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT"))


def _is_wsl(env: Mapping[str, str], platform: str) -> bool:
    return platform.startswith("linux") and bool(
        env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP")
    )


def find_tools(
    *,
    env: Mapping[str, str] | None = None,
    which: Which | None = None,
    platform: str | None = None,
) -> list[ClipboardTool]:
    """The system clipboard tools to try, in order; empty over SSH.

    ``env``, ``which`` and ``platform`` default to ``os.environ``, ``shutil.which``
    and ``sys.platform``; tests pass their own.
    """
    env = os.environ if env is None else env
    which = shutil.which if which is None else which
    platform = sys.platform if platform is None else platform
    if is_ssh_session(env):
        return []
    candidates: list[tuple[str, tuple[str, ...], str, tuple[tuple[str, str], ...]]] = []
    if env.get("WAYLAND_DISPLAY"):
        candidates.append(("wl-copy", (), "utf-8", ()))
    if env.get("DISPLAY"):
        candidates.append(("xclip", ("-selection", "clipboard"), "utf-8", ()))
        candidates.append(("xsel", ("--clipboard", "--input"), "utf-8", ()))
    if platform == "darwin":
        candidates.append(("pbcopy", (), "utf-8", (("LC_CTYPE", "UTF-8"),)))
    if _is_wsl(env, platform):
        candidates.append(("clip.exe", (), "utf-16", ()))
    tools: list[ClipboardTool] = []
    for name, args, encoding, extra_env in candidates:
        path = which(name)
        if path:
            tools.append(ClipboardTool(name, (path, *args), encoding, extra_env))
    return tools


def run_tool(tool: ClipboardTool, text: str, *, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    """Run ``tool`` with ``text`` on stdin; ``None`` on success, else the error.

    An argument list, never a shell: nothing in ``text`` is interpreted.
    """
    env = {**os.environ, **dict(tool.env)} if tool.env else None
    with tempfile.TemporaryFile() as output:
        try:
            proc = subprocess.run(
                list(tool.argv),
                input=tool.payload(text),
                stdout=output,
                stderr=output,
                timeout=timeout,
                check=False,
                env=env,
            )
        except subprocess.TimeoutExpired:
            return f"{tool.name} timed out after {timeout:g} s"
        except OSError as exc:
            return f"{tool.name} could not run: {exc.strerror or exc}"
        if proc.returncode == 0:
            return None
        output.seek(0)
        detail = clean_line(output.read(500).decode("utf-8", "replace"))
        message = f"{tool.name} failed (exit {proc.returncode})"
        return f"{message}: {detail}" if detail else message


def preview(text: str, limit: int = PREVIEW_LENGTH) -> str:
    """The first line of ``text``, at most ``limit`` characters, ``…`` when cut.

    Control characters are removed, so the result is safe to show in a toast.
    """
    lines = text.strip().splitlines() or [""]
    first = clean_line(lines[0])
    cut = len(lines) > 1 or len(first) > limit
    if len(first) > limit - 1 and cut:
        first = first[: limit - 1].rstrip()
    return first + "…" if cut else first


@dataclass(slots=True)
class CopyResult:
    """What happened when copying: the methods that worked and the errors."""

    text: str
    methods: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    over_ssh: bool = False
    label: str = ""
    """What was copied, for the message (``"Markdown link"``); empty: just the text."""

    @property
    def ok(self) -> bool:
        return bool(self.methods)

    def merged(self, other: CopyResult) -> CopyResult:
        """This result followed by ``other`` (e.g. OSC 52 on the UI thread, the tool later)."""
        return CopyResult(
            self.text,
            [*self.methods, *(m for m in other.methods if m not in self.methods)],
            [*self.errors, *other.errors],
            self.over_ssh or other.over_ssh,
            self.label or other.label,
        )

    def _what(self) -> str:
        shown = preview(self.text) or "(empty text)"
        return f"{self.label}: {shown}" if self.label else shown

    def message(self, lead: str = "Copied") -> str:
        """E.g. ``Copied https://x.example/a — via the terminal and xclip``.

        ``lead`` replaces "Copied" (``"No link — copied its citation instead:"``).
        """
        if not self.ok:
            why = "; ".join(self.errors) or "no clipboard is available"
            return f"Could not copy {self._what()} — {why}"
        via = " and ".join(self.methods)
        if self.methods == [OSC52]:
            if self.errors:  # every system tool failed: say so
                via += f" ({'; '.join(self.errors)})"
            elif self.over_ssh:
                via += " — SSH session, so the remote clipboard tool was skipped"
        return f"{lead} {self._what()} — via {via}"


def copy_text(
    text: str,
    *,
    osc52: Callable[[str], object] | None = None,
    tools: Sequence[ClipboardTool] | None = None,
    env: Mapping[str, str] | None = None,
    which: Which | None = None,
    platform: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    label: str = "",
) -> CopyResult:
    """Copy ``text`` through the terminal (``osc52``, when given) and the first
    system tool that works.

    ``tools`` defaults to :func:`find_tools` (given ``env``, ``which``, ``platform``);
    pass ``tools=[]`` for OSC 52 only.  A tool may take up to ``timeout`` seconds:
    in an event loop, call this from a thread.
    """
    env = os.environ if env is None else env
    result = CopyResult(text, over_ssh=is_ssh_session(env), label=label)
    if osc52 is not None:
        try:
            osc52(text)
        except Exception as exc:  # a broken terminal writer must not stop the tool
            result.errors.append(f"the terminal (OSC 52) failed: {exc}")
        else:
            result.methods.append(OSC52)
    if tools is None:
        tools = find_tools(env=env, which=which, platform=platform)
    for tool in tools:
        error = run_tool(tool, text, timeout=timeout)
        if error is None:
            result.methods.append(tool.name)
            break
        result.errors.append(error)
    return result
