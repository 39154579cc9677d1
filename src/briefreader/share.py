"""Ways to share an article: link formats, share addresses, and the safe URL opener.

Everything here is pure string work except :func:`open_in_browser`, whose only side
effect goes through an injectable *launcher* (by default the :mod:`webbrowser`
module; never a shell).  No Textual import: the share menu in
:mod:`briefreader.tui.share_menu` is built on top of this module.

Which URLs are opened, copied and shared
----------------------------------------
One rule, :func:`refusal_reason`, decides for the opener (``o``, link clicks), the
copy key (``c``), the share menu's link entries and the share addresses that embed
the URL (:func:`safe_url`).  Only ``http`` and ``https`` URLs with a host pass
(:func:`is_openable`).  A URL is refused when it holds whitespace, control,
invisible formatting characters (bidi overrides, zero-width characters …) or a
backslash (parsers disagree about those), a user name or password
(``https://bank.example@evil.example``), an invalid port, is longer than
:data:`MAX_URL_LENGTH`, or when its host does not show where it leads: a
percent-encoded host, invisible letters, punctuation that looks like ``.`` or ``/``,
fullwidth letters, combining overlays, a label mixing scripts, Latin letters that pass
for ASCII ones (``ɡ``), a label starting or ending with ``-``, an IPv4 address that
is not a dotted quad (``http://2130706433/``), or invalid punycode (see
:func:`_host_problem`).  An international host that passes is shown in its ASCII
form as well (:func:`ascii_host`), and copied and shared in that form only
(:func:`ascii_url`, :func:`safe_url`).  The citation and the brief as text leave a
refused URL out.

``mailto:`` is the one exception, and only for the e-mail share address this
module builds itself: the share menu calls ``open_in_browser(url, allow_mailto=True)``
for its "Email" entry, and the URL must then look exactly like
:func:`email_url` output — ``mailto:?subject=…&body=…`` with no recipient and only
percent-encoded ``subject``/``body`` fields (:func:`is_share_mailto`).  A
``mailto:`` link from a feed (article body, related links, ``o``) is refused like
any other non-http(s) link.
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlencode, urlsplit

from briefreader.model import Article
from briefreader.textclean import clean_line
from briefreader.textformat import brief_summary

__all__ = [
    "DEFAULT_MASTODON_INSTANCE",
    "MAX_URL_LENGTH",
    "BrowserUnavailable",
    "Launcher",
    "ShareOption",
    "ascii_host",
    "ascii_url",
    "bluesky_url",
    "brief_text",
    "citation",
    "default_launcher",
    "display_url",
    "email_url",
    "hacker_news_url",
    "is_openable",
    "is_share_mailto",
    "linkedin_url",
    "markdown_link",
    "mastodon_url",
    "open_in_browser",
    "reddit_url",
    "refusal_reason",
    "safe_url",
    "share_options",
    "x_url",
]

DEFAULT_MASTODON_INSTANCE = "mastodon.social"
MAX_URL_LENGTH = 8192
"""Longer URLs are refused (no news link is that long; it is a sign of abuse)."""

MAX_MAILTO_LENGTH = 2000
"""Mail handlers cut or reject longer ``mailto:`` URLs; the body falls back to the link."""

# Character budgets of the networks' compose boxes (the title is shortened to fit).
_BLUESKY_LIMIT = 300
_MASTODON_LIMIT = 500
_MASTODON_URL_COST = 23  # Mastodon counts every link as 23 characters
_X_LIMIT = 280
_X_URL_COST = 24  # t.co link plus the space before it


# ---------------------------------------------------------------------------------
# text forms


def _title(article: Article) -> str:
    return clean_line(article.title) or clean_line(safe_url(article)) or "Untitled"


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary, with ``…``."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—") + "…"


def _date(article: Article) -> str:
    d = article.published
    return f"{d.day} {d:%b %Y}" if d else ""


_MD_TITLE_SPECIALS = re.compile(r"([\\\[\]])")
# Reserved and unreserved characters of RFC 3986 plus "%" (keeps existing escapes);
# "(" and ")" are left out so they are escaped and cannot end the link early.
_MD_URL_SAFE = "!#$%&'*+,/:;=?@[]~-._"


def markdown_url(url: str) -> str:
    """``url`` made safe as a Markdown link destination: spaces, parentheses, ``<>``
    and non-ASCII characters percent-encoded, existing ``%XX`` escapes kept."""
    return quote(url.strip(), safe=_MD_URL_SAFE)


def markdown_link(article: Article) -> str:
    """``[title](url)``; brackets and backslashes in the title are escaped.

    Without a URL, or with one the link rule refuses, the escaped title alone.
    """
    text = _MD_TITLE_SPECIALS.sub(r"\\\1", _title(article))
    url = safe_url(article)
    if not url:
        return text
    return f"[{text}]({markdown_url(url)})"


def citation(article: Article) -> str:
    """``Title — Source, 26 Nov 2026, https://…``; missing parts (and a URL the link
    rule refuses) are left out."""
    tail = [p for p in (clean_line(article.source), _date(article), safe_url(article)) if p]
    title = _title(article)
    return f"{title} — {', '.join(tail)}" if tail else title


def brief_text(article: Article) -> str:
    """The brief as plain text: title (source), numbered takeaways, link (only one
    the link rule allows)."""
    url = safe_url(article)
    return brief_summary(article if url == article.url else article.with_changes(url=url))


# ---------------------------------------------------------------------------------
# share addresses


def _query(params: dict[str, str]) -> str:
    # %20 for spaces (not "+"): understood by every target, required by mailto.
    return urlencode(params, quote_via=quote, safe="")


def email_url(article: Article) -> str:
    """``mailto:?subject=<title>&body=<brief>`` with no recipient (RFC 6068 encoding).

    When the brief would make the address longer than :data:`MAX_MAILTO_LENGTH`, the
    body is the citation instead (:func:`email_holds_brief` says which).
    """
    subject, cite = _title(article), citation(article)
    for body in (brief_text(article), cite):
        url = _mailto(subject, body)
        if len(url) <= MAX_MAILTO_LENGTH:
            return url
    limit = 300  # very long (or heavily non-ASCII) title: shorten both until it fits
    while limit > 10:
        url = _mailto(_shorten(subject, limit), _shorten(cite, limit))
        if len(url) <= MAX_MAILTO_LENGTH:
            return url
        limit //= 2
    return _mailto(_shorten(subject, 10), "")


def email_holds_brief(article: Article) -> bool:
    """Whether :func:`email_url`'s e-mail holds the brief (else only its citation)."""
    return len(_mailto(_title(article), brief_text(article))) <= MAX_MAILTO_LENGTH


