"""``briefreader export``: the library's articles written back out (JSON, one file
or a folder of them, or Markdown), its feeds as OPML, or its deleted and pruned
feed items; each re-importable.  On a damaged library it saves what can still be
read (store/repair.py's salvage)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefreader import cli
from briefreader.cli import EXIT_FAILED, EXIT_OK, add_command, add_flags
from briefreader.model import Article, ArticleState
from briefreader.paths import write_whole

if TYPE_CHECKING:
    from briefreader.store import Library
from briefreader.wording import counted

__all__ = ["DELETED_FILE", "add_parser", "cmd_export"]


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.ASCII).strip("-")
    return slug[:60].rstrip("-") or "article"


def cmd_export(args: argparse.Namespace) -> int:
    try:
        return _export(args)
    except OSError as exc:  # (--out: a folder where a file goes, no such folder, no room …)
        where = exc.filename if exc.filename is not None else args.out
        cli._err(f"briefreader: cannot write {where}: {exc.strerror or exc}")
        return EXIT_FAILED


def _file_out(args: argparse.Namespace) -> Path:
    """``--out`` where it names one file (``--opml``, ``--deleted``)."""
    if args.out.endswith(("/", "\\")) or Path(args.out).is_dir():
        raise cli.UsageError(f"--out {args.out} is a folder: give the file's name")
    return Path(args.out)


def _folder_out(args: argparse.Namespace) -> Path:
    """``--out`` where it names a folder (one file per article), made if need be."""
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise cli.UsageError(f"--out {args.out} is a file: give a folder (one file per article)")
    return out


def _export(args: argparse.Namespace) -> int:
    if args.deleted and args.opml:
        raise cli.UsageError("export --deleted and --opml are two exports: run them one at a time")
    if args.opml:
        from briefreader.sources.opml import OpmlFeed, write_opml

        with cli._read_library(args) as library:
            # Each feed under the name the app shows (a rename wins), which an import
            # of the file takes as the user's name for it.
            feeds = [OpmlFeed(f.url, f.name, f.site_url, f.tags) for f in library.feeds()]
        return _one_file(args, write_opml(feeds), counted(len(feeds), "feed"))
    if args.deleted:
        return _export_deleted(args)
    if args.format == "markdown" and not args.out:
        raise cli.UsageError("export --format markdown needs --out DIR (one file per article)")
    import sqlite3

    from briefreader.store import is_damage

    # Each article carries its state (read/starred times, its feed's URL) beside its
    # fields, so `add` of the export restores it.  Written as read: a library of a
    # million articles is never held in memory whole.
    with cli._read_library(args) as library:
        source = _Articles(library)
        try:
            stones = library.tombstones() if args.out else []
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            stones = []
            source.unreadable = 0  # (a damaged library, whatever its articles)
            cli._err(
                "briefreader: the deleted feed items could not be read (damaged): not exported"
            )
        if not args.out:
            saved = _write_json_list(_exported(a, st) for a, st in source)
            if source.unreadable is None:
                cli._err(f"briefreader: exported {counted(saved, 'article')}")
            return _salvaged(args, saved, source.unreadable)
        out = _folder_out(args)
        out.mkdir(parents=True, exist_ok=True)
        before = {p.name for p in out.iterdir() if p.suffix in (".json", ".md")}
        written: set[str] = set()
        saved = 0
        if args.format == "markdown":
            from briefreader.sources.markdown import to_markdown

            for art, state in source:
                name = f"{_slug(art.title)}-{art.id}.md"
                write_whole(out / name, to_markdown(art, state))
                written.add(name)
                saved += 1
        else:
            for art, state in source:
                name = f"{_slug(art.title)}-{art.id}.json"
                write_whole(
                    out / name,
                    json.dumps(_exported(art, state), ensure_ascii=False, indent=2) + "\n",
                )
                written.add(name)
                saved += 1
    if stones:  # (a folder is a whole backup: what was deleted stays deleted)
        write_whole(out / DELETED_FILE, _deleted_json(stones))
        written.add(DELETED_FILE)
    stale = before - written
    if stale:
        cli._err(
            f"briefreader: {out} also holds {counted(len(stale), 'file')} this export did not "
            "write (an earlier export's, of articles since deleted or changed): an `add` of "
            "the folder reads them too; export into an empty folder for a backup of now"
        )
    gone = f" and {counted(len(stones), 'deleted feed item')} ({DELETED_FILE})" if stones else ""
    if source.unreadable is None:
        cli._err(f"briefreader: exported {counted(saved, 'article')}{gone} to {out}")
    return _salvaged(args, saved, source.unreadable)


class _Articles:
    """The articles an export writes, each with its state: the library's, oldest
    first; on a damaged library, after the first damaged page, those that can still
    be read one at a time (``unreadable``: then how many could not be, else None)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.unreadable: int | None = None

    def __iter__(self) -> Iterator[tuple[Article, ArticleState | None]]:
        import sqlite3

        from briefreader.store import is_damage

        seen: set[str] = set()
        try:
            states = self.library.states()
            for art in self.library.articles():
                seen.add(art.id)
                yield art, states.get(art.id)
            return
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
        # The whole-table read stops at the first damaged page: the rest, one by one.
        salvage = self.library.salvage(skip=seen)
        yield from salvage
        self.unreadable = salvage.unreadable + (self.unreadable or 0)


