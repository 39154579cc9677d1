"""The shortcuts a refresh takes (issue 11) give exactly what the general code gives.

Each fast path here skips work for the common case and must agree with the slow
path it stands in for, on the corpus and on generated input.
"""

from __future__ import annotations

import glob
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefreader import textclean
from briefreader.sources import feedreference
from briefreader.sources.feed import _same_words
from briefreader.sources.htmlrender import _PLAIN_HTTP_URL, _safe_url, safe_url, squash

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpus" / "feeds"


def _files() -> list[Path]:
    roots = [HERE / "data", CORPUS]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*") if p.is_file())


# -- the end of a feed ----------------------------------------------------------------


def _ends_early_unicode_lower(data: bytes) -> bool:
    """xml_ends_early as it was: the whole text lowered with str.lower."""
    low = feedreference._xml_text(bytes(data)).lower()
    real = feedreference._xml_text

    def lowered(data: bytes, *, lower: bool = False) -> str:
        return low

    feedreference._xml_text = lowered
    try:
        return feedreference.xml_ends_early(data)
    finally:
        feedreference._xml_text = real


def test_xml_ends_early_lowers_bytes_with_the_same_answer() -> None:
    checked = 0
    for path in _files():
        data = path.read_bytes()
        for cut in {len(data), len(data) - 1, len(data) - 9, len(data) // 2, 64}:
            part = data[: max(cut, 0)]
            assert feedreference.xml_ends_early(part) == _ends_early_unicode_lower(part), (
                path,
                cut,
            )
            checked += 1
    assert checked > 100


@given(st.binary(max_size=300), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]))
@example(b"<RSS><Channel>\xc3\x89t\xc3\xa9</channel></rss>", b"")
@example(b"<rss>\xc3\x80</rss><!-- </RSS> -->", b"\xef\xbb\xbf")
def test_xml_ends_early_on_any_bytes(body: bytes, bom: bytes) -> None:
    for data in (bom + body, bom + b"<?xml version='1.0'?><Feed>" + body + b"</FEED>"):
        assert feedreference.xml_ends_early(data) == _ends_early_unicode_lower(data)


# -- links --------------------------------------------------------------------------

_URL_CHARS = "hHtps:/abcXYZ.-0189?#%&=;[]@!$'()*+,~_ \té"
_BASES = ["", "http://b.example/x/y", "https://c.example/", "HTTP://d.example", "mailto:x@y"]


@settings(max_examples=1500)
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "http:/", "", "//", "ftp://"]),
    st.text(alphabet=_URL_CHARS, max_size=40),
    st.sampled_from(_BASES),
)
@example("http://", "a.example/b/../c", "http://b.example/")
@example("http://", "a.example/b;", "http://b.example/")
@example("http://", "a.example/b?", "http://b.example/")
@example("https://", "a.example:/p#", "")
@example("http://", "a.example//x?q?r#f?g", "https://c.example/")
def test_a_plain_link_is_its_own_answer(prefix: str, rest: str, base: str) -> None:
    href = prefix + rest
    stripped = href.strip()
    slow = _safe_url(stripped, base) if stripped and not stripped.startswith("#") else ""
    assert safe_url(href, base) == slow


def test_the_workloads_links_take_the_short_path() -> None:
    links = [
        "http://127.0.0.1:8808/a/f12/2024/02/railway-bridge-our-state-project-committee-49",
        "https://news.example/world/2026/11/27/story.html?utm_source=rss&utm_medium=feed",
        "https://example.org/p/123#comments",
    ]
    for link in links:
        assert _PLAIN_HTTP_URL.fullmatch(link)
        assert safe_url(link, "https://base.example/") == link


def test_corpus_links_read_the_same() -> None:
    """Every href in the corpus files, against their likely bases."""
    import re

    hrefs: set[str] = set()
    for path in _files():
        text = path.read_bytes().decode("utf-8", "replace")
        hrefs.update(re.findall(r"""(?:href|src)=["']([^"'<>]{1,300})["']""", text))
        hrefs.update(re.findall(r"<link>([^<]{1,300})</link>", text))
    for name in glob.glob(str(HERE / "data" / "feeds" / "*")):
        hrefs.add(Path(name).name)
    assert len(hrefs) > 100
    for href in hrefs:
        for base in _BASES:
            stripped = href.strip()
            slow = _safe_url(stripped, base) if stripped and not stripped.startswith("#") else ""
            assert safe_url(href, base) == slow, (href, base)


# -- a teaser beside its full text ------------------------------------------------------


