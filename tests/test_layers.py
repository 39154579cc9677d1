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
from pathlib import Path

import briefreader

APP_SIDE = ("briefreader.tui", "briefreader.cli", "briefreader.__main__")


def domain_modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages(briefreader.__path__, prefix="briefreader.")
        if not info.name.startswith(APP_SIDE)
    ]
    return sorted(names)


def fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (nothing of ours imported yet)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )


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
    out = fresh_python(code)
    assert out.stdout.startswith("0 "), out.stdout


def test_the_command_line_loads_textual_only_to_launch_the_app() -> None:
    code = (
        "import sys\n"
        "import briefreader.cli\n"
        "print(sum(1 for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    out = fresh_python(code)
    assert out.stdout.strip() == "0", out.stdout


def test_a_search_loads_neither_the_ranking_nor_the_feed_parser(tmp_path: Path) -> None:
    """``briefreader search`` is a whole process per query: it reads the library and
    the search index only, so the related ranking and the lazy feed items (~20 ms of
    imports together) stay unloaded, and what it finds is unchanged."""
    from briefreader.model import Article, article_id
    from briefreader.store import Library

    path = tmp_path / "lib.sqlite3"
    url = "https://news.example/cranes"
    article = Article(
        id=article_id(url=url),
        title="Harbour cranes stop",
        url=url,
        source="Harbour Ledger",
        body="The harbour's cranes stood still all Tuesday.",
        origin=url,
    )
    with Library(path) as library:
        library.store([article])
    code = (
        "import sys\n"
        "from briefreader.cli import main\n"
        f"code = main(['search', '--library', {str(path)!r}, '--json', 'harbour'])\n"
        "heavy = ('briefreader.related.ranking', 'briefreader.related.stories',\n"
        "         'briefreader.sources.feedlazy')\n"
        "print('LOADED', [m for m in heavy if m in sys.modules], code, file=sys.stderr)\n"
    )
    out = fresh_python(code)
    assert "LOADED [] 0" in out.stderr, out.stderr
    assert '"Harbour cranes stop"' in out.stdout
