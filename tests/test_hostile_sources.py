"""Hostile input to the readers and the feed parser: special files, lone surrogates,
entity amplification, items that share a link.  Each fails with one line naming the
file or feed, in bounded time and memory, and loses nothing already stored."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from testkit import CliResult, run_cli

from briefreader.sources import SourceError, expand_inputs, read_file


def run(*args: str, home: Path, timeout: float = 60) -> CliResult:
    # a real process: a hang is cut by the timeout, and refresh forks workers
    return run_cli(*args, home=home, subprocess=True, timeout=timeout)


def one_error_line(out: CliResult, path: Path | str) -> str:
    lines = [line for line in out.stderr.splitlines() if str(path) in line]
    assert lines, out.stderr
    assert "Traceback" not in out.stderr, out.stderr
    return lines[0]


# ---------------------------------------------------------------------------------
# special files (item 9)

needs_posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def within(seconds: float, fn: Callable[[], Any], fifo: Path | None = None) -> Any:
    """``fn()`` in a thread, failing the test if it takes longer than ``seconds``
    (a reader stuck opening ``fifo`` is then released by opening its other end)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the test below
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"still running after {seconds} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


@needs_posix
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    with pytest.raises(SourceError) as info:
        within(10, lambda: read_file(fifo), fifo)
    assert str(info.value) == f"{fifo}: not a regular file"


