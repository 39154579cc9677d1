"""Removing an account from the library (``briefreader account remove``), without
losing anything the user had or kept.

* A feed the library followed before the account adopted it (``sync_feeds.adopted_at``)
  goes back to being a local feed: its own articles (those that are not the server's
  copies of its items) stay with their read/star state, its tags
  from before come back (beside the server's folders), and its validators are
  cleared so that the next refresh fetches it whole.  The server's copies of its
  items (articles the sync stored for it) go, as the account's articles do.
* A feed that came with the account goes, with its articles, except those retention
  keeps (store/retention.py): starred ones, ones edited and added back (their
  origin is a path), ones with a downloaded enclosure, samples.  Kept articles stay
  in the library without a feed (as a removed feed's starred articles do).
* A feed another account also follows stays with that account (its adoption passes
  to it); articles that other account's items map to stay.
* Then the account's item map, its queued changes no other account needs, its feeds'
  rows and the account itself go.

Everything is one write transaction: a failure leaves the library as it was.
``dry_run`` counts without writing (what ``account remove`` asks about).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefreader.store.keep import may_go
from briefreader.store.rows import chunks
from briefreader.store.schema import write_transaction
from briefreader.wording import counted

if TYPE_CHECKING:
    from briefreader.store.sync import SyncStore

__all__ = ["Removal", "remove_account"]


@dataclass(frozen=True, slots=True)
class Removal:
    """What removing an account did (or, dry, would do)."""

    feeds_removed: int = 0
    """Feeds that came with the account, gone."""
    feeds_released: int = 0
    """Feeds followed here before the account: local feeds again."""
    feeds_shared: int = 0
    """Feeds another account also follows: left to it."""
    articles_removed: int = 0
    articles_kept: int = 0
    """The account's articles kept: starred, edited, with a download."""
    articles_released: int = 0
    """Articles of the released feeds that stay in them (the feeds' own)."""
    unsent: int = 0
    """Queued read/star changes that were never sent to the server (dropped)."""

    def line(self, *, ahead: bool = False) -> str:
        """What went and what stayed, for ``account remove`` (one line); ``ahead``:
        what would (the question asked before)."""
        go, stay, drop = (
            ("would go", "would stay", "would be dropped")
            if ahead
            else (
                "removed",
                "kept",
                "dropped",
            )
        )
        parts = [
            f"{counted(self.feeds_removed, 'feed')} and {counted(self.articles_removed, 'article')} {go}"
        ]
        if self.articles_kept:
            parts.append(
                f"{counted(self.articles_kept, 'starred, edited or downloaded article')} {stay}"
            )
        if self.feeds_released:
            parts.append(
                f"{counted(self.feeds_released, 'feed')} you followed before it "
                f"{'would stay' if ahead else _stay(self.feeds_released)} as local feeds with their "
                f"{counted(self.articles_released, 'article')}"
            )
        if self.feeds_shared:
            parts.append(
                f"{counted(self.feeds_shared, 'feed')} {'would stay' if ahead else _stay(self.feeds_shared)} "
                "with another account"
            )
        if self.unsent:
            parts.append(f"{counted(self.unsent, 'change')} not yet sent to it {drop}")
        return "; ".join(parts)


def _stay(count: int) -> str:
    return "stays" if count == 1 else "stay"


def remove_account(
    store: SyncStore,
    account_id: int,
    server_copy: Callable[[str, str], str],
    *,
    dry_run: bool = False,
) -> Removal:
    """Remove an account (see the module's docstring).  ``server_copy(feed URL,
    remote id)``: the id of the article the sync stores a server item of that feed
    as (:func:`briefreader.sync.items.server_article_id`)."""
    db = store._db
    if dry_run:
        return _plan(store, account_id, server_copy, write=False)
    with write_transaction(db):
        return _plan(store, account_id, server_copy, write=True)


def _ids(db: object, sql: str, ids: list[str], *args: object) -> set[str]:
    """``sql`` (with ``{marks}`` for ``ids``, then ``args``) over ``ids`` in chunks."""
    found: set[str] = set()
    for chunk, marks in chunks(ids):
        found.update(str(r[0]) for r in db.execute(sql.format(marks=marks), [*chunk, *args]))  # type: ignore[attr-defined]
    return found


