"""The related index in the library: its tables and triggers (migration 3), the
term lookup, and incremental indexing of the queued articles under their signatures."""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
import threading
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, filterfalse, repeat
from operator import add, ge, gt, itemgetter, mul, sub
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

try:  # (the C counter Counter() uses: counts a dict's keys with no Python loop)
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover

    def _count_elements(counts: dict[str, int], iterable: Iterable[str]) -> None:
        for t in iterable:
            counts[t] = counts.get(t, 0) + 1


from briefreader.related.terms import BODY_CHARS, NAME_BOOST, index_terms, name_terms, term_set

if TYPE_CHECKING:  # concurrent.futures costs ~40 ms to import (logging, threading)
    from concurrent.futures import Executor, Future

__all__ = [
    "A_TAKEAWAYS",
    "CHUNK",
    "FORGET_MIGRATION_SQL",
    "MIGRATION_SQL",
    "RESET",
    "SIGNATURE_SIZE",
    "IdfMemo",
    "TermCache",
    "TermTable",
    "forget_gone",
    "gone_count",
    "index_pending",
    "indexed_count",
    "lookup",
    "meta",
    "pending_count",
    "set_meta",
]

#: Terms an article is indexed under.
SIGNATURE_SIZE = 20

#: Migration 3: the index tables and the triggers that keep it in step.
MIGRATION_SQL = """
CREATE TABLE related_meta (
    key    TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO related_meta(key, value) VALUES ('docs', 0), ('next_term', 1), ('next_story', 1);
CREATE TABLE related_terms (
    term  TEXT PRIMARY KEY,
    id    INTEGER NOT NULL,
    df    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE related_postings (
    term  INTEGER NOT NULL,
    doc   INTEGER NOT NULL,
    w     INTEGER NOT NULL,
    PRIMARY KEY (term, doc)
) WITHOUT ROWID;
CREATE TABLE related_docs (
    doc    INTEGER PRIMARY KEY,
    terms  TEXT NOT NULL,
    story  INTEGER
);
CREATE INDEX related_docs_by_story ON related_docs(story) WHERE story IS NOT NULL;
CREATE TABLE related_pending (
    doc  INTEGER PRIMARY KEY
);
INSERT INTO related_pending(doc) SELECT rowid FROM articles;
CREATE TRIGGER related_queue_insert AFTER INSERT ON articles BEGIN
    INSERT OR IGNORE INTO related_pending(doc) VALUES (new.rowid);
END;
CREATE TRIGGER related_queue_update AFTER UPDATE OF title, summary, takeaways, body ON articles
BEGIN
    INSERT OR IGNORE INTO related_pending(doc) VALUES (new.rowid);
END;
CREATE TRIGGER related_forget AFTER DELETE ON articles BEGIN
    DELETE FROM related_postings WHERE doc = old.rowid AND term IN (
        SELECT value FROM json_each((SELECT terms FROM related_docs WHERE doc = old.rowid)));
    DELETE FROM related_docs WHERE doc = old.rowid;
    DELETE FROM related_pending WHERE doc = old.rowid;
END;
"""

#: What the index's tables are filled with when they are made again (store/repair.py):
#: nothing indexed yet, every article queued.
RESET = (
    "INSERT INTO related_meta(key, value) VALUES ('docs', 0), ('next_term', 1), ('next_story', 1)",
    # (term ids start again: a reader's term cache of the index before is dropped)
    "INSERT INTO related_meta(key, value) VALUES ('generation', abs(random()))",
    "INSERT INTO related_pending(doc) SELECT rowid FROM articles",
)

