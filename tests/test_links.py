"""An article's links for the keyboard (briefreader.links): which, in what order, once
each, and which the link rule refuses."""

from __future__ import annotations

from briefreader.links import MAX_LINKS, article_links
from briefreader.model import Analysis, Article


def article(body: str, url: str = "https://news.example/world/story") -> Article:
    return Article(id="a", title="The story", url=url, body=body)


def test_the_article_address_first_then_body_links_and_images_in_reading_order() -> None:
    links = article_links(
        article(
            "Read [the rule](https://gov.example/rule) first.\n\n"
            "![A chart of exports](https://img.example/chart.png)\n\n"
            "- and [the **full** report](https://gov.example/report)\n\n"
            "<https://auto.example/x>"
        )
    )
    assert [(link.kind, link.url, link.label) for link in links] == [
        ("article", "https://news.example/world/story", "The story"),
        ("link", "https://gov.example/rule", "the rule"),
        ("image", "https://img.example/chart.png", "image 1: A chart of exports"),
        ("link", "https://gov.example/report", "the full report"),
        ("link", "https://auto.example/x", "https://auto.example/x"),
    ]
    assert all(link.allowed for link in links)


def test_the_analysis_links_come_before_the_body_links_and_number_the_images_on() -> None:
    story = Article(
        id="a",
        title="The story",
        url="https://news.example/world/story",
        analysis=Analysis(
            body="See [the statement](/statement) and ![the vote](https://img.example/v.png)."
        ),
        body="![A map](https://img.example/map.png) and [a source](https://src.example/)",
    )
    assert [(link.kind, link.url, link.label) for link in article_links(story)[1:]] == [
        ("link", "https://news.example/statement", "the statement"),
        ("image", "https://img.example/v.png", "image 1: the vote"),
        ("image", "https://img.example/map.png", "image 2: A map"),
        ("link", "https://src.example/", "a source"),
    ]


def test_each_address_once_the_first_time_it_appears() -> None:
    links = article_links(
        article(
            "[the story](https://news.example/world/story) and [a](https://a.example/) "
            "and [a again](https://a.example/)"
        )
    )
    assert [link.url for link in links] == [
        "https://news.example/world/story",
        "https://a.example/",
    ]
    assert links[0].kind == "article"
    assert links[1].label == "a"


def test_relative_links_resolve_against_the_article_address() -> None:
    links = article_links(article("[up](../other) [root](/about) ![pic](img/p.png)"))
    assert [link.url for link in links[1:]] == [
        "https://news.example/other",
        "https://news.example/about",
        "https://news.example/world/img/p.png",
    ]
    # Without an address of its own a relative link stays as it is (and is refused).
    bare = article_links(article("[up](../other)", url=""))
    assert [(link.url, link.allowed) for link in bare] == [("../other", False)]


def test_unsafe_links_are_listed_with_the_reason_they_are_refused() -> None:
    links = article_links(
        article("[file](ftp://files.example/etc/passwd) [creds](https://user:pw@bank.example/)")
    )
    assert [link.url for link in links[1:]] == [
        "ftp://files.example/etc/passwd",
        "https://user:pw@bank.example/",
    ]
    assert links[1].refusal is not None and "http and https" in links[1].refusal
    assert links[2].refusal is not None and "user name" in links[2].refusal


def test_an_article_without_links_has_none_and_labels_are_one_clean_line() -> None:
    assert article_links(article("No links here.", url="")) == []
    links = article_links(article("[two\nlines\x07 of text](https://x.example/)", url=""))
    assert links[0].label == "two lines of text"


def test_a_body_of_thousands_of_links_is_capped() -> None:
    body = " ".join(f"[{n}](https://x.example/{n})" for n in range(MAX_LINKS + 50))
    links = article_links(article(body))
    assert len(links) == MAX_LINKS
    assert links[0].kind == "article" and links[1].url == "https://x.example/0"


