"""Related articles: which stored articles are the same story, or its direct follow-up.

Every step looks at a bounded part of an article — its title, dek, takeaways and
the start of its body (:data:`BODY_CHARS` characters for the index,
:data:`PROFILE_CHARS` for the re-ranking; news puts the story in the lead, and
bounding it bounds the cost per article).

1. **Retrieval** from a small inverted index kept in the library (tables
   ``related_*``, schema 3).  Each article is indexed once, when it arrives, under
   its *signature*: the :data:`SIGNATURE_SIZE` terms that best tell its story,
   chosen by ``tf ** 2 × idf`` (title words count 3×, dek and takeaway words 2×).
   Looking up the target's own best terms (names first; not the words only it has)
   reads short posting lists only — a word that is everywhere is in few
   signatures, and a term in more than :data:`MAX_DF_SHARE` of the library (or in
   more than ``ranking.MAX_DF`` articles) is not looked up, and at most
   ``ranking.POSTINGS_PER_TERM`` postings of a term are read (those of the articles
   stored nearest the target) — so retrieval takes a few milliseconds at 100,000
   articles, and about as long at 1,000,000.
2. **Re-ranking** of the best :data:`CANDIDATES` by a score in 0..1 (see
   :func:`similarity`): TF-IDF cosine over all terms, names weighted up, plus the
   evidence that tells one event from a look-alike one — names, specific numbers
   and two-word phrases in common, and the years named — faded by distance in time
   and lowered a little for the target's own outlet.  Near-identical copies (one
   wire story in several feeds) are folded into one hit that lists the other
   sources.  The list is cut by rank (the caller's limit; the sidebar shows 8) and
   a low floor, :data:`RELATED_MIN`.
3. **Same story** is a separate, stricter decision (:func:`same_story_flags`): a
   hit must also agree with the story's other reports, not only with the target.
   Same-story hits are listed first.

Articles that cover the same story are grouped (:func:`assign_stories`, with the
same decision): each article joins the story of its best same-story match, or
starts one, and takes its same-story matches without a story along; the article
list reads the group sizes (:func:`story_sizes`) to show "+3 sources".

Indexing is incremental.  Database triggers queue every inserted or edited article
(``related_pending``) and drop a deleted article's postings; :func:`index_pending`
indexes the queue.  The library indexes small batches as it stores them and leaves
bulk imports to :meth:`briefreader.store.Library.index_related` (run before
ranking, or in the background), so importing thousands of files is not slowed.

Document frequencies are counted as articles are indexed and taken off again when
an indexed article is deleted or edited: the triggers keep the text the index read
of it (``related_gone``) and :func:`forget_gone` takes its terms off later, with the
document count they are divided by (schema 13 on; a library's counts from before
stay as they were).

The package, one job a module: :mod:`.terms` (an article's words as index terms),
:mod:`.scoring` (profiles, tf-idf vectors, the score), :mod:`.index` (the tables,
triggers and incremental indexing), :mod:`.ranking` (retrieval, re-ranking, copies)
and :mod:`.stories` (story groups).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from briefreader.related.index import (
    FORGET_MIGRATION_SQL,
    MIGRATION_SQL,
    SIGNATURE_SIZE,
    IdfMemo,
    TermCache,
    TermTable,
    forget_gone,
    gone_count,
    index_pending,
    indexed_count,
    pending_count,
)
from briefreader.related.terms import BODY_CHARS, PROFILE_CHARS, index_terms

if TYPE_CHECKING:
    from briefreader.related.ranking import CANDIDATES, RelatedHit, rank, same_story_flags
    from briefreader.related.scoring import (
        RELATED_MIN,
        SAME_STORY_AGREEMENT,
        SAME_STORY_MIN,
        Profile,
        features,
        idf_table,
        profile,
        similarity,
        weigh,
    )
    from briefreader.related.stories import StoryInfo, assign_stories, story_sizes

#: What the package holds from its ranking modules, loaded when first asked for: the
#: index (the library's schema and its storing) needs none of them, and a command
#: that ranks nothing (``briefreader search``) starts ~12 ms sooner without them.
_LAZY = {
    **dict.fromkeys(("CANDIDATES", "RelatedHit", "rank", "same_story_flags"), "ranking"),
    **dict.fromkeys(
        (
            "RELATED_MIN",
            "SAME_STORY_AGREEMENT",
            "SAME_STORY_MIN",
            "Profile",
            "features",
            "idf_table",
            "profile",
            "similarity",
            "weigh",
        ),
        "scoring",
    ),
    **dict.fromkeys(("StoryInfo", "assign_stories", "story_sizes"), "stories"),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # (asked once)
    return value


__all__ = [
    "BODY_CHARS",
    "CANDIDATES",
    "FORGET_MIGRATION_SQL",
    "MIGRATION_SQL",
    "PROFILE_CHARS",
    "RELATED_MIN",
    "SAME_STORY_AGREEMENT",
    "SAME_STORY_MIN",
    "SIGNATURE_SIZE",
    "IdfMemo",
    "Profile",
    "RelatedHit",
    "StoryInfo",
    "TermCache",
    "TermTable",
    "assign_stories",
    "features",
    "forget_gone",
    "gone_count",
    "idf_table",
    "index_pending",
    "index_terms",
    "indexed_count",
    "pending_count",
    "profile",
    "rank",
    "same_story_flags",
    "similarity",
    "story_sizes",
    "weigh",
]
