"""The headless commands, run as a person or a script would (in this process; the
entry point itself once as a real subprocess)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkit import CliResult, run_cli

from briefreader.model import Analysis, Article, RelatedLink
from briefreader.sources import clean_article, read_file
from briefreader.store import Library

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "compute-wall.brief.txt"
DATA = Path(__file__).resolve().parent / "data"


def run(*args: str, home: Path, check: bool = False) -> CliResult:
    return run_cli(*args, home=home, check=check)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_version_and_help(home: Path) -> None:
    out = run_cli("--version", home=home, subprocess=True, check=True)
    assert out.stdout.startswith("briefreader ")
    out = run("--help", home=home, check=True)
    for command in ("show", "add", "search", "export", "list"):
        assert command in out.stdout


def test_usage_error_exits_2(home: Path) -> None:
    assert run("frobnicate", home=home).returncode == 2
    assert run("show", home=home).returncode == 2
    out = run("export", "--format", "markdown", home=home)
    assert out.returncode == 2
    assert "--out" in out.stderr
    # The command's own usage, not the whole program's (a newcomer's trial).
    assert out.stderr.startswith("usage: briefreader export "), out.stderr


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/samples not present")
def test_show_the_sample_brief_as_json(home: Path) -> None:
    out = run("show", str(SAMPLE), "--format", "json", home=home, check=True)
    data = json.loads(out.stdout)
    assert set(data) == {
        "id", "title", "summary", "url", "source", "author", "published", "image_caption",
        "takeaways", "takeaways_derived", "analysis", "body", "tags", "related", "origin",
        "image_url", "image_alt", "enclosures",
    }  # fmt: skip
    assert data["source"] == "China Daily Brief"
    assert len(data["takeaways"]) == 5
    assert data["takeaways"][0].startswith("Microsoft has formally ended")
    assert data["analysis"]["label"] == "Editor's Desk"
    assert data["analysis"]["title"] == "Strategic Analysis"
    assert data["analysis"]["byline"] == "China Daily Brief Editorial"
    assert data["analysis"]["kicker"] == "Strategic Insight"
    assert len(data["body"].split("\n\n")) == 4
    for chrome in ("Share Article", "Related Articles", "No related articles found"):
        assert chrome not in data["body"]
    assert not home.exists(), "show must not touch the library"


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/samples not present")
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_show_text_and_markdown_read_back(home: Path, tmp_path: Path, fmt: str) -> None:
    out = run("show", str(SAMPLE), "--format", fmt, home=home, check=True)
    again = tmp_path / ("again.txt" if fmt == "text" else "again.md")
    again.write_text(out.stdout, encoding="utf-8")
    original = read_file(SAMPLE).articles[0]
    reread = read_file(again).articles[0]
    assert reread.title == original.title
    assert reread.takeaways == original.takeaways
    assert reread.analysis is not None and original.analysis is not None
    assert reread.analysis.title == original.analysis.title


def test_show_bad_file_is_one_line_and_exit_1(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"title": ', encoding="utf-8")
    out = run("show", str(bad), home=home)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.json" in lines[0]


def _write_articles(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "strike.md").write_text(
        "---\ntitle: Dockers strike at Kellport\nsource: Quay Times\n"
        "url: https://quay.example/strike\npublished: 2026-11-20T08:00:00+00:00\n---\n\n"
        "Cranes stood idle.\n\n## Key Takeaways\n\n1. Ships queue offshore.\n2. Talks resume Friday.\n\n"
        "## Story\n\nThe dockers' union walked out at dawn over automation plans.\n",
        encoding="utf-8",
    )
    (folder / "rates.json").write_text(
        json.dumps(
            {
                "title": "Reserve bank holds rates",
                "source": "Ledger",
                "url": "https://ledger.example/rates",
                "published": "2026-11-21T12:00:00Z",
                "body": "The reserve bank held its policy rate, citing sticky services inflation.",
            }
        ),
        encoding="utf-8",
    )
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (folder / "broken.json").write_text("[1, 2", encoding="utf-8")


def test_add_reports_and_keeps_going(home: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    _write_articles(src)
    out = run("add", str(src), "--json", home=home)
    assert out.returncode == 1  # one file failed
    report = json.loads(out.stdout)
    assert (report["added"], report["failed"], report["skipped"]) == (2, 1, 1)
    assert any("broken.json" in e for e in report["errors"])
    assert any("photo.png" in n for n in report["notes"])
    # again: nothing new, the state is kept
    with Library(home / "library.sqlite3") as lib:
        art = lib.find("https://quay.example/strike")
        assert art is not None
        lib.set_starred(art.id)
    (src / "broken.json").unlink()
    out = run("add", str(src), "--json", home=home)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 2)
    with Library(home / "library.sqlite3") as lib:
        assert lib.count("starred") == 1


def test_add_glob_and_missing_file(home: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    _write_articles(src)
    out = run("add", str(src / "*.md"), str(tmp_path / "nope.txt"), "--json", home=home)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["added"] == 1
    assert any("nope.txt" in e and "no such file" in e for e in report["errors"])


def test_an_address_that_is_not_http_says_what_is_read(home: Path, tmp_path: Path) -> None:
    """A newcomer's trial: ``show ftp://x/y`` said only "/tmp/ftp:/x/y: no such file"."""
    hint = "(as an address: only http:// and https:// ones are read)"
    for args in (("show", "ftp://x.example/y"), ("add", "htp:/bad"), ("add", "feed://x/y")):
        out = run(*args, home=home)
        assert out.returncode == 1, out
        assert "no such file" in out.stderr and hint in out.stderr, out.stderr
    out = run("add", str(tmp_path / "nope.md"), home=home)
    assert "no such file" in out.stderr and "as an address" not in out.stderr
    # An address without its scheme (the app's add dialog takes one) says how to write
    # it: "127.0.0.1:8766" had no hint at all.
    for name, first, second in (
        ("127.0.0.1:8766", "http", "https"),
        ("localhost/feed.xml", "http", "https"),
        ("www.example.org", "https", "http"),
        ("example.org/rss", "https", "http"),
        ("news.example.org:8443/feed", "https", "http"),
    ):
        out = run("add", name, home=home)
        assert out.returncode == 1, out
        hint = f"(as an address: give it its scheme, {first}://{name} or {second}://{name})"
        assert hint in out.stderr, out.stderr
    for name in (
        "notes.md",
        "1.2",
        "v2.0",
        "v1.2/README",
        "notes.d/today.md",
        "archive.2024/a.html",
    ):
        out = run("add", name, home=home)
        assert "as an address" not in out.stderr, out.stderr


