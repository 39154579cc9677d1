"""OPML import and export: folders as tags, quirks, round trip, entity safety."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from testkit import CliResult, run_cli

from briefreader.sources import SourceError
from briefreader.sources.opml import OpmlFeed, parse_opml, write_opml
from briefreader.textclean import clean_line

SUBSCRIPTIONS = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News" title="News">
      <outline text="World">
        <outline text="Harbour &amp; Grid" type="rss" xmlUrl="https://harbour-grid.example/feed.xml"
                 htmlUrl="https://harbour-grid.example/"/>
      </outline>
      <outline text="Field Notes" xmlurl="https://fieldnotes.example/atom.xml"/>
    </outline>
    <outline text="Transport">
      <outline text="Field Notes (again)" XMLURL="https://fieldnotes.example/atom.xml"/>
      <outline text="Old style" type="rss" url="feed://oldstyle.example/rss"/>
      <outline text="A page, not a feed" type="link" url="https://page.example/"/>
      <outline text="Another list" type="include" url="https://lists.example/more.opml"/>
    </outline>
    <outline text="Top level" xmlUrl="https://top.example/rss?a=1&b=2"/>
    <outline text="Script" xmlUrl="javascript:alert(1)"/>
    <outline text="File" xmlUrl="file:///etc/passwd"/>
    <outline text="Relative" xmlUrl="/relative.xml"/>
    <outline text="Empty folder"/>
  </body>
</opml>
"""


def test_folders_become_tags_and_quirks_are_read() -> None:
    feeds = parse_opml(SUBSCRIPTIONS, "subs.opml")
    assert feeds == [
        OpmlFeed(
            url="https://harbour-grid.example/feed.xml",
            title="Harbour & Grid",
            site_url="https://harbour-grid.example/",
            tags=("News", "World"),
        ),
        # listed in two folders: one feed, both folders' names
        OpmlFeed(
            url="https://fieldnotes.example/atom.xml",
            title="Field Notes",
            tags=("News", "Transport"),
        ),
        OpmlFeed(url="http://oldstyle.example/rss", title="Old style", tags=("Transport",)),
        # a bare & in an attribute (a common export bug) is read as the author meant
        OpmlFeed(url="https://top.example/rss?a=1&b=2", title="Top level"),
    ]


def test_relative_urls_resolve_against_a_url_origin() -> None:
    feeds = parse_opml(SUBSCRIPTIONS, "https://lists.example/subs.opml")
    assert "https://lists.example/relative.xml" in [f.url for f in feeds]


def test_opml_2_categories_and_title_fallback() -> None:
    doc = b"""<opml version="2.0"><head/><body>
    <outline text="Only text" type="rss" xmlUrl="https://a.example/rss" category="/Tech/AI,/Science"/>
    <outline type="rss" xmlUrl="https://b.example/rss"/>
    </body></opml>"""
    a, b = parse_opml(doc, "x.opml")
    assert a == OpmlFeed("https://a.example/rss", "Only text", "", ("Tech/AI", "Science"))
    assert b.title == "" and b.tags == ()


def test_empty_opml_is_not_an_error() -> None:
    assert parse_opml(b'<opml version="2.0"><head/><body/></opml>', "x.opml") == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b'<rss version="2.0"><channel/></rss>', "root element <rss>"),
        (b"<html><body>hi</body></html>", "not OPML"),
        (b"not xml at all", "not OPML"),
        (b'{"feeds": []}', "not OPML"),
        (b'<opml version="2.0"><head/></opml>', "no <body>"),
    ],
)
def test_not_opml(data: bytes, reason: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_opml(data, "thing.opml")
    assert info.value.origin == "thing.opml"
    assert reason in info.value.reason
    assert "\n" not in str(info.value)


def test_billion_laughs_opml_does_not_expand() -> None:
    decls = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE opml [\n{decls}\n]>\n<opml version="2.0"><head>'
        '<title>&lol9;</title></head><body><outline text="&lol9;" xmlUrl="https://x.example/&lol9;"/>'
        '<outline text="ok" xmlUrl="https://ok.example/rss"/></body></opml>'
    ).encode()
    start = time.thread_time()
    try:
        feeds = parse_opml(doc, "bomb.opml")
    except SourceError:
        feeds = []
    assert time.thread_time() - start < 1
    for feed in feeds:
        assert "lollol" not in feed.title + feed.url


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://x.example/rss"/></body></opml>'
    ).encode()
    try:
        feeds = parse_opml(doc, "xxe.opml")
    except SourceError:
        return
    assert all("TOP-SECRET" not in f.title for f in feeds)