@needs_posix
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_symlink_to_a_device_is_refused(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    link = tmp_path / "a.txt"
    link.symlink_to(device)
    with pytest.raises(SourceError) as info:
        read_file(link)
    assert str(info.value) == f"{link}: not a regular file"


@needs_posix
def test_folder_walk_skips_special_files(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A brief\n\nIts dek.\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    if os.path.exists("/dev/zero"):
        (tmp_path / "zero.md").symlink_to("/dev/zero")
    found = list(expand_inputs([str(tmp_path)]))
    files = [p.name for p, _ in found if p is not None]
    notes = [n for p, n in found if p is None]
    assert files == ["good.txt"]
    assert any("pipe.txt: skipped, not a regular file" in n for n in notes)
    # and through a glob
    found = list(expand_inputs([str(tmp_path / "*.txt")]))
    assert [p.name for p, _ in found if p is not None] == ["good.txt"]


@needs_posix
@pytest.mark.parametrize("command", ["show", "add"])
def test_show_and_add_refuse_a_fifo_and_dev_zero(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    targets = [fifo]
    if os.path.exists("/dev/zero"):
        zero = tmp_path / "a.txt"
        zero.symlink_to("/dev/zero")
        targets.append(zero)
    for target in targets:
        out = run(command, str(target), home=tmp_path / "home", timeout=30)
        assert out.returncode == 1, out.stderr
        assert one_error_line(out, target).endswith(f"{target}: not a regular file")


@needs_posix
def test_import_opml_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "subs.opml"
    os.mkfifo(fifo)
    out = run("import", str(fifo), home=tmp_path / "home", timeout=30)
    assert out.returncode == 1, out.stderr
    assert one_error_line(out, fifo).endswith(f"{fifo}: not a regular file")


# ---------------------------------------------------------------------------------
# lone surrogates (item 7)

LONE = "\ud800"


def surrogate_article() -> str:
    # json.dumps writes the lone surrogate as the escape \ud800: valid JSON text
    return json.dumps(
        {
            "title": f"Harbour {LONE}reopens",
            "body": f"The harbour reopened {LONE}today after three weeks.\n\nMore{LONE}.",
            "takeaways": [f"First {LONE}point", "Second point"],
            "tags": [f"ports{LONE}"],
            "author": f"Jo {LONE}Bloggs",
        }
    )


def test_lone_surrogates_are_replaced_in_every_field(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(surrogate_article(), encoding="utf-8")
    (art,) = read_file(path).articles
    text = json.dumps(art.to_dict(), ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogate left anywhere
    assert art.title == "Harbour \ufffdreopens"
    assert art.takeaways[0] == "First \ufffdpoint"


def test_show_json_and_add_with_lone_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(surrogate_article(), encoding="utf-8")
    home = tmp_path / "home"
    out = run("show", "--format", "json", str(path), home=home)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["title"] == "Harbour \ufffdreopens"
    out = run("add", str(path), home=home)
    assert out.returncode == 0, out.stderr
    out = run("list", "--json", home=home)
    assert out.returncode == 0, out.stderr
    assert "Harbour \ufffdreopens" in out.stdout


def test_json_feed_with_lone_surrogates_subscribes_and_refreshes(tmp_path: Path) -> None:
    from fetchserver import FetchServer

    feed = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"Surrogate {LONE}News",
            "home_page_url": "https://site.example/",
            "items": [
                {
                    "id": f"item-{LONE}1",
                    "url": "https://site.example/1",
                    "title": f"Bridge {LONE}reopens",
                    "content_html": f"<p>The bridge {LONE}reopened today.</p>",
                    "tags": [f"bridges{LONE}"],
                    "authors": [{"name": f"Al {LONE}Writer"}],
                }
            ],
        }
    ).encode("ascii")
    home = tmp_path / "home"
    with FetchServer() as server:
        server.add("/feed.json", feed, content_type="application/feed+json")
        out = run("add", server.url("/feed.json"), home=home)
        assert out.returncode == 0, out.stderr
        out = run("refresh", home=home)
        assert out.returncode == 0, out.stderr
        out = run("refresh", home=home)
        assert out.returncode == 0, out.stderr
    out = run("list", "--json", home=home)
    assert out.returncode == 0, out.stderr
    assert "Bridge \ufffdreopens" in out.stdout


@pytest.mark.parametrize("ref", ["&#xD800;", "&#55296;", "&#xDFFF;", "&#x110000;", "&#0;"])
def test_xml_character_reference_to_a_non_character_does_not_sink_the_feed(ref: str) -> None:
    from briefreader.sources.feed import parse_feed

    doc = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>News{ref}</title>'
        f"<item><title>A{ref}b</title><link>https://x.example/a</link>"
        f"<description>&lt;p&gt;x{ref}y&lt;/p&gt;</description></item></channel></rss>"
    ).encode()
    feed = parse_feed(doc, url="https://x.example/f")
    (art,) = feed.items
    assert art.title == "A\ufffdb"
    json.dumps(art.to_dict(), ensure_ascii=False).encode("utf-8")


def test_stored_text_fields_are_capped() -> None:
    from briefreader.textclean import MAX_BLOCK_CHARS, MAX_LINE_CHARS, clean_block, clean_line

    body = clean_block(("a line of text\n" * 100) * (MAX_BLOCK_CHARS // 1000))
    assert len(body) <= MAX_BLOCK_CHARS
    assert body.endswith("characters]") and "was cut" in body
    assert len(clean_line("t" * (10 * MAX_LINE_CHARS))) == MAX_LINE_CHARS


# ---------------------------------------------------------------------------------
# entity amplification (item 8)

BIG = 500_000  # a 500 KB literal ...
REFS = 60  # ... referenced 60 times: 30 MB if expanded (within expat's own limit)


def _amplifying(prolog: str, decls: str, root: str = "rss") -> str:
    refs = "&big;" * REFS
    if root == "rss":
        body = (
            '<rss version="2.0"><channel><title>T</title><item><title>Item</title>'
            f"<link>https://site.example/1</link><description>{refs}</description>"
            "</item></channel></rss>"
        )
    elif root == "feed":
        body = (
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>Item</title>'
            f'<link href="https://site.example/1"/><content>{refs}</content></entry></feed>'
        )
    else:
        body = (
            '<opml version="2.0"><head><title>T</title></head><body>'
            f'<outline text="{refs}" type="rss" xmlUrl="https://site.example/f?{refs}"/>'
            "</body></opml>"
        )
    return f"{prolog}<!DOCTYPE {root} [{decls}]>{body}"


_BIG_DECL = f'<!ENTITY big "{"x" * BIG}">'
_NESTED_DECL = (
    '<!ENTITY x0 "xxxxxxxxxx">'
    + "".join(f'<!ENTITY x{i} "{f"&x{i - 1};" * 10}">' for i in range(1, 6))
    + '<!ENTITY big "&x5;&x5;">'
)
_PARAM_DECL = f"<!ENTITY % p '<!ENTITY big \"{'x' * BIG}\">'> %p;"
_DECL = '<?xml version="1.0" encoding="utf-8"?>'

AMPLIFICATIONS = {
    "after a comment": (_DECL + "<!-- see <b>this</b> -->", _BIG_DECL, "utf-8"),
    "after a processing instruction": (
        _DECL + '<?xml-stylesheet type="text/xsl" href="<a>.xsl"?>',
        _BIG_DECL,
        "utf-8",
    ),
    "after whitespace and a BOM": ("\ufeff\n  \n", _BIG_DECL, "utf-8"),
    "in UTF-16": ('<?xml version="1.0" encoding="utf-16"?><!-- <b> -->', _BIG_DECL, "utf-16"),
    "parameter entity": (_DECL + "<!-- <b> -->", _PARAM_DECL, "utf-8"),
    "nested": (_DECL + "<!-- <b> -->", _NESTED_DECL, "utf-8"),
    "plain": (_DECL, _BIG_DECL, "utf-8"),
}


def _bounded(fn: Callable[[], Any]) -> tuple[Any, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        result = fn()
    except SourceError as exc:
        result = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize("root", ["rss", "feed"])
@pytest.mark.parametrize("case", list(AMPLIFICATIONS))
def test_feed_entity_amplification_is_not_expanded(case: str, root: str) -> None:
    from briefreader.sources.feed import parse_feed

    prolog, decls, encoding = AMPLIFICATIONS[case]
    data = _amplifying(prolog, decls, root).encode(encoding)
    result, peak = _bounded(lambda: parse_feed(data, url="https://bomb.example/f"))
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
    if isinstance(result, SourceError):
        assert "\n" not in str(result)
        return
    for art in result.items:
        assert "x" * 1000 not in art.body + art.summary + art.title
        assert len(art.body) < 200_000


@pytest.mark.parametrize("case", list(AMPLIFICATIONS))
def test_opml_entity_amplification_is_not_expanded(case: str) -> None:
    from briefreader.sources.opml import parse_opml

    prolog, decls, encoding = AMPLIFICATIONS[case]
    data = _amplifying(prolog, decls, "opml").encode(encoding)
    result, peak = _bounded(lambda: parse_opml(data, "subs.opml"))
    assert peak < 40 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
    if isinstance(result, SourceError):
        assert "\n" not in str(result)
        return
    for feed in result:
        assert "x" * 1000 not in feed.title + feed.url


# ---------------------------------------------------------------------------------
# items that share a link (item 1)


def _podcast(root: str) -> bytes:
    if root == "rss":
        items = "".join(
            f"<item><title>Episode {n}</title><link>https://show.example/</link>"
            f'<guid isPermaLink="false">ep-{n}</guid><description>Episode {n} notes.</description>'
            "</item>"
            for n in (1, 2, 3)
        )
        # a repeated guid is still one item, and so is a repeated link without a guid
        items += (
            "<item><title>Episode 3 again</title><link>https://show.example/</link>"
            '<guid isPermaLink="false">ep-3</guid></item>'
            "<item><title>No guid A</title><link>https://show.example/a</link></item>"
            "<item><title>No guid A again</title><link>https://show.example/a</link></item>"
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Show</title>'
            f"<link>https://show.example/</link>{items}</channel></rss>"
        ).encode()
    entries = [
        {
            "id": f"ep-{n}",
            "url": "https://show.example/",
            "title": f"Episode {n}",
            "content_text": f"Episode {n} notes.",
        }
        for n in (1, 2, 3)
    ]
    entries.append({"id": "ep-3", "url": "https://show.example/", "title": "Episode 3 again"})
    entries.append({"url": "https://show.example/a", "title": "No guid A"})
    entries.append({"url": "https://show.example/a", "title": "No guid A again"})
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Show", "items": entries}
    ).encode()


@pytest.mark.parametrize("kind", ["fast", "feedparser", "json"])
def test_items_sharing_a_link_are_kept_apart_by_guid(kind: str, tmp_path: Path) -> None:
    from briefreader.sources.feed import parse_feed, reference_parse
    from briefreader.store import Library

    url = "https://show.example/feed"
    data = _podcast("json" if kind == "json" else "rss")
    feed = (reference_parse if kind == "feedparser" else parse_feed)(data, url=url)
    assert feed.parser == kind
    assert [a.title for a in feed.items] == ["Episode 1", "Episode 2", "Episode 3", "No guid A"]
    assert len({a.id for a in feed.items}) == 4
    library = Library(tmp_path / "lib.sqlite3")
    try:
        library.store(feed.items)
        assert library.count() == 4
    finally:
        library.close()