def test_search_json_and_text(home: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    _write_articles(src)
    run("add", str(src), home=home)
    out = run("search", "automation", "--json", home=home, check=True)
    hits = json.loads(out.stdout)
    assert [h["title"] for h in hits] == ["Dockers strike at Kellport"]
    assert {"id", "title", "score", "snippet", "origin", "url"} <= set(hits[0])
    assert "automation" in hits[0]["snippet"]
    out = run("search", "rates", home=home, check=True)
    assert "Reserve bank holds rates" in out.stdout
    out = run("search", "zzzznothing", "--json", home=home, check=True)
    assert json.loads(out.stdout) == []
    # Whole words, unless a word ends in * (the app's search also takes the last word
    # as a prefix: "automat" finds it there as you type).
    assert json.loads(run("search", "automat", "--json", home=home, check=True).stdout) == []
    out = run("search", "automat*", "--json", home=home, check=True)
    assert [h["title"] for h in json.loads(out.stdout)] == ["Dockers strike at Kellport"]
    # A word beginning with - is a word of the query, before or after the options
    # (argparse took it for an unknown option: "the following arguments are required").
    library = str(home / "library.sqlite3")
    for args in (
        ["search", "-automation", "--json"],
        ["search", "--json", "-automation"],
        ["search", "-automation", "--limit", "5", "--json"],
        ["search", "--js", "--lim=5", "-automation"],  # (argparse's abbreviations)
        ["--library", library, "search", "--json", "-automation"],
    ):
        out = run(*args, home=home)
        assert out.returncode == 0, (args, out.stderr)
        assert [h["title"] for h in json.loads(out.stdout)] == ["Dockers strike at Kellport"]
    out = run("search", "--lim", "1", "--js", "rates", home=home, check=True)
    assert [h["title"] for h in json.loads(out.stdout)] == ["Reserve bank holds rates"]


def test_export_json_and_markdown_reimport_losslessly(home: Path, tmp_path: Path) -> None:
    src = tmp_path / "in"
    _write_articles(src)
    (src / "broken.json").unlink()
    run("add", str(src), home=home, check=True)
    with Library(home / "library.sqlite3") as lib:
        before = {a.id: a.to_dict() for a in lib.articles()}
    for fmt in ("json", "markdown"):
        out_dir = tmp_path / f"export-{fmt}"
        run("export", "--format", fmt, "--out", str(out_dir), home=home, check=True)
        other = tmp_path / f"home-{fmt}"
        run("add", str(out_dir), home=other, check=True)
        with Library(other / "library.sqlite3") as lib:
            after = {a.id: a.to_dict() for a in lib.articles()}
        assert after == before, fmt
    out = run("export", home=home, check=True)
    assert {a["id"] for a in json.loads(out.stdout)} == set(before)


def test_add_samples_then_list(home: Path) -> None:
    # Reading commands never write: an empty library stays empty.
    assert json.loads(run("list", "--json", home=home, check=True).stdout) == []
    run("add", "--samples", "-q", home=home, check=True)
    out = run("list", "--json", home=home, check=True)
    rows = json.loads(out.stdout)
    assert len(rows) >= 12
    sources = {r["source"] for r in rows}
    assert len(sources) >= 4


def test_list_lines_show_the_id_and_both_marks(home: Path) -> None:
    # (A newcomer trial: show, mark and delete take an id, and only `list --json` gave
    # one; a starred unread article showed only its star.)
    run("add", "--samples", "-q", home=home, check=True)
    rows = json.loads(run("list", "--json", home=home, check=True).stdout)
    run("mark", "--star", rows[0]["id"], home=home, check=True)
    run("mark", "--read", "--star", rows[1]["id"], home=home, check=True)
    lines = run("list", home=home, check=True).stdout.splitlines()
    first, second, third = rows[0], rows[1], rows[2]
    assert lines[0].startswith("●★ ") and f"  {first['id']}  {first['title']}  (" in lines[0]
    assert lines[1].startswith(" ★ ") and f"  {second['id']}  {second['title']}" in lines[1]
    assert lines[2].startswith("●  ") and f"  {third['id']}  " in lines[2]
    shown = run("show", lines[2].split()[2], home=home, check=True).stdout
    assert third["title"] in shown


def test_bundled_samples_all_parse() -> None:
    from briefreader.ingest import sample_paths

    paths = sample_paths()
    assert len(paths) >= 12
    for path in paths:
        art = read_file(path).articles[0]
        assert art.title and art.takeaways and art.body, path
        assert art.published is not None, path


# -- export -> import round-trips every field (property) ---------------------------

_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60
)
_line = _text.map(lambda s: s.replace("\n", " "))


