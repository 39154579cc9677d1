"""The command line's feeds: ``briefreader feeds``, ``remove``, ``rename``, ``import``
(OPML or newsboat's urls) and ``refresh``.  Registered by :func:`add_parsers` from
:mod:`briefreader.cli` (as cli_accounts, cli_upkeep and cli_media are: one room a
job, cli.py under its size limit)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from briefreader import cli
from briefreader.cli import EXIT_FAILED, EXIT_OK, add_command
from briefreader.wording import counted

__all__ = ["add_parsers"]


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_feeds(args: argparse.Namespace) -> int:
    import sqlite3

    from briefreader.store.sync import SyncStore

    with cli._read_library(args) as library:
        feeds = library.feeds()
        try:
            owners = SyncStore(library).feed_accounts()
        except sqlite3.Error:  # a library from before accounts, opened read-only
            owners = {}
    if args.json:
        cli._write_json(
            [
                {
                    "url": f.url,
                    "title": f.name,  # what the feed is called (a rename wins)
                    "own_title": f.title,
                    "user_title": f.user_title,
                    "site_url": f.site_url,
                    "tags": list(f.tags),
                    "last_fetched": f.last_fetched,
                    "last_ok": f.last_ok,
                    "items": f.item_count,
                    "unread": f.unread_count,
                    "last_error": f.last_error,
                    "dead": f.dead,
                    "account": owners[f.id].endpoint if f.id in owners else None,
                }
                for f in feeds
            ]
        )
        return EXIT_OK
    if not feeds:
        _err(
            "briefreader: no feeds yet; add one with `briefreader add URL` or `briefreader import FILE.opml`"
        )
        return EXIT_OK
    for f in feeds:
        owner = owners.get(f.id)
        fetched = "ok" if f.last_fetched is not None else "new"  # (new: never fetched)
        if f.last_fetched is None and owner is not None:  # (fetched by its server)
            fetched = "ERROR" if owner.last_error else ("synced" if owner.last_sync else "new")
        status = "DEAD" if f.dead else ("ERROR" if f.last_error else fetched)
        renamed = (
            f"  (its own title: {f.title})"
            if f.user_title and f.title and f.title != f.user_title
            else ""
        )
        print(f"{f.user_title or f.title or '(untitled)'}  [{status}]{renamed}")
        print(f"    {f.url}")
        when = (
            f"fetched {cli._when(f.last_ok or f.last_fetched)}"
            if f.last_fetched
            else "never fetched"
        )
        if f.last_fetched is not None and (f.last_error or f.dead):
            when = f"last tried {cli._when(f.last_fetched)}, last worked {cli._when(f.last_ok)}"
        elif f.last_fetched is None and owner is not None:
            synced = f"synced {cli._when(owner.last_sync)}" if owner.last_sync else "not synced yet"
            when = f"via {owner.endpoint}: {synced}"
        line = f"    {when} · {counted(f.item_count, 'item')} · {f.unread_count:,} unread"
        if f.tags:
            line += " · " + ", ".join(f.tags)
        print(line)
        if f.last_error:
            print(f"    last error: {f.last_error}")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from briefreader.cli_accounts import remove_account_feed

    failed = 0
    if cli._missing_library(args, "not subscribed to anything"):
        return EXIT_FAILED
    with cli._open_library(args) as library:
        for url in args.urls:
            done = remove_account_feed(library, url)  # an account's feed: through its server
            if done is not None:
                failed += int(not done)
                continue
            removed = library.remove_feed(url)
            if removed is None:
                _err(f"briefreader: error: not subscribed to {url}")
                failed += 1
            else:
                _err(
                    f"briefreader: removed {url} and {removed} of its articles "
                    "(starred, edited and downloaded ones kept)"
                )
    return EXIT_FAILED if failed else EXIT_OK


def cmd_rename(args: argparse.Namespace) -> int:
    if cli._missing_library(args, "not subscribed to anything"):
        return EXIT_FAILED
    with cli._open_library(args) as library:
        feed = library.rename_feed(args.url, args.name)
    if feed is None:
        _err(f"briefreader: error: not subscribed to {args.url}")
        return EXIT_FAILED
    if feed.user_title:
        _err(f"briefreader: {feed.url} is now called {feed.name}")
    else:
        _err(f"briefreader: {feed.url} goes by its own title again: {feed.name}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from briefreader.sources import SourceError
    from briefreader.sources.newsboat import read_subscriptions  # OPML or newsboat's urls

    path = Path(args.file)
    try:
        feeds, notes = read_subscriptions(path)
    except OSError as exc:
        _err(f"briefreader: error: {path}: {exc.strerror or exc}")
        return EXIT_FAILED
    except SourceError as exc:
        _err(f"briefreader: error: {exc}")
        return EXIT_FAILED
    for note in notes:
        _err(f"briefreader: note: {note}")
    new = 0
    with cli._open_library(args) as library:
        for feed in feeds:
            # The file's name for a feed is the one the user knew it by (their old
            # reader's, or a rename exported): kept as the user's name, so the
            # feed's own title, learnt on its first fetch, does not replace it.
            _, created = library.add_feed(
                feed.url, user_title=feed.title, site_url=feed.site_url, tags=feed.tags
            )
            new += int(created)
    _err(
        f"briefreader: {counted(len(feeds), 'feed')} in {path}: {new} new, {len(feeds) - new} already subscribed"
    )
    if new:
        _err("briefreader: run `briefreader refresh` to fetch them")
    return EXIT_OK


def cmd_refresh(args: argparse.Namespace) -> int:
    from briefreader.cli_accounts import has_accounts
    from briefreader.refresh import FeedOutcome, RefreshReport, refresh

    if cli._missing_library(args, "no feeds to refresh; add one with `briefreader add URL`"):
        if args.json:
            cli._write_json({"totals": RefreshReport().totals(), "feeds": []})
        return EXIT_OK
    with cli._open_library(args) as library:
        if not library.feeds() and not has_accounts(library):
            _err("briefreader: no feeds to refresh; add one with `briefreader add URL`")
            if args.json:  # (what a script reads: the same shape, nothing in it)
                cli._write_json({"totals": RefreshReport().totals(), "feeds": []})
            return EXIT_OK
        if sys.stderr.isatty() and not args.quiet:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            ) as bar:
                task = bar.add_task("Refreshing", total=None)

                def progress(outcome: FeedOutcome, done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                report = refresh(
                    library, concurrency=args.concurrency, per_host=args.per_host, progress=progress
                )
        else:
            report = refresh(library, concurrency=args.concurrency, per_host=args.per_host)
    if args.json:
        cli._write_json(
            {"totals": report.totals(), "feeds": [o.as_dict() for o in report.outcomes]}
        )
    else:
        for outcome in sorted(
            report.outcomes, key=lambda o: (o.status != "failed", o.title or o.url)
        ):
            if args.verbose or outcome.status in ("failed", "skipped", "new", "updated"):
                _err(f"  {outcome.line()}")
    _err(f"briefreader: {report.summary()}")
    return EXIT_OK if report.ok else EXIT_FAILED


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The feed commands, on the main parser's subparsers."""

    def command(name: str, func: cli.Command, help: str) -> argparse.ArgumentParser:
        return add_command(sub, common, name, func, help)

    p = command("feeds", cmd_feeds, "list feed subscriptions and how they last went")
    p.add_argument("--json", action="store_true")

    p = command("remove", cmd_remove, "unsubscribe (starred, edited and downloaded articles stay)")
    p.add_argument("urls", nargs="+", metavar="URL")

    p = command(
        "rename",
        cmd_rename,
        "give a feed your own name for it (shown wherever it and its articles are)",
    )
    p.add_argument("url", metavar="URL")
    p.add_argument(
        "name", nargs="?", default="", metavar="NAME", help="the name; leave out for its own title"
    )

    p = command(
        "import",
        cmd_import,
        "subscribe to the feeds in an OPML file or newsboat's urls file (tags kept)",
    )
    p.add_argument("file", metavar="FILE")

    p = command("refresh", cmd_refresh, "fetch every feed; exit 1 if any failed")
    p.add_argument("--json", action="store_true", help="print per-feed results as JSON")
    p.add_argument("--concurrency", type=int, default=16, help="feeds fetched at once (default 16)")
    p.add_argument("--per-host", type=int, default=None, help="at most this many at once per host")
    p.add_argument("-v", "--verbose", action="store_true", help="a line for every feed")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