def test_deep_nesting_is_bounded() -> None:
    depth = 5000
    doc = (
        b'<opml version="2.0"><body>'
        + b'<outline text="f">' * depth
        + b'<outline xmlUrl="https://deep.example/rss"/>'
        + b"</outline>" * depth
        + b"</body></opml>"
    )
    start = time.thread_time()
    with contextlib.suppress(SourceError):
        assert parse_opml(doc, "deep.opml") == []  # deeper than MAX_DEPTH: not read
    assert time.thread_time() - start < 2


def test_write_opml_shape_and_escaping() -> None:
    feeds = [
        OpmlFeed(
            "https://a.example/rss?x=1&y=2",
            'A & B <"quoted">',
            "https://a.example/",
            ("News", "Tech"),
        ),
        OpmlFeed("https://b.example/atom", "B"),
    ]
    text = write_opml(feeds, title="Mine & yours")
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>")
    assert '<opml version="2.0">' in text
    assert "<title>Mine &amp; yours</title>" in text
    assert 'xmlUrl="https://a.example/rss?x=1&amp;y=2"' in text
    assert "A &amp; B &lt;&quot;quoted&quot;&gt;" in text
    assert text.count('xmlUrl="https://a.example/rss?x=1&amp;y=2"') == 2  # in both folders
    assert 'category="/News,/Tech"' in text
    assert parse_opml(text.encode(), "out.opml") == feeds


def test_write_opml_drops_control_characters() -> None:
    text = write_opml([OpmlFeed("https://c.example/rss", "bell\x07 esc\x1b[31m red")])
    assert "\x07" not in text and "\x1b" not in text
    assert parse_opml(text.encode(), "c.opml")[0].title == "bell esc red"


_NAME = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs", "Cc", "Zl", "Zp", "Zs"], exclude_characters=",/"
    ),
    min_size=1,
    max_size=12,
).filter(lambda name: clean_line(name) == name)  # what survives cleaning (no BOM, bidi…)
_FEED = st.builds(
    OpmlFeed,
    url=st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9/?=&]{0,12}", fullmatch=True),
    title=st.one_of(st.just(""), _NAME),
    site_url=st.one_of(st.just(""), st.just("https://site.example/")),
    tags=st.lists(_NAME, max_size=3, unique=True).map(tuple),
)


def _written_order(feeds: list[OpmlFeed]) -> list[OpmlFeed]:
    """The feeds in the order write_opml puts them in the document: untagged ones at the
    top level, the others in the folder of each of their tags (made where the tag is
    first used), each counted where it first appears."""
    body: list[OpmlFeed | list[OpmlFeed]] = []
    folders: dict[str, list[OpmlFeed]] = {}
    for feed in feeds:
        if not feed.tags:
            body.append(feed)
        for tag in feed.tags:
            if tag not in folders:
                folders[tag] = []
                body.append(folders[tag])
            folders[tag].append(feed)
    order: dict[str, OpmlFeed] = {}
    for entry in body:
        for feed in entry if isinstance(entry, list) else [entry]:
            order.setdefault(feed.url, feed)
    return list(order.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(_FEED, max_size=6, unique_by=lambda f: f.url))
def test_round_trip(feeds: list[OpmlFeed]) -> None:
    # Every feed comes back whole, in document order: a tag's feeds sit together in its
    # folder, so an untagged feed between two with the same tag comes back after them.
    assert parse_opml(write_opml(feeds).encode(), "rt.opml") == _written_order(feeds)


