"""The share menu (``S``), the copy-link key (``c``) and the safe URL opener (``o``).

Everything the user sees here may hold untrusted text (titles come from feeds and
files), so nothing is ever rendered as markup: the option list has
``markup=False``, prompts are :class:`~textual.content.Content` built from plain
strings, toasts use ``notify(..., markup=False)``.

Slow work never runs on the event loop: the OSC 52 write is instant and happens
at once (so ``app.clipboard`` is set immediately); a system clipboard tool (up to
two seconds) and the browser launcher run in thread workers and post their toast
with ``app.notify``, which is thread-safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets.option_list import Option

from briefreader import clipboard
from briefreader.model import Article
from briefreader.share import (
    DEFAULT_MASTODON_INSTANCE,
    Launcher,
    ShareOption,
    ascii_host,
    ascii_url,
    citation,
    display_url,
    open_in_browser,
    refusal_reason,
    share_options,
)
from briefreader.textclean import clean_line
from briefreader.tui.screens.option_dialog import OptionDialog, option_dialog_bindings
from briefreader.tui.widgets.legible import LegibleStatic, LegibleVertical

__all__ = [
    "QUICK_KEYS",
    "ShareMenu",
    "copy_article_link",
    "copy_with_toast",
    "open_url_with_toast",
]

#: (share option, the key that picks it in the menu, what it does), in menu order.
_QUICK: tuple[tuple[str, str, str], ...] = (
    ("link", "1", "Copy the link"),
    ("markdown", "2", "Copy the Markdown link"),
    ("citation", "3", "Copy the citation"),
    ("brief", "4", "Copy the brief as text"),
    ("email", "e", "E-mail the brief"),
    ("bluesky", "b", "Share on Bluesky"),
    ("mastodon", "m", "Share on Mastodon"),
    ("linkedin", "l", "Share on LinkedIn"),
    ("reddit", "r", "Submit to Reddit"),
    ("hackernews", "h", "Submit to Hacker News"),
    ("x", "x", "Post on X"),
)

QUICK_KEYS: dict[str, str] = {option: key for option, key, _ in _QUICK}
"""Share option key → the key that picks it in the menu (binding id ``share_<option>``)."""

# How a copy is named in its toast ("Copied the Markdown link: [..](..) — via ...").
_COPY_NAMES: dict[str, str] = {
    "link": "the link",
    "markdown": "the Markdown link",
    "citation": "the citation",
    "brief": "the brief",
}

NO_LINK_NOTE = (
    "This article has no link. You can copy its citation or the brief as text, or e-mail the brief."
)

UNSAFE_LINK_NOTE = (
    "This article's link is not offered ({reason}). You can copy its citation or the "
    "brief as text, or e-mail the brief."
)

_DETAIL_WIDTH = 52


# ---------------------------------------------------------------------------------
# copying and opening, for the whole app


def _notify_copy(app: App[Any], result: clipboard.CopyResult, lead: str) -> None:
    app.notify(
        result.message(lead),
        title="Clipboard",
        severity="information" if result.ok else "error",
        markup=False,
    )


def copy_with_toast(
    app: App[Any],
    text: str,
    *,
    label: str = "",
    lead: str = "Copied",
    tools: list[clipboard.ClipboardTool] | None = None,
) -> None:
    """Copy ``text`` via OSC 52 now and via the system tool in a thread, then toast
    exactly what was copied and which way worked.

    ``tools`` defaults to :func:`briefreader.clipboard.find_tools` (none over SSH).
    """
    first = clipboard.copy_text(text, osc52=app.copy_to_clipboard, tools=[], label=label)
    found = clipboard.find_tools() if tools is None else tools
    if not found:
        _notify_copy(app, first, lead)
        return

    def work() -> None:
        second = clipboard.copy_text(text, tools=found, label=label)
        _notify_copy(app, first.merged(second), lead)  # notify is thread-safe

    app.run_worker(
        work,
        name="clipboard",
        group="clipboard",
        description="system clipboard tool",
        exit_on_error=False,
        thread=True,
    )


def copy_article_link(app: App[Any], article: Article) -> None:
    """The ``c`` key: copy the article's URL; with no URL, its citation (and say so).

    A URL the link rule refuses (:func:`briefreader.share.refusal_reason`, the same
    rule as the opener's) is not copied: an error toast says why.  An international
    host is copied in its ASCII (punycode) form, so the real host is what gets
    pasted; the toast names it.
    """
    url = article.url.strip()
    reason = refusal_reason(url) if url else None
    if reason is not None:
        app.notify(
            f"Not copied: the article's link {display_url(url, 100)} is refused: {reason}",
            title="Clipboard",
            severity="error",
            markup=False,
        )
    elif url:
        host = ascii_host(url)
        copy_with_toast(app, ascii_url(url), lead=f"Copied (host {host})" if host else "Copied")
    else:
        copy_with_toast(
            app, citation(article), lead="This article has no link — copied its citation instead:"
        )


def open_url_with_toast(
    app: App[Any],
    url: str,
    *,
    launcher: Launcher | None = None,
    allow_mailto: bool = False,
    opened: Callable[[], None] | None = None,
) -> None:
    """The safe opener (``o``, Markdown link clicks, related links).

    A URL that is not http(s) (see :func:`briefreader.share.refusal_reason`) is
    refused at once with an error toast naming it literally; otherwise the browser
    is started in a thread worker and a toast says whether it worked, and
    ``opened`` is called (on the app's thread) only if it did.
    ``allow_mailto`` is only for the share menu's own e-mail address.
    """
    if refusal_reason(url, allow_mailto=allow_mailto) is not None:
        _ok, message = open_in_browser(url, launcher=launcher, allow_mailto=allow_mailto)
        app.notify(message, title="Not opened", severity="error", markup=False)
        return

    def work() -> None:
        ok, message = open_in_browser(url, launcher=launcher, allow_mailto=allow_mailto)
        app.notify(
            message,
            title="Browser" if ok else "Not opened",
            severity="information" if ok else "error",
            markup=False,
        )
        if ok and opened is not None:
            app.call_from_thread(opened)

    app.run_worker(
        work,
        name="open-url",
        group="browser",
        description="open a link in the browser",
        exit_on_error=False,
        thread=True,
    )


# ---------------------------------------------------------------------------------
# the menu


def _detail(option: ShareOption) -> str:
    if option.key == "email":
        return f"new e-mail: {option.note}" if option.note else "new e-mail in your mail app"
    if option.url:
        from urllib.parse import urlsplit

        return f"in the browser: {urlsplit(option.url).hostname or ''}"
    return clipboard.preview(option.text, _DETAIL_WIDTH)


def _prompt(option: ShareOption, key: str) -> Content:
    return Content.assemble(
        (f" {key} ", "bold $accent"),
        f" {option.label:<15}",
        (f"{option.action:<5}", "bold" if option.action == "open" else ""),
        " ",
        (_detail(option), "$foreground-muted"),
    )


class ShareMenu(OptionDialog):
    """Share one article: copy a form of its link, or open a share address."""

    CSS_PATH = "share_menu.tcss"
    AUTO_FOCUS = "#share-options"

    BINDINGS: ClassVar[list[BindingType]] = [
        *option_dialog_bindings(
            "share",
            "escape,q",
            "Close the share menu",
            "Copy the highlighted entry; for a share address, copy the address",
        ),
        *(
            Binding(key, f"choose('{option}')", what, show=False, id=f"share_{option}")
            for option, key, what in _QUICK
        ),
    ]

    def __init__(
        self,
        article: Article,
        *,
        mastodon_instance: str = DEFAULT_MASTODON_INSTANCE,
        launcher: Launcher | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.article = article
        self.options = share_options(article, mastodon_instance=mastodon_instance)
        self._by_key = {option.key: option for option in self.options}
        self._launcher = launcher

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="share-dialog") as dialog:
            dialog.border_title = "Share"
            yield LegibleStatic(clean_line(self.article.title), id="share-title", markup=False)
            url = self.article.url.strip()
            if not url:
                yield LegibleStatic(NO_LINK_NOTE, id="share-no-link", markup=False)
            elif (reason := refusal_reason(url)) is not None:
                yield LegibleStatic(
                    UNSAFE_LINK_NOTE.format(reason=reason), id="share-no-link", markup=False
                )
            options = (Option(_prompt(o, self._quick_key(o.key)), id=o.key) for o in self.options)
            keys = "enter copy or open · {} copy the address · {} close"
            yield from self._options_and_keys(
                options, "share-options", "share-hint", keys, "share_copy", "share_close"
            )

    def _quick_key(self, option: str) -> str:
        return self._hint(f"share_{option}") if option in QUICK_KEYS else " "

    # -- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":
            return bool(parameters) and parameters[0] in self._by_key
        return True

    def action_choose(self, key: str) -> None:
        option = self._by_key.get(key)
        if option is not None:
            self._run(option)

    def copy_option(self, index: int) -> None:
        self._copy(self.options[index])

    def choose_option(self, index: int) -> None:
        self._run(self.options[index])

    # -- helpers -------------------------------------------------------------------

    def _run(self, option: ShareOption) -> None:
        if option.url:
            self._open(option)
        else:
            self._copy(option)

    def _copy(self, option: ShareOption) -> None:
        app = self.app
        name = _COPY_NAMES.get(option.key, f"the {option.label} share address")
        self.dismiss(None)
        copy_with_toast(app, option.text, label=name)

    def _open(self, option: ShareOption) -> None:
        app = self.app
        assert option.url is not None
        self.dismiss(None)
        open_url_with_toast(
            app, option.url, launcher=self._launcher, allow_mailto=option.key == "email"
        )