@st.composite
def articles(draw: st.DrawFn) -> Article:
    analysis = draw(
        st.none()
        | st.builds(
            Analysis,
            body=_text.filter(str.strip),
            label=_line,
            title=_line,
            byline=_line,
            kicker=_line,
        )
    )
    art = Article(
        id=draw(st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)),
        title=draw(_line.filter(str.strip)),
        summary=draw(_text),
        url=draw(st.sampled_from(["", "https://x.example/a?b=1&c=[2]", "http://y.example/"])),
        source=draw(_line),
        author=draw(_line),
        image_caption=draw(_line),
        takeaways=tuple(draw(st.lists(_line, max_size=6))),
        takeaways_derived=draw(st.booleans()),
        analysis=analysis,
        body=draw(_text),
        tags=tuple(draw(st.lists(_line, max_size=3))),
        related=tuple(
            draw(
                st.lists(
                    st.builds(RelatedLink, title=_line, url=st.just("https://r.example/1")),
                    max_size=2,
                )
            )
        ),
        origin=draw(
            st.from_regex(r"(/[a-z ]{1,8}){1,3}\.md|https://f\.example/[a-z]{1,8}", fullmatch=True)
        ),
    )
    return clean_article(art)


@pytest.mark.first  # (long: handed out first, see tests/conftest.py)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(arts=st.lists(articles(), min_size=1, max_size=4, unique_by=lambda a: a.id))
def test_export_import_round_trips_every_field(
    tmp_path: Path, _empty_library_template: Path, arts: list[Article]
) -> None:
    from briefreader.ingest import import_paths

    run_dir = tmp_path / os.urandom(4).hex()
    run_dir.mkdir()
    for name in ("a", "b-json", "b-markdown"):  # (a new library is ~11 ms of migrations)
        shutil.copyfile(_empty_library_template, run_dir / f"{name}.sqlite3")
    with Library(run_dir / "a.sqlite3") as lib:
        lib.store(arts)
        before = sorted((a.to_dict() for a in lib.articles()), key=lambda d: d["id"])
    for fmt in ("json", "markdown"):
        out_dir = run_dir / fmt
        from briefreader.cli import main

        with Library(run_dir / "a.sqlite3"):
            pass
        assert (
            main(
                [
                    "export",
                    "--library",
                    str(run_dir / "a.sqlite3"),
                    "--format",
                    fmt,
                    "--out",
                    str(out_dir),
                ]
            )
            == 0
        )
        with Library(run_dir / f"b-{fmt}.sqlite3") as other:
            report = import_paths(other, [str(out_dir)])
            assert report.failed == 0, report.errors
            after = sorted((a.to_dict() for a in other.articles()), key=lambda d: d["id"])
        assert after == before


