"""YAML front matter: the block between a first line ``---`` and the next ``---``
(or ``...``) of a Markdown brief, read with PyYAML's safe loader (the C version
when available), or leniently (``key: value`` lines) when it is not valid YAML.
See :mod:`briefreader.sources.markdown` for the keys."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

__all__ = ["flag", "scalar", "split_front_matter", "string_list"]

_SCALAR_KEYS = frozenset(
    {"title", "source", "url", "author", "published", "date", "summary", "image_caption", "id"}
    | {"read_at", "starred_at", "feed_url"}  # the state an export writes
)
_LENIENT_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(.*)")
#: ``yaml.safe_load``'s loader, in C when libyaml is there (a pinned 5 MB body
#: loads in well under a second instead of several).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """→ (front matter mapping or None, the rest of the text)."""
    if not text.startswith("---"):
        return None, text
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return None, text
    block = "\n".join(lines[1:close])
    rest = "\n".join(lines[close + 1 :])
    try:
        data = yaml.load(block, Loader=_SafeLoader)  # safe: (C)SafeLoader only
    except Exception:  # any failure of untrusted YAML: errors, bad dates, deep nesting
        lenient = _lenient(lines[1:close])
        return (lenient, rest) if lenient else (None, text)
    if data is None:
        return {}, rest
    if isinstance(data, str):
        return None, text  # prose between two thematic breaks, not front matter
    if not isinstance(data, dict):
        return {}, rest  # a list or a number: not ours, ignored
    return {str(k).strip().casefold(): v for k, v in data.items() if isinstance(k, str)}, rest


def _lenient(lines: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for line in lines:
        if len(line) > 10_000:
            continue
        m = _LENIENT_LINE.fullmatch(line.strip())
        if not m:
            continue
        key, value = m.group(1).casefold(), m.group(2).strip()
        if value[:1] in ("'", '"'):
            value = value.strip("'\"").strip()
        if key in _SCALAR_KEYS and value:
            data.setdefault(key, value)
        elif key == "tags" and value:
            data.setdefault("tags", value.strip("[]"))
    return data


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return ""


def string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, list | tuple):
        return [s for s in (scalar(v) for v in value) if s]
    return []


def flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in ("true", "yes", "on", "1")
    return bool(value) if isinstance(value, bool | int) else False
