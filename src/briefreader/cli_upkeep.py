"""The command line's library upkeep: ``briefreader prune [--dry-run]`` (retention,
store/retention.py) and ``briefreader doctor`` (integrity, space, upkeep:
store/upkeep.py).  Registered by :func:`add_parsers` from :mod:`briefreader.cli`
(cli.py is at its size limit).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefreader.cli import add_command, add_flags
from briefreader.wording import counted, size_text

if TYPE_CHECKING:
    from briefreader.store import Library
    from briefreader.store.repair import DerivedIndex
    from briefreader.store.upkeep import Health, Space

__all__ = ["add_parsers", "index_related_queue"]

EXIT_OK, EXIT_FAILED = 0, 1


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_prune(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from briefreader import cli
    from briefreader.config import load_config
    from briefreader.housekeeping import retention_of
    from briefreader.store.retention import prune
    from briefreader.store.upkeep import space, tidy

    loaded = load_config()
    for problem in loaded.problems:
        _err(f"briefreader: {problem}")
    retention = retention_of(loaded.config)
    if args.keep_days is not None:
        retention = replace(retention, keep_days=args.keep_days)
    if args.keep_per_feed is not None:
        retention = replace(retention, keep_per_feed=args.keep_per_feed)
    path = cli._library_path(args)
    if not path.exists():
        _err(f"briefreader: no library at {path}: nothing to prune")
        if args.json:  # (what a script reads: the same shape, nothing in it)
            from briefreader.store.retention import PruneReport

            json.dump(PruneReport(dry_run=args.dry_run).as_dict(), sys.stdout, indent=2)
            sys.stdout.write("\n")
        return EXIT_OK
    if not retention.active:
        _err(
            "briefreader: retention is off (keep_days and keep_per_feed are 0 in "
            f"{loaded.path}): nothing goes; set them, or give --keep-days / --keep-per-feed"
        )
    with cli._open_library(args) as library:
        before = space(library._db, library.path)
        report = prune(library, retention, dry_run=args.dry_run, explain=True)
        for rule in report.unmatched:
            _err(f"briefreader: warning: {rule.line(loaded.path)}")
        upkeep = None if args.dry_run or not report.articles else tidy(library._db)
        after = space(library._db, library.path)
    if args.json:
        data: dict[str, Any] = report.as_dict()
        data["free_pages"] = after.free_pages
        data["file_bytes_before"], data["file_bytes_after"] = before.file_bytes, after.file_bytes
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for feed in sorted(report.feeds, key=lambda f: (-f.articles, f.name.lower())):
        if feed.articles:
            print(
                f"  {feed.name}: {counted(feed.articles, 'article')} (about {size_text(feed.bytes)})"
            )
    _err(f"briefreader: {report.line()}")
    if report.arrived_recently:
        _err(f"briefreader: {report.arrival_line()}")
    if upkeep is not None:
        freed = before.file_bytes - after.file_bytes
        if freed > 0:
            _err(f"briefreader: the library file shrank by {size_text(freed)} ({upkeep.line()})")
        elif after.free_bytes == 0:  # (rows gone from pages still in use: no page freed)
            _err(
                "briefreader: the room they took inside the library file goes to new "
                f"articles ({upkeep.line()})"
            )
        else:
            _err(
                f"briefreader: {size_text(after.free_bytes)} free inside the library file for new "
                f"articles ({upkeep.line()})"
                + (
                    "; `briefreader doctor --vacuum` gives it back to the disk"
                    if after.auto_vacuum != "incremental"
                    else ""
                )
            )
    return EXIT_OK


def _connect(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A plain connection for the checks (no migration, nothing written on opening):
    writable when the file is (FTS5's integrity-check needs that), else read-only."""
    from briefreader.store import opens_read_only

    readonly = opens_read_only(path)
    uri = path.resolve().as_uri() + ("?mode=ro" if readonly else "?mode=rw")
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 10000")
    return db, readonly


#: How every SQLite file begins.
_SQLITE_HEADER = b"SQLite format 3\x00"


def _not_sqlite(path: Path) -> str | None:
    """Why the file at ``path`` is no library at all: it does not begin as SQLite
    files do (None when it does, or is empty).  (A newcomer's trial: ``doctor`` on
    /etc/passwd said "the library is damaged … restore it from a backup".)"""
    try:
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc})"
    if head and head != _SQLITE_HEADER:
        return (
            f"{path}: not a briefreader library (not an SQLite file); pass another "
            "--library (if it was your library, its first bytes are overwritten: restore "
            "it from a backup)"
        )
    return None


