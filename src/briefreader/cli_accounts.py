"""The command line's account and sync commands: ``briefreader account add URL
--user USER [--password-stdin] [--app-id ID [--app-key KEY]]``, ``account list``,
``account remove ACCOUNT`` and ``briefreader sync [ACCOUNT…]`` (``refresh`` syncs
accounts too, in refresh.py).

Registered by :func:`add_parsers` from :mod:`briefreader.cli`.  A password is read
from a terminal without echo (or one line of stdin with ``--password-stdin``) and
is never printed, nor is an app key (from ``$BRIEFREADER_APP_KEY``, a terminal
without echo, or ``--app-key``, which other users can see in the process list).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import Any

from briefreader.wording import counted

__all__ = ["add_parsers"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _read_password(args: argparse.Namespace, endpoint: str) -> str | None:
    """The password: one line of stdin with --password-stdin, else asked for on the
    terminal; None when there is no way to ask."""
    if args.password_stdin:
        line = sys.stdin.readline(64 * 1024)
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        return None
    import getpass

    from briefreader.textclean import clean_line

    try:
        return getpass.getpass(f"Password for {clean_line(args.user)} at {clean_line(endpoint)}: ")
    except KeyboardInterrupt:
        raise _Cancelled(130) from None
    except EOFError:
        raise _Cancelled(EXIT_FAILED) from None


class _Cancelled(Exception):
    """Ctrl-C (exit 130) or Ctrl-D (exit 1) at a prompt: nothing is stored."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _cancelled(exc: _Cancelled) -> int:
    print(file=sys.stderr)  # (the prompt's line was left open)
    _err("briefreader: cancelled; nothing was stored")
    return exc.code


#: Where ``account add --app-id`` takes the app key from when --app-key is not given
#: (a command line is visible to every user of the machine; the environment is not).
APP_KEY_ENV = "BRIEFREADER_APP_KEY"


def _read_app_key(args: argparse.Namespace) -> str | None:
    """The app key that goes with --app-id: --app-key, else $BRIEFREADER_APP_KEY,
    else asked for on the terminal (not echoed); None when there is none of them."""
    import os

    if args.app_key:
        return str(args.app_key)
    if key := os.environ.get(APP_KEY_ENV, "").strip():
        return key
    if args.password_stdin or not sys.stdin.isatty():
        return None
    import getpass

    from briefreader.textclean import clean_line

    try:
        return getpass.getpass(f"App key for app id {clean_line(args.app_id)}: ").strip() or None
    except KeyboardInterrupt:
        raise _Cancelled(130) from None
    except EOFError:
        raise _Cancelled(EXIT_FAILED) from None


def cmd_account_add(args: argparse.Namespace) -> int:
    from briefreader.sync import AccountError, normal_endpoint

    try:
        endpoint = normal_endpoint(args.url)
    except AccountError as exc:
        _err(f"briefreader: error: {exc}")
        return EXIT_FAILED
    if _plain_http_elsewhere(endpoint):  # before the password is asked for
        _err(
            f"briefreader: warning: {endpoint} is plain http: the password and everything "
            "read go over the network unencrypted; use https if the server offers it"
        )
    if args.app_key and not args.app_id:
        _err("briefreader: error: give --app-id and --app-key together")
        return EXIT_USAGE
    try:
        return _add(args, endpoint)
    except _Cancelled as exc:
        return _cancelled(exc)


def _add(args: argparse.Namespace, endpoint: str) -> int:
    import asyncio  # here, not at the top: every command builds the parser

    from briefreader import cli, credentials
    from briefreader.sync import AccountError, add_account

    app = None
    if args.app_id:
        key = _read_app_key(args)
        if not key:
            _err(
                "briefreader: error: give --app-id and --app-key together: the key in "
                f"{APP_KEY_ENV} (or typed when asked on a terminal; --app-key shows it to "
                "other users of this machine)"
            )
            return EXIT_USAGE
        app = (args.app_id, key)
    password = _read_password(args, endpoint)
    if password is None:
        _err(
            "briefreader: error: no terminal to ask for the password on; "
            "give it on stdin with --password-stdin"
        )
        return EXIT_USAGE
    if not password:
        _err("briefreader: error: an empty password")
        return EXIT_USAGE
    try:
        with cli._open_library(args) as library:
            account, new, where = asyncio.run(
                add_account(library, endpoint, args.user, password, app=app)
            )
    except AccountError as exc:
        _err(f"briefreader: error: {exc}")
        return EXIT_FAILED
    kept = (
        "in the system keyring"
        if where == "keyring"
        else f"in {credentials.file_path()}, readable only by you (no system keyring here)"
    )
    verb = "added" if new else "updated (password replaced)"
    what = "password and app id and key are" if app else "password is"
    _err(f"briefreader: account {account.name} {verb}; its {what} kept {kept}")
    _err("briefreader: run `briefreader sync` (or `briefreader refresh`) to bring its feeds")
    return EXIT_OK


