"""A feed item's lead image and enclosures: chosen the same by both parsers, tracking
pixels never chosen, only http(s), relative addresses resolved, the JSON form."""

from __future__ import annotations

import json

import pytest

from briefreader.model import Article, Enclosure
from briefreader.sources.feed import fast_parse, reference_parse
from briefreader.sources.media import (
    first_content_image,
    is_tracking_pixel,
    parse_duration,
)

NS = (
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
)


def rss(*items: str) -> bytes:
    body = "".join(f"<item>{i}</item>" for i in items)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" {NS}><channel>'
        f"<title>Feed</title><link>https://ex.example/</link>{body}</channel></rss>"
    ).encode()


def both(doc: bytes) -> list[Article]:
    """The items as the fast path reads them, checked against feedparser's reading."""
    fast = fast_parse(doc, url="https://ex.example/feed.xml")
    ref = reference_parse(doc, url="https://ex.example/feed.xml")
    assert [a.to_dict() for a in fast.items] == [a.to_dict() for a in ref.items]
    return fast.items


def test_media_content_image_is_the_lead_image() -> None:
    (a,) = both(
        rss(
            "<title>A</title><link>https://ex.example/a</link><description>x</description>"
            '<media:content url="https://cdn.example/v.mp4" medium="video"/>'
            '<media:content url="https://cdn.example/big.jpg" medium="image" width="800"/>'
            '<media:thumbnail url="https://cdn.example/small.jpg"/>'
        )
    )
    assert a.image_url == "https://cdn.example/big.jpg"


def test_media_group_and_thumbnail() -> None:
    a, b = both(
        rss(
            "<title>A</title><link>https://ex.example/a</link><description>x</description>"
            '<media:group><media:content url="/rel.png" type="image/png"/></media:group>',
            "<title>B</title><link>https://ex.example/b</link><description>x</description>"
            '<media:thumbnail url="https://cdn.example/t.jpg" width="120" height="90"/>',
        )
    )
    assert a.image_url == "https://ex.example/rel.png"  # resolved against the item
    assert b.image_url == "https://cdn.example/t.jpg"


def test_first_content_image_with_alt_and_pixels_skipped() -> None:
    html = (
        '&lt;p&gt;Hi&lt;img src="https://feeds.feedburner.com/~r/x/~4/abc" /&gt;'
        '&lt;img src="/p.gif" width="1" height="1"&gt;'
        '&lt;img src="/h.gif" style="display:none"&gt;'
        '&lt;img src="/comic.png" alt="A cat &amp;amp; a dog"&gt;&lt;/p&gt;'
    )
    (a,) = both(
        rss(f"<title>C</title><link>https://ex.example/c</link><description>{html}</description>")
    )
    assert a.image_url == "https://ex.example/comic.png"
    assert a.image_alt == "A cat & a dog"


def test_image_enclosure_and_audio_enclosure() -> None:
    (a,) = both(
        rss(
            "<title>Ep 1</title><link>https://ex.example/e1</link><description>show</description>"
            '<enclosure url="https://cdn.example/cover.jpg" type="image/jpeg" length="10"/>'
            '<enclosure url="https://cdn.example/e1.mp3" type="audio/mpeg" length="31000000"/>'
            '<enclosure url="file:///etc/passwd" type="audio/mpeg"/>'
            '<enclosure url="javascript:alert(1)" type="audio/mpeg"/>'
            "<itunes:duration>1:02:05</itunes:duration>"
        )
    )
    assert a.image_url == "https://cdn.example/cover.jpg"
    assert a.enclosures == (
        Enclosure("https://cdn.example/e1.mp3", "audio/mpeg", 31_000_000, 3725),
    )


def test_atom_enclosure_link_with_length() -> None:
    doc = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>F</title><entry><title>E</title><id>urn:x:1</id>"
        b'<link href="https://ex.example/e"/><content type="html">x</content>'
        b'<link rel="enclosure" type="audio/ogg" length="2048" href="/a.ogg"/></entry></feed>'
    )
    (a,) = both(doc)
    assert a.enclosures == (Enclosure("https://ex.example/a.ogg", "audio/ogg", 2048, 0),)


def test_no_media_no_fields() -> None:
    (a,) = both(
        rss("<title>P</title><link>https://ex.example/p</link><description>x</description>")
    )
    assert (a.image_url, a.image_alt, a.enclosures) == ("", "", ())


def test_lazy_items_carry_the_media() -> None:
    doc = rss(
        "<title>L</title><link>https://ex.example/l</link><description>hello there</description>"
        '<media:thumbnail url="https://cdn.example/l.jpg"/>'
        '<enclosure url="https://cdn.example/l.mp3" type="audio/mpeg" length="5"/>'
    )
    (a,) = fast_parse(doc, url="https://ex.example/feed.xml", lazy=True).items
    assert a.image_url == "https://cdn.example/l.jpg"
    assert a.enclosures[0].url == "https://cdn.example/l.mp3"


