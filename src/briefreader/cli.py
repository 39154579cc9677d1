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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefreader import __version__
from briefreader.wording import counted

if TYPE_CHECKING:
    from briefreader.model import Article
    from briefreader.store import Library

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
    from briefreader.store import Library

    return Library(_library_path(args))


def _missing_library(args: argparse.Namespace, nothing: str) -> bool:
    """Whether there is no library yet, said in one line ("…: nothing to mark"): a
    command that changes what a library holds has nothing to act on, and opening it
    would make an empty library file."""
    path = _library_path(args)
    if path.exists():
        return False
    _err(f"briefreader: no library at {path} yet: {nothing}")
    return True


def _read_library(args: argparse.Namespace) -> Library:
    """The library for a reading command: read-only when it cannot be written, and an
    empty one in memory when there is none yet (a reading command never creates a
    library or its folder; a note says so)."""
    from briefreader.store import Library

    path = _library_path(args)
    library = Library.for_reading(path)
    if library.missing:
        _err(f"briefreader: no library at {path} yet")
    return library


def _write_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------------
# commands


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def cmd_show(args: argparse.Namespace) -> int:
    from briefreader.sources import SourceError, address_hint, read_file

    downloaded: dict[str, str] = {}  # (a library article's enclosures on disk)
    try:
        if _is_url(args.path):
            import asyncio

            from briefreader.fulltext import page_articles

            articles = asyncio.run(page_articles(args.path, full=args.full))
        else:
            if args.full:
                raise UsageError("--full needs a URL (it fetches the article's page)")
            exists = Path(args.path).exists()
            stored = None if exists else _stored_article(args)
            if stored is not None:  # an article's id: as the library holds it
                articles, downloaded = [stored[0]], stored[1]
            elif not exists:
                raise SourceError(
                    os.path.abspath(args.path),
                    "no such file, nor an article id in the library" + address_hint(args.path),
                )
            else:
                result = read_file(args.path)
                for warning in result.warnings:
                    _err(f"briefreader: warning: {warning}")
                articles = result.articles
    except SourceError as exc:
        _err(f"briefreader: {exc}")
        return EXIT_FAILED
    from briefreader.insight import with_derived_takeaways

    articles = [with_derived_takeaways(a) for a in articles]
    if args.format == "json":
        data = [a.to_dict() for a in articles]
        _write_json(data[0] if len(data) == 1 else data)
    elif args.format == "markdown":
        from briefreader.sources.markdown import to_markdown

        sys.stdout.write("\n\n".join(to_markdown(a) for a in articles))
    else:
        from briefreader.textformat import article_to_text

        sys.stdout.write(
            ("\n" + "=" * 78 + "\n\n").join(
                article_to_text(a, downloaded=downloaded) for a in articles
            )
        )
    return EXIT_OK


def _stored_article(args: argparse.Namespace) -> tuple[Article, dict[str, str]] | None:
    """The library's article whose id ``show`` was given (no file has that name), if
    the library exists and holds one (it is never created here), with the files its
    enclosures were downloaded to (by address; those still on disk)."""
    path = _library_path(args)
    if not path.exists():
        return None
    from briefreader.store import Library

    with Library.for_reading(path) as library:
        found = library.get(args.path)
        if found is None:
            return None
        downloads = (library.download(e.url) for e in found.enclosures)
        return found, {
            d.url: d.path
            for d in downloads
            if d is not None and d.complete and Path(d.path).exists()
        }


