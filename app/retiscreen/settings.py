"""One typed settings model: defaults, then a TOML file, then environment overrides.

``retiscreen`` runs with no settings file at all. The file is looked up at
``$RETISCREEN_CONFIG``, else ``<config dir>/retiscreen/settings.toml``. Then, where
``$RETISCREEN_CONFIG_OVERRIDE`` names one, a second file whose values win over the
first: the one the kiosk's administration screen saves into (on an installed kiosk the
first is root's ``/etc/retiscreen/settings.toml``, read-only to the service, and the
second ``/var/lib/retiscreen/admin-settings.toml``, in the service's own state folder).
Any scalar setting can be overridden by ``RETISCREEN_<SECTION>_<NAME>`` (e.g.
``RETISCREEN_STORAGE_DATA_DIR=/srv/retiscreen``), which is how tests and the kiosk
unit point the app somewhere else without editing files.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from retiscreen.errors import ConfigurationError, UsageError
from retiscreen.integration import peers
from retiscreen.rules import ReferralRules

PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    return next((c for c in candidates if c.exists()), candidates[0])


INSTALLED_PREFIX = ("opt", "retiscreen", "venv")
"""Where the Debian package puts the bundle's environment (under some root)."""


def packaged_dir(name: str, prefix: str | None = None) -> Path | None:
    """``/usr/share/retiscreen/<name>`` beside a bundle installed at
    ``/opt/retiscreen/venv`` (the models are a package of their own, retiscreen-models,
    so that a model update is small). Found relative to the bundle's ``sys.prefix``, so
    packages extracted under another root (tests, ``dpkg-deb -x``) find their own copy.
    None outside such a bundle."""
    root = Path(sys.prefix if prefix is None else prefix)
    if root.parts[-len(INSTALLED_PREFIX) :] != INSTALLED_PREFIX:
        return None
    return root.parents[len(INSTALLED_PREFIX) - 1] / "usr" / "share" / "retiscreen" / name


def bundled_dir(name: str) -> Path:
    """models/ or assets/: beside the package in a checkout, inside the installed
    package (assets), or in its own Debian package beside the bundle (models)."""
    inside = PACKAGE_DIR / "_bundled" / name  # wheel / installer bundle (assets)
    packaged = packaged_dir(name)
    if packaged is not None:  # the installed bundle: models from retiscreen-models
        return inside if inside.exists() else packaged
    return _first_existing(PACKAGE_DIR.parent.parent / name, inside)  # checkout first


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
    """A site-calibrated operating point (from `retiscreen validate`); < 0 = model card's.
    It must lie strictly inside the range the grader's model card declares as validated."""
    trusted_keys: str = ""
    """A PEM public key file, or a folder of them, trusted to sign models besides the
    release key in the package (a site's own signing key); empty = the release key only."""

    @property
    def directory(self) -> Path:
        return Path(self.models_dir).expanduser() if self.models_dir else bundled_dir("models")

    @property
    def extra_key_files(self) -> list[Path]:
        if not self.trusted_keys:
            return []
        path = Path(self.trusted_keys).expanduser()
        return sorted(path.glob("*.pem")) if path.is_dir() else [path]


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
    watch_right_patterns: str = "*right*,*_od.*,*_r.*,*-od.*,*-r.*"
    """File names (shell patterns, any case, comma-separated) that say the right eye;
    a DICOM file's ImageLaterality wins over its name."""
    watch_left_patterns: str = "*left*,*_os.*,*_l.*,*-os.*,*-l.*"
    watch_abandon_s: int = 30
    """A file that stays undecodable this long after it stopped growing goes to failed/."""
    watch_max_age_min: int = 30
    """A photograph no screening took within this many minutes goes to failed/ (it may
    show another patient); the operator can still import it by hand."""
    camera: str = ""
    exclusion_questions: bool = False
    """Before any photograph, ask whether the patient is already treated for diabetic
    eye disease and whether their sight was lost suddenly: yes to either refers them
    without screening (sudden loss: urgent, the same day)."""
    check_disc_side: bool = True
    """Ask the operator when the optic disc's side says the photograph shows the other
    eye. Turn off only for a camera that shows the fundus inverted (the check would then
    ask every time)."""
    fields_per_eye: int = 1
    """1: one photograph per eye. 2: two per eye, disc-centred and macula-centred (as
    some programmes take): each is checked and graded, and the eye is what its worse
    gradable field shows; a field not taken is recorded as missing, and the eye is then
    decided by the field that was."""


@dataclass(frozen=True)
class KioskSettings:
    fullscreen: bool = True
    idle_timeout_s: int = 120
    language: str = "en"
    draft_expiry_h: int = 12
    """An unfinished screening (a draft) the operator neither resumed nor discarded is
    removed this many hours after it was last kept (audited)."""
    admin_pin: str | None = None
    """Retired: administrators are accounts now (``retiscreen.accounts``). Still read, so
    an older settings file starts, but never used; ``selftest`` fails while it is set,
    because it is a PIN in plain text."""


