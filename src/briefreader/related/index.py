"""The related index in the library: its tables and triggers (migration 3), the
term lookup, and incremental indexing of the queued articles under their signatures."""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from operator import mul
from typing import TYPE_CHECKING
from urllib.parse import quote

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
    "TermCache",
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


#: Articles indexed together: their document frequencies are counted, and their
#: signatures chosen, against the index as it stood before them plus the batch.
BATCH = 2000
#: The most terms a bulk run keeps in its cache (~150 bytes each).
TERM_CACHE_MAX = 1_000_000


def index_pending(
    db: sqlite3.Connection,
    *,
    docs: Sequence[int] | None = None,
    limit: int | None = None,
    terms: TermCache | None = None,
    executor: Executor | None = None,
) -> int:
    """Index queued articles (all, those of ``docs``, or the first ``limit``).

    Runs inside the caller's write transaction.  Returns how many were indexed.
    ``terms`` is a term cache kept across calls of one bulk run (the ids and
    document frequencies the index holds, kept current as batches are indexed;
    only valid while nothing else writes the index): a batch then looks up only
    the terms it has not seen before.  ``executor`` (a process pool) reads the
    articles' terms (:func:`doc_terms`, the most of the work) while this process
    writes the batches before: the index is the same either way.
    """
    if docs is not None:
        todo: list[int] = []
        for start in range(0, len(docs), CHUNK):
            chunk = [int(d) for d in docs[start : start + CHUNK]]
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
    batches = [todo[start : start + BATCH] for start in range(0, len(todo), BATCH)]
    pending: list[list[Future[Chosen]]] = []
    if executor is not None and len(batches) > 1:
        path = _file_of(db)
        if path:  # the workers read the articles from the file themselves
            pending = [
                [
                    executor.submit(doc_chunk_of, path, batch[start : start + CHUNK])
                    for start in range(0, len(batch), CHUNK)
                ]
                for batch in batches
            ]
        else:
            pending = [
                [executor.submit(doc_chunk, rows) for rows in _read_docs(db, batch)]
                for batch in batches
            ]
    indexed = 0
    # The frequencies are counted in the cache and written once, at the end (a term
    # seen in every batch of a step is written once, not once a batch).
    cache: TermCache = {} if terms is None else terms
    fresh: set[str] = set()  # new terms, not yet in the file
    dirty: set[str] = set()  # known terms whose frequency rose
    for i, batch in enumerate(batches):
        if len(cache) > TERM_CACHE_MAX:
            _write_terms(db, cache, fresh, dirty)
            cache.clear()
        batch_df: Counter[str] | None = None
        if pending:
            chosen = [f.result() for f in pending[i]]
            per_doc = [d for _, docs in chosen for d in docs]
            batch_df = chosen[0][0]
            for counts, _ in chosen[1:]:
                batch_df.update(counts)
            if len(per_doc) != len(batch):  # not committed when the workers read
                per_doc = [d for rows in _read_docs(db, batch) for d in doc_terms(rows)]
                batch_df = None
        else:
            per_doc = [d for rows in _read_docs(db, batch) for d in doc_terms(rows)]
        indexed += _index_docs(db, batch, per_doc, cache, fresh, dirty, batch_df)
    _write_terms(db, cache, fresh, dirty)
    return indexed


def _write_terms(
    db: sqlite3.Connection, cache: TermCache, fresh: set[str], dirty: set[str]
) -> None:
    """Write the new terms and the risen frequencies the cache holds (in key order:
    neighbouring rows share pages)."""
    db.executemany(
        "INSERT INTO related_terms(term, id, df) VALUES (?, ?, ?)",
        [(t, *cache[t]) for t in sorted(fresh)],
    )
    db.executemany(
        "UPDATE related_terms SET df = ? WHERE term = ?",
        [(cache[t][1], t) for t in sorted(dirty - fresh)],
    )
    fresh.clear()
    dirty.clear()


