"""Shared test helpers: the one CLI runner and the one app opener.

``tests/conftest.py`` wraps them as fixtures (``cli``, ``make_app``); import them from
here where a plain function fits better (module-level helpers, other fixtures).

:func:`run_cli` runs ``briefreader.cli.main([...])`` with ``BRIEFREADER_HOME`` set to
``home`` and returns the exit status and what was written to stdout and stderr, with
the attribute names of :class:`subprocess.CompletedProcess`.  By default the command
runs in this process (milliseconds instead of a fresh interpreter's imports);
``subprocess=True`` runs ``python -m briefreader`` instead, for what only a real
process shows: the entry point itself, a hang cut by a timeout.  A command that
starts worker processes runs here too: this process has threads (a test's server),
so its workers start from the fork server (briefreader.workers.fresh_context).

:func:`open_app` makes the reading app as the app's tests want it: a given library,
a config (default: the defaults), no sample import, "now" fixed at :data:`NOW`, and
no delays before related indexing or saving the theme.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess as sp
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefreader.config import Config
    from briefreader.tui.app import BriefReaderApp

#: "Now" for the app's tests, so relative ages and snapshots are stable.
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FIXED_NOW = NOW.timestamp()


@dataclass(frozen=True)
class CliResult:
    """What a run of the command gave: exit status, stdout, stderr."""

    returncode: int
    stdout: str
    stderr: str


#: Environment every run gets: a fixed width for tables, no proxy for the test servers.
BASE_ENV = {"COLUMNS": "100", "NO_PROXY": "*"}


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_cli(
    *args: str,
    home: Path,
    env: Mapping[str, str] | None = None,
    subprocess: bool = False,
    timeout: float = 120,
    check: bool = False,
) -> CliResult:
    """Run ``briefreader *args`` with its files under ``home``.

    ``check``: assert that it exited 0 (the assertion shows stderr)."""
    environment = {**BASE_ENV, "BRIEFREADER_HOME": str(home), **(env or {})}
    if subprocess:
        done = sp.run(
            [sys.executable, "-m", "briefreader", *args],
            capture_output=True,
            text=True,
            env={**os.environ, **environment},
            timeout=timeout,
        )
        result = CliResult(done.returncode, done.stdout, done.stderr)
    else:
        result = _run_in_process(list(args), environment)
    if check:
        assert result.returncode == 0, (args, result.stderr)
    return result


def _run_in_process(args: list[str], environment: Mapping[str, str]) -> CliResult:
    from briefreader.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    stdin = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # as `< /dev/null`
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, out, err
    try:
        with _environ(environment):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse: --help, --version, usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    out.flush()
    err.flush()
    return CliResult(code, _text(out), _text(err))


def _text(stream: io.TextIOWrapper) -> str:
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    text = buffer.getvalue().decode("utf-8", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as subprocess's text mode


def open_app(
    path: Path,
    *,
    config_path: Path | None,
    config: Config | None = None,
    load_samples: bool = False,
    **kwargs: Any,
) -> BriefReaderApp:
    """The reading app over the library at ``path`` (not yet running: ``run_test``)."""
    from briefreader.config import Config
    from briefreader.tui.app import BriefReaderApp

    kwargs.setdefault("clock", lambda: FIXED_NOW)
    app = BriefReaderApp(
        path,
        config=config if config is not None else Config(),
        config_path=config_path,
        load_samples=load_samples,
        **kwargs,
    )
    app.RELATED_DELAY = 0  # type: ignore[misc]
    app.THEME_SAVE_DELAY = 0  # type: ignore[misc]
    return app


# -- bodies a feed server answers with (tests of the parse pools) --------------------

#: A web page where a feed should be: the parser rejects it.
PAGE = (
    b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body>"
    + b"<p>This is a web page, not a feed.</p>" * 20
    + b"</body></html>"
)


def rss(title: str, guid: str, *, extra: bytes = b"") -> bytes:
    """A one-item RSS 2.0 feed (``extra`` appended after the document)."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://site.example/</link><description>d</description>"
        f"<item><title>{title} story</title><link>https://site.example/{guid}</link>"
        f"<guid>{guid}</guid><pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>The harbour bridge reopened on Tuesday.</description></item>"
        f"</channel></rss>"
    ).encode() + extra
