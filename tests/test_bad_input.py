"""Bad, odd and hostile input files: one-line errors or warnings, never a traceback.

Everything goes through :func:`briefreader.sources.read_file` and
:func:`~briefreader.sources.expand_inputs`, as the command line and the TUI do.
Big and binary files are made in ``tmp_path``; small text fixtures are in
``tests/data/bad``.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefreader.model import Article
from briefreader.sources import MAX_FILE_BYTES, SourceError, expand_inputs, read_file

BAD = Path(__file__).parent / "data" / "bad"
GOOD_JSON = json.dumps({"title": "A good article", "body": "It reads fine."})
GOOD_HTML = "<html><head><title>A good page</title></head><body><p>Fine text.</p></body></html>"
GOOD_MD = "---\ntitle: A good note\n---\n\nSome Markdown text.\n"
GOOD_TXT = "A good brief\n\nThe dek of the brief.\n\nThe body paragraph of the brief.\n"


def error_for(path: Path) -> str:
    with pytest.raises(SourceError) as info:
        read_file(path)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{path}: "), message
    assert info.value.origin == str(path)
    return message


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# -- formats nobody reads ------------------------------------------------------------


def test_unknown_extension_with_unrecognisable_content() -> None:
    message = error_for(BAD / "notes.xyz")
    assert "not a recognised article format" in message


@pytest.mark.parametrize(
    "doc",
    [
        '<?xml version="1.0"?>\n<!-- a comment -->\n<rss version="2.0"><channel></channel></rss>',
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>',
    ],
)
def test_a_feed_file_on_disk_is_told_to_be_subscribed_by_its_address(
    tmp_path: Path, doc: str
) -> None:
    """A newcomer gave `add` and `show` a saved RSS file and read "not a recognised
    article format"; the same bytes over HTTP subscribe."""
    message = error_for(write(tmp_path, "feed.xml", doc))
    assert "an RSS or Atom feed, not an article file" in message
    assert "briefreader add URL" in message and "feed.xml" in message


def test_unknown_extension_with_recognisable_content(tmp_path: Path) -> None:
    path = write(tmp_path, "export.data", GOOD_JSON)
    assert [a.title for a in read_file(path).articles] == ["A good article"]


def test_no_such_file(tmp_path: Path) -> None:
    assert "no such file" in error_for(tmp_path / "missing.json")


def test_folder_given_to_read_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.json"
    folder.mkdir()
    assert "is a folder" in error_for(folder)


# -- empty and binary ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.json", "empty.html", "empty.txt", "empty.md", "empty"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    assert error_for(write(tmp_path, name, b"")).endswith(": empty file")


@pytest.mark.parametrize("name", ["blank.json", "blank.html", "blank.txt", "blank.md"])
def test_whitespace_only_file(tmp_path: Path, name: str) -> None:
    assert error_for(write(tmp_path, name, " \n\t\r\n   \n")).endswith(": empty file")


@pytest.mark.parametrize("name", ["noise.txt", "noise.json", "noise.html", "noise.bin"])
def test_random_binary(tmp_path: Path, name: str) -> None:
    rng = random.Random(1234)
    data = bytes(rng.randrange(256) for _ in range(4096)) + b"\x00\x00"
    assert "binary file" in error_for(write(tmp_path, name, data))


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.mark.parametrize("name", ["picture.png", "picture.html", "picture.txt"])
def test_png(tmp_path: Path, name: str) -> None:
    assert "binary file" in error_for(write(tmp_path, name, PNG))


def test_truncated_json() -> None:
    message = error_for(BAD / "truncated.json")
    assert "invalid JSON at line 1 column" in message


# -- encodings -----------------------------------------------------------------------


def test_windows_1252_json(tmp_path: Path) -> None:
    data = json.dumps({"title": "Café — naïve", "body": "“Smart” quotes…"}, ensure_ascii=False)
    path = write(tmp_path, "cp1252.json", data.encode("cp1252"))
    result = read_file(path)
    [art] = result.articles
    assert art.title == "Café — naïve"
    assert art.body == "“Smart” quotes…"
    assert len(result.warnings) == 1
    assert "decoded as windows-1252" in result.warnings[0]
    assert result.warnings[0].startswith(str(path))
    assert "\n" not in result.warnings[0]


def test_windows_1252_html(tmp_path: Path) -> None:
    html = "<html><head><title>Café — naïve</title></head><body><p>Crème brûlée.</p></body></html>"
    result = read_file(write(tmp_path, "cp1252.html", html.encode("cp1252")))
    [art] = result.articles
    assert (art.title, art.body) == ("Café — naïve", "Crème brûlée.")
    assert "decoded as windows-1252" in result.warnings[0]