@dataclass(frozen=True)
class MonitorSettings:
    """When ``retiscreen monitor`` and the administration screen raise an alert."""

    psi_alert: float = 0.2
    """Population stability index of a week's referable scores against the validation
    set's, above which the scores have drifted (0.1-0.25 moderate, above 0.25 large)."""
    ungradable_alert: float = 0.10
    """Share of photographed eyes that could not be graded, in a week (overall or per
    operator with at least 10 eyes), above which to look at the camera or the training."""
    kappa_alert: float = 0.6
    """Cohen's kappa between the AI's decisions and the reviewers' (over at least 20
    over-reads), below which the grader and the reviewers disagree too often."""


@dataclass(frozen=True)
class ReviewSettings:
    routine_share: float = 0.1
    """The share (0 to 1) of routine screenings queued for a reviewer's over-read, drawn
    by screening id (the same ones every time); every screening with an eye that was not
    graded is queued whatever this says."""


EXPORT_FORMATS = ("dicom", "fhir", "hl7")


@dataclass(frozen=True)
class IntegrationSettings:
    export_dir: str = ""
    """After each screening is saved, write it here for the clinic's systems to collect
    (one folder per screening); empty = no automatic export."""
    export_formats: str = "dicom,fhir,hl7"
    """Comma-separated: dicom, fhir, hl7."""
    dicom_destination: str = ""
    """The PACS that receives the report and photographs (C-STORE), as AET@HOST:PORT."""
    hl7_destination: str = ""
    """The HL7 v2 listener that receives the ORU^R01 result (MLLP), as HOST:PORT."""
    fhir_url: str = ""
    """The FHIR server's base URL that receives the result Bundle."""
    send_after_screening: bool = False
    """Queue each saved screening for every destination above and try it at once."""
    worklist: str = ""
    """The modality worklist (MWL SCP) to pick patients from, as AET@HOST:PORT."""
    worklist_modality: str = "OP"
    """The modality the worklist schedules screenings under (empty: any)."""
    ae_title: str = "RETISCREEN"
    """This kiosk's own AE title (the calling AE title the PACS and worklist see)."""
    timeout_s: float = 10.0
    """How long to wait for a peer to connect or answer before giving up (retried)."""

    @property
    def formats(self) -> list[str]:
        return [f.strip() for f in self.export_formats.split(",") if f.strip()]

    @property
    def destinations_set(self) -> bool:
        return bool(self.dicom_destination or self.hl7_destination or self.fhir_url)


