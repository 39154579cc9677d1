"""The config file (theme, keys, sidebar, density) and how the app uses it."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import screen_text, settle

from briefreader.config import Config, load_config, save_theme
from briefreader.store import Library
from briefreader.tui.app import BriefReaderApp, run_app

MakeApp = Callable[..., BriefReaderApp]


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    result = load_config(tmp_path / "nope.toml")
    assert result.config == Config()
    assert result.problems == []


def test_default_path_follows_briefreader_home(tmp_path: Path) -> None:
    (tmp_path / "home" / "config.toml").write_text('theme = "nord"\n')
    assert load_config().config.theme == "nord"


def test_full_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '# mine\ntheme = "gruvbox"\nsidebar = false\ndensity = "compact"\n\n'
        '[keys]\nstar = "x"\ncopy_link = ["c", "y"]\n'
    )
    result = load_config(path)
    assert result.problems == []
    assert result.config == Config(
        theme="gruvbox", sidebar=False, density="compact", keys={"star": "x", "copy_link": "c,y"}
    )


def test_broken_toml_gives_defaults_and_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = \n[[[")
    result = load_config(path)
    assert result.config == Config()
    assert len(result.problems) == 1
    assert str(path) in result.problems[0] and "not valid TOML" in result.problems[0]
    assert "\n" not in result.problems[0]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff"\n')
    result = load_config(path)
    assert result.config == Config() and "UTF-8" in result.problems[0]


def test_wrong_types_are_ignored_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'theme = 3\nsidebar = "yes"\ndensity = "huge"\ncolour = "red"\n'
        '[keys]\nstar = 5\nshare = "two words"\nquit = "ctrl+q"\n'
    )
    result = load_config(path)
    assert result.config == Config(keys={"quit": "ctrl+q"})
    joined = "\n".join(result.problems)
    for word in ("theme", "sidebar", "density", "colour", "keys.star", "keys.share"):
        assert word in joined


def test_keys_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('keys = "x"\n')
    assert "[keys]" in load_config(path).problems[0]


def test_save_theme_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    assert save_theme("nord", path) is None
    assert tomllib.loads(path.read_text()) == {"theme": "nord"}


def test_save_theme_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = '# my settings\ntheme = "nord"  # dark\ndensity = "compact"\n\n[keys]\nstar = "x"\n'
    path.write_text(original)
    assert save_theme("textual-light", path) is None
    text = path.read_text()
    assert "# my settings" in text
    assert tomllib.loads(text) == {
        "theme": "textual-light",
        "density": "compact",
        "keys": {"star": "x"},
    }


def test_save_theme_adds_the_line_before_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nstar = "x"\n')
    assert save_theme("nord", path) is None
    assert tomllib.loads(path.read_text()) == {"theme": "nord", "keys": {"star": "x"}}


def test_save_theme_leaves_a_broken_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = [[[")
    problem = save_theme("nord", path)
    assert problem is not None and "not valid TOML" in problem
    assert path.read_text() == "theme = [[["


# -- the app --------------------------------------------------------------------------


async def test_keys_table_rebinds_by_id(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path, config=Config(keys={"star": "x", "move_down": "ctrl+n"}))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # no longer bound
        await pilot.press("x")
        with Library(library_path) as library:
            assert library.state("art000")[1] is not None
        await pilot.press("ctrl+n")
        assert app.current is not None and app.current.id == "art001"
        help_keys = {e.binding_id: e.keys for e in app.help_entries()}
        assert help_keys["star"] == "x"
        assert help_keys["move_down"] == "^n"


async def test_unknown_binding_id_is_reported(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path, config=Config(keys={"teleport": "t"}))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert any("teleport" in str(n.message) for n in app._notifications)


async def test_unknown_theme_is_reported(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path, config=Config(theme="no-such-theme"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert any("no-such-theme" in str(n.message) for n in app._notifications)


async def test_theme_choice_is_remembered(
    library_path: Path, make_app: MakeApp, config_path: Path
) -> None:
    config_path.write_text('# keep me\ndensity = "compact"\n')
    app = make_app(library_path, config=load_config(config_path).config)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.theme = "textual-light"
        await settle(pilot)
    data = tomllib.loads(config_path.read_text())
    assert data == {"theme": "textual-light", "density": "compact"}
    assert "# keep me" in config_path.read_text()


async def test_theme_from_the_palette_is_remembered(
    library_path: Path, make_app: MakeApp, config_path: Path
) -> None:
    app = make_app(library_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.action_change_theme()
        await settle(pilot)
        await pilot.press(*"nord", "enter")
        await settle(pilot)
    assert tomllib.loads(config_path.read_text())["theme"] == "nord"


async def test_broken_config_file_shows_a_message_not_a_traceback(
    library_path: Path, config_path: Path
) -> None:
    config_path.write_text("sidebar = maybe\n")
    app = BriefReaderApp(library_path, config_path=config_path, load_samples=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert any("not valid TOML" in str(n.message) for n in app._notifications)
        assert app.current is not None  # the app works with defaults


async def test_sidebar_off_and_compact_density(library_path: Path, make_app: MakeApp) -> None:
    app = make_app(library_path, config=Config(sidebar=False, density="compact"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.sidebar.region.width == 0
        assert app.article_list.row_height == 1
        assert app.article_list.virtual_size.height == 8
        assert "Northgate Wire" in screen_text(app)  # compact rows carry the source


def test_run_app_reports_a_broken_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "not-a-library.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    assert run_app(path) == 1
    assert "not a briefreader library" in capsys.readouterr().err


async def test_first_run_opens_the_bundled_samples(
    empty_library_path: Path, make_app: MakeApp
) -> None:
    app = make_app(empty_library_path, load_samples=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(app.article_list) >= 10
        assert app.current is not None
        assert "KEY TAKEAWAYS" in screen_text(app)


async def test_empty_library_without_samples(empty_library_path: Path, make_app: MakeApp) -> None:
    app = make_app(empty_library_path, load_samples=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(app.article_list) == 0
        text = screen_text(app)
        assert "Your library is empty" in text
        assert "briefreader add" in text
        for key in ("j", "enter", "o", "c", "S", "s", "m", "M", "n", "1", "f"):
            await pilot.press(key)  # nothing to act on: nothing breaks
        await settle(pilot)
        assert app.is_running
