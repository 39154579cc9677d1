"""Related articles: the evaluation scores (pinned), the incremental index, copies,
story groups, the migration, and the ``related`` command."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import related_eval as E
from testkit import CliResult, run_cli

from briefreader import related as R
from briefreader.model import Article, article_id
from briefreader.store import SCHEMA_VERSION, Library
from briefreader.store.library import RELATED_SYNC_MAX
from briefreader.store.schema import MIGRATIONS

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

# -- the evaluation set ----------------------------------------------------------------

# Scores reached when this was written (see docs/PERFORMANCE.md); the test allows a
# small margin so a change that lowers them has to be deliberate.  part-a was used
# to tune the ranking, part-b is held out.
PINNED = {
    "part-a": (1.000, 0.000),  # precision@5, look-alike intrusion
    "part-b": (1.000, 0.013),
}
MARGIN_P, MARGIN_INTRUSION = 0.03, 0.02


@pytest.fixture(scope="module")
def evalset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, E.Truth]]:
    parts = E.parts_present()
    if not parts:
        pytest.skip("tests/data/related has no stories.json yet")
    library = Library(tmp_path_factory.mktemp("related") / "lib.sqlite3")
    truth = E.load(library, parts)
    yield library, truth
    library.close()


@pytest.mark.parametrize("part", ["part-a", "part-b"])
def test_precision_and_intrusion_are_pinned(evalset: tuple[Library, E.Truth], part: str) -> None:
    library, truth = evalset
    if part not in truth.part.values():
        pytest.skip(f"{part} not present")
    scores = E.evaluate(library, truth, E.ours, part=part)
    p_pin, intrusion_pin = PINNED[part]
    assert scores.queries >= 25
    assert scores.precision_at_5 >= p_pin - MARGIN_P, scores.line()
    assert scores.intrusion <= intrusion_pin + MARGIN_INTRUSION, scores.line()
    # the targets
    assert scores.precision_at_5 >= 0.85 and scores.intrusion <= 0.05, scores.line()


def test_beats_the_plain_bm25_baseline(evalset: tuple[Library, E.Truth]) -> None:
    library, truth = evalset
    ours = E.evaluate(library, truth, E.ours)
    base = E.evaluate(library, truth, E.bm25_baseline)
    assert ours.precision_at_5 >= base.precision_at_5
    assert ours.intrusion < base.intrusion


def test_same_story_flag_separates_stories(evalset: tuple[Library, E.Truth]) -> None:
    """Every hit flagged same story is the same story, and nearly all same-story
    articles are flagged (what the sidebar's "Same story" group shows)."""
    library, truth = evalset
    flagged = right = relevant = found = 0
    for story, ids in truth.members.items():
        if len(ids) < 3:
            continue
        for art_id in ids:
            hits = library.related(art_id, limit=8)
            relevant += len(ids) - 1
            for h in hits:
                if h.same_story:
                    flagged += 1
                    right += truth.story.get(h.id) == story
                    found += truth.story.get(h.id) == story
            # same story first: no unflagged hit before a flagged one
            flags = [h.same_story for h in hits]
            assert flags == sorted(flags, reverse=True)
    assert right / flagged >= 0.97
    assert found / relevant >= 0.80  # a floor (0.83 when set): precision comes first


def test_stories_group_the_set(evalset: tuple[Library, E.Truth]) -> None:
    library, truth = evalset
    library.update_stories()
    info = library.story_sizes(list(truth.part))
    assert set(info) == set(truth.part)
    for story, ids in truth.members.items():
        groups = {info[i].story for i in ids}
        assert len(groups) == 1, story
        assert info[ids[0]].others == len(ids) - 1
        outsiders = [a for a, s in truth.story.items() if s != story]
        assert all(info[a].story not in groups for a in outsiders)
    assert library.update_stories() == 0  # nothing new: nothing done


# -- the index -------------------------------------------------------------------------


def art(n: int, title: str, body: str, *, source: str = "Harbour Ledger", **kw: object) -> Article:
    url = f"https://news.example/{n}"
    return Article(
        id=article_id(url=url),
        title=title,
        url=url,
        source=source,
        published=T0 + timedelta(hours=n),
        body=body,
        origin=f"/tmp/{n}.md",
        **kw,  # type: ignore[arg-type]
    )


STRIKE = (
    "Dockers at the Port of Kellsmouth walked out on Monday over automation plans. "
    "The Kellsmouth dock union said 1,400 members stopped work, and container ships "
    "queued off the harbour as cranes stood idle.\n\nThe port operator Quayline said "
    "talks would resume on Thursday."
)
RATES = (
    "The Continental Reserve Bank held its deposit rate at 2.00% for a third meeting. "
    "Governor Ilse Marten said services inflation was easing too slowly.\n\nMarkets "
    "trimmed bets on a cut before March."
)
LAUNCH = (
    "The Wren lander touched down near the lunar south pole on Saturday, the first "
    "private landing there. Mission control in Perrin confirmed the signal.\n\nThe "
    "lander carries eight instruments."
)


def strike(n: int, source: str, extra: str = "") -> Article:
    return art(n, "Kellsmouth dockers strike over automation", STRIKE + extra, source=source)


EXPORTERS = (
    "Exporters warned that the Kellsmouth strike could cost growers their season. Fruit "
    "bound for Kellsmouth sat in refrigerated trucks as the dockers kept the port shut "
    "over Quayline's automation plans, and the growers' association asked ministers to "
    "broker talks before the 1,400 strikers return on Thursday."
)
EXPLAINER = (
    "Quayline wants remote-controlled cranes at Kellsmouth by 2028, which the dockers say "
    "would cut 400 jobs. The strike by 1,400 dockers is the first at the port since 1989, "
    "and the union says automation plans were never put to its members."
)
_WORDS = (
    "allotment library bakery festival orchestra tennis museum recipe election bridge "
    "vaccine telescope cycling theatre marathon gallery harvest ferry tram airport "
    "council budget school hospital river forest mountain village market garden"
).split()


def filler(k: int = 30) -> list[Article]:
    """Unrelated articles, so that document frequencies look like a real library's."""
    out = []
    for i in range(k):
        a, b, c = (_WORDS[(i * 7 + j * 11) % len(_WORDS)] for j in range(3))
        out.append(
            art(
                1000 + i,
                f"{a.title()} {b} plans for {c}",
                f"The {a} committee met about the {b} and the {c}. Volunteers asked for "
                f"more {c} funding, and the {a} {b} opens next spring.",
                source=f"Gazette {i % 5}",
            )
        )
    return out


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "lib.sqlite3")
    yield library
    library.close()