def test_windows_1252_brief(tmp_path: Path) -> None:
    text = "Café — naïve\n\nA dek about the café.\n\nThe body of the brief, déjà vu.\n"
    result = read_file(write(tmp_path, "cp1252.txt", text.encode("cp1252")))
    assert result.articles[0].title == "Café — naïve"
    assert "decoded as windows-1252" in result.warnings[0]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    ("name", "content", "title"),
    [
        (
            "u16.json",
            json.dumps({"title": "Ünïcode — ok 東京"}, ensure_ascii=False),
            "Ünïcode — ok 東京",
        ),
        ("u16.html", "<title>Ünïcode — ok 東京</title><p>x</p>", "Ünïcode — ok 東京"),
        ("u16.txt", "Ünïcode — ok 東京\n\nBody text.\n", "Ünïcode — ok 東京"),
    ],
)
def test_utf16_with_bom(tmp_path: Path, encoding: str, name: str, content: str, title: str) -> None:
    bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
    result = read_file(write(tmp_path, name, bom + content.encode(encoding)))
    assert result.articles[0].title == title
    assert result.warnings == []


@pytest.mark.parametrize(
    ("name", "content"),
    [("bom.json", GOOD_JSON), ("bom.html", GOOD_HTML), ("bom.md", GOOD_MD), ("bom.txt", GOOD_TXT)],
)
def test_utf8_with_bom(tmp_path: Path, name: str, content: str) -> None:
    result = read_file(write(tmp_path, name, b"\xef\xbb\xbf" + content.encode("utf-8")))
    assert result.articles[0].title.startswith("A good")
    assert not result.articles[0].title.startswith("\ufeff")
    assert result.warnings == []


def test_mostly_utf8_with_a_few_bad_bytes(tmp_path: Path) -> None:
    good = json.dumps(
        {"title": "Ærø — façade", "body": "Straße BAD and more ünïcode"}, ensure_ascii=False
    )
    data = good.encode("utf-8").replace(b"BAD", b"\xff\xfe\xc3")
    result = read_file(write(tmp_path, "mixed.json", data))
    [art] = result.articles
    assert art.title == "Ærø — façade"
    assert art.body.startswith("Straße ") and art.body.endswith(" and more ünïcode")
    assert len(result.warnings) == 1
    assert "invalid UTF-8" in result.warnings[0] and "\n" not in result.warnings[0]


# -- size ----------------------------------------------------------------------------


def test_fifty_megabyte_file_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.write(b'{"title": "huge", "body": "')
        f.truncate(50 * 1024 * 1024)  # sparse: instant, and takes no disk
    start = time.thread_time()
    message = error_for(path)
    assert time.thread_time() - start < 1
    assert "too large" in message and "52.4 MB" in message


def test_just_under_the_limit_is_read(tmp_path: Path) -> None:
    body = "word " * ((MAX_FILE_BYTES - 1000) // 5)
    path = write(tmp_path, "big.json", json.dumps({"title": "Big", "body": body}))
    assert os.path.getsize(path) < MAX_FILE_BYTES
    assert read_file(path).articles[0].title == "Big"


def test_five_megabyte_single_line_text(tmp_path: Path) -> None:
    path = write(tmp_path, "one-line.txt", "Sentence without end " * 250_000)
    assert os.path.getsize(path) > 5_000_000
    start = time.thread_time()
    [art] = read_file(path).articles
    assert time.thread_time() - start < 10
    assert art.title and len(art.title) <= 200
    assert len(art.body) > 4_000_000  # nothing lost


# -- nesting -------------------------------------------------------------------------


def test_deeply_nested_html(tmp_path: Path) -> None:
    html = (
        "<html><body>" + "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000 + "</body></html>"
    )
    path = write(tmp_path, "deep.html", html)
    start = time.thread_time()
    message = error_for(path)
    assert time.thread_time() - start < 5
    assert "too deeply nested" in message


@pytest.mark.parametrize("opener", ["[", '{"a": '])
def test_deeply_nested_json(tmp_path: Path, opener: str) -> None:
    path = write(tmp_path, "deep.json", opener * 100_000)
    assert "too deeply nested" in error_for(path)


# -- a folder of mixed files ---------------------------------------------------------


def test_folder_with_good_bad_and_unknown_files(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    write(root, "a-good.json", GOOD_JSON)
    write(root, "b-good.html", GOOD_HTML)
    write(root, "sub/c-good.md", GOOD_MD)
    write(root, "sub/d-good.txt", GOOD_TXT)
    write(root, "e-broken.json", '{"title": "oops",')
    write(root, "f-empty.txt", "")
    write(root, "g-binary.html", PNG)
    write(root, "picture.png", PNG)
    write(root, ".hidden.json", GOOD_JSON)
    write(root, ".git/config.json", GOOD_JSON)

    entries = list(expand_inputs([str(root)]))
    paths = [p for p, _ in entries if p is not None]
    notes = [n for p, n in entries if p is None]
    assert sorted(p.name for p in paths) == [
        "a-good.json",
        "b-good.html",
        "c-good.md",
        "d-good.txt",
        "e-broken.json",
        "f-empty.txt",
        "g-binary.html",
    ]
    assert notes == [f"{root / 'picture.png'}: skipped, not an article file"]

    articles: list[Article] = []
    errors: list[str] = []
    for path in paths:
        try:
            articles += read_file(path).articles
        except SourceError as exc:
            errors.append(str(exc))
    assert sorted(a.title for a in articles) == [
        "A good article",
        "A good brief",
        "A good note",
        "A good page",
    ]
    assert sorted(errors) == [
        f"{root / 'e-broken.json'}: invalid JSON at line 1 column 18: Expecting property name"
        " enclosed in double quotes",
        f"{root / 'f-empty.txt'}: empty file",
        f"{root / 'g-binary.html'}: binary file, not text",
    ]


def test_glob_and_named_unknown_file(tmp_path: Path) -> None:
    write(tmp_path, "one.json", GOOD_JSON)
    write(tmp_path, "two.json", GOOD_JSON.replace("A good", "Another good"))
    write(tmp_path, "three.png", PNG)
    entries = list(expand_inputs([str(tmp_path / "*"), str(tmp_path / "three.png")]))
    assert [(p.name if p else None, n) for p, n in entries] == [
        ("one.json", ""),
        (None, f"{tmp_path / 'three.png'}: skipped, not an article file"),
        ("two.json", ""),
    ]
    # named directly, an unknown file is tried (and fails clearly) — but only once per run
    assert list(expand_inputs([str(tmp_path / "three.png")])) == [(tmp_path / "three.png", "")]


# -- terminal escapes and control characters -----------------------------------------

FORBIDDEN_IN_BLOCK = {chr(c) for c in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}
FORBIDDEN_IN_LINE = FORBIDDEN_IN_BLOCK | {"\t", "\n"}
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
BLOCK_FIELDS = {"summary", "body", "analysis.body"}


def strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, f"{key}.{k}" if key else k)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, key)