def _subscribe_urls(args: argparse.Namespace, urls: list[str]) -> int:
    from briefreader.refresh import subscribe

    failed = 0
    results = []
    with _open_library(args) as library:
        samples = library.sample_count()
        for url in urls:
            _err(f"briefreader: fetching {url} …")
            res = subscribe(library, url, tags=args.tag or ())
            results.append(res)
            if res.error:
                failed += 1
                _err(f"briefreader: error: {res.url}: {res.error}")
                continue
            if res.created:
                said = f"subscribed to {res.title or res.url} <{res.url}> ({counted(res.items, 'item')})"
            else:  # (its items were stored before: how many it serves, how many are new)
                said = (
                    f"already subscribed to {res.title or res.url} <{res.url}> "
                    f"({counted(res.served, 'item')}, {res.items:,} new or updated)"
                )
            _err(f"briefreader: {said}")
            if len(res.candidates) > 1:
                others = ", ".join(res.candidates[1:])
                _err(f"briefreader: the page also names: {others}")
            if samples and (gone := samples - library.sample_count()):
                samples -= gone
                _err(
                    f"briefreader: the {counted(gone, 'sample brief')} made way for it "
                    "(starred ones stay); briefreader add --samples brings them back"
                )
    if args.json:
        _write_json(
            [
                {
                    "url": r.url,
                    "title": r.title,
                    "created": r.created,
                    "items": r.items,
                    "error": r.error,
                }
                for r in results
            ]
        )
    return EXIT_FAILED if failed else EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from briefreader.ingest import import_paths

    if not args.paths and not args.samples:
        raise UsageError("add needs files, folders, globs or feed URLs (or --samples)")
    urls = [a for a in args.paths if _is_url(a)]
    if urls:
        if args.samples:
            raise UsageError("add --samples takes files, not feed URLs")
        if len(urls) != len(args.paths):
            raise UsageError("add either URLs (feeds) or files, not both at once")
        return _subscribe_urls(args, urls)
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
        if args.samples:
            from briefreader.ingest import import_samples

            samples = import_samples(library)
            report.added += samples.added
            report.updated += samples.updated
            report.unchanged += samples.unchanged
            report.failed += samples.failed
            report.files += samples.files
            report.errors += samples.errors
    for note in report.notes:
        _err(f"briefreader: {note}")
    for error in report.errors:
        _err(f"briefreader: error: {error}")
    if args.json:
        _write_json(report.as_dict())
    else:
        _err(f"briefreader: {report.summary()} ({counted(report.files, 'file')} read)")
    return EXIT_OK if report.ok else EXIT_FAILED


def _plain_snippet(snippet: str) -> str:
    return snippet.replace("\x02", "").replace("\x03", "").replace("\n", " ")