def _plain_http_elsewhere(endpoint: str) -> bool:
    """An http (not https) endpoint on another machine than this one."""
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    local = host in ("localhost", "::1") or host.startswith("127.")
    return parts.scheme == "http" and not local


def _accounts_of(library: Any) -> list[Any]:
    from briefreader.store.sync import SyncStore

    try:
        return SyncStore(library).accounts()
    except sqlite3.OperationalError:  # a read-only library from before accounts
        return []


def cmd_account_list(args: argparse.Namespace) -> int:
    from briefreader import cli
    from briefreader.store.sync import SyncStore

    with cli._read_library(args) as library:
        accounts = _accounts_of(library)
        pending = {a.id: SyncStore(library).unsent(a.id) for a in accounts}
    if args.json:
        cli._write_json(
            [
                {
                    "id": a.id,
                    "account": a.name,
                    "endpoint": a.endpoint,
                    "user": a.username,
                    "feeds": a.feeds,
                    "last_sync": a.last_sync,
                    "last_error": a.last_error,
                    "pending_changes": pending[a.id],
                }
                for a in accounts
            ]
        )
        return EXIT_OK
    if not accounts:
        _err("briefreader: no accounts; add one with `briefreader account add URL --user USER`")
        return EXIT_OK
    for a in accounts:
        print(f"{a.id}  {a.name}")
        line = f"    {counted(a.feeds, 'feed')} · synced {cli._when(a.last_sync)}"
        if pending[a.id]:
            line += f" · {counted(pending[a.id], 'change')} to send"
        print(line)
        if a.last_error:
            print(f"    last error: {a.last_error}")
    return EXIT_OK


def _pick(library: Any, keys: list[str]) -> list[Any] | None:
    """The accounts the keys name; None, after an error line for each key that names
    none or many."""
    from briefreader.store.sync import SyncStore

    store = SyncStore(library)
    found: list[Any] = []
    problems: list[str] = []
    for key in keys:
        matches = store.find_account(key)
        if not matches:
            problems.append(f"no account {key!r} (see `briefreader account list`)")
        elif len(matches) > 1:
            names = ", ".join(a.name for a in matches)
            problems.append(f"{key!r} names {len(matches)} accounts ({names}): give USER@URL")
        else:
            found += [m for m in matches if m not in found]
    for line in problems:
        _err(f"briefreader: error: {line}")
    return None if problems else found