#: Migration 12 -> 13: what a deleted article, or the old version of an edited one,
#: added to the document frequencies is taken off again.  The triggers keep the text
#: the index read of an indexed article (not one still queued: it counted nothing)
#: in ``related_gone`` as it goes; :func:`forget_gone` takes its terms off the
#: frequencies and the document count later (a few tens of µs an article, in the
#: background), so a delete stays a few SQL statements.  An update whose text is the
#: same (an upsert rewrites every column; a feed's changed markup alone changes the
#: content hash) neither keeps nor queues anything.
FORGET_MIGRATION_SQL = """
CREATE TABLE IF NOT EXISTS related_gone (
    id         INTEGER PRIMARY KEY,
    title      TEXT,
    summary    TEXT,
    takeaways  TEXT,
    body       TEXT
);
DROP TRIGGER IF EXISTS related_forget;
CREATE TRIGGER related_forget AFTER DELETE ON articles BEGIN
    {keep}
    DELETE FROM related_postings WHERE doc = old.rowid AND term IN (
        SELECT value FROM json_each((SELECT terms FROM related_docs WHERE doc = old.rowid)));
    DELETE FROM related_docs WHERE doc = old.rowid;
    DELETE FROM related_pending WHERE doc = old.rowid;
END;
DROP TRIGGER IF EXISTS related_queue_update;
CREATE TRIGGER related_queue_update AFTER UPDATE OF title, summary, takeaways, body ON articles
WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary
    OR old.takeaways IS NOT new.takeaways OR old.body IS NOT new.body
    OR old.takeaways_derived IS NOT new.takeaways_derived
BEGIN
    {keep}
    INSERT INTO related_pending(doc) SELECT new.rowid
    WHERE NOT EXISTS (SELECT 1 FROM related_pending WHERE doc = new.rowid);
END;
""".replace(
    "{keep}",
    "INSERT INTO related_gone(title, summary, takeaways, body) "
    "SELECT old.title, old.summary, "
    "CASE WHEN old.takeaways_derived THEN '' ELSE old.takeaways END, "
    f"substr(old.body, 1, {BODY_CHARS}) "
    "WHERE EXISTS (SELECT 1 FROM related_docs WHERE doc = old.rowid) "
    "AND NOT EXISTS (SELECT 1 FROM related_pending WHERE doc = old.rowid);",
)

CHUNK = 500
# Authored takeaways only: derived ones repeat the body.
_TAKEAWAYS = "CASE WHEN takeaways_derived THEN '' ELSE takeaways END"
A_TAKEAWAYS = "CASE WHEN a.takeaways_derived THEN '' ELSE a.takeaways END"