def cmd_search(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    with _read_library(args) as library:
        hits, total, exact = library.search_with_count(query, limit=args.limit, prefix_last=False)
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
    from rich.text import Text

    console = stdout_console()

    def hanging(first: Text, text: Text) -> None:
        """``text`` after ``first`` (4 cells), wrapped under itself, no trailing blanks."""
        for i, part in enumerate(text.wrap(console, max(20, console.width - 4))):
            part.rstrip()
            console.print(first + part if i == 0 else Text("    ") + part, soft_wrap=True)

    for n, hit in enumerate(hits, 1):
        line = Text(hit.title, style="bold")
        if hit.source:
            line.append(f"  {hit.source}", style="cyan")
        hanging(Text(f"{n:>2}. ", style="dim"), line)
        snippet = Text()
        for i, piece in enumerate(re.split("[\x02\x03]", hit.snippet.replace("\n", " "))):
            snippet.append(piece, style="reverse" if i % 2 else "")
        hanging(Text("    "), snippet)
        # (one line, however long the address: not broken before it, as `related` does)
        console.print(Text(f"    {hit.id}  {hit.url or hit.origin}", style="dim"), soft_wrap=True)
    if exact:
        _err(f"briefreader: {total:,} {'match' if total == 1 else 'matches'}")
    else:  # a common word: ranked among its newest matches (store/search.py)
        _err(f"briefreader: about {total:,} matches; the best of the newest shown")
    return EXIT_OK


def _find_article(library: Library, key: str) -> Article | None:
    """An article by id, URL or the path of the file it came from."""
    article = library.find(key)
    path = Path(key)
    if article is None and path.exists():
        article = library.find(os.path.abspath(path)) or library.find(str(path.resolve()))
    return article


def _find_articles(library: Library, keys: Sequence[str]) -> tuple[list[Article], int]:
    """The articles the keys name (each once) and how many keys named none (each
    reported in one line)."""
    found: dict[str, Article] = {}
    missing = 0
    for key in keys:
        article = _find_article(library, key)
        if article is None:
            _err(f"briefreader: error: no article {key!r} in the library (an id, URL or path)")
            missing += 1
        elif key not in (article.id, article.url) and library.feed(key) is not None:
            # A feed's address finds its newest item (the item's origin): not meant here.
            _err(f"briefreader: error: {key} is a feed, not an article (`remove` unsubscribes)")
            missing += 1
        else:
            found.setdefault(article.id, article)
    return list(found.values()), missing


def cmd_mark(args: argparse.Namespace) -> int:
    read = True if args.read else False if args.unread else None
    starred = True if args.star else False if args.unstar else None
    if read is None and starred is None:
        raise UsageError("mark needs --read, --unread, --star or --unstar")
    what = " and ".join(
        word
        for word, value in (
            ("read" if read else "unread", read),
            ("starred" if starred else "unstarred", starred),
        )
        if value is not None
    )
    if _missing_library(args, "nothing to mark"):
        return EXIT_FAILED
    with _open_library(args) as library:
        articles, missing = _find_articles(library, args.articles)
        library.set_state([a.id for a in articles], read=read, starred=starred)
    for art in articles:
        _err(f"briefreader: marked {what}: {art.title} ({art.id})")
    return EXIT_FAILED if missing else EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    if _missing_library(args, "nothing to delete"):
        return EXIT_FAILED
    with _open_library(args) as library:
        articles, missing = _find_articles(library, args.articles)
        deleted = set(library.delete_articles([a.id for a in articles]))
    for art in articles:
        if art.id in deleted:
            _err(f"briefreader: deleted {art.title} ({art.id})")
    return EXIT_FAILED if missing else EXIT_OK


def cmd_related(args: argparse.Namespace) -> int:
    """The related list the sidebar shows: same story first, then related."""
    with _read_library(args) as library:
        article = _find_article(library, args.article)
        if article is None:
            _err(f"briefreader: no article {args.article!r} in the library (an id, URL or path)")
            return EXIT_FAILED
        pending = library.related_pending()
        if pending > 1000 and not args.json:
            _err(f"briefreader: indexing {pending} new articles for related articles …")
        from briefreader.cli_upkeep import index_related_queue

        index_related_queue(library, pending)
        if args.min_score is None:  # (what the sidebar lists, then)
            hits = library.related(article, limit=args.limit)
        else:
            hits = library.related(article, limit=args.limit, min_score=args.min_score)
        # Each named as the list and the sidebar name it (a feed's user name wins).
        from dataclasses import replace

        names = {row.id: row.source for row in library.rows_for_ids([h.id for h in hits])}
        hits = [replace(h, source=names.get(h.id) or h.source) for h in hits]
    if args.json:
        _write_json([h.to_dict() for h in hits])
        return EXIT_OK
    if not hits:
        _err("briefreader: no related articles found")
        return EXIT_OK
    from rich.text import Text

    console = stdout_console()
    heading = ""
    for n, hit in enumerate(hits, 1):
        section = "Same story" if hit.same_story else "Related"
        if section != heading:
            heading = section
            console.print(Text(section, style="bold underline"))
        line = Text(f"{n:>2}. ", style="dim")
        line.append(hit.title, style="bold")
        if hit.source:
            line.append(f"  {hit.source}", style="cyan")
        if hit.other_sources:
            line.append(f"  +{len(hit.other_sources)} sources", style="magenta")
        console.print(line, soft_wrap=True)
        console.print(
            Text(f"    {hit.score:.3f}  {hit.id}  {hit.url or hit.origin}", style="dim"),
            soft_wrap=True,
        )
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from briefreader.model import iso_time

    with _read_library(args) as library:
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
                    "time": iso_time(r.sort_ts),
                }
                for r in rows
            ]
        )
        return EXIT_OK
    for r in rows:
        # Unread and starred each have their mark; the id is what show, mark, delete
        # and related take.
        marks = ("●" if not r.read else " ") + ("★" if r.starred else " ")
        when = (iso_time(r.sort_ts) or "????-??-??")[:10]
        line = f"{marks} {when}  {r.id}  {r.title}"
        print(f"{line}  ({r.shown_source})" if r.shown_source else line)
    return EXIT_OK


