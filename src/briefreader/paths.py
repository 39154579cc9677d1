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


def write_whole(
    path: Path, text: str, *, prefix: str = ".briefreader-", private: bool = False
) -> None:
    """Write ``text`` to ``path`` so that the file is either as it was or the whole new
    text, never a part (a full disk, a killed process): a file beside it, then renamed
    over it.  A symbolic link is written through (its target replaced); a path that is
    not a plain file (``/dev/stdout``, a pipe) is written to as it is.  The file keeps
    the mode of the one it replaces (a new one: as the umask says, or rw------- if
    ``private``).  Raises what writing raised, leaving no temporary file."""
    import secrets
    import stat

    target = Path(os.path.realpath(path))
    try:
        info = target.stat()
    except OSError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for attempt in range(100):  # (a name taken: another one)
        tmp = target.parent / f"{prefix}{secrets.token_hex(6)}.tmp"
        try:  # (the kernel applies the umask to a new file's mode)
            fd = os.open(tmp, flags, 0o600 if private else 0o666)
            break
        except FileExistsError:
            if attempt == 99:
                raise
        except OSError as exc:  # (named by the file asked for, not the temporary one)
            raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        if info is not None:
            os.fchmod(fd, stat.S_IMODE(info.st_mode))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
