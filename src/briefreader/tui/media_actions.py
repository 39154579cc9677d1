"""Pictures and media in the app: ``i`` loads the article's images (the lead image,
drawn above the title, and the body's images that stand alone in a paragraph, drawn
in place of their "[image N: alt]" placeholders), ``P`` plays
its enclosure in the user's player, ``D`` downloads it (with a progress line in the
status bar).

Privacy first: showing an article fetches nothing unless the config says
``images = "auto"``; an image request tells its sender who read what, and when.
Everything slow runs in workers through :class:`briefreader.services.FeedService`
(the app never opens a socket or starts a process itself): the image comes from
the disk cache or the network, is decoded off the UI thread, and its half-block
lines are drawn for the pane's width in the worker too, so showing it costs the
UI thread only the copy of a few lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.message import Message

from briefreader.links import article_links, enclosure_label, human_size
from briefreader.media.halfblock import HalfBlockImage
from briefreader.media.images import Raster
from briefreader.media.kitty import KittyImage, detect_protocol
from briefreader.model import Article, Enclosure
from briefreader.tui.base import ReaderBase
from briefreader.tui.failures import error_text
from briefreader.tui.formatting import safe_line
from briefreader.tui.screens.enclosures import EnclosureChooser
from briefreader.tui.widgets.article_view import LeadImage
from briefreader.tui.widgets.body import NotShown

__all__ = ["BodyImagesLoaded", "DownloadProgress", "ImageLoaded", "MediaActions"]

#: Lead images are drawn at most this many lines tall; the body's, this many (and
#: either at most a third of the pane's height).
IMAGE_ROWS = 16
BODY_IMAGE_ROWS = 12
#: ``i`` loads at most this many of the body's own images.
MAX_BODY_PICTURES = 8


class ImageLoaded(Message):
    """A lead image was loaded for an article (or ``image.note`` says why not)."""

    def __init__(self, article_id: str, image: LeadImage, fetched: bool, asked: bool) -> None:
        super().__init__()
        self.article_id = article_id
        self.image = image
        self.fetched = fetched
        self.asked = asked


class BodyImagesLoaded(Message):
    """Images of an article's body were loaded (a :class:`NotShown`: why one was not)."""

    def __init__(self, article_id: str, pictures: dict[str, HalfBlockImage | NotShown]) -> None:
        super().__init__()
        self.article_id = article_id
        self.pictures = pictures


class DownloadProgress(Message):
    """How far an enclosure's download has got (``done``: it ended; ``text`` says how)."""

    def __init__(self, text: str, done: bool = False, ok: bool = True, url: str = "") -> None:
        super().__init__()
        self.text = text
        self.done = done
        self.ok = ok
        self.url = url  # (set when it is whole on disk)


def image_target(article: Article) -> tuple[str, str]:
    """The image ``i`` loads: the lead image, else the body's first image (url, alt)."""
    if article.image_url:
        return article.image_url, article.image_alt
    # (A chart in the analysis is not the story's picture.)
    for link in article_links(article, analysis=False):
        if link.kind == "image" and link.allowed:
            return link.url, link.label
    return "", ""


