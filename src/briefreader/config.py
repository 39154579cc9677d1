"""The reading app's settings: a small TOML file, read with :mod:`tomllib`.

::

    # ~/.config/briefreader/config.toml  ($BRIEFREADER_HOME/config.toml)
    theme = "textual-dark"        # any Textual theme; changed from the palette, remembered
    sidebar = true                # show the Related sidebar on wide terminals
    density = "comfortable"       # article list rows: "comfortable" (2 lines) or "compact"
    refresh_minutes = 0           # refresh the feeds every N minutes while the app runs (0: off)
    sort = "newest"               # the list's order: newest, oldest, feed, unread (first);
                                  # changed with O in the app, remembered
    open_marks_read = true        # o (open in the browser) marks the article read
    keep_days = 0                 # retention: feed articles older than this go (0: kept)
    keep_per_feed = 0             # retention: at most this many per feed (0: no limit)
    images = "off"                # lead images: "off" (i loads them) or "auto" (every article)
    image_protocol = "auto"       # how pictures are drawn: "auto", "kitty" or "halfblock"
    player = ["mpv", "--no-video"]  # plays enclosures (an argument list; the URL or file last)

    [feeds."https://example.org/feed.xml"]   # one feed's own retention, by its URL
    keep_days = 365

    [keys]                        # rebind by binding id (see the help screen, ?)
    star = "x"
    copy_link = "c,y"

A missing file means defaults.  A broken file, or a setting of the wrong type,
gives defaults for what cannot be used plus one-line messages naming the file and
the setting: never a traceback, never a hang.  Only a regular file of at most
:data:`MAX_CONFIG_BYTES` is read (a folder, a FIFO or a device is refused without
blocking); a value nested too deeply to parse is dropped with its line;
``refresh_minutes`` is kept between :data:`MIN_REFRESH_MINUTES` and
:data:`MAX_REFRESH_MINUTES` (0 is off); names and keys have length limits.  Only the
``theme`` and ``sort`` lines are ever written back (:func:`save_theme`,
:func:`save_sort`), and the rest of the file, comments included, is left as it was.

No Textual here: the app validates theme names and binding ids against what it
knows.
"""

from __future__ import annotations

import json
import math
import os
import re
import reprlib
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from briefreader.paths import write_whole

__all__ = [
    "DENSITIES",
    "MAX_CONFIG_BYTES",
    "MAX_REFRESH_MINUTES",
    "MIN_REFRESH_MINUTES",
    "SORTS",
    "Config",
    "ConfigResult",
    "load_config",
    "refresh_seconds",
    "save_sort",
    "save_theme",
]

Density = Literal["comfortable", "compact"]
DENSITIES: tuple[Density, ...] = ("comfortable", "compact")
DEFAULT_THEME = "textual-dark"
Sort = Literal["newest", "oldest", "feed", "unread"]
SORTS: tuple[Sort, ...] = ("newest", "oldest", "feed", "unread")
"""The article list's orders: newest first, oldest first, by feed (source), unread first."""

MAX_CONFIG_BYTES = 1024 * 1024
"""A config file is a few hundred bytes; larger files are refused unread."""
MIN_REFRESH_MINUTES = 1
"""``refresh_minutes`` below this (but above 0) is raised to it."""
MAX_REFRESH_MINUTES = 7 * 24 * 60
"""``refresh_minutes`` above this (a week) is lowered to it."""
MAX_THEME_LENGTH = 100
MAX_KEYS_PER_BINDING = 10
MAX_KEY_LENGTH = 40
MAX_KEY_BINDINGS = 200
"""Entries of ``[keys]`` beyond this are ignored (the app has a few dozen bindings)."""
MAX_PROBLEMS = 8
"""Messages about one file beyond this are summed up in one last line."""
_MAX_NESTING = 50
"""A line opening more arrays or tables than this is blamed when parsing recurses too deep."""


