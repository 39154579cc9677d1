"""Item HTML made safe (nh3), and what a refresh may keep of it unsanitised.

:func:`sanitize_html` is the one sanitiser of feed item HTML: no script, style,
iframe, object, embed or form (nor their content), no ``on*`` or ``style``
attributes (but an image's style), links and images only http(s)/mailto.

A refresh keeps an item's HTML to render it when first read
(:mod:`~briefreader.sources.feedlazy`), and every read renders it through
:func:`~briefreader.sources.feedlazy.render_item`, which sanitises it first; most
items are never read, so a refresh sanitises only what it must: HTML that holds an
element whose content the sanitiser drops (a script, a style sheet, a form …), a
found in the parse Lexbor makes of it for its words (:func:`kept_html`).  Then
what is stored never holds those, and the item's words for the search index
(Lexbor's text of the stored HTML) are the words a reader sees: the elements that
remain differ from the sanitised HTML only in their attributes, comments and tags
dropped with their content kept, which carry no text of their own.  nh3 is ~70 µs
of a 5 KB item, a sixth of a refresh's parsing; the check ~8 µs.
"""

from __future__ import annotations

import re
import threading

import nh3

__all__ = ["DROP_WITH_CONTENT", "embeds_as_links", "kept_html", "sanitize_html"]

# Images stay, as "[image 2: alt]" placeholders the reader can open (never fetched
# unless asked: see briefreader.media); image maps go.
_NO_TAGS = frozenset({"map", "area"})
#: Elements removed with everything inside them.
DROP_WITH_CONTENT = frozenset(
    "script style iframe object embed applet noscript noembed noframes template svg math"
    " form textarea select button title head frameset frame".split()
)
_CLEANER: nh3.Cleaner | None = None
_CLEANER_LOCK = threading.Lock()


