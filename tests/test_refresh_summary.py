"""The refresh summary (``briefreader refresh`` and the app's toast start alike): a
feed that failed or was skipped is never counted as refreshed."""

from __future__ import annotations

from briefreader.refresh import FeedOutcome, RefreshReport


def report(*statuses: str) -> RefreshReport:
    return RefreshReport(
        [FeedOutcome(f"http://x/{n}", "", s, added=1 if s == "new" else 0)  # type: ignore[arg-type]
         for n, s in enumerate(statuses)],
        seconds=0.25,
    )  # fmt: skip


def test_all_failed_is_none_refreshed() -> None:
    assert report("failed").headline() == "0 of 1 feed refreshed, 1 failed"
    assert report("failed", "failed", "failed").summary() == (
        "0 of 3 feeds refreshed, 3 failed: 0 new items, 0 updated, 0 not modified in 0.2 s"
    )


def test_some_failed_or_skipped() -> None:
    assert report("new", "failed", "skipped").headline() == (
        "1 of 3 feeds refreshed, 1 failed, 1 skipped"
    )


def test_none_failed() -> None:
    assert report("new", "not-modified").headline() == "2 feeds refreshed"
    assert report("new").summary().startswith("1 feed refreshed: 1 new item,")


def test_an_account_is_counted_apart_from_feeds() -> None:
    account = FeedOutcome("me@http://127.0.0.1/api/greader.php", "me", "new", added=4)
    assert RefreshReport([account]).headline() == "1 account synced"
    both = RefreshReport([account, *report("new", "failed").outcomes])
    assert both.headline() == "1 account synced; 1 of 2 feeds refreshed, 1 failed"
    down = FeedOutcome(account.url, "me", "failed", error="login: connection refused")
    assert RefreshReport([down]).headline() == "0 of 1 account synced, 1 failed"
