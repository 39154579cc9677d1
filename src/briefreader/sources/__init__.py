"""Readers: bytes → Articles, one module per format.

No UI, no database.  :func:`read_file` picks a reader by extension and by sniffing
the content, decodes the bytes, parses, and cleans every text field.  Anything that
goes wrong is a :class:`SourceError` whose message names the file and says why in
one line.  :func:`expand_inputs` turns command-line arguments (files, folders,
globs) into the files to read.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from briefreader.model import (
    UNTITLED,
    Analysis,
    Article,
    ArticleState,
    Enclosure,
    RelatedLink,
    Tombstone,
    article_id,
    legacy_article_ids,
    local_article_id,
)
from briefreader.textclean import clean_block, clean_line
from briefreader.wording import counted

__all__ = [
    "MAX_FILE_BYTES",
    "READERS",
    "DecodedText",
    "SourceError",
    "address_hint",
    "clean_article",
    "decode_bytes",
    "expand_inputs",
    "parse_text",
    "read_file",
    "read_regular_file",
]

#: Files larger than this are refused (an article is never this large).
MAX_FILE_BYTES = 16 * 1024 * 1024

Parser = Callable[[str, str], list[Article]]
#: A reader that also returns each article's library state (``None`` for none),
#: one entry per article: what an export carries beside the articles.
StateParser = Callable[[str, str], tuple[list[Article], list[ArticleState | None]]]


class SourceError(Exception):
    """A file that could not be read as an article: ``str()`` is one line naming it."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


@dataclass(slots=True)
class DecodedText:
    text: str
    encoding: str
    warning: str = ""


@dataclass(slots=True)
class ReadResult:
    """What reading one file gave: its articles and any one-line warnings.

    ``states`` holds, by article id, the read/star state and feed an export wrote
    beside its articles (see :class:`~briefreader.model.ArticleState`); importing
    the file restores it.
    """

    articles: list[Article]
    warnings: list[str] = field(default_factory=list)
    states: dict[str, ArticleState] = field(default_factory=dict)
    tombstones: list[Tombstone] = field(default_factory=list)
    """An export's deleted and pruned feed items (``export --deleted``)."""


# ---------------------------------------------------------------------------------
# decoding