def _not_ours(other: str, report: dict[str, Any], as_json: bool) -> int:
    """``doctor``'s answer for a file that is no briefreader library."""
    _err(f"briefreader: {other}")
    if as_json:
        report.update(ok=False, problems=[other])
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return EXIT_FAILED


def cmd_doctor(args: argparse.Namespace) -> int:
    from briefreader import cli
    from briefreader.store import LibraryError, is_damage
    from briefreader.store.schema import NewerLibraryError, check_ours
    from briefreader.store.upkeep import Health, check, full_vacuum, space, tidy

    path = cli._library_path(args)
    if not path.exists():
        _err(f"briefreader: no library at {path}: nothing to check")
        if args.json:  # (what a script reads: no library, so no problem either)
            json.dump(
                {"path": str(path), "exists": False, "ok": True, "problems": [], "did": []},
                sys.stdout,
                indent=2,
            )
            sys.stdout.write("\n")
        return EXIT_OK
    facts: list[str] = []
    report: dict[str, Any] = {"path": str(path), "exists": True, "did": []}
    health = Health()
    if (other := _not_sqlite(path)) is not None:
        return _not_ours(other, report, args.json)
    try:
        db, readonly = _connect(path)
        report["read_only"] = readonly
        try:
            try:  # another program's SQLite file ("no such table: articles_fts" before)
                check_ours(db, path)
            except NewerLibraryError:
                pass  # (its pages and indexes can still be checked)
            except LibraryError as exc:
                return _not_ours(str(exc), report, args.json)
            health = check(db, full=args.full, fts=not readonly)
            asked = _rebuilds_asked(args)
            if (
                asked
                and not readonly
                and (health.ok or health.only_indexes_damaged)
                and set(health.damaged_indexes) <= {index.name for index in asked}
            ):
                db.close()
                facts += _rebuild(path, asked, report)
                db, readonly = _connect(path)
                health = check(db, full=args.full)
            elif asked and readonly:
                facts.append("read-only: nothing rebuilt")
            if args.reindex and not readonly and health.damaged_tables:
                db.close()
                facts += _reindex(path, health.damaged_tables, report)
                db, readonly = _connect(path)
                health = check(db, full=args.full)
            mended = args.vacuum and not readonly and health.only_loose_pages
            if mended:
                full_vacuum(db)  # (rebuilt from what the schema reaches: the loose pages go)
                facts.append("vacuumed: the file rebuilt without the pages no table used")
                report["did"].append("vacuumed")
                health = check(db, full=args.full)
            facts += health.facts
            if health.ok:
                report["counts"] = counts = _counts(db)
                facts.append(
                    f"{counted(counts['articles'], 'article')} ({counts['starred']:,} starred), "
                    f"{counted(counts['feeds'], 'feed')}, "
                    f"{counted(counts['tombstones'], 'tombstone')} (what was deleted or pruned, "
                    "so a feed does not bring it back)"
                )
                report["retention_warnings"] = warnings = _retention_warnings(db)
                for warning in warnings:
                    _err(f"briefreader: warning: {warning}")
                if readonly:
                    facts.append("read-only: nothing tidied")
                elif args.vacuum and not mended:
                    before = space(db, path)
                    full_vacuum(db)
                    after = space(db, path)
                    facts.append(
                        f"vacuumed: {size_text(before.file_bytes)} -> {size_text(after.file_bytes)}, "
                        f"auto_vacuum {after.auto_vacuum}"
                    )
                    report["did"].append("vacuumed")
                    report["vacuum"] = {"before_bytes": before.file_bytes}
                elif not mended:
                    done = tidy(db)
                    facts.append(f"tidied: {done.line()}")
                    report["did"].append("tidied")
                    report["tidy"] = done.as_dict()
                sp = space(db, path)
                facts += _space_lines(sp)
                report["space"] = {
                    "file_bytes": sp.file_bytes,
                    "wal_bytes": sp.wal_bytes,
                    "page_size": sp.page_size,
                    "pages": sp.pages,
                    "free_pages": sp.free_pages,
                    "free_bytes": sp.free_bytes,
                    "auto_vacuum": sp.auto_vacuum,
                }
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            _err(f"briefreader: {path}: {exc}")
            return EXIT_FAILED
        health.problems.append(str(exc))
        health.integrity_ok = False
    report.update(health.as_dict())
    report["facts"] = facts
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for line in facts:
            print(f"  {line}")
    if not health.ok:
        return _damaged(path, health, quiet=args.json)
    return EXIT_OK