def postings(lib: Library, article: Article) -> int:
    row = lib._db.execute("SELECT rowid FROM articles WHERE id = ?", (article.id,)).fetchone()
    return int(
        lib._db.execute(
            "SELECT count(*) FROM related_postings WHERE doc = ?", (row[0],)
        ).fetchone()[0]
    )


def test_small_batches_are_indexed_as_they_are_stored(lib: Library) -> None:
    a = strike(1, "Harbour Ledger", " Pickets gathered at the north gate.")
    b = art(2, "Reserve bank holds rates", RATES, source="Kestrel Markets")
    lib.store([a, b])
    assert lib.related_pending() == 0
    assert 0 < postings(lib, a) <= R.SIGNATURE_SIZE
    c = strike(3, "Vantry Post", " Shipping lines diverted two vessels.")
    lib.store([c])
    assert lib.related_pending() == 0
    assert R.indexed_count(lib._db) == 3  # one more: nothing rebuilt
    hits = lib.related(a)
    assert [h.id for h in hits] == [c.id]
    assert hits[0].same_story and 0 < hits[0].score <= 1


def test_bulk_imports_are_queued_then_indexed(lib: Library) -> None:
    filler = [
        art(100 + i, f"Allotment society notice {i}", f"Plot {i} waiting list reopens.")
        for i in range(RELATED_SYNC_MAX + 1)
    ]
    lib.store(filler)
    assert lib.related_pending() == RELATED_SYNC_MAX + 1
    assert lib.index_related(limit=50) == 50
    assert lib.related_pending() == RELATED_SYNC_MAX + 1 - 50
    assert lib.index_related() == RELATED_SYNC_MAX + 1 - 50
    assert lib.related_pending() == 0


def test_related_indexes_a_short_queue_itself(lib: Library) -> None:
    a, b = strike(1, "Harbour Ledger"), strike(2, "Vantry Post", " Talks stalled.")
    filler = [art(10 + i, f"Notice {i}", f"Plot {i}.") for i in range(RELATED_SYNC_MAX)]
    lib.store([a, b, *filler])  # too many to index while storing
    assert lib.related_pending() > 0
    assert [h.id for h in lib.related(a)] == [b.id]
    assert lib.related_pending() == 0