class _Quant(dict[float, int]):
    """A term's weight -> its posting weight, ``min(255, round(w × 32))`` (weights
    come from a short table: computed once each)."""

    def __missing__(self, w: float) -> int:
        q = min(255, round(w * 32))
        if len(self) < 100_000:
            self[w] = q
        return q


_QUANT = _Quant()

#: An article's rowid, its terms weighing more than 1 (found more than once, or a
#: name) with their weights, and the rest (each of weight 1) as one string, separated
#: by spaces (see doc_terms).
DocTerms = tuple[int, dict[str, float], str]
#: What :func:`doc_terms` reads of an article: rowid, title, dek, takeaways, body.
DocText = tuple[int, str, str, str, str]


def _read_docs(db: sqlite3.Connection, docs: list[int]) -> list[list[DocText]]:
    """The text the index reads of these articles, :data:`CHUNK` at a time."""
    parts: list[list[DocText]] = []
    for start in range(0, len(docs), CHUNK):
        chunk = docs[start : start + CHUNK]
        marks = ",".join("?" * len(chunk))
        parts.append(
            db.execute(
                f"SELECT rowid, title, summary, {_TAKEAWAYS}, substr(body, 1, {BODY_CHARS}) "
                f"FROM articles WHERE rowid IN ({marks})",
                chunk,
            ).fetchall()
        )
    return parts


def doc_terms(rows: list[DocText]) -> list[DocTerms]:
    """Each article's index terms, names weighted up (pure: runs in worker processes).

    The terms weighing more than 1 come as a dict: the signature is nearly always
    among them (see _index_docs).  The others all weigh 1 and are one string: a
    worker's answer then carries a third of the dict entries (unpickling two thirds
    of ~160 strings an article was the writer's cost), and the writer splits the
    string only for an article whose signature needs them."""
    out: list[DocTerms] = []
    for rowid, title, summary, takeaways, body in rows:
        terms = index_terms(title, summary, takeaways, body)
        for name in name_terms(summary + "\n" + takeaways + "\n" + body, terms):
            terms[name] *= NAME_BOOST  # (a story's names make its signature)
        heavy = {t: w for t, w in terms.items() if w > 1.0}
        light = " ".join(t for t, w in terms.items() if w <= 1.0) if len(heavy) < len(terms) else ""
        out.append((rowid, heavy, light))
    return out


def _all_terms(per_doc: Iterable[DocTerms]) -> Iterator[str]:
    """Every term of these articles, once an article each."""
    for _, heavy, light in per_doc:
        yield from heavy
        if light:
            yield from light.split(" ")


#: A worker's answer for a chunk of articles: its terms' document frequencies
#: within the chunk, and each article's weighted terms.
Chosen = tuple[Counter[str], list[DocTerms]]


_READERS: dict[str, sqlite3.Connection] = {}


def doc_chunk_of(path: str, docs: list[int]) -> Chosen:
    """:func:`doc_chunk` of these articles, read from the library file (a worker's
    read-only connection, kept for the next chunk: it reads what was committed)."""
    db = _READERS.get(path)
    if db is None:
        for old in _READERS.values():  # (another library's: this worker moved on)
            old.close()
        _READERS.clear()
        db = _READERS[path] = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    return doc_chunk([row for part in _read_docs(db, docs) for row in part])


def _file_of(db: sqlite3.Connection) -> str:
    """The library's file ('' for one in memory)."""
    for _, name, file in db.execute("PRAGMA database_list"):
        if name == "main":
            return str(file or "")
    return ""


def doc_chunk(rows: list[DocText]) -> Chosen:
    """:func:`doc_terms` for a worker, with the chunk's frequencies counted there
    (the writer adds four chunks' counts instead of counting a batch's terms)."""
    per_doc = doc_terms(rows)
    return Counter(_all_terms(per_doc)), per_doc