class MediaActions(ReaderBase):
    """``i`` (images), ``P`` (play), ``D`` (download), and lead images shown as articles
    are (``images = "auto"``)."""

    _image_protocol: str | None = None
    _downloads_read = False
    _download_quit_warned = False

    @property
    def image_protocol(self) -> str:
        """How pictures are drawn: ``"kitty"`` (Unicode placeholders) or ``"halfblock"``.
        ``auto`` in a headless run (tests) is always half blocks.  Kitty's needs true
        colour (the placeholders' colour is the image's id; a 256-colour output would
        name another image), else half blocks, whatever the setting."""
        if self._image_protocol is None:
            setting = self.config.image_protocol
            if setting == "auto" and self.is_headless:
                setting = "halfblock"
            protocol = detect_protocol(setting, os.environ)
            if protocol == "kitty" and (self.console.color_system != "truecolor" or self.no_color):
                protocol = "halfblock"
            self._image_protocol = protocol
        return self._image_protocol

    def _picture(self, raster: Raster, max_rows: int) -> HalfBlockImage:
        # at most a third of the pane's height: the text must stay in view (at 80×24,
        # 16 lines of picture left 4 of text)
        height = self.article_view.scrollable_content_region.height
        if height > 0:
            max_rows = min(max_rows, max(3, height // 3))
        if self.image_protocol == "kitty":
            return KittyImage(raster, max_rows=max_rows)
        return HalfBlockImage(raster, max_rows=max_rows)

    def media_article_shown(self, article: Article) -> None:
        """Called as an article is shown: with ``images = "auto"``, its lead image is
        loaded (from the cache, else fetched) unless the pane has it already.  (Only
        the lead image: looking for one in the body would cost the key press a parse.)
        The first article with enclosures reads which are downloaded (marked)."""
        if article.enclosures and not self._downloads_read:
            self._downloads_read = True
            with contextlib.suppress(sqlite3.Error):
                self.article_view.set_downloaded(frozenset(self.library.downloaded_urls()))
        if self.config.images != "auto" or not article.image_url:
            return
        if self.article_view.lead_image(article.id) is None:
            self._image_worker(
                article.id, article.image_url, self.article_view.image_width, asked=False
            )

    def action_load_images(self) -> None:
        article = self._need_article()
        if article is None:
            return
        view = self.article_view
        in_body = view.picture_addresses(article)
        # the lead image; else, when no image of the body can be drawn in place, its
        # first image (one inside a line of text) drawn at the top
        url = article.image_url or ("" if in_body else image_target(article)[0])
        in_body = [u for u in in_body if u != url][:MAX_BODY_PICTURES]
        if not url and not in_body:
            self.notify("This article has no images.", timeout=3, markup=False)
            return
        shown = view.lead_image(article.id) if url else None
        lead_done = not url or (shown is not None and shown.picture is not None)
        body_done = set(in_body) <= set(view.body_pictures(article.id))
        if lead_done and body_done:
            self.notify("The article's images are shown.", timeout=3, markup=False)
            return
        count = (0 if lead_done else 1) + (0 if body_done else len(in_body))
        self.notify(f"Loading {count} image{'s' if count != 1 else ''}…", timeout=2, markup=False)
        if not lead_done:
            self._image_worker(article.id, url, view.image_width, asked=True)
        if not body_done:
            self._body_images_worker(article.id, in_body, view.image_width)

    @work(exclusive=True, group="images", description="Loading the image", exit_on_error=False)
    async def _image_worker(self, article_id: str, url: str, width: int, *, asked: bool) -> None:
        outcome = await self.service.load_image(url, fetch=True)
        if outcome.raster is None:
            image = LeadImage(None, outcome.note)
        else:
            picture = self._picture(outcome.raster, IMAGE_ROWS)
            await asyncio.to_thread(picture.lines, width)  # drawn off the UI thread
            image = LeadImage(picture)
        self.post_message(ImageLoaded(article_id, image, outcome.fetched, asked))

    @work(group="body-images", description="Loading the images", exit_on_error=False)
    async def _body_images_worker(self, article_id: str, urls: list[str], width: int) -> None:
        pictures: dict[str, HalfBlockImage | NotShown] = {}
        for url in urls:  # one at a time: a page's images are few, the cap is 8
            outcome = await self.service.load_image(url, fetch=True)
            if outcome.raster is None:
                pictures[url] = NotShown(outcome.note)
                continue
            picture = self._picture(outcome.raster, BODY_IMAGE_ROWS)
            await asyncio.to_thread(picture.lines, width)
            pictures[url] = picture
        self.post_message(BodyImagesLoaded(article_id, pictures))

    @on(BodyImagesLoaded)
    def _body_images_loaded(self, message: BodyImagesLoaded) -> None:
        self.article_view.set_body_pictures(message.article_id, message.pictures)
        failed = [p for p in message.pictures.values() if isinstance(p, NotShown)]
        if failed:  # (each placeholder says why, in place)
            text = f"Image not shown: {failed[0].reason}" if len(failed) == 1 else ""
            text = text or f"{len(failed)} images not shown: each one's place says why"
            self.notify(safe_line(text), title="Image", severity="warning", markup=False)

    @on(ImageLoaded)
    def _image_loaded(self, message: ImageLoaded) -> None:
        self.article_view.set_lead_image(message.article_id, message.image)
        if message.image.picture is None and message.asked:
            self.notify(
                safe_line(f"Image not shown: {message.image.note}"),
                title="Image",
                severity="warning",
                markup=False,
            )

    # -- enclosures ---------------------------------------------------------------------

    def _with_enclosure(self, verb: str, act: Callable[[Article, Enclosure], object]) -> None:
        """Run ``act`` on the article's enclosure: the only one, or the one the reader
        chooses from a list (``verb``: what choosing does, "Play" or "Download")."""
        article = self._need_article()
        if article is None:
            return
        if not article.enclosures:
            text = "nothing to download" if verb == "Download" else "no audio or files to play"
            self.notify(f"This article has {text}.", timeout=3, markup=False)
            return
        if len(article.enclosures) == 1:
            act(article, article.enclosures[0])
            return
        chooser = EnclosureChooser(
            article.title, verb, list(article.enclosures), lambda e: act(article, e)
        )
        self.push_screen(chooser)

    def action_play_enclosure(self) -> None:
        self._with_enclosure("Play", lambda _article, enclosure: self._play_worker(enclosure))

    @work(thread=True, group="play", description="Starting the player", exit_on_error=False)
    def _play_worker(self, enclosure: Enclosure) -> None:
        note = self.service.play(enclosure, self.config.player)
        ok = note.startswith("playing")
        self.call_from_thread(
            self.notify,
            safe_line(note[:1].upper() + note[1:]),
            title="Play",
            severity="information" if ok else "warning",
            markup=False,
        )

    def action_download_enclosure(self) -> None:
        current = self.current
        if current is not None and current.enclosures and self.refuse_write("the download"):
            return
        self._with_enclosure("Download", self._start_download)

    def _start_download(self, article: Article, enclosure: Enclosure) -> None:
        self._status(f"Downloading {enclosure_label(enclosure)}…")
        self._download_worker(article, enclosure)

    @work(exclusive=True, group="download", description="Downloading", exit_on_error=False)
    async def _download_worker(self, article: Article, enclosure: Enclosure) -> None:
        try:
            await self._download(article, enclosure)
        except Exception as exc:  # the status line must not stay at "Downloading…"
            text = f"Download failed: {error_text(exc)}"
            self.post_message(DownloadProgress(text, done=True, ok=False))

    async def _download(self, article: Article, enclosure: Enclosure) -> None:
        last = [0.0]

        def progress(done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - last[0] < 0.2:
                return
            last[0] = now
            whole = f" of {human_size(total)} ({100 * done // max(1, total)}%)" if total else ""
            self.post_message(DownloadProgress(f"Downloading: {human_size(done)}{whole}"))

        outcome = await self.service.download_enclosure(article, enclosure, on_progress=progress)
        if outcome.error is not None:
            text = f"Download stopped: {outcome.error}"
            self.post_message(DownloadProgress(text, done=True, ok=False))
            return
        how = "Already downloaded" if outcome.already else "Downloaded"
        where = _folder_text(outcome.path.parent)
        text = f"{how}: {outcome.path.name} ({human_size(outcome.size)}) in {where}"
        self.post_message(DownloadProgress(text, done=True, url=enclosure.url))

    @on(DownloadProgress)
    def _download_progress(self, message: DownloadProgress) -> None:
        self._status("" if message.done else message.text)
        if message.url:
            view = self.article_view
            view.set_downloaded(view.downloaded | {message.url})
        if message.done:
            self._download_quit_warned = False  # (the next download warns again)
            self.notify(
                safe_line(message.text),
                title="Download",
                severity="information" if message.ok else "warning",
                markup=False,
                timeout=8,
            )

    def _status(self, text: str) -> None:
        self.status_text = safe_line(text)

    def download_stops_quit(self) -> bool:
        """``q`` while a download runs: the first time, say it will resume next time
        (True: do not quit yet); a second ``q`` quits."""
        running = any(w.group == "download" and w.is_running for w in self.workers)
        if not running or self._download_quit_warned:
            return False
        self._download_quit_warned = True
        self.notify(
            "A download is running: quitting stops it, and D resumes it next time "
            "from where it stopped. Press q again to quit.",
            title="Download",
            severity="warning",
            markup=False,
            timeout=8,
        )
        return True


def _folder_text(folder: Path) -> str:
    """A folder as the toast names it: ``~/…`` under the home folder."""
    try:
        return "~/" + folder.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(folder)