def assert_clean(article: Article) -> None:
    for key, text in strings(article.to_dict()):
        forbidden = FORBIDDEN_IN_BLOCK if key in BLOCK_FIELDS else FORBIDDEN_IN_LINE
        assert not (set(text) & (forbidden | BIDI)), (key, text)
        for payload in ("etc/passwd", "52;c", "[31m", "]8;", "Y3Vyb", "ZXZpbA", "evil.example"):
            assert payload not in text, (key, text)


def test_escapes_in_every_json_field() -> None:
    [art] = read_file(BAD / "escapes.json").articles
    assert_clean(art)
    assert art.title == "Red alert title evil"
    assert art.summary == "Copy this dek"
    assert art.author == "Mallory Link"
    assert art.source == "Escape Weekly"
    assert art.url == "https://escapes.example/story"
    assert art.takeaways == ("First blinking point", "Second point")
    assert art.tags == ("ok", "red")
    assert art.analysis is not None
    assert art.analysis.body == "Analysis body\n\twith tab"  # tab and newline kept
    assert art.body == "Para one hides the screen.\n\n\tIndented line\nwith CRLF isolate."


def test_escapes_in_html_character_references() -> None:
    [art] = read_file(BAD / "escapes.html").articles
    assert_clean(art)
    assert art.title == "Page title reversed"
    assert art.author == "Eve Link"
    assert art.takeaways == ("Point one", "Point two")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_raw_escape_bytes_in_text_files(tmp_path: Path, suffix: str) -> None:
    title = "Raw \x1b[31mred\x1b[0m title \x9b2J\u202eevil"
    body = (
        "Body \x1b]52;c;Y3VybA==\x07with clipboard write, \x1b]8;;file:///etc/passwd\x07a link"
        "\x1b]8;;\x07, a bell\x07 and\ttab.\n\nSecond paragraph of the body, long enough to"
        " make the few control characters a small share of the file."
    )
    if suffix == ".html":
        text = f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>"
    elif suffix == ".md":
        text = f"# {title}\n\n{body}\n"
    else:
        text = f"{title}\n\n{body}\n"
    [art] = read_file(write(tmp_path, "raw" + suffix, text.encode("utf-8"))).articles
    assert_clean(art)
    assert art.title == "Raw red title evil"
    text = f"{art.summary}\n{art.body}"  # readers may take the first paragraph as the dek
    assert "with clipboard write, a link, a bell and" in text


def test_nul_bytes_make_a_text_file_binary(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.txt", b"Title\x00\n\nBody\n")
    assert "binary file" in error_for(path)


def test_feeds_in_a_folder_are_skipped_with_how_to_follow_them(tmp_path: Path) -> None:
    """A newcomer's trial: RSS and Atom files in a folder were "skipped, not an article
    file", though ``show`` on one says to subscribe to the feed by its address."""
    write(tmp_path, "a.json", GOOD_JSON)
    for name in ("news.rss", "blog.atom", "subs.opml", "raw.png"):
        (tmp_path / name).write_bytes(b"<rss/>")
    notes = {
        n.split(": skipped, ")[0]: n.split(": skipped, ")[1]
        for p, n in expand_inputs([str(tmp_path)])
        if p is None
    }
    assert notes == {
        str(tmp_path / "blog.atom"): "a feed (subscribe to it by its address: briefreader add URL)",
        str(tmp_path / "news.rss"): "a feed (subscribe to it by its address: briefreader add URL)",
        str(tmp_path / "raw.png"): "not an article file",
        str(tmp_path / "subs.opml"): "a list of feeds (briefreader import FILE subscribes to them)",
    }