def _when(ts: float | None) -> str:
    if ts is None:
        return "never"
    from datetime import datetime

    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def cmd_app(args: argparse.Namespace) -> int:
    if not sys.stdout.isatty():
        # Piped: print the list instead of drawing a screen.
        args.filter, args.limit, args.json, args.no_samples = "all", None, False, False
        return cmd_list(args)
    from briefreader.tui.app import run_app

    return run_app(_library_path(args))


# ---------------------------------------------------------------------------------
# argument parsing


#: A command's function: the parsed arguments in, the exit status out.
Command = Callable[[argparse.Namespace], int]
#: How a command's ARTICLE argument is described.
ARTICLE_HELP = "an article id, or the path or URL it came from"


def add_command(
    sub: Any, common: argparse.ArgumentParser, name: str, func: Command, help: str
) -> argparse.ArgumentParser:
    """Subcommand ``name`` on ``sub`` (the main parser's subparsers), with the
    options every command takes (``common``), run by ``func``."""
    p: argparse.ArgumentParser = sub.add_parser(name, parents=[common], help=help)
    p.set_defaults(func=func)
    return p


def add_flags(parser: argparse.ArgumentParser, flags: dict[str, str]) -> None:
    """On/off options (``store_true``), each with its help: ``{"-q --quiet": "…"}``."""
    for names, help_text in flags.items():
        parser.add_argument(*names.split(), action="store_true", help=help_text)


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

    def command(name: str, func: Command, help: str) -> argparse.ArgumentParser:
        return add_command(sub, common, name, func, help)

    p = command(
        "show",
        cmd_show,
        "print one file, page or library article (by its id) as text, Markdown or JSON",
    )
    p.add_argument("path", metavar="PATH_URL_OR_ID")
    p.add_argument("--format", choices=("json", "markdown", "text"), default="text")
    p.add_argument("--full", action="store_true", help="for a URL: extract the page's full text")

    p = command(
        "add", cmd_add, "import files, folders or globs, or subscribe to feeds by their address"
    )
    p.add_argument("paths", nargs="*", metavar="PATH_OR_URL")
    p.add_argument("--tag", action="append", help="for feeds: a tag (folder) to file it under")
    add_flags(
        p,
        {
            "--samples": "bring back the bundled sample briefs "
            "(they give way to the first real article)",
            "--json": "print the summary as JSON on stdout",
            "-q --quiet": "no progress bar",
        },
    )

    p = command("search", cmd_search, "full-text search of the library")
    p.add_argument(
        "query",
        nargs="+",
        metavar="QUERY",
        help='words (all must match, whole words; word* for words beginning so), "a phrase" '
        "in quotes; anything else, OR and - included, is a plain word",
    )
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.add_argument("--limit", type=int, default=20)

    p = command("related", cmd_related, "articles on the same story as ARTICLE, best first")
    p.add_argument("article", metavar="ARTICLE", help=ARTICLE_HELP)
    p.add_argument("--limit", type=int, default=9, help="at most this many (the sidebar's 9)")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.add_argument(
        "--min-score",
        type=float,
        default=None,
        help="leave out articles scoring under this (0..1; default: the app's sidebar's, "
        "0.03; 0.10 and up leaves out those that merely share words)",
    )

    from briefreader import cli_export

    cli_export.add_parser(sub, common)  # export (in --help's order: after related)

    p = command("list", cmd_list, "list the library's articles, newest first")
    p.add_argument("--filter", choices=("all", "unread", "starred"), default="all")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--json", action="store_true")
    # Kept so old scripts still run: reading commands never write the samples now.
    p.add_argument("--no-samples", action="store_true", help=argparse.SUPPRESS)

    p = command("mark", cmd_mark, "mark articles read or unread, starred or unstarred")
    p.add_argument("articles", nargs="+", metavar="ARTICLE", help=ARTICLE_HELP)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--read", action="store_true", help="mark read (keeps an earlier read time)")
    group.add_argument("--unread", action="store_true", help="mark unread")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--star", action="store_true", help="star (keeps an earlier star time)")
    group.add_argument("--unstar", action="store_true", help="remove the star")

    p = command(
        "delete",
        cmd_delete,
        "delete articles from the library (a deleted feed item does not come back)",
    )
    p.add_argument("articles", nargs="+", metavar="ARTICLE", help=ARTICLE_HELP)

    from briefreader import cli_accounts, cli_feeds, cli_media, cli_upkeep

    cli_feeds.add_parsers(sub, common)  # feeds, remove, rename, import, refresh
    cli_accounts.add_parsers(sub, common)  # account add/list/remove, sync
    cli_upkeep.add_parsers(sub, common)  # prune, doctor
    cli_media.add_parsers(sub, common)  # download
    return parser


