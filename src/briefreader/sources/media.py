"""A feed item's pictures and files: its lead image and its enclosures.

Both feed parsers hand over the same :class:`RawMedia` (the fast path reads it from
the item's element, :func:`media_from_element`; feedparser's reading is mapped by
:func:`media_from_feedparser`), and :func:`lead_image` / :func:`enclosures` choose
from it, so a feed's media read the same whichever parser read it.

The lead image is the first of: a ``media:content`` that is an image, a
``media:thumbnail``, an image enclosure, the first image of the item's HTML.  A
tracking pixel (1×1, hidden by its markup, or from a known counting host) is never
chosen.  Only http(s) addresses are kept, resolved against the item's base.
Nothing here fetches anything: an image is loaded only when the reader asks
(:mod:`briefreader.media`).
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from briefreader.model import MAX_ENCLOSURES, Enclosure
from briefreader.sources.htmlrender import safe_url

__all__ = [
    "RawMedia",
    "enclosures",
    "first_content_image",
    "is_tracking_pixel",
    "lead_image",
    "media_from_element",
    "media_from_feedparser",
    "parse_duration",
]

_MEDIA_NS = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")
_ITUNES_NS = ("http://www.itunes.com/dtds/podcast-1.0.dtd",)
_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
#: At most this many media elements of one item are read.
MAX_MEDIA = 50
#: The item HTML is searched for its first image up to this many characters.
MAX_HTML_SCAN = 200_000

Attrs = dict[str, str]


@dataclass(slots=True)
class RawMedia:
    """What an item says of its media, as attribute strings (lower-cased names)."""

    contents: list[Attrs] = field(default_factory=list)  # media:content
    thumbnails: list[Attrs] = field(default_factory=list)  # media:thumbnail
    enclosures: list[Attrs] = field(default_factory=list)  # href, type, length
    duration: str = ""  # itunes:duration

    def __bool__(self) -> bool:
        return bool(self.contents or self.thumbnails or self.enclosures or self.duration)


# ---------------------------------------------------------------------------------
# reading


def _local(tag: object) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _attrs(el: Any) -> Attrs:
    return {str(k).lower(): str(v).strip() for k, v in el.attrib.items() if "}" not in str(k)}


def media_from_element(item: Any, *, atom_links: list[Any] | None = None) -> RawMedia | None:
    """The media of an lxml ``<item>``/``<entry>`` (its direct children, and the
    ``media:content`` / ``media:thumbnail`` in its ``media:group``); ``None`` if none.
    An Atom entry's enclosure links are ``atom_links`` of rel ``enclosure`` (the
    fast path's links, their hrefs resolved), with their ``length`` read here."""
    media = RawMedia()
    atom = atom_links is not None
    hrefs = [(link.href, link.type) for link in atom_links or () if link.rel == "enclosure"]
    for child in item:
        ns, name = _local(child.tag)
        if ns in _MEDIA_NS and name == "group":
            for inner in child:
                _media_child(inner, media)
        elif ns in _MEDIA_NS:
            _media_child(child, media)
        elif not atom and ns == "" and name == "enclosure":
            attrs = _attrs(child)
            if len(media.enclosures) < MAX_MEDIA:
                href, mime = attrs.get("url", ""), attrs.get("type", "")
                media.enclosures.append(
                    {"href": href, "type": mime, "length": attrs.get("length", "")}
                )
        elif atom and child.tag == _ATOM_LINK and child.get("rel") == "enclosure":
            attrs = _attrs(child)
            n = len(media.enclosures)
            href, mime = hrefs[n] if n < len(hrefs) else ("", "")
            if n < MAX_MEDIA:
                media.enclosures.append(
                    {"href": href, "type": mime, "length": attrs.get("length", "")}
                )
        elif ns in _ITUNES_NS and name == "duration":
            media.duration = (child.text or "").strip()
    return media or None


def _media_child(el: Any, media: RawMedia) -> None:
    ns, name = _local(el.tag)
    if ns not in _MEDIA_NS:
        return
    if name == "content" and len(media.contents) < MAX_MEDIA:
        media.contents.append(_attrs(el))
    elif name == "thumbnail" and len(media.thumbnails) < MAX_MEDIA:
        media.thumbnails.append(_attrs(el))


def _strings(value: Any) -> Attrs:
    if not isinstance(value, Mapping):
        return {}
    return {str(k).lower(): v.strip() for k, v in value.items() if isinstance(v, str)}


