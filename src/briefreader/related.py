"""Related articles: which stored articles are the same story, or its direct follow-up.

Every step looks at a bounded part of an article — its title, dek, takeaways and
the first :data:`BODY_CHARS` characters of its body (news puts the story in the
lead; bounding it bounds the cost per article).

1. **Retrieval** from a small inverted index kept in the library (tables
   ``related_*``, schema 3).  Each article is indexed once, when it arrives, under
   its *signature*: the :data:`SIGNATURE_SIZE` terms that best tell its story,
   chosen by ``tf ** 2 × idf`` (title words count 3×, dek and takeaway words 2×).
   Looking up the target's own best terms reads short posting lists only — a word
   that is everywhere is in few signatures, and a term in more than
   :data:`MAX_DF_SHARE` of the library is not looked up — so retrieval takes a few
   milliseconds at 100,000 articles.
2. **Re-ranking** of the best :data:`CANDIDATES` by a score in 0..1 (see
   :func:`similarity`): mostly *key-term coverage* — how much of each article's
   :data:`KEY_TERMS` best terms the other mentions — plus TF-IDF cosine over all
   terms (names weighted up) and over names alone, faded by distance in time and
   lowered a little for the target's own outlet.  Near-identical copies (one wire
   story in several feeds) are folded into one hit that lists the other sources.
   Hits under :data:`RELATED_MIN` merely share some words and are left out; from
   :data:`SAME_STORY_THRESHOLD` a hit is the *same story*.

Articles that cover the same story are grouped (:func:`assign_stories`): each
article joins the story of its best same-story match, or starts one; the article
list reads the group sizes (:func:`story_sizes`) to show "+3 sources".

Indexing is incremental.  Database triggers queue every inserted or edited article
(``related_pending``) and drop a deleted article's postings; :func:`index_pending`
indexes the queue.  The library indexes small batches as it stores them and leaves
bulk imports to :meth:`briefreader.library.Library.index_related` (run before
ranking, or in the background), so importing thousands of files is not slowed.

Document frequencies are counted as articles are indexed and never decremented
(a deleted article leaves its counts behind, and so does the old version of an
edited one); the document count they are divided by is counted the same way, so
the ratios stay consistent.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "BODY_CHARS",
    "CANDIDATES",
    "RELATED_MIN",
    "SAME_STORY_THRESHOLD",
    "SIGNATURE_SIZE",
    "Profile",
    "RelatedHit",
    "StoryInfo",
    "assign_stories",
    "features",
    "idf_table",
    "index_pending",
    "index_terms",
    "indexed_count",
    "pending_count",
    "profile",
    "rank",
    "similarity",
    "story_sizes",
    "weigh",
]

#: How much of the body is analysed (characters from the start).
BODY_CHARS = 1500
#: Terms an article is indexed under.
SIGNATURE_SIZE = 20
#: Terms of the target looked up in the index.
QUERY_TERMS = 24
#: Signature and query terms are chosen by ``tf ** TF_POWER × idf``: the words a
#: story repeats before words that are merely rare.
TF_POWER = 2.0
#: A term in more than this share of the articles is not looked up (it selects nothing).
MAX_DF_SHARE = 0.05
#: Articles re-ranked after retrieval.
CANDIDATES = 40
#: Score (0..1) from which a hit counts as the same story.
SAME_STORY_THRESHOLD = 0.15
#: Score under which an article merely shares some words: not listed.
RELATED_MIN = 0.10
#: Two hits whose texts are this alike (cosine) are copies of one text: shown once.
COPY_THRESHOLD = 0.85

# -- text analysis ------------------------------------------------------------------

_STOPWORDS = frozenset(
    """a about above across after afterwards again against all almost alone along already
    also although always am among amongst an and another any anyhow anyone anything anyway
    anywhere are around as at back be became because become becomes been before beforehand
    behind being below beside besides between beyond both but by can cannot could did do does
    doing done down during each either else elsewhere enough etc even ever every everyone
    everything everywhere except few first for former formerly from further get gets getting
    got had has have having he hence her here hereafter hereby herein hers herself him himself
    his how however i if in indeed into is it its itself just keep last latter least less made
    make makes many may me meanwhile might mine more moreover most mostly much must my myself
    namely neither never nevertheless next no nobody none noone nor not nothing now nowhere of
    off often on once one only onto or other others otherwise our ours ourselves out over own
    per perhaps put rather re said same say says see seem seemed seeming seems several she
    should since so some somehow someone something sometime sometimes somewhere still such
    than that the their theirs them themselves then thence there thereafter thereby therefore
    therein thereupon these they this those though through throughout thru thus to together too
    toward towards under until up upon us very via was we well were what whatever when whence
    whenever where whereafter whereas whereby wherein whereupon wherever whether which while who
    whoever whole whom whose why will with within without would yet you your yours yourself
    yourselves told added according including like new two three four five six seven eight
    nine ten mr mrs ms dr week weeks month months day days year years today yesterday tomorrow
    time times monday tuesday wednesday thursday friday saturday sunday morning afternoon
    evening night am pm 0 1 2 3 4 5 6 7 8 9 b c d e f g h j k l m n o p q r s t u v w x y z ll
    ve http https www com org html""".split()
)
_NOT_NAMES = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
# Punctuation becomes a space; thousands separators and apostrophes go ("1,100" ->
# "1100", "Halcyne's" -> "halcynes" -> stem "halcyne").
_PUNCT = '!"#$&()*+-./:;<=>?@[\\]^_`{|}~“”‘«»–—…•·\u00a0'
_TRANSLATE = str.maketrans({**{c: " " for c in _PUNCT}, ",": None, "'": None, "’": None})
_NORMS: dict[str, str] = {}


def _normalize(token: str) -> str:
    """A token -> its term: "" for a stopword, else a light stem (plural endings)."""
    term = _NORMS.get(token)
    if term is not None:
        return term
    s = token
    if s in _STOPWORDS or len(s) > 40:
        s = ""
    elif len(s) > 4 and not s[0].isdigit():
        if s.endswith("ies"):
            s = s[:-3] + "y"
        elif s.endswith(("sses", "ches", "shes", "xes", "zes")):
            s = s[:-2]
        elif s.endswith("s") and not s.endswith(("ss", "us", "is")):
            s = s[:-1]
    if len(_NORMS) < 500_000:
        _NORMS[token] = s
    return s


_SUBLINEAR = [0.0] + [1.0 + math.log(n) for n in range(1, 64)]


def index_terms(title: str, summary: str, takeaways: str, body: str) -> dict[str, float]:
    """The article's terms with their weights (sublinear, field-weighted frequency).

    Terms are lower-cased words with plural endings stemmed, stopwords dropped, and
    numbers.  Title words count three times, dek and takeaway words twice.  This is
    what document frequencies count and what the signature is chosen from, so it is
    kept cheap: it runs once for every article stored.
    """
    t = title.lower().translate(_TRANSLATE).split()
    lead = (summary + " " + takeaways).lower().translate(_TRANSLATE).split()
    tokens = body[:BODY_CHARS].lower().translate(_TRANSLATE).split()
    counts = Counter(t * 3 + lead * 2 + tokens)
    raw: dict[str, int] = {}
    norms = _NORMS
    for tok, n in counts.items():
        term = norms.get(tok)
        if term is None:
            term = _normalize(tok)
        if term:
            raw[term] = raw.get(term, 0) + n
    table = _SUBLINEAR
    return {k: table[n] if n < 64 else 1.0 + math.log(n) for k, n in raw.items()}


_Vector = dict[str, float]


@dataclass(slots=True)
class Profile:
    """What the re-ranking compares: weighted terms, names, numbers, phrases.

    :func:`profile` fills the text part; :func:`weigh` adds the tf-idf vectors once
    document frequencies are known.
    """

    terms: dict[str, float]
    entities: frozenset[str]
    numbers: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, str]] = frozenset()
    published: float | None = None
    source: str = ""
    vectors: tuple[_Vector, _Vector, _Vector, _Vector] = ({}, {}, {}, {})
    norms: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    keys: tuple[tuple[str, float], ...] = ()
    keys_total: float = 1.0


# A capitalised word inside a sentence (after a lower-case word, a digit or a comma).
_MID_CAPITAL = re.compile(r"(?<=[a-z0-9,;%)] )[A-Z][a-zA-Z]+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*%?")
_PHRASE_WORD = re.compile(r"[^\W_]+|[.!?;:]")


def _is_specific_number(tok: str) -> bool:
    if "%" in tok or "." in tok or ":" in tok:
        return True
    value = int(tok) if tok.isdigit() else 0
    if 1900 <= value <= 2100:  # a year: common to every story of the season
        return False
    return value >= 10


def profile(
    title: str,
    summary: str,
    takeaways: str,
    body: str,
    *,
    published: float | None = None,
    source: str = "",
) -> Profile:
    """Analyse an article for re-ranking: its terms (:func:`index_terms`) and names.

    Names are words capitalised inside sentences of the dek, takeaways and body
    that the text never writes in lower case (a title's capitals say nothing).
    Numbers (specific ones: percentages, decimals, times, 10 and over, not years)
    and two-word phrases are found only when their weights are not zero.
    """
    terms = index_terms(title, summary, takeaways, body)
    text = summary + "\n" + takeaways + "\n" + body[:BODY_CHARS]
    names: set[str] = set()
    for word in set(_MID_CAPITAL.findall(text)):
        low = word.lower()
        if " " + low not in text and low not in _NOT_NAMES:
            term = _normalize(low)
            if term and term in terms:
                names.add(term)
    numbers: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, str]] = frozenset()
    if W_NUMBERS:
        numbers = frozenset(
            n
            for n in (m.replace(",", "") for m in _NUMBER.findall(title + "\n" + text))
            if _is_specific_number(n)
        )
    if W_PHRASES:
        pairs: set[tuple[str, str]] = set()
        prev = ""
        for tok in _PHRASE_WORD.findall((title + ".\n" + text).lower()):
            term = "" if len(tok) == 1 and not tok.isalnum() else _normalize(tok)
            if prev and term:
                pairs.add((prev, term))
            prev = term
        phrases = frozenset(pairs)
    return Profile(
        terms=terms,
        entities=frozenset(names),
        numbers=numbers,
        phrases=phrases,
        published=published,
        source=source,
    )


def _idf(df: int, n: int) -> float:
    return max(0.0, math.log((n + 1.0) / (df + 0.5)))


#: Extra weight of a name in the all-terms vector.
ENTITY_BOOST = 1.5
#: An article's key terms: its best terms by tf-idf (what its story is about).
KEY_TERMS = 8
#: Weights of the parts of the score (they sum to 1): cosine over all terms, over
#: names only, over specific numbers only, over two-word phrases only, and key-term
#: coverage.  Numbers and phrases did not help on the evaluation set (see
#: docs/PERFORMANCE.md) and are off; the code stays for the benchmark's ablation.
W_TERMS, W_ENTITIES, W_NUMBERS, W_PHRASES, W_KEYS = 0.2, 0.1, 0.0, 0.0, 0.7
#: Days at which closeness in time has faded to half.
TIME_SCALE_DAYS = 4.0
#: Share of the score that depends on closeness in time.
TIME_WEIGHT = 0.35
#: Factor for a hit from the target's own outlet (other outlets' takes first).
SAME_SOURCE_FACTOR = 0.92


def _norm(v: _Vector) -> float:
    return math.sqrt(sum(x * x for x in v.values())) or 1.0


def idf_table(dfs: dict[str, int], n: int) -> dict[str, float]:
    """``{term: idf}`` for :func:`weigh` (terms missing from it are new: highest idf)."""
    log_n = math.log(n + 1.0)
    return {t: max(0.0, log_n - math.log(df + 0.5)) for t, df in dfs.items()}


def weigh(p: Profile, idf: dict[str, float], n: int) -> None:
    """Fill the profile's tf-idf vectors (all terms, names, numbers, phrases)."""
    unseen = _idf(0, n)
    get = idf.get
    terms: _Vector = {}
    for term, w in p.terms.items():
        x = w * get(term, unseen)
        if x > 0:
            terms[term] = x
    for term in p.entities:
        if term in terms:
            terms[term] *= ENTITY_BOOST
    ents: _Vector = {t: terms[t] for t in p.entities if t in terms}
    nums: _Vector = {}
    for t in p.numbers:
        x = get(t, unseen)
        if x > 0:
            nums[t] = x * (1.0 if len(t) > 2 or not t.isdigit() else 0.5)
    phrases: _Vector = {}
    for a, b in p.phrases:
        x = get(a, unseen) + get(b, unseen)
        if x > 0:
            phrases[a + " " + b] = x
    p.vectors = (terms, ents, nums, phrases)
    p.norms = (_norm(terms), _norm(ents), _norm(nums), _norm(phrases))
    p.keys = tuple(heapq.nlargest(KEY_TERMS, terms.items(), key=lambda kv: kv[1]))
    p.keys_total = sum(x for _, x in p.keys) or 1.0


def _cosine(a: _Vector, b: _Vector, na: float, nb: float) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = 0.0
    for term, x in a.items():
        y = b.get(term)
        if y is not None:
            dot += x * y
    return dot / (na * nb)


def _coverage(q: Profile, d: Profile) -> float:
    """Share of ``q``'s key terms (by weight) that ``d`` mentions."""
    dt = d.terms
    return sum(x for t, x in q.keys if t in dt) / q.keys_total


Features = tuple[float, float, float, float, float]


def features(q: Profile, d: Profile) -> Features:
    """The parts of the score of two weighed profiles: the cosines of all terms, of
    names, of numbers and of phrases, and the mutual key-term coverage."""
    qv, dv, qn, dn = q.vectors, d.vectors, q.norms, d.norms
    return (
        _cosine(qv[0], dv[0], qn[0], dn[0]),
        _cosine(qv[1], dv[1], qn[1], dn[1]),
        _cosine(qv[2], dv[2], qn[2], dn[2]) if W_NUMBERS else 0.0,
        _cosine(qv[3], dv[3], qn[3], dn[3]) if W_PHRASES else 0.0,
        (_coverage(q, d) + _coverage(d, q)) / 2.0,
    )


def similarity(q: Profile, d: Profile) -> float:
    """The related score of two weighed profiles, in 0..1.

    ``(W_TERMS·cos_terms + W_ENTITIES·cos_names + W_NUMBERS·cos_numbers +
    W_PHRASES·cos_phrases + W_KEYS·key_coverage) × time × source``, where ``time``
    is ``1 - TIME_WEIGHT + TIME_WEIGHT / (1 + days / TIME_SCALE_DAYS)`` and
    ``source`` is :data:`SAME_SOURCE_FACTOR` for the same outlet, else 1.
    """
    terms, ents, nums, phrases, keys = features(q, d)
    score = (
        W_TERMS * terms + W_ENTITIES * ents + W_NUMBERS * nums + W_PHRASES * phrases + W_KEYS * keys
    )
    if q.published is not None and d.published is not None:
        days = abs(q.published - d.published) / 86400.0
        score *= (1.0 - TIME_WEIGHT) + TIME_WEIGHT / (1.0 + days / TIME_SCALE_DAYS)
    if q.source and q.source == d.source:
        score *= SAME_SOURCE_FACTOR
    return min(1.0, score)


# -- the index in the library ----------------------------------------------------------

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

_CHUNK = 500
# Authored takeaways only: derived ones repeat the body.
_TAKEAWAYS = "CASE WHEN takeaways_derived THEN '' ELSE takeaways END"
_A_TAKEAWAYS = "CASE WHEN a.takeaways_derived THEN '' ELSE a.takeaways END"


def _meta(db: sqlite3.Connection, key: str) -> int:
    row = db.execute("SELECT value FROM related_meta WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else 0


def _set_meta(db: sqlite3.Connection, key: str, value: int) -> None:
    db.execute(
        "INSERT INTO related_meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


TermCache = dict[str, tuple[int, int]]


def _lookup(
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
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
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
    return _meta(db, "docs")


def pending_count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM related_pending").fetchone()[0])


def index_pending(
    db: sqlite3.Connection, *, docs: Sequence[int] | None = None, limit: int | None = None
) -> int:
    """Index queued articles (all, those of ``docs``, or the first ``limit``).

    Runs inside the caller's write transaction.  Returns how many were indexed.
    """
    if docs is not None:
        todo: list[int] = []
        for start in range(0, len(docs), _CHUNK):
            chunk = [int(d) for d in docs[start : start + _CHUNK]]
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
    indexed = 0
    for start in range(0, len(todo), 2000):
        indexed += _index_docs(db, todo[start : start + 2000])
    return indexed


def _index_docs(db: sqlite3.Connection, docs: list[int]) -> int:
    per_doc: list[tuple[int, dict[str, float]]] = []
    old: list[tuple[int, str]] = []
    for start in range(0, len(docs), _CHUNK):
        chunk = docs[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for rowid, title, summary, takeaways, body in db.execute(
            f"SELECT rowid, title, summary, {_TAKEAWAYS}, substr(body, 1, {BODY_CHARS}) "
            f"FROM articles WHERE rowid IN ({marks})",
            chunk,
        ):
            per_doc.append((rowid, index_terms(title, summary, takeaways, body)))
        old += db.execute(f"SELECT doc, terms FROM related_docs WHERE doc IN ({marks})", chunk)
    if old:  # re-indexing edited articles: drop their old postings (their story stays)
        db.executemany(
            "DELETE FROM related_postings WHERE term = ? AND doc = ?",
            [(t, doc) for doc, terms in old for t in json.loads(terms)],
        )
    batch_df: Counter[str] = Counter()
    for _, terms in per_doc:
        batch_df.update(terms.keys())
    known = _lookup(db, batch_df)
    ids = {t: v[0] for t, v in known.items()}
    next_id = _meta(db, "next_term")
    for t in batch_df:
        if t not in ids:
            ids[t] = next_id
            next_id += 1
    _set_meta(db, "next_term", next_id)
    db.executemany(
        "INSERT INTO related_terms(term, id, df) VALUES (?, ?, ?) "
        "ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
        [(t, ids[t], n) for t, n in batch_df.items()],
    )
    n_docs = _meta(db, "docs") + len(per_doc)
    _set_meta(db, "docs", n_docs)
    log_n = math.log(n_docs + 1.0)
    idf = {
        t: log_n - math.log(known[t][1] + n + 0.5 if t in known else n + 0.5)
        for t, n in batch_df.items()
    }
    postings: list[tuple[int, int, int]] = []
    doc_rows: list[tuple[int, str]] = []
    for rowid, terms in per_doc:
        top = heapq.nlargest(SIGNATURE_SIZE, [(w * w * idf[t], t) for t, w in terms.items()])
        sig = [ids[t] for _, t in top]
        postings += [(ids[t], rowid, min(255, round(terms[t] * 32))) for _, t in top]
        doc_rows.append((rowid, json.dumps(sig)))
    db.executemany(
        "INSERT OR REPLACE INTO related_postings(term, doc, w) VALUES (?, ?, ?)", postings
    )
    db.executemany(
        "INSERT INTO related_docs(doc, terms) VALUES (?, ?) "
        "ON CONFLICT(doc) DO UPDATE SET terms = excluded.terms",
        doc_rows,
    )
    for start in range(0, len(docs), _CHUNK):
        chunk = docs[start : start + _CHUNK]
        db.execute(
            f"DELETE FROM related_pending WHERE doc IN ({','.join('?' * len(chunk))})", chunk
        )
    return len(per_doc)


# -- ranking ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RelatedHit:
    """One entry of the related list.

    ``score`` is in 0..1; ``same_story`` is ``score >= SAME_STORY_THRESHOLD``.
    ``other_sources`` names the outlets whose near-identical copies of this article
    were folded into it (``copies`` holds their ids).
    """

    id: str
    title: str
    source: str
    published: str | None
    origin: str
    url: str
    score: float
    same_story: bool
    other_sources: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "published": self.published,
            "origin": self.origin,
            "url": self.url,
            "score": round(self.score, 4),
            "same_story": self.same_story,
            "other_sources": list(self.other_sources),
            "copies": list(self.copies),
        }


@dataclass(slots=True)
class _Candidate:
    rowid: int
    id: str
    title: str
    source: str
    published: str | None
    origin: str
    url: str
    profile: Profile
    score: float = 0.0


_CANDIDATE_SQL = (
    "SELECT a.rowid, a.id, a.title, coalesce(s.name, ''), a.published, a.origin, a.url, "
    f"a.summary, {_A_TAKEAWAYS}, substr(a.body, 1, {BODY_CHARS}), a.sort_ts "
    "FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.rowid IN ({marks})"
)


def _retrieve(
    db: sqlite3.Connection,
    target: Profile,
    known: dict[str, tuple[int, int]],
    n_docs: int,
    exclude: int | None,
    candidates: int = CANDIDATES,
) -> list[int]:
    """Stage 1: the articles whose signatures best match the target's best terms."""
    max_df = max(50, int(n_docs * MAX_DF_SHARE))
    log_n = math.log(n_docs + 1.0)
    scored: list[tuple[float, int]] = []
    for term, w in target.terms.items():
        entry = known.get(term)
        if entry is None or entry[1] > max_df:
            continue  # unknown to the index (nothing to find) or too common
        x = w**TF_POWER * (log_n - math.log(entry[1] + 0.5))
        scored.append((x * ENTITY_BOOST if term in target.entities else x, entry[0]))
    best = heapq.nlargest(QUERY_TERMS, scored)
    if not best:
        return []
    weights = {term_id: x for x, term_id in best}
    marks = ",".join("?" * len(weights))
    acc: dict[int, float] = {}
    get = acc.get
    for term_id, doc, w in db.execute(
        f"SELECT term, doc, w FROM related_postings WHERE term IN ({marks})", list(weights)
    ):
        acc[doc] = get(doc, 0.0) + weights[term_id] * w
    if exclude is not None:
        acc.pop(exclude, None)
    return heapq.nlargest(candidates, acc, key=acc.__getitem__)


def _load_candidates(db: sqlite3.Connection, rowids: Sequence[int]) -> list[_Candidate]:
    if not rowids:
        return []
    out: list[_Candidate] = []
    sql = _CANDIDATE_SQL.format(marks=",".join("?" * len(rowids)))
    for r in db.execute(sql, list(rowids)):
        prof = profile(r[2], r[7], r[8], r[9], published=float(r[10]), source=r[3])
        out.append(_Candidate(r[0], r[1], r[2], r[3], r[4], r[5], r[6], prof))
    return out


def rank(
    db: sqlite3.Connection,
    *,
    title: str,
    summary: str,
    takeaways: str,
    body: str,
    published: float | None,
    source: str,
    exclude: int | None = None,
    exclude_id: str = "",
    limit: int = 8,
    min_score: float = RELATED_MIN,
    cache: TermCache | None = None,
    candidates: int = CANDIDATES,
) -> list[RelatedHit]:
    """The related list for an article (given by its text), best first.

    ``cache`` (kept by the caller between calls) saves looking up the same terms'
    ids and document frequencies again; it may be slightly stale, which only nudges
    scores.
    """
    target = profile(title, summary, takeaways, body, published=published, source=source)
    n_docs = max(1, _meta(db, "docs"))
    known = _lookup(db, target.terms, cache)
    rowids = _retrieve(db, target, known, n_docs, exclude, candidates)
    found = [c for c in _load_candidates(db, rowids) if c.id != exclude_id]
    if not found:
        return []
    union: set[str] = set()
    for c in found:
        union.update(c.profile.terms)
    union.difference_update(known)
    known.update(_lookup(db, union, cache))
    idf = idf_table({t: v[1] for t, v in known.items()}, n_docs)
    weigh(target, idf, n_docs)
    for c in found:
        weigh(c.profile, idf, n_docs)
        c.score = similarity(target, c.profile)
    found.sort(key=lambda c: (-c.score, c.rowid))
    return _fold_copies([c for c in found if c.score >= min_score], limit)


def _fold_copies(candidates: list[_Candidate], limit: int) -> list[RelatedHit]:
    """Show near-identical copies once: the best-ranked, labelled with the others."""
    kept: list[tuple[_Candidate, list[_Candidate]]] = []
    for c in candidates:
        for head, copies in kept:
            if _copy_similarity(head.profile, c.profile) >= COPY_THRESHOLD:
                copies.append(c)
                break
        else:
            if len(kept) >= limit:
                break
            kept.append((c, []))
    return [
        RelatedHit(
            id=head.id,
            title=head.title,
            source=head.source,
            published=head.published,
            origin=head.origin,
            url=head.url,
            score=head.score,
            same_story=head.score >= SAME_STORY_THRESHOLD,
            other_sources=list(
                dict.fromkeys(c.source for c in copies if c.source and c.source != head.source)
            ),
            copies=[c.id for c in copies],
        )
        for head, copies in kept
    ]


def _copy_similarity(a: Profile, b: Profile) -> float:
    """Cosine of the all-terms vectors (1.0 for the same text)."""
    return _cosine(a.vectors[0], b.vectors[0], a.norms[0], b.norms[0])


# -- stories -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """The story an article belongs to: its id, size and the outlets covering it."""

    story: int
    size: int
    sources: tuple[str, ...]

    @property
    def others(self) -> int:
        """How many other articles cover the story ("+3 sources")."""
        return self.size - 1


def story_sizes(db: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, StoryInfo]:
    """``{article id: StoryInfo}`` for the given articles that have a story."""
    found: dict[str, StoryInfo] = {}
    info: dict[int, StoryInfo] = {}
    for start in range(0, len(article_ids), _CHUNK):
        chunk = list(article_ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            "SELECT a.id, d.story FROM articles a JOIN related_docs d ON d.doc = a.rowid "
            f"WHERE a.id IN ({marks}) AND d.story IS NOT NULL",
            chunk,
        ).fetchall()
        for art_id, story in rows:
            if story not in info:
                sources = [
                    r[0]
                    for r in db.execute(
                        "SELECT coalesce(s.name, '') FROM related_docs d "
                        "JOIN articles a ON a.rowid = d.doc "
                        "LEFT JOIN sources s ON s.id = a.source_id "
                        "WHERE d.story = ? ORDER BY a.sort_ts",
                        (story,),
                    )
                ]
                info[story] = StoryInfo(
                    story, len(sources), tuple(dict.fromkeys(s for s in sources if s))
                )
            found[art_id] = info[story]
    return found


#: Candidates re-ranked when grouping an article into a story (only the best matter).
STORY_CANDIDATES = 12


def assign_stories(
    db: sqlite3.Connection, *, limit: int | None = None, cache: TermCache | None = None
) -> int:
    """Give indexed articles without a story one: the story of their best same-story
    match that has one, or a new one.  Newest first (what the list shows first); runs
    inside the caller's write transaction.  Returns how many were assigned."""
    sql = (
        f"SELECT a.rowid, a.id, a.title, a.summary, {_A_TAKEAWAYS}, "
        f"substr(a.body, 1, {BODY_CHARS}), a.sort_ts, coalesce(s.name, '') "
        "FROM related_docs d JOIN articles a ON a.rowid = d.doc "
        "LEFT JOIN sources s ON s.id = a.source_id WHERE d.story IS NULL "
        "ORDER BY a.sort_ts DESC, a.rowid DESC"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    todo = db.execute(sql).fetchall()
    grouper = _StoryGrouper(db, cache)
    for rowid, _art_id, title, summary, takeaways, body, ts, source in todo:
        story = grouper.story_of(rowid, title, summary, takeaways, body, ts, source)
        if story is None:
            story = _meta(db, "next_story")
            _set_meta(db, "next_story", story + 1)
        db.execute("UPDATE related_docs SET story = ? WHERE doc = ?", (story, rowid))
    return len(todo)


#: Rows the SQL pre-ranking of :class:`_StoryGrouper` returns (the exact top
#: :data:`STORY_CANDIDATES` are then recomputed among those close to the cut).
_PROBE = 64
#: Weighed profiles kept by one :func:`assign_stories` run (then dropped).
_PROFILE_CACHE = 20_000


class _StoryGrouper:
    """What :func:`assign_stories` decides per article, with the same result as
    ``rank(..., limit=5, min_score=SAME_STORY_THRESHOLD, candidates=STORY_CANDIDATES)``
    followed by the first hit (or copy) that has a story, but cheaper:

    * retrieval sums the posting weights in SQL and recomputes, in Python and in the
      same order as :func:`_retrieve`, only the sums of the few articles near the cut;
    * the candidates' stories are read first (one query): when none has one, the
      article starts a new story and nothing is re-ranked;
    * term ids, document frequencies, idf and weighed profiles are kept for the run
      (the index does not change while stories are assigned), so an article that is
      a candidate for several others is analysed once.
    """

    def __init__(self, db: sqlite3.Connection, cache: TermCache | None) -> None:
        self.db = db
        self.cache: TermCache = cache if cache is not None else {}
        self.n_docs = max(1, _meta(db, "docs"))
        self.log_n = math.log(self.n_docs + 1.0)
        self.unseen = _idf(0, self.n_docs)
        self.known: TermCache = {}
        self.absent: set[str] = set()
        self.idf: dict[str, float] = {}
        self.candidates: dict[int, _Candidate] = {}
        self.profiles: dict[int, Profile] = {}

    def _resolve(self, terms: Iterable[str]) -> None:
        known, absent = self.known, self.absent
        new = [t for t in terms if t not in known and t not in absent]
        if not new:
            return
        found = _lookup(self.db, new, self.cache)
        log_n = self.log_n
        for t in new:
            v = found.get(t)
            if v is None:
                absent.add(t)
            else:
                known[t] = v
                self.idf[t] = max(0.0, log_n - math.log(v[1] + 0.5))

    def _weigh(self, p: Profile) -> None:
        self._resolve(p.terms)
        weigh(p, self.idf, self.n_docs)

    def _retrieve(self, target: Profile, exclude: int) -> list[int]:
        n = STORY_CANDIDATES
        max_df = max(50, int(self.n_docs * MAX_DF_SHARE))
        log_n = self.log_n
        scored: list[tuple[float, int]] = []
        for term, w in target.terms.items():
            entry = self.known.get(term)
            if entry is None or entry[1] > max_df:
                continue
            x = w**TF_POWER * (log_n - math.log(entry[1] + 0.5))
            scored.append((x * ENTITY_BOOST if term in target.entities else x, entry[0]))
        best = heapq.nlargest(QUERY_TERMS, scored)
        if not best:
            return []
        weights = {term_id: x for x, term_id in best}
        args: list[float] = []
        for term_id, x in weights.items():
            args += (term_id, x)
        rows = self.db.execute(
            "WITH q(term, x) AS (VALUES " + ",".join(["(?,?)"] * len(weights)) + ") "
            "SELECT p.doc, sum(q.x * p.w) AS s FROM q JOIN related_postings p "
            "ON p.term = q.term WHERE p.doc != ? GROUP BY p.doc ORDER BY s DESC "
            f"LIMIT {_PROBE}",
            [*args, exclude],
        ).fetchall()
        if len(rows) <= n:
            return [r[0] for r in rows]
        # SQL sums in another order (the last bits may differ): keep every article
        # that may be in the exact top n, and rank those as _retrieve does.
        cut = rows[n - 1][1]
        cut -= 1e-9 * abs(cut) + 1e-12
        near = [doc for doc, s in rows if s >= cut]
        if len(near) == _PROBE:  # more may tie beyond the probe: the plain way
            acc_all: dict[int, float] = {}
            get_all = acc_all.get
            for term_id, doc, w in self.db.execute(
                "SELECT term, doc, w FROM related_postings WHERE term IN "
                f"({','.join('?' * len(weights))})",
                list(weights),
            ):
                acc_all[doc] = get_all(doc, 0.0) + weights[term_id] * w
            acc_all.pop(exclude, None)
            return heapq.nlargest(n, acc_all, key=acc_all.__getitem__)
        acc: dict[int, float] = {}
        get = acc.get
        for term_id, doc, w in self.db.execute(
            f"SELECT term, doc, w FROM related_postings WHERE term IN "
            f"({','.join('?' * len(weights))}) AND doc IN ({','.join('?' * len(near))}) "
            "ORDER BY term, doc",
            [*weights, *near],
        ):
            acc[doc] = get(doc, 0.0) + weights[term_id] * w
        return heapq.nlargest(n, acc, key=acc.__getitem__)

    def _profile(
        self,
        rowid: int,
        title: str,
        summary: str,
        takeaways: str,
        body: str,
        ts: float,
        source: str,
    ) -> Profile:
        p = self.profiles.get(rowid)
        if p is None:
            p = profile(title, summary, takeaways, body, published=float(ts), source=source)
            self._weigh(p)
            self.profiles[rowid] = p
        return p

    def _load(self, rowids: Sequence[int]) -> list[_Candidate]:
        cands = self.candidates
        missing = [r for r in rowids if r not in cands]
        if missing:
            sql = _CANDIDATE_SQL.format(marks=",".join("?" * len(missing)))
            for r in self.db.execute(sql, missing):
                prof = self._profile(r[0], r[2], r[7], r[8], r[9], r[10], r[3])
                cands[r[0]] = _Candidate(r[0], r[1], r[2], r[3], r[4], r[5], r[6], prof)
        return [cands[r] for r in sorted(rowids) if r in cands]

    def story_of(
        self,
        rowid: int,
        title: str,
        summary: str,
        takeaways: str,
        body: str,
        ts: float,
        source: str,
    ) -> int | None:
        """The story of the article's best same-story match that has one (None: none)."""
        if len(self.profiles) > _PROFILE_CACHE:
            self.profiles.clear()
            self.candidates.clear()
        target = self.profiles.get(rowid)
        if target is None:
            target = profile(title, summary, takeaways, body, published=ts, source=source)
            self._resolve(target.terms)
        rowids = self._retrieve(target, rowid)
        if not rowids:
            return None
        stories = {
            doc: int(story)
            for doc, story in self.db.execute(
                "SELECT d.doc, d.story FROM related_docs d JOIN articles a ON a.rowid = d.doc "
                f"WHERE d.doc IN ({','.join('?' * len(rowids))}) AND d.story IS NOT NULL",
                rowids,
            )
        }
        if not stories:
            return None  # whatever the scores, no candidate has a story
        if rowid not in self.profiles:
            weigh(target, self.idf, self.n_docs)
            self.profiles[rowid] = target
        storied = self._load(list(stories))
        if all(similarity(target, c.profile) < SAME_STORY_THRESHOLD for c in storied):
            return None  # only candidates without a story are the same story
        found = self._load(rowids)
        for c in found:
            c.score = similarity(target, c.profile)
        found.sort(key=lambda c: (-c.score, c.rowid))
        hits = _fold_copies([c for c in found if c.score >= SAME_STORY_THRESHOLD], 5)
        if not hits:
            return None
        by_id = {c.id: stories.get(c.rowid) for c in found}
        for hit in hits:
            for other in (hit.id, *hit.copies):
                story = by_id.get(other)
                if story is not None:
                    return story
        return None
