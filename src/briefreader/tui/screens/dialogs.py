"""Small modal dialogs: add a feed (one URL input), rename a feed (one name input),
and yes/no confirmation."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input

from briefreader.tui.keyhints import key_hint
from briefreader.tui.widgets.legible import LegibleInput, LegibleStatic, LegibleVertical

__all__ = ["AddFeedScreen", "ConfirmScreen", "RenameFeedScreen", "normalise_feed_url"]


def normalise_feed_url(text: str) -> str:
    """What the person typed, as a URL to fetch ("" when there is nothing)."""
    url = text.strip()
    if url and "://" not in url:
        url = "https://" + url
    return url


class AddFeedScreen(ModalScreen[str | None]):
    """Ask for a feed's (or a web page's) address; dismissed with the URL or None."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#add-url"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="add_feed_cancel",
            tooltip="Close without adding a feed",
        ),
    ]

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="add-dialog", classes="dialog") as dialog:
            dialog.border_title = "Add a feed"
            dialog.border_subtitle = (
                f"enter add · {key_hint(self.app, 'add_feed_cancel', self.BINDINGS)} cancel"
            )
            yield LegibleStatic(
                Content("The address of a feed, or of a web page that names its feed:"),
                classes="dialog-text",
                markup=False,
            )
            yield LegibleInput(
                id="add-url", placeholder="https://example.com/feed.xml", compact=True
            )

    @on(Input.Submitted, "#add-url")
    def _submitted(self, event: Input.Submitted) -> None:
        url = normalise_feed_url(event.value)
        if url:
            self.dismiss(url)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RenameFeedScreen(ModalScreen[str | None]):
    """Ask for a feed's new name; dismissed with it ("" = the feed's own title again)
    or None (cancelled)."""

    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#rename-name"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="rename_feed_cancel",
            tooltip="Close without renaming the feed",
        ),
    ]

    def __init__(self, name: str, own_title: str) -> None:
        super().__init__()
        self.current_name = name
        self.own_title = own_title

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="rename-dialog", classes="dialog") as dialog:
            dialog.border_title = "Rename the feed"
            cancel = key_hint(self.app, "rename_feed_cancel", self.BINDINGS)
            dialog.border_subtitle = f"enter rename · {cancel} cancel"
            own = f" ({self.own_title})" if self.own_title else ""
            yield LegibleStatic(
                Content(f"Your name for this feed; leave it empty for the feed's own title{own}:"),
                classes="dialog-text",
                markup=False,
            )
            yield LegibleInput(self.current_name, id="rename-name", compact=True)

    @on(Input.Submitted, "#rename-name")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A question answered with y (or enter) / n (or esc)."""

    CSS_PATH = "dialogs.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm_yes", tooltip="Yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm_no", tooltip="No"),
    ]

    def __init__(self, title: str, question: str, yes: str = "yes") -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="confirm-dialog", classes="dialog") as dialog:
            dialog.border_title = Content(self.title_text)
            yes, no = (key_hint(self.app, i, self.BINDINGS) for i in ("confirm_yes", "confirm_no"))
            dialog.border_subtitle = Content(f"{yes} {self.yes} · {no} cancel")
            yield LegibleStatic(Content(self.question), classes="dialog-text", markup=False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
