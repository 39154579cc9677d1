"""Accounts on a reader's own server (FreshRSS, Miniflux, Inoreader, The Old Reader,
BazQux) through the Google Reader API: subscriptions, items and read/starred state
synced both ways, the local library staying the app's store.

* :mod:`.items`: server items → Articles through the feed item builder (pure);
* :mod:`.engine`: one account's sync (pull, reconcile, push) and its report;
* here: adding an account (the password checked by logging in, then kept by
  :mod:`briefreader.credentials`), syncing every account, and subscribing or
  unsubscribing a feed of an account through its server.

The HTTP side is :mod:`briefreader.fetch.greader`; the library side
:mod:`briefreader.store.sync`.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

from briefreader import credentials
from briefreader.fetch.greader import GReaderClient, GReaderError
from briefreader.fetch.urls import check_url
from briefreader.store import Library
from briefreader.store.sync import Account, SyncStore
from briefreader.store.sync_removal import Removal
from briefreader.sync.engine import Progress, SyncReport, server_is_later, sync_account
from briefreader.sync.items import server_article_id
from briefreader.textclean import clean_line

__all__ = [
    "AccountError",
    "SyncReport",
    "add_account",
    "normal_endpoint",
    "remove_account",
    "server_is_later",
    "subscribe_feed",
    "sync_account",
    "sync_accounts",
    "unsubscribe_feed",
]


class AccountError(Exception):
    """Adding or using an account failed; ``str()`` is one line naming it."""


def normal_endpoint(url: str) -> str:
    """The endpoint as stored: an absolute http(s) URL without a trailing slash."""
    try:
        return str(check_url(url)).rstrip("/")
    except Exception as exc:
        raise AccountError(f"{clean_line(url)[:200]}: {exc}") from None


async def add_account(
    library: Library,
    endpoint: str,
    user: str,
    password: str,
    *,
    app: tuple[str, str] | None = None,
    transport: Any = None,
) -> tuple[Account, bool, str]:
    """Check the user and password by logging in, keep the password (and the app id
    and key, when given: they replace any kept before), record the account.
    Returns it, whether it is new, and where the password went ("keyring" or
    "file").  Nothing is kept when the login fails."""
    endpoint = normal_endpoint(endpoint)
    name = f"{user}@{endpoint}"
    if not user.strip():
        raise AccountError(f"{name}: no user name")
    try:
        async with GReaderClient(endpoint, name=name, transport=transport, app=app) as client:
            await client.login(user, password)
    except GReaderError as exc:
        raise AccountError(str(exc)) from None
    try:
        where = credentials.put(endpoint, user, password)
        if app is not None:
            credentials.put_app(endpoint, user, *app)
    except credentials.CredentialError as exc:
        raise AccountError(f"{name}: {exc}") from None
    account, new = SyncStore(library).add_account(endpoint, user)
    return account, new, where


def _password(account: Account) -> str:
    try:
        password = credentials.get(account.endpoint, account.username)
    except credentials.CredentialError as exc:
        raise AccountError(f"{account.name}: {exc}") from None
    if password is None:
        raise AccountError(
            f"{account.name}: no password kept for this account; add it again with "
            f"`briefreader account add {account.endpoint} --user {account.username}`"
        )
    return password


def _app(account: Account) -> tuple[str, str] | None:
    """The account's app id and key, when it has them."""
    try:
        return credentials.get_app(account.endpoint, account.username)
    except credentials.CredentialError as exc:
        raise AccountError(f"{account.name}: {exc}") from None


def _client(account: Account, transport: Any = None) -> GReaderClient:
    """A client for the account's server (its app id and key on every request)."""
    return GReaderClient(
        account.endpoint, name=account.name, transport=transport, app=_app(account)
    )


async def sync_accounts(
    library: Library,
    accounts: Sequence[Account] | None = None,
    *,
    progress: Progress | None = None,
    deadline: float = 30.0,
    transport: Any = None,
    executor: Executor | None = None,
) -> list[SyncReport]:
    """Sync these accounts (all by default), one after another; one failing, even
    on an unexpected error, never stops the others (nor the refresh that asked).
    ``executor``: a process pool for reading items (optional)."""
    store = SyncStore(library)
    reports: list[SyncReport] = []
    for account in store.accounts() if accounts is None else accounts:
        try:
            password = _password(account)
            app = _app(account)
        except AccountError as exc:
            reports.append(SyncReport(account.name, error=str(exc)))
            store.record_sync(account.id, error=str(exc))
            continue
        try:
            report = await sync_account(
                library,
                account,
                password,
                progress=progress,
                deadline=deadline,
                transport=transport,
                executor=executor,
                app=app,
            )
        except Exception as exc:  # a bug or the library itself: this account only
            text = clean_line(f"{account.name}: sync stopped: {type(exc).__name__}: {exc}")
            report = SyncReport(account.name, error=text[:300])
        reports.append(report)
    return reports


def remove_account(library: Library, account: Account, *, dry_run: bool = False) -> Removal:
    """Forget an account here (nothing is asked of its server): the feeds followed
    here before it stay as local feeds with their articles, its own feeds go with
    their articles except starred and edited ones (store/sync_removal.py).  The
    password is the caller's to delete.  ``dry_run``: only count."""
    return SyncStore(library).remove_account(account.id, server_article_id, dry_run=dry_run)


async def unsubscribe_feed(library: Library, feed_id: int, *, transport: Any = None) -> int | None:
    """Unsubscribe a feed accounts own, on their servers first (every account that
    follows it: one left would bring it back), then locally; returns how many of its
    articles were removed (starred, edited and downloaded ones stay: store/keep.py).  None when no account owns the feed
    (the caller removes it as a local feed); :class:`AccountError` when a server
    refuses or cannot be reached (nothing changes locally then: the next sync would
    bring the feed back otherwise)."""
    store = SyncStore(library)
    owners = store.feed_owners(feed_id)
    if not owners:
        return None
    for account, stream_id in owners:
        try:
            async with _client(account, transport) as c:
                await c.login(account.username, _password(account))
                await c.unsubscribe(stream_id)
        except GReaderError as exc:
            raise AccountError(str(exc)) from None
    feed = library.feed(feed_id)
    return (library.remove_feed(feed.url) or 0) if feed is not None else 0


async def subscribe_feed(
    library: Library,
    account: Account,
    url: str,
    *,
    folder: str = "",
    title: str = "",
    transport: Any = None,
    executor: Executor | None = None,
) -> SyncReport:
    """Subscribe ``account`` to the feed at ``url`` on its server (which fetches
    it), then sync the account so the feed and its items arrive here.
    :class:`AccountError` when the server refuses or cannot be reached."""
    try:
        feed_url = str(check_url(url))
    except Exception as exc:
        raise AccountError(f"{account.name}: {exc}") from None
    password = _password(account)
    try:
        async with _client(account, transport) as c:
            await c.login(account.username, password)
            stream = await c.subscribe(feed_url, title=title, folder=folder)
    except GReaderError as exc:
        raise AccountError(str(exc)) from None
    if not stream:
        raise AccountError(
            f"{account.name}: the server did not list {feed_url} after subscribing "
            "(not a feed it could read?)"
        )
    return await sync_account(
        library, account, password, transport=transport, executor=executor, app=_app(account)
    )
