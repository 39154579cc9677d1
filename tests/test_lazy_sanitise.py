"""A refresh keeps item HTML unsanitised and every read sanitises it (issue 11,
sources/sanitize.py): hostile markup never reaches a reader or the search index,
and the words kept for search are those of the sanitised HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser
from test_lazy_render import feed_files, parse_both, rendered

from briefreader.sources.feed import LazyArticle, parse_feed
from briefreader.sources.feedlazy import search_text
from briefreader.sources.sanitize import (
    _DROPPED_SELECTOR,
    _MAY_HOLD_DROPPED,
    DROP_WITH_CONTENT,
    kept_html,
    sanitize_html,
)
from briefreader.store import Library


def _rss(description: str, content: str = "") -> bytes:
    esc = description.replace("&", "&amp;").replace("<", "&lt;")
    body = f"<description>{esc}</description>"
    if content:
        body += "<content:encoded><![CDATA[" + content + "]]></content:encoded>"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        "<link>https://h.example/</link><item><title>Hostile</title>"
        f"<link>https://h.example/a</link><guid>g1</guid>{body}</item></channel></rss>"
    ).encode()


HOSTILE = [
    "<p>Before</p><script>alert('secretword')</script><p>after</p>",
    "<p>Before</p><ScRiPt type=x>secretword()</sCrIpT><p>after</p>",
    "<p>Before</p><style>.secretword{}</style><p>after</p>",
    "<p>Before</p><!-- secretword --><p>after</p>",
    "<p>Before</p><svg><title>secretword</title></svg><p>after</p>",
    "<p>Before</p><noscript>secretword</noscript><p>after</p>",
    "<p>Before</p><template><p>secretword</p></template><p>after</p>",
    "<p>Before</p><textarea>secretword</textarea><p>after</p>",
    "<p>Before</p><iframe src=x>secretword</iframe><p>after</p>",
    "<p>Before</p></ secretword><p>after</p>",
    "<p>Before</p><?php secretword ?><p>after</p>",
    "<p>Before</p><form><button>secretword</button></form><p>after</p>",
    "<p>Before</p><script/>secretword</script><p>after</p>",
]


@pytest.mark.parametrize("html", HOSTILE)
def test_what_the_sanitiser_drops_is_never_kept_nor_searched(html: str) -> None:
    for data in (_rss(html), _rss("<p>teaser</p>", html)):
        parsed = parse_feed(data, url="https://h.example/feed", lazy=True)
        (item,) = parsed.items
        assert isinstance(item, LazyArticle)
        if "<!--" not in html and "<?" not in html and "</ " not in html:
            # (a comment is kept: its words are not the text's, and reading drops it)
            assert "secretword" not in item.html.lower()
        assert "secretword" not in item.body and "secretword" not in item.summary
        assert "Before" in item.body and "after" in item.body
        eager = parse_feed(data, url="https://h.example/feed")
        assert rendered(item) == eager.items[0]


ATTACKS = (
    '<p>Read <a href="javascript:alert(1)" onclick="steal()">this</a>'
    '<img src="x" onerror="steal()"> and <a href="https://ok.example/">that</a>'
    ' <span style="background:url(javascript:x)">styled</span></p>'
)


def test_unsafe_attributes_kept_at_refresh_are_gone_when_read(tmp_path: Path) -> None:
    data = _rss(ATTACKS)
    (item,) = parse_feed(data, url="https://h.example/feed", lazy=True).items
    assert isinstance(item, LazyArticle)
    assert "onclick" in item.html  # kept as it came: sanitised on every read
    (eager,) = parse_feed(data, url="https://h.example/feed").items
    assert rendered(item) == eager
    with Library(tmp_path / "lib.sqlite3") as lib:
        feed, _ = lib.add_feed("https://h.example/feed")
        lib.store([item], feed_id=feed.id)
        got = lib.get(item.id)
        assert got is not None and got == eager.with_changes(source=got.source)
        for text in (got.body, got.summary):
            assert "javascript" not in text and "steal" not in text and "onclick" not in text
        assert "https://ok.example/" in got.body


@pytest.mark.parametrize("name", sorted(DROP_WITH_CONTENT - {"frame", "frameset", "head"}))
def test_every_dropped_element_is_sanitised_at_once(name: str) -> None:
    for tag in (f"<{name}>secret</{name}>", f"<{name.upper()} a=1>secret", f"<{name}/>secret"):
        html = f"<p>x</p>{tag}"
        kept, words = kept_html(html)
        assert kept == sanitize_html(html), tag
        # (after a void or self-closed element the text is the body's own)
        assert words == search_text(kept) == search_text(sanitize_html(html)), tag
        if "/>" not in tag and name != "embed":
            assert "secret" not in words, tag


def _any_case(name: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda ups: "".join(c.upper() if up else c for c, up in zip(name, ups, strict=True))
    )


_NAMES = sorted(DROP_WITH_CONTENT | {"p", "b", "scr", "s", "img", "image", "isindex", "svgx"})
_PIECE = st.one_of(
    st.sampled_from(_NAMES)
    .flatmap(_any_case)
    .flatmap(
        lambda name: st.sampled_from(
            ["<{}>", "<{} a=1>", "<{}/>", "</{}>", "<{}\t>", "<{}", "<{}-x>"]
        ).map(lambda form: form.format(name))
    ),
    st.text(alphabet="<>/=\"' \n\x00\ud800abcsS&;!-", max_size=8),
    st.sampled_from(
        ["<!--", "-->", "<![CDATA[", "]]>", "&lt;script>", "<?x ?>", "<!DOCTYPE html>"]
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECE, max_size=12).map("".join))
def test_a_document_the_quick_look_passes_holds_no_dropped_element(html: str) -> None:
    """kept_html asks Lexbor's selector only when a quick look at the text finds the
    start of a dropped element's tag: that look never misses one Lexbor makes."""
    if LexborHTMLParser(html).css_first(_DROPPED_SELECTOR) is not None:
        assert _MAY_HOLD_DROPPED.search(html.encode("utf-8", "ignore")), html


