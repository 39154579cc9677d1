"""Fixtures for the reading app's tests.

* Every test runs with ``BRIEFREADER_HOME`` in a temporary folder, so the user's
  own library and config are never read or written.
* No test can reach the system clipboard or a browser: the clipboard tools are
  never found, and the share module's browser opener records instead of opening.
* "Now" is fixed (:data:`NOW`), so relative ages and snapshots are stable.

``make_app`` and ``config_path`` come from the top-level ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tui_helpers import sample_articles

from briefreader.library import Library


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("BRIEFREADER_HOME", str(home))
    # Nothing reaches the real clipboard tools or a browser.
    from briefreader import clipboard

    monkeypatch.setattr(clipboard, "find_tools", lambda *a, **k: [])
    import webbrowser

    def no_browser(*args: object, **kwargs: object) -> bool:
        raise AssertionError("a test tried to open a real browser")

    monkeypatch.setattr(webbrowser, "open", no_browser)
    yield


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs the app asked the browser to open (nothing is really opened)."""
    from briefreader import share
    from briefreader.tui import share_menu

    urls: list[str] = []

    def fake_open(
        url: str, *, launcher: object = None, allow_mailto: bool = False
    ) -> tuple[bool, str]:
        reason = share.refusal_reason(url, allow_mailto=allow_mailto)
        if reason is not None:
            return False, f"Not opened {url}: {reason}"
        urls.append(url)
        return True, f"Opened {url}"

    monkeypatch.setattr(share_menu, "open_in_browser", fake_open)
    return urls


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    path = tmp_path / "library.sqlite3"
    with Library(path) as library:
        library.store(sample_articles())
    return path


@pytest.fixture
def empty_library_path(tmp_path: Path) -> Path:
    path = tmp_path / "empty.sqlite3"
    Library(path).close()
    return path


@pytest.fixture
def sample_library_path(tmp_path: Path) -> Path:
    """A library holding the bundled sample briefs (as a first run makes it)."""
    from briefreader.ingest import import_samples

    path = tmp_path / "samples.sqlite3"
    with Library(path) as library:
        report = import_samples(library)
    assert report.ok, report.errors
    return path
