"""The library's related articles and stories: the ranking and the incremental index
of :mod:`briefreader.related`, kept in the library file (schema 3 on)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from briefreader import related as _related
from briefreader.model import Article
from briefreader.related.index import meta as related_meta
from briefreader.store.base import StoreBase
from briefreader.store.search import SearchMixin, related_hit

#: related() on a writable library first indexes a queue of at most this many.
RELATED_CATCH_UP_MAX = 1000
#: Articles indexed in one write transaction by index_related(): the postings of a
#: big step share pages, so fewer pages are written (a library's write lock is held
#: for ~5 s a step at 1,000,000 articles; the app's background upkeep asks for
#: 2,000 at a time).
INDEX_STEP = 20_000
#: The page cache while index_related() runs (KiB): the postings' pages a step
#: touches stay in memory until it commits (at 1,000,000 articles a step touches
#: most of the ~300 MB of postings: with less, pages are written out mid-step and
#: again at the commit).
INDEX_CACHE_KIB = 512 * 1024
#: Deleted articles whose terms one write transaction takes off the frequencies
#: (~30 µs an article: ~0.15 s).
FORGET_STEP = 5000


if TYPE_CHECKING:
    from concurrent.futures import Executor

    from briefreader.related import RelatedHit, StoryInfo


class RelatedMixin(SearchMixin, StoreBase):
    """The library's related-articles and story methods."""

    _term_cache: _related.TermCache
    _idf_memo: _related.IdfMemo
    _term_cache_docs: int
    _term_cache_churn: int = 0
    _term_cache_generation: int = 0

    if TYPE_CHECKING:

        def get(self, article_id: str) -> Article | None: ...

        def count(self) -> int: ...

    def _has_related_index(self) -> bool:
        return self.schema_version >= 3

    def related(
        self,
        article: Article | str,
        *,
        limit: int = 8,
        min_score: float = _related.RELATED_MIN,
    ) -> list[RelatedHit]:
        """Articles that are the same story or its follow-up, best first.

        ``article`` is an :class:`Article` (it need not be stored) or an id.  Each hit
        has a score in 0..1 and ``same_story`` (show those first, as "Same story");
        near-identical copies of one text are folded into one hit that lists their
        ``other_sources``.  Articles scoring under ``min_score`` merely share some
        words and are left out (pass 0 to get them too).  Articles still queued for
        indexing (a bulk import not yet indexed, see :meth:`index_related`) are not
        found; on a writable library a short queue is indexed first.
        """
        if isinstance(article, str):
            found = self.get(article)
            if found is None:
                return []
            article = found
        if not self._has_related_index():
            return [related_hit(h) for h in self._similar_fts(article, limit=limit)]
        if not self.readonly and 0 < _related.pending_count(self._db) <= RELATED_CATCH_UP_MAX:
            self.index_related()
        row = self._db.execute("SELECT rowid FROM articles WHERE id = ?", (article.id,)).fetchone()
        return _related.rank(
            self._db,
            title=article.title,
            summary=article.summary,
            # Derived takeaways repeat the body, and stored articles are indexed without them.
            takeaways="" if article.takeaways_derived else "\n".join(article.takeaways),
            body=article.body,
            published=article.published.timestamp() if article.published else None,
            source=article.source,
            analysis=article.analysis.body if article.analysis else "",
            exclude=int(row[0]) if row else None,
            exclude_id=article.id,
            limit=limit,
            min_score=min_score,
            cache=self._related_term_cache(),
            idf_memo=self._idf_memo,
        )

    def _related_term_cache(self) -> _related.TermCache:
        """The term cache for related(): dropped once the library has grown by 5% since
        it was started (document frequencies drift slowly), or when the index was made
        again (``doctor --rebuild-related``: the ids change)."""
        docs = _related.indexed_count(self._db)
        # Articles indexed or forgotten since (a library under retention keeps its
        # count while its articles turn over).
        churn = docs + 2 * related_meta(self._db, "forgotten")
        # (ids change only when doctor makes the whole index again: a new generation)
        generation = related_meta(self._db, "generation")
        if (
            not self._term_cache_docs
            or abs(churn - self._term_cache_churn) > self._term_cache_docs * 0.05
            or len(self._term_cache) > 500_000
            or generation != self._term_cache_generation
        ):
            self._term_cache = {}
            self._idf_memo = _related.IdfMemo()  # (weighed with the cache's frequencies)
            self._term_cache_docs = max(1, docs)
            self._term_cache_churn = churn
            self._term_cache_generation = generation
        return self._term_cache

    def index_related(self, *, limit: int | None = None, executor: Executor | None = None) -> int:
        """Index the articles queued for the related index (a bulk import); returns how
        many.  Incremental: only what arrived or changed since the last call.
        ``executor`` (a process pool) reads and signs the articles in its workers."""
        if self.readonly or not self._has_related_index():
            return 0
        self.forget_related()
        if not _related.pending_count(self._db):
            return 0
        # One term table for the run (only this connection writes the index while it
        # holds the write lock, and each step takes it anew: the table is dropped when
        # another process changed the index between two steps).
        terms = _related.TermTable()

        def step(n: int) -> int:
            return _related.index_pending(self._db, limit=n, terms=terms, executor=executor)

        with self._big_cache():
            return self._in_steps(INDEX_STEP, limit, step)

    def forget_related(self) -> int:
        """Take deleted articles' terms (and edited ones' old terms) off the related
        index's document frequencies (:func:`briefreader.related.forget_gone`), a
        write transaction of :data:`FORGET_STEP` at a time; returns how many.  Run by
        :meth:`index_related` and after retention prunes."""
        if self.readonly or not _related.gone_count(self._db):  # 0 before schema 12
            return 0
        return self._in_steps(FORGET_STEP, None, lambda n: _related.forget_gone(self._db, limit=n))

    @contextlib.contextmanager
    def _big_cache(self) -> Iterator[None]:
        """A bigger page cache for a bulk run, given back after it."""
        before = int(self._db.execute("PRAGMA cache_size").fetchone()[0])
        self._db.execute(f"PRAGMA cache_size = -{INDEX_CACHE_KIB}")
        try:
            yield
        finally:
            self._db.execute(f"PRAGMA cache_size = {before}")
            self._db.execute("PRAGMA shrink_memory")

    def related_pending(self) -> int:
        """How many articles wait to be indexed for related articles."""
        if not self._has_related_index():
            return self.count()
        return _related.pending_count(self._db)

    def update_stories(self, *, limit: int | None = None) -> int:
        """Group newly indexed articles into stories (what :meth:`story_sizes` reads).

        Each article joins the story of its best same-story match or starts one; only
        articles without a story are visited, newest first (what the list shows first).
        Costs ~8–11 ms an article at 100,000 (~7.5 at 1,000,000, bench_related): run it in the background after a refresh or import.
        """
        if self.readonly or not self._has_related_index():
            return 0
        self.index_related()
        return self._in_steps(
            500,
            limit,
            lambda step: _related.assign_stories(
                self._db, limit=step, cache=self._related_term_cache()
            ),
        )

    def _in_steps(self, size: int, limit: int | None, step: Callable[[int], int]) -> int:
        """Run ``step(n)`` (do at most ``n`` things, return how many were done) one
        write transaction at a time, until it runs dry or ``limit`` is reached; returns
        how many were done in all."""
        done = 0
        while True:
            want = size if limit is None else min(size, limit - done)
            if want <= 0:
                break
            with self._transaction():
                n = step(want)
            done += n
            if n < want:
                break
        return done

    def stories_pending(self) -> int:
        """How many indexed articles are not yet grouped into a story (see
        :meth:`update_stories`)."""
        if not self._has_related_index():
            return 0
        r = self._db.execute("SELECT count(*) FROM related_docs WHERE story IS NULL").fetchone()
        return int(r[0])

    def story_sizes(self, article_ids: Sequence[str]) -> dict[str, StoryInfo]:
        """``{id: StoryInfo}`` for the given articles that have been grouped into a story:
        ``info.others`` is how many other articles cover it ("+3 sources")."""
        if not self._has_related_index():
            return {}
        return _related.story_sizes(self._db, article_ids)