#: ``search``'s options, and whether each takes a value (``search -rail`` is a query).
_SEARCH_OPTIONS = {
    "-h": False,
    "--help": False,
    "--json": False,
    "--library": True,
    "--limit": True,
}
#: The options before a command.
_MAIN_OPTIONS = {"-h": False, "--help": False, "--version": False, "--library": True}


def _option(arg: str, known: dict[str, bool]) -> str | None:
    """The option ``arg`` names among ``known`` (argparse takes a long option's unique
    beginning for it: ``--lim``), or None."""
    name = arg.split("=", 1)[0]
    if name in known:
        return name
    if name.startswith("--") and len(name) > 2:
        matches = [option for option in known if option.startswith(name)]
        if len(matches) == 1:
            return matches[0]
    return None


def _search_words_last(argv: list[str]) -> list[str]:
    """``search`` with a query word beginning with ``-`` (``search strike -rail``): the
    options first, then ``--`` and the query, as it would have to be typed."""
    at = 0
    while at < len(argv) and argv[at] != "search":
        name = _option(argv[at], _MAIN_OPTIONS)
        if name is None:
            return argv  # (another command)
        at += 2 if _MAIN_OPTIONS[name] and "=" not in argv[at] else 1
    if at >= len(argv) or "--" in argv[at:]:
        return argv
    options: list[str] = []
    words: list[str] = []
    rest = iter(argv[at + 1 :])
    for arg in rest:
        name = _option(arg, _SEARCH_OPTIONS)
        if name is None:
            words.append(arg)
            continue
        options.append(arg)
        if _SEARCH_OPTIONS[name] and "=" not in arg:
            options.append(next(rest, ""))
    if not any(w.startswith("-") for w in words):
        return argv
    return [*argv[: at + 1], *options, "--", *words]


def _command_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Any:
    """The parser of the command ``args`` ran, for its usage line (a newcomer's trial:
    ``export --out FILE`` printed the whole program's usage); else ``parser``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(getattr(args, "command", None) or "", parser)
    return parser


def stdout_console() -> Any:
    """A Rich console on stdout that stops as every command does when its reader
    stops reading (``search x | head``: exit 0, nothing said), where Rich's own exits
    with 1 (a newcomer's trial)."""
    from rich.console import Console

    class _PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # (main's: stdout to /dev/null, exit 0)

    return _PipeConsole(highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_search_words_last(list(sys.argv[1:] if argv is None else argv)))
    func = getattr(args, "func", cmd_app)
    try:
        return int(func(args))
    except UsageError as exc:
        _command_parser(parser, args).print_usage(sys.stderr)
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
        import sqlite3

        from briefreader.store import LibraryError, problem_line

        if isinstance(exc, LibraryError):
            _err(f"briefreader: {exc}")
            return EXIT_FAILED
        if isinstance(exc, sqlite3.DatabaseError):
            # A damaged library (corrupt pages behind a valid header), or a write to
            # a read-only one: one line naming the file; the file is left as it is.
            _err(f"briefreader: {problem_line(_library_path(args), exc)}")
            return EXIT_FAILED
        raise
