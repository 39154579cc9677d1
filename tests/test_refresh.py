"""Feeds end to end against a real HTTP server on 127.0.0.1: subscribe, refresh,
faults, state kept, OPML, the commands."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from testkit import CliResult, run_cli

from briefreader.refresh import refresh, refresh_feeds, subscribe_async
from briefreader.store import Library


def rss(title: str, items: list[tuple[str, str]], *, link: str = "https://site.example/") -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>https://site.example/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{t} happened today in the harbour district. Officials said "
        f"the work would continue for three weeks. Residents were told to expect delays of up to "
        f"two hours on the coast road.</p><p>The council will meet on Friday to review the plan.</p>]]>"
        f"</description></item>"
        for t, guid in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{link}</link><description>d</description>{body}</channel></rss>"
    ).encode()


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(tmp_path / "lib.sqlite3")
    yield library
    library.close()


async def test_refresh_stores_items_and_keeps_state(
    fetch_server: FetchServer, lib: Library
) -> None:
    fetch_server.add_conditional(
        "/a.xml", rss("Alpha News", [("Bridge reopens", "a1"), ("Ferry delayed", "a2")])
    )
    feed, _ = lib.add_feed(fetch_server.url("/a.xml"))
    report = await refresh_feeds(lib)
    assert report.ok
    assert report.outcomes[0].added == 2
    info = lib.feed(feed.id)
    assert info is not None and info.title == "Alpha News" and info.item_count == 2
    art = lib.rows()[0]
    lib.set_read(art.id)
    lib.set_starred(art.id)
    # Second refresh: the server answers 304 to the validators we stored.
    report = await refresh_feeds(lib)
    assert report.outcomes[0].status == "not-modified"
    seen = fetch_server.requests_for("/a.xml")[-1].headers
    assert seen.get("if-none-match") == '"v1"'
    assert seen.get("if-modified-since")
    # A changed feed: new item added, the old ones keep read/star state.
    fetch_server.add_conditional(
        "/a.xml",
        rss(
            "Alpha News", [("Bridge reopens", "a1"), ("Ferry delayed", "a2"), ("Tram strike", "a3")]
        ),
        etag='"v2"',
    )
    report = await refresh_feeds(lib)
    assert report.outcomes[0].added == 1
    row = lib.row(art.id)
    assert row is not None and row.read and row.starred
    assert lib.count() == 3


async def test_one_bad_feed_never_blocks_the_others(
    fetch_server: FetchServer, lib: Library
) -> None:
    fetch_server.add(
        "/good.xml", rss("Good", [("Fine story", "g1")]), content_type="application/rss+xml"
    )
    fetch_server.add("/404.xml", b"nope", status=404)
    fetch_server.add("/500.xml", b"oops", status=500)
    fetch_server.add(
        "/html.xml", b"<!doctype html><html><body><p>hi</p></body></html>", content_type="text/html"
    )
    fetch_server.add("/garbage.xml", b"\x00\x01\x02 not xml at all", content_type="application/xml")
    fetch_server.add_stall("/stall.xml", limit=5)
    fetch_server.add_drip("/drip.xml", interval=0.5, limit=5)
    fetch_server.add_reset("/reset.xml")
    fetch_server.add_redirect("/to-file.xml", "file:///etc/passwd", status=302)
    fetch_server.add_redirect("/loop.xml", "/loop.xml", status=302)
    fetch_server.add_gzip_bomb("/bomb.xml", size=256 * 1024 * 1024)
    fetch_server.add("/429.xml", b"", status=429, headers={"Retry-After": "120"})
    fetch_server.add("/gone.xml", b"", status=410)
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
        b'<rss version="2.0"><channel><title>&f;</title><item><title>&f;</title></item></channel></rss>'
    )
    fetch_server.add("/entities.xml", entity, content_type="application/rss+xml")
    for name in (
        "good", "404", "500", "html", "garbage", "stall", "drip", "reset", "to-file", "loop",
        "bomb", "429", "gone", "entities",
    ):  # fmt: skip
        lib.add_feed(fetch_server.url(f"/{name}.xml"))
    started = time.monotonic()
    report = await refresh_feeds(lib, deadline=2.0)
    elapsed = time.monotonic() - started
    assert elapsed < 15, "every fault is bounded in time"
    by_url = {o.url.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert by_url["good.xml"].status == "new"
    for name in (
        "404",
        "500",
        "html",
        "garbage",
        "stall",
        "drip",
        "reset",
        "to-file",
        "loop",
        "bomb",
        "429",
        "gone",
    ):
        outcome = by_url[f"{name}.xml"]
        assert outcome.status == "failed", name
        assert outcome.error and "\n" not in outcome.error, name
    # The entity feed either loads without expanding or fails cleanly.
    ent = by_url["entities.xml"]
    assert ent.status in ("new", "failed")
    assert (lib._db.execute("SELECT max(length(title)) FROM articles").fetchone()[0] or 0) < 10_000
    # Errors are stored for the feeds screen; 410 marks dead; 429 defers.
    feeds = {f.url.rsplit("/", 1)[-1]: f for f in lib.feeds()}
    assert "404" in feeds["404.xml"].last_error
    assert feeds["gone.xml"].dead
    assert feeds["429.xml"].retry_after and feeds["429.xml"].retry_after > time.time() + 60
    assert lib.count() >= 1
    # Next run: the dead and the deferred feeds are skipped, the good one still works.
    report = await refresh_feeds(lib, deadline=2.0)
    by_url = {o.url.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert by_url["gone.xml"].status == "skipped"
    assert by_url["429.xml"].status == "skipped"


async def test_failed_refresh_loses_nothing(fetch_server: FetchServer, lib: Library) -> None:
    fetch_server.add(
        "/f.xml", rss("F", [("One", "1"), ("Two", "2")]), content_type="application/rss+xml"
    )
    lib.add_feed(fetch_server.url("/f.xml"))
    await refresh_feeds(lib)
    before = {a.id: a.to_dict() for a in lib.articles()}
    fetch_server.add(
        "/f.xml", b"<rss><channel><item><title>broken", content_type="application/rss+xml"
    )
    await refresh_feeds(lib)
    fetch_server.add("/f.xml", b"", status=500)
    report = await refresh_feeds(lib)
    assert not report.ok
    assert {a.id: a.to_dict() for a in lib.articles()} == before


async def test_permanent_redirect_updates_the_stored_url(
    fetch_server: FetchServer, lib: Library
) -> None:
    fetch_server.add("/new.xml", rss("Moved", [("Hello", "h")]), content_type="application/rss+xml")
    fetch_server.add_redirect("/old.xml", "/new.xml", status=301)
    feed, _ = lib.add_feed(fetch_server.url("/old.xml"))
    await refresh_feeds(lib)
    info = lib.feed(feed.id)
    assert info is not None and info.url == fetch_server.url("/new.xml")


async def test_subscribe_by_page_autodiscovery(fetch_server: FetchServer, lib: Library) -> None:
    fetch_server.add(
        "/feed.xml", rss("Discovered", [("Found it", "x")]), content_type="application/rss+xml"
    )
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>hi</body></html>'
    fetch_server.add("/blog", page, content_type="text/html")
    result = await subscribe_async(lib, fetch_server.url("/blog"), tags=["news"])
    assert not result.error
    assert result.url == fetch_server.url("/feed.xml")
    assert result.items == 1
    (feed,) = lib.feeds()
    assert feed.title == "Discovered" and feed.tags == ("news",)
    bad = await subscribe_async(lib, fetch_server.url("/nothing-here"))
    assert bad.error


def run(*args: str, home: Path) -> CliResult:
    return run_cli(*args, home=home)


def test_commands_add_refresh_feeds_opml_remove(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with FetchServer() as server:
        server.add("/a.xml", rss("Alpha", [("A story", "a")]), content_type="application/rss+xml")
        server.add("/b.xml", rss("Beta", [("B story", "b")]), content_type="application/rss+xml")
        server.add("/dead.xml", b"", status=404)
        out = run("add", server.url("/a.xml"), home=home)
        assert out.returncode == 0, out.stderr
        assert "subscribed to Alpha" in out.stderr and "(1 item)" in out.stderr
        renamed = run("rename", server.url("/a.xml"), "My Alpha", home=home)
        assert renamed.returncode == 0, renamed.stderr
        out = run("refresh", "-v", home=home)  # the user's name, as everywhere
        assert "My Alpha: 0 new" in out.stderr + out.stdout, out.stderr
        assert "Alpha:" not in (out.stderr + out.stdout).replace("My Alpha:", "")
        run("rename", server.url("/a.xml"), home=home)  # (its own title again)
        out = run("add", server.url("/a.xml"), home=home)  # again: its item is stored
        assert out.returncode == 0, out.stderr
        assert "already subscribed to Alpha" in out.stderr
        assert "(1 item, 0 new or updated)" in out.stderr  # (it said "0 items")
        opml = tmp_path / "subs.opml"
        opml.write_text(
            '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
            f'<outline text="World"><outline type="rss" text="Beta" xmlUrl="{server.url("/b.xml")}"/>'
            f'<outline type="rss" text="Dead" xmlUrl="{server.url("/dead.xml")}"/></outline>'
            "</body></opml>",
            encoding="utf-8",
        )
        out = run("import", str(opml), home=home)
        assert out.returncode == 0, out.stderr
        out = run("refresh", "--json", home=home)
        assert out.returncode == 1  # the dead feed failed
        data = json.loads(out.stdout)
        assert data["totals"]["failed"] == 1
        statuses = {f["url"].rsplit("/", 1)[-1]: f["status"] for f in data["feeds"]}
        assert statuses["b.xml"] == "new" and statuses["dead.xml"] == "failed"
        out = run("feeds", "--json", home=home)
        feeds = {f["url"].rsplit("/", 1)[-1]: f for f in json.loads(out.stdout)}
        assert feeds["b.xml"]["tags"] == ["World"]
        assert feeds["b.xml"]["items"] == 1
        assert "404" in feeds["dead.xml"]["last_error"]
        out = run("feeds", home=home)
        assert "last error" in out.stdout
        out = run("export", "--opml", home=home)
        assert server.url("/b.xml") in out.stdout and 'text="World"' in out.stdout
        out = run("remove", server.url("/dead.xml"), home=home)
        assert out.returncode == 0
        out = run("remove", server.url("/never.xml"), home=home)
        assert out.returncode == 1
        out = run("show", server.url("/a.xml"), "--format", "json", home=home)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["title"] == "A story"


def test_show_url_full_text(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the full report on the new harbour bridge, with enough words to count "
        f"as real article text for the extractor to keep.</p>"
        for i in range(8)
    )
    page = (
        "<html><head><title>Bridge report</title></head><body><nav>Home | World</nav>"
        f"<article><h1>Bridge report</h1>{paragraphs}</article><footer>© Site</footer></body></html>"
    ).encode()
    with FetchServer() as server:
        server.add("/story", page, content_type="text/html; charset=utf-8")
        out = run("show", server.url("/story"), "--full", "--format", "json", home=tmp_path / "h")
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)
        assert "Paragraph 7" in data["body"]
        assert "Home | World" not in data["body"]
        out = run("show", server.url("/missing"), "--full", home=tmp_path / "h")
        assert out.returncode == 1 and "404" in out.stderr


def test_refresh_in_a_process_pool(fetch_server: FetchServer, tmp_path: Path) -> None:
    for i in range(6):
        fetch_server.add(
            f"/p{i}.xml",
            rss(f"P{i}", [(f"Story {i}", f"s{i}")]),
            content_type="application/rss+xml",
        )
    with Library(tmp_path / "pool.sqlite3") as lib:
        for i in range(6):
            lib.add_feed(fetch_server.url(f"/p{i}.xml"))
        report = refresh(lib)
        assert report.ok and lib.count() == 6


async def test_content_type_and_charset_quirks_still_load(
    fetch_server: FetchServer, lib: Library
) -> None:
    """Servers lie about feeds: a wrong or missing Content-Type, or a charset header
    that disagrees with the XML declaration, must not stop a good feed loading."""
    body = rss("Café Crème", [("Señora Núñez wins the vote", "q1")])
    fetch_server.add("/plain.xml", body, content_type="text/plain")
    fetch_server.add("/none.xml", body)  # no Content-Type at all
    fetch_server.add("/html-type.xml", body, content_type="text/html; charset=utf-8")
    # The header says Latin-1, the document (and its bytes) say UTF-8.
    fetch_server.add("/liar.xml", body, content_type="application/rss+xml; charset=iso-8859-1")
    for name in ("plain", "none", "html-type", "liar"):
        lib.add_feed(fetch_server.url(f"/{name}.xml"))
    report = await refresh_feeds(lib)
    assert [o.status for o in report.outcomes] == ["new"] * 4, [o.line() for o in report.outcomes]
    titles = {f.title for f in lib.feeds()}
    assert titles == {"Café Crème"}
    (row,) = {r.title for r in lib.rows()}
    assert row == "Señora Núñez wins the vote"


def test_add_of_an_empty_document_says_it_is_empty_as_refresh_does(tmp_path: Path) -> None:
    """`add` said "not a feed, and the page names no feed" of an empty file, where
    `refresh` and `feeds` say "empty document, not a feed"."""
    with FetchServer() as server:
        server.add("/empty.xml", b"", content_type="application/rss+xml")
        out = run("add", server.url("/empty.xml"), home=tmp_path / "home")
    assert out.returncode == 1
    assert "empty document, not a feed" in out.stderr and "names no feed" not in out.stderr


def test_add_of_the_first_feed_says_the_sample_briefs_made_way(tmp_path: Path) -> None:
    """The app's toast said so; `add URL` on the command line removed them silently."""
    home = tmp_path / "home"
    run("add", "--samples", "-q", home=home)
    with Library(home / "library.sqlite3") as library:
        samples = library.sample_count()
    assert samples > 0
    with FetchServer() as server:
        server.add("/a.xml", rss("Alpha", [("A story", "a")]), content_type="application/rss+xml")
        out = run("add", server.url("/a.xml"), home=home)
        assert out.returncode == 0, out.stderr
        assert f"the {samples} sample briefs made way for it" in out.stderr
        assert "briefreader add --samples brings them back" in out.stderr
        again = run("add", server.url("/a.xml"), home=home)
    assert "made way" not in again.stderr
