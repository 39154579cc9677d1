"""Link formats, share addresses and the safe opener (briefreader.share)."""

from __future__ import annotations

import webbrowser
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader import share
from briefreader.model import Article
from briefreader.share import (
    BrowserUnavailable,
    ShareOption,
    bluesky_url,
    brief_text,
    citation,
    display_url,
    email_url,
    hacker_news_url,
    is_openable,
    is_share_mailto,
    linkedin_url,
    markdown_link,
    markdown_url,
    mastodon_url,
    open_in_browser,
    reddit_url,
    refusal_reason,
    safe_url,
    share_options,
    x_url,
)
from briefreader.textformat import brief_summary

URL = "https://news.example/2026/11/ai-reckoning?src=rss&x=1"
WHEN = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


def make(**changes: object) -> Article:
    base = Article(
        id="a1",
        title="The AI Reckoning: chips & clouds",
        url=URL,
        source="China Daily Brief",
        published=WHEN,
        takeaways=("Export rules tighten", "Cloud margins fall"),
    )
    return base.with_changes(**changes)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)


# ---------------------------------------------------------------------------------
# text forms


def test_markdown_link_plain() -> None:
    assert markdown_link(make()) == f"[The AI Reckoning: chips & clouds]({URL})"


def test_markdown_link_escapes_brackets_and_backslash_in_title() -> None:
    art = make(title=r"[bold]Chips[/] \ the [@click=app.quit] end")
    assert markdown_link(art) == (
        r"[\[bold\]Chips\[/\] \\ the \[@click=app.quit\] end]" + f"({URL})"
    )


def test_markdown_link_escapes_url_parentheses_spaces_and_angles() -> None:
    # A URL with spaces is refused by the link rule; the escaping itself still holds.
    url = "https://en.example/wiki/Chip_(computing) x<y>?q=a b&r=%20kept"
    assert markdown_url(url) == (
        "https://en.example/wiki/Chip_%28computing%29%20x%3Cy%3E?q=a%20b&r=%20kept"
    )
    art = make(url="https://en.example/wiki/Chip_(computing)x<y>?q=a%20b")
    link = markdown_link(art)
    dest = link[link.index("](") + 2 : -1]
    assert dest == "https://en.example/wiki/Chip_%28computing%29x%3Cy%3E?q=a%20b"
    assert link.count("(") == 1 and link.endswith(")")


def test_markdown_link_without_url_is_the_title() -> None:
    assert markdown_link(make(url="", title="No [link]")) == r"No \[link\]"


def test_markdown_link_non_ascii_url_is_percent_encoded() -> None:
    link = markdown_link(make(url="https://news.example/café"))
    assert link.endswith("(https://news.example/caf%C3%A9)")


def test_citation_full() -> None:
    assert (
        citation(make())
        == f"The AI Reckoning: chips & clouds — China Daily Brief, 26 Nov 2026, {URL}"
    )


def test_citation_without_url() -> None:
    assert (
        citation(make(url=""))
        == "The AI Reckoning: chips & clouds — China Daily Brief, 26 Nov 2026"
    )


def test_citation_without_date() -> None:
    assert (
        citation(make(published=None))
        == f"The AI Reckoning: chips & clouds — China Daily Brief, {URL}"
    )


def test_citation_title_only() -> None:
    assert citation(make(url="", published=None, source="")) == "The AI Reckoning: chips & clouds"


def test_citation_single_digit_day_has_no_leading_zero() -> None:
    art = make(published=datetime(2026, 3, 5, tzinfo=UTC), url="", source="")
    assert citation(art) == "The AI Reckoning: chips & clouds — 5 Mar 2026"


def test_brief_text_is_the_brief_summary() -> None:
    art = make()
    assert brief_text(art) == brief_summary(art)
    assert brief_text(art).splitlines() == [
        "The AI Reckoning: chips & clouds (China Daily Brief)",
        "",
        "1. Export rules tighten",
        "2. Cloud margins fall",
        "",
        URL,
    ]


# ---------------------------------------------------------------------------------
# share addresses


def test_email_url_has_no_recipient_and_round_trips() -> None:
    url = email_url(make())
    assert url.startswith("mailto:?subject=")
    assert "+" not in url and " " not in url
    q = query(url)
    assert q["subject"] == ["The AI Reckoning: chips & clouds"]
    assert q["body"] == [brief_text(make()).replace("\n", "\r\n")]
    assert "%0D%0A" in url
    assert is_share_mailto(url)