def media_from_feedparser(entry: Mapping[str, Any]) -> RawMedia | None:
    """The media of a feedparser entry; ``None`` if none."""
    media = RawMedia()
    for key, target in (("media_content", media.contents), ("media_thumbnail", media.thumbnails)):
        found = entry.get(key)
        if isinstance(found, list):
            target.extend(_strings(d) for d in found[:MAX_MEDIA] if isinstance(d, Mapping))
    for link in entry.get("links") or []:
        rel = link.get("rel") if isinstance(link, Mapping) else None
        if rel == "enclosure" and len(media.enclosures) < MAX_MEDIA:
            media.enclosures.append(_strings(link))
    duration = entry.get("itunes_duration")
    if isinstance(duration, str):
        media.duration = duration.strip()
    return media or None


# ---------------------------------------------------------------------------------
# choosing

#: Hosts that count readers with an invisible image (never shown, never fetched).
PIXEL_HOSTS = frozenset(
    {
        "feeds.feedburner.com",
        "feedpress.me",
        "pixel.wp.com",
        "stats.wordpress.com",
        "www.google-analytics.com",
        "google-analytics.com",
        "ad.doubleclick.net",
        "pixel.quantserve.com",
        "b.scorecardresearch.com",
        "sb.scorecardresearch.com",
        "pubads.g.doubleclick.net",
        "www.facebook.com",
        "pixel.facebook.com",
        "ct.pinterest.com",
        "analytics.twitter.com",
        "counter.theconversation.com",
        "feedads.g.doubleclick.net",
        "rss.buysellads.com",
        "pixel.mathtag.com",
        "tracking.feedpress.it",
    }
)
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden"
    r"|(?<![-\w])(?:width|height)\s*:\s*[01](?:px)?\s*(?:;|$)",
    re.IGNORECASE,
)
# a counting image by its usual file names (pixel.gif, spacer.gif, 1x1.png, …)
_PIXEL_NAME = re.compile(
    r"(?:^|[/_.-])(?:pixel|spacer|blank|1x1|beacon|tracker|transparent|clear)\.(?:gif|png)$",
    re.IGNORECASE,
)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)$", re.IGNORECASE)


def _size_one(value: str) -> bool:
    value = value.strip().lower().removesuffix("px").strip()
    return value in ("0", "1")


def is_tracking_pixel(attrs: Mapping[str, str], url: str = "") -> bool:
    """Whether an image is there only to count its readers: 1×1 (or 0), hidden by
    its markup (``hidden``, ``display:none``, ``visibility:hidden``, a 1px style), or
    served by a known counting host."""
    if _size_one(attrs.get("width", "")) or _size_one(attrs.get("height", "")):
        return True
    if "hidden" in attrs:
        return True
    if _HIDDEN_STYLE.search(attrs.get("style", "")):
        return True
    if not url:
        return False
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host in PIXEL_HOSTS or host.startswith(("pixel.", "tracking.", "track.", "tracker.")):
        return True
    return _PIXEL_NAME.search(parts.path) is not None


#: Folders and file names of a site's decoration (smileys, emoji, icons, forum
#: theme images), never a story's picture.
_DECORATION_DIR = re.compile(
    r"/(?:smil(?:ie|ey)s?|emoticons?|emojis?|icons?|style_images|badges?)/", re.IGNORECASE
)
_DECORATION_NAME = re.compile(
    r"/(?:(?:icon|smil(?:ie|ey)|emoji|emoticon|badge)s?(?:[-_]?\d+(?:x\d+)?)?|img-resized)"
    r"\.(?:gif|png|svg)$",
    re.IGNORECASE,
)
#: An image drawn at most this many pixels wide or high (by its markup) is an icon.
ICON_PIXELS = 32


def is_decoration(attrs: Mapping[str, str], url: str) -> bool:
    """Whether an image in an item's HTML is the site's decoration (a smiley, an
    emoji, an icon, a forum theme's image) rather than a picture of the story: drawn
    at most :data:`ICON_PIXELS` wide or high, or served from such a folder or under
    such a name.  Such an image is never the lead image (it stays in the text)."""
    for key in ("width", "height"):
        value = attrs.get(key, "").strip().lower().removesuffix("px").strip()
        if value.isdigit() and int(value) <= ICON_PIXELS:
            return True
    path = urlsplit(url).path
    return bool(_DECORATION_DIR.search(path) or _DECORATION_NAME.search(path))


def _http(href: str, base: str) -> str:
    url = safe_url(href, base) if href else ""
    return url if url.startswith(("http://", "https://")) else ""


def _is_image(attrs: Mapping[str, str], url: str) -> bool:
    medium = attrs.get("medium", "").lower()
    mime = attrs.get("type", "").lower()
    if medium:
        return medium == "image"
    if mime:
        return mime.startswith("image/")
    return bool(_IMAGE_EXT.search(urlsplit(url).path))