def test_edits_reindex_and_deletes_forget(lib: Library) -> None:
    a, b = strike(1, "Harbour Ledger"), strike(2, "Vantry Post", " Talks stalled.")
    lib.store([a, b])
    before = postings(lib, b)
    edited = b.with_changes(title="Reserve bank holds rates", body=RATES)
    lib.store([edited])
    assert lib.related_pending() == 0
    assert postings(lib, edited) <= R.SIGNATURE_SIZE and before > 0
    assert lib.related(a) == []  # no longer the same story
    c = strike(3, "Northreach Observer", " Pickets stayed.")
    lib.store([c])
    assert [h.id for h in lib.related(a)] == [c.id]
    rowid = lib._db.execute("SELECT rowid FROM articles WHERE id = ?", (c.id,)).fetchone()[0]
    assert lib.delete(c.id)
    assert lib.related(a) == []
    left = lib._db.execute(
        "SELECT (SELECT count(*) FROM related_postings WHERE doc = ?) + "
        "(SELECT count(*) FROM related_docs WHERE doc = ?)",
        (rowid, rowid),
    ).fetchone()[0]
    assert left == 0


def test_removing_a_feed_drops_its_articles_from_the_index(lib: Library) -> None:
    feed, _ = lib.add_feed("https://feeds.example/harbour.xml")
    a = strike(1, "Harbour Ledger")
    lib.store([a])
    # A feed's article comes from the feed (one from a file would stay: store/keep.py).
    lib.store(
        [replace(strike(2, "Vantry Post", " Talks stalled."), origin=feed.url)], feed_id=feed.id
    )
    assert len(lib.related(a)) == 1
    assert lib.remove_feed(feed.url) == 1
    assert lib.related(a) == []
    assert lib._db.execute("SELECT count(*) FROM related_docs").fetchone()[0] == 1


def test_copies_of_one_wire_story_appear_once_with_their_sources(lib: Library) -> None:
    target = strike(1, "Harbour Ledger")
    copies = [
        art(2 + i, "Kellsmouth strike leaves exporters counting the cost", EXPORTERS, source=src)
        for i, src in enumerate(("Meridian Wire", "Coastal Courier", "Vantry Post"))
    ]
    other = art(9, "Kellsmouth automation row", EXPLAINER, source="Northreach Observer")
    lib.store([target, *copies, other, *filler()])
    hits = lib.related(target)
    assert len(hits) == 2
    wire_hit = next(h for h in hits if h.id in {c.id for c in copies})
    assert len(wire_hit.copies) == 2
    assert sorted([wire_hit.source, *wire_hit.other_sources]) == sorted(
        ["Meridian Wire", "Coastal Courier", "Vantry Post"]
    )


def test_other_outlets_first(lib: Library) -> None:
    """Two equally good matches: the other outlet's ranks first."""
    a = strike(1, "Harbour Ledger")
    same_outlet = art(2, "Kellsmouth automation row", EXPLAINER, source="Harbour Ledger")
    other_outlet = same_outlet.with_changes(id="other", source="Vantry Post")
    lib.store([a, same_outlet, *filler()])
    lib.store([other_outlet])  # the same text: one entry, headed by the other outlet
    hits = lib.related(a, limit=1)
    assert [h.id for h in hits] == [other_outlet.id]
    assert hits[0].copies == [same_outlet.id]


def test_closer_in_time_first(lib: Library) -> None:
    a = strike(1, "Harbour Ledger")
    near = art(2, "Kellsmouth automation row", EXPLAINER, source="Vantry Post")
    far = art(3, "Kellsmouth strike counts the cost", EXPORTERS, source="Coastal Courier")
    far_later = far.with_changes(published=T0 + timedelta(days=60))
    near_later = near.with_changes(published=T0 + timedelta(days=60))
    lib.store([a, near, far_later, *filler()])
    first = [h.id for h in lib.related(a)]
    lib.store([near_later, far.with_changes(published=T0)])
    second = [h.id for h in lib.related(a)]
    assert first[0] == near.id and second[0] == far.id


def test_unrelated_articles_are_not_listed(lib: Library) -> None:
    a = strike(1, "Harbour Ledger")
    lib.store([a, art(2, "Reserve bank holds rates", RATES), art(3, "Wren lands", LAUNCH)])
    assert lib.related(a) == []