def test_email_url_falls_back_to_citation_when_the_brief_is_long() -> None:
    art = make(takeaways=tuple(f"takeaway number {i} " * 20 for i in range(20)))
    url = email_url(art)
    assert len(url) <= share.MAX_MAILTO_LENGTH
    assert query(url)["body"] == [citation(art)]


def test_email_url_always_fits_even_with_a_huge_non_ascii_title() -> None:
    art = make(title="中文标题" * 400, takeaways=())
    url = email_url(art)
    assert len(url) <= share.MAX_MAILTO_LENGTH
    assert is_share_mailto(url)


def test_bluesky_url() -> None:
    url = bluesky_url(make())
    assert url.startswith("https://bsky.app/intent/compose?text=")
    assert query(url) == {"text": [f"The AI Reckoning: chips & clouds {URL}"]}
    assert "%26" in url  # the "&" of the title does not split the query


def test_bluesky_text_fits_300_characters() -> None:
    text = query(bluesky_url(make(title="word " * 200)))["text"][0]
    assert len(text) <= 300
    assert text.endswith(f"… {URL}")


def test_mastodon_url_default_and_custom_instance() -> None:
    url = mastodon_url(make())
    assert url.startswith("https://mastodon.social/share?text=")
    assert query(url) == {"text": [f"The AI Reckoning: chips & clouds {URL}"]}
    assert mastodon_url(make(), "fosstodon.org").startswith("https://fosstodon.org/share?")
    assert mastodon_url(make(), "https://Hachyderm.io/").startswith("https://hachyderm.io/share?")
    assert mastodon_url(make(), "social.example:8443").startswith(
        "https://social.example:8443/share?"
    )


@pytest.mark.parametrize(
    "instance",
    [
        "",
        "evil.example/path",
        "evil.example?x=1",
        "user@evil.example",
        "javascript:alert(1)",
        "a b",
    ],
)
def test_mastodon_instance_must_be_a_host(instance: str) -> None:
    with pytest.raises(ValueError):
        mastodon_url(make(), instance)


def test_linkedin_url() -> None:
    url = linkedin_url(make())
    assert url.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    assert query(url) == {"url": [URL]}


def test_reddit_url() -> None:
    url = reddit_url(make())
    assert url.startswith("https://www.reddit.com/submit?url=")
    assert query(url) == {"url": [URL], "title": ["The AI Reckoning: chips & clouds"]}


def test_hacker_news_url() -> None:
    url = hacker_news_url(make())
    assert url.startswith("https://news.ycombinator.com/submitlink?u=")
    assert query(url) == {"u": [URL], "t": ["The AI Reckoning: chips & clouds"]}


def test_x_url() -> None:
    url = x_url(make())
    assert url.startswith("https://x.com/intent/post?text=")
    assert query(url) == {"text": ["The AI Reckoning: chips & clouds"], "url": [URL]}


def test_share_addresses_encode_hostile_titles() -> None:
    art = make(title="a&url=https://evil.example#frag ?x=1 + [b]")
    for url in (bluesky_url(art), reddit_url(art), hacker_news_url(art), x_url(art)):
        assert is_openable(url)
        assert urlsplit(url).fragment == ""
    assert query(reddit_url(art))["url"] == [URL]
    assert query(x_url(art))["text"] == ["a&url=https://evil.example#frag ?x=1 + [b]"]


# ---------------------------------------------------------------------------------
# the menu entries


def test_share_options_with_url() -> None:
    options = share_options(make())
    assert [o.key for o in options] == [
        "link", "markdown", "citation", "brief",
        "email", "bluesky", "mastodon", "linkedin", "reddit", "hackernews", "x",
    ]  # fmt: skip
    assert [o.action for o in options] == ["copy"] * 4 + ["open"] * 7
    by_key = {o.key: o for o in options}
    assert by_key["link"].text == URL
    assert by_key["markdown"].text == markdown_link(make())
    for option in options[4:]:
        assert option.text == option.url  # copying a share address copies the address


def test_share_options_without_url_offer_no_link_entries() -> None:
    options = share_options(make(url=""))
    assert [o.key for o in options] == ["citation", "brief", "email"]
    assert all(URL not in o.text for o in options)


def test_share_options_mastodon_instance() -> None:
    by_key = {o.key: o for o in share_options(make(), mastodon_instance="fosstodon.org")}
    assert (by_key["mastodon"].url or "").startswith("https://fosstodon.org/share?")
    by_key = {o.key: o for o in share_options(make(), mastodon_instance="not a host/")}
    assert (by_key["mastodon"].url or "").startswith("https://mastodon.social/share?")


