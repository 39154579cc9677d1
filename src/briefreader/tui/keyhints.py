"""Keys as currently bound, for display: in the help screen, the palette, and hints
in running text ("z to undo", "esc close") that follow the config's ``[keys]``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType

__all__ = ["key_hint", "keys_for"]


def _display(app: App[Any], key: str) -> str:
    return app.get_key_display(Binding(key, ""))


def keys_for(app: App[Any], overrides: Mapping[str, str], binding: Binding) -> list[str]:
    """The keys a binding has now (after the config's keymap), for display."""
    keys = overrides.get(binding.id or "", binding.key)
    return [_display(app, key.strip()) for key in keys.split(",") if key.strip()]


def _hint_name(app: App[Any], key: str) -> str:
    """A key as named in running text: ``enter`` (not ⏎), ``esc``, ``f2``, ``?``."""
    return "enter" if key == "enter" else _display(app, key)


def key_hint(app: App[Any], binding_id: str, bindings: Iterable[BindingType] = ()) -> str:
    """The first key bound to ``binding_id`` now, as named in a hint ("z to undo").

    Looks in ``bindings`` (a modal screen's) and then the app's; the config's
    ``[keys]`` table (``app.key_overrides``) wins over both.
    """
    overrides: Mapping[str, str] = getattr(app, "key_overrides", {})
    keys = overrides.get(binding_id)
    if keys is None:
        for binding in (*bindings, *getattr(app, "BINDINGS", ())):
            if isinstance(binding, Binding) and binding.id == binding_id:
                keys = binding.key
                break
        else:
            return binding_id
    first = keys.split(",")[0].strip()
    return _hint_name(app, first) if first else binding_id
