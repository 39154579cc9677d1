"""Search that does not grow with the library: a common word (more matches than
``RANK_WINDOW``) is ranked within its newest matches and counted approximately, a
rare one ranked exactly (bm25) and counted exactly.  The window is made small here
so that a few dozen articles show what a million would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefreader.model import Article, article_id
from briefreader.store import Library
from briefreader.store import search as S

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
WINDOW = 10


def art(n: int, title: str, body: str, takeaways: tuple[str, ...] = ()) -> Article:
    return Article(
        id=article_id(url=f"https://news.example/{n}"),
        title=title,
        url=f"https://news.example/{n}",
        source="Ledger",
        published=T0 + timedelta(hours=n),
        takeaways=takeaways,
        body=body,
    )


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    monkeypatch.setattr(S, "RANK_WINDOW", WINDOW)
    library = Library(tmp_path / "lib.sqlite3")
    # 60 articles stored one at a time (rowid = arrival order): every one says "harbour",
    # every third one in its title; "kobamar" is rare (3 articles).
    for n in range(60):
        title = f"Harbour news {n}" if n % 3 == 0 else f"Town news {n}"
        body = f"The harbour report number {n}."
        if n in (5, 30, 31):
            body += " Kobamar" + (" kobamar kobamar" if n == 30 else "")
        if n == 31:
            title = "Kobamar arrives"
        library.store([art(n, title, body, ("A takeaway on the harbour",) if n == 58 else ())])
    yield library
    library.close()


def statements(lib: Library) -> list[str]:
    seen: list[str] = []
    lib._db.set_trace_callback(seen.append)
    return seen


def test_a_common_word_gives_its_newest_matches_title_first_and_an_approximate_count(
    lib: Library,
) -> None:
    seen = statements(lib)
    hits, total, exact = lib.search_with_count("harbour", limit=WINDOW, prefix_last=False)
    lib._db.set_trace_callback(None)
    # Ranked within the newest WINDOW matches (articles 50..59) only: title matches
    # first (57, 54, 51), then the takeaway's (58), then the rest newest first.
    numbers = [int(h.url.rsplit("/", 1)[1]) for h in hits]
    assert numbers == [57, 54, 51, 58, 59, 56, 55, 53, 52, 50]
    assert not exact
    assert 50 <= total <= 70  # 60 really: estimated from the newest matches' density
    # Nothing ranked every match: no bm25 over the word's whole list.
    assert not any("bm25" in s for s in seen), seen
    assert all("\x02" in h.snippet for h in hits)


def test_a_rare_word_is_ranked_exactly_and_counted_exactly(lib: Library) -> None:
    hits, total, exact = lib.search_with_count("kobamar", prefix_last=False)
    assert (total, exact) == (3, True)
    # bm25: the title match first, then the body that says it three times.
    assert [h.title for h in hits] == ["Kobamar arrives", "Harbour news 30", "Town news 5"]
    assert hits[0].score > hits[1].score > hits[2].score


def test_the_app_s_search_ids_for_a_common_word_are_its_newest(lib: Library) -> None:
    ids = lib.search_ids("harbou")  # typed so far: a prefix
    assert len(ids) == WINDOW
    newest = {article_id(url=f"https://news.example/{n}") for n in range(50, 60)}
    assert set(ids) == newest


def test_about_rounds_to_two_figures() -> None:
    assert [S.about(n) for n in (7, 99, 123, 12_345, 987_654)] == [7, 99, 120, 12_000, 990_000]


def test_the_search_command_says_how_many(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "cli.sqlite3"
    with Library(path) as library:
        library.store([art(n, f"Harbour {n}", "Harbour body.") for n in range(3)])
    out = subprocess.run(
        [sys.executable, "-m", "briefreader", "search", "--library", str(path), "harbour"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Harbour 2" in out.stdout
    assert "3 matches" in out.stderr


def test_a_prefix_too_costly_to_merge_is_matched_as_a_whole_word(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert lib.prefix_pages("harb") >= lib.prefix_pages("zzz") >= 0
    assert len(lib.search_ids("harbo")) == WINDOW  # a prefix, as typed so far
    monkeypatch.setattr(S, "PREFIX_PAGES_MAX", -1)  # every prefix "too costly"
    seen = statements(lib)
    assert lib.search_ids("harbo") == []  # the word "harbo" itself: no article says it
    assert len(lib.search_ids("harbour")) == WINDOW
    lib._db.set_trace_callback(None)
    assert not any('"harbo"*' in s or '"harbour"*' in s for s in seen), seen


def test_last_prefix() -> None:
    assert S.last_prefix("rail stri") == "stri"
    assert S.last_prefix('rail "strike"') == ""
    assert S.last_prefix("rail ...") == ""
    assert S.last_prefix("") == ""
