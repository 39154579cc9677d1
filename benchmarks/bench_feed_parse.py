"""Feed parsing benchmark: fast path (lxml) against feedparser, and the cost per stage.

    python benchmarks/bench_feed_parse.py [--feeds 100] [--items 50] [--reference-feeds 10]
                                          [--processes 2]

Generates feeds like the refresh benchmark's (RSS 2.0 and Atom 1.0, 50 items of
1–3 KB of HTML each; a third with a "Key takeaways" list, some with an "Why it
matters" section, half with a teaser description beside full content:encoded),
then measures on this machine, in one run:

* items/s of the XML read alone: the fast path (lxml) and feedparser, with its
  sanitiser off (as briefreader runs it) and on (its default);
* items/s of the whole ``parse_feed`` (read + sanitise + HTML→Markdown + brief
  parts + dek + derived takeaways + cleaning), fast path and feedparser path, and
  of the lazy parse a refresh does (read + sanitise + the item's words for search);
* the cost per item of each stage after the read;
* ``parse_feed`` across ``--processes`` worker processes (what a refresh can do
  on 2 cores).

No network, no files outside a temporary folder.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import TextMaker  # noqa: E402

from briefreader.insight import _lead, derive_takeaways  # noqa: E402
from briefreader.model import Article  # noqa: E402
from briefreader.sources import clean_article  # noqa: E402
from briefreader.sources import feed as feedmod  # noqa: E402
from briefreader.sources.html import extract_brief_parts, html_to_markdown  # noqa: E402


def item_html(maker: TextMaker, n: int) -> str:
    """1–3 KB of article HTML."""
    rng = maker.rng
    parts: list[str] = []
    if n % 3 == 0:
        points = "".join(f"<li>{maker.sentence(8, 16)}</li>" for _ in range(rng.randint(3, 5)))
        parts.append(f"<h3>Key takeaways</h3><ul>{points}</ul>")
    target = rng.randint(1000, 3000)
    size = sum(len(p) for p in parts)
    k = 0
    while size < target:
        text = maker.paragraph(rng.randint(2, 4))
        if k % 2 == 1:
            words = text.split(" ")
            at = rng.randrange(1, len(words))
            words[at] = f'<a href="/story/{n}-{k}">{words[at]}</a>'
            text = " ".join(words)
        if k == 1:
            text = text.replace(".", ". <em>Quote</em>", 1)
        para = f"<p>{text}</p>"
        parts.append(para)
        size += len(para)
        k += 1
    if n % 5 == 0:
        parts.append(f"<h3>Why it matters</h3><p>{maker.paragraph(2)}</p>")
    return "\n".join(parts)


def make_rss(maker: TextMaker, feed_no: int, items: int) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"<channel><title>Outlet {feed_no}</title><link>https://o{feed_no}.example/</link>",
        f"<description>{escape(maker.sentence())}</description>",
    ]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(items):
        maker.topic = maker.rng.choice(maker.topics)
        html = item_html(maker, i)
        when = (start - timedelta(hours=3 * i)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        url = f"https://o{feed_no}.example/{i}"
        out.append(
            f"<item><title>{escape(maker.title())}</title><link>{url}</link>"
            f'<guid isPermaLink="false">o{feed_no}-{i}</guid><pubDate>{when}</pubDate>'
            f"<dc:creator>Writer {i % 7}</dc:creator><category>Topic {i % 4}</category>"
        )
        if i % 2 == 0:  # teaser + full content
            out.append(f"<description>{escape(maker.sentence(18, 30))}</description>")
            out.append(f"<content:encoded><![CDATA[{html}]]></content:encoded></item>")
        else:
            out.append(f"<description>{escape(html)}</description></item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def make_atom(maker: TextMaker, feed_no: int, items: int) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>Outlet {feed_no}</title><id>tag:o{feed_no}.example,2026:feed</id>",
        f'<link href="https://o{feed_no}.example/"/><updated>2026-11-01T00:00:00Z</updated>',
        f"<author><name>Desk {feed_no}</name></author>",
    ]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(items):
        maker.topic = maker.rng.choice(maker.topics)
        html = item_html(maker, i)
        when = (start - timedelta(hours=3 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        url = f"https://o{feed_no}.example/{i}"
        out.append(
            f'<entry><title type="html">{escape(maker.title())}</title>'
            f'<link rel="alternate" href="{url}"/><id>tag:o{feed_no}.example,2026:{i}</id>'
            f"<published>{when}</published><updated>{when}</updated>"
            f'<category term="Topic {i % 4}"/>'
        )
        if i % 4 == 0:
            out.append(
                f'<link rel="related" title="Earlier" href="https://o{feed_no}.example/{i + 1}"/>'
            )
        if i % 2 == 0:
            out.append(f"<summary>{escape(maker.sentence(18, 30))}</summary>")
        out.append(f'<content type="html">{escape(html)}</content></entry>')
    out.append("</feed>")
    return "\n".join(out).encode("utf-8")


def make_feeds(count: int, items: int, seed: int = 11) -> list[bytes]:
    maker = TextMaker(seed)
    return [
        make_atom(maker, n, items) if n % 3 == 2 else make_rss(maker, n, items)
        for n in range(count)
    ]


def _rate(items: int, seconds: float) -> str:
    return f"{items / seconds:>10,.0f} items/s  ({seconds * 1000 / max(items, 1):.3f} ms/item)"


def _timed(fn: Callable[[], Any], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _parse_one(args: tuple[bytes, str]) -> int:
    return len(feedmod.parse_feed(args[0], url=args[1], lazy=True).items)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=100)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--reference-feeds", type=int, default=10, help="feeds fed to feedparser")
    ap.add_argument("--processes", type=int, default=2)
    ns = ap.parse_args()

    import feedparser

    feeds = make_feeds(ns.feeds, ns.items)
    urls = [f"https://o{n}.example/feed" for n in range(len(feeds))]
    total = sum(len(f) for f in feeds)
    n_items = ns.feeds * ns.items
    ref = feeds[: ns.reference_feeds]
    n_ref = len(ref) * ns.items
    print(f"{ns.feeds} feeds × {ns.items} items, {total / 1e6:.1f} MB of XML")
    print(f"average item HTML: {total / n_items / 1000:.1f} KB (with its XML)")
    print()

    print("XML read alone (bytes → raw items)")
    t = _timed(lambda: [feedmod.raw_fast(f) for f in feeds])
    print(f"  fast path (lxml)             {_rate(n_items, t)}")
    t = _timed(
        lambda: [
            feedparser.parse(io.BytesIO(f), sanitize_html=False, resolve_relative_uris=False)
            for f in ref
        ],
        runs=1,
    )
    print(f"  feedparser, sanitiser off    {_rate(n_ref, t)}")
    t = _timed(lambda: [feedparser.parse(io.BytesIO(f)) for f in ref], runs=1)
    print(f"  feedparser, sanitiser on     {_rate(n_ref, t)}")
    print()

    print("whole parse_feed (read + sanitise + Markdown + brief parts + dek + takeaways)")
    t_fast = _timed(
        lambda: [feedmod.fast_parse(f, url=u) for f, u in zip(feeds, urls, strict=True)]
    )
    print(f"  fast path                    {_rate(n_items, t_fast)}")
    t_lazy = _timed(
        lambda: [feedmod.fast_parse(f, url=u, lazy=True) for f, u in zip(feeds, urls, strict=True)]
    )
    print(f"  fast path, lazy (a refresh)  {_rate(n_items, t_lazy)}")
    t = _timed(
        lambda: [
            feedmod.reference_parse(f, url=u) for f, u in zip(ref, urls[: len(ref)], strict=True)
        ],
        runs=1,
    )
    print(f"  feedparser path              {_rate(n_ref, t)}")
    print()

    # Per-stage cost on the fast path's raw items.
    raws = [feedmod.raw_fast(f) for f in feeds]
    items = [it for r in raws for it in r.items]
    mains = [it.content or it.summary for it in items]
    htmls = [m.value if m is not None else "" for m in mains]
    teasers = [it.summary.value for it in items if it.summary is not None and it.content]
    stages: list[tuple[str, float, int]] = []
    t = _timed(lambda: [feedmod.raw_fast(f) for f in feeds])
    stages.append(("XML read (lxml)", t, len(items)))
    clean = [feedmod.sanitize_html(h) for h in htmls]
    t = _timed(lambda: [feedmod.sanitize_html(h) for h in htmls])
    stages.append(("sanitise (nh3)", t, len(items)))
    t = _timed(lambda: [feedmod.html_to_brief(h, "https://o.example/") for h in clean])
    stages.append(("HTML→Markdown + brief parts", t, len(items)))
    t = _timed(lambda: [extract_brief_parts(h, "https://o.example/") for h in clean])
    unskipped = t
    t = _timed(lambda: [html_to_markdown(feedmod.sanitize_html(h)) for h in teasers])
    stages.append(("teaser dek (when separate)", t, len(items)))
    built = [feedmod.build_feed(r, url=u, parser="fast") for r, u in zip(raws, urls, strict=True)]
    arts: list[Article] = [a for b in built for a in b.items]
    need = [a for a in arts if a.takeaways_derived]
    t = _timed(
        lambda: [derive_takeaways(_lead(a.body), summary=a.summary, title=a.title) for a in need]
    )
    stages.append(("derived takeaways (items without)", t, len(items)))
    t = _timed(lambda: [feedmod._first_paragraph(a.body) for a in arts])
    stages.append(("dek from the body", t, len(items)))
    t = _timed(lambda: [clean_article(a) for a in arts])
    stages.append(("clean_article", t, len(items)))
    print("cost per item, by stage (fast path; averaged over all items)")
    for name, secs, count in stages:
        print(f"  {name:36} {secs * 1e6 / max(count, 1):8.1f} µs/item")
    print(f"  {'sum of stages':36} {sum(s for _, s, _ in stages) * 1e6 / len(items):8.1f} µs/item")
    print(f"  ({len(need)} of {len(items)} items got derived takeaways)")
    print(
        f"  (the brief-parts search on every item, unskipped: "
        f"{unskipped * 1e6 / len(items):.1f} µs/item)"
    )
    print()

    if ns.processes > 1:
        with ProcessPoolExecutor(ns.processes) as pool:
            list(pool.map(_parse_one, list(zip(feeds[:4], urls[:4], strict=True))))  # warm up
            start = time.perf_counter()
            got = sum(pool.map(_parse_one, list(zip(feeds, urls, strict=True)), chunksize=4))
            t = time.perf_counter() - start
        print(f"parse_feed (lazy, as a refresh parses) across {ns.processes} processes")
        print(f"  {got} items                  {_rate(got, t)}")
        print(
            f"  → {500 * 50:,} items (500 × 50) would take {500 * 50 / (got / t):.1f} s of wall time"
        )


if __name__ == "__main__":
    main()