def _space_lines(sp: Space) -> list[str]:
    """The file's size, free pages and vacuum mode, each said in plain words."""
    lines = [
        f"size {size_text(sp.file_bytes)} (+ {size_text(sp.wal_bytes)} write-ahead log: recent "
        "writes not yet folded into the file)",
        f"{sp.free_pages:,} free pages ({size_text(sp.free_bytes)}): room inside the file left "
        "by removed articles, used again for new ones",
    ]
    if sp.auto_vacuum == "incremental":
        lines.append(
            "auto_vacuum incremental: after a large prune, free pages are given back to the disk"
        )
    else:
        lines.append(
            f"auto_vacuum {sp.auto_vacuum}: a file made by an older briefreader; its free "
            "pages are reused but the file never shrinks (`briefreader doctor --vacuum` "
            "rebuilds it once)"
        )
    return lines


def _damaged(path: Path, health: Health, *, quiet: bool = False) -> int:
    problems = health.problems
    for problem in [] if quiet else problems[1:20]:
        print(f"  {problem}")
    # (SQLite's own lines, printed above, detail the findings: not counted as more)
    others = [p for p in problems[1:] if not p.startswith(("quick_check:", "integrity_check:"))]
    more = f" (and {len(others)} more)" if others else ""
    if health.only_loose_pages:
        fix = "nothing is lost: run `briefreader doctor --vacuum` to rebuild the file without them"
    elif health.only_indexes_damaged:
        from briefreader.store.repair import DERIVED

        options = " ".join(i.option for i in DERIVED if i.name in health.damaged_indexes)
        fix = (
            f"only an index made from the articles is damaged, and nothing is lost: "
            f"run `briefreader doctor {options}` to make it again"
        )
    else:
        maybe = (
            "if only their indexes are damaged, `briefreader doctor --reindex` makes "
            "them again with nothing lost; else "
            if health.damaged_tables
            else ""
        )
        fix = maybe + (
            "restore it from a backup, or move it aside to start a new library "
            "(first, `briefreader export` saves every article that can still be read, with "
            "its read and star state)"
        )
    _err(f"briefreader: {path}: the library is damaged: {problems[0]}{more}; {fix}")
    return EXIT_FAILED


def _rebuilds_asked(args: argparse.Namespace) -> list[DerivedIndex]:
    from briefreader.store.repair import RELATED_INDEX, SEARCH_INDEX

    asked = [(args.rebuild_search, SEARCH_INDEX), (args.rebuild_related, RELATED_INDEX)]
    return [index for wanted, index in asked if wanted]


#: Articles ``doctor --rebuild-related`` groups into stories itself, newest first (the
#: list's first rows; ~8–11 ms each at 100,000, ~20 s): grouping a whole library took
#: a quarter of an hour at 100,000 with nothing said, and the app groups the rest in
#: the background.
STORY_GROUP_MAX = 2000


def _rebuild(path: Path, indexes: list[DerivedIndex], report: dict[str, Any]) -> list[str]:
    """Make ``indexes`` again (doctor --rebuild-search / --rebuild-related); VACUUM
    the file when a damaged index's pages had to be left behind.  Lines for doctor."""
    from briefreader.store import Library
    from briefreader.store.repair import RELATED_INDEX, rebuild

    lines: list[str] = []
    db, _ = _connect(path)
    try:
        left_pages = False
        for index in list(indexes):
            try:
                left_pages |= rebuild(db, index)
            except LookupError as exc:  # (an old file: the index comes when it is opened)
                lines.append(f"{exc}: not rebuilt")
                indexes.remove(index)
        if left_pages:
            lines.append(_vacuum_left_pages(db, report))
    finally:
        db.close()
    for index in indexes:
        if index is RELATED_INDEX:
            with Library(path) as library:
                pending = library.related_pending()
                _err(f"briefreader: indexing {counted(pending, 'article')} for related articles …")
                index_related_queue(library, pending)
                grouped = library.update_stories(limit=STORY_GROUP_MAX)
                left = library.stories_pending()
            rest = f" (the newest: the app groups the other {left:,} as it runs)" if left else ""
            lines.append(
                f"related index rebuilt: {counted(pending, 'article')} indexed, "
                f"{grouped:,} grouped into stories{rest}"
            )
        else:
            lines.append(f"{index.name} rebuilt from the articles")
        report["did"].append(f"{index.name} rebuilt")
    return lines


