"""One refresh, every kind of bad feed at once, beside good ones.

A rejected body (a web page), a JSON Feed carrying lone surrogates, an entity
amplification hidden after a comment ("billion laughs"), a body cut short by a
wrong Content-Length and a feed that stalls: each costs only itself.  Every good
feed's items arrive, the run ends in bounded time, and the whole process tree
(refresh plus its parser workers) stays within bounded memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fetchserver import FetchServer

from briefreader.store import Library

GOOD_FEEDS = 8
ITEMS_PER_FEED = 5

#: The process tree's peak resident memory may not pass this (a refresh of these
#: feeds needs well under 200 MB; the amplification, expanded, needed 1.37 GB).
PEAK_RSS_LIMIT_MB = 400


def good_rss(n: int) -> bytes:
    items = "".join(
        f"<item><title>Harbour report {n}.{i}</title>"
        f"<link>https://good{n}.example/story/{i}</link><guid>good-{n}-{i}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 1{i}:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Cranes at berth {i} stood idle on Tuesday while the "
        f"union counted votes.&lt;/p&gt;</description></item>"
        for i in range(ITEMS_PER_FEED)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Good {n}</title><link>https://good{n}.example/</link>"
        f"<description>d</description>{items}</channel></rss>"
    ).encode()


PAGE = (
    b"<!DOCTYPE html><html><head><title>Not a feed</title></head><body>"
    + b"<p>This is a web page, not a feed.</p>" * 50
    + b"</body></html>"
)

# Ten levels of ten: 10^10 "lol"s if expanded; the DOCTYPE hides after a comment.
_LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 11)
)
AMPLIFICATION = (
    '<?xml version="1.0" encoding="utf-8"?><!-- an innocent <b>comment</b> -->'
    f"<!DOCTYPE rss [{_LAUGHS}]>"
    '<rss version="2.0"><channel><title>Laughs</title><link>https://laughs.example/</link>'
    "<description>d</description><item><title>Laugh</title>"
    "<link>https://laughs.example/1</link><description>&lol10;</description></item>"
    "</channel></rss>"
).encode()

# json.dumps writes a lone surrogate as the escape \ud800: valid JSON text.
SURROGATE_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Surrogates \ud800",
        "home_page_url": "https://surrogates.example/",
        "items": [
            {
                "id": "s1",
                "url": "https://surrogates.example/1",
                "title": "Broken \udfff title",
                "content_text": "A body with a lone \ud800 surrogate in it.",
            }
        ],
    }
).encode()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 for the memory figure")
def test_one_refresh_with_every_bad_feed_loads_every_good_one(tmp_path: Path) -> None:
    library = tmp_path / "lib.sqlite3"
    env = {**os.environ, "BRIEFREADER_HOME": str(tmp_path / "home"), "NO_PROXY": "*"}
    with FetchServer() as server:
        server.add("/page.html", PAGE, content_type="text/html; charset=utf-8")
        server.add("/laughs.xml", AMPLIFICATION, content_type="application/rss+xml")
        server.add("/surrogates.json", SURROGATE_FEED, content_type="application/feed+json")
        whole = good_rss(99)
        server.add_reset("/cut.xml", whole[:300], content_length=len(whole), abort=False)
        server.add_stall("/stall.xml", limit=3)  # headers, then nothing, then closed
        for n in range(GOOD_FEEDS):
            server.add(f"/good{n}.xml", good_rss(n), content_type="application/rss+xml")
        bad = ["page.html", "laughs.xml", "surrogates.json", "cut.xml", "stall.xml"]
        with Library(library) as lib:
            # Bad feeds first, so they reach the parser pool before the good ones.
            for name in [*bad, *(f"good{n}.xml" for n in range(GOOD_FEEDS))]:
                lib.add_feed(server.url(f"/{name}"))
        out_path, err_path = tmp_path / "out.json", tmp_path / "err.txt"
        started = time.monotonic()
        with out_path.open("wb") as out_file, err_path.open("wb") as err_file:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "briefreader",
                    "refresh",
                    "--json",
                    "--library",
                    str(library),
                ],
                stdout=out_file,
                stderr=err_file,
                env=env,
            )
        # Reaped with wait4: its rusage covers the refresh and every worker it waited
        # for (ru_maxrss is the largest of them), and nothing else this process ran.
        status, rusage = 0, None
        for _ in range(1200):  # 120 s at most
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.1)
        else:
            proc.kill()
            proc.wait()
            pytest.fail("the refresh did not finish in 120 s")
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        peak_mb = rusage.ru_maxrss / 1024
        out, err = out_path.read_bytes(), err_path.read_bytes()

    assert proc.returncode == 1, err.decode()  # some feeds failed: exit status 1
    report = json.loads(out)
    by_name = {f["url"].rsplit("/", 1)[-1]: f for f in report["feeds"]}

    # Every good feed arrived whole.
    for n in range(GOOD_FEEDS):
        feed = by_name[f"good{n}.xml"]
        assert feed["status"] == "new", feed
        assert feed["added"] == ITEMS_PER_FEED, feed

    # Each bad feed failed (or loaded harmlessly) on its own, with one line.
    assert by_name["page.html"]["status"] == "failed"
    assert "BrokenProcessPool" not in by_name["page.html"]["error"]
    assert by_name["cut.xml"]["status"] == "failed"
    assert "truncated" in by_name["cut.xml"]["error"]
    assert by_name["stall.xml"]["status"] == "failed"
    assert by_name["surrogates.json"]["status"] == "new", by_name["surrogates.json"]
    for name in bad:
        assert "\n" not in (by_name[name].get("error") or "")

    with Library(library) as lib:
        assert lib.count() >= GOOD_FEEDS * ITEMS_PER_FEED + 1
        surrogate = lib.find("https://surrogates.example/1")
        assert surrogate is not None
        assert "\ufffd" in surrogate.title and "\ufffd" in surrogate.body
        laugh = lib.find("https://laughs.example/1")
        if laugh is not None:  # parsed without expanding, or refused: never amplified
            assert len(laugh.body) < 10_000, len(laugh.body)

    print(f"mixed-fault refresh: {seconds:.1f} s, peak {peak_mb:.0f} MB")
    assert seconds < 90, f"refresh took {seconds:.1f} s"
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak resident memory {peak_mb:.0f} MB"