def _mailto(subject: str, body: str) -> str:
    return "mailto:?" + _query({"subject": subject, "body": body.replace("\n", "\r\n")})


def _post_text(article: Article, limit: int, url_cost: int | None = None) -> str:
    """``title url`` shortened to the network's limit (the title gives way)."""
    url = safe_url(article)
    if not url:
        return _shorten(_title(article), limit)
    cost = len(url) if url_cost is None else url_cost
    room = max(limit - cost - 1, 20)
    return f"{_shorten(_title(article), room)} {url}"


def bluesky_url(article: Article) -> str:
    """``https://bsky.app/intent/compose?text=<title url>``."""
    return "https://bsky.app/intent/compose?" + _query(
        {"text": _post_text(article, _BLUESKY_LIMIT)}
    )


_INSTANCE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)*[A-Za-z0-9-]{1,63}(?::[0-9]{1,5})?")


def _instance_host(instance: str) -> str:
    host = instance.strip()
    for prefix in ("https://", "http://"):
        if host.lower().startswith(prefix):
            host = host[len(prefix) :]
    host = host.rstrip("/")
    if not _INSTANCE.fullmatch(host):
        raise ValueError(f"not a Mastodon instance host name: {instance!r}")
    return host.lower()


def mastodon_url(article: Article, instance: str = DEFAULT_MASTODON_INSTANCE) -> str:
    """``https://<instance>/share?text=<title url>``.

    ``instance`` is a host name (``mastodon.social``, ``fosstodon.org:443``; a leading
    ``https://`` is accepted); anything else raises ``ValueError``.
    """
    host = _instance_host(instance)
    text = _post_text(article, _MASTODON_LIMIT, _MASTODON_URL_COST)
    return f"https://{host}/share?" + _query({"text": text})


