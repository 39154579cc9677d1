"""An article with several enclosures: ``P`` and ``D`` ask which one (a numbered list,
like the links list) and act on the one chosen, against a real server on 127.0.0.1;
with one enclosure they act at once, as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from test_media_app import recording_player, until, wav
from tui_helpers import make_article, screen_text, settle

from briefreader.config import Config
from briefreader.model import Enclosure
from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp
from briefreader.tui.screens.enclosures import EnclosureChooser

MakeApp = Callable[..., BriefReaderApp]
WIDE = (120, 40)


def choosing(app: BriefReaderApp) -> bool:
    return isinstance(app.screen, EnclosureChooser)


def two_files(tmp_path: Path, server: FetchServer) -> Path:
    path = tmp_path / "two.sqlite3"
    enclosures = (
        Enclosure(server.url("/part1.wav"), "audio/wav", len(wav()), 61),
        Enclosure(server.url("/part2.wav"), "audio/x-wav", 2 * len(wav()), 122),
    )
    with Library(path) as lib:
        lib.store([make_article(0, enclosures=enclosures)])
    return path


async def test_play_and_download_ask_which_of_two_enclosures(
    fetch_server: FetchServer, tmp_path: Path, make_app: MakeApp
) -> None:
    fetch_server.add("/part1.wav", wav(), content_type="audio/wav")
    fetch_server.add("/part2.wav", wav() + wav(), content_type="audio/wav")
    script, log = recording_player(tmp_path)
    config = Config(player=(str(script),))
    app = make_app(two_files(tmp_path, fetch_server), config=config)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert choosing(app)
        text = screen_text(app)
        assert "Play which file?" in text
        assert "1 audio/wav · 1:01" in text and "2 audio/x-wav · 2:02" in text
        assert not log.exists()  # nothing played before a choice
        await pilot.press("2")
        await until(pilot, lambda: log.exists() and log.read_text().count("\n") == 1)
        assert log.read_text().strip() == fetch_server.url("/part2.wav")
        assert not choosing(app)

        await pilot.press("P")  # esc: nothing played
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not choosing(app)

        await pilot.press("D")
        await settle(pilot)
        assert choosing(app)
        assert "Download which file?" in screen_text(app)
        await pilot.press("j", "enter")  # the second, by the cursor
        await until(pilot, lambda: not app.workers and app.status_text == "")
        await settle(pilot)
        downloads = tmp_path / "home" / "downloads"
        assert (downloads / "part2.wav").read_bytes() == wav() + wav()
        assert not (downloads / "part1.wav").exists()
    assert log.read_text().count("\n") == 1
    assert fetch_server.hits("/part1.wav") == 0
    assert fetch_server.hits("/part2.wav") == 1
