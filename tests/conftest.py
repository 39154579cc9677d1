"""Fixtures and settings for every test.

* ``cli``: runs the ``briefreader`` command with its files in a temporary home
  (:func:`testkit.run_cli`).
* ``make_app``: makes the reading app over a given library (:func:`testkit.open_app`),
  its config file in the temporary home.
* The app's tests (tests/tui) run with ``BRIEFREADER_HOME`` in a temporary folder,
  and no test there can reach the system clipboard or a browser: the clipboard
  tools are never found, and the share module's browser opener records instead
  of opening (``opened``).  "Now" is fixed (:data:`testkit.NOW`).
* Libraries for the app's tests: ``library_path`` (eight test articles),
  ``empty_library_path``, ``sample_library_path`` (the bundled samples); each made
  once per test process and copied for each test.
* Tests run in parallel (pytest-xdist, ``--dist loadgroup``; ``-n auto`` is two workers
  more than the cores, see :func:`pytest_xdist_auto_num_workers`); end-to-end and slow
  tests (``e2e``/``slow`` marks: tmux, killed processes, memory and time budgets)
  all go to one worker, one after another, so that they neither compete for the
  cores they measure nor kill each other's processes.  Tests marked ``first`` (the
  longest, several CPU-seconds each) are handed out first, so that the workers end
  together on short tests instead of one finishing a long test alone
  (:func:`pytest_collection_modifyitems`).
* Textual's idle check (Pilot's ``press`` and ``pause``) looks every 5 ms instead of
  every 20 (:func:`pytest_configure`).
* In a fresh clone the test modules are compiled once before the workers start, not
  by each worker (:func:`_compile_tests_once`).
* The garbage collector leaves alone what is loaded once the tests are collected, and
  Textual's memo that keeps dead widgets' lines is emptied after each test
  (:func:`pytest_collection_finish`, :func:`_drop_dead_widgets_lines`).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest
from testkit import CliResult, open_app, run_cli

from briefreader.store import Library

if TYPE_CHECKING:
    from fetchserver import FetchServer

    from briefreader.tui.app import BriefReaderApp

#: The xdist group of the tests that must not run beside each other.
SERIAL = "serial"
#: The mark of the long tests that start first.
FIRST = "first"

# Compiled modules are cached (``__pycache__``, Python's default) even where
# PYTHONDONTWRITEBYTECODE is set: without the cache every test process compiles the
# tests (with pytest's assert rewriting) and the package again, and so does every
# process a test starts (the CLI, the parse pools' spawned workers): ~5 CPU-s of each
# xdist worker's start-up, ~0.5 s of each child's.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """With ``-p no:xdist``, accept (and ignore) the ``-n``/``--dist`` of the addopts in
    pyproject.toml, so that one test or one file runs in this process as before."""
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("xdist", "xdist is off (-p no:xdist): tests run in this process")
    # _addoption: what xdist itself uses, as pytest keeps lower-case short options for plugins
    group._addoption("-n", "--numprocesses", dest="numprocesses", default=None)
    group._addoption("--dist", dest="dist", default="no")


@pytest.hookimpl(optionalhook=True)  # (a pytest-xdist hook: unknown with -p no:xdist)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: two workers more than the cores this process may use.  Many app
    tests spend part of their time waiting (Pilot's idle checks, test servers, child
    processes), which the extra workers fill; each worker also imports and collects
    everything (~1.5 CPU-s).  On 2 cores, alternating 4 and 3 workers over four pairs of
    runs: 78–84 s (median 81.7) against 82–86 s (median 84).
    PYTEST_XDIST_AUTO_NUM_WORKERS still decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # (pytest-xdist's own hook reads it)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 2


#: How long Textual's idle check (textual._wait.wait_for_idle) sleeps between looks.
IDLE_CHECK_SECONDS = 0.005


def pytest_configure(config: pytest.Config) -> None:
    """Pilot's ``press`` (twice per key) and ``pause`` wait until this process has used
    almost no CPU during one sleep of Textual's idle check: 20 ms by default, so every
    key and pause cost at least 40 and 20 ms even when the app has nothing to do, most
    of the app tests' time.  In tests the check looks every 5 ms instead, with the same
    threshold in proportion (under 5% of one core busy; at most 1 s in all, as before).
    Workers and their messages are still waited for explicitly (``settle``)."""
    config.addinivalue_line(
        "markers", f"{FIRST}: a long test, handed out first (see tests/conftest.py)"
    )
    _compile_tests_once(config)
    try:
        from textual import _wait
    except ImportError:  # (Textual moved it: the tests only get slower)
        return
    if hasattr(_wait, "SLEEP_GRANULARITY") and hasattr(_wait, "SLEEP_IDLE"):
        _wait.SLEEP_GRANULARITY = IDLE_CHECK_SECONDS
        _wait.SLEEP_IDLE = IDLE_CHECK_SECONDS / 20
    _share_parsed_css()


def _compile_tests_once(config: pytest.Config) -> None:
    """In a fresh clone every xdist worker rewrote (pytest's asserts) and compiled
    every test module for itself: the workers' start took 9.4 s and 17 CPU-s instead
    of 3.8 s and 6 CPU-s.  Before the workers start, when a test module has no
    compiled form yet, one collection in one process makes them all once (~4 s)."""
    if hasattr(config, "workerinput") or not config.pluginmanager.has_plugin("xdist"):
        return
    if not config.getoption("numprocesses", None) or config.getoption("collectonly", False):
        return
    try:
        from _pytest.assertion.rewrite import PYC_TAIL
    except ImportError:  # (pytest moved it: the workers compile them, as before)
        return
    here = Path(__file__).parent
    if all(
        (path.parent / "__pycache__" / (path.name[:-3] + PYC_TAIL)).exists()
        for path in here.rglob("test_*.py")
    ):
        return
    import subprocess

    subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
         "-p", "no:cacheprovider", str(here)],
        cwd=here.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=300, check=False,
    )  # fmt: skip


def _share_parsed_css() -> None:
    """Each app parses every stylesheet it uses (its .tcss files, each widget's
    DEFAULT_CSS) into rules again, ~6% of an app's start, and again at each theme
    switch; Textual keeps the rules only per app.  In tests the parsed rules are kept
    for the whole process, keyed by everything the parse reads (the CSS, where it came
    from, its kind and order, the theme's variables): the same rules, parsed once.
    (Rules are only read once parsed; a parse that fails is not kept.)"""
    from textual.css.stylesheet import Stylesheet

    parse_rules = getattr(Stylesheet, "_parse_rules", None)
    if parse_rules is None or not hasattr(Stylesheet(), "_variables"):
        return  # (Textual changed: the tests only get slower)
    parsed: dict[tuple[Any, ...], Any] = {}

    def shared(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> Any:
        key = (css, read_from, is_default_rules, tie_breaker, scope, *self._variables.items())
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = parse_rules(
                self, css, read_from, is_default_rules, tie_breaker, scope
            )
        return rules

    Stylesheet._parse_rules = shared  # type: ignore[method-assign]


#: Young-generation threshold of the cyclic garbage collector while tests run
#: (Python's default: 700 allocations).
GC_THRESHOLD = 7000


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the tests are collected: what is loaded by then (modules, Textual's and our
    classes, the collected tests) stays for the whole run, so it is moved out of the
    collector's sight (``gc.freeze``), and the young generation is collected every
    7,000 allocations instead of 700.  Each full collection otherwise walked every one
    of those objects again: about a quarter of the app tests' CPU (test_keys: 4.7 of
    17 CPU-s in the collector, 1.4 with this and :func:`_drop_dead_widgets_lines`).
    What is garbage is still collected, only in fewer, larger batches."""
    import gc

    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, middle, old)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    _drop_dead_widgets_lines()


def _drop_dead_widgets_lines() -> None:
    """Textual (8.2) memoises ``StylesCache.get_inner_outer`` with ``lru_cache`` on the
    method, so the cache holds the ``StylesCache`` of up to 1,024 widgets, and each one
    the lines it drew, long after their app is gone: ~150,000 objects after 20 app
    tests, that every full garbage collection walks.  Emptied after each test (it is a
    pure memo of two styles: the next app computes them again)."""
    import sys

    module = sys.modules.get("textual._styles_cache")
    method = getattr(getattr(module, "StylesCache", None), "get_inner_outer", None)
    clear = getattr(method, "cache_clear", None)
    if clear is not None:
        clear()


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """e2e and slow tests go to the serial group, unless a slow test names an xdist
    group of its own (one that measures no time and kills no process, e.g. a long
    evaluation: it may run beside the serial group, which is then not the long pole).

    The tests marked ``first`` move to the front (xdist hands out the groups, the
    largest first, then the tests in this order): a long test started last would leave
    the other workers idle at the end."""
    items.sort(key=lambda item: item.get_closest_marker(FIRST) is None)  # (stable)
    for item in items:
        if item.get_closest_marker("xdist_group") and not item.get_closest_marker("e2e"):
            continue
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


# -- the app's tests ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_app(request: pytest.FixtureRequest) -> Iterator[None]:
    """For the app's tests (tests/tui): a temporary BRIEFREADER_HOME, and nothing
    reaches the real clipboard tools or a browser."""
    if request.path.parent.name != "tui":
        yield
        return
    tmp_path: Path = request.getfixturevalue("tmp_path")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
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
def slow_server() -> Iterator[FetchServer]:
    """A feed server on 127.0.0.1: ``/good.xml`` answers a one-item feed at once,
    ``/slow.xml`` sends its headers and then stalls (up to 60 s): a refresh of both
    is under way until the test ends it."""
    from fetchserver import FetchServer
    from testkit import rss

    with FetchServer() as server:
        server.add("/good.xml", rss("Good", "g1"), content_type="application/rss+xml")
        server.add_stall("/slow.xml", limit=60)
        yield server


# Each library is made once per test process (a template) and copied for each test
# that asks for one: the same file, ~1 ms instead of 10-80 ms (storing, indexing,
# grouping into stories).  Closed libraries are one self-contained file (no -wal).


def _copy_of(template: Path, path: Path) -> Path:
    shutil.copyfile(template, path)
    return path


@pytest.fixture(scope="session")
def _library_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tui_helpers import sample_articles

    path = tmp_path_factory.mktemp("templates") / "library.sqlite3"
    with Library(path) as library:
        library.store(sample_articles())
        # Up to date, as a library the app has run on is: otherwise every app test
        # would start the background process just to group these eight into stories.
        library.index_related()
        library.update_stories()
    return path


@pytest.fixture
def library_path(tmp_path: Path, _library_template: Path) -> Path:
    """A library holding :func:`tui_helpers.sample_articles` (related index and
    stories up to date)."""
    return _copy_of(_library_template, tmp_path / "library.sqlite3")


@pytest.fixture(scope="session")
def _empty_library_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("templates") / "empty.sqlite3"
    Library(path).close()
    return path


@pytest.fixture
def empty_library_path(tmp_path: Path, _empty_library_template: Path) -> Path:
    return _copy_of(_empty_library_template, tmp_path / "empty.sqlite3")


@pytest.fixture(scope="session")
def _sample_library_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from briefreader.ingest import import_samples

    path = tmp_path_factory.mktemp("templates") / "samples.sqlite3"
    with Library(path) as library:
        report = import_samples(library)
        library.index_related()
        library.update_stories()
    assert report.ok, report.errors
    return path


@pytest.fixture
def sample_library_path(tmp_path: Path, _sample_library_template: Path) -> Path:
    """A library holding the bundled sample briefs (as a first run makes it)."""
    return _copy_of(_sample_library_template, tmp_path / "samples.sqlite3")