def linkedin_url(article: Article) -> str:
    """``https://www.linkedin.com/sharing/share-offsite/?url=<url>``."""
    return "https://www.linkedin.com/sharing/share-offsite/?" + _query({"url": safe_url(article)})


def reddit_url(article: Article) -> str:
    """``https://www.reddit.com/submit?url=<url>&title=<title>``."""
    return "https://www.reddit.com/submit?" + _query(
        {"url": safe_url(article), "title": _shorten(_title(article), 300)}
    )


def hacker_news_url(article: Article) -> str:
    """``https://news.ycombinator.com/submitlink?u=<url>&t=<title>``."""
    return "https://news.ycombinator.com/submitlink?" + _query(
        {"u": safe_url(article), "t": _shorten(_title(article), 80)}
    )


def x_url(article: Article) -> str:
    """``https://x.com/intent/post?text=<title>&url=<url>``."""
    text = _shorten(_title(article), _X_LIMIT - _X_URL_COST)
    return "https://x.com/intent/post?" + _query({"text": text, "url": safe_url(article)})


# ---------------------------------------------------------------------------------
# the menu's entries


@dataclass(frozen=True, slots=True)
class ShareOption:
    """One way to share an article.

    ``key`` is a stable identifier (``"link"``, ``"markdown"``, ``"citation"``,
    ``"brief"``, ``"email"``, ``"bluesky"``, ``"mastodon"``, ``"linkedin"``,
    ``"reddit"``, ``"hackernews"``, ``"x"``).  ``text`` is what a copy puts on the
    clipboard; ``url``, for share addresses, is what "open" opens (``text`` is then
    the address itself, so it can be copied instead).  ``note``: what the reader
    should know before choosing it ("" for nothing).
    """

    key: str
    label: str
    text: str
    url: str | None = None
    note: str = ""

    @property
    def action(self) -> Literal["copy", "open"]:
        return "open" if self.url else "copy"


def share_options(
    article: Article, *, mastodon_instance: str = DEFAULT_MASTODON_INSTANCE
) -> list[ShareOption]:
    """The share menu's entries, in menu order.

    With a URL: link, Markdown link, citation, brief as text, then the share
    addresses (email, Bluesky, Mastodon, LinkedIn, Reddit, Hacker News, X).
    Without one: citation, brief as text and email only — no entry that would
    share a missing link.  A URL the link rule (:func:`refusal_reason`) refuses counts
    as missing: no entry carries it.  An invalid ``mastodon_instance`` falls back to
    the default.
    """
    options: list[ShareOption] = []
    url = safe_url(article)
    has_url = bool(url)
    if has_url:
        options += [
            ShareOption("link", "Link", url),
            ShareOption("markdown", "Markdown link", markdown_link(article)),
        ]
    options += [
        ShareOption("citation", "Citation", citation(article)),
        ShareOption("brief", "Brief as text", brief_text(article)),
    ]
    mail = email_url(article)
    short = "" if email_holds_brief(article) else "citation only (brief too long)"
    options.append(ShareOption("email", "Email", mail, mail, short))
    if not has_url:
        return options
    try:
        mastodon = mastodon_url(article, mastodon_instance)
    except ValueError:
        mastodon = mastodon_url(article)
    for key, label, address in (
        ("bluesky", "Bluesky", bluesky_url(article)),
        ("mastodon", "Mastodon", mastodon),
        ("linkedin", "LinkedIn", linkedin_url(article)),
        ("reddit", "Reddit", reddit_url(article)),
        ("hackernews", "Hacker News", hacker_news_url(article)),
        ("x", "X", x_url(article)),
    ):
        options.append(ShareOption(key, label, address, address))
    return options


# ---------------------------------------------------------------------------------
# opening


