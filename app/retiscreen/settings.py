"""One typed settings model: defaults, then a TOML file, then environment overrides.

``retiscreen`` runs with no settings file at all. The file is looked up at
``$RETISCREEN_CONFIG``, else ``<config dir>/retiscreen/settings.toml``. Any scalar
setting can be overridden by ``RETISCREEN_<SECTION>_<NAME>`` (e.g.
``RETISCREEN_STORAGE_DATA_DIR=/srv/retiscreen``), which is how tests and the kiosk
unit point the app somewhere else without editing files.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from retiscreen.rules import ReferralRules

PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    return next((c for c in candidates if c.exists()), candidates[0])


def bundled_dir(name: str) -> Path:
    """models/ or assets/: beside the package in a checkout, or installed under share/."""
    return _first_existing(
        PACKAGE_DIR.parent.parent / name,  # source checkout: <repo>/app/retiscreen
        PACKAGE_DIR / "_bundled" / name,  # wheel / installer bundle
    )


def user_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "retiscreen"


def user_config_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "retiscreen" / "settings.toml"


@dataclass(frozen=True)
class ClinicSettings:
    name: str = "RetiScreen demonstration clinic"
    address: str = "Not configured: set [clinic] in settings.toml"
    phone: str = ""
    logo: str = ""
    """Path to a PNG/JPEG logo for the report header; empty for none."""
    site: str = "default"


@dataclass(frozen=True)
class StorageSettings:
    data_dir: str = ""
    """Where the database, images and reports live; empty = the user's data directory."""

    @property
    def root(self) -> Path:
        return Path(self.data_dir).expanduser() if self.data_dir else user_data_dir()


@dataclass(frozen=True)
class ModelSettings:
    models_dir: str = ""
    """Folder with grader.onnx, quality.onnx and their cards; empty = bundled models/."""
    prefer_gpu: bool = True
    referable_threshold: float = -1.0
    """A site-calibrated operating point (from `retiscreen validate`); < 0 = model card's."""

    @property
    def directory(self) -> Path:
        return Path(self.models_dir).expanduser() if self.models_dir else bundled_dir("models")


@dataclass(frozen=True)
class ReportSettings:
    paper: str = "A4"
    """'A4' or 'Letter'."""
    printer: str = ""
    """CUPS queue name; empty = the system default destination."""
    print_copies: int = 1
    patient_letter: bool = True


@dataclass(frozen=True)
class CaptureSettings:
    max_retakes: int = 3
    watch_folder: str = ""
    camera: str = ""


@dataclass(frozen=True)
class KioskSettings:
    fullscreen: bool = True
    idle_timeout_s: int = 120
    language: str = "en"
    admin_pin: str = "0000"


@dataclass(frozen=True)
class Settings:
    clinic: ClinicSettings = field(default_factory=ClinicSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    capture: CaptureSettings = field(default_factory=CaptureSettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    rules: ReferralRules = field(default_factory=ReferralRules)


class SettingsError(Exception):
    """The settings file is unreadable or names an unknown setting."""


def _coerce(value: Any, current: Any, name: str) -> Any:
    if isinstance(current, bool):
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        return bool(value)
    try:
        return type(current)(value)
    except (TypeError, ValueError):
        raise SettingsError(
            f"setting {name}: {value!r} is not a {type(current).__name__}"
        ) from None


def _apply(section: Any, values: dict[str, Any], prefix: str) -> Any:
    known = {f.name for f in fields(section)}
    unknown = set(values) - known
    if unknown:
        raise SettingsError(f"unknown setting(s) in [{prefix}]: {', '.join(sorted(unknown))}")
    updates = {k: _coerce(v, getattr(section, k), f"{prefix}.{k}") for k, v in values.items()}
    return replace(section, **updates)


def settings_file(path: Path | None = None, environ: dict[str, str] | None = None) -> Path:
    """The settings file in force: ``path``, else $RETISCREEN_CONFIG, else the user's."""
    environ = dict(os.environ) if environ is None else environ
    return path or Path(environ.get("RETISCREEN_CONFIG", "") or user_config_file())


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults ← settings file (if any) ← environment variables."""
    environ = dict(os.environ) if environ is None else environ
    path = settings_file(path, environ)
    settings = Settings()
    if path.exists():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read settings file {path}: {exc}") from exc
        unknown = set(document) - {f.name for f in fields(settings)}
        if unknown:
            raise SettingsError(f"unknown section(s) in {path}: {', '.join(sorted(unknown))}")
        settings = replace(
            settings,
            **{
                name: _apply(getattr(settings, name), values, name)
                for name, values in document.items()
            },
        )
    overrides: dict[str, Any] = {}
    for section_field in fields(settings):
        section = getattr(settings, section_field.name)
        assert is_dataclass(section)
        values = {
            f.name: environ[key]
            for f in fields(section)
            if (key := f"RETISCREEN_{section_field.name}_{f.name}".upper()) in environ
        }
        if values:
            overrides[section_field.name] = _apply(section, values, section_field.name)
    return replace(settings, **overrides)