def lead_image(
    media: RawMedia | None, html: str, base: str, html_base: str = ""
) -> tuple[str, str]:
    """``(url, alt)`` of the item's lead image, or ``("", "")``: the first image
    ``media:content``, else ``media:thumbnail``, else image enclosure, else the first
    image of ``html`` (the item's HTML before sanitising, so its markup can tell a
    hidden pixel, its links resolved against ``html_base``); never a tracking pixel, nor the site's decoration."""
    if media is not None:
        for attrs in media.contents:
            url = _http(attrs.get("url", ""), base)
            if url and _is_image(attrs, url) and not is_tracking_pixel(attrs, url):
                return url, ""
        for attrs in media.thumbnails:
            url = _http(attrs.get("url", ""), base)
            if url and not is_tracking_pixel(attrs, url):
                return url, ""
        for attrs in media.enclosures:
            url = _http(attrs.get("href", ""), base)
            mime = attrs.get("type", "").lower()
            if url and mime.startswith("image/") and not is_tracking_pixel({}, url):
                return url, ""
    return first_content_image(html, html_base or base)


_IMG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def img_attrs(inside: str) -> Attrs:
    """The attributes of one ``<img …>`` tag's inside (names lower-cased, values
    unescaped)."""
    attrs: Attrs = {}
    for name, value in _ATTR.findall(inside[:4000]):
        key = name.lower()
        if key not in attrs:
            attrs[key] = htmllib.unescape(value.strip("\"'")) if value else ""
    return attrs


def first_content_image(html: str, base: str) -> tuple[str, str]:
    """``(url, alt)`` of the first image in ``html`` that is neither a tracking pixel
    nor the site's decoration (:func:`is_decoration`)."""
    start = html.find("<img")
    if start < 0:
        if "<IMG" not in html and "<Img" not in html:
            return "", ""
        start = 0
    for count, match in enumerate(_IMG.finditer(html, start, MAX_HTML_SCAN)):
        if count >= MAX_MEDIA:
            break
        attrs = img_attrs(match.group(1))
        url = _http(attrs.get("src", ""), base)
        if url and not is_tracking_pixel(attrs, url) and not is_decoration(attrs, url):
            return url, " ".join(attrs.get("alt", "").split())[:500]
    return "", ""


_SPACE = re.compile(r"\s")
_CLOCK = re.compile(r"^(?:(\d{1,4}):)?(\d{1,4}):(\d{1,2})(?:\.\d+)?$")


def parse_duration(text: str) -> int:
    """Seconds of an ``itunes:duration`` (``"3725"``, ``"62:05"``, ``"1:02:05"``); 0 if
    it is none of these."""
    text = text.strip()
    if text.isdigit() and len(text) < 9:
        return int(text)
    match = _CLOCK.match(text)
    if match is None:
        return 0
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _length(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 16 else 0


def _playable(attrs: Attrs) -> bool:
    """Whether a ``media:content`` is audio or video (by its type, else its medium)."""
    kind = (attrs.get("type") or "").lower().strip()
    if kind:
        return kind.startswith(("audio/", "video/"))
    return (attrs.get("medium") or "").lower().strip() in ("audio", "video")


def enclosures(media: RawMedia | None, base: str) -> tuple[Enclosure, ...]:
    """The item's enclosures that are not images (those are lead images): http(s)
    only, each address once, at most :data:`~briefreader.model.MAX_ENCLOSURES`.
    ``itunes:duration`` is the first audio/video enclosure's duration; a
    ``media:content`` of the same address may give one too.  An item with no
    enclosure whose ``media:content`` is audio or video (a video feed's item, often
    with nothing else) has those as its enclosures."""
    if media is None:
        return ()
    if not media.enclosures:
        media = RawMedia(
            contents=media.contents,
            enclosures=[
                {"href": attrs.get("url", ""), "type": attrs.get("type", ""),
                 "length": attrs.get("filesize", "")}
                for attrs in media.contents
                if _playable(attrs)
            ][:MAX_MEDIA],
            duration=media.duration,
        )  # fmt: skip
        if not media.enclosures:
            return ()
    durations = {
        url: parse_duration(attrs.get("duration", ""))
        for attrs in media.contents
        if (url := _http(attrs.get("url", ""), base))
    }
    found: dict[str, Enclosure] = {}
    itunes = parse_duration(media.duration) if media.duration else 0
    for attrs in media.enclosures:
        url = _http(attrs.get("href", ""), base)
        mime = attrs.get("type", "").lower().strip()
        if not url or url in found or mime.startswith("image/") or _SPACE.search(url):
            continue
        if mime == "text/html":  # feedparser's default for an Atom link without a type
            mime = ""
        duration = durations.get(url, 0)
        if itunes and not duration:
            duration, itunes = itunes, 0
        found[url] = Enclosure(url, mime[:100], _length(attrs.get("length", "")), duration)
        if len(found) >= MAX_ENCLOSURES:
            break
    return tuple(found.values())