def _confirm(question: str) -> bool:
    """Ask on the terminal; anything but y/yes (or no answer) is no."""
    try:
        answer = input(f"{question} [y/N] ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in ("y", "yes")


def cmd_account_remove(args: argparse.Namespace) -> int:
    from briefreader import cli, credentials
    from briefreader.sync import remove_account

    with cli._open_library(args) as library:
        accounts = _pick(library, [args.account])
        if accounts is None:
            return EXIT_FAILED
        for account in accounts:
            # What would go is counted only when there is someone to ask.
            plan = (
                None
                if args.yes or not sys.stdin.isatty()
                else remove_account(library, account, dry_run=True)
            )
            if (
                plan is not None
                and plan.articles_removed
                and not _confirm(f"Remove account {account.name}? {plan.line(ahead=True)}.")
            ):
                _err(f"briefreader: {account.name} not removed")
                return EXIT_FAILED
            try:
                done = remove_account(library, account)
            except sqlite3.Error as exc:
                _err(f"briefreader: error: {account.name}: not removed: {exc}")
                return EXIT_FAILED
            try:
                credentials.delete(account.endpoint, account.username)
            except credentials.CredentialError as exc:
                _err(f"briefreader: warning: {exc}")
            _err(f"briefreader: removed account {account.name} and its password")
            _err(f"briefreader: {done.line()}")
    return EXIT_OK


def cmd_account_subscribe(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: every command builds the parser

    from briefreader import cli
    from briefreader.sync import AccountError, subscribe_feed

    with cli._open_library(args) as library:
        accounts = _pick(library, [args.account])
        if accounts is None:
            return EXIT_FAILED
        try:
            report = asyncio.run(
                subscribe_feed(library, accounts[0], args.url, folder=args.tag or "")
            )
        except AccountError as exc:
            _err(f"briefreader: error: {exc}")
            return EXIT_FAILED
    _err(f"briefreader: subscribed {accounts[0].name} to {args.url}")
    _err(f"briefreader: {report.line()}")
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_sync(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: every command builds the parser

    from briefreader import cli
    from briefreader.sync import sync_accounts

    with cli._open_library(args) as library:
        accounts = _pick(library, args.accounts) if args.accounts else None
        if args.accounts and accounts is None:
            return EXIT_FAILED
        if accounts is None and not _accounts_of(library):
            _err(
                "briefreader: no accounts to sync; add one with "
                "`briefreader account add URL --user USER`"
            )
            return EXIT_OK

        def progress(text: str) -> None:
            if not args.quiet and sys.stderr.isatty():
                _err(f"  {text}")

        from briefreader.workers import parse_pool

        with parse_pool() as executor:  # items are read in worker processes
            executor.submit(int).result()  # started before the event loop's threads
            reports = asyncio.run(
                sync_accounts(library, accounts, progress=progress, executor=executor)
            )
        from briefreader.housekeeping import after_refresh

        pruned = after_refresh(library).line()  # the config's retention, then upkeep
    if args.json:
        cli._write_json([r.as_dict() for r in reports])
    for report in reports:
        _err(f"briefreader: {report.line()}")
        for note in report.notes:
            _err(f"  note: {note}")
    if pruned:
        _err(f"briefreader: {pruned}")
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``account`` and ``sync`` commands, on the main parser's subparsers."""
    p = sub.add_parser(
        "account",
        parents=[common],
        help="accounts on a reader's server (FreshRSS, Miniflux, Inoreader… Google Reader API)",
    )
    acc = p.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    q = acc.add_parser(
        "add",
        parents=[common],
        help="add an account: the server's Google Reader API endpoint and your user",
    )
    q.add_argument(
        "url", metavar="URL", help="e.g. https://rss.example.org/api/greader.php (FreshRSS)"
    )
    q.add_argument("--user", required=True, help="your user name on the server")
    q.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password (FreshRSS: the API password) from stdin instead of asking",
    )
    q.add_argument(
        "--app-id",
        metavar="ID",
        help="the app id a service wants from its clients (Inoreader); kept with the password",
    )
    q.add_argument(
        "--app-key",
        metavar="KEY",
        help=(
            "the app key that goes with --app-id (kept with the password, never printed); "
            "a command line is visible to other users of this machine: better set "
            f"{APP_KEY_ENV}, or leave it out on a terminal to be asked for it"
        ),
    )
    q.set_defaults(func=cmd_account_add)
    q = acc.add_parser("list", parents=[common], help="list accounts and how their last sync went")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_account_list)
    q = acc.add_parser(
        "remove",
        parents=[common],
        help="forget an account and its password: feeds you had before it stay, its own "
        "feeds go (starred and edited articles kept)",
    )
    q.add_argument("account", metavar="ACCOUNT", help="its number, USER@URL, or URL")
    q.add_argument(
        "-y", "--yes", action="store_true", help="do not ask on a terminal before removing articles"
    )
    q.set_defaults(func=cmd_account_remove)
    q = acc.add_parser(
        "subscribe",
        parents=[common],
        help="subscribe an account to a feed on its server, then sync it",
    )
    q.add_argument("account", metavar="ACCOUNT", help="its number, USER@URL, or URL")
    q.add_argument("url", metavar="FEED_URL")
    q.add_argument("--tag", help="the folder to file it under on the server")
    q.set_defaults(func=cmd_account_subscribe)

    p = sub.add_parser(
        "sync",
        parents=[common],
        help="sync accounts with their servers (feeds, new items, read/star both ways)",
    )
    p.add_argument("accounts", nargs="*", metavar="ACCOUNT", help="only these (default: all)")
    p.add_argument("--json", action="store_true", help="print each account's result as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_sync)


def remove_account_feed(library: Any, url: str) -> bool | None:
    """``remove URL`` for a feed an account owns: unsubscribed on the server, then
    here.  None when no account owns it (a local feed); False when it failed (the
    error said)."""
    import asyncio  # here, not at the top: every command builds the parser
    import contextlib

    from briefreader.store.sync import SyncStore
    from briefreader.sync import AccountError, unsubscribe_feed

    feed = library.feed(url)
    if feed is None:
        return None
    owners = []
    with contextlib.suppress(sqlite3.OperationalError):
        owners = SyncStore(library).feed_owners(feed.id)
    if not owners:
        return None
    try:
        removed = asyncio.run(unsubscribe_feed(library, feed.id))
    except AccountError as exc:
        _err(f"briefreader: error: {url}: not removed: {exc}")
        return False
    _err(
        f"briefreader: removed {url} from {', '.join(a.name for a, _s in owners)}, and here "
        f"with {removed} of its articles (starred, edited and downloaded ones kept)"
    )
    return True


def has_accounts(library: Any) -> bool:
    return bool(_accounts_of(library))
