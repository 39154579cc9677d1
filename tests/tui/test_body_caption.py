"""A figure's caption (emphasised paragraphs straight under its image, as the feed
reader writes a <figcaption>) is drawn as a caption: right under the image, with the
caption's bar, not as one more paragraph of the story after a blank line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import make_article, screen_text, settle

from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.widgets.body import parse_markdown

MakeApp = Callable[..., BriefReaderApp]

BODY = (
    "The terminal stayed shut for a third day.\n\n"
    "![Cranes at the quay](https://img.example/cranes.jpg)\n\n"
    "*Cranes stand idle at the container terminal.*\n\n"
    "*Two paragraphs of one caption.*\n\n"
    "Talks resume on Thursday.\n\n"
    "*An emphasised paragraph of the story itself.*"
)


def test_only_an_emphasised_paragraph_under_an_image_is_a_caption() -> None:
    kinds = [block.kind for block in parse_markdown(BODY).blocks]
    assert kinds == ["paragraph", "image", "caption", "caption", "paragraph", "paragraph"]


async def test_the_caption_is_drawn_under_its_image_with_a_bar(
    tmp_path: Path, make_app: MakeApp
) -> None:
    path = tmp_path / "l.sqlite3"
    with Library(path) as library:
        library.store([make_article(0, body=BODY, takeaways=(), analysis=None)])
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = [line.strip(" │") for line in screen_text(app).splitlines()]
        at = next(i for i, line in enumerate(lines) if "[image 1: Cranes at the quay]" in line)
        assert lines[at + 1].startswith("▎ Cranes stand idle at the")
        assert any(
            line.startswith("An emphasised paragraph") for line in lines[at + 2 :]
        )  # (no bar: not under an image)
