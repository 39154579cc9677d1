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

import threading

import nh3

__all__ = ["DROP_WITH_CONTENT", "kept_html", "sanitize_html"]

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
    the Markdown conversion resolves them.)"""
    global _CLEANER
    cleaner = _CLEANER
    if cleaner is None:
        with _CLEANER_LOCK:
            cleaner = _CLEANER = _CLEANER or _cleaner()
    return str(cleaner.clean(html))


#: Elements of the dropped kinds, found in a parsed tree ("head" is left out: the
#: HTML parser makes one for every document; what a head holds that has text —
#: title, style, script, noscript, template — is looked for itself).
_DROPPED_SELECTOR = ",".join(sorted(DROP_WITH_CONTENT - {"head"}))


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

    tree = LexborHTMLParser(html)
    if tree.css_first(_DROPPED_SELECTOR) is not None:
        html = sanitize_html(html)
        return html, search_text(html)
    return html, tree_words(tree)
