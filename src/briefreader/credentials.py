"""Where an account's password is kept: the system keyring when there is one (the
``keyring`` package: Secret Service, macOS Keychain, Windows Credential Locker),
else a file only the user can read (``credentials.json`` in the data folder, mode
0600, in a folder of mode 0700).

A password is never printed, logged, or put in the library or an export: the
library knows an account by its endpoint and user name only, and asks here.  An
account's app id and key (Inoreader and other services that want them from every
client) are kept the same way, beside its password.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Literal

from briefreader import paths

__all__ = [
    "CREDENTIALS_FILENAME",
    "CredentialError",
    "delete",
    "file_path",
    "get",
    "get_app",
    "put",
    "put_app",
    "where",
]

CREDENTIALS_FILENAME = "credentials.json"
SERVICE = "briefreader"
#: BRIEFREADER_KEYRING=off: always the file (tests; machines whose keyring prompts).
_ENV_SWITCH = "BRIEFREADER_KEYRING"

Backend = Literal["keyring", "file"]


class CredentialError(Exception):
    """A password could not be stored or read; ``str()`` is one line."""


def _key(endpoint: str, user: str, slot: str = "") -> str:
    """The entry's name: ``user@endpoint`` for the password, ``slot:user@endpoint``
    for what else the account keeps (``app``: its app id and key)."""
    return f"{slot}:{user}@{endpoint}" if slot else f"{user}@{endpoint}"


def _keyring() -> object | None:
    """The keyring module when a real backend is there (not the "fail" one and not
    a plain-text one), else None."""
    if os.environ.get(_ENV_SWITCH, "").strip().lower() in ("off", "0", "no", "file"):
        return None
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # not installed, or broken on this machine
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring):
        return None
    priority = getattr(backend, "priority", 0)
    if not isinstance(priority, int | float) or priority <= 0:
        return None
    with contextlib.suppress(Exception):
        # a chainer with nothing behind it is no keyring
        if not list(getattr(backend, "backends", [None])):
            return None
    return keyring


def file_path() -> Path:
    return paths.data_dir() / CREDENTIALS_FILENAME


def _read_file(path: Path) -> dict[str, str]:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CredentialError(f"{path}: cannot read the password file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise CredentialError(f"{path}: the password file is not a regular file")
        if info.st_mode & 0o077:
            raise CredentialError(
                f"{path}: the password file can be read by others (mode "
                f"{stat.S_IMODE(info.st_mode):o}); make it 600 or remove it and add the account again"
            )
        data = fh.read(1024 * 1024)
    try:
        loaded = json.loads(data.decode("utf-8")) if data.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise CredentialError(f"{path}: the password file is damaged (not JSON)") from None
    if not isinstance(loaded, dict):
        raise CredentialError(f"{path}: the password file is damaged (not an object)")
    return {str(k): v for k, v in loaded.items() if isinstance(v, str)}


def _write_file(path: Path, entries: dict[str, str]) -> None:
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=folder)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entries, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise CredentialError(f"{path}: cannot write the password file ({exc.strerror})") from None


def where() -> Backend:
    """Where passwords go on this machine now."""
    return "keyring" if _keyring() is not None else "file"


def put(endpoint: str, user: str, password: str, *, slot: str = "") -> Backend:
    """Keep the password of ``user`` at ``endpoint``; returns where it went."""
    key = _key(endpoint, user, slot)
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(SERVICE, key, password)  # type: ignore[attr-defined]
            return "keyring"
        except Exception:  # a locked or refusing keyring: the file instead
            pass
    path = file_path()
    entries = _read_file(path)
    entries[key] = password
    _write_file(path, entries)
    return "file"


def get(endpoint: str, user: str, *, slot: str = "") -> str | None:
    """The kept password, or None when there is none."""
    key = _key(endpoint, user, slot)
    kr = _keyring()
    if kr is not None:
        try:
            found = kr.get_password(SERVICE, key)  # type: ignore[attr-defined]
        except Exception:
            found = None
        if isinstance(found, str):
            return found
    return _read_file(file_path()).get(key)


def put_app(endpoint: str, user: str, app_id: str, app_key: str) -> Backend:
    """Keep the account's app id and key (sent as ``AppId``/``AppKey`` headers)."""
    return put(endpoint, user, json.dumps({"id": app_id, "key": app_key}), slot="app")


def get_app(endpoint: str, user: str) -> tuple[str, str] | None:
    """The account's app id and key, or None when it has none."""
    text = get(endpoint, user, slot="app")
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        raise CredentialError("the kept app id and key are damaged (not JSON)") from None
    if not isinstance(data, dict):
        raise CredentialError("the kept app id and key are damaged (not an object)")
    app_id, app_key = data.get("id"), data.get("key")
    if not isinstance(app_id, str) or not isinstance(app_key, str) or not app_id:
        raise CredentialError("the kept app id and key are damaged")
    return app_id, app_key


def delete(endpoint: str, user: str) -> None:
    """Forget the password and the app id and key (from both places; absent is fine)."""
    keys = [_key(endpoint, user), _key(endpoint, user, "app")]
    kr = _keyring()
    if kr is not None:
        for key in keys:
            with contextlib.suppress(Exception):
                kr.delete_password(SERVICE, key)  # type: ignore[attr-defined]
    path = file_path()
    entries = _read_file(path)
    if any(key in entries for key in keys):
        for key in keys:
            entries.pop(key, None)
        _write_file(path, entries)