def test_share_option_action() -> None:
    assert ShareOption("link", "Link", URL).action == "copy"
    assert ShareOption("x", "X", "https://x.com/", "https://x.com/").action == "open"


# ---------------------------------------------------------------------------------
# what may be opened


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example/a",
        "http://news.example",
        "HTTPS://NEWS.EXAMPLE/A?b=c#d",
        "https://news.example:8443/a",
        "https://[2001:db8::1]/a",
        "https://bücher.example/straße",
    ],
)
def test_openable(url: str) -> None:
    assert is_openable(url)
    assert refusal_reason(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "mailto:someone@example.com",
        "ftp://files.example/a",
        "vbscript:msgbox",
        "news.example/a",
        "//news.example/a",
        "https://",
        "https:///path-only",
        " https://news.example/a",
        "https://news.example/a b",
        "https://news.example/a\nb",
        "https://news.example/\x1b]52;c;cHduZWQ=\x07",
        "https://news.example/\u202egnp.exe",
        "https://news.example\\@evil.example/",
        "https://bank.example@evil.example/",
        "https://user:pass@news.example/",
        "https://news.example:99999/",
        "https://news.example:port/",
        "https://news.example/" + "a" * share.MAX_URL_LENGTH,
    ],
)
def test_not_openable(url: str) -> None:
    assert not is_openable(url)
    assert refusal_reason(url)


def test_mailto_only_for_share_addresses_and_only_when_allowed() -> None:
    mail = email_url(make())
    assert not is_openable(mail)
    assert refusal_reason(mail, allow_mailto=True) is None
    for bad in (
        "mailto:victim@example.com",
        "mailto:?to=victim@example.com&subject=x",
        "mailto:?subject=a b",
        "mailto:?subject=x&attach=/etc/passwd",
        "mailto:?subject=x\n",
    ):
        assert not is_share_mailto(bad)
        assert refusal_reason(bad, allow_mailto=True)
    # allow_mailto does not widen anything else
    assert refusal_reason("javascript:alert(1)", allow_mailto=True)


# ---------------------------------------------------------------------------------
# opening


class Recorder:
    def __init__(self, result: bool = True, error: Exception | None = None) -> None:
        self.calls: list[str] = []
        self.result = result
        self.error = error

    def __call__(self, url: str) -> bool:
        self.calls.append(url)
        if self.error is not None:
            raise self.error
        return self.result


def test_open_in_browser_opens_http() -> None:
    launcher = Recorder()
    ok, message = open_in_browser(URL, launcher=launcher)
    assert ok and launcher.calls == [URL]
    assert message == f"Opened {URL}"


def test_open_in_browser_refuses_without_launching() -> None:
    launcher = Recorder()
    ok, message = open_in_browser("javascript:alert('[bold]x[/]')", launcher=launcher)
    assert not ok and launcher.calls == []
    assert message == (
        "Refused to open javascript:alert('[bold]x[/]'): "
        "only http and https links are opened or copied"
    )


def test_open_in_browser_shows_control_characters_escaped() -> None:
    ok, message = open_in_browser("file:///etc/passwd\x1b[2J", launcher=Recorder())
    assert not ok
    assert "file:///etc/passwd\\x1b[2J" in message
    assert "\x1b" not in message


def test_open_in_browser_mailto_share_address() -> None:
    launcher = Recorder()
    mail = email_url(make())
    assert open_in_browser(mail, launcher=launcher)[0] is False
    ok, message = open_in_browser(mail, launcher=launcher, allow_mailto=True)
    assert ok and launcher.calls == [mail]
    assert message == "Opened a new e-mail in your mail app"


def test_open_in_browser_launcher_failures() -> None:
    ok, message = open_in_browser(URL, launcher=Recorder(result=False))
    assert not ok and message == f"Could not open {URL}: no browser accepted it"
    ok, message = open_in_browser(
        URL, launcher=Recorder(error=BrowserUnavailable("no web browser was found"))
    )
    assert not ok and message == f"Could not open {URL}: no web browser was found"
    ok, message = open_in_browser(URL, launcher=Recorder(error=webbrowser.Error("boom")))
    assert not ok and message == f"Could not open {URL}: Error: boom"


def test_a_failure_to_open_says_so_shortly() -> None:
    # (A user's trial: at 80x24 the whole percent-encoded share address filled the
    # pane, and an e-mail's failure spoke of a "web browser".)
    none = Recorder(error=BrowserUnavailable("no web browser was found"))
    mail = email_url(make())
    ok, message = open_in_browser(mail, launcher=none, allow_mailto=True)
    assert not ok and message == "Could not open a new e-mail: no mail app or web browser was found"
    long_url = "https://x.example/intent/post?text=" + "A%20long%20title%20" * 20
    ok, message = open_in_browser(long_url, launcher=none)
    assert not ok and len(message) < 160 and message.startswith(f"Could not open {long_url[:60]}")
    assert message.endswith("…: no web browser was found")


