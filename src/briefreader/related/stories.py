"""Stories: articles that cover the same story, grouped; group sizes for the list."""

from __future__ import annotations

import heapq
import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefreader.related.index import A_TAKEAWAYS, CHUNK, TermCache, lookup, meta, set_meta
from briefreader.related.ranking import (
    CANDIDATE_SQL,
    Candidate,
    best_in_full,
    by_score,
    candidate,
    fold_copies,
    query_weights,
    row_text,
    same_story_flags,
)
from briefreader.related.scoring import (
    SAME_STORY_MIN,
    ArticleText,
    Profile,
    add_details,
    idf_of,
    profile_of,
    weigh,
)
from briefreader.related.terms import ANALYSIS_CHARS, PROFILE_CHARS

__all__ = ["STORY_CANDIDATES", "StoryInfo", "assign_stories", "story_sizes"]


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
    for start in range(0, len(article_ids), CHUNK):
        chunk = list(article_ids[start : start + CHUNK])
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


#: Candidates re-ranked when grouping an article into a story (only the best matter),
#: by their terms and names; the best of them are ranked in full.
STORY_CANDIDATES = 12
STORY_FULL_RANK = 8


def assign_stories(
    db: sqlite3.Connection, *, limit: int | None = None, cache: TermCache | None = None
) -> int:
    """Give indexed articles without a story one: the story of their best same-story
    match that has one, or a new one.  The article's same-story matches that have no
    story yet join it at once (so an older report visited later finds its story even
    when its own best matches rank it low).  Newest first (what the list shows
    first); runs inside the caller's write transaction.  Returns how many articles
    were given a story (at least the number visited, while any are left)."""
    sql = (
        f"SELECT a.rowid, a.id, a.title, a.summary, {A_TAKEAWAYS}, "
        f"substr(a.body, 1, {PROFILE_CHARS}), a.sort_ts, coalesce(s.name, ''), "
        f"substr(a.analysis_body, 1, {ANALYSIS_CHARS}) "
        "FROM related_docs d JOIN articles a ON a.rowid = d.doc "
        "LEFT JOIN sources s ON s.id = a.source_id WHERE d.story IS NULL "
        "ORDER BY a.sort_ts DESC, a.rowid DESC"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    todo = db.execute(sql).fetchall()
    grouper = _StoryGrouper(db, cache)
    done: set[int] = set()
    assigned = 0
    for rowid, _art_id, title, summary, takeaways, body, ts, source, analysis in todo:
        if rowid in done:
            continue  # pulled into a story by a newer article
        text = ArticleText(title, summary, takeaways, body, ts, source, analysis)
        story, pulled = grouper.story_of(rowid, text)
        if story is None:
            story = meta(db, "next_story")
            set_meta(db, "next_story", story + 1)
        for doc in (rowid, *(d for d in pulled if d not in done)):
            db.execute("UPDATE related_docs SET story = ? WHERE doc = ?", (story, doc))
            done.add(doc)
            assigned += 1
    return assigned


#: Rows the SQL pre-ranking of :class:`_StoryGrouper` returns (the exact top
#: :data:`STORY_CANDIDATES` are then recomputed among those close to the cut).
_PROBE = 64
#: Weighed profiles kept by one :func:`assign_stories` run (then dropped).
_PROFILE_CACHE = 20_000


class _StoryGrouper:
    """What :func:`assign_stories` decides per article, with the same result as
    ``rank(..., limit=5, min_score=SAME_STORY_MIN, candidates=STORY_CANDIDATES)``
    followed by the first hit flagged "same story" (or a copy folded into it) that has
    a story, but cheaper:

    * retrieval sums the posting weights in SQL and recomputes, in Python and in the
      same order as the ranking's retrieval, only the sums of the few articles near the cut;
    * term ids, document frequencies, idf and weighed profiles are kept for the run
      (the index does not change while stories are assigned), so an article that is
      a candidate for several others is analysed once.
    """

    def __init__(self, db: sqlite3.Connection, cache: TermCache | None) -> None:
        self.db = db
        self.cache: TermCache = cache if cache is not None else {}
        self.n_docs = max(1, meta(db, "docs"))
        self.log_n = math.log(self.n_docs + 1.0)
        self.unseen = idf_of(0, self.n_docs)
        self.known: TermCache = {}
        self.absent: set[str] = set()
        self.idf: dict[str, float] = {}
        self.candidates: dict[int, Candidate] = {}
        self.profiles: dict[int, Profile] = {}

    def _resolve(self, terms: Iterable[str]) -> None:
        known, absent = self.known, self.absent
        new = [t for t in terms if t not in known and t not in absent]
        if not new:
            return
        found = lookup(self.db, new, self.cache)
        known.update(found)
        absent.update(t for t in new if t not in found)
        log_n = self.log_n
        self.idf.update((t, max(0.0, log_n - math.log(df + 0.5))) for t, (_, df) in found.items())

    def _weigh(self, p: Profile) -> None:
        self._resolve(p.terms)
        weigh(p, self.idf, self.n_docs)

    def _retrieve(self, target: Profile, exclude: int) -> list[int]:
        n = STORY_CANDIDATES
        weights = query_weights(target, self.known, self.n_docs)
        if not weights:
            return []
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

    def _profile(self, rowid: int, text: ArticleText) -> Profile:
        p = self.profiles.get(rowid)
        if p is None:
            p = profile_of(text, details=False)
            self._weigh(p)
            self.profiles[rowid] = p
        return p

    def _load(self, rowids: Sequence[int]) -> list[Candidate]:
        cands = self.candidates
        missing = [r for r in rowids if r not in cands]
        if missing:
            sql = CANDIDATE_SQL.format(marks=",".join("?" * len(missing)))
            for r in self.db.execute(sql, missing):
                cands[r[0]] = candidate(r, self._profile(r[0], row_text(r)))
        return [cands[r] for r in sorted(rowids) if r in cands]

    def story_of(self, rowid: int, text: ArticleText) -> tuple[int | None, list[int]]:
        """The story of the article's best same-story match that has one (None: none),
        and its same-story matches that have no story yet (their row ids)."""
        if len(self.profiles) > _PROFILE_CACHE:
            self.profiles.clear()
            self.candidates.clear()
        target = self.profiles.get(rowid)
        if target is None:
            target = profile_of(text)
            self._resolve(target.terms)
        rowids = self._retrieve(target, rowid)
        if not rowids:
            return None, []
        stories = {
            doc: int(story)
            for doc, story in self.db.execute(
                "SELECT d.doc, d.story FROM related_docs d JOIN articles a ON a.rowid = d.doc "
                f"WHERE d.doc IN ({','.join('?' * len(rowids))}) AND d.story IS NOT NULL",
                rowids,
            )
        }
        if rowid not in self.profiles:
            weigh(target, self.idf, self.n_docs)
            self.profiles[rowid] = target
        add_details(target, self.idf, self.n_docs)  # (cached as a candidate: without them)
        found = self._load(rowids)
        # (only the best few can be among the first 5)
        found = best_in_full(target, found, STORY_FULL_RANK, self.idf, self.n_docs)
        scored = by_score(target, found)
        groups = fold_copies([(x, c) for x, c in scored if x >= SAME_STORY_MIN], 5)
        story: int | None = None
        pulled: list[int] = []
        for (_, head, copies), same in zip(groups, same_story_flags(target, groups), strict=True):
            if not same:
                continue
            for c in (head, *copies):
                found_story = stories.get(c.rowid)
                if found_story is None:
                    pulled.append(c.rowid)
                elif story is None:
                    story = found_story
        return story, pulled
