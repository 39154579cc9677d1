"""What a reader sees of an article: its text (with its cached full text applied)
and its related list (same story first, the links it names, then the ranking).

Pure domain: no Textual, no network.  The reading app uses it; anything else that
shows an article the way the app does can too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefreader.model import Article

if TYPE_CHECKING:
    from briefreader.store import Library

__all__ = [
    "SIDEBAR_ENTRIES",
    "RelatedEntry",
    "article_as_read",
    "related_entries",
    "with_full_text",
]


@dataclass(frozen=True, slots=True)
class RelatedEntry:
    """One entry of the related list: a library article (``article_id``) or an outside link."""

    title: str
    article_id: str = ""
    url: str = ""
    source: str = ""
    declared: bool = False
    same_story: bool = False
    also: tuple[str, ...] = ()
    """Other outlets whose near-identical copies were folded into this entry."""

    @property
    def in_library(self) -> bool:
        return bool(self.article_id)


def with_full_text(article: Article, text: str) -> Article:
    """The article with its page's full text as the body.

    The page's headline, when the text starts with it, is left out (the title is shown
    already), and so is the teaser's "… Read more" from the dek (the dek itself is not
    shown where it only repeats the body's start).  Derived takeaways are chosen again
    from the full text (the teaser's say little), and so they are for an article whose
    teaser was too short to get any; takeaways of the article's own are kept."""
    from briefreader.insight import body_without_headline, without_teaser_tail

    changes: dict[str, object] = {
        "body": body_without_headline(text, article.title),
        "summary": without_teaser_tail(article.summary),
    }
    if article.takeaways_derived or not article.takeaways:
        from briefreader.insight import with_derived_takeaways

        return with_derived_takeaways(
            article.with_changes(**changes, takeaways=(), takeaways_derived=False)
        )
    return article.with_changes(**changes)


def article_as_read(library: Library, article_id: str) -> tuple[Article, bool] | None:
    """The stored article as the reader sees it, and whether its body is the full
    text fetched earlier (None when it is not in the library)."""
    article = library.get(article_id)
    if article is None:
        return None
    full_text = library.full_text(article_id)
    if full_text:
        return with_full_text(article, full_text), True
    return article, False


#: Entries the Related sidebar lists: one for each number key, 1 to 9.
SIDEBAR_ENTRIES = 9


def related_entries(
    library: Library, article: Article, *, limit: int = SIDEBAR_ENTRIES
) -> list[RelatedEntry]:
    """The related list for ``article``: "Same story" hits first, then the links the
    article names (matched to library articles by URL), then the rest of the ranking.

    Every library article appears once; near-identical copies folded into a hit
    are listed on it (``also``) and never again on their own.
    """
    known = library.ids_for_urls([link.url for link in article.related])
    hits = library.related(article, limit=limit)
    # The rows name a feed's article by the feed's name (a rename wins), as the list
    # does; the index keeps the name the article arrived with.
    wanted = [*known.values(), *(hit.id for hit in hits)]
    rows = {row.id: row for row in library.rows_for_ids(list(dict.fromkeys(wanted)))}
    entries: list[RelatedEntry] = []
    seen = {article.id}

    def add_hits(same_story_only: bool) -> None:
        for hit in hits:
            if hit.id not in seen and (hit.same_story or not same_story_only):
                seen.update((hit.id, *hit.copies))
                entries.append(
                    RelatedEntry(
                        title=hit.title,
                        article_id=hit.id,
                        url=hit.url,
                        source=rows[hit.id].source if hit.id in rows else hit.source,
                        same_story=same_story_only,
                        also=tuple(hit.other_sources),
                    )
                )

    add_hits(same_story_only=True)
    for link in article.related:
        article_id = known.get(link.url, "")
        if article_id in seen:
            continue
        row = rows.get(article_id)
        if article_id:
            seen.add(article_id)
        entries.append(
            RelatedEntry(
                title=link.title or (row.title if row else link.url),
                article_id=article_id,
                url=link.url,
                source=row.source if row else "",
                declared=True,
            )
        )
    add_hits(same_story_only=False)
    return entries
