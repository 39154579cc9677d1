"""newsboat's ``urls`` file → subscriptions (``briefreader import ~/.newsboat/urls``).

One feed a line: its URL, then its tags separated by blanks, a tag with blanks in
double quotes (``\\"`` and ``\\\\`` escape inside them).  A tag ``~Name`` is the
feed's title, not a tag; ``!`` before a tag (newsboat's "hidden") is dropped.
``#`` starts a comment line.  What newsboat would run or compute is never run here:
``query:`` feeds (views over other feeds), ``exec:`` and ``filter:`` lines (a
command's output as a feed) are skipped, each with a note, and so are URLs that
are not http(s).

Pure: bytes in, :class:`~briefreader.sources.opml.OpmlFeed` values and notes out.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from briefreader.sources import SourceError, decode_bytes, read_regular_file
from briefreader.sources.opml import MAX_OPML_BYTES, OpmlFeed, parse_opml
from briefreader.textclean import clean_line

__all__ = ["MAX_URLS_BYTES", "looks_like_newsboat", "parse_newsboat_urls", "read_subscriptions"]

#: A urls file larger than this is refused (newsboat users with 10,000 feeds: ~1 MB).
MAX_URLS_BYTES = 8 * 1024 * 1024
_MAX_TAG = 200
_MAX_TAGS = 50


def looks_like_newsboat(data: bytes) -> bool:
    """Whether a file that is not OPML reads as a urls file: its first line that is
    not blank or a comment starts with a URL or one of newsboat's prefixes."""
    for raw in data[: 64 * 1024].splitlines():
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        return line.lower().startswith(
            (b"http://", b"https://", b"query:", b"exec:", b"filter:", b"file://", b"feed:")
        )
    return False


def read_subscriptions(path: Path) -> tuple[list[OpmlFeed], list[str]]:
    """The subscriptions file ``import`` was given (a regular file, capped):
    newsboat's urls, else OPML.  :class:`SourceError` or OSError when unreadable."""
    data = read_regular_file(path, str(path), MAX_OPML_BYTES)
    if looks_like_newsboat(data):
        return parse_newsboat_urls(data, str(path))
    skipped: list[str] = []
    feeds = parse_opml(data, str(path), skipped)
    return feeds, skipped


def _http_url(text: str) -> str:
    """``text`` (cleaned) if it is an absolute http(s) URL with a host, else ""."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return clean_line(text)
    return ""


def _tokens(line: str) -> list[str]:
    """The line's words: blanks separate them; double quotes group, with \\" and \\\\."""
    tokens: list[str] = []
    current: list[str] = []
    in_quotes = False
    had_token = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quotes:
            if ch == "\\" and i + 1 < len(line) and line[i + 1] in '"\\':
                current.append(line[i + 1])
                i += 1
            elif ch == '"':
                in_quotes = False
            else:
                current.append(ch)
        elif ch == '"':
            in_quotes, had_token = True, True
        elif ch in " \t":
            if current or had_token:
                tokens.append("".join(current))
            current, had_token = [], False
        else:
            current.append(ch)
            had_token = True
        i += 1
    if current or had_token:
        tokens.append("".join(current))
    return tokens


def parse_newsboat_urls(data: bytes, origin: str) -> tuple[list[OpmlFeed], list[str]]:
    """The feeds of a urls file and one-line notes on lines left out."""
    if len(data) > MAX_URLS_BYTES:
        raise SourceError(origin, f"too large for a newsboat urls file ({len(data) / 1e6:.1f} MB)")
    text = decode_bytes(data, origin).text
    feeds: dict[str, OpmlFeed] = {}
    notes: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = _tokens(line)
        if not words:
            continue
        first, rest = words[0], words[1:]
        low = first.lower()
        where = f"{origin}:{number}"
        if low.startswith("query:"):
            notes.append(f"{where}: a query feed (a view over other feeds) skipped")
            continue
        if low.startswith(("exec:", "filter:")):
            notes.append(f"{where}: {low.split(':', 1)[0]}: runs a command; skipped, not run")
            continue
        url = _http_url(first)
        if not url:
            notes.append(f"{where}: not an http(s) URL: {clean_line(first)[:120]!r}; skipped")
            continue
        title = ""
        tags: list[str] = []
        for word in rest:
            if word.startswith("~"):
                title = title or clean_line(word[1:])[:500]
                continue
            tag = clean_line(word.removeprefix("!"))[:_MAX_TAG]
            if tag and tag not in tags and len(tags) < _MAX_TAGS:
                tags.append(tag)
        known = feeds.get(url)
        if known is not None:  # the same URL twice: one feed, tags merged
            tags = [*known.tags, *[t for t in tags if t not in known.tags]]
            title = known.title or title
        feeds[url] = OpmlFeed(url=url, title=title, tags=tuple(tags))
    return list(feeds.values()), notes
