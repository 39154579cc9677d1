"""Where account passwords are kept (credentials.py): the system keyring when there
is a real one, else a 0600 file; never anywhere else."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from briefreader import credentials

EP = "https://rss.example.org/api/greader.php"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFREADER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


class MemoryKeyring(KeyringBackend):
    priority = 5

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())  # type: ignore[no-untyped-call]


def test_file_when_there_is_no_keyring(home: Path, no_keyring: None) -> None:
    assert credentials.where() == "file"
    assert credentials.put(EP, "ann", "s3cret-ann") == "file"
    assert credentials.put(EP, "bob", "s3cret-bob") == "file"
    path = home / credentials.CREDENTIALS_FILENAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials.get(EP, "ann") == "s3cret-ann"
    assert credentials.get(EP, "bob") == "s3cret-bob"
    assert credentials.get(EP, "carl") is None
    credentials.delete(EP, "ann")
    assert credentials.get(EP, "ann") is None
    assert credentials.get(EP, "bob") == "s3cret-bob"
    assert not [p for p in home.iterdir() if p.name.startswith(".credentials-")]


def test_switched_off_by_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mem = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: mem)
    monkeypatch.setenv("BRIEFREADER_KEYRING", "off")
    assert credentials.put(EP, "ann", "pw") == "file"
    assert mem.store == {}


def test_keyring_when_there_is_one(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mem = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: mem)
    monkeypatch.setattr(keyring, "set_password", mem.set_password)
    monkeypatch.setattr(keyring, "get_password", mem.get_password)
    monkeypatch.setattr(keyring, "delete_password", mem.delete_password)
    assert credentials.where() == "keyring"
    assert credentials.put(EP, "ann", "pw-ann") == "keyring"
    assert mem.store == {("briefreader", f"ann@{EP}"): "pw-ann"}
    assert not (home / credentials.CREDENTIALS_FILENAME).exists()
    assert credentials.get(EP, "ann") == "pw-ann"
    credentials.delete(EP, "ann")
    assert mem.store == {}


def test_a_refusing_keyring_falls_back_to_the_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mem = MemoryKeyring()

    def refuse(*_a: Any) -> None:
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(keyring, "get_keyring", lambda: mem)
    monkeypatch.setattr(keyring, "set_password", refuse)
    monkeypatch.setattr(keyring, "get_password", lambda *_a: None)
    assert credentials.put(EP, "ann", "pw-ann") == "file"
    assert credentials.get(EP, "ann") == "pw-ann"


def test_a_file_others_can_read_is_refused(home: Path, no_keyring: None) -> None:
    credentials.put(EP, "ann", "pw")
    path = home / credentials.CREDENTIALS_FILENAME
    os.chmod(path, 0o644)
    with pytest.raises(credentials.CredentialError, match="can be read by others"):
        credentials.get(EP, "ann")


def test_a_damaged_file_is_one_line(home: Path, no_keyring: None) -> None:
    home.mkdir(parents=True)
    path = home / credentials.CREDENTIALS_FILENAME
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.write(fd, b"{nope")
    os.close(fd)
    with pytest.raises(credentials.CredentialError, match="damaged") as info:
        credentials.get(EP, "ann")
    assert "\n" not in str(info.value)


def test_a_symlinked_file_is_not_followed(home: Path, tmp_path: Path, no_keyring: None) -> None:
    home.mkdir(parents=True)
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    (home / credentials.CREDENTIALS_FILENAME).symlink_to(target)
    with pytest.raises(credentials.CredentialError):
        credentials.get(EP, "ann")