def test_round_trip_order_follows_the_folders() -> None:
    # (the case hypothesis found: the order of the list given is not kept)
    a, b, c = (
        OpmlFeed(url="https://m.example/", title="", site_url="", tags=("0",)),
        OpmlFeed(url="https://a.example/0", title="", site_url="", tags=()),
        OpmlFeed(url="https://a.example/", title="", site_url="", tags=("0",)),
    )
    assert parse_opml(write_opml([a, b, c]).encode(), "rt.opml") == [a, c, b]


_BAD_REFS = ("&#xD800;", "&#55296;", "&#xDFFF;&#xD800;", "&#0;", "&#x110000;", "&#99999999999;")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "iso-8859-1"])
@pytest.mark.parametrize("ref", _BAD_REFS)
def test_char_refs_to_no_character_become_replacement_characters(encoding: str, ref: str) -> None:
    """A reference to a lone surrogate (or NUL, or past U+10FFFF) in any attribute the
    reader returns becomes U+FFFD, in any encoding; it never stops the import."""
    doc = (
        f'<?xml version="1.0" encoding="{encoding}"?><opml version="2.0"><head><title>t{ref}'
        f'</title></head><body><outline text="Folder {ref}"><outline type="rss" text="Pod {ref}" '
        f'category="/Cat{ref}" htmlUrl="https://site.example/{ref}" '
        f'xmlUrl="https://pod.example/feed.xml?q={ref}"/></outline></body></opml>'
    )
    (feed,) = parse_opml(doc.encode(encoding), "bad.opml")
    count = ref.count("&#")
    fffd = "\ufffd" * count
    assert feed.title == f"Pod {fffd}"
    assert feed.tags == (f"Cat{fffd}", f"Folder {fffd}")
    assert feed.url == f"https://pod.example/feed.xml?q={fffd}"
    assert feed.site_url == f"https://site.example/{fffd}"


def test_a_lone_surrogate_in_utf16_bytes_becomes_a_replacement_character() -> None:
    doc = '<?xml version="1.0" encoding="utf-16"?><opml><body><outline text="A X" xmlUrl="https://a.example/rss"/></body></opml>'
    data = b"\xff\xfe" + doc.encode("utf-16-le").replace("X".encode("utf-16-le"), b"\x00\xd8")
    assert parse_opml(data, "raw.opml") == [OpmlFeed("https://a.example/rss", "A \ufffd")]


def test_import_of_a_lone_surrogate_char_ref_through_the_cli(tmp_path: Path) -> None:
    def cli(*args: str, check: bool = False) -> CliResult:
        return run_cli(*args, home=tmp_path / "home", check=check)

    opml = tmp_path / "x.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        '<outline type="rss" text="Pod &#xD800;" xmlUrl="http://127.0.0.1:9/pod.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    done = cli("import", str(opml))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "1 feed in" in done.stderr and "1 new" in done.stderr
    feeds = json.loads(cli("feeds", "--json", check=True).stdout)
    assert [(f["url"], f["title"]) for f in feeds] == [("http://127.0.0.1:9/pod.xml", "Pod \ufffd")]


def test_import_names_each_feed_address_it_leaves_out(tmp_path: Path) -> None:
    """Entries whose feed address is not http(s) were dropped without a word (4 feeds
    in a file of 6); newsboat's urls file already said so line by line."""
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        '<outline type="rss" text="Fine" xmlUrl="https://a.example/rss"/>'
        '<outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/>'
        '<outline type="rss" text="Script" xmlUrl="javascript:alert(1)"/>'
        '<outline type="rss" text="Old style" xmlUrl="feed://b.example/rss"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    skipped: list[str] = []
    feeds = parse_opml(opml.read_bytes(), "subs.opml", skipped)
    assert [f.url for f in feeds] == ["https://a.example/rss", "http://b.example/rss"]
    assert skipped == [
        "subs.opml: not an http(s) URL: 'file:///etc/passwd'; skipped",
        "subs.opml: not an http(s) URL: 'javascript:alert(1)'; skipped",
    ]
    done = run_cli("import", str(opml), home=tmp_path / "home", check=True)
    assert "not an http(s) URL: 'file:///etc/passwd'; skipped" in done.stderr
    assert "not an http(s) URL: 'javascript:alert(1)'; skipped" in done.stderr
    assert "2 feeds in" in done.stderr