def meta(db: sqlite3.Connection, key: str) -> int:
    """A counter of the index (``docs``, ``next_term``, ``next_story``)."""
    row = db.execute("SELECT value FROM related_meta WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else 0


def set_meta(db: sqlite3.Connection, key: str, value: int) -> None:
    db.execute(
        "INSERT INTO related_meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


TermCache = dict[str, tuple[int, int]]


@dataclass(slots=True)
class IdfMemo:
    """The idf of terms a :data:`TermCache` holds, for one document count: kept
    beside the cache (and dropped with it), it spares the sidebar looking up and
    weighing again the ~3,000 terms of its candidates, which mostly recur."""

    n_docs: int = 0
    idf: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


def lookup(
    db: sqlite3.Connection, terms: Iterable[str], cache: TermCache | None = None
) -> TermCache:
    """``{term: (id, df)}`` for the terms the index knows (``cache`` first)."""
    found: TermCache = {}
    wanted: list[str] = []
    if cache:
        for t in terms:
            v = cache.get(t)
            if v is None:
                wanted.append(t)
            else:
                found[t] = v
    else:
        wanted = list(terms)
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            f"SELECT term, id, df FROM related_terms WHERE term IN ({marks})", chunk
        ).fetchall()
        for term, term_id, df in rows:
            found[term] = (term_id, df)
        if cache is not None:
            cache.update((term, (term_id, df)) for term, term_id, df in rows)
    return found


def indexed_count(db: sqlite3.Connection) -> int:
    """How many articles have been indexed (ever: the document-frequency base)."""
    return meta(db, "docs")


def pending_count(db: sqlite3.Connection) -> int:
    """How many articles wait to be indexed."""
    return int(db.execute("SELECT count(*) FROM related_pending").fetchone()[0])


def gone_count(db: sqlite3.Connection) -> int:
    """How many deleted (or edited) articles' terms wait to be taken off the
    document frequencies (0 before schema 13)."""
    try:
        return int(db.execute("SELECT count(*) FROM related_gone").fetchone()[0])
    except sqlite3.OperationalError:  # no such table: an older (read-only) library
        return 0


def forget_gone(
    db: sqlite3.Connection, *, limit: int | None = None, terms: TermCache | None = None
) -> int:
    """Take the terms of deleted articles (and of edited ones' old versions) off the
    document frequencies and the document count; returns how many articles.

    Runs inside the caller's write transaction; ``terms`` is a bulk run's term cache
    (see :func:`index_pending`), kept current.  The ids stay (postings never name a
    term that is gone: a deleted article's postings went with it)."""
    sql = "SELECT id, title, summary, takeaways, body FROM related_gone ORDER BY id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = db.execute(sql).fetchall()
    if not rows:
        return 0
    counts = Counter(
        itertools.chain.from_iterable(
            term_set(title or "", summary or "", takeaways or "", body or "")
            for _, title, summary, takeaways, body in rows
        )
    )
    known = lookup(db, counts, terms)
    lower = sorted((t, max(0, known[t][1] - n)) for t, n in counts.items() if t in known)
    db.executemany("UPDATE related_terms SET df = ? WHERE term = ?", [(df, t) for t, df in lower])
    if terms is not None:
        for t, df in lower:
            terms[t] = (known[t][0], df)
    set_meta(db, "docs", max(0, meta(db, "docs") - len(rows)))
    set_meta(db, "forgotten", meta(db, "forgotten") + len(rows))
    db.execute("DELETE FROM related_gone WHERE id <= ?", (rows[-1][0],))
    return len(rows)


#: Articles signed together (a worker's task, and one sorted write of postings).  Each
#: batch's signatures are chosen against the index as it stood when the write step
#: began plus the batch's own counts (see :func:`sign_docs`): the batches of a step do
#: not wait for one another, so worker processes sign them while this process writes
#: the ones before.
BATCH = 2000
#: The most terms a bulk run keeps in its cache (~200 bytes each).
TERM_CACHE_MAX = 1_000_000


def _index_state(db: sqlite3.Connection) -> tuple[tuple[str, int], ...]:
    """The counters every change of the index's frequencies moves (indexing: docs and
    next_term; forgetting: forgotten; a rebuild: generation)."""
    return tuple(
        db.execute(
            "SELECT key, value FROM related_meta "
            "WHERE key IN ('docs', 'forgotten', 'next_term', 'generation') ORDER BY key"
        ).fetchall()
    )


class TermTable:
    """The term ids and document frequencies a bulk run has read or written, kept
    current as its batches are indexed (only valid while nothing else writes the
    index).  Two dicts, so that a batch's counts are added with no Python loop."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.df: dict[str, int] = {}
        self._state: tuple[tuple[str, int], ...] = ()

    def check(self, db: sqlite3.Connection) -> None:
        """Forget everything if the index changed since :meth:`seen` (another process
        indexed or forgot articles between two steps: the document count alone can
        come back to where it was)."""
        if self._state != _index_state(db):
            self.clear()

    def seen(self, db: sqlite3.Connection) -> None:
        """The index as this table now knows it (after a step's writes)."""
        self._state = _index_state(db)

    def __len__(self) -> int:
        return len(self.ids)

    def clear(self) -> None:
        self.ids.clear()
        self.df.clear()
        self._state = ()

    def read(self, db: sqlite3.Connection, terms: list[str]) -> None:
        """Read from the file those of ``terms`` the table lacks and the index has."""
        for term, (term_id, df) in lookup(db, filterfalse(self.ids.__contains__, terms)).items():
            self.ids[term] = term_id
            self.df[term] = df


def index_pending(
    db: sqlite3.Connection,
    *,
    docs: Sequence[int] | None = None,
    limit: int | None = None,
    terms: TermTable | None = None,
    executor: Executor | None = None,
) -> int:
    """Index queued articles (all, those of ``docs``, or the first ``limit``).

    Runs inside the caller's write transaction (a *write step*).  Returns how many
    were indexed.  Each article's signature is chosen against the document
    frequencies the index held when this call began, plus those of its own batch of
    :data:`BATCH` (:func:`sign_docs`); the frequencies the index keeps count every
    article.  ``terms`` is a bulk run's :class:`TermTable`, kept across its steps: a
    batch then looks up only the terms it has not seen before.  ``executor`` (a
    process pool) reads and signs the batches (:func:`sign_docs_of`, the most of the
    work) while this process writes the ones before: the index is the same either way.
    """
    if docs is not None:
        todo: list[int] = []
        for begin in range(0, len(docs), CHUNK):
            chunk = [int(d) for d in docs[begin : begin + CHUNK]]
            marks = ",".join("?" * len(chunk))
            todo += [
                r[0]
                for r in db.execute(
                    f"SELECT doc FROM related_pending WHERE doc IN ({marks})", chunk
                )
            ]
    else:
        sql = "SELECT doc FROM related_pending ORDER BY doc"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        todo = [r[0] for r in db.execute(sql)]
    batches = [todo[begin : begin + BATCH] for begin in range(0, len(todo), BATCH)]
    table = TermTable() if terms is None else terms
    table.check(db)
    if len(table) > TERM_CACHE_MAX:
        table.clear()
    n_docs = meta(db, "docs")  # (the workers read it, and the frequencies, as committed)
    path = _file_of(db) if executor is not None and len(batches) > 1 else ""
    pending: list[Future[Signed]] = []
    if executor is not None and path:
        pending = [executor.submit(sign_docs_of, path, batch) for batch in batches]
    # The frequencies at this call's start of the terms its batches counted (the
    # table has them as they are now): what a batch signed here reads, as a worker.
    at_start: dict[str, int] = {}

    def known_df(batch_terms: list[str]) -> dict[str, int]:
        table.read(db, batch_terms)
        df = table.df
        return {t: at_start[t] if t in at_start else df[t] for t in batch_terms if t in df}

    indexed = 0
    # The frequencies are counted in the table and written once, at the end (a term
    # seen in every batch of a step is written once, not once a batch).
    fresh: set[str] = set()  # new terms, not yet in the file
    dirty: set[str] = set()  # terms whose frequency rose
    for i, batch in enumerate(batches):
        signed = pending[i].result() if pending else None
        if signed is None or len(signed.rowids) != len(batch):  # (not committed when read)
            rows = [row for part in _read_docs(db, batch) for row in part]
            signed = sign_docs(rows, n_docs, known_df)
        indexed += _index_docs(db, batch, signed, table, at_start, fresh, dirty)
    _write_terms(db, table, fresh, dirty)
    table.seen(db)
    return indexed


def _write_terms(
    db: sqlite3.Connection, table: TermTable, fresh: set[str], dirty: set[str]
) -> None:
    """Write the new terms and the risen frequencies (in key order: neighbouring rows
    share pages)."""
    ids, df = table.ids, table.df
    db.executemany(
        "INSERT INTO related_terms(term, id, df) VALUES (?, ?, ?)",
        [(t, ids[t], df[t]) for t in sorted(fresh)],
    )
    db.executemany(
        "UPDATE related_terms SET df = ? WHERE term = ?",
        [(df[t], t) for t in sorted(dirty - fresh)],
    )


class _Quant(dict[float, int]):
    """A term's weight -> its posting weight, ``min(255, round(w × 32))`` (weights
    come from a short table: computed once each)."""

    def __missing__(self, w: float) -> int:
        q = min(255, round(w * 32))
        if len(self) < 100_000:
            self[w] = q
        return q


_QUANT = _Quant()

#: What :func:`sign_docs` reads of an article: rowid, title, dek, takeaways, body.
DocText = tuple[int, str, str, str, str]


class Signed(NamedTuple):
    """A signed batch, in flat arrays (a worker's answer: few objects to unpickle)."""

    #: The batch's terms, each once, and how many of its articles have each.
    terms: list[str]
    counts: list[int]
    #: The articles, and how many terms each one's signature has (SIGNATURE_SIZE,
    #: fewer for an article of few words).
    rowids: list[int]
    sizes: bytes
    #: The signatures one after another, best term first: each term as its place in
    #: ``terms`` (an array of unsigned ints), with its posting weight (a byte each).
    signatures: bytes
    weights: bytes


def _read_docs(db: sqlite3.Connection, docs: list[int]) -> list[list[DocText]]:
    """The text the index reads of these articles, :data:`CHUNK` at a time."""
    parts: list[list[DocText]] = []
    for begin in range(0, len(docs), CHUNK):
        chunk = docs[begin : begin + CHUNK]
        marks = ",".join("?" * len(chunk))
        parts.append(
            db.execute(
                f"SELECT rowid, title, summary, {_TAKEAWAYS}, substr(body, 1, {BODY_CHARS}) "
                f"FROM articles WHERE rowid IN ({marks})",
                chunk,
            ).fetchall()
        )
    return parts


def sign_docs(
    rows: list[DocText], n_docs: int, known_df: Callable[[list[str]], dict[str, int]]
) -> Signed:
    """Each article's signature: its :data:`SIGNATURE_SIZE` best terms by w² × idf
    (ties by term), names weighted up (pure: runs in worker processes).

    The idf counts ``n_docs`` articles and the frequencies ``known_df`` gives (those
    the index held when the write step began, for the terms it knows), plus the
    articles of ``rows`` themselves."""
    per_doc: list[dict[str, float]] = []
    counts: Counter[str] = Counter()
    for _, title, summary, takeaways, body in rows:
        terms = index_terms(title, summary, takeaways, body)
        for name in name_terms(summary + "\n" + takeaways + "\n" + body, terms):
            terms[name] *= NAME_BOOST  # (a story's names make its signature)
        per_doc.append(terms)
        _count_elements(counts, terms)
    keys = list(counts)
    known = known_df(keys)
    log_n = math.log(n_docs + len(rows) + 1.0)
    dfs = map(add, map(known.get, keys, repeat(0)), counts.values())
    idf_of = dict(
        zip(keys, map(sub, repeat(log_n), map(math.log, map(add, dfs, repeat(0.5)))), strict=True)
    ).__getitem__
    place = dict(zip(keys, range(len(keys)), strict=True)).__getitem__
    quant = _QUANT.__getitem__
    second = itemgetter(1)
    sizes = bytearray()
    signatures = array("I")
    weights = bytearray()
    # No term of weight 1 (said once, in the body only) scores more than this: its
    # frequency is at least 1 once its batch counts.
    idf_max = log_n - math.log(1.5)
    for terms in per_doc:
        # The terms weighing more than 1 first (a third of them): when their
        # SIGNATURE_SIZE-th best outscores any term of weight 1, those cannot be chosen
        # and are not scored (nearly every article).  Then only the terms that reach
        # the cut are sorted.
        ts = list(compress(terms, map(gt, terms.values(), repeat(1.0))))
        ws = list(map(terms.__getitem__, ts))
        scores = list(map(mul, map(mul, ws, ws), map(idf_of, ts)))
        cut = sorted(scores, reverse=True)[SIGNATURE_SIZE - 1] if len(ts) >= SIGNATURE_SIZE else 0.0
        if cut <= idf_max and len(ts) < len(terms):
            ts = list(terms)
            ws = list(terms.values())
            scores = list(map(mul, map(mul, ws, ws), map(idf_of, ts)))
            if len(scores) > SIGNATURE_SIZE:
                cut = sorted(scores, reverse=True)[SIGNATURE_SIZE - 1]
        if len(scores) > SIGNATURE_SIZE:
            pairs = list(compress(zip(scores, ts, strict=True), map(ge, scores, repeat(cut))))
        else:
            pairs = list(zip(scores, ts, strict=True))
        pairs.sort(reverse=True)
        sig = list(map(second, pairs[:SIGNATURE_SIZE]))
        sizes.append(len(sig))
        signatures.extend(map(place, sig))
        weights += bytes(map(quant, map(terms.__getitem__, sig)))
    return Signed(
        keys,
        list(counts.values()),
        [row[0] for row in rows],
        bytes(sizes),
        signatures.tobytes(),
        bytes(weights),
    )


_READERS: dict[str, sqlite3.Connection] = {}
#: A worker's frequencies of the index as last committed: (data version, {term: df}).
_KNOWN: dict[str, tuple[int, dict[str, int]]] = {}
_KNOWN_MAX = 2_000_000


def sign_docs_of(path: str, docs: list[int]) -> Signed:
    """:func:`sign_docs` of these articles, read from the library file with the index
    as last committed (a worker's read-only connection, kept for the next batch, and
    the frequencies it read, kept while nothing is committed)."""
    db = _READERS.get(path)
    if db is None:
        for old in _READERS.values():  # (another library's: this worker moved on)
            old.close()
        _READERS.clear()
        _KNOWN.clear()
        db = _READERS[path] = sqlite3.connect(
            f"file:{quote(path)}?mode=ro", uri=True, isolation_level=None
        )
    db.execute("BEGIN")  # one snapshot: the articles, the count and the frequencies
    try:
        n_docs = meta(db, "docs")  # (the snapshot begins with this read)
        version = int(db.execute("PRAGMA data_version").fetchone()[0])
        held = _KNOWN.get(path)
        if held is None or held[0] != version or len(held[1]) > _KNOWN_MAX:
            held = _KNOWN[path] = (version, {})
        known = held[1]

        def known_df(batch_terms: list[str]) -> dict[str, int]:
            wanted = list(filterfalse(known.__contains__, batch_terms))
            known.update(dict.fromkeys(wanted, 0))  # (0: not in the index: asked once)
            known.update((t, v[1]) for t, v in lookup(db, wanted).items())
            return known

        rows = [row for part in _read_docs(db, docs) for row in part]
        return sign_docs(rows, n_docs, known_df)
    finally:
        if db.in_transaction:  # (SQLite may have ended it after an error: that error shows)
            db.execute("COMMIT")


def _file_of(db: sqlite3.Connection) -> str:
    """The library's file ('' for one in memory)."""
    for _, name, file in db.execute("PRAGMA database_list"):
        if name == "main":
            return str(file or "")
    return ""


def _index_docs(
    db: sqlite3.Connection,
    docs: list[int],
    signed: Signed,
    table: TermTable,
    at_start: dict[str, int],
    fresh: set[str],
    dirty: set[str],
) -> int:
    old: list[tuple[int, str]] = []
    for begin in range(0, len(docs), CHUNK):
        chunk = docs[begin : begin + CHUNK]
        marks = ",".join("?" * len(chunk))
        old += db.execute(f"SELECT doc, terms FROM related_docs WHERE doc IN ({marks})", chunk)
    if old:  # re-indexing edited articles: drop their old postings (their story stays)
        db.executemany(
            "DELETE FROM related_postings WHERE term = ? AND doc = ?",
            [(t, doc) for doc, terms in old for t in json.loads(terms)],
        )
    keys = signed.terms
    table.read(db, keys)
    ids, df = table.ids, table.df
    new = list(filterfalse(ids.__contains__, keys))
    next_id = meta(db, "next_term")
    ids.update(zip(new, range(next_id, next_id + len(new)), strict=True))
    df.update(zip(new, repeat(0)))
    fresh.update(new)
    set_meta(db, "next_term", next_id + len(new))
    # (each term's frequency as the call began, before this batch adds its counts)
    first = list(filterfalse(at_start.__contains__, keys))
    at_start.update(zip(first, map(df.__getitem__, first), strict=True))
    df.update(zip(keys, map(add, map(df.__getitem__, keys), signed.counts), strict=True))
    dirty.update(keys)
    set_meta(db, "docs", meta(db, "docs") + len(signed.rowids))
    key_ids = list(map(ids.__getitem__, keys))
    term_ids = list(map(key_ids.__getitem__, array("I", signed.signatures)))
    owners = list(chain.from_iterable(map(repeat, signed.rowids, signed.sizes)))
    postings = sorted(zip(term_ids, owners, signed.weights, strict=True))
    _insert_postings(db, postings)  # (in key order: each page written once a batch)
    doc_rows: list[tuple[int, str]] = []
    end = 0
    for rowid, size in zip(signed.rowids, signed.sizes, strict=True):
        begin, end = end, end + size
        doc_rows.append((rowid, "[" + ", ".join(map(str, term_ids[begin:end])) + "]"))
    db.executemany(
        "INSERT INTO related_docs(doc, terms) VALUES (?, ?) "
        "ON CONFLICT(doc) DO UPDATE SET terms = excluded.terms",
        doc_rows,
    )
    for begin in range(0, len(docs), CHUNK):
        chunk = docs[begin : begin + CHUNK]
        db.execute(
            f"DELETE FROM related_pending WHERE doc IN ({','.join('?' * len(chunk))})", chunk
        )
    return len(signed.rowids)


#: Postings written by one INSERT statement: one statement of many rows costs ~40%
#: less a row than a statement run once a row.
POSTINGS_ROWS = 128
_POSTINGS_SQL = "INSERT OR REPLACE INTO related_postings(term, doc, w) VALUES "


def _insert_postings(db: sqlite3.Connection, postings: list[tuple[int, int, int]]) -> None:
    """Write ``postings`` (in this order), :data:`POSTINGS_ROWS` a statement."""
    n = POSTINGS_ROWS
    whole = len(postings) // n * n
    if whole:
        flat = list(itertools.chain.from_iterable(postings[:whole]))
        width = 3 * n
        db.executemany(
            _POSTINGS_SQL + ",".join(["(?, ?, ?)"] * n),
            [flat[k : k + width] for k in range(0, len(flat), width)],
        )
    db.executemany(_POSTINGS_SQL + "(?, ?, ?)", postings[whole:])