def test_show_prints_a_library_article_by_its_id(home: Path) -> None:
    """`mark`, `delete` and `related` take an article's id; `show` read "…: no such file"."""
    run("add", "--samples", "-q", home=home, check=True)
    first = json.loads(run("list", "--json", home=home, check=True).stdout)[0]
    out = run("show", first["id"], home=home, check=True)
    assert first["title"] in out.stdout
    shown = json.loads(run("show", first["id"], "--format", "json", home=home, check=True).stdout)
    assert shown["id"] == first["id"] and shown["title"] == first["title"]
    missing = run("show", "0123456789abcdef", home=home)
    assert missing.returncode == 1
    assert "no such file, nor an article id in the library" in missing.stderr


def test_commands_that_change_a_library_make_none_when_there_is_none(home: Path) -> None:
    """mark, delete, remove, rename and refresh in a fresh home each left an empty
    library file behind (a newcomer's trial)."""
    library = home / "library.sqlite3"
    for args, status, said in (
        (("mark", "abc", "--read"), 1, "nothing to mark"),
        (("delete", "abc"), 1, "nothing to delete"),
        (("remove", "https://a.example/feed"), 1, "not subscribed to anything"),
        (("rename", "https://a.example/feed", "A"), 1, "not subscribed to anything"),
        (("refresh",), 0, "no feeds to refresh"),
    ):
        out = run(*args, home=home)
        assert out.returncode == status, (args, out.stderr)
        assert f"no library at {library} yet: {said}" in out.stderr, out.stderr
        assert not library.exists(), args
    out = run("refresh", "--json", home=home, check=True)
    assert json.loads(out.stdout)["feeds"] == [] and not library.exists()


def test_search_output_wraps_under_itself_without_trailing_blanks(tmp_path: Path) -> None:
    """A long title or snippet wraps indented under itself; the id and address stay
    on one line; no line ends in blanks (a narrow terminal, output piped)."""
    home = tmp_path / "home"
    brief = tmp_path / "long.md"
    brief.write_text(
        "---\nsource: The Harbour Ledger\n---\n# "
        + "Cranes idle at the container terminal as the dockers' strike enters a second week\n\n"
        + "The dockers' strike closed the container terminal again today. " * 6
        + "\n",
        encoding="utf-8",
    )
    run_cli("add", str(brief), home=home, check=True)
    out = run_cli("search", "dockers", home=home, env={"COLUMNS": "50"}, check=True)
    lines = out.stdout.splitlines()
    assert lines[0].startswith(" 1. Cranes idle") and len(lines) > 4
    assert all(line.startswith("    ") for line in lines[1:]), lines
    assert all(line == line.rstrip() for line in lines), lines
    assert all(len(line) <= 50 for line in lines[:-1]), lines
    assert lines[-1].split()[1] == str(brief)


def test_search_piped_into_a_reader_that_stops_exits_0(home: Path, tmp_path: Path) -> None:
    """A newcomer's trial: ``briefreader search Nokia | head -2`` exited 1, nothing said
    (Rich's console exits 1 on a closed pipe); ``list | head`` exits 0, as it should."""
    import subprocess
    import sys

    from testkit import BASE_ENV

    path = tmp_path / "many.sqlite3"
    with Library(path) as library:
        library.store(
            [
                Article(id=f"a{n}", title=f"Harbour story {n}", body="The harbour reopened. " * 40)
                for n in range(600)
            ]
        )
    env = {**os.environ, **BASE_ENV, "BRIEFREADER_HOME": str(home)}
    for command in (["search", "harbour", "--limit", "600"], ["list"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "briefreader", "--library", str(path), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()  # the reader takes a line and goes
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 0, (command, err)
        assert "Traceback" not in err and "Broken pipe" not in err, err


def test_add_of_a_folder_says_how_many_files_it_read_beside_those_it_skipped(
    home: Path, tmp_path: Path
) -> None:
    """(A newcomer's trial: "2 skipped … (4 files)" read as if 4 files were looked at.)"""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.md").write_text("# Harbour closes\n\nThe harbour closed today.\n", "utf-8")
    (folder / "two.md").write_text("# Ferry late\n\nThe ferry ran late again.\n", "utf-8")
    (folder / "data.bin").write_bytes(b"\x00\x01binary")
    err = run("add", str(folder), home=home).stderr
    assert "2 added" in err and "1 skipped" in err and "(2 files read)" in err, err
