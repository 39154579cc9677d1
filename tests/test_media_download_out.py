"""``briefreader download --out``: an unusable folder is one line on stderr and exit 1
(never a traceback); the file ends up in the folder asked for even when it was
downloaded before elsewhere (copied from there when it is whole, else fetched
again); ``--help`` names the real default folder.  Served from 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from fetchserver import FetchServer
from fetchserver import fetch_server as fetch_server
from test_media_download import AUDIO

from briefreader.cli import main
from briefreader.model import Article, Enclosure
from briefreader.store import Library


def two_episodes(path: Path, url: str) -> None:
    """Two articles whose enclosures share one address."""
    arts = [
        Article(id=f"ep{n}", title=f"Episode {n}", enclosures=(Enclosure(url, "audio/wav"),))
        for n in (1, 2)
    ]
    with Library(path) as lib:
        lib.store(arts)


def download(lib: Path, article: str, *out: str) -> int:
    return main(["download", article, "--library", str(lib), "-q", *out])


@pytest.mark.parametrize("kind", ["a file", "under a file"])
def test_an_unusable_out_folder_is_one_line_and_exit_1(
    kind: str, fetch_server: FetchServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_server.add("/ep.wav", AUDIO, content_type="audio/wav")
    lib = tmp_path / "lib.db"
    two_episodes(lib, fetch_server.url("/ep.wav"))
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    out = blocker if kind == "a file" else blocker / "sub"
    assert download(lib, "ep1", "--out", str(out)) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and str(out) in lines[0] and "Traceback" not in captured.err
    assert "not a folder" in lines[0]
    assert captured.out == "" and fetch_server.hits("/ep.wav") == 0
    assert blocker.read_text() == "not a folder"


def test_out_puts_the_file_there_even_when_it_was_downloaded_before(
    fetch_server: FetchServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fetch_server.add("/ep.wav", AUDIO, content_type="audio/wav")
    lib = tmp_path / "lib.db"
    two_episodes(lib, fetch_server.url("/ep.wav"))
    first, second, third = (tmp_path / name for name in ("first", "second", "third"))
    assert download(lib, "ep1", "--out", str(first)) == 0
    assert (first / "ep.wav").read_bytes() == AUDIO
    capsys.readouterr()
    # the same file, another folder: copied from the first (nothing fetched again)
    assert download(lib, "ep1", "--out", str(second)) == 0
    assert (second / "ep.wav").read_bytes() == AUDIO
    assert fetch_server.hits("/ep.wav") == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{second / 'ep.wav'}\t") and f"(copied from {first / 'ep.wav'})" in out
    # another article, same address, a third folder
    assert download(lib, "ep2", "--out", str(third)) == 0
    assert (third / "ep.wav").read_bytes() == AUDIO
    assert str(third / "ep.wav") in capsys.readouterr().out
    # back to the first folder: it is there already (no "-1234abcd" twin)
    assert download(lib, "ep1", "--out", str(first)) == 0
    assert "already there" in capsys.readouterr().out
    assert sorted(p.name for p in first.iterdir()) == ["ep.wav"]
    # an earlier copy cut short is not copied: fetched again
    (third / "ep.wav").write_bytes(AUDIO[:100])
    fourth = tmp_path / "fourth"
    with Library(lib) as library:  # it remembers the folder asked for last
        known = library.download(fetch_server.url("/ep.wav"))
        assert known is not None and Path(known.path).parent == first
    (first / "ep.wav").write_bytes(AUDIO[:100])
    assert download(lib, "ep1", "--out", str(fourth)) == 0
    assert (fourth / "ep.wav").read_bytes() == AUDIO
    assert fetch_server.hits("/ep.wav") == 2


def test_without_out_the_default_folder_and_the_help_names_it(
    fetch_server: FetchServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFREADER_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "400")  # (argparse would wrap the path at a "-")
    with pytest.raises(SystemExit):
        main(["download", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"(default: {home / 'downloads'})" in help_text
    fetch_server.add("/ep.wav", AUDIO, content_type="audio/wav")
    lib = tmp_path / "lib.db"
    two_episodes(lib, fetch_server.url("/ep.wav"))
    elsewhere = tmp_path / "elsewhere"
    assert download(lib, "ep1", "--out", str(elsewhere)) == 0
    capsys.readouterr()
    assert download(lib, "ep2") == 0  # the default folder, not the one used last
    assert (home / "downloads" / "ep.wav").read_bytes() == AUDIO
    assert str(home / "downloads" / "ep.wav") in capsys.readouterr().out


def test_show_names_the_file_an_enclosure_was_downloaded_to(
    fetch_server: FetchServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the app marks a downloaded file, ``show ID`` names it under the enclosure."""
    fetch_server.add("/ep.wav", AUDIO, content_type="audio/wav")
    lib = tmp_path / "lib.db"
    two_episodes(lib, fetch_server.url("/ep.wav"))
    assert download(lib, "ep1", "--out", str(tmp_path / "eps")) == 0
    capsys.readouterr()
    assert main(["--library", str(lib), "show", "ep1"]) == 0
    shown = capsys.readouterr().out
    assert (
        f"<{fetch_server.url('/ep.wav')}>\n     downloaded: {tmp_path / 'eps' / 'ep.wav'}" in shown
    )
    assert main(["--library", str(lib), "show", "ep2"]) == 0  # (the same address: one file)
    assert "downloaded:" in capsys.readouterr().out
    (tmp_path / "eps" / "ep.wav").unlink()  # gone from disk: not named
    assert main(["--library", str(lib), "show", "ep1"]) == 0
    assert "downloaded:" not in capsys.readouterr().out