def _exported(art: Article, state: ArticleState | None) -> dict[str, Any]:
    return {**art.to_dict(), **(state or ArticleState()).to_dict()}


def _write_json_list(items: Iterable[dict[str, Any]]) -> int:
    """``items`` to stdout as one JSON list, each written as it comes (the same text
    as ``json.dump(list(items), indent=2)``); how many."""
    out = sys.stdout
    out.write("[")
    n = 0
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write(("\n  " if n == 0 else ",\n  ") + text)
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def _salvaged(args: argparse.Namespace, saved: int, unreadable: int | None) -> int:
    """After an export from a damaged library (``unreadable`` not None): one line
    saying what was saved and what was lost, exit 1."""
    if unreadable is None:
        return EXIT_OK
    where = f" to {args.out}" if args.out else ""
    if saved:
        what = f"exported the {counted(saved, 'article')} that could still be read{where}"
    else:
        what = "no article could be read (the damage is in the table's own structure)"
    lost = f"; {counted(unreadable, 'article')} could not be read" if unreadable else ""
    cli._err(f"briefreader: {cli._library_path(args)}: the library is damaged: {what}{lost}")
    return EXIT_FAILED


#: The file of deleted and pruned feed items in an export folder.
DELETED_FILE = "deleted-articles.json"


def _deleted_json(stones: list[Any]) -> str:
    from briefreader.sources.jsonfile import TOMBSTONES_KEY

    data = {TOMBSTONES_KEY: [s.to_dict() for s in stones]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _export_deleted(args: argparse.Namespace) -> int:
    """``export --deleted``: the tombstones as one JSON document that ``add`` reads."""
    with cli._read_library(args) as library:
        stones = library.tombstones()
    return _one_file(args, _deleted_json(stones), counted(len(stones), "deleted feed item"))


def _one_file(args: argparse.Namespace, text: str, what: str) -> int:
    """An export that is one file (``--opml``, ``--deleted``): to ``--out`` or stdout."""
    if args.out:
        write_whole(_file_out(args), text)
        cli._err(f"briefreader: exported {what} to {args.out}")
    else:
        sys.stdout.write(text)
        cli._err(f"briefreader: exported {what}")
    return EXIT_OK


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """``export``, on the main parser's subparsers."""
    p = add_command(sub, common, "export", cmd_export, "write articles back out, re-importable")
    p.add_argument("--format", choices=("json", "markdown"), default="json")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="folder to write one file per article into (with --opml or --deleted: the file)",
    )
    add_flags(
        p,
        {
            "--opml": "export the feed subscriptions as OPML",
            "--deleted": "export the deleted and pruned feed items "
            "(so a restore does not bring them back)",
        },
    )
