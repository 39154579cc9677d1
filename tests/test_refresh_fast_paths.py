"""The shortcuts a refresh takes (issue 11) give exactly what the general code gives.

Each fast path here skips work for the common case and must agree with the slow
path it stands in for, on the corpus and on generated input.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from briefreader.sources import feedreference

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
    feedreference._xml_text = lambda d, lower=False: low  # type: ignore[assignment]
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
