"""Shared helpers for the reading app's tests: fixed time, test articles, screen text."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from rich.console import Console
from testkit import FIXED_NOW as FIXED_NOW
from testkit import NOW
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from briefreader.model import Analysis, Article, RelatedLink

LONG_BODY = "\n\n".join(
    f"Paragraph {n}: the committee met again to weigh the export quota, the grid "
    f"connection queue and the price of accelerator time, and again it deferred."
    for n in range(1, 41)
)


def make_article(n: int, **changes: Any) -> Article:
    """Article ``n`` of the test library (n = 0 is the newest)."""
    base = Article(
        id=f"art{n:03d}",
        title=f"Story number {n} about chip export quotas",
        summary=f"The dek of story {n}: regulators and chip makers trade blows.",
        url=f"https://news.example/{n}",
        source="Northgate Wire" if n % 2 == 0 else "Kestrel Markets",
        author="Delphine Aranda",
        published=NOW - timedelta(hours=2 + 9 * n),
        takeaways=(
            f"Takeaway one of story {n} about export quotas.",
            "Takeaway two, long enough to wrap onto a second line in a narrow pane "
            "so that the hanging indent can be seen.",
            "Takeaway three.",
        ),
        analysis=Analysis(
            body="Quotas look tidier than licences, but a ceiling measured in raw "
            "performance tightens by itself every chip generation.",
            label="Editor's Desk",
            title="Certainty Has a Price",
            byline="Northgate Wire Editorial",
            kicker="Policy Watch",
        ),
        body=f"Story {n} body. The export rule caps chip shipments.\n\n"
        "Read [the rule](https://gov.example/rule) itself.",
    )
    return base.with_changes(**changes)


#: What articles 0, 1 and 2 of the test library share: the specifics (names, a
#: number, places) that make them one story, not merely the same topic.
SAME_STORY_FACTS = (
    "The Halvorsen commission capped accelerator exports at 38% of last year's volume, "
    "and Tavish Semiconductor halted two Ostrava orders."
)


def _same_story_body(n: int) -> str:
    return (
        f"Story {n} body. The export rule caps chip shipments. {SAME_STORY_FACTS}\n\n"
        "Read [the rule](https://gov.example/rule) itself."
    )


def sample_articles() -> list[Article]:
    """Eight articles: related links, a link-less one, derived takeaways, a long body;
    0, 1 and 2 are one story (1 and 2 near-copies)."""
    return [
        make_article(
            0,
            title="Markets slide as the chip export rule bites",
            related=(
                RelatedLink("Story number 2 about chip export quotas", "https://news.example/2"),
                RelatedLink("An outside analysis", "https://elsewhere.example/analysis"),
            ),
            body=f"Markets fell. {SAME_STORY_FACTS}\n\n"
            "Read [the rule](https://gov.example/rule) and "
            "[this](ftp://files.example/etc/passwd).\n\n" + LONG_BODY,
        ),
        make_article(1, body=_same_story_body(1)),
        make_article(2, title="Story number 2 about chip export quotas", body=_same_story_body(2)),
        make_article(3, takeaways_derived=True),
        make_article(4, url="", title="A brief with no link at all"),
        make_article(5, analysis=None),
        make_article(6, takeaways=()),
        make_article(7, title="Grid storage auction clears at a record low price"),
    ]


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and their messages land: pause until two pauses in a row
    find no worker pending or running (waiting for the workers at most three times).

    (A finished worker leaves ``app.workers`` at once; each pause lets the messages
    posted so far land.  With no worker at all this is two pauses, not four.)"""
    app = pilot.app
    waits = quiet = 0
    while quiet < 2:
        await pilot.pause()
        if app.workers and waits < 3:
            await app.workers.wait_for_complete()
            waits += 1
            quiet = 0
        else:
            quiet += 1
    for widget in app.query(Input):
        widget.cursor_blink = False


def screen_text(app: App[Any]) -> str:
    """What the terminal shows now, as plain text."""
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        record=True,
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text()
