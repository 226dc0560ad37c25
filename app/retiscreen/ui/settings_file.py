"""Saving the administrator's changes back to the settings TOML file.

Why not rewrite the whole file from the Settings object: environment overrides and
settings the admin screen does not show would be baked in. Only the keys that changed
are merged into the existing document, the result is loaded back through
:func:`retiscreen.settings.load_settings` before it replaces the file (so a kiosk can
never save settings it cannot start with), and the write is atomic.

Where ``$RETISCREEN_CONFIG_OVERRIDE`` names a second settings file (the installed
kiosk: ``/var/lib/retiscreen/admin-settings.toml``), the changes go there, never into
the first (``/etc/retiscreen/settings.toml``: root's, and read-only to the service under
``ProtectSystem=full``); the check then loads both, as the kiosk will.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from retiscreen.settings import (
    OVERRIDE_VARIABLE,
    Settings,
    load_settings,
    override_file,
    settings_file,
    validate,
)
from retiscreen.store.files import atomic_write

Changes = dict[str, dict[str, Any]]
"""{section: {name: value}}, e.g. {"kiosk": {"idle_timeout_s": 90}}."""


def settings_path() -> Path:
    """Where the administration screen saves: the override file when one is configured,
    else the file :func:`load_settings` reads ($RETISCREEN_CONFIG or the user's)."""
    return override_file() or settings_file()


def underlying_file(path: Path) -> Path | None:
    """The settings file read before ``path`` when ``path`` is the override file (its
    values are part of what the kiosk loads); None otherwise."""
    return settings_file() if path == override_file() else None


def apply_changes(settings: Settings, changes: Changes) -> Settings:
    """The settings with ``changes`` applied (sections and names must exist, values be
    allowed: SettingsError otherwise)."""
    updates = {
        section: replace(getattr(settings, section), **values)
        for section, values in changes.items()
    }
    return validate(replace(settings, **updates))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def dumps(document: dict[str, dict[str, Any]]) -> str:
    """A TOML document of scalar tables (all that settings.toml holds)."""
    lines: list[str] = ["# RetiScreen settings (written by the kiosk administration screen)"]
    for section, values in document.items():
        lines.append("")
        lines.append(f"[{section}]")
        lines.extend(f"{name} = {_value(value)}" for name, value in values.items())
    return "\n".join(lines) + "\n"


def save_changes(path: Path, changes: Changes, base: Path | None = None) -> None:
    """Merge ``changes`` into the settings file at ``path`` (created when missing).
    ``base``: the settings file read before ``path`` (see :func:`underlying_file`)."""
    try:
        document: dict[str, dict[str, Any]] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = {}
    for section, values in changes.items():
        document.setdefault(section, {}).update(values)
    text = dumps(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = path.with_name(f".{path.name}.check")
    candidate.write_text(text, encoding="utf-8")
    try:
        if base is None:
            load_settings(candidate, environ={})
        else:
            load_settings(base, environ={OVERRIDE_VARIABLE: str(candidate)})
    finally:
        candidate.unlink(missing_ok=True)
    atomic_write(path, text.encode("utf-8"), what="the settings file")
