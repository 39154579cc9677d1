"""``briefreader doctor --json`` gives fields, not printed lines: integrity, the
search index, counts, space, what it did; a damaged file's problem (and exit 1, the
JSON still whole).  The text output says what quick_check, free pages and
auto_vacuum mean."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from test_doctor import checkpoint, filled
from testkit import run_cli


def test_doctor_json_has_fields(tmp_path: Path) -> None:
    home = tmp_path / "home"
    filled(home / "library.sqlite3", 20)
    out = run_cli("doctor", "--json", home=home, check=True)
    data = json.loads(out.stdout)
    assert data["ok"] is True and data["integrity_ok"] is True
    assert data["integrity_check"] == "quick_check" and data["search_index"] == "ok"
    assert data["problems"] == [] and data["read_only"] is False
    assert data["counts"] == {"articles": 20, "starred": 0, "feeds": 1, "tombstones": 0}
    space = data["space"]
    assert space["file_bytes"] > 0 and space["free_pages"] >= 0
    assert space["auto_vacuum"] == "incremental"
    assert data["did"] == ["tidied"] and data["tidy"]["statistics_updated"] is True
    assert data["schema_version"] == data["schema_current"]
    data = json.loads(run_cli("doctor", "--json", "--full", home=home, check=True).stdout)
    assert data["integrity_check"] == "integrity_check" and data["integrity_ok"] is True


def test_doctor_json_on_a_damaged_file_names_the_problem(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path, 300)
    checkpoint(path)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        for offset in range(size // 3, size // 3 + 16 * 4096, 4096):
            f.seek(offset)
            f.write(os.urandom(4096))
    out = run_cli("doctor", "--json", home=home)
    assert out.returncode == 1
    data = json.loads(out.stdout)  # whole JSON: no problem lines printed around it
    assert data["ok"] is False and data["integrity_ok"] is False
    assert data["problems"] and all(isinstance(p, str) and p for p in data["problems"])
    assert "damaged" in out.stderr


def test_doctor_json_on_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "library.sqlite3").write_bytes(b"not sqlite at all " * 500)
    out = run_cli("doctor", "--json", home=home)
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["ok"] is False and data["problems"], data


def test_doctor_says_what_its_words_mean(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path, 20)
    out = run_cli("doctor", home=home, check=True).stdout
    assert "quick_check: ok (SQLite's quick look at every page" in out, out
    assert "free pages (" in out and "room inside the file left by removed articles" in out
    assert "auto_vacuum incremental: after a large prune, free pages are given back" in out
    db = sqlite3.connect(path)
    db.execute("PRAGMA auto_vacuum = NONE")
    db.execute("VACUUM")
    db.close()
    out = run_cli("doctor", home=home, check=True).stdout
    assert "auto_vacuum none: a file made by an older briefreader" in out
    assert "doctor --vacuum" in out


def test_json_commands_print_json_with_no_library_or_no_feeds(tmp_path: Path) -> None:
    """A script reads stdout: `doctor --json`, `prune --json` and `refresh --json` wrote
    nothing there when there was no library (or no feed), only a line on stderr."""
    home = tmp_path / "home"
    doctor = json.loads(run_cli("doctor", "--json", home=home, check=True).stdout)
    assert doctor["exists"] is False and doctor["ok"] is True and doctor["problems"] == []
    for args in (("prune", "--json"), ("prune", "--dry-run", "--json")):
        pruned = json.loads(run_cli(*args, home=home, check=True).stdout)
        assert pruned["articles"] == 0 and pruned["feeds"] == []
        assert pruned["dry_run"] is ("--dry-run" in args)
    assert not (home / "library.sqlite3").exists()  # (reading commands never make one)
    filled(home / "library.sqlite3", 0)
    with sqlite3.connect(home / "library.sqlite3") as db:
        db.execute("DELETE FROM feeds")
    refreshed = json.loads(run_cli("refresh", "--json", home=home, check=True).stdout)
    assert refreshed == {
        "totals": {
            "feeds": 0,
            "new_items": 0,
            "updated_items": 0,
            "not_modified": 0,
            "failed": 0,
            "skipped": 0,
        },
        "feeds": [],
    }
    assert json.loads(run_cli("doctor", "--json", home=home, check=True).stdout)["exists"] is True


def test_doctor_on_a_file_that_is_no_library_says_so(tmp_path: Path) -> None:
    """A newcomer's trial: ``doctor`` on a text file said "the library is damaged …
    restore it from a backup", and on another program's SQLite file "no such table:
    articles_fts"; ``list`` said "not a briefreader library"."""
    home = tmp_path / "home"
    home.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("a shopping list\n")
    other = tmp_path / "other.sqlite3"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (a)")
    db.commit()
    db.close()
    for path, why in (
        (text, "(not an SQLite file)"),
        (other, "(an SQLite file with other tables)"),
    ):
        out = run_cli("--library", str(path), "doctor", home=home)
        assert out.returncode == 1, out
        line = out.stderr.strip()
        assert line.startswith(f"briefreader: {path}: not a briefreader library {why}"), line
        assert "pass another --library" in line and "damaged" not in line, line
        assert "Traceback" not in out.stderr and "no such table" not in out.stderr
    assert other.read_bytes()[:16] == b"SQLite format 3\x00"  # untouched


def test_doctor_still_checks_a_library_made_by_a_newer_briefreader(tmp_path: Path) -> None:
    """Telling another program's file apart must not turn away a newer library: its
    pages and indexes are checked as before (a review of the change above)."""
    home = tmp_path / "home"
    path = home / "library.sqlite3"
    filled(path, 3)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 999")
    db.commit()
    db.close()
    out = run_cli("doctor", home=home)
    assert out.returncode == 0, out.stderr
    assert "made by a newer briefreader" in out.stdout and "quick_check: ok" in out.stdout