def refresh_seconds(minutes: float) -> float | None:
    """The auto-refresh interval in seconds for ``minutes``, kept within
    :data:`MIN_REFRESH_MINUTES` … :data:`MAX_REFRESH_MINUTES`; ``None`` for off
    (0, negative or not a number)."""
    if math.isnan(minutes) or minutes <= 0:
        return None
    return float(min(max(minutes, MIN_REFRESH_MINUTES), MAX_REFRESH_MINUTES) * 60)


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
    sort: Sort = "newest"
    """The article list's order at start (``O`` cycles it and saves it here)."""
    open_marks_read: bool = True
    """Opening the article in the browser (``o``) marks it read."""
    keep_days: float = 0
    """Retention: a feed's articles older than this many days go (0: kept)."""
    keep_per_feed: int = 0
    """Retention: at most this many articles per feed (0: no limit)."""
    feeds: dict[str, tuple[float | None, int | None]] = field(default_factory=dict)
    """Retention per feed, by feed URL: ``(keep_days, keep_per_feed)``, None: the general one."""
    images: Literal["off", "auto"] = "off"
    """Lead images: fetched only when asked (``i``), or for every article shown."""
    image_protocol: Literal["auto", "kitty", "halfblock"] = "auto"
    """How pictures are drawn: Kitty's graphics protocol (Unicode placeholders), half
    blocks, or ``auto`` (Kitty's in kitty and Ghostty, else half blocks)."""
    player: tuple[str, ...] = ()
    """The command that plays an enclosure (its address or file is added last); empty:
    ``mpv --no-video`` when mpv is installed."""


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
    where = _printable(str(path))
    try:
        raw = _read_capped(path)
    except FileNotFoundError:
        return ConfigResult(Config(), [], path)
    except _Unusable as exc:
        return ConfigResult(Config(), [f"{where}: {exc}; using defaults"], path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ConfigResult(Config(), [f"{where}: not UTF-8 text; using defaults"], path)
    try:
        data, problems = _parse(text, where)
    except _Unusable as exc:
        return ConfigResult(Config(), [f"{where}: {exc}; using defaults"], path)
    config, more = _from_dict(data, where)
    return ConfigResult(config, _capped([*problems, *more], where), path)


class _Unusable(Exception):
    """The whole file cannot be used; the message says why (one line)."""


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_capped(path: Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_CONFIG_BYTES`.

    Opened without blocking and checked on the open descriptor, so a FIFO or a
    device is refused rather than waited on.  Raises ``FileNotFoundError`` for a
    missing file, else :class:`_Unusable`.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise _Unusable("is a folder, not a file") from None
    except OSError as exc:
        raise _Unusable(f"cannot read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _Unusable("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise _Unusable("not a regular file")
        if info.st_size > MAX_CONFIG_BYTES:
            raise _Unusable(_too_large(info.st_size))
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_CONFIG_BYTES:
            chunk = os.read(fd, MAX_CONFIG_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _Unusable(f"cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if total > MAX_CONFIG_BYTES:
        raise _Unusable(_too_large(total))
    return b"".join(chunks)


def _too_large(size: int) -> str:
    return f"too large ({size:,} bytes; a config file may have at most {MAX_CONFIG_BYTES:,})"


_KEY_LINE = re.compile(r"""^\s*([A-Za-z0-9_\-."' ]{1,200}?)\s*=""")
_HEADER_LINE = re.compile(r"""^\s*\[\s*([A-Za-z0-9_\-."' ]{1,200}?)\s*\]\s*(?:#.*)?$""")


def _parse(text: str, where: str) -> tuple[dict[str, Any], list[str]]:
    """The TOML document, and messages about lines dropped for nesting too deeply.

    :mod:`tomllib` recurses once per nested array or inline table, so thousands of
    levels raise ``RecursionError``.  The lines that open more than
    :data:`_MAX_NESTING` levels are then dropped and the rest parsed again; when that
    fails too, the whole file is unusable.
    """
    try:
        return tomllib.loads(text), []
    except RecursionError:
        pass
    except ValueError as exc:  # TOMLDecodeError, or an integer with too many digits
        raise _Unusable(f"not valid TOML ({_printable(str(exc))[:200]})") from None
    lines = text.split("\n")
    table = ""
    blamed: list[str] = []
    for number, line in enumerate(lines):
        if (header := _HEADER_LINE.match(line)) is not None:
            table = header.group(1).strip().strip("\"'") + "."
        elif line.count("[") + line.count("{") > _MAX_NESTING:
            key = _KEY_LINE.match(line)
            name = table + key.group(1).strip().strip("\"'") if key else f"line {number + 1}"
            blamed.append(f"{where}: {_printable(name)} is nested too deeply; ignored")
            lines[number] = ""
    if blamed:
        try:
            return tomllib.loads("\n".join(lines)), blamed
        except (RecursionError, ValueError):
            pass
    raise _Unusable(f"arrays or tables nested too deeply to read (over {_MAX_NESTING} levels)")


def _capped(problems: list[str], where: str) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    extra = len(problems) - (MAX_PROBLEMS - 1)
    return [
        *problems[: MAX_PROBLEMS - 1],
        f"{where}: {extra} more problems; those settings ignored",
    ]


_SHOWN = reprlib.Repr()
_SHOWN.maxstring = 40
_SHOWN.maxother = 40
_SHOWN.maxlong = 40
_SHOWN.maxlist = 4
_SHOWN.maxdict = 4
_SHOWN.maxlevel = 2


def _shown(value: object) -> str:
    """``value`` for a one-line message: a short ``repr``, nesting and length cut."""
    return _printable(_SHOWN.repr(value))


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _refresh_minutes(value: object, where: str, problems: list[str]) -> float | None:
    name = f"{where}: refresh_minutes"
    if not isinstance(value, int | float) or isinstance(value, bool):
        problems.append(f"{name} must be a number of minutes (0: off); ignored")
        return None
    if isinstance(value, float) and math.isnan(value):
        problems.append(f"{name} is not a number (nan); ignored")
        return None
    if value < 0:
        problems.append(f"{name} = {_shown(value)} is negative (0: off); ignored")
        return None
    if value == 0:
        return 0.0
    if value < MIN_REFRESH_MINUTES:
        problems.append(
            f"{name} = {_shown(value)} is less than {MIN_REFRESH_MINUTES} minute; "
            f"using {MIN_REFRESH_MINUTES}"
        )
        return float(MIN_REFRESH_MINUTES)
    if value > MAX_REFRESH_MINUTES:
        problems.append(
            f"{name} = {_shown(value)} is more than a week; using {MAX_REFRESH_MINUTES}"
        )
        return float(MAX_REFRESH_MINUTES)
    return float(value)


def _theme(value: object, where: str, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: theme must be a theme name (a string); ignored")
    elif len(value.strip()) > MAX_THEME_LENGTH:
        problems.append(
            f"{where}: theme is {len(value):,} characters long (at most {MAX_THEME_LENGTH}); "
            "ignored"
        )
    elif not value.strip().isprintable():
        problems.append(f"{where}: theme {_shown(value)} holds control characters; ignored")
    else:
        return value.strip()
    return None


#: The settings that are true or false, and those that are one of a few words.
_SWITCHES = ("sidebar", "open_marks_read")
_CHOICES: dict[str, tuple[str, ...]] = {"density": DENSITIES, "sort": SORTS}


def _from_dict(data: dict[str, Any], where: str) -> tuple[Config, list[str]]:
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "theme":
            if (theme := _theme(value, where, problems)) is not None:
                values["theme"] = theme
        elif name in _SWITCHES:
            if isinstance(value, bool):
                values[name] = value
            else:
                problems.append(f"{where}: {name} must be true or false; ignored")
        elif name in _CHOICES:
            choices = _CHOICES[name]
            if isinstance(value, str) and value in choices:
                values[name] = value
            else:
                problems.append(f"{where}: {name} must be one of {', '.join(choices)}; ignored")
        elif name == "refresh_minutes":
            if (minutes := _refresh_minutes(value, where, problems)) is not None:
                values["refresh_minutes"] = minutes
        elif name in ("keep_days", "keep_per_feed"):
            if (kept := _keep(value, f"{where}: {name}", problems)) is not None:
                values[name] = kept if name == "keep_days" else int(kept)
        elif name == "feeds":
            values["feeds"] = _feeds(value, where, problems)
        elif name == "images":
            if value in ("off", "auto"):
                values["images"] = value
            else:
                problems.append(f'{where}: images must be "off" or "auto"; ignored')
        elif name == "image_protocol":
            if value in ("auto", "kitty", "halfblock"):
                values["image_protocol"] = value
            else:
                problems.append(
                    f'{where}: image_protocol must be "auto", "kitty" or "halfblock"; ignored'
                )
        elif name == "player":
            if (
                isinstance(value, list)
                and 0 < len(value) <= 32
                and all(isinstance(v, str) and v and len(v) < 1000 for v in value)
                and all(v.isprintable() for v in value)
            ):
                values["player"] = tuple(value)
            else:
                problems.append(
                    f'{where}: player must be a list of words, e.g. ["mpv", "--no-video"]; ignored'
                )
        elif name == "keys":
            if isinstance(value, dict):
                values["keys"] = _keys(value, where, problems)
            else:
                problems.append(f'{where}: [keys] must be a table of binding id = "key"; ignored')
        else:
            problems.append(f"{where}: unknown setting {_shown(name)}; ignored")
    return Config(**values), problems


#: Retention settings above this (a thousand years, a billion articles) are refused.
MAX_KEEP = 365_000


def _keep(value: object, name: str, problems: list[str]) -> float | None:
    """A retention setting: a whole number of days or articles, 0 for no limit."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        problems.append(f"{name} must be a whole number (0: no limit); ignored")
    elif value < 0:
        problems.append(f"{name} = {_shown(value)} is negative (0: no limit); ignored")
    elif value > (MAX_KEEP if "days" in name else 1_000_000_000):
        problems.append(f"{name} = {_shown(value)} is out of range (0: no limit); ignored")
    elif value != int(value):
        problems.append(f"{name} = {_shown(value)} is not a whole number; ignored")
    else:
        return float(value)
    return None


def _feeds(
    value: object, where: str, problems: list[str]
) -> dict[str, tuple[float | None, int | None]]:
    """``[feeds."URL"]`` tables: a feed's own keep_days / keep_per_feed."""
    if not isinstance(value, dict):
        problems.append(
            f'{where}: [feeds."URL"] must be tables of keep_days/keep_per_feed; ignored'
        )
        return {}
    out: dict[str, tuple[float | None, int | None]] = {}
    for url, table in list(value.items())[: MAX_KEY_BINDINGS * 50]:
        label = f"{where}: feeds.{_shown(url)}"
        if not isinstance(table, dict):
            problems.append(f"{label} must be a table (keep_days, keep_per_feed); ignored")
            continue
        days = count = None
        for key, item in table.items():
            if key not in ("keep_days", "keep_per_feed"):
                problems.append(f"{label}: unknown setting {_shown(key)}; ignored")
            else:
                # A value that cannot be used keeps the feed's articles (0), never
                # the general rule in its place.
                kept = _keep(item, f"{label}.{key}", problems)
                if kept is None:
                    problems[-1] = (
                        problems[-1].removesuffix("; ignored") + "; taken as 0 (no limit) there"
                    )
                if key == "keep_days":
                    days = kept or 0.0
                else:
                    count = int(kept or 0)
        out[str(url)] = (days, count)
    return out


_KEY_TOKEN = re.compile(r"^[\w+\-]+$|^[^\s,]$")
_BINDING_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def _keys(table: dict[str, Any], where: str, problems: list[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    if len(table) > MAX_KEY_BINDINGS:
        problems.append(
            f"{where}: [keys] has {len(table):,} entries; only the first {MAX_KEY_BINDINGS} are used"
        )
    for binding_id, value in list(table.items())[:MAX_KEY_BINDINGS]:
        if not _BINDING_ID.fullmatch(binding_id):
            problems.append(f"{where}: keys.{_shown(binding_id)} is not a binding id; ignored")
            continue
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",", MAX_KEYS_PER_BINDING + 1)]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            parts = [p.strip() for p in cast("list[str]", value)]
        else:
            problems.append(f"{where}: keys.{binding_id} must be a key name or a list; ignored")
            continue
        parts = [p for p in parts if p]
        if len(parts) > MAX_KEYS_PER_BINDING:
            problems.append(
                f"{where}: keys.{binding_id} has more than {MAX_KEYS_PER_BINDING} keys; ignored"
            )
            continue
        if not parts or not all(len(p) <= MAX_KEY_LENGTH and _KEY_TOKEN.match(p) for p in parts):
            problems.append(f"{where}: keys.{binding_id} = {_shown(value)} is not a key; ignored")
            continue
        keys[binding_id] = ",".join(parts)
    return keys


_TABLE_HEADER = re.compile(r"^\s*\[")


def save_theme(theme: str, path: Path | None = None) -> str | None:
    """Remember the theme: rewrite (or add) the top-level ``theme = …`` line.

    Every other line of the file stays as it was.  A file that is not valid TOML is
    left alone (the user is editing it).  Returns ``None`` on success, else a
    one-line message.
    """
    return _save_setting("theme", theme, path)


def save_sort(sort: str, path: Path | None = None) -> str | None:
    """Remember the list's order: rewrite (or add) the top-level ``sort = …`` line,
    as :func:`save_theme` does the theme's."""
    return _save_setting("sort", sort, path)


def _save_setting(name: str, value: str, path: Path | None) -> str | None:
    """Rewrite (or add) the top-level ``name = "value"`` line of the config file."""
    path = path if path is not None else _default_path()
    where = _printable(str(path))
    try:
        text = _read_capped(path).decode("utf-8-sig")
    except FileNotFoundError:
        text = ""
    except _Unusable as exc:
        return f"{where}: {exc}; {name} not saved"
    except UnicodeDecodeError:
        return f"{where}: not UTF-8 text; {name} not saved"
    if text:
        try:
            tomllib.loads(text)
        except (ValueError, RecursionError):
            return f"{where}: not valid TOML; {name} not saved"
    new_line = f"{name} = {json.dumps(value, ensure_ascii=False)}"
    setting_line = re.compile(rf"^\s*{re.escape(name)}\s*=")
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _TABLE_HEADER.match(line):
            lines.insert(index, new_line)
            break
        if setting_line.match(line):
            lines[index] = new_line
            break
    else:
        lines.append(new_line)
    out = "\n".join(lines) + "\n"
    try:
        tomllib.loads(out)
    except (ValueError, RecursionError):  # e.g. a multi-line value we cut through
        return f"{where}: could not update the {name} line safely; {name} not saved"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, out, prefix=".config-", private=True)
    except OSError as exc:
        return f"{where}: cannot write ({exc.strerror or exc}); {name} not saved"
    return None
