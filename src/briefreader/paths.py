"""Where briefreader keeps its files.  Nothing is created at import time.

``BRIEFREADER_HOME`` (tests, portable installs) puts everything under one folder;
otherwise the platform's user data and config folders are used (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "briefreader"
LIBRARY_FILENAME = "library.sqlite3"
CONFIG_FILENAME = "config.toml"


def _home() -> Path | None:
    home = os.environ.get("BRIEFREADER_HOME", "").strip()
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    home = _home()
    if home is not None:
        return home
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    home = _home()
    if home is not None:
        return home
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """Files that can be made again (decoded images): ``cache`` under
    ``BRIEFREADER_HOME``, else the platform's user cache folder."""
    home = _home()
    if home is not None:
        return home / "cache"
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def downloads_dir() -> Path:
    """Where downloaded enclosures go unless told otherwise."""
    return data_dir() / "downloads"


def default_library_path() -> Path:
    return data_dir() / LIBRARY_FILENAME


def config_path() -> Path:
    return config_dir() / CONFIG_FILENAME