@pytest.mark.parametrize(
    "html",
    ["<p>Hello</p><scr\ud800ipt>var secret=1</script>", "<p>x</p><STY\udfffLE>secret{}</style>"],
)
def test_a_lone_surrogate_inside_a_tag_name_hides_nothing(html: str) -> None:
    """Lexbor reads a str as UTF-8 without its lone surrogates, so "<scr\\ud800ipt>"
    is a script to it: the quick look reads the same bytes (a review's finding)."""
    kept, words = kept_html(html)
    assert "secret" not in words
    assert kept == sanitize_html(html.encode("utf-8", "ignore").decode())


def test_head_and_frames_have_the_sanitised_words() -> None:
    # (outside a document's start the parser ignores <head>, <frameset> and <frame>)
    for html in (
        "<head><title>secret</title></head><p>x</p>",
        "<p>x</p><frame>free</frame>",
        "<p>x</p><frameset><frame>free</frameset>",
    ):
        kept, words = kept_html(html)
        assert "secret" not in words and "x" in words
        assert search_text(sanitize_html(kept)) == words == search_text(sanitize_html(html))


@pytest.mark.parametrize(
    "html",
    ["<p>plain</p>", "<scripts>x</scripts>", "<p class=script>a</p>", "a < b > c", "no markup"],
)
def test_ordinary_html_is_kept_as_it_came(html: str) -> None:
    assert kept_html(html) == (html, search_text(html))


def test_search_words_are_those_of_the_sanitised_html() -> None:
    """Over the feed corpus: the words of the HTML as kept are the words of the same
    HTML sanitised (what search indexed before, and what a reader sees)."""
    items = 0
    for path in feed_files():
        both = parse_both(path)
        if both is None:
            continue
        for item in both[1].items:
            if not isinstance(item, LazyArticle):
                continue
            items += 1
            assert search_text(item.html) == search_text(sanitize_html(item.html)), (
                path.name,
                item.id,
            )
            if item.dek_html is not None:
                assert search_text(item.dek_html) == search_text(sanitize_html(item.dek_html))
    assert items > 50


def test_reading_sanitises_whatever_was_stored() -> None:
    """render_item (every read of a lazy row) sanitises the stored HTML itself, not
    trusting the refresh that stored it: content the Markdown conversion alone
    would show (an applet's, a noembed's) never reaches the reader."""
    (item,) = parse_feed(_rss("<p>fine</p>"), url="https://h.example/feed", lazy=True).items
    assert isinstance(item, LazyArticle)
    for tag in ("applet", "noembed", "noframes"):
        html = f"<p>fine</p><{tag}>secretword</{tag}>"
        bad = item.with_changes(html=html, dek_html=html)
        got = rendered(bad)
        assert "secretword" not in got.body and "secretword" not in got.summary, tag
        assert "fine" in got.body
