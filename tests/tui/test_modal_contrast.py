"""Every text the modal screens draw is legible in every bundled theme: WCAG AA
(4.5:1) between each character's colour and the colour behind it, as the screen
paints it, inside each dialog (its border titles included): the help screen, the
share menu, the links list, the feeds screen (F2, a feed of each status), and the
small dialogs (add a feed, rename a feed, a yes/no question).

The painting, the themes and the check (with its own WCAG luminance, not the app's)
come from test_contrast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_contrast import AA, THEMES, low_contrast, painted
from textual.pilot import Pilot
from tui_helpers import make_article, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.feeds import FeedsScreen

MakeApp = Callable[..., BriefReaderApp]


@pytest.fixture
def modal_library(tmp_path: Path) -> Path:
    """Feeds of every status (ok, error, dead, new) with articles; one file's article."""
    path = tmp_path / "modal.sqlite3"
    with Library(path) as library:
        ok, _ = library.add_feed("https://ok.example/feed", title="Alpha News", tags=["world"])
        bad, _ = library.add_feed("https://bad.example/feed", title="Beta Times")
        gone, _ = library.add_feed("https://gone.example/feed", title="Gone Gazette")
        library.add_feed("https://new.example/feed", title="New Ledger")
        library.store([make_article(n) for n in (0, 1)], feed_id=ok.id)
        library.store([make_article(2)], feed_id=bad.id)
        library.store([make_article(3)], feed_id=gone.id)
        library.store([make_article(4)])
        library.record_fetch(ok.id, ok=True, status=200)
        library.record_fetch(bad.id, ok=False, status=500, error="HTTP 500 Internal Server Error")
        library.record_fetch(gone.id, ok=False, status=410, error="gone (HTTP 410)", dead=True)
    return path


def check(pilot: Pilot[Any], dialog: str, where: str) -> list[str]:
    """The dialog ``dialog`` (a selector on the top screen), as painted now."""
    region = pilot.app.screen.query_one(dialog).region
    assert region.width and region.height
    return low_contrast(painted(pilot), region, where)


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


OPEN: dict[str, tuple[tuple[str, ...], str]] = {
    # name: (keys from the main screen, the dialog's selector)
    "help": (("question_mark",), "#help-dialog"),
    "share menu": (("S",), "#share-dialog"),
    "links list": (("u",), "#links-dialog"),
    "add a feed": (("a",), "#add-dialog"),
}

#: The longest app tests: handed out first (tests/conftest.py).
pytestmark = pytest.mark.first

#: The themes in a few groups, each checked in one app run: a theme switch restyles
#: the whole app and costs more than opening every dialog again, so each theme is
#: set once and every dialog is opened in it; xdist spreads the groups.
GROUPS = 3


@pytest.mark.parametrize("group", range(GROUPS))
async def test_every_dialog_reaches_aa_in_every_theme(
    modal_library: Path, make_app: MakeApp, group: int
) -> None:
    app = make_app(modal_library)
    problems: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for theme in THEMES[group::GROUPS]:
            app.theme = theme
            await settle(pilot)
            for name, (keys, dialog) in OPEN.items():
                await press(pilot, *keys)
                problems += check(pilot, dialog, f"{theme}, {name}")
                await press(pilot, "escape")
                assert len(app.screen_stack) == 1, name
            await press(pilot, "f2")
            screen = app.screen
            assert isinstance(screen, FeedsScreen)
            for _ in range(10):  # the failing feed: its error in the detail
                if screen.current_feed is not None and screen.current_feed.title == "Beta Times":
                    break
                await press(pilot, "j")
            assert screen.current_feed is not None and screen.current_feed.title == "Beta Times"
            problems += check(pilot, "#feeds-dialog", f"{theme}, feeds screen")
            await press(pilot, "e")
            problems += check(pilot, "#rename-dialog", f"{theme}, rename a feed")
            await press(pilot, "escape")
            await press(pilot, "d")
            problems += check(pilot, "#confirm-dialog", f"{theme}, a yes/no question")
            await press(pilot, "escape")
            assert app.screen is screen  # nothing removed
            await press(pilot, "escape")
            assert len(app.screen_stack) == 1
    assert not problems, f"{len(problems)} texts below {AA}:1:\n" + "\n".join(problems)