@dataclass(frozen=True)
class Settings:
    clinic: ClinicSettings = field(default_factory=ClinicSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    capture: CaptureSettings = field(default_factory=CaptureSettings)
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    integration: IntegrationSettings = field(default_factory=IntegrationSettings)
    rules: ReferralRules = field(default_factory=ReferralRules)
    monitor: MonitorSettings = field(default_factory=MonitorSettings)
    review: ReviewSettings = field(default_factory=ReviewSettings)


class SettingsError(ConfigurationError):
    """The settings file is unreadable, names an unknown setting, or holds a value
    outside its allowed range."""


LIMITS: dict[str, tuple[float, float]] = {
    "rules.rescreen_months": (1, 36),
    "rules.refer_months": (1, 12),
    "rules.urgent_weeks": (1, 8),
    "rules.ungradable_months": (1, 6),
    "report.print_copies": (1, 5),
    "capture.max_retakes": (0, 10),
    "capture.watch_abandon_s": (5, 600),
    "capture.watch_max_age_min": (1, 24 * 60),
    "capture.fields_per_eye": (1, 2),
    "kiosk.idle_timeout_s": (30, 3600),
    "kiosk.draft_expiry_h": (1, 7 * 24),
    "integration.timeout_s": (1, 120),
    "monitor.psi_alert": (0.01, 5.0),
    "monitor.ungradable_alert": (0.01, 1.0),
    "monitor.kappa_alert": (0.0, 1.0),
    "review.routine_share": (0, 1),
}
"""Inclusive ranges of the numeric settings: a value outside is refused at start, never
clamped (an interval of 0 months or 600 retakes is a typo, not a choice)."""
CHOICES: dict[str, tuple[str, ...]] = {
    "report.paper": ("A4", "Letter"),
    "kiosk.language": ("en", "es", "pt"),
}
EXISTING_PATHS = (
    "clinic.logo",
    "models.models_dir",
    "models.trusted_keys",
    "capture.watch_folder",
    "integration.export_dir",
)
"""Paths that, when set, must exist: a missing models folder must not silently mean
'the bundled models', nor a missing camera folder 'no photographs'."""
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _coerce(value: Any, current: Any, name: str) -> Any:
    """``value`` as the type of the default ``current``; anything ambiguous is refused."""
    kind = type(current).__name__
    if current is None:  # an optional text setting (the retired admin_pin)
        return str(value)
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise SettingsError(f"setting {name} = {value!r}: must be true or false")
    if isinstance(current, int):
        if isinstance(value, bool) or not str(value).strip().lstrip("+-").isdigit():
            raise SettingsError(f"setting {name} = {value!r}: must be a whole number")
        return int(str(value).strip())
    if isinstance(current, float) and isinstance(value, bool):
        raise SettingsError(f"setting {name} = {value!r}: must be a number")
    try:
        return type(current)(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name} = {value!r}: must be a {kind}") from None


def validate(settings: Settings) -> Settings:
    """Refuse any setting outside its allowed range, naming the setting, the value and
    what is allowed. Returns ``settings`` unchanged when every value is allowed."""
    problems: list[str] = []

    def value(name: str) -> Any:
        section, key = name.split(".")
        return getattr(getattr(settings, section), key)

    for name, (low, high) in LIMITS.items():
        if not low <= value(name) <= high:
            problems.append(f"{name} = {value(name)!r}: allowed {low:g} to {high:g}")
    for name, allowed in CHOICES.items():
        if value(name) not in allowed:
            problems.append(f"{name} = {value(name)!r}: allowed {', '.join(allowed)}")
    for name in EXISTING_PATHS:
        path = str(value(name))
        if path and not Path(path).expanduser().exists():
            problems.append(f"{name} = {path!r}: no such file or folder")
    unknown = [f for f in settings.integration.formats if f not in EXPORT_FORMATS]
    if unknown or (settings.integration.export_dir and not settings.integration.formats):
        problems.append(
            f"integration.export_formats = {settings.integration.export_formats!r}: allowed "
            f"a comma-separated list of {', '.join(EXPORT_FORMATS)}"
        )
    problems += _peer_problems(settings.integration)
    threshold = settings.models.referable_threshold
    if threshold != -1.0 and not 0.0 < threshold < 1.0:
        problems.append(
            f"models.referable_threshold = {threshold!r}: allowed -1 (the model card's) "
            "or a number strictly between 0 and 1 (from `retiscreen validate`)"
        )
    rules = settings.rules
    if not rules.urgent_weeks * 7 < rules.refer_months * 30 <= rules.rescreen_months * 30:
        problems.append(
            "rules: an urgent referral must come sooner than a referral, and a referral no "
            f"later than a rescreen (now {rules.urgent_weeks} weeks, {rules.refer_months} "
            f"and {rules.rescreen_months} months)"
        )
    if problems:
        raise SettingsError("invalid setting(s): " + "; ".join(problems))
    return settings


def _peer_problems(integration: IntegrationSettings) -> list[str]:
    """Each destination that is set must parse (a typo is refused now, not discovered as
    a result that never arrived)."""
    checks = {
        "dicom_destination": peers.dicom_peer,
        "hl7_destination": peers.hl7_peer,
        "fhir_url": peers.fhir_base,
        "worklist": peers.dicom_peer,
        "ae_title": peers.ae_title,
    }
    problems = []
    for key, parse in checks.items():
        text = getattr(integration, key)
        if not text and key != "ae_title":
            continue
        try:
            parse(text)
        except UsageError as exc:
            problems.append(f"integration.{key}: {exc}")
    if integration.send_after_screening and not integration.destinations_set:
        problems.append(
            "integration.send_after_screening = true, but no dicom_destination, "
            "hl7_destination or fhir_url is set"
        )
    return problems


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


OVERRIDE_VARIABLE = "RETISCREEN_CONFIG_OVERRIDE"


def override_file(environ: dict[str, str] | None = None) -> Path | None:
    """The second settings file, read after the first and winning over it, where
    ``$RETISCREEN_CONFIG_OVERRIDE`` names one: the administration screen saves there, so
    a kiosk service that may not write /etc can still keep its administrator's changes."""
    environ = dict(os.environ) if environ is None else environ
    value = environ.get(OVERRIDE_VARIABLE, "")
    return Path(value) if value else None


def _read_document(path: Path) -> dict[str, Any] | None:
    """The TOML document at ``path``; None when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:  # e.g. a settings folder this account may not open
        raise SettingsError(f"cannot read settings file {path}: {exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc}") from exc


def _apply_document(settings: Settings, document: dict[str, Any], path: Path) -> Settings:
    unknown = set(document) - {f.name for f in fields(settings)}
    if unknown:
        raise SettingsError(f"unknown section(s) in {path}: {', '.join(sorted(unknown))}")
    return replace(
        settings,
        **{
            name: _apply(getattr(settings, name), values, name) for name, values in document.items()
        },
    )


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults ← settings file (if any) ← override file (if any) ← environment."""
    environ = dict(os.environ) if environ is None else environ
    settings = Settings()
    second = override_file(environ)
    for source in (settings_file(path, environ), *([second] if second else [])):
        document = _read_document(source)
        if document is not None:
            settings = _apply_document(settings, document, source)
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
    return validate(replace(settings, **overrides))