def _bad_char(ch: str) -> bool:
    return ch.isspace() or ch == "\\" or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


_SHARE_MAILTO = re.compile(
    r"mailto:\?(?:subject|body)=[A-Za-z0-9%._~-]*(?:&(?:subject|body)=[A-Za-z0-9%._~-]*)*"
)


def is_share_mailto(url: str) -> bool:
    """True for a ``mailto:`` address shaped like :func:`email_url` output: no
    recipient, only percent-encoded ``subject`` and ``body`` fields."""
    return len(url) <= MAX_URL_LENGTH and _SHARE_MAILTO.fullmatch(url) is not None


def refusal_reason(url: str, *, allow_mailto: bool = False) -> str | None:
    """Why ``url`` must not be opened, or ``None`` when it may (see the module doc)."""
    if not url:
        return "the link is empty"
    if len(url) > MAX_URL_LENGTH:
        return f"the link is longer than {MAX_URL_LENGTH} characters"
    if allow_mailto and url[:7].lower() == "mailto:":
        if is_share_mailto(url):
            return None
        return "only e-mail drafts built by briefreader are opened"
    if any(_bad_char(ch) for ch in url):
        return "the link holds spaces, control characters or backslashes"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for an invalid port
    except ValueError:
        return "the link is malformed"
    if parts.scheme.lower() not in ("http", "https"):
        return "only http and https links are opened or copied"
    if not parts.hostname:
        return "the link has no host"
    if parts.username is not None or parts.password is not None:
        return "the link carries a user name or password"
    return _host_problem(parts.hostname)


# Letters that draw nothing (Hangul fillers, the Mongolian vowel separator …).
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u180e\u2800")
_ASCII_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_LOOKALIKE = "the link's host holds look-alike or invisible characters"
_MIXED = "the link's host mixes letters of different scripts (a look-alike name)"
# Latin letters beyond ASCII that are letters of a language and are not an accented
# ASCII letter (those are checked by their decomposition): ß, æ, ø, œ, đ, ł, þ, ð,
# ħ, ŋ, ŧ, ı (Turkish), ə (Azerbaijani).  Not IPA letters such as ɡ, ɑ, ʟ.
_LATIN_LETTERS = frozenset(
    "\u00df\u00e6\u00f8\u0153\u0111\u0142\u00fe\u00f0\u0127\u014b\u0167\u0131\u0259"
)
# Scripts written together in one name: Japanese (kanji, kana), Korean (hangul, hanja).
_EAST_ASIAN = {
    "CJK": "HAN",
    "IDEOGRAPHIC": "HAN",
    "HIRAGANA": "KANA",
    "KATAKANA": "KANA",
    "KATAKANA-HIRAGANA": "KANA",
    "HANGUL": "HANGUL",
}
_ASCII_FRIENDLY = frozenset({"HAN", "KANA", "HANGUL"})


def _host_problem(host: str) -> str | None:
    """Why ``host`` (as :func:`urllib.parse.urlsplit` gives it, lower case) does not
    show the real host, or ``None``.

    An IPv6 literal must be a valid address; an IPv4 address must be a dotted quad
    (``127.0.0.1``: not ``2130706433``, ``0x7f.1`` or ``0177.0.0.1``, which browsers
    read as addresses too).  Every label of a name must be plain ASCII (letters,
    digits, ``-``, ``_``) or an international name made of letters, marks and digits
    only, and must not start or end with ``-``: no punctuation or symbols that look
    like ``.`` or ``/``, no invisible letters, nothing that changes under NFKC
    (fullwidth letters), no combining mark that is not of the label's own script
    (``com\u0338``), no label mixing scripts (``аpple``, ``gօօgle``, ``paypal\u1427com``;
    ASCII letters go only with accented Latin letters, Han, kana and Hangul) and no
    Latin letter that is neither accented ASCII nor a language's own letter (``ɡ``).
    An ``xn--`` label must be valid punycode for such a label.
    """
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "the link's host is not a valid address"
        return None
    if "%" in host:
        return "the link's host is percent-encoded"
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()  # "news.example." is a fully qualified name
    if _numeric_label(labels[-1]) and not _dotted_quad(labels):
        return "the link's host is an address in disguise (only dotted-quad IPv4 is opened)"
    for label in labels:
        if label.startswith("-") or label.endswith("-"):
            return "the link's host is not a valid host name"
        if label.isascii():
            if not _ASCII_LABEL.fullmatch(label):
                return "the link's host is not a valid host name"
            if label.startswith("xn--"):
                try:
                    decoded = label[4:].encode("ascii").decode("punycode")
                except UnicodeError:
                    return "the link's host has invalid punycode (xn--)"
                if decoded.isascii() or decoded.encode("punycode").decode() != label[4:]:
                    return "the link's host has invalid punycode (xn--)"
                if (problem := _international_label_problem(decoded)) is not None:
                    return problem
        elif (problem := _international_label_problem(label)) is not None:
            return problem
    return None


