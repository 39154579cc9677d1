"""The command line's media: ``briefreader download ARTICLE [--out DIR]`` fetches an
article's enclosures (podcast audio and the like) to disk with a progress line,
resumable (run it again after a failure and it goes on), capped, and remembered in
the library (the app then plays the file).  Registered by :func:`add_parsers` from
:mod:`briefreader.cli` (cli.py is at its size limit).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["add_parsers"]

EXIT_OK, EXIT_FAILED = 0, 1


def _err(message: str) -> None:
    print(message, file=sys.stderr)


class _ProgressLine:
    """One line on stderr, rewritten at most 10 times a second (a terminal only)."""

    def __init__(self, name: str, quiet: bool) -> None:
        self.name = name
        self.show = not quiet and sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        from briefreader.links import human_size

        now = time.monotonic()
        if not self.show or now - self.last < 0.1:
            return
        self.last = now
        whole = f" of {human_size(total)} ({100 * done // max(1, total)}%)" if total else ""
        sys.stderr.write(f"\r{self.name}: {human_size(done)}{whole}\x1b[K")
        sys.stderr.flush()

    def end(self) -> None:
        if self.show:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def cmd_download(args: argparse.Namespace) -> int:
    # Imported here: every command builds the parser (asyncio, markdown-it: ~50 ms).
    import asyncio

    from briefreader import cli
    from briefreader.enclosures import download_enclosure, file_name
    from briefreader.links import human_size
    from briefreader.paths import downloads_dir

    folder = Path(args.out) if args.out else downloads_dir()
    failed = 0
    with cli._open_library(args) as library:
        articles, missing = cli._find_articles(library, [args.article])
        if any(article.enclosures for article in articles):
            problem = folder_problem(folder)
            if problem:
                _err(f"briefreader: {problem}")
                return EXIT_FAILED
        for article in articles:
            if not article.enclosures:
                _err(f"briefreader: {article.title} ({article.id}) has no enclosures")
                failed += 1
            for enclosure in article.enclosures:
                progress = _ProgressLine(file_name(article, enclosure), args.quiet)
                try:
                    outcome = asyncio.run(
                        download_enclosure(
                            library,
                            article,
                            enclosure,
                            folder,
                            on_progress=progress,
                            anywhere=False,  # the file goes in this folder
                        )
                    )
                except OSError as exc:  # a disk full, a folder gone meanwhile
                    progress.end()
                    _err(f"briefreader: {exc.filename or folder}: {exc.strerror or exc}")
                    failed += 1
                    continue
                progress.end()
                if outcome.error is not None:
                    _err(f"briefreader: {enclosure.url}: {outcome.error}")
                    failed += 1
                    continue
                how = "already there" if outcome.already else "resumed" if outcome.resumed else ""
                if outcome.copied_from is not None:
                    how = f"copied from {outcome.copied_from}"
                note = f" ({how})" if how else ""
                print(f"{outcome.path}\t{human_size(outcome.size)}{note}")
    return EXIT_FAILED if (failed or missing) else EXIT_OK


def folder_problem(folder: Path) -> str:
    """Why files cannot be put in ``folder`` (made if need be), or ``""``."""
    if folder.exists() and not folder.is_dir():
        return f"{folder}: not a folder (a file is there)"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except NotADirectoryError:
        return f"{folder}: not a folder (part of the path is a file)"
    except OSError as exc:
        return f"{folder}: cannot make the folder ({exc.strerror or exc})"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder}: cannot write in the folder (permission denied)"
    return ""


class _DefaultFolderHelp(str):
    """The ``--out`` help, naming the real default folder: worked out only when the
    help is shown (argparse fills in a help text with ``%``), not on every start."""

    def __mod__(self, params: object) -> str:
        from briefreader.paths import downloads_dir

        return f"folder to put them in (default: {downloads_dir()})"


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``download`` command, on the main parser's subparsers."""
    p = sub.add_parser(
        "download",
        parents=[common],
        help="download an article's enclosures (resumable); exit 1 if one failed",
    )
    p.add_argument("article", metavar="ARTICLE", help="an article id, URL or path")
    p.add_argument(
        "--out", metavar="DIR", default=None, help=_DefaultFolderHelp("folder to put them in")
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=cmd_download)