@settings(max_examples=800)
@given(
    st.text(alphabet="ab \t\n\u00a0\u2003c", max_size=60),
    st.text(alphabet="ab \t\n\u00a0\u2003c", max_size=60),
)
@example("a " * 20 + "b", "a " * 20 + "c")
@example("a " * 16, " a" * 16 + " ")
@example("a " * 16 + "b", "a " * 16)
def test_same_words_is_squash_equality(a: str, b: str) -> None:
    assert _same_words(a, b) == (squash(a) == squash(b))
    assert _same_words(a, a + b) == (squash(a) == squash(a + b))


# -- cleaning -----------------------------------------------------------------------

_NASTY = "ab é東 \t\n\r\x00\x1b[31m\x7f\x85\x9b\u00a0\u2003\u3000\u2028\u2029\u202e\u2066\ufeff\ufffa\ud800\u200b\xad"


def _slow_line(text: str, limit: int) -> str:
    """clean_line without its fast path (as it was)."""
    if not text:
        return ""
    if len(text) > 4 * limit:
        text = text[: 4 * limit]
    text = textclean.strip_escapes(textclean.replace_surrogates(text))
    text = textclean._CONTROLS_LINE.sub(" ", text)
    text = textclean._SPACES.sub(" ", text).strip()
    return text[:limit].rstrip() if len(text) > limit else text


def _slow_block(text: str, limit: int) -> str:
    """clean_block without its fast path (as it was)."""
    if not text:
        return ""
    if len(text) > 2 * limit:
        text = text[: 2 * limit]
    text = textclean.replace_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    text = textclean.strip_escapes(text)
    text = textclean._CONTROLS_BLOCK.sub("", text)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = textclean._BLANK_RUNS.sub("\n\n", text).strip()
    if len(text) <= limit:
        return text
    note = textclean._CUT_NOTE.format(limit=limit)
    cut = text[: max(0, limit - len(note))]
    end = cut.rfind("\n", len(cut) - 10_000)
    return (cut[:end] if end > 0 else cut).rstrip() + note


@settings(max_examples=3000)
@given(st.text(alphabet=_NASTY, max_size=40), st.sampled_from([5, 12, 100, 8192]))
@example("a  b", 100)
@example(" a b ", 3)
@example("ab \n", 100)
@example("a\n\n\nb", 100)
@example("a\u2003b", 100)
def test_cleaning_takes_its_short_path_only_when_nothing_changes(text: str, limit: int) -> None:
    assert textclean.clean_line(text, limit) == _slow_line(text, limit)
    assert textclean.clean_block(text, max(limit, 200)) == _slow_block(text, max(limit, 200))


# -- dates ----------------------------------------------------------------------------


def _feedparser_date(text: str) -> object:
    from feedparser.datetimes import _parse_date

    from briefreader.sources.feedraw import struct_to_datetime

    return struct_to_datetime(_parse_date(text.strip())) if text.strip() else None


_DAY_NAMES = ["", "Sun, ", "sat, ", "MON,  ", "Tue,", "Thu ", "Fri,\t", "Xyz, ", "Sunday, "]
_MONTH_NAMES = ["Jan", "feb", "MAR", "Oct", "Sep", "Sept", "May", "Foo", "dec"]
_ZONES = ["+0000", "-0500", "+0530", "-1259", "GMT", "UT", "utc", "Z", "EST", "+05:30",
          "GMT+1", "", "+000", "+2400", "-0000 (UTC)"]  # fmt: skip


@settings(max_examples=1500)
@given(
    st.sampled_from(_DAY_NAMES),
    st.sampled_from(["1", "03", "31", "30", "29", "0", "32", "003"]),
    st.sampled_from(_MONTH_NAMES),
    st.sampled_from(["2024", "1899", "1900", "2200", "2201", "24", "99", "0001", "9999"]),
    st.sampled_from(
        ["01:51:16", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "1:02:03", "12:00"]
    ),
    st.sampled_from(_ZONES),
)
@example("Sun, ", "03", "Mar", "2024", "01:51:16", "+0000")
def test_rfc822_dates_read_as_feedparser_reads_them(
    dayname: str, day: str, month: str, year: str, clock: str, zone: str
) -> None:
    from briefreader.sources.feedraw import parse_feed_date

    text = f"{dayname}{day} {month} {year} {clock} {zone}".strip()
    assert parse_feed_date(text) == _feedparser_date(text), text


@settings(max_examples=1500)
@given(
    st.sampled_from(["2024", "1899", "2200", "2201", "0999", "24"]),
    st.sampled_from(["02", "12", "13", "00", "2"]),
    st.sampled_from(["04", "29", "30", "31", "00", "4"]),
    st.sampled_from(["T", "t", " ", "TT"]),
    st.sampled_from(["20:30:46", "23:59:59", "24:00:00", "20:30", "20:30:60"]),
    st.sampled_from(["", ".5", ".123456", ".9999999", ".999999"]),
    st.sampled_from(["Z", "z", "+05:30", "-11:45", "+0530", "+05", "", "EST", "-00:00"]),
)
@example("2024", "02", "04", "T", "20:30:46", "", "Z")
def test_w3dtf_dates_read_as_feedparser_reads_them(
    year: str, month: str, day: str, sep: str, clock: str, frac: str, zone: str
) -> None:
    from briefreader.sources.feedraw import parse_feed_date

    text = f"{year}-{month}-{day}{sep}{clock}{frac}{zone}"
    assert parse_feed_date(text) == _feedparser_date(text), text