def _numeric_label(label: str) -> bool:
    """A label a browser reads as a number (``2130706433``, ``0x7f``, ``0``)."""
    if label[:2] == "0x":
        return all(ch in "0123456789abcdef" for ch in label[2:])
    return label.isascii() and label.isdigit()


def _dotted_quad(labels: list[str]) -> bool:
    return len(labels) == 4 and all(
        label.isascii()
        and label.isdigit()
        and (label == "0" or not label.startswith("0"))
        and int(label) <= 255
        for label in labels
    )


def _script(ch: str) -> str:
    """The script of a letter, roughly: the first word of its Unicode name."""
    word = unicodedata.name(ch, "?").split(" ", 1)[0]
    return _EAST_ASIAN.get(word, word)


def _international_label_problem(label: str) -> str | None:
    if unicodedata.normalize("NFKC", label) != label:
        return _LOOKALIKE
    ascii_letters = False
    scripts: set[str] = set()
    marks: list[str] = []
    digits: list[str] = []
    for ch in label:
        category = unicodedata.category(ch)
        if ch.isascii():
            if not (ch.isalnum() or ch in "-_"):
                return _LOOKALIKE
            ascii_letters = ascii_letters or ch.isalpha()
        elif ch in _INVISIBLE_LETTERS or category[0] not in "LMN":
            return _LOOKALIKE
        elif category[0] == "M":
            marks.append(ch)
        elif category == "Nd":
            digits.append(ch)
        elif category[0] == "N":
            return _LOOKALIKE  # (numbers NFKC leaves alone: none that a name needs)
        else:
            script = _script(ch)
            if script == "LATIN" and ch not in _LATIN_LETTERS:
                base = unicodedata.normalize("NFD", ch)[0]
                if not (base.isascii() and base.isalpha()):
                    return _LOOKALIKE  # ɡ, ɑ, ʟ: letters that pass for ASCII ones
            scripts.add(script)
    if len(scripts) > 1 and not scripts <= _ASCII_FRIENDLY:
        return _MIXED
    if ascii_letters and scripts and not scripts <= _ASCII_FRIENDLY | {"LATIN"}:
        return _MIXED
    # Marks and digits beyond ASCII only of the label's one script (Devanagari vowel
    # signs, Thai tone marks, Arabic-Indic digits in an Arabic name): never a
    # "COMBINING …" overlay, never a digit that looks like a dot in a Latin name.
    own = next(iter(scripts)) if len(scripts) == 1 else ""
    for ch in (*marks, *digits):
        if not own or own in _ASCII_FRIENDLY or not _script(ch).startswith(own):
            return _LOOKALIKE
    try:
        label.encode("idna")
    except UnicodeError:
        return "the link's host is not a valid international name"
    return None


def _ascii_label(label: str) -> str:
    return label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")


def ascii_host(url: str) -> str | None:
    """The host of ``url`` in its ASCII (punycode) form when it is an international
    name, else ``None``: what the user should see to know where a link leads.

    Each label is encoded as it is written (IDNA 2008, as browsers do: ``ß`` stays
    ``ß``, it is not mapped to ``ss``)."""
    try:
        host = urlsplit(url).hostname or ""
        if host.isascii():
            return None
        return ".".join(_ascii_label(label) for label in host.split("."))
    except (ValueError, UnicodeError):
        return None


