"""Enclosures (podcast audio, video, attachments): downloaded to disk and played.

Like :mod:`briefreader.refresh`, this combines the network with the library:
:func:`download_enclosure` streams a file to ``NAME.part`` beside where it will go
(resuming a part left by an earlier try, with ``Range``), renames it when whole,
and remembers it in the library's ``downloads`` table — those articles are never
pruned (see :mod:`briefreader.store.media`).  :func:`play` hands an address or a
downloaded file to the user's player: an argument list, never a shell, and only
an http(s) address or a file that exists.

The app reaches both through :class:`briefreader.services.FeedService`; the
command line's ``download`` calls :func:`download_enclosure` itself.
"""

from __future__ import annotations

import asyncio
import filecmp
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from briefreader.fetch.media import MAX_DOWNLOAD_BYTES, OnProgress, download_file
from briefreader.model import Article, Enclosure
from briefreader.store import Library

__all__ = [
    "DEFAULT_PLAYER",
    "DownloadOutcome",
    "download_enclosure",
    "file_name",
    "play",
    "player_command",
]

#: Used when the config names no player and mpv is installed.
DEFAULT_PLAYER = ("mpv", "--no-video")
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")
_EXTENSIONS = {
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "application/pdf": ".pdf",
}


@dataclass(frozen=True, slots=True)
class DownloadOutcome:
    """Where a download stands: ``path`` (the file when whole, else its ``.part``),
    ``size`` bytes on disk, ``complete``, ``already`` (it was there before), or
    ``error`` (one line; the part is kept for the next try); ``copied_from``: the
    earlier download it was copied from (into another folder)."""

    url: str
    path: Path
    size: int
    complete: bool
    already: bool = False
    resumed: bool = False
    error: str | None = None
    copied_from: Path | None = None


def file_name(article: Article, enclosure: Enclosure) -> str:
    """A safe file name for an enclosure: its address's last part (no folders, no
    leading dot, at most 120 characters), else the article's id with an extension
    for its type."""
    raw = unquote(Path(urlsplit(enclosure.url).path).name)
    name = _UNSAFE_NAME.sub("_", raw).strip("._-")[:120]  # (never an option: no "-" first)
    if not name:
        name = article.id + _EXTENSIONS.get(enclosure.type, "")
    return name


async def download_enclosure(
    library: Library,
    article: Article,
    enclosure: Enclosure,
    folder: Path,
    *,
    on_progress: OnProgress | None = None,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    anywhere: bool = True,
) -> DownloadOutcome:
    """Download ``enclosure`` of ``article`` into ``folder`` (resumable, capped) and
    remember it in the library.

    ``anywhere`` (the app): a whole file downloaded before counts wherever it is.
    Else (the command line, which names a folder) the file ends up in ``folder``:
    already there, or copied from the earlier download when that is still whole,
    else fetched.  The library remembers where it was put last."""
    known = library.download(enclosure.url)
    earlier = _whole_file(known.path, known.size) if known and known.complete else None
    if earlier is not None and (anywhere or _same_folder(earlier.parent, folder)):
        return DownloadOutcome(enclosure.url, earlier, earlier.stat().st_size, True, already=True)
    final = folder / file_name(article, enclosure)
    if earlier is not None and final.is_file() and _same_content(final, earlier):
        size = final.stat().st_size
        library.record_download(enclosure.url, article.id, str(final), size, complete=True)
        return DownloadOutcome(enclosure.url, final, size, True, already=True)
    if final.exists():  # another enclosure's file of the same name: keep both
        tag = hashlib.sha256(enclosure.url.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        final = final.with_name(f"{final.stem}-{tag}{final.suffix}")
    folder.mkdir(parents=True, exist_ok=True)
    if earlier is not None:  # whole on disk in another folder: a copy, not a download
        await asyncio.to_thread(_copy, earlier, final)
        size = final.stat().st_size
        library.record_download(enclosure.url, article.id, str(final), size, complete=True)
        return DownloadOutcome(enclosure.url, final, size, True, copied_from=earlier)
    part = final.with_name(final.name + ".part")
    if known is not None and not known.complete and known.path.endswith(".part"):
        earlier_part = Path(known.path)  # an earlier try's part: go on from it
        if anywhere or _same_folder(earlier_part.parent, folder):
            part = earlier_part
            final = part.with_name(part.name.removesuffix(".part"))
    result = await download_file(enclosure.url, part, max_bytes=max_bytes, on_progress=on_progress)
    if not result.complete:
        if result.size:
            library.record_download(
                enclosure.url, article.id, str(part), result.size, complete=False
            )
        return DownloadOutcome(
            enclosure.url, part, result.size, False, resumed=result.resumed, error=result.error
        )
    os.replace(part, final)
    library.record_download(enclosure.url, article.id, str(final), result.size, complete=True)
    return DownloadOutcome(enclosure.url, final, result.size, True, resumed=result.resumed)


def _whole_file(path: str, size: int) -> Path | None:
    """``path`` when it is still a file of ``size`` bytes (a download known whole)."""
    try:
        return Path(path) if os.stat(path).st_size == size and Path(path).is_file() else None
    except OSError:
        return None


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _same_content(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def _copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` through a hidden file beside it, renamed when
    whole (a cut copy never passes for the file)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".copy")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def player_command(configured: tuple[str, ...]) -> tuple[str, ...] | None:
    """The player to run: the config's, else mpv when installed; None when none."""
    if configured:
        return configured
    return DEFAULT_PLAYER if shutil.which(DEFAULT_PLAYER[0]) else None


def play(target: str, configured: tuple[str, ...]) -> str:
    """Start the player on ``target`` (an http(s) address or a file that exists) and
    return a one-line note of what happened.  The player runs on its own, detached,
    its output discarded; it is never given a shell."""
    is_url = target.startswith(("http://", "https://")) and not any(c.isspace() for c in target)
    if not is_url:
        if not Path(target).is_file():
            return "not played: only an http(s) address or a downloaded file can be played"
        target = str(Path(target).resolve())  # absolute: never read as an option

    from briefreader.paths import config_path

    command = player_command(configured)
    if command is None:  # (where to set it, a newcomer's trial asked)
        return f'no player: set player = ["mpv", "--no-video"] (or another) in {config_path()}'
    program = shutil.which(command[0])
    if program is None:
        return f"player {command[0]!r} not found; set player = [...] in {config_path()}"
    try:
        subprocess.Popen(
            [program, *command[1:], target],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        return f"could not start {command[0]}: {exc.strerror or exc}"
    where = "the downloaded file" if not is_url else "the stream"
    return f"playing {where} in {Path(command[0]).name}"
