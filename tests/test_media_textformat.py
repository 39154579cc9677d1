"""``briefreader show ARTICLE --format text`` lists the lead image (alt text and
address) and the enclosures (type, duration, size, address); nothing for an article
without them, and no control character of a hostile field reaches the output."""

from __future__ import annotations

import json
from pathlib import Path

from testkit import run_cli

from briefreader.model import Article, Enclosure
from briefreader.textformat import article_to_text


def podcast(**changes: object) -> Article:
    fields: dict[str, object] = {
        "id": "ep-12",
        "title": "Episode 12: the harbour at night",
        "body": "Show notes for the episode.",
        "url": "https://pod.example/12",
        "image_url": "https://img.example/12.jpg",
        "image_alt": "A harbour crane at dusk",
        "enclosures": (
            Enclosure("https://pod.example/12.mp3", "audio/mpeg", 31_000_000, 3725),
            Enclosure("https://pod.example/12-extra.m4a", "audio/mp4", 0, 61),
        ),
    }
    fields.update(changes)
    return Article(**fields)  # type: ignore[arg-type]


def test_text_lists_the_lead_image_and_every_enclosure() -> None:
    text = article_to_text(podcast())
    assert "Lead image: A harbour crane at dusk <https://img.example/12.jpg>" in text
    assert "Listen\n" in text
    assert "  1. audio/mpeg · 1:02:05 · 31.0 MB <https://pod.example/12.mp3>" in text
    assert "  2. audio/mp4 · 1:01 <https://pod.example/12-extra.m4a>" in text
    # before the body, after the header
    assert text.index("Lead image:") < text.index("Show notes for the episode.")


def test_files_heading_and_no_alt_and_nothing_without_media() -> None:
    video = podcast(
        image_alt="",
        enclosures=(Enclosure("https://v.example/a.mp4", "video/mp4", 2_000, 0),),
    )
    text = article_to_text(video)
    assert "Lead image: <https://img.example/12.jpg>" in text
    assert "Files\n  1. video/mp4 · 2.0 KB <https://v.example/a.mp4>" in text
    plain = article_to_text(podcast(image_url="", image_alt="", enclosures=()))
    assert "Lead image" not in plain and "Listen" not in plain and "Files" not in plain


def test_hostile_fields_carry_no_control_characters() -> None:
    text = article_to_text(
        podcast(
            image_alt="crane\x1b]52;c;ZXZpbA==\x07 at dusk",
            enclosures=(Enclosure("https://pod.example/a\x1b[2J.mp3", "audio/mpeg\x1b[31m", 0, 0),),
        )
    )
    media = text[text.index("Lead image:") : text.index("Show notes")]
    assert "\x1b" not in media and "\x07" not in media


def test_show_format_text_lists_media(tmp_path: Path) -> None:
    path = tmp_path / "episode.json"
    path.write_text(json.dumps(podcast().to_dict()), encoding="utf-8")
    out = run_cli("show", str(path), "--format", "text", home=tmp_path / "home", check=True)
    assert "Lead image: A harbour crane at dusk <https://img.example/12.jpg>" in out.stdout
    assert "  1. audio/mpeg · 1:02:05 · 31.0 MB <https://pod.example/12.mp3>" in out.stdout
    assert "  2. audio/mp4 · 1:01 <https://pod.example/12-extra.m4a>" in out.stdout


def test_plain_text_keeps_hard_breaks_numbered_lists_and_code_line_by_line() -> None:
    """`show` (plain text) ran <br>-separated fields, a numbered list and a code block
    into wrapped prose, with the hard breaks' backslashes in it (a reader's trial)."""
    body = (
        "Developer: kAIST\\\nLanguage: English\\\nStatus: free\n\n"
        "1. January: survey finds cracks\n2. February: weight limit\n3. March: closure\n\n"
        "```\nload = span * 1.35\nif load > limit:\n    close()\n```\n\n"
        "Option | Cost\\\nRepair | 4m\n\n"
        "A plain paragraph that goes on long enough to be wrapped at the given width of "
        "the text, as prose is."
    )
    text = article_to_text(Article(id="x", title="Bridge", body=body), width=60)
    lines = text.splitlines()
    for shown in (
        "Developer: kAIST",
        "Language: English",
        "Status: free",
        "1. January: survey finds cracks",
        "2. February: weight limit",
        "load = span * 1.35",
        "if load > limit:",
        "    close()",
        "Option | Cost",
        "Repair | 4m",
    ):
        assert shown in lines, (shown, lines)
    assert "\\" not in text
    assert all(len(line) <= 60 for line in lines if line.startswith("A plain") or "wrapped" in line)


def test_plain_text_shows_typed_marks_without_the_backslashes_that_keep_them_text() -> None:
    # (Item HTML's "* feature" and "2024. A year" lines are escaped in the Markdown so
    # the app draws them as typed; plain text shows them as typed too.)
    from briefreader.sources.html import html_to_markdown

    body = html_to_markdown(
        "<p>Features:<br />* screen dimming<br />2024. A year</p><ul><li>- a dash</li></ul>"
        "<blockquote><p>> quoted</p></blockquote><p>```<br>make<br>--<br>===</p>"
    )
    lines = article_to_text(Article(id="x", title="Tide clock", body=body)).splitlines()
    for shown in ("* screen dimming", "2024. A year", "- - a dash", "> > quoted", "```", "--"):
        assert shown in lines, (shown, lines)
    assert not any("\\" in line for line in lines), lines


def test_an_item_with_no_text_has_no_reading_time() -> None:
    """A reader's trial: "1 min read" under items with nothing to read."""
    from briefreader.textformat import meta_line

    assert meta_line(Article(id="e", title="Example entry", source="Feed")) == "Feed"
    assert meta_line(Article(id="w", title="T", source="Feed", body="One word.")) == (
        "Feed · 1 min read"
    )


def test_plain_text_leaves_out_a_dek_that_repeats_the_body() -> None:
    """A reader's trial: `show` printed "Watch out for nasty tricks" twice, as the dek
    and as the body's start (the app leaves such a dek out)."""
    first = "Watch out for nasty tricks in the new phishing mails that look like a bank's."
    article = Article(
        id="x", title="Phishing", summary=first, body=f"{first}\n\nThe second paragraph says more."
    )
    assert article_to_text(article).count("Watch out for nasty tricks") == 1
    own = Article(id="y", title="Phishing", summary="A dek of its own words.", body=article.body)
    assert "A dek of its own words." in article_to_text(own)