def ascii_url(url: str) -> str:
    """``url`` with an international host in its ASCII (punycode) form, so that the
    real host is what gets copied and shared; any other URL unchanged.  For a URL
    the link rule allows (no user name, no backslash)."""
    host = ascii_host(url)
    if host is None:
        return url
    start = url.find("//") + 2
    end = start
    while end < len(url) and url[end] not in "/?#":
        end += 1
    netloc = url[start:end]
    colon = netloc.rfind(":")
    port = netloc[colon:] if colon >= 0 else ""
    return url[:start] + host + port + url[end:]


def safe_url(article: Article) -> str:
    """The article's URL when the link rule (:func:`refusal_reason`) allows it, else
    ``""``: what may be copied, shared or embedded in a share address.  An
    international host is given in its ASCII form (:func:`ascii_url`)."""
    url = article.url.strip()
    return ascii_url(url) if url and refusal_reason(url) is None else ""


def is_openable(url: str) -> bool:
    """True only for an ``http``/``https`` URL with a host that is safe to open."""
    return refusal_reason(url) is None


def display_url(url: str, limit: int = 160) -> str:
    """``url`` as literal, printable text for a message: control and invisible
    characters shown as ``\\xNN``/``\\uNNNN`` escapes, cut to ``limit`` characters."""
    out: list[str] = []
    for ch in url:
        invisible = ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        if ch == " " or not invisible:
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


Launcher = Callable[[str], bool]
"""Opens a URL; returns whether it worked.  May raise :class:`BrowserUnavailable`."""


class BrowserUnavailable(Exception):
    """No suitable browser; the message says why."""


# Browsers that draw in the terminal: started while a full-screen app owns the
# terminal they would fight it for the screen and the keyboard.
CONSOLE_BROWSERS = frozenset(
    {"www-browser", "links", "links2", "elinks", "lynx", "w3m", "browsh", "carbonyl"}
)


def default_launcher(url: str) -> bool:
    """Open ``url`` with the :mod:`webbrowser` module's default browser.

    Refuses (``BrowserUnavailable``) when that browser is a terminal browser such as
    lynx or w3m: briefreader owns the terminal.  Console browsers may block until they
    exit, so callers in an event loop run this in a thread.
    """
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error as exc:
        raise BrowserUnavailable("no web browser was found") from exc
    name = os.path.basename(str(getattr(browser, "name", "") or ""))
    if name in CONSOLE_BROWSERS:
        raise BrowserUnavailable(f"the only browser found ({name}) runs in the terminal")
    return bool(browser.open(url))


def open_in_browser(
    url: str, *, launcher: Launcher | None = None, allow_mailto: bool = False
) -> tuple[bool, str]:
    """Open ``url`` if it is safe (see the module doc); returns ``(ok, message)``.

    The message names the URL literally (control characters escaped), whether it
    was opened, refused, or the browser could not be started.
    """
    shown = display_url(url)
    reason = refusal_reason(url, allow_mailto=allow_mailto)
    if reason is not None:
        return False, f"Refused to open {shown}: {reason}"
    mail = url[:7].lower() == "mailto:"
    # Why it failed, shortly: an e-mail's address is the whole brief and a share page's
    # holds the title, percent-encoded (at 80×24 the toast covered the article).
    failed = "a new e-mail" if mail else display_url(url, 100)
    launch = launcher if launcher is not None else default_launcher
    try:
        ok = launch(url)
    except BrowserUnavailable as exc:
        why = "no mail app or web browser was found" if mail else str(exc)
        return False, f"Could not open {failed}: {why}"
    except Exception as exc:  # webbrowser.Error, OSError, anything a launcher raises
        return False, f"Could not open {failed}: {exc.__class__.__name__}: {exc}"
    if not ok:
        return False, f"Could not open {failed}: no browser accepted it"
    if mail:
        return True, "Opened a new e-mail in your mail app"
    host = ascii_host(url)
    return True, f"Opened {shown} (host {host})" if host else f"Opened {shown}"
