"""The reading app's settings: a small TOML file, read with :mod:`tomllib`.

::

    # ~/.config/briefreader/config.toml  ($BRIEFREADER_HOME/config.toml)
    theme = "textual-dark"        # any Textual theme; changed from the palette, remembered
    sidebar = true                # show the Related sidebar on wide terminals
    density = "comfortable"       # article list rows: "comfortable" (2 lines) or "compact"
    refresh_minutes = 0           # refresh the feeds every N minutes while the app runs (0: off)

    [keys]                        # rebind by binding id (see the help screen, ?)
    star = "x"
    copy_link = "c,y"

A missing file means defaults.  A broken file, or a setting of the wrong type,
gives defaults for what cannot be used plus one-line messages saying why: never
a traceback.  Only the ``theme`` line is ever written back (:func:`save_theme`),
and the rest of the file, comments included, is left as it was.

No Textual here: the app validates theme names and binding ids against what it
knows.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

__all__ = [
    "DENSITIES",
    "Config",
    "ConfigResult",
    "load_config",
    "save_theme",
]

Density = Literal["comfortable", "compact"]
DENSITIES: tuple[Density, ...] = ("comfortable", "compact")
DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True, slots=True)
class Config:
    """Settings of the reading app; every field has a usable default."""

    theme: str = DEFAULT_THEME
    """Name of the Textual theme."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> comma-separated keys (Textual keymap)."""
    sidebar: bool = True
    """Show the Related sidebar on wide terminals at start."""
    density: Density = "comfortable"
    """Article list rows: two lines each, or one."""
    refresh_minutes: float = 0
    """Refresh every feed this often while the app runs (0: never by itself)."""


@dataclass(frozen=True, slots=True)
class ConfigResult:
    config: Config
    problems: list[str] = field(default_factory=list)
    """One-line messages about what was ignored and why."""
    path: Path | None = None


def _default_path() -> Path:
    from briefreader.paths import config_path

    return config_path()


def load_config(path: Path | None = None) -> ConfigResult:
    """Read the config file; defaults (and messages) for anything unusable."""
    path = path if path is not None else _default_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ConfigResult(Config(), [], path)
    except OSError as exc:
        return ConfigResult(
            Config(), [f"{path}: cannot read ({exc.strerror or exc}); using defaults"], path
        )
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        return ConfigResult(Config(), [f"{path}: not UTF-8 text; using defaults"], path)
    except tomllib.TOMLDecodeError as exc:
        return ConfigResult(Config(), [f"{path}: not valid TOML ({exc}); using defaults"], path)
    config, problems = _from_dict(data, str(path))
    return ConfigResult(config, problems, path)


def _from_dict(data: dict[str, Any], where: str) -> tuple[Config, list[str]]:
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "theme":
            if isinstance(value, str) and value.strip():
                values["theme"] = value.strip()
            else:
                problems.append(f"{where}: theme must be a theme name (a string); ignored")
        elif name == "sidebar":
            if isinstance(value, bool):
                values["sidebar"] = value
            else:
                problems.append(f"{where}: sidebar must be true or false; ignored")
        elif name == "density":
            if value in DENSITIES:
                values["density"] = value
            else:
                problems.append(f"{where}: density must be one of {', '.join(DENSITIES)}; ignored")
        elif name == "refresh_minutes":
            if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
                values["refresh_minutes"] = float(value)
            else:
                problems.append(
                    f"{where}: refresh_minutes must be a number of minutes (0: off); ignored"
                )
        elif name == "keys":
            if isinstance(value, dict):
                values["keys"] = _keys(value, where, problems)
            else:
                problems.append(f'{where}: [keys] must be a table of binding id = "key"; ignored')
        else:
            problems.append(f"{where}: unknown setting {name!r}; ignored")
    return Config(**values), problems


_KEY_TOKEN = re.compile(r"^[\w+\-]+$|^[^\s,]$")


def _keys(table: dict[str, Any], where: str, problems: list[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for binding_id, value in table.items():
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",")]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            parts = [p.strip() for p in cast("list[str]", value)]
        else:
            problems.append(f"{where}: keys.{binding_id} must be a key name or a list; ignored")
            continue
        parts = [p for p in parts if p]
        if not parts or not all(_KEY_TOKEN.match(p) for p in parts):
            problems.append(f"{where}: keys.{binding_id} = {value!r} is not a key; ignored")
            continue
        keys[str(binding_id)] = ",".join(parts)
    return keys


_TABLE_HEADER = re.compile(r"^\s*\[")
_THEME_LINE = re.compile(r"^\s*theme\s*=")


def save_theme(theme: str, path: Path | None = None) -> str | None:
    """Remember the theme: rewrite (or add) the top-level ``theme = …`` line.

    Every other line of the file stays as it was.  A file that is not valid TOML is
    left alone (the user is editing it).  Returns ``None`` on success, else a
    one-line message.
    """
    path = path if path is not None else _default_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path}: cannot read ({exc}); theme not saved"
    if text:
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return f"{path}: not valid TOML; theme not saved"
    new_line = f"theme = {json.dumps(theme, ensure_ascii=False)}"
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _TABLE_HEADER.match(line):
            lines.insert(index, new_line)
            break
        if _THEME_LINE.match(line):
            lines[index] = new_line
            break
    else:
        lines.append(new_line)
    out = "\n".join(lines) + "\n"
    try:
        tomllib.loads(out)
    except tomllib.TOMLDecodeError:  # e.g. a multi-line value we cut through
        return f"{path}: could not update the theme line safely; theme not saved"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(out)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        return f"{path}: cannot write ({exc.strerror or exc}); theme not saved"
    return None