def _reindex(path: Path, tables: list[str], report: dict[str, Any]) -> list[str]:
    """doctor --reindex: each damaged table's indexes made again from its rows (a
    table whose rows cannot be read is left as it is); VACUUM when an index's pages
    had to be left behind.  Lines for doctor."""
    from briefreader.store.repair import reindex

    lines: list[str] = []
    db, _ = _connect(path)
    try:
        left_pages = False
        for table in tables:
            try:
                left_pages |= reindex(db, table)
            except sqlite3.DatabaseError as exc:
                lines.append(f"table {table}: its rows cannot be read ({exc}): not mended")
                continue
            lines.append(f"table {table}: indexes made again from its rows")
            report["did"].append(f"reindexed {table}")
        if left_pages:
            lines.append(_vacuum_left_pages(db, report))
    finally:
        db.close()
    return lines


def _vacuum_left_pages(db: sqlite3.Connection, report: dict[str, Any]) -> str:
    """VACUUM after a rebuild had to leave a damaged index's pages behind; doctor's line."""
    from briefreader.store.upkeep import full_vacuum

    _err("briefreader: rebuilding the file without the damaged pages (VACUUM) …")
    full_vacuum(db)
    report["did"].append("vacuumed")
    return "file rebuilt without the damaged index's pages (VACUUM)"


def index_related_queue(library: Library, pending: int) -> None:
    """Index the whole related queue (``pending`` articles), in worker processes for a
    big one (a bulk import): ``related`` and ``doctor --rebuild-related``."""
    if pending > 20_000:
        from briefreader.workers import read_pool

        with read_pool() as pool:
            library.index_related(executor=pool)
    else:
        library.index_related()


def _retention_warnings(db: sqlite3.Connection) -> list[str]:
    """The config's ``[feeds."URL"]`` rules that name no subscribed feed."""
    from briefreader.config import load_config
    from briefreader.housekeeping import retention_of
    from briefreader.store.retention import unmatched_rules

    loaded = load_config()
    retention = retention_of(loaded.config)
    if not retention.per_feed:
        return []
    try:
        urls = [str(r[0]) for r in db.execute("SELECT url FROM feeds")]
    except sqlite3.OperationalError:
        return []
    return [rule.line(loaded.path) for rule in unmatched_rules(retention, urls)]


def _counts(db: sqlite3.Connection) -> dict[str, int]:
    def one(sql: str) -> int:
        try:
            return int(db.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:
            return 0

    return {
        "articles": one("SELECT count(*) FROM articles"),
        "starred": one("SELECT count(*) FROM articles WHERE starred_at IS NOT NULL"),
        "feeds": one("SELECT count(*) FROM feeds"),
        "tombstones": one("SELECT count(*) FROM deleted_articles"),
    }


def _count(text: str) -> int:
    """A ``--keep-per-feed`` value: a whole number, 0 or more (else a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative (0: no limit)")
    return value


def _days(text: str) -> float:
    """A ``--keep-days`` value: a whole number of days, 0 or more (else a usage error),
    as ``keep_days`` in the config must be."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 <= value <= 365_000:  # (nan fails this too)
        raise argparse.ArgumentTypeError(f"{text} is out of range (0 to 365000; 0: no limit)")
    if value != int(value):
        raise argparse.ArgumentTypeError(f"{text} is not a whole number of days")
    return value


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``prune`` and ``doctor`` commands, on the main parser's subparsers."""
    p = add_command(
        sub,
        common,
        "prune",
        cmd_prune,
        "apply retention (keep_days, keep_per_feed): old feed articles go, starred stay",
    )
    p.add_argument("--dry-run", action="store_true", help="only say what would go")
    p.add_argument(
        "--keep-days",
        type=_days,
        default=None,
        metavar="N",
        help="instead of keep_days (an article goes once both its date and its arrival are older; 0: no limit)",
    )
    p.add_argument(
        "--keep-per-feed",
        type=_count,
        default=None,
        metavar="N",
        help="instead of keep_per_feed (0: no limit)",
    )
    p.add_argument("--json", action="store_true", help="print what went as JSON")
    p = add_command(
        sub,
        common,
        "doctor",
        cmd_doctor,
        "check the library's integrity and space, tidy it; exit 1 if it is damaged",
    )
    add_flags(
        p,
        {
            "--full": "a full integrity_check (slower)",
            "--vacuum": "rebuild the file "
            "(gives free space back; needs as much free disk as the library)",
            "--rebuild-search": "rebuild a damaged search index",
            "--reindex": "make a damaged table's indexes again from its rows "
            "(mends damage in them alone)",
            "--rebuild-related": "rebuild a damaged related index (and the stories), "
            "from the articles",
            "--json": "print the findings as JSON",
        },
    )