def test_the_workloads_dates_take_the_short_path() -> None:
    from briefreader.sources.feedraw import _fast_date

    for text in ("Sun, 03 Mar 2024 01:51:16 +0000", "2024-02-04T20:30:46Z"):
        assert _fast_date(text) is not None
        assert _fast_date(text) == _feedparser_date(text)


# -- C1 controls: looked for only in documents that may hold one ---------------------


_PIECES = st.sampled_from(
    ["a", " ", "é", "Â", "\u00a0", "“", "\x85", "\x93", "\x9f", "\x80", "\xa0", "&amp;",
     "&#147;", "&#x93;", "&#X9F;", "&#0128;", "&#160;", "&#8217;", "&#x00a0;", "&#127;",
     "<![CDATA[\x93]]>", "<![CDATA[&#147;]]>", "Ã©", "Ã\x82\x93"]
)  # fmt: skip


@settings(max_examples=1500)
@given(st.lists(_PIECES, max_size=12))
def test_text_without_a_c1_control_is_cleaned_alike(pieces: list[str]) -> None:
    from lxml import etree

    from briefreader.sources.feedraw import fp_text, fp_text_no_c1, may_hold_c1

    data = ("<r>" + "".join(pieces) + "</r>").encode("utf-8")
    try:
        text = etree.fromstring(data).text or ""
    except etree.XMLSyntaxError:  # ("&#X9F;": the fast path hands such XML over)
        return
    if not may_hold_c1(data):
        assert not any("\x80" <= ch <= "\x9f" for ch in text), pieces
        assert fp_text(text) == fp_text_no_c1(text), pieces


# -- xml_ends_early: comments and CDATA looked for once ------------------------------


def _ends_early_before(data: bytes) -> bool:
    """xml_ends_early as it was written first (each marker searched back for at
    every candidate end tag): the reference for the faster one."""
    low = feedreference._xml_text(bytes(data), lower=True)
    root = feedreference._root_tag(low)
    if root is None:
        return True
    name, start_end, empty = root
    if empty or not name:
        return False
    closing = "</" + name
    pos = len(low)
    for _ in range(feedreference._MAX_CANDIDATES):
        pos = low.rfind(closing, start_end, pos)
        if pos < 0:
            return True
        after = pos + len(closing)
        while after < len(low) and low[after].isspace():
            after += 1
        if (
            after < len(low)
            and low[after] == ">"
            and not low.rfind("<![cdata[", 0, pos) > low.rfind("]]>", 0, pos)
            and not low.rfind("<!--", 0, pos) > low.rfind("-->", 0, pos)
        ):
            return False
    return False


_XML_PIECES = st.sampled_from(
    ["<rss>", "</rss>", "</RSS >", "<!--", "-->", "<!-->", "<![CDATA[", "]]>", "]]>-->",
     "<!--]]>", "x", " ", "<item>", "</rss", ">", "<feed>", "</feed>", "<?pi?>"]
)  # fmt: skip


@settings(max_examples=2000)
@given(st.lists(_XML_PIECES, max_size=14))
@example(["<rss>", "<!--", "</rss>", "-->", "</rss>"])
@example(["<rss>", "<![CDATA[", "</rss>", "]]>", "<!-->", "</rss>"])
def test_xml_ends_early_answers_as_before(pieces: list[str]) -> None:
    for data in ("".join(pieces).encode(), ("<?xml version='1.0'?>" + "".join(pieces)).encode()):
        assert feedreference.xml_ends_early(data) == _ends_early_before(data), pieces


def test_xml_ends_early_answers_as_before_over_the_corpus() -> None:
    for path in _files():
        data = path.read_bytes()
        for cut in {len(data), len(data) - 1, len(data) // 2}:
            assert feedreference.xml_ends_early(data[:cut]) == _ends_early_before(data[:cut])


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab ,.!?。\t\n\u3000\xa0"), max_size=1500)
    | st.lists(
        st.sampled_from(["word", " ", "  ", ". ", "。", "\n", "long" * 30]), max_size=400
    ).map("".join)
)
def test_the_provisional_dek_from_a_prefix_is_the_dek_of_the_whole(text: str) -> None:
    from briefreader.sources.feedlazy import MAX_SUMMARY_CHARS, provisional_dek, shorten, squash

    assert provisional_dek(text) == shorten(squash(text[: 3 * MAX_SUMMARY_CHARS]))
