"""What a reader sees of an article: full text applied, the related list merged."""

from __future__ import annotations

from pathlib import Path

from briefreader.model import Article, RelatedLink
from briefreader.reading import article_as_read, related_entries, with_full_text
from briefreader.store import Library

TEASER = "Only a teaser."
FULL = (
    "The harbour bridge reopened to traffic on Tuesday after three weeks of repairs. "
    "The council said the coast road would follow within a month. "
    "Engineers replaced forty cables and the whole deck surface. "
    "Traders near the bridge said business had halved while it was shut. "
    "A second inspection is due in the spring."
)


def article(n: int, **changes: object) -> Article:
    base = Article(
        id=f"a{n}",
        title=f"Story {n}",
        url=f"https://news.example/{n}",
        source="Wire",
        body=TEASER,
    )
    return base.with_changes(**changes)


def test_full_text_replaces_the_body_and_keeps_own_takeaways() -> None:
    own = article(1, takeaways=("Mine.",))
    full = with_full_text(own, FULL)
    assert full.body == FULL
    assert full.takeaways == ("Mine.",)
    assert not full.takeaways_derived


def test_derived_takeaways_are_chosen_again_from_the_full_text() -> None:
    derived = article(1, takeaways=("From the teaser.",), takeaways_derived=True)
    full = with_full_text(derived, FULL)
    assert full.body == FULL
    assert "From the teaser." not in full.takeaways
    assert all(t in FULL for t in full.takeaways)


def test_article_as_read_applies_the_cached_full_text(tmp_path: Path) -> None:
    with Library(tmp_path / "lib.sqlite3") as library:
        library.store([article(1), article(2)])
        library.set_full_text("a1", FULL)
        shown = article_as_read(library, "a1")
        assert shown is not None and shown[0].body == FULL and shown[1] is True
        plain = article_as_read(library, "a2")
        assert plain is not None and plain[0].body == TEASER and plain[1] is False
        assert article_as_read(library, "nope") is None


def test_related_entries_list_declared_links_once_and_outside_links_too(tmp_path: Path) -> None:
    main = article(
        0,
        body="Tram drivers voted to end the strike.",
        related=(
            RelatedLink("", "https://news.example/1"),
            RelatedLink("Again", "https://news.example/1"),
            RelatedLink("Outside", "https://elsewhere.example/x"),
        ),
    )
    with Library(tmp_path / "lib.sqlite3") as library:
        library.store([main, article(1, title="The first story", body="Bridge cables.")])
        entries = related_entries(library, main)
    declared = [e for e in entries if e.declared]
    assert [(e.title, e.article_id) for e in declared] == [
        ("The first story", "a1"),  # untitled link: the library's title
        ("Outside", ""),
    ]
    assert declared[1].url == "https://elsewhere.example/x" and not declared[1].in_library
    assert [e.article_id for e in entries].count("a1") == 1
    assert all(e.article_id != "a0" for e in entries)


def test_same_story_first(tmp_path: Path) -> None:
    text = (
        "Harbour bridge reopens after three weeks of cable repairs; the coast road "
        "follows within a month, the council said on Tuesday."
    )
    main = article(0, title="Harbour bridge reopens after repairs", body=text)
    copy = article(
        1, title="Harbour bridge reopens after repairs", body=text, source="Other", url=""
    )
    other = article(2, title="Tram strike ends", body="The tram strike ended on Monday.")
    with Library(tmp_path / "lib.sqlite3") as library:
        library.store([main, copy, other])
        library.index_related()
        entries = related_entries(library, main)
    assert entries, "the copy is found"
    assert entries[0].article_id == "a1" and entries[0].same_story
    assert not any(e.same_story for e in entries[1:] if e.article_id == "a2")


def test_related_entries_name_a_feeds_article_by_the_feeds_name(tmp_path: Path) -> None:
    """The sidebar names a feed's article as the list does: the user's rename wins."""
    body = FULL + " The bridge carries forty thousand vehicles a day across the harbour."
    with Library(tmp_path / "lib.sqlite3") as library:
        feed, _ = library.add_feed("https://wire.example/feed", title="Wire")
        library.store(
            [
                article(1, title="Harbour bridge reopens after repairs", body=body),
                article(2, title="Harbour bridge reopens to traffic", body=body),
            ],
            feed_id=feed.id,
        )
        library.index_related()
        library.rename_feed(feed.id, "My Harbour Wire")
        main = library.get("a1")
        assert main is not None
        entries = related_entries(library, main)
        assert [e.article_id for e in entries] == ["a2"]
        assert entries[0].source == "My Harbour Wire"
        # Search results too (the CLI's search and the app's search preview).
        assert {hit.source for hit in library.search("harbour bridge")} == {"My Harbour Wire"}
