"""A big library's ``export > all.json`` is over the size a file is read whole at:
``add`` reads such a JSON list a batch at a time (sources/jsonstream.py) and gives
the same articles and state as reading it whole; a damaged or cut-short list keeps
what came before the damage and names the file and the item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit import run_cli

from briefreader.ingest import import_paths
from briefreader.sources import SourceError, jsonstream, read_file
from briefreader.sources.jsonstream import read_json_list
from briefreader.store import Library


def exported(n: int, **extra: object) -> dict[str, object]:
    return {
        "id": f"art{n:05d}",
        "title": f"Harbour story {n}",
        "url": f"https://news.example/{n}",
        "body": f"Paragraph {n} about the cranes.\n\nAnd a second one, with “quotes”.",
        "read_at": "2026-11-01T10:00:00+00:00" if n % 3 == 0 else None,
        "starred_at": "2026-11-02T10:00:00+00:00" if n % 7 == 0 else None,
        "feed_url": "",
        **extra,
    }


def whole_and_streamed(path: Path, batch: int) -> tuple[object, object]:
    whole = read_file(path)
    parts = list(read_json_list(path, batch=batch))
    streamed_articles = [a for p in parts for a in p.articles]
    streamed_states = {k: v for p in parts for k, v in p.states.items()}
    return (
        ([a.to_dict() for a in whole.articles], whole.states),
        ([a.to_dict() for a in streamed_articles], streamed_states),
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(1, 30), batch=st.integers(1, 8), indent=st.sampled_from([None, 2, "\t"]))
def test_streamed_reads_what_a_whole_read_reads(
    tmp_path: Path, n: int, batch: int, indent: int | str | None
) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps([exported(i) for i in range(n)], indent=indent), encoding="utf-8")
    whole, streamed = whole_and_streamed(path, batch)
    assert streamed == whole


def test_add_restores_an_export_too_large_to_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps([exported(i) for i in range(2500)], indent=2), encoding="utf-8")
    monkeypatch.setattr(jsonstream, "MAX_FILE_BYTES", 100_000)  # (the file: ~1 MB)
    monkeypatch.setattr(jsonstream, "BATCH", 300)
    assert path.stat().st_size > 100_000
    with Library(tmp_path / "lib.sqlite3") as lib:
        report = import_paths(lib, [str(path)])
        assert report.ok and report.added == 2500, report.errors
        states = lib.states()
        assert sum(1 for s in states.values() if s.read_at) == len(range(0, 2500, 3))
        assert sum(1 for s in states.values() if s.starred_at) == len(range(0, 2500, 7))


def test_the_real_limit_sends_a_big_list_to_the_stream_and_a_big_object_away(
    tmp_path: Path,
) -> None:
    """At the real limit (16 MB): a list is read; any other JSON that large is refused
    as before."""
    home = tmp_path / "home"
    body = "word " * 4000
    items = [exported(i, body=body) for i in range(900)]
    big = tmp_path / "big.json"
    big.write_text(json.dumps(items), encoding="utf-8")
    assert big.stat().st_size > 16 * 1024 * 1024
    out = run_cli("add", str(big), home=home)
    assert out.returncode == 0, out.stderr
    assert "900 added" in out.stderr
    obj = tmp_path / "object.json"
    obj.write_text(json.dumps({"articles": items}), encoding="utf-8")
    out = run_cli("add", str(obj), home=home)
    assert out.returncode == 1 and "too large" in out.stderr


def test_a_damaged_or_cut_short_list_keeps_what_came_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonstream, "MAX_FILE_BYTES", 2_000)
    text = json.dumps([exported(i) for i in range(50)], indent=2)
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    with Library(tmp_path / "lib.sqlite3") as lib:
        monkeypatch.setattr(jsonstream, "BATCH", 10)
        report = import_paths(lib, [str(cut)])
        assert report.failed == 1 and str(cut) in report.errors[0]
        assert "item" in report.errors[0]
        assert 20 <= report.added < 50  # the batches before the cut
    odd = tmp_path / "odd.json"
    items: list[object] = [exported(i) for i in range(40)]
    items[5] = "not an article"
    items[9] = 42
    odd.write_text(json.dumps(items), encoding="utf-8")
    parts = list(read_json_list(odd, batch=7))
    assert sum(len(p.articles) for p in parts) == 38
    assert any("2 items left out" in w and str(odd) in w for p in parts for w in p.warnings)
    for bad in ("{}", "[1, 2", "[", '[{"id": "x"} {"id": "y"}]'):
        path = tmp_path / "bad.json"
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(SourceError):
            list(read_json_list(path))