_BINARY_CONTROLS = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    # ESC is left out: text with terminal escape sequences is still text (they are
    # stripped when the article is cleaned).
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROLS))
    return controls > max(8, len(sample) // 50)


def decode_bytes(data: bytes, origin: str) -> DecodedText:
    """Decode file bytes: BOMs first (UTF-8/16/32), then UTF-8, then windows-1252.

    Binary data raises :class:`SourceError`.  Text that is mostly UTF-8 with a few bad
    bytes is decoded with replacement characters and a warning.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return DecodedText(data[3:].decode("utf-8", "replace"), "utf-8-sig")
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return DecodedText(data[len(bom) :].decode(enc), enc)
            except UnicodeDecodeError as exc:
                raise SourceError(origin, f"invalid {enc.upper()} text ({exc.reason})") from None
    if _looks_binary(data):
        raise SourceError(origin, "binary file, not text")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", "replace")
    bad = replaced.count("\ufffd")
    multibyte = sum(1 for ch in replaced if ord(ch) > 0x7F and ch != "\ufffd")
    if multibyte >= bad:
        return DecodedText(replaced, "utf-8", f"{bad} invalid UTF-8 byte sequence(s) replaced")
    text = data.decode("cp1252", "replace")
    return DecodedText(text, "windows-1252", "not UTF-8; decoded as windows-1252")


# ---------------------------------------------------------------------------------
# cleaning


def local_ids(articles: list[Article], origin: str) -> list[Article]:
    """Key the articles of a local file that have no URL and no explicit id by the
    file's path (:func:`~briefreader.model.local_article_id`), not by their title:
    two files with one title must not overwrite each other.

    Only for a file path (``origin`` absolute) and articles that came from it (an
    export's articles carry their own origin and keep their ids).  A file holding one
    article keys it by the path alone (editing its title keeps the id); several are
    told apart by title, source and day, and a repeat of those by its count.
    """
    if not os.path.isabs(origin):
        return articles
    out = list(articles)
    seen: dict[str, int] = {}
    for i, art in enumerate(articles):
        if art.url or art.origin != origin or (art.id and art.id not in legacy_article_ids(art)):
            continue
        if len(articles) == 1:
            out[i] = art.with_changes(id=local_article_id(origin))
            continue
        day = art.published.astimezone(UTC).date().isoformat() if art.published else ""
        key = "|".join(" ".join(part.split()).casefold() for part in (art.title, art.source, day))
        n = seen.get(key, 0)
        seen[key] = n + 1
        out[i] = art.with_changes(id=local_article_id(origin, key if n == 0 else f"{key}#{n}"))
    return out


def clean_article(article: Article) -> Article:
    """Strip control characters and terminal escapes from every text field."""
    analysis = article.analysis
    if analysis is not None:
        analysis = Analysis(
            body=clean_block(analysis.body),
            label=clean_line(analysis.label) or "Editor's Analysis",
            title=clean_line(analysis.title),
            byline=clean_line(analysis.byline),
            kicker=clean_line(analysis.kicker),
        )
        if not (analysis.body or analysis.title):
            analysis = None
    title = clean_line(article.title)
    summary = clean_block(article.summary)
    body = clean_block(article.body)
    if not title:
        title = clean_line((summary or body)[:100]) or UNTITLED
    return Article(
        id=clean_line(article.id)
        or article_id(url=article.url, title=title, source=article.source),
        title=title,
        summary=summary,
        url=clean_line(article.url),
        source=clean_line(article.source),
        author=clean_line(article.author),
        published=article.published,
        image_caption=clean_line(article.image_caption),
        takeaways=tuple(t for t in (clean_line(t) for t in article.takeaways) if t),
        takeaways_derived=article.takeaways_derived,
        analysis=analysis,
        body=body,
        tags=tuple(dict.fromkeys(t for t in (clean_line(t) for t in article.tags) if t)),
        related=tuple(
            RelatedLink(title=title or url, url=url)
            for title, url in ((clean_line(r.title), clean_line(r.url)) for r in article.related)
            if title or url
        ),
        origin=clean_line(article.origin),
        image_url=clean_line(article.image_url),
        image_alt=clean_line(article.image_alt),
        enclosures=tuple(
            Enclosure(clean_line(e.url), clean_line(e.type), e.length, e.duration)
            for e in article.enclosures
            if clean_line(e.url)
        ),
    )


# ---------------------------------------------------------------------------------
# choosing a reader


def _reader(name: str) -> Parser:
    # Imported lazily so `briefreader show x.txt` does not pay for the HTML parser.
    if name == "brief":
        from briefreader.sources import brief

        return brief.parse
    if name == "markdown":
        from briefreader.sources import markdown

        return markdown.parse
    if name == "json":
        from briefreader.sources import jsonfile

        return jsonfile.parse
    if name == "html":
        from briefreader.sources import html

        return html.parse
    raise KeyError(name)


def _state_reader(name: str) -> StateParser:
    """The reader as one that also returns the state an export carries (only the
    JSON and Markdown readers read it; the others give none)."""
    if name == "markdown":
        from briefreader.sources import markdown

        return markdown.parse_with_state
    if name == "json":
        from briefreader.sources import jsonfile

        return jsonfile.parse_with_state
    parse = _reader(name)

    def stateless(text: str, origin: str) -> tuple[list[Article], list[ArticleState | None]]:
        articles = parse(text, origin)
        return articles, [None] * len(articles)

    return stateless


#: extension → reader name
READERS: dict[str, str] = {
    ".txt": "brief",
    ".brief": "brief",
    ".text": "brief",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


#: The root element of an RSS, Atom or RDF feed (after the XML declaration, comments…).
_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)


def sniff(text: str) -> str | None:
    """Guess the reader for text whose extension says nothing."""
    head = text.lstrip("\ufeff \t\r\n")[:512]
    low = head.lower()
    if head.startswith(("{", "[")):
        return "json"
    if low.startswith(("<!doctype html", "<html", "<head", "<body", "<article")):
        return "html"
    if head.startswith("---\n") or head.startswith("---\r\n") or head.startswith("# "):
        return "markdown"
    return None


def parse_text(text: str, origin: str, reader: str | None = None) -> list[Article]:
    """Parse already-decoded text with the named reader (or a sniffed one)."""
    return _parse_text(text, origin, reader)[0]


def _parse_text(
    text: str, origin: str, reader: str | None = None
) -> tuple[list[Article], dict[str, ArticleState], list[str]]:
    """:func:`parse_text`, with the state an export carries, by (cleaned) article id,
    and a warning line naming the file when state values were left out."""
    name = reader or sniff(text) or "brief"
    try:
        articles, states = _state_reader(name)(text, origin)
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(origin, "too deeply nested to read") from None
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise SourceError(origin, f"not a readable {name} file ({exc})") from None
    if not articles:
        raise SourceError(origin, f"no article found (read as {name})")
    return finish_articles(articles, states, origin)


def finish_articles(
    articles: list[Article], states: Sequence[ArticleState | None], origin: str
) -> tuple[list[Article], dict[str, ArticleState], list[str]]:
    """A reader's articles cleaned and keyed (:func:`local_ids`), the state an export
    carried for them by (cleaned) id, and a warning naming the file when state values
    were left out."""
    cleaned = [clean_article(a) for a in local_ids(articles, origin)]
    found: dict[str, ArticleState] = {}
    ignored: list[str] = []
    for art, state in zip(cleaned, states, strict=False):
        if state is None:
            continue
        ignored += state.ignored
        if not state.empty:
            found[art.id] = ArticleState(
                state.read_at, state.starred_at, clean_line(state.feed_url)
            )
    warnings = []
    if ignored:
        more = f" and {len(ignored) - 1} more bad read/star/feed values" if len(ignored) > 1 else ""
        warnings.append(f"{origin}: ignored {ignored[0]}{more}")
    return cleaned, found, warnings


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _too_large(size: int, limit: int) -> str:
    return f"too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB)"


#: A name that begins as an address does ("ftp:", "htp:/", "feed://").
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


#: A web address written without its scheme: localhost or an IPv4 address (a port, a
#: path or neither), or a dotted name with a port, a path (its last label letters, as
#: a domain's is: not "v1.2/README") or a leading "www.".
_SCHEMELESS = re.compile(
    r"(?:(?P<local>localhost|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?"
    r"|[\w-]+(?:\.[\w-]+)+:\d{1,5}|www\.[\w-]+(?:\.[\w-]+)+)(?:/\S*)?"
    r"|[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}/\S*",  # (a name ending as a domain does)
    re.ASCII,
)


def address_hint(name: str) -> str:
    """For a file that does not exist under a name that looks like an address (a
    newcomer's ``show ftp://x/y`` read "/tmp/ftp:/x/y: no such file"; ``add
    127.0.0.1:8766``, which the app's add dialog takes, said no more): what is read
    from the web; else ""."""
    match = _SCHEMELESS.fullmatch(name)
    if match is not None:
        first, second = ("http", "https") if match.group("local") else ("https", "http")
        return f" (as an address: give it its scheme, {first}://{name} or {second}://{name})"
    if _SCHEME.match(name) and not name.startswith(("http://", "https://")):
        return " (as an address: only http:// and https:// ones are read)"
    return ""


def read_regular_file(path: str | os.PathLike[str], origin: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else :class:`SourceError`.

    The file is opened without blocking (a FIFO cannot hang the open), the open
    descriptor is checked (so a symlink to ``/dev/zero`` or a FIFO is refused as "not a
    regular file", whatever the name said), and at most ``limit + 1`` bytes are read,
    so a file that grows while it is read is still refused rather than read for ever.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise SourceError(origin, "no such file" + address_hint(str(path))) from None
    except IsADirectoryError:
        raise SourceError(origin, "is a folder") from None
    except OSError as exc:
        raise SourceError(origin, exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SourceError(origin, "is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(origin, "not a regular file")
        if info.st_size > limit:
            raise SourceError(origin, _too_large(info.st_size, limit))
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise SourceError(origin, exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if total > limit:
        raise SourceError(origin, _too_large(total, limit))
    return b"".join(chunks)


def read_file(path: str | os.PathLike[str]) -> ReadResult:
    """Read one file into articles.  Raises :class:`SourceError` naming the file."""
    p = Path(path)
    origin = os.path.abspath(p)
    data = read_regular_file(p, origin, MAX_FILE_BYTES)
    if not data.strip():
        raise SourceError(origin, "empty file")
    decoded = decode_bytes(data, origin)
    reader = READERS.get(p.suffix.lower())
    if reader is None:
        reader = sniff(decoded.text)
        if reader is None:
            if _FEED_ROOT.search(decoded.text[:4096]):
                raise SourceError(
                    origin,
                    "an RSS or Atom feed, not an article file: subscribe to the feed by its "
                    "address (briefreader add URL, or a in the app)",
                )
            raise SourceError(origin, "not a recognised article format")
    warnings = [f"{origin}: {decoded.warning}"] if decoded.warning else []
    if reader == "json":
        from briefreader.sources.jsonfile import parse_tombstones

        found = parse_tombstones(decoded.text, origin)
        if found is not None:
            stones, left_out = found
            if left_out:
                warnings.append(
                    f"{origin}: {counted(left_out, 'deleted article')} left out "
                    "(no id, or a time that is not an ISO 8601 time from 1990 to now)"
                )
            return ReadResult([], warnings, tombstones=stones)
    articles, states, ignored = _parse_text(decoded.text, origin, reader)
    return ReadResult(articles, warnings + ignored, states)


# ---------------------------------------------------------------------------------
# expanding command-line inputs


def _is_candidate(path: Path) -> bool:
    return path.suffix.lower() in READERS and not path.name.startswith(".")


#: What a skipped file in a folder or glob is taken for, by its extension, when it is
#: not "not an article file" (a newcomer's trial: feeds saved in a folder were skipped
#: as that, though ``show`` on one says how to subscribe).
_SKIPPED_AS = {
    ".rss": "a feed (subscribe to it by its address: briefreader add URL)",
    ".atom": "a feed (subscribe to it by its address: briefreader add URL)",
    ".opml": "a list of feeds (briefreader import FILE subscribes to them)",
}


def _skipped(path: Path) -> str:
    return f"{path}: skipped, " + _SKIPPED_AS.get(path.suffix.lower(), "not an article file")


def expand_inputs(args: Iterable[str]) -> Iterator[tuple[Path | None, str]]:
    """Yield ``(path, "")`` for each file to read, or ``(None, note)`` for what is skipped.

    Folders are walked recursively (hidden entries skipped, files sorted); globs are
    expanded (``**`` recursive).  Inside folders and globs, files with an extension
    no reader knows are skipped with a note; a file named directly is always tried.
    """
    seen: set[str] = set()
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    child = Path(root, name)
                    if name.startswith("."):
                        continue
                    key = str(child.resolve())
                    if key in seen:
                        continue
                    seen.add(key)
                    if not child.is_file():  # a FIFO, a device, a dangling link …
                        yield None, f"{child}: skipped, not a regular file"
                    elif _is_candidate(child):
                        yield child, ""
                    else:
                        yield None, _skipped(child)
        elif path.exists():
            key = str(path.resolve())
            if key not in seen:
                seen.add(key)
                yield path, ""
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                yield None, f"{arg}: no files match"
            for match in matches:
                child = Path(match)
                if child.is_dir():
                    yield from expand_inputs([match])
                    continue
                key = str(child.resolve())
                if key in seen:
                    continue
                seen.add(key)
                if not child.is_file():
                    yield None, f"{child}: skipped, not a regular file"
                elif _is_candidate(child):
                    yield child, ""
                else:
                    yield None, _skipped(child)
        else:
            yield path, ""  # read_file reports "no such file"