@pytest.mark.parametrize(
    ("attrs", "url", "pixel"),
    [
        ({"width": "1", "height": "1"}, "https://a.example/x.gif", True),
        ({"width": "1px"}, "https://a.example/x.gif", True),
        ({"hidden": ""}, "https://a.example/x.gif", True),
        ({"style": "visibility: hidden"}, "https://a.example/x.gif", True),
        ({"style": "width:1px;height:1px"}, "https://a.example/x.gif", True),
        ({}, "https://pixel.wp.com/g.gif", True),
        ({"width": "10", "style": "max-width:100%"}, "https://a.example/x.png", False),
    ],
)
def test_tracking_pixels(attrs: dict[str, str], url: str, pixel: bool) -> None:
    assert is_tracking_pixel(attrs, url) is pixel


def test_first_content_image_refuses_other_schemes_and_bounds_the_scan() -> None:
    assert first_content_image('<img src="data:image/png;base64,AAAA">', "https://b.example/") == (
        "",
        "",
    )
    assert first_content_image('<img src="javascript:x">', "https://b.example/") == ("", "")
    many = '<img src="/p.gif" width="1">' * 10_000 + '<img src="/late.png">'
    assert first_content_image(many, "https://b.example/") == ("", "")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3725", 3725), ("62:05", 3725), ("1:02:05", 3725), ("soon", 0), ("", 0), ("1:2:3:4", 0)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_json_round_trip_and_hostile_json() -> None:
    art = Article(
        id="x",
        title="T",
        image_url="https://cdn.example/i.png",
        image_alt="alt",
        enclosures=(Enclosure("https://cdn.example/a.mp3", "audio/mpeg", 10, 60),),
    )
    again = Article.from_dict(json.loads(json.dumps(art.to_dict())))
    assert again == art
    hostile = Article.from_dict(
        {
            "title": "T",
            "image_url": "file:///etc/passwd",
            "enclosures": [
                {"url": "javascript:alert(1)"},
                {"url": "https://ok.example/a.mp3", "length": -5, "duration": "x"},
                42,
            ]
            * 50,
        }
    )
    assert hostile.image_url == ""
    assert hostile.enclosures == (Enclosure("https://ok.example/a.mp3"),)


def test_saved_page_lead_image_is_its_captioned_figure_and_body_images_are_kept() -> None:
    from pathlib import Path

    from briefreader.sources import read_file

    page = Path(__file__).parent / "data" / "html" / "harbour-page.html"
    (art,) = read_file(page).articles
    assert art.image_url == "https://ledger.example.com/img/cranes.jpg"
    assert "cranes.jpg" not in art.body  # the lead image is not repeated in the body
    html = (
        '<p>One <img src="/a.png" alt="A [cat]"> and <img src="/spacer.gif"> '
        '<img src="/h.png" style="display: none"></p>'
    )
    from briefreader.sources.feed import sanitize_html
    from briefreader.sources.htmlrender import html_to_markdown

    md = html_to_markdown(sanitize_html(html), "https://ex.example/post")
    assert md == "One ![A \\[cat\\]](https://ex.example/a.png) and"


def test_markdown_export_keeps_the_media() -> None:
    from briefreader.sources.markdown import parse, to_markdown

    art = Article(
        id="m1",
        title="Episode",
        body="words",
        image_url="https://cdn.example/c.png",
        image_alt="alt: with a colon",
        enclosures=(Enclosure("https://cdn.example/e.mp3", "audio/mpeg", 5, 6),),
    )
    (again,) = parse(to_markdown(art), "m1.md")
    assert (again.image_url, again.image_alt, again.enclosures) == (
        art.image_url,
        art.image_alt,
        art.enclosures,
    )
    hostile = (
        "---\ntitle: T\nimage_url: 'file:///etc/passwd'\nenclosures: javascript:x\n---\n\nbody\n"
    )
    (bad,) = parse(hostile, "bad.md")
    assert bad.image_url == "" and bad.enclosures == ()


def test_an_item_of_media_content_alone_is_kept_with_its_video_as_an_enclosure() -> None:
    """A reader's trial: newsboat's rss20_2.xml has an item of two media:content (a
    PNG and a QuickTime video) and a guid, nothing else: it was skipped as empty. Its
    video is now its enclosure (P plays it, D downloads it), its PNG the lead image,
    its title the video's file name; an item with an <enclosure> keeps only that."""
    from briefreader.model import Enclosure
    from briefreader.sources.feed import parse_feed

    doc = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Clips</title>