def test_an_article_not_in_the_library_can_be_ranked(lib: Library) -> None:
    b = strike(2, "Vantry Post", " Talks stalled.")
    lib.store([b, art(3, "Wren lands", LAUNCH)])
    outside = strike(1, "Harbour Ledger")
    assert [h.id for h in lib.related(outside)] == [b.id]
    assert lib.related("no-such-id") == []


def test_a_schema_2_library_is_migrated_and_queued(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    for n in (1, 2):
        db.execute(
            "INSERT INTO articles(id, title, body, sort_ts, content_hash, added_at, updated_at) "
            "VALUES (?, ?, ?, 0, 'x', 0, 0)",
            (f"old{n}", f"Kellsmouth dockers strike {n}", STRIKE),
        )
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with Library(path, readonly=True) as ro:  # not migrated: the old ranking
        assert [h.id for h in ro.related("old1")] == ["old2"]
    with Library(path) as lib:
        assert lib.schema_version == SCHEMA_VERSION
        assert lib.related_pending() == 2
        assert [h.id for h in lib.related("old1")] == ["old2"]
        assert lib.related_pending() == 0


def test_a_read_only_library_ranks_what_is_indexed(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:
        lib.store([strike(1, "Harbour Ledger"), strike(2, "Vantry Post", " Talks stalled.")])
    with Library(path, readonly=True) as ro:
        hits = ro.related(strike(1, "Harbour Ledger").id)
        assert len(hits) == 1 and hits[0].same_story
        assert ro.index_related() == 0 and ro.update_stories() == 0


def test_story_sizes_follow_arrivals(lib: Library) -> None:
    a, b = strike(1, "Harbour Ledger"), strike(2, "Vantry Post", " Talks stalled.")
    lone = art(3, "Reserve bank holds rates", RATES)
    lib.store([a, b, lone])
    assert lib.story_sizes([a.id]) == {}  # not grouped yet
    assert lib.update_stories() == 3
    sizes = lib.story_sizes([a.id, b.id, lone.id])
    assert sizes[a.id].story == sizes[b.id].story != sizes[lone.id].story
    assert (sizes[a.id].others, sizes[lone.id].others) == (1, 0)
    assert sizes[a.id].sources == ("Harbour Ledger", "Vantry Post")
    c = strike(4, "Northreach Observer", " A second union backed the walkout.")
    lib.store([c])
    assert lib.update_stories() == 1  # only the newcomer
    assert lib.story_sizes([a.id])[a.id].others == 2


# -- analysis --------------------------------------------------------------------------


def test_index_terms_weights_title_and_stems_plurals() -> None:
    terms = R.index_terms("Dockers strike", "", "", "The docker said strikes were called.")
    assert "the" not in terms and "said" not in terms
    assert terms["docker"] > terms["called"]
    assert terms["strike"] > terms["docker"] - 1  # title (3×) + body plural
    assert "1100" in R.index_terms("", "1,100 workers", "", "")


def test_profile_finds_names_not_sentence_starts() -> None:
    p = R.profile(
        "Storm Halden Hits Brackmoor",
        "Storm Halden flooded Brackmoor on Tuesday.",
        "",
        "Residents left. The council said Brackmoor would reopen, but the storm went on.",
    )
    assert "brackmoor" in p.entities and "halden" in p.entities
    assert "residents" not in p.entities and "resident" not in p.entities
    assert "storm" not in p.entities  # also written in lower case
    assert "tuesday" not in p.entities


# -- the command -----------------------------------------------------------------------


def run(*args: str, home: Path) -> CliResult:
    return run_cli(*args, home=home)


@pytest.mark.skipif(not E.parts_present(), reason="no evaluation set")
def test_related_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = E.DATA / E.parts_present()[0]
    files = sorted(folder.glob("*.md"))
    assert run("add", "-q", *map(str, files), home=home).returncode == 0
    mapping = json.loads((folder / "stories.json").read_text(encoding="utf-8"))
    target = next(f for f in files if mapping.get(f.name, "").startswith("storm"))
    out = run("related", str(target), "--json", "--limit", "4", home=home)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert len(hits) == 4
    assert {"id", "title", "origin", "score", "same_story", "other_sources"} <= set(hits[0])
    assert sum(h["same_story"] for h in hits) >= 3
    assert all(mapping[Path(h["origin"]).name] == mapping[target.name] for h in hits)
    flags = [h["same_story"] for h in hits]
    assert flags == sorted(flags, reverse=True)  # "Same story" first
    # by id, as text: "Same story" heading, one entry per hit
    out = run("related", hits[0]["id"], home=home)
    assert out.returncode == 0 and out.stdout.startswith("Same story")
    assert run("related", "nope", home=home).returncode == 1


def test_related_as_text_names_each_article_by_its_link_not_its_feed(tmp_path: Path) -> None:
    """Feed items keep their feed's address as their origin: the text listing showed it
    for every hit (the JSON had the articles' links)."""
    home = tmp_path / "home"
    home.mkdir()
    words = "harbour cranes idle dockworkers strike container backlog port authority wages"
    with Library(home / "library.sqlite3") as library:
        library.store(
            [
                Article(
                    id=f"item-{n}",
                    title=f"Dockworkers strike day {n}: harbour cranes idle",
                    summary=words,
                    body=f"{words} {words} day {n}.",
                    url=f"https://port.example/strike-{n}",
                    origin="https://port.example/feed.xml",
                    source="Port Ledger",
                )
                for n in range(3)
            ]
        )
    out = run("related", "https://port.example/strike-0", home=home)
    assert out.returncode == 0, out.stderr
    assert "https://port.example/strike-1" in out.stdout
    assert "feed.xml" not in out.stdout
    # By default the command lists what the app's sidebar ranks (its threshold too:
    # a reader saw eight entries in the app and "no related articles found" here).
    listed = json.loads(run("related", "https://port.example/strike-0", "--json", home=home).stdout)
    with Library(home / "library.sqlite3") as library:
        target = library.find("https://port.example/strike-0")
        assert target is not None
        assert [h["id"] for h in listed] == [h.id for h in library.related(target)]


def test_two_short_items_sharing_one_word_are_not_one_story(tmp_path: Path) -> None:
    """A newcomer's feeds: "Entry without link" and "Click me javascript item" (a few
    words each, from two feeds) shared only "link" and were listed as the same story,
    "+1" in the list (the score 0.18, the agreement needed met by the best hit itself)."""
    filler = [
        Article(id=f"r{n}", title=f"Regular item {n}", source="Regular Feed",
                body=f"Regular body text number {n} about the town council and its budget.",
                url=f"https://r.example/{n}")
        for n in range(12)
    ]  # fmt: skip
    with Library(tmp_path / "lib.sqlite3") as library:
        library.store(
            [
                Article(id="atom-1", title="Entry without link", body="No link at all 🚀 emoji",
                        source="Atom Feed", url="https://a.example/1"),
                Article(id="js-1", title="Click me javascript item",
                        body="Body with a js link and ok link.", source="JS Feed",
                        url="https://b.example/1"),
                Article(id="js-2", title="Data item", body="A data: link inside.",
                        source="JS Feed", url="https://b.example/2"),
                *filler,
            ]
        )  # fmt: skip
        library.index_related()
        library.update_stories()
        target = library.get("atom-1")
        assert target is not None
        hits = library.related(target, min_score=0.0)
        assert [h.title for h in hits][:1] == ["Click me javascript item"]
        assert not any(h.same_story for h in hits), hits
        stories = library.story_sizes(["atom-1", "js-1"])
        assert all(info.size == 1 for info in stories.values()), stories  # no "+1"


def test_untitled_articles_are_not_related_for_their_placeholder_title(tmp_path: Path) -> None:
    """Articles without a title are stored as "(untitled)": that is no word of
    theirs, and two untitled notes on different things are not related."""
    from briefreader.model import UNTITLED

    with Library(tmp_path / "lib.sqlite3") as lib:
        lib.store(
            [
                Article(id="u1", title=UNTITLED, body="Ferry timetable changes on Monday."),
                Article(id="u2", title=UNTITLED, body="Orchard frost spoils the apple crop."),
                Article(id="u3", title=UNTITLED, body="a"),
                Article(
                    id="t1", title="Ferry timetable changes", body="From Monday, ferries run later."
                ),
            ]
        )
        lib.index_related()
        assert [h.id for h in lib.related("u1", min_score=0.0)] == ["t1"]
        assert lib.related("u3", min_score=0.0) == []
