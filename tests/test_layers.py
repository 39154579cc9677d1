"""The layers hold at run time: the domain never loads the app's toolkit.

import-linter (contracts in pyproject.toml, run by CI) checks the import graph;
this checks what really happens when the domain is imported in a fresh
interpreter: every module outside ``briefreader.tui`` (and the command line,
which launches the app) loads without a single Textual module.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import briefreader

APP_SIDE = ("briefreader.tui", "briefreader.cli", "briefreader.__main__")


def domain_modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages(briefreader.__path__, prefix="briefreader.")
        if not info.name.startswith(APP_SIDE)
    ]
    return sorted(names)


def test_the_domain_has_modules_to_check() -> None:
    names = domain_modules()
    assert "briefreader.model" in names
    assert any(n.startswith("briefreader.sources") for n in names)
    assert len(names) >= 20


def test_importing_the_domain_loads_no_textual_module() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {domain_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(len(loaded), loaded[:5])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.startswith("0 "), out.stdout


def test_the_command_line_loads_textual_only_to_launch_the_app() -> None:
    code = (
        "import sys\n"
        "import briefreader.cli\n"
        "print(sum(1 for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "0", out.stdout
