"""Hostile config files: every bad value gives one line naming the file and the key,
and a default or a stated bound; no config stops the app starting or quitting."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import settle

from briefreader import config as config_module
from briefreader.config import (
    MAX_REFRESH_MINUTES,
    MIN_REFRESH_MINUTES,
    Config,
    ConfigResult,
    load_config,
    refresh_seconds,
    save_theme,
)
from briefreader.tui.app import BriefReaderApp

DEEP = "[" * 5000 + "]" * 5000
HUGE = "x" * 200_000

# (file text, field, expected value, words in the message)
BAD_VALUES: list[tuple[str, str, object, str]] = [
    ('refresh_minutes = "often"', "refresh_minutes", 0.0, "refresh_minutes"),
    ("refresh_minutes = true", "refresh_minutes", 0.0, "refresh_minutes"),
    ("refresh_minutes = -5", "refresh_minutes", 0.0, "refresh_minutes"),
    ("refresh_minutes = -inf", "refresh_minutes", 0.0, "refresh_minutes"),
    ("refresh_minutes = nan", "refresh_minutes", 0.0, "refresh_minutes"),
    ("refresh_minutes = inf", "refresh_minutes", MAX_REFRESH_MINUTES, "refresh_minutes"),
    ("refresh_minutes = 1e300", "refresh_minutes", MAX_REFRESH_MINUTES, "refresh_minutes"),
    ("refresh_minutes = " + "9" * 400, "refresh_minutes", MAX_REFRESH_MINUTES, "refresh_minutes"),
    ("refresh_minutes = 1e-9", "refresh_minutes", MIN_REFRESH_MINUTES, "refresh_minutes"),
    ("refresh_minutes = 0.5", "refresh_minutes", MIN_REFRESH_MINUTES, "refresh_minutes"),
    ("refresh_minutes = [1, 2]", "refresh_minutes", 0.0, "refresh_minutes"),
    ("refresh_minutes = " + "[" * 200 + "]" * 200, "refresh_minutes", 0.0, "refresh_minutes"),
    (f"refresh_minutes = {DEEP}", "refresh_minutes", 0.0, "refresh_minutes"),
    (f"theme = {DEEP}", "theme", "textual-dark", "theme"),
    ("theme = 7", "theme", "textual-dark", "theme"),
    ('theme = ""', "theme", "textual-dark", "theme"),
    (f'theme = "{HUGE}"', "theme", "textual-dark", "theme"),
    ('theme = "nord\\u0007\\u001b[2J"', "theme", "textual-dark", "theme"),
    ("sidebar = 1", "sidebar", True, "sidebar"),
    ("sidebar = nan", "sidebar", True, "sidebar"),
    ("density = 3", "density", "comfortable", "density"),
    (f'density = "{HUGE}"', "density", "comfortable", "density"),
    ("density = " + "[" * 200 + "]" * 200, "density", "comfortable", "density"),
    ("keys = 5", "keys", {}, "keys"),
    ("[keys]\nstar = " + "[" * 200 + "]" * 200, "keys", {}, "keys.star"),
    (f'[keys]\nstar = "{HUGE}"', "keys", {}, "keys.star"),
    (f'[keys]\nstar = ["{HUGE}"]', "keys", {}, "keys.star"),
    ("[keys]\nstar = [" + ", ".join(['"x"'] * 500) + "]", "keys", {}, "keys.star"),
    (f'[keys]\n"{HUGE}" = "x"', "keys", {}, "keys."),
    ('[keys]\n"bad\\u0007id" = "x"', "keys", {}, "keys."),
]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check_one_line(result: ConfigResult, path: Path, word: str) -> str:
    assert len(result.problems) == 1, result.problems
    (message,) = result.problems
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"{path}: "), message
    assert word in message, message
    assert len(message) < 400, message[:400]
    assert "\x07" not in message and "\x1b" not in message
    return message


@pytest.mark.parametrize(("text", "name", "expected", "word"), BAD_VALUES)
def test_each_bad_value_gives_one_line_and_a_default_or_bound(
    tmp_path: Path, text: str, name: str, expected: object, word: str
) -> None:
    path = write(tmp_path, 'theme = "nord"\n' + text + "\n" if "theme" not in text else text)
    result = load_config(path)
    check_one_line(result, path, word)
    assert getattr(result.config, name) == expected
    if "theme" not in text:
        assert result.config.theme == "nord"  # the good setting is kept


@pytest.mark.parametrize("minutes", [0, 1, 15, 60.5, 10080])
def test_good_refresh_minutes_are_kept(tmp_path: Path, minutes: float) -> None:
    result = load_config(write(tmp_path, f"refresh_minutes = {minutes}\n"))
    assert result.problems == [] and result.config.refresh_minutes == minutes


def test_refresh_bounds_are_stated() -> None:
    assert MIN_REFRESH_MINUTES == 1 and MAX_REFRESH_MINUTES == 7 * 24 * 60
    assert refresh_seconds(0) is None and refresh_seconds(float("nan")) is None
    assert refresh_seconds(-3) is None
    assert refresh_seconds(1e-9) == 60 and refresh_seconds(float("inf")) == 7 * 24 * 3600
    assert refresh_seconds(30) == 1800


def test_deep_nesting_keeps_the_other_settings(tmp_path: Path) -> None:
    path = write(tmp_path, f'theme = "nord"\nrefresh_minutes = {DEEP}\nsidebar = false\n')
    result = load_config(path)
    message = check_one_line(result, path, "refresh_minutes")
    assert "nested" in message
    assert result.config == Config(theme="nord", sidebar=False)


def test_deep_nesting_over_several_lines_gives_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\nx = ' + "[\n" * 5000 + "]\n" * 5000)
    result = load_config(path)
    assert result.config == Config()
    (message,) = result.problems
    assert message.startswith(f"{path}: ") and "nested" in message and "\n" not in message


def test_a_50_mb_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with path.open("wb") as handle:
        handle.write(b'theme = "nord"\n#')
        handle.truncate(50 * 1024 * 1024)  # sparse: nothing is really written
    result = load_config(path)
    assert result.config == Config()
    (message,) = result.problems
    assert message.startswith(f"{path}: ") and "too large" in message


@pytest.mark.parametrize(
    ("data", "word"),
    [(b'theme = "\xff\xfe"\n', "UTF-8"), (b"\x00\x01\x02binary", "")],
)
def test_not_text(tmp_path: Path, data: bytes, word: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    result = load_config(path)
    assert result.config == Config()
    (message,) = result.problems
    assert message.startswith(f"{path}: ") and word in message and "\n" not in message


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbftheme = "nord"\n')
    assert load_config(path) == ConfigResult(Config(theme="nord"), [], path)


def test_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()
    result = load_config(path)
    assert result.config == Config()
    (message,) = result.problems
    assert message.startswith(f"{path}: ") and "folder" in message
    assert save_theme("nord", path) is not None


def _bounded(call: Callable[[], object], fifo: Path) -> object:
    """Run ``call`` in a thread; if it blocks on the FIFO, unblock it and fail."""
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(call()), daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # the reader gets EOF
        os.close(fd)
        thread.join(10)
        pytest.fail("reading the config blocked on a FIFO")
    return out[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    result = _bounded(lambda: load_config(path), path)
    assert isinstance(result, ConfigResult) and result.config == Config()
    (message,) = result.problems
    assert message.startswith(f"{path}: ") and "not a regular file" in message
    assert _bounded(lambda: save_theme("nord", path), path) is not None


def test_save_theme_leaves_a_deeply_nested_file_alone(tmp_path: Path) -> None:
    path = write(tmp_path, f"x = {DEEP}\n")
    before = path.read_bytes()
    assert save_theme("nord", path) is not None
    assert path.read_bytes() == before


def test_the_size_limit_is_small_but_roomy() -> None:
    assert 64 * 1024 <= config_module.MAX_CONFIG_BYTES <= 4 * 1024 * 1024


# ---------------------------------------------------------------------------------
# the app starts with each bad config, says so, and q quits

APP_CONFIGS: list[tuple[str, str]] = [
    ("refresh_minutes = 1e-9\n", "refresh_minutes"),
    ("refresh_minutes = nan\n", "refresh_minutes"),
    ("refresh_minutes = inf\n", "refresh_minutes"),
    (f"refresh_minutes = {DEEP}\n", "refresh_minutes"),
    (f'theme = "{HUGE}"\n', "theme"),
    ("[keys]\nstar = " + "[" * 200 + "]" * 200 + "\n", "keys.star"),
    ("density = -1\nsidebar = 0\n", "density"),
]


async def _start_say_and_quit(app: BriefReaderApp, word: str) -> None:
    async with asyncio.timeout(60):
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            assert any(word in m for m in messages), messages
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running


@pytest.mark.parametrize(("text", "word"), APP_CONFIGS)
async def test_app_starts_with_a_bad_config_and_q_quits(
    library_path: Path, config_path: Path, text: str, word: str
) -> None:
    config_path.write_text(text, encoding="utf-8")
    app = BriefReaderApp(library_path, config_path=config_path, load_samples=False)
    await _start_say_and_quit(app, word)


async def test_app_starts_with_a_config_folder(library_path: Path, config_path: Path) -> None:
    config_path.mkdir()
    app = BriefReaderApp(library_path, config_path=config_path, load_samples=False)
    await _start_say_and_quit(app, str(config_path))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
async def test_app_starts_with_a_config_fifo(library_path: Path, config_path: Path) -> None:
    os.mkfifo(config_path)
    app = _bounded(
        lambda: BriefReaderApp(library_path, config_path=config_path, load_samples=False),
        config_path,
    )
    assert isinstance(app, BriefReaderApp)
    await _start_say_and_quit(app, "not a regular file")


async def test_app_bounds_a_tiny_refresh_interval_given_directly(
    library_path: Path, make_app: Callable[..., BriefReaderApp]
) -> None:
    app = make_app(library_path, config=Config(refresh_minutes=1e-9))
    async with asyncio.timeout(60):
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.refresh_interval == 60
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running


async def test_many_bad_settings_give_a_few_messages(library_path: Path, config_path: Path) -> None:
    unknown = "".join(f"setting{n} = {n}\n" for n in range(300))
    keys = "".join(f"binding{n} = 'x'\n" for n in range(300))
    config_path.write_text(unknown + "[keys]\n" + keys, encoding="utf-8")
    result = load_config(config_path)
    assert len(result.problems) == config_module.MAX_PROBLEMS
    assert "more problems" in result.problems[-1]
    app = BriefReaderApp(library_path, config_path=config_path, load_samples=False)
    async with asyncio.timeout(60):
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            messages = [str(n.message) for n in app._notifications]
            assert len(messages) <= config_module.MAX_PROBLEMS + 1, messages
            assert any("and 195 more" in m for m in messages), messages
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running