def test_lead_image_and_enclosures_are_listed_after_the_article() -> None:
    from briefreader.model import Enclosure

    art = Article(
        id="m",
        title="Episode",
        url="https://pod.example/1",
        body="Intro ![](https://pod.example/a.png) and ![Map](https://pod.example/b.png).",
        image_url="https://pod.example/cover.jpg",
        image_alt="The cover",
        enclosures=(Enclosure("https://pod.example/1.mp3", "audio/mpeg", 31_000_000, 3725),),
    )
    assert [(link.kind, link.label) for link in article_links(art)] == [
        ("article", "Episode"),
        ("image", "lead image: The cover"),
        ("enclosure", "audio/mpeg · 1:02:05 · 31.0 MB"),
        ("image", "image 1"),
        ("image", "image 2: Map"),
    ]


def test_an_enclosure_without_a_type_is_named_by_its_file() -> None:
    """A reader's trial: three enclosures without a type read "file", "file · 100.0 KB",
    "file"."""
    from briefreader.links import enclosure_label
    from briefreader.model import Enclosure

    assert enclosure_label(Enclosure("https://pod.example/ep%2012.m4a?x=1", "", 4000)) == (
        "ep 12.m4a · 4.0 KB"
    )
    assert enclosure_label(Enclosure("https://pod.example/", "")) == "file"
    assert enclosure_label(Enclosure("https://pod.example/a.mp3", "audio/mpeg")) == "audio/mpeg"


def test_a_picture_linked_to_its_full_size_keeps_the_link() -> None:
    """A reader's trial: a thumbnail linked to its full-size photo listed only the
    thumbnail in u (the link around it was dropped). Both are listed now, the picture
    still draws in place, and words in a link with a picture keep it plain as before."""
    from briefreader.sources.html import html_to_markdown
    from briefreader.tui.widgets.body import parse_markdown

    body = html_to_markdown(
        '<p><a href="https://photos.example/full.jpg">'
        '<img src="https://photos.example/thumb.jpg" alt="The harbour"></a></p><p>Text.</p>'
    )
    assert body.startswith(
        "[![The harbour](https://photos.example/thumb.jpg)](https://photos.example/full.jpg)"
    )
    listed = [
        (link.kind, link.url) for link in article_links(Article(id="p", title="t", body=body))
    ]
    assert listed == [
        ("image", "https://photos.example/thumb.jpg"),
        ("link", "https://photos.example/full.jpg"),
    ]
    doc = parse_markdown(body)
    assert (
        doc.blocks[0].kind == "image" and doc.blocks[0].text == "https://photos.example/thumb.jpg"
    )


def test_the_image_i_loads_is_never_the_analysis_s() -> None:
    from briefreader.tui.media_actions import image_target

    story = Article(
        id="a",
        title="The story",
        url="https://news.example/world/story",
        analysis=Analysis(body="![the chart](https://img.example/chart.png)"),
        body="Text.\n\n![the quay](https://img.example/quay.png)",
    )
    assert image_target(story) == ("https://img.example/quay.png", "image 1: the quay")
    assert image_target(story.with_changes(body="Text.")) == ("", "")


def test_a_markdown_briefs_dek_and_takeaways_links_are_listed_first() -> None:
    # (A user's trial: "This article has no links." for a brief whose dek linked the
    # transport office.)
    story = article(
        "![the bridge](https://img.example/b.png) [A source](https://src.example/)",
        url="https://news.example/bridge",
    ).with_changes(
        summary="Shut until June, the [transport office](https://river.example/to) said.",
        takeaways=("See the [plan](/plan.pdf).", "![a map](https://m.example/a.png) too."),
        analysis=Analysis(body="[The budget](https://b.example/) is tight."),
    )
    assert [(link.kind, link.url, link.label) for link in article_links(story)[1:]] == [
        ("link", "https://river.example/to", "transport office"),
        ("link", "https://news.example/plan.pdf", "plan"),
        ("link", "https://b.example/", "The budget"),
        ("image", "https://img.example/b.png", "image 1: the bridge"),
        ("link", "https://src.example/", "A source"),
    ]
