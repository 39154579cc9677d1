"""``briefreader download``: an enclosure fetched from 127.0.0.1 to disk, cut short
then resumed with Range, capped, remembered in the library; and the player, a
small script here that records its argv (never a shell)."""

from __future__ import annotations

import io
import os
import stat
import sys
import wave
from pathlib import Path

import pytest
from fetchserver import FetchServer, Reply, Request
from fetchserver import fetch_server as fetch_server

from briefreader.cli import main
from briefreader.enclosures import file_name, play
from briefreader.model import Article, Enclosure
from briefreader.paths import config_path
from briefreader.store import Library


def wav_bytes(seconds: float = 0.5) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(int(8000 * seconds) * 2))
    return out.getvalue()


AUDIO = wav_bytes()


def ranged(body: bytes) -> object:
    """A handler that honours ``Range: bytes=N-`` (206) and else sends it whole."""

    def handle(req: Request) -> Reply:
        wanted = req.header("range") or ""
        if wanted.startswith("bytes=") and wanted.endswith("-"):
            start = int(wanted[6:-1])
            if start >= len(body):
                return Reply(416, b"", {"Content-Range": f"bytes */{len(body)}"})
            return Reply(
                206,
                body[start:],
                {
                    "Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}",
                    "Content-Type": "audio/wav",
                },
            )
        return Reply(200, body, {"Content-Type": "audio/wav"})

    return handle


def library_with(path: Path, url: str) -> Article:
    art = Article(
        id="ep1",
        title="Episode one",
        url="https://pod.example/1",
        enclosures=(Enclosure(url, "audio/wav", len(AUDIO), 1),),
    )
    with Library(path) as lib:
        lib.store([art])
    return art


def test_download_cut_short_then_resumed(
    fetch_server: FetchServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib.db"
    out = tmp_path / "out"
    library_with(lib, fetch_server.url("/ep1.wav"))
    fetch_server.add_reset("/ep1.wav", AUDIO[:1000], content_length=len(AUDIO), abort=False)
    assert main(["download", "ep1", "--out", str(out), "--library", str(lib), "-q"]) == 1
    assert (out / "ep1.wav.part").stat().st_size == 1000
    assert not (out / "ep1.wav").exists()
    fetch_server.add_handler("/ep1.wav", ranged(AUDIO))  # type: ignore[arg-type]
    assert main(["download", "ep1", "--out", str(out), "--library", str(lib), "-q"]) == 0
    assert (out / "ep1.wav").read_bytes() == AUDIO
    assert not (out / "ep1.wav.part").exists()
    assert fetch_server.requests_for("/ep1.wav")[-1].header("range") == "bytes=1000-"
    assert "(resumed)" in capsys.readouterr().out
    with Library(lib) as library:
        known = library.download(fetch_server.url("/ep1.wav"))
        assert known is not None and known.complete and known.size == len(AUDIO)
        assert library.downloaded_article_ids() == {"ep1"}
    hits = fetch_server.hits("/ep1.wav")
    assert main(["download", "ep1", "--out", str(out), "--library", str(lib), "-q"]) == 0
    assert fetch_server.hits("/ep1.wav") == hits  # already there: nothing fetched
    assert "already there" in capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} <= {"lib.db", "lib.db-shm", "lib.db-wal", "out"}
    assert [p.name for p in out.iterdir()] == ["ep1.wav"]


def test_download_refuses_redirects_to_files_and_oversize(
    fetch_server: FetchServer, tmp_path: Path
) -> None:
    import asyncio

    from briefreader.enclosures import download_enclosure

    secret = tmp_path / "secret"
    secret.write_bytes(b"x")
    fetch_server.add_redirect("/to-file.mp3", f"file://{secret}")
    fetch_server.add("/big.mp3", bytes(5000), content_type="audio/mpeg")
    with Library(tmp_path / "lib.db") as library:
        art = Article(id="a", title="A")
        moved = asyncio.run(
            download_enclosure(
                library, art, Enclosure(fetch_server.url("/to-file.mp3")), tmp_path / "out"
            )
        )
        assert not moved.complete and moved.error and "non-http(s)" in moved.error
        big = asyncio.run(
            download_enclosure(
                library,
                art,
                Enclosure(fetch_server.url("/big.mp3")),
                tmp_path / "out",
                max_bytes=1000,
            )
        )
        assert not big.complete and big.error and "too large" in big.error
        assert library.downloaded_article_ids() == set()


def test_file_names_stay_in_their_folder() -> None:
    art = Article(id="abc", title="T")
    assert file_name(art, Enclosure("https://x.example/a/..%2F..%2Fetc%2Fpasswd")) == "etc_passwd"
    assert file_name(art, Enclosure("https://x.example/", "audio/mpeg")) == "abc.mp3"
    assert file_name(art, Enclosure("https://x.example/.hidden.mp3")) == "hidden.mp3"
    assert file_name(art, Enclosure("https://x.example/--script=evil.lua")) == "script_evil.lua"


def recording_player(tmp_path: Path) -> tuple[Path, Path]:
    """A player that writes its argv to a file (one per line) and exits."""
    log = tmp_path / "argv.txt"
    script = tmp_path / "player"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write('\\n'.join(sys.argv[1:]))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def wait_for(path: Path) -> str:
    import time

    for _ in range(500):  # bounded: the script starts in well under a second
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.01)
    raise AssertionError("the player did not run")


def test_play_runs_the_player_with_an_argument_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script, log = recording_player(tmp_path)
    url = "https://pod.example/ep 1.mp3; rm -rf ~"
    assert "only an http(s) address" in play(url, (str(script),))
    note = play("https://pod.example/ep1.mp3?a=1&b=$(id)", (str(script), "--no-video"))
    assert note.startswith("playing the stream")
    assert wait_for(log).splitlines() == ["--no-video", "https://pod.example/ep1.mp3?a=1&b=$(id)"]
    assert "not found" in play("https://pod.example/x.mp3", ("no-such-player-here",))
    assert "only an http(s) address" in play("file:///etc/passwd", (str(script),))
    assert "only an http(s) address" in play(str(tmp_path / "missing.mp3"), (str(script),))
    monkeypatch.chdir(tmp_path)  # a file named like an option is handed over as an absolute path
    (tmp_path / "-x.mp3").write_bytes(b"ID3")
    log.unlink()
    assert play("-x.mp3", (str(script),)).startswith("playing the downloaded file")
    assert wait_for(log).splitlines() == [str(tmp_path / "-x.mp3")]


def test_no_player_found_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no mpv here
    said = play("https://pod.example/x.mp3", ())
    assert "no player" in said and said.endswith(f" in {config_path()}"), said
    assert os.environ["PATH"] == str(tmp_path)
