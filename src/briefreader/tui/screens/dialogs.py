"""Small modal dialogs: add a feed (a URL input; where, when there are accounts), rename a feed (one name input),
and yes/no confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from briefreader.tui.keyhints import key_hint
from briefreader.tui.screens.quiet import QuietToasts
from briefreader.tui.widgets.legible import (
    LegibleInput,
    LegibleOptionList,
    LegibleStatic,
    LegibleVertical,
)

__all__ = [
    "AddFeedRequest",
    "AddFeedScreen",
    "ConfirmScreen",
    "RenameFeedScreen",
    "normalise_feed_url",
]


def normalise_feed_url(text: str) -> str:
    """What the person typed, as a URL to fetch ("" when there is nothing); with no
    scheme, https (subscribing on this device tries http too when https cannot
    connect: :func:`briefreader.services.subscribe_typed`)."""
    url = text.strip()
    if url and "://" not in url:
        url = "https://" + url
    return url


@dataclass(frozen=True, slots=True)
class AddFeedRequest:
    """What the add-feed dialog asks for: the address as typed, and the account to
    subscribe through (None: this device fetches it itself)."""

    text: str
    account_id: int | None = None


class AddFeedScreen(QuietToasts, ModalScreen[AddFeedRequest | None]):
    """Ask for a feed's (or a web page's) address, and, when the library has
    accounts, where to subscribe (this device or an account's server); dismissed
    with an :class:`AddFeedRequest` or None.  ``text`` and ``error``: the dialog
    opened again after a failure, with what was typed and why it failed."""

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

    def __init__(
        self,
        text: str = "",
        error: str = "",
        *,
        accounts: Sequence[tuple[int, str]] = (),
        account_id: int | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.error = error
        self.accounts = list(accounts)
        self.account_id = account_id

    def compose(self) -> ComposeResult:
        with LegibleVertical(id="add-dialog", classes="dialog") as dialog:
            dialog.border_title = "Add a feed"
            cancel = key_hint(self.app, "add_feed_cancel", self.BINDINGS)
            tab = " · tab where" if self.accounts else ""
            dialog.border_subtitle = f"enter add{tab} · {cancel} cancel"
            if self.error:
                yield LegibleStatic(
                    Content(f"Could not add it: {self.error}"), id="add-error", markup=False
                )
            yield LegibleStatic(
                Content("The address of a feed, or of a web page that names its feed:"),
                classes="dialog-text",
                markup=False,
            )
            yield LegibleInput(
                self.text, id="add-url", placeholder="https://example.com/feed.xml", compact=True
            )
            if self.accounts:
                yield LegibleStatic(
                    Content("Subscribe on:"), classes="dialog-text", id="add-where-label"
                )
                yield LegibleOptionList(
                    *(Option(Content(label)) for label in self._places()),
                    id="add-where",
                    compact=True,
                )

    def _places(self, chosen: int = 0) -> list[str]:
        """The "Subscribe on" choices, the chosen one marked (seen without focus)."""
        names = [
            "This device (it fetches the feed itself)",
            *(label for _i, label in self.accounts),
        ]
        return [f"{'●' if n == chosen else '○'} {name}" for n, name in enumerate(names)]

    def on_mount(self) -> None:
        if self.accounts:
            where = self.query_one("#add-where", OptionList)
            ids = [None, *(i for i, _label in self.accounts)]
            where.highlighted = ids.index(self.account_id) if self.account_id in ids else 0

    @on(OptionList.OptionHighlighted, "#add-where")
    def _where_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        where = event.option_list
        for index, prompt in enumerate(self._places(event.option_index)):
            where.replace_option_prompt_at_index(index, Content(prompt))

    @property
    def chosen_account(self) -> int | None:
        """The account highlighted in "Subscribe on" (None: this device)."""
        if not self.accounts:
            return None
        where = self.query_one("#add-where", OptionList)
        index = where.highlighted or 0
        return None if index == 0 else self.accounts[index - 1][0]

    @on(Input.Submitted, "#add-url")
    def _submitted(self) -> None:
        self._add()

    @on(OptionList.OptionSelected, "#add-where")
    def _where_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._add()

    def _add(self) -> None:
        text = self.query_one("#add-url", Input).value.strip()
        if text:
            self.dismiss(AddFeedRequest(text, self.chosen_account))
            return
        # Nothing typed: say so (an error from the last try would still be shown
        # above an empty field, as if it were about it).
        message = Content("Nothing to add yet: type the address of a feed.")
        errors = self.query("#add-error")
        if errors:
            errors.first(LegibleStatic).update(message)
        else:
            dialog = self.query_one("#add-dialog")
            dialog.mount(
                LegibleStatic(message, id="add-error", markup=False), before=dialog.children[0]
            )
        self.query_one("#add-url", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class RenameFeedScreen(QuietToasts, ModalScreen[str | None]):
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


class ConfirmScreen(QuietToasts, ModalScreen[bool]):
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
