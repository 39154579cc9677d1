"""Retention rules the reader can get wrong: a ``[feeds."URL"]`` rule that names no
subscribed feed is said (prune, doctor) and a feed it nearly names is never pruned
by the general rule instead; the rule matches as subscriptions compare (host case,
"/" for no path)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from testkit import run_cli

from briefreader.model import Article
from briefreader.store import Library
from briefreader.store.retention import Retention, prune, unmatched_rules

FEED = "https://news.example/feed5.xml"


def stocked(path: Path, url: str = FEED, n: int = 7) -> None:
    now = datetime.now(UTC)
    with Library(path) as lib:
        feed, _ = lib.add_feed(url)
        lib.store(
            [
                Article(
                    id=f"{url}#{i}",
                    title=f"Story {i}",
                    url=f"https://news.example/{i}",
                    published=now - timedelta(hours=i),
                    body="Harbour works continue. " * 10,
                    origin=url,
                )
                for i in range(n)
            ],
            feed_id=feed.id,
        )


def test_a_rule_with_a_trailing_slash_holds_its_feed_instead_of_the_general_rule(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lib.sqlite3"
    stocked(path)
    stocked(path, "https://other.example/feed.xml", 4)
    retention = Retention(keep_per_feed=2, per_feed={FEED + "/": (None, 0)})
    with Library(path) as lib:
        report = prune(lib, retention, dry_run=True)
        # Only the other feed's two oldest: the mistyped rule's feed is left alone.
        assert report.articles == 2
        assert [u.url for u in report.unmatched] == [FEED + "/"]
        assert report.unmatched[0].nearest == (FEED,)
        prune(lib, retention)
        assert lib.count() == 7 + 2


def test_rules_match_as_subscriptions_compare(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    stocked(path, "https://news.example/")
    retention = Retention(keep_per_feed=2, per_feed={"HTTPS://News.Example": (None, 5)})
    assert unmatched_rules(retention, ["https://news.example/"]) == []
    with Library(path) as lib:
        assert prune(lib, retention).articles == 2  # its own 5, not the general 2


def test_near_misses_by_scheme_and_host_case_are_named(tmp_path: Path) -> None:
    urls = ["http://news.example/feed5.xml", "https://far.example/x"]
    found = unmatched_rules(
        Retention(
            per_feed={
                "https://NEWS.example/feed5.xml": (30, None),
                "https://no.example/": (1, None),
            }
        ),
        urls,
    )
    assert [(u.url, u.nearest) for u in found] == [
        ("https://NEWS.example/feed5.xml", ("http://news.example/feed5.xml",)),
        ("https://no.example/", ()),
    ]
    assert "briefreader feeds" in found[1].line()


def config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


def test_prune_and_doctor_warn_about_a_rule_matching_no_feed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stocked(home / "library.sqlite3")
    config(home, f'keep_per_feed = 2\n[feeds."{FEED}/"]\nkeep_per_feed = 0\n')
    for args in (("prune", "--dry-run"), ("prune",), ("prune", "--json")):
        out = run_cli(*args, home=home, check=True)
        assert f'[feeds."{FEED}/"]' in out.stderr, out.stderr
        assert "matches no subscribed feed" in out.stderr
        assert f'did you mean "{FEED}"' in out.stderr
        assert "config.toml" in out.stderr
        assert "0 articles" in out.stderr or '"articles": 0' in out.stdout
    with Library(home / "library.sqlite3") as lib:
        assert lib.count() == 7
    out = run_cli("doctor", home=home, check=True)
    assert f'[feeds."{FEED}/"]' in out.stderr and f'did you mean "{FEED}"' in out.stderr
    config(home, f'keep_per_feed = 2\n[feeds."{FEED}"]\nkeep_per_feed = 0\n')
    out = run_cli("prune", "--dry-run", home=home, check=True)
    assert "matches no" not in out.stderr and "0 articles would go" in out.stderr
    out = run_cli("doctor", home=home, check=True)
    assert "matches no" not in out.stderr


# -- values that cannot be used ---------------------------------------------------------


def test_negative_or_broken_prune_options_are_usage_errors(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stocked(home / "library.sqlite3")
    for args in (
        ("--keep-per-feed", "-1"),
        ("--keep-days", "-1"),
        ("--keep-per-feed", "2.5"),
        ("--keep-days", "nan"),
        ("--keep-days", "soon"),
        ("--keep-days", "1.5"),  # (keep_days in the config must be whole days too)
    ):
        out = run_cli("prune", "--dry-run", *args, home=home)
        assert out.returncode == 2, (args, out)
        assert args[0] in out.stderr and "retention is off" not in out.stderr, out.stderr
    out = run_cli("prune", "--dry-run", "--keep-per-feed", "0", "--keep-days", "0", home=home)
    assert out.returncode == 0


def test_negative_or_fractional_config_values_name_the_file_and_key(tmp_path: Path) -> None:
    from briefreader.config import load_config
    from briefreader.housekeeping import retention_of

    path = tmp_path / "config.toml"
    path.write_text(
        f'keep_per_feed = 2.5\nkeep_days = -3\n[feeds."{FEED}"]\nkeep_per_feed = -1\n',
        encoding="utf-8",
    )
    result = load_config(path)
    assert len(result.problems) == 3, result.problems
    fraction, negative, per_feed = result.problems
    assert all(str(path) in p for p in result.problems)
    assert "keep_per_feed = 2.5" in fraction and "whole number" in fraction
    assert "keep_days = -3" in negative and "negative" in negative
    assert "feeds" in per_feed and "keep_per_feed = -1" in per_feed
    # The feed's broken value keeps its articles: never the general rule instead.
    assert result.config.keep_per_feed == 0
    assert retention_of(result.config).for_feed(FEED) == (0, 0)


def test_old_articles_fetched_recently_are_explained(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    with Library(path) as lib:
        feed, _ = lib.add_feed(FEED)
        lib.store(
            [
                Article(
                    id=f"old-{i}",
                    title=f"Story {i}",
                    url=f"https://news.example/{i}",
                    published=datetime(2020, 3, 1 + i, tzinfo=UTC),
                    body="Harbour works continue. " * 10,
                    origin=FEED,
                )
                for i in range(10)
            ],
            feed_id=feed.id,
        )
    out = run_cli("prune", "--keep-days", "30", "--dry-run", home=home, check=True)
    assert "0 articles would go from 0 feeds" in out.stderr
    assert "10 articles published before " in out.stderr, out.stderr
    assert "were fetched within the last 30 days and are kept" in out.stderr
    assert "keep_days counts from when an article arrived" in out.stderr
    data = json.loads(run_cli("prune", "--keep-days", "30", "--json", home=home).stdout)
    assert data["kept_arrived_recently"] == 10 and data["articles"] == 0
    # Taken by keep_per_feed anyway: not counted as kept.
    out = run_cli("prune", "--keep-days", "30", "--keep-per-feed", "4", "--dry-run", home=home)
    assert "6 articles would go" in out.stderr and "4 articles published before" in out.stderr
    out = run_cli("prune", "--keep-per-feed", "4", "--dry-run", home=home)
    assert "published before" not in out.stderr