class FakeBrowser:
    def __init__(self, name: str) -> None:
        self.name = name
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


def test_default_launcher_uses_webbrowser(monkeypatch: pytest.MonkeyPatch) -> None:
    browser = FakeBrowser("/usr/bin/firefox")
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)
    assert open_in_browser(URL) == (True, f"Opened {URL}")
    assert browser.opened == [URL]


def test_default_launcher_refuses_terminal_browsers(monkeypatch: pytest.MonkeyPatch) -> None:
    browser = FakeBrowser("w3m")
    monkeypatch.setattr(webbrowser, "get", lambda using=None: browser)
    ok, message = open_in_browser(URL)
    assert not ok and browser.opened == []
    assert message == f"Could not open {URL}: the only browser found (w3m) runs in the terminal"


def test_default_launcher_without_any_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_browser(using: str | None = None) -> object:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    assert open_in_browser(URL) == (False, f"Could not open {URL}: no web browser was found")


def test_display_url() -> None:
    assert display_url("https://a.example/[b]") == "https://a.example/[b]"
    assert display_url("a\tb\x00c\u202ed\x9b") == "a\\x09b\\x00c\\u202ed\\x9b"
    assert len(display_url("x" * 500)) == 160


# ---------------------------------------------------------------------------------
# properties

titles = st.text(min_size=1, max_size=400).filter(lambda t: t.strip())
paths = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Cf")
    ),
    max_size=60,
).filter(lambda p: "\\" not in p)


@settings(max_examples=150, deadline=None)
@given(title=titles, path=paths)
def test_share_addresses_round_trip_and_stay_openable(title: str, path: str) -> None:
    url = "https://news.example/" + path.replace("#", "")
    art = make(title=title, url=url)
    shown_title = share._title(art)
    for option in share_options(art):
        if option.url is None:
            continue
        if option.key == "email":
            assert refusal_reason(option.url, allow_mailto=True) is None
            assert len(option.url) <= share.MAX_MAILTO_LENGTH
            continue
        assert is_openable(option.url), option.url
        assert urlsplit(option.url).fragment == ""
        q = query(option.url)
        if option.key in ("linkedin", "reddit", "x"):
            assert q["url"] == [url]
        if option.key == "hackernews":
            assert q["u"] == [url]
        if option.key in ("bluesky", "mastodon"):
            assert q["text"][0].endswith(" " + url)
    md = markdown_link(art)
    assert md.startswith("[") and md.endswith(")")
    assert "\n" not in md and shown_title


@settings(max_examples=100, deadline=None)
@given(title=titles)
def test_markdown_title_escaping_is_reversible(title: str) -> None:
    art = make(title=title)
    md = markdown_link(art)
    inner = md[1 : md.rindex("](")]
    # every [ ] \ in the text is escaped, so the link text has no bare bracket
    unescaped = []
    i = 0
    while i < len(inner):
        if inner[i] == "\\":
            assert inner[i + 1] in "[]\\"
            unescaped.append(inner[i + 1])
            i += 2
        else:
            assert inner[i] not in "[]"
            unescaped.append(inner[i])
            i += 1
    assert "".join(unescaped) == share._title(art)


# ---------------------------------------------------------------------------------
# one rule for opening, copying and share addresses