def _cleaner() -> nh3.Cleaner:
    attributes = {
        tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag not in _NO_TAGS
    }
    attributes["*"] = {"class", "id", "hidden", "title"}
    # an image's style stays so that a pixel hidden by it is known (never drawn as CSS)
    attributes["img"] = {"src", "alt", "width", "height", "style"}
    return nh3.Cleaner(
        tags=set(nh3.ALLOWED_TAGS) - _NO_TAGS,
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


def sanitize_html(html: str) -> str:
    """Safe HTML: no script/style/iframe/object/embed/form, no ``on*`` attributes (nor
    ``style`` but on images), links and images only http(s)/mailto.  (Relative links are kept;
    the Markdown conversion resolves them.)  An embedded player or frame with an
    http(s) address is kept as a link to it (:func:`embeds_as_links`)."""
    global _CLEANER
    cleaner = _CLEANER
    if cleaner is None:
        with _CLEANER_LOCK:
            cleaner = _CLEANER = _CLEANER or _cleaner()
    if _EMBED_HINT.search(html) is not None:
        html = embeds_as_links(html)
    return str(cleaner.clean(html))


_EMBED_HINT = re.compile(r"<(?:iframe|embed|object|video|audio)\b", re.IGNORECASE)
_EMBED_SELECTOR = "iframe, embed, object, video, audio"
_VIDEO_HOSTS = re.compile(r"(?:^|\.)(?:youtube(?:-nocookie)?\.com|youtu\.be|vimeo\.com|"
                          r"dailymotion\.com|rutube\.ru|twitch\.tv)$")  # fmt: skip
_AUDIO_HOSTS = re.compile(r"(?:^|\.)(?:soundcloud\.com|spotify\.com|bandcamp\.com)$")


def embeds_as_links(html: str) -> str:
    """Each embedded frame, plugin or player (iframe, embed, object, video, audio) with
    an http(s) address becomes a paragraph linking to it, "Embedded video:
    www.youtube.com", before the sanitiser drops the element with its content: a
    YouTube embed left nothing where it stood, and the reader never knew it was
    there.  Others (no address, another scheme) are left for the sanitiser to drop."""
    from html import escape
    from urllib.parse import urlsplit

    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return html
    # (one inside another, an <embed> in an <object>, goes with its outer one: replacing
    # a node already taken out of the tree changes nothing)
    changed = False
    for node in tree.css(_EMBED_SELECTOR):
        attrs = node.attributes
        src = (attrs.get("src") or attrs.get("data") or "").strip()
        if not src and node.tag in ("video", "audio"):
            source = node.css_first("source[src]")
            src = ((source.attributes.get("src") or "") if source is not None else "").strip()
        if src.startswith("//"):
            src = "https:" + src
        try:
            parts = urlsplit(src)
        except ValueError:
            continue
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            continue
        host = parts.hostname
        if node.tag == "audio" or _AUDIO_HOSTS.search(host):
            kind = "audio"
        elif node.tag == "video" or _VIDEO_HOSTS.search(host):
            kind = "video"
        else:
            kind = "content"
        label = f"Embedded {kind}: {host}"
        link = LexborHTMLParser(
            f'<p><a href="{escape(src, quote=True)}">{escape(label)}</a></p>'
        ).css_first("p")
        if link is None:  # pragma: no cover - Lexbor always makes the paragraph
            continue
        node.replace_with(link)
        changed = True
    return (body.inner_html or "") if changed else html


#: Elements of the dropped kinds, found in a parsed tree ("head" is left out: the
#: HTML parser makes one for every document; what a head holds that has text —
#: title, style, script, noscript, template — is looked for itself).
_DROPPED_SELECTOR = ",".join(sorted(DROP_WITH_CONTENT - {"head"}))


def _start_tag_prefixes(names: frozenset[str]) -> re.Pattern[bytes]:
    """``<`` and one of ``names`` in any ASCII case (HTML lower-cases only A-Z in tag
    names), in UTF-8: a document with no match has no such element.  A prefix, so a
    longer name matches too (``<scripts``): it may only say "maybe"."""
    by_first: dict[str, list[str]] = {}
    for name in sorted(names):
        by_first.setdefault(name[0], []).append(name[1:])

    def cased(text: str) -> str:
        return "".join(f"[{c}{c.upper()}]" for c in text)

    groups = (
        f"{cased(first)}(?:{'|'.join(cased(rest) for rest in rests)})"
        for first, rests in by_first.items()
    )
    return re.compile(f"<(?:{'|'.join(groups)})".encode())


#: Whether a document, as the UTF-8 bytes Lexbor reads, may hold a dropped element
#: (~4.5 µs a 3 KB item, against ~10 for Lexbor's selector over the parsed tree,
#: which then says for sure).
_MAY_HOLD_DROPPED = _start_tag_prefixes(DROP_WITH_CONTENT - {"head"})


def kept_html(html: str) -> tuple[str, str]:
    """What a refresh stores of item HTML (unsafe until sanitised on read), and its
    words for the search index (:func:`~briefreader.sources.feedlazy.search_text`
    of it): ``html`` itself, unless Lexbor's parse of it (made for the words) holds
    an element the sanitiser drops with its content — then it is sanitised now, so
    that what is stored, and the words taken from it, never hold a script's text
    or a style sheet.  (Comments are kept: Lexbor's text leaves them out, and the
    sanitiser removes them on read.)"""
    from briefreader.sources.feedlazy import search_text, tree_words
    from briefreader.sources.htmlrender import too_deeply_nested

    if not html:
        return "", ""
    if too_deeply_nested(html):  # never handed to Lexbor (quadratic in the depth)
        html = sanitize_html(html)
        return html, search_text(html)
    from selectolax.lexbor import LexborHTMLParser

    # The bytes Lexbor reads, looked at as it reads them.  Lone surrogates (which no
    # feed reader here makes) go first: selectolax would drop them, and "<scr\ud800ipt>"
    # would be a script to Lexbor only (and the sanitiser cannot take them).
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:
        data = html.encode("utf-8", "ignore")
        html = data.decode("utf-8")
    tree = LexborHTMLParser(data)
    if _MAY_HOLD_DROPPED.search(data) and tree.css_first(_DROPPED_SELECTOR) is not None:
        html = sanitize_html(html)
        return html, search_text(html)
    return html, tree_words(tree)