def _plan(
    store: SyncStore, account_id: int, server_copy: Callable[[str, str], str], *, write: bool
) -> Removal:
    db = store._db
    feeds = {
        int(r[0]): (r[1], str(r[2]), str(r[3]), str(r[4]), r[5])
        for r in db.execute(
            "SELECT s.feed_id, s.adopted_at, s.local_tags, f.url, f.tags, "
            "(SELECT min(o.account_id) FROM sync_feeds o WHERE o.feed_id = s.feed_id "
            "AND o.account_id != s.account_id) "
            "FROM sync_feeds s JOIN feeds f ON f.id = s.feed_id WHERE s.account_id = ?",
            (account_id,),
        )
    }
    # The account's mapped articles, and which of them are the server's copies.
    mapped: set[str] = set()
    copies: set[str] = set()
    feed_of: dict[str, int | None] = {}  # a mapped article's feed
    for rid, aid, feed_id in db.execute(
        "SELECT s.remote_id, s.article_id, a.feed_id FROM sync_items s "
        "JOIN articles a ON a.id = s.article_id WHERE s.account_id = ?",
        (account_id,),
    ):
        mapped.add(str(aid))
        feed_of[str(aid)] = None if feed_id is None else int(feed_id)
        if feed_id is None:
            copies.add(str(aid))  # (only a server item is stored without a feed)
        elif int(feed_id) in feeds and server_copy(feeds[int(feed_id)][2], str(rid)) == aid:
            copies.add(str(aid))
    others = _ids(
        db,
        "SELECT DISTINCT article_id FROM sync_items WHERE article_id IN ({marks}) "
        "AND account_id != ?",
        sorted(mapped),
        account_id,
    )
    removed_feeds: list[int] = []
    released: dict[int, tuple[str, str]] = {}
    shared: dict[int, tuple[int, float | None, str]] = {}
    doomed: set[str] = set()  # may go (retention's keepers are checked after)
    released_articles = 0
    for feed_id, (adopted_at, local_tags, _url, tags, other) in feeds.items():
        if other is not None:
            shared[feed_id] = (int(other), adopted_at, local_tags)
            continue
        articles = {
            str(r[0]) for r in db.execute("SELECT id FROM articles WHERE feed_id = ?", (feed_id,))
        }
        own = articles - copies - others
        if adopted_at is not None:
            released[feed_id] = (local_tags, tags)
            released_articles += len(own)
            doomed |= articles & copies - others
        else:
            removed_feeds.append(feed_id)
            doomed |= articles - others
    # The account's copies kept in no feed of it (starred items of feeds it no longer
    # lists) and in feeds another account follows.
    doomed |= {a for a in copies - others if a not in doomed and feed_of[a] in (None, *shared)}
    going = sorted(
        _ids(
            db,
            f"SELECT a.id FROM articles a WHERE a.id IN ({{marks}}) AND {may_go(db)}",
            sorted(doomed),
        )
    )
    unsent = int(
        db.execute(
            "SELECT count(*) FROM sync_pending p WHERE EXISTS (SELECT 1 FROM sync_items s "
            "WHERE s.article_id = p.article_id AND s.account_id = ?) AND NOT EXISTS "
            "(SELECT 1 FROM sync_items s WHERE s.article_id = p.article_id "
            "AND s.account_id != ?)",
            (account_id, account_id),
        ).fetchone()[0]
    )
    result = Removal(
        feeds_removed=len(removed_feeds),
        feeds_released=len(released),
        feeds_shared=len(shared),
        articles_removed=len(going),
        articles_kept=len(doomed) - len(going),
        articles_released=released_articles,
        unsent=unsent,
    )
    if not write:
        return result
    for chunk, marks in chunks(going):
        db.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
    for feed_id in removed_feeds:  # (kept articles stay, without a feed)
        db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
    for feed_id, (local_tags, tags) in released.items():
        merged = "\n".join(
            dict.fromkeys(t for t in [*local_tags.split("\n"), *tags.split("\n")] if t)
        )
        db.execute(
            "UPDATE feeds SET tags = ?, etag = NULL, last_modified = NULL WHERE id = ?",
            (merged, feed_id),
        )
    for feed_id, (other, adopted_at, local_tags) in shared.items():
        if adopted_at is not None:  # the other account adopts it from now on
            db.execute(
                "UPDATE sync_feeds SET adopted_at = coalesce(adopted_at, ?), "
                "local_tags = CASE WHEN adopted_at IS NULL THEN ? ELSE local_tags END "
                "WHERE feed_id = ? AND account_id = ?",
                (adopted_at, local_tags, feed_id, other),
            )
    db.execute(
        "DELETE FROM sync_pending WHERE article_id IN (SELECT article_id FROM sync_items "
        "WHERE account_id = ?) AND article_id NOT IN (SELECT article_id FROM sync_items "
        "WHERE account_id != ?)",
        (account_id, account_id),
    )
    db.execute("DELETE FROM sync_items WHERE account_id = ?", (account_id,))
    db.execute("DELETE FROM sync_feeds WHERE account_id = ?", (account_id,))
    db.execute("DELETE FROM sync_accounts WHERE id = ?", (account_id,))
    db.execute("DELETE FROM meta WHERE key = ?", (f"sync_retry_at:{account_id}",))
    return result