<link>https://clips.example/</link>
<item><guid isPermaLink="false">clip-1</guid>
  <media:content url="https://clips.example/still.png" type="image/png"/>
  <media:content url="https://clips.example/harbour-at-night.mov" type="video/quicktime"/>
</item>
<item><title>Episode 2</title><guid>ep-2</guid><description>Notes.</description>
  <enclosure url="https://clips.example/ep2.mp3" type="audio/mpeg" length="100"/>
  <media:content url="https://clips.example/ep2-video.mp4" type="video/mp4"/>
</item>
<item><title>A clip by medium</title><guid>clip-3</guid><description>x</description>
  <media:content url="https://clips.example/clip3" medium="video"/>
</item>
</channel></rss>"""
    for lazy in (False, True):
        feed = parse_feed(doc, url="https://clips.example/feed", lazy=lazy)
        assert feed.warnings == []
        first, second, third = feed.items
        assert first.title == "harbour-at-night.mov"
        assert first.enclosures == (
            Enclosure("https://clips.example/harbour-at-night.mov", "video/quicktime"),
        )
        assert first.image_url == "https://clips.example/still.png"
        assert second.enclosures == (Enclosure("https://clips.example/ep2.mp3", "audio/mpeg", 100),)
        assert third.enclosures == (Enclosure("https://clips.example/clip3"),)


def test_an_image_s_alt_text_is_not_the_dek() -> None:
    """A reader's trial: an item whose text starts with a picture showed its alt text
    three times: the image's line, the dek (the body's first paragraph was the image)
    and the body's "[image 1: …]"."""
    from briefreader.sources.feed import parse_feed

    doc = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Shop</title><link>https://shop.example/</link>
<item><title>Invisible armour for your phone</title><link>https://shop.example/1</link>
<description>&lt;p&gt;&lt;a href="https://shop.example/big.jpg"&gt;&lt;img src="https://shop.example/small.jpg" alt="A clear film over a phone's screen"&gt;&lt;/a&gt;&lt;/p&gt;
&lt;p&gt;A clear film that keeps scratches off the screen, fitted in a minute.&lt;/p&gt;</description>
</item></channel></rss>"""
    for lazy in (False, True):
        [item] = parse_feed(doc, url="https://shop.example/feed", lazy=lazy).items
        assert (
            item.summary == "A clear film that keeps scratches off the screen, fitted in a minute."
        )


def test_an_atom_enclosure_without_a_type_has_none_not_text_html() -> None:
    """A reader's trial: Atom enclosure links without a type were stored as text/html
    (feedparser's default for a link), and so labelled."""

    doc = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Pod</title><id>urn:pod</id>
<updated>2026-11-01T00:00:00Z</updated>
<entry><title>Episode</title><id>urn:ep1</id><updated>2026-11-01T00:00:00Z</updated>
<link rel="alternate" href="https://pod.example/1"/>
<link rel="enclosure" href="https://pod.example/ep1.opus" length="2000"/>
<link rel="enclosure" href="https://pod.example/ep1.mp3" type="audio/mpeg"/>
<summary>Notes.</summary></entry></feed>"""
    for parse in (fast_parse, reference_parse):
        [item] = parse(doc, url="https://pod.example/feed").items
        assert [(e.url, e.type) for e in item.enclosures] == [
            ("https://pod.example/ep1.opus", ""),
            ("https://pod.example/ep1.mp3", "audio/mpeg"),
        ]


def test_the_sites_decoration_is_never_the_lead_image() -> None:
    """A forum theme's "resized" icon, a smiley, an emoji, a 16-pixel badge: the
    story's picture after them is the lead image; an item with only decoration has
    none."""
    html = (
        '&lt;div&gt;&lt;img src="http://forum.example/style_images/hi-tech/img-resized.png" '
        'border="0" alt="" style="vertical-align: middle"&gt; Reduced to 50%&lt;/div&gt;'
        '&lt;img src="/forums/smilies/wink.gif" alt=";)"&gt;'
        '&lt;img src="https://s.w.org/images/core/emoji/15.0.3/72x72/1f600.png" alt="😀"&gt;'
        '&lt;img src="/badges/verified.svg"&gt;'
        '&lt;img src="/img/star.png" width="16" height="16"&gt;'
        '&lt;a href="/full.jpg"&gt;&lt;img src="/uploads/phone-front.jpg" alt="The phone"&gt;&lt;/a&gt;'
    )
    only = '&lt;p&gt;Thanks!&lt;img src="/forums/smilies/smile.gif"&gt;&lt;/p&gt;'
    a, b = both(
        rss(
            f"<title>A</title><link>https://ex.example/a</link><description>{html}</description>",
            f"<title>B</title><link>https://ex.example/b</link><description>{only}</description>",
        )
    )
    assert a.image_url == "https://ex.example/uploads/phone-front.jpg"
    assert a.image_alt == "The phone"
    assert b.image_url == ""
