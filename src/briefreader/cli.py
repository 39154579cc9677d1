"""The ``briefreader`` command: launches the reading app, or runs a headless command.

Output a script reads (``--json``, ``show --format json``) goes to stdout as JSON;
messages and progress go to stderr.  Exit status: 0 all good, 1 some input failed,
2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefreader import __version__

if TYPE_CHECKING:
    from briefreader.library import Library

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command used wrongly: message to stderr, exit status 2."""


# ---------------------------------------------------------------------------------
# helpers


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _library_path(args: argparse.Namespace) -> Path:
    from briefreader.paths import default_library_path

    given = getattr(args, "library", None)
    return Path(given).expanduser() if given else default_library_path()


def _open_library(args: argparse.Namespace) -> Library:
    from briefreader.library import Library

    return Library(_library_path(args))


def _write_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------------
# commands


def cmd_show(args: argparse.Namespace) -> int:
    from briefreader.sources import SourceError, read_file

    try:
        result = read_file(args.path)
    except SourceError as exc:
        _err(f"briefreader: {exc}")
        return EXIT_FAILED
    for warning in result.warnings:
        _err(f"briefreader: warning: {warning}")
    articles = result.articles
    if args.format == "json":
        data = [a.to_dict() for a in articles]
        _write_json(data[0] if len(data) == 1 else data)
    elif args.format == "markdown":
        from briefreader.sources.markdown import to_markdown

        sys.stdout.write("\n\n".join(to_markdown(a) for a in articles))
    else:
        from briefreader.textformat import article_to_text

        sys.stdout.write(("\n" + "=" * 78 + "\n\n").join(article_to_text(a) for a in articles))
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from briefreader.ingest import import_paths

    with _open_library(args) as library:
        if sys.stderr.isatty() and not args.quiet:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            console = Console(stderr=True)
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as bar:
                task = bar.add_task("Importing", total=None)

                def progress(done: int, total: int) -> None:
                    if done == 1 or done % 50 == 0 or done == total:
                        bar.update(task, completed=done, total=total)

                report = import_paths(library, args.paths, progress=progress)
        else:
            report = import_paths(library, args.paths)
    for note in report.notes:
        _err(f"briefreader: {note}")
    for error in report.errors:
        _err(f"briefreader: error: {error}")
    if args.json:
        _write_json(report.as_dict())
    else:
        _err(f"briefreader: {report.summary()} ({report.files} files)")
    return EXIT_OK if report.ok else EXIT_FAILED


def _plain_snippet(snippet: str) -> str:
    return snippet.replace("\x02", "").replace("\x03", "").replace("\n", " ")


def cmd_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    with _open_library(args) as library:
        hits = library.search(query, limit=args.limit, prefix_last=False)
    if args.json:
        _write_json(
            [
                {
                    "id": h.id,
                    "title": h.title,
                    "source": h.source,
                    "published": h.published,
                    "url": h.url,
                    "origin": h.origin,
                    "score": round(h.score, 4),
                    "snippet": _plain_snippet(h.snippet),
                }
                for h in hits
            ]
        )
        return EXIT_OK
    if not hits:
        _err(f"briefreader: no articles match {query!r}")
        return EXIT_OK
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for n, hit in enumerate(hits, 1):
        line = Text(f"{n:>2}. ", style="dim")
        line.append(hit.title, style="bold")
        if hit.source:
            line.append(f"  {hit.source}", style="cyan")
        console.print(line)
        snippet = Text("    ")
        for i, piece in enumerate(re.split("[\x02\x03]", hit.snippet.replace("\n", " "))):
            snippet.append(piece, style="reverse" if i % 2 else "")
        console.print(snippet)
        console.print(Text(f"    {hit.id}  {hit.url or hit.origin}", style="dim"))
    return EXIT_OK


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.ASCII).strip("-")
    return slug[:60].rstrip("-") or "article"


def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "markdown" and not args.out:
        raise UsageError("export --format markdown needs --out DIR (one file per article)")
    with _open_library(args) as library:
        articles = list(library.articles())
    if not args.out:
        _write_json([a.to_dict() for a in articles])
        _err(f"briefreader: exported {len(articles)} articles")
        return EXIT_OK
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.format == "markdown":
        from briefreader.sources.markdown import to_markdown

        for art in articles:
            (out / f"{_slug(art.title)}-{art.id}.md").write_text(to_markdown(art), encoding="utf-8")
    else:
        for art in articles:
            (out / f"{_slug(art.title)}-{art.id}.json").write_text(
                json.dumps(art.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    _err(f"briefreader: exported {len(articles)} articles to {out}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    with _open_library(args) as library:
        if library.is_empty() and not args.no_samples:
            from briefreader.ingest import import_samples

            import_samples(library)
        rows = library.rows(args.filter, limit=args.limit)
    if args.json:
        _write_json(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "source": r.source,
                    "read": r.read,
                    "starred": r.starred,
                    "time": datetime.fromtimestamp(r.sort_ts, UTC).isoformat(),
                }
                for r in rows
            ]
        )
        return EXIT_OK
    for r in rows:
        mark = "★" if r.starred else ("●" if not r.read else " ")
        when = datetime.fromtimestamp(r.sort_ts, UTC).strftime("%Y-%m-%d")
        print(
            f"{mark} {when}  {r.title}  ({r.source})" if r.source else f"{mark} {when}  {r.title}"
        )
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    if not sys.stdout.isatty():
        # Piped: print the list instead of drawing a screen.
        args.filter, args.limit, args.json, args.no_samples = "all", None, False, False
        return cmd_list(args)
    from briefreader.tui.app import run_app

    return run_app(_library_path(args))


# ---------------------------------------------------------------------------------
# argument parsing


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="library file to use (default: $BRIEFREADER_HOME/library.sqlite3 or the user data folder)",
    )
    parser = argparse.ArgumentParser(
        prog="briefreader",
        description="A terminal news reader that shows every story as a brief. "
        "With no command, opens the reading app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"briefreader {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "show", parents=[common], help="parse one file and print it (the library is not touched)"
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--format", choices=("json", "markdown", "text"), default="text")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "add", parents=[common], help="import files, folders or globs into the library"
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("search", parents=[common], help="full-text search of the library")
    p.add_argument("query", nargs="+", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("export", parents=[common], help="write articles back out, re-importable")
    p.add_argument("--format", choices=("json", "markdown"), default="json")
    p.add_argument("--out", metavar="DIR", help="folder to write one file per article into")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("list", parents=[common], help="list the library's articles, newest first")
    p.add_argument("--filter", choices=("all", "unread", "starred"), default="all")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--no-samples", action="store_true", help="do not fill an empty library with the samples"
    )
    p.set_defaults(func=cmd_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_app)
    try:
        return int(func(args))
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        _err(f"briefreader: error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `briefreader list | head`: stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from briefreader.library import LibraryError

        if isinstance(exc, LibraryError):
            _err(f"briefreader: {exc}")
            return EXIT_FAILED
        raise