HOSTILE_URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "smb://fileserver.example/share",
    "~/notes/secret.txt",
    "--option",
    "-o ProxyCommand=evil",
    "mailto:victim@example.com",
    "mailto:?to=victim@example.com&subject=x",
    "https://bank.com@evil.example/",
    "https://bank.com:secret@evil.example/",
    "https://ba\u200bnk.example/",  # zero-width space
    "https://bank.example\u200d/",  # zero-width joiner
    "https://\u202eelpmaxe.bank/",  # bidi override
    "https://bank\u2060.example/",  # word joiner
    "https://bank\u3002example/",  # ideographic full stop: a dot in disguise
    "https://bank.example\u2044login.evil.example/",  # fraction slash
    "https://bank.example\u2215login.evil.example/",  # division slash
    "https://\u3164.example/",  # Hangul filler: an invisible letter
    "https://bank\u115f.example/",  # Hangul choseong filler
    "https://bank.example%40evil.example/",  # percent-encoded host
    "https://\uff42\uff41\uff4e\uff4b.example/",  # fullwidth letters
    "https://\u0430pple.example/",  # Cyrillic a among Latin letters
    "https://p\u0430yp\u0430l.example/",
    "https://xn--pple-43d.example/",  # the same, as punycode
    "https://xn--zz-.example/",  # punycode of a plain ASCII label
    "https://xn--99999999.example/",  # punycode that does not decode
    "https://xn--ls8h.example/",  # an emoji host
    "https://bank..example/",
    "https://[not-an-address]/",
    "http://\u0261oogle.com/login",  # LATIN SMALL LETTER SCRIPT G: an IPA letter
    "http://g\u0585\u0585gle.com/",  # Armenian o among Latin letters
    "http://google.com\u0338.evil.net/",  # a combining overlay: "com/" to the eye
    "http://paypal\u1427com.evil.io/",  # Canadian syllabics final middle dot
    "http://paypal\u0660com.example/",  # Arabic-Indic zero: a dot in a Latin name
    "http://xn--oogle-qmc.com/",  # the script g, as punycode
    "http://2130706433/",  # 127.0.0.1 as an integer
    "http://0x7f000001/",  # ... in hex
    "http://0177.0.0.1/",  # ... with an octal part
    "http://127.1/",  # ... shortened
    "http://1.2.3.256/",
    "http://-a.com",  # labels that start or end with "-"
    "http://a.b-",
    "http://\u0430b-.example/",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_the_link_rule_refuses_hostile_urls(url: str) -> None:
    reason = refusal_reason(url)
    assert reason, url
    assert "\n" not in reason
    assert not is_openable(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://b\u00fccher.example/stra\u00dfe",
        "https://xn--bcher-kva.example/",  # punycode of the above host
        "https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/",  # all Cyrillic
        "https://\u4f8b\u3048.\u30c6\u30b9\u30c8/",  # Japanese
        "http://127.0.0.1:8080/feed",
        "https://[2001:db8::1]/a",
        "https://news.example./a",  # a fully qualified name
        "https://news.example/\u0430/\u2044?q=\u0430",  # look-alikes outside the host
        "https://\u092d\u093e\u0930\u0924.example/",  # Devanagari, with its vowel sign
        "https://\u0e44\u0e17\u0e22.example/",  # Thai
        "https://\u0645\u062b\u0627\u0644.example/",  # Arabic
        "https://\u00e6r\u00f8.example/",  # Latin letters of a language
        "https://abc\u65e5\u672c.example/",  # ASCII with Han
        "https://\ud55c\uad6d.example/",  # Hangul
        "https://x-y.example/",
        "http://10.0.0.1/",
        "http://0.0.0.0/",
    ],
)
def test_the_link_rule_accepts_real_hosts(url: str) -> None:
    assert refusal_reason(url) is None, url


@pytest.mark.parametrize(
    ("url", "copied"),
    [
        ("https://b\u00fccher.example/stra\u00dfe", "https://xn--bcher-kva.example/stra\u00dfe"),
        ("https://B\u00dcCHER.example:8443/a?q#f", "https://xn--bcher-kva.example:8443/a?q#f"),
        (
            "https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/",
            "https://xn--e1afmkfd.xn--p1ai/",
        ),
        ("https://stra\u00dfe.example/", "https://xn--strae-oqa.example/"),  # IDNA 2008
        ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
        ("https://news.example/\u00e9", "https://news.example/\u00e9"),  # an ASCII host
    ],
)
def test_an_international_host_is_copied_and_shared_in_ascii(url: str, copied: str) -> None:
    # So that the real host is always what is pasted: the share menu's link, the
    # Markdown link, the citation, the brief and the share addresses carry it.
    assert refusal_reason(url) is None
    art = make(url=url)
    assert share.ascii_url(url) == copied
    assert safe_url(art) == copied
    options = {o.key: o for o in share_options(art)}
    assert options["link"].text == copied
    host, original = urlsplit(copied).hostname or "", urlsplit(url).hostname or ""
    for option in options.values():  # every entry that carries the link
        assert host in unquote(option.text), option.key
        if not original.isascii():
            assert original not in unquote(option.text), option.key
    assert copied in citation(art) and copied in brief_text(art)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_share_options_never_carry_an_unsafe_url(url: str) -> None:
    art = make(url=url)
    options = share_options(art)
    assert [o.key for o in options] == ["citation", "brief", "email"]
    for option in options:
        assert url not in option.text
        assert quote(url, safe="") not in option.text
    assert url not in citation(art) and url not in markdown_link(art)
    assert url not in brief_text(art)
