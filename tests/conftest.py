"""Fixtures and settings for every test.

* ``cli``: runs the ``briefreader`` command with its files in a temporary home
  (:func:`testkit.run_cli`).
* ``make_app``: makes the reading app over a given library (:func:`testkit.open_app`),
  its config file in the temporary home.
* Tests run in parallel (pytest-xdist, ``--dist loadgroup``); end-to-end and slow
  tests (``e2e``/``slow`` marks: tmux, killed processes, memory and time budgets)
  all go to one worker, one after another, so that they neither compete for the
  cores they measure nor kill each other's processes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest
from testkit import CliResult, open_app, run_cli

if TYPE_CHECKING:
    from briefreader.tui.app import BriefReaderApp

#: The xdist group of the tests that must not run beside each other.
SERIAL = "serial"


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """With ``-p no:xdist``, accept (and ignore) the ``-n``/``--dist`` of the addopts in
    pyproject.toml, so that one test or one file runs in this process as before."""
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("xdist", "xdist is off (-p no:xdist): tests run in this process")
    # _addoption: what xdist itself uses, as pytest keeps lower-case short options for plugins
    group._addoption("-n", "--numprocesses", dest="numprocesses", default=None)
    group._addoption("--dist", dest="dist", default="no")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e") or item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.xdist_group(SERIAL))


class Cli(Protocol):
    def __call__(
        self,
        *args: str,
        home: Path = ...,
        env: dict[str, str] | None = ...,
        subprocess: bool = ...,
        check: bool = ...,
    ) -> CliResult: ...


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The temporary BRIEFREADER_HOME of the ``cli`` fixture (created on first use)."""
    return tmp_path / "home"


@pytest.fixture
def cli(home: Path) -> Cli:
    """``cli("list", "--json")`` → CliResult; ``home=`` another folder for a second library."""

    def run(
        *args: str,
        home: Path = home,
        env: dict[str, str] | None = None,
        subprocess: bool = False,
        check: bool = False,
    ) -> CliResult:
        return run_cli(*args, home=home, env=env, subprocess=subprocess, check=check)

    return run


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / "config.toml"


@pytest.fixture
def make_app(config_path: Path) -> Callable[..., BriefReaderApp]:
    """``make_app(library_path, config=…, load_samples=…, **app_kwargs)``."""

    def factory(path: Path, **kwargs: Any) -> BriefReaderApp:
        return open_app(path, config_path=config_path, **kwargs)

    return factory