def _index_docs(
    db: sqlite3.Connection,
    docs: list[int],
    per_doc: list[DocTerms],
    cache: TermCache,
    fresh: set[str],
    dirty: set[str],
    batch_df: Counter[str] | None = None,
) -> int:
    old: list[tuple[int, str]] = []
    for start in range(0, len(docs), CHUNK):
        chunk = docs[start : start + CHUNK]
        marks = ",".join("?" * len(chunk))
        old += db.execute(f"SELECT doc, terms FROM related_docs WHERE doc IN ({marks})", chunk)
    if old:  # re-indexing edited articles: drop their old postings (their story stays)
        db.executemany(
            "DELETE FROM related_postings WHERE term = ? AND doc = ?",
            [(t, doc) for doc, terms in old for t in json.loads(terms)],
        )
    if batch_df is None:
        batch_df = Counter(_all_terms(per_doc))
    known = lookup(db, batch_df, cache)
    next_id = meta(db, "next_term")
    ids: dict[str, int] = {}
    for t, n in batch_df.items():
        v = known.get(t)
        if v is None:
            ids[t] = next_id
            cache[t] = (next_id, n)
            fresh.add(t)
            next_id += 1
        else:
            ids[t] = v[0]
            cache[t] = (v[0], v[1] + n)
    dirty.update(known)
    set_meta(db, "next_term", next_id)
    n_docs = meta(db, "docs") + len(per_doc)
    set_meta(db, "docs", n_docs)
    log_n = math.log(n_docs + 1.0)
    idf = {t: log_n - math.log(cache[t][1] + 0.5) for t in batch_df}
    postings: list[tuple[int, int, int]] = []
    doc_rows: list[tuple[int, str]] = []
    idf_of = idf.__getitem__
    quant = _QUANT
    # No term scores more than this: its frequency is at least 1 once its batch counts.
    idf_max = log_n - math.log(1.5)
    for rowid, terms, light in per_doc:
        # The SIGNATURE_SIZE best by w² × idf, ties by term (sorted's order).  Among
        # the terms weighing more than 1 first (a third of them): when their
        # SIGNATURE_SIZE-th best outscores any term of weight 1 (≤ idf_max), those
        # cannot be chosen and are not scored (98% of articles).  Then the cut is
        # found among the scores and only the terms that reach it are sorted.
        cut = 0.0
        ts, ws = list(terms), list(terms.values())
        if len(ts) >= SIGNATURE_SIZE and light:
            scores = list(map(mul, map(mul, ws, ws), map(idf_of, ts)))
            cut = sorted(scores, reverse=True)[SIGNATURE_SIZE - 1]
        if cut <= idf_max:
            if light:
                ones = light.split(" ")
                ts += ones
                ws += [1.0] * len(ones)
            scores = list(map(mul, map(mul, ws, ws), map(idf_of, ts)))
            if len(scores) > SIGNATURE_SIZE:
                cut = sorted(scores, reverse=True)[SIGNATURE_SIZE - 1]
        if len(scores) > SIGNATURE_SIZE:
            pairs = [(x, t) for x, t in zip(scores, ts, strict=True) if x >= cut]
        else:
            pairs = list(zip(scores, ts, strict=True))
        top = sorted(pairs, reverse=True)[:SIGNATURE_SIZE]
        sig = [ids[t] for _, t in top]
        postings += [
            (i, rowid, quant[terms.get(t, 1.0)]) for i, (_, t) in zip(sig, top, strict=True)
        ]
        doc_rows.append((rowid, "[" + ", ".join(map(str, sig)) + "]"))  # json.dumps's form
    postings.sort()  # in key order: each page of the postings is written once a batch
    _insert_postings(db, postings)
    db.executemany(
        "INSERT INTO related_docs(doc, terms) VALUES (?, ?) "
        "ON CONFLICT(doc) DO UPDATE SET terms = excluded.terms",
        doc_rows,
    )
    for start in range(0, len(docs), CHUNK):
        chunk = docs[start : start + CHUNK]
        db.execute(
            f"DELETE FROM related_pending WHERE doc IN ({','.join('?' * len(chunk))})", chunk
        )
    return len(per_doc)


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
