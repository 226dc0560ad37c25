"""`retiscreen selftest`: is this installation ready to screen patients?

Run after installation (the .deb's postinst does), at kiosk start-up by IT, or by hand.
Each check is a :class:`Check`; the installation is fit to screen when every *critical*
check passes. A printer or a camera that is not there yet is reported but not critical
(a kiosk may print later, and may grade files from a folder), unless the caller says
the camera is required.

Checks, in order:

* model signature: the models folder's Ed25519 signature verifies against a trusted key
  and the grader and quality model (ONNX files and cards) are exactly the signed bytes
  (through :class:`~retiscreen.grading.model.OnnxModel`, via the pipeline);
* operating point: a site threshold lies inside the card's validated range;
* execution provider: which onnxruntime provider actually runs (CUDA falls back silently);
* clock: not earlier than the newest record nor the grader's date (a clock set back
  would misdate screenings, reports and referral due dates);
* database: the data folder's database opens, and an audit event 'selftest' is written
  and read back;
* audit trail: the hash chain through every audit record recomputed, and its head
  checked against the authenticated copy outside the database;
* disk space: free space in the data folder (warning only);
* print queue: print jobs that gave up, and saved screenings without a report (warning);
* outbox: sends to the clinic's systems that failed and are waiting to be retried
  (warning); with ``--integration`` also whether each configured PACS, worklist, HL7
  listener and FHIR server answers;
* printer: the configured (or default) CUPS queue exists and accepts jobs;
* camera: a /dev/video* device, else a Qt multimedia camera (probed in a subprocess, so
  Qt stays out of the core and a hung camera stack cannot hang the self-test);
* negative and positive control: the bundled CC0 photograph of a normal eye must give
  ``routine`` and one IDRiD photograph of proliferative DR (CC BY 4.0) ``refer`` or
  ``urgent`` (``assets/controls/``), which exercises decode, quality gate,
  preprocessing, the grader and the decision rules end to end.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retiscreen import __version__
from retiscreen.catalogue import ENGLISH
from retiscreen.domain import DecisionKind, Laterality
from retiscreen.errors import ConfigurationError, RetiScreenError
from retiscreen.pipeline import Pipeline
from retiscreen.settings import Settings, bundled_dir

CONTROLS = "controls"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LOW_DISK_BYTES = 1 << 30
CAMERA_PROBE_TIMEOUT_S = 20.0

# Listing Qt cameras needs a Q(Core)Application; it runs in a child interpreter so that
# the core never imports Qt and a wedged camera stack cannot wedge the self-test.
_QT_CAMERA_PROBE = """
import sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtMultimedia import QMediaDevices
app = QCoreApplication(sys.argv[:1])
for device in QMediaDevices.videoInputs():
    print(device.description() or bytes(device.id()).decode(errors="replace"))
"""


@dataclass(frozen=True)
class Check:
    """One self-test item: what was checked, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str
    critical: bool = True

    @property
    def label(self) -> str:
        if self.ok:
            return "[ OK ]"
        return "[FAIL]" if self.critical else "[WARN]"

    def line(self) -> str:
        return f"{self.label} {self.name}: {self.detail}"


@dataclass(frozen=True)
class SelftestResult:
    """All checks; ``ok`` when every critical check passed."""

    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks if check.critical)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def check(self, name: str) -> Check:
        """The check called ``name`` (KeyError when there is none)."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def summary(self) -> str:
        """One line per check, then a verdict a technician can act on."""
        lines = [f"RetiScreen {__version__} self-test"]
        lines += [check.line() for check in self.checks]
        critical = [c for c in self.failed if c.critical]
        warnings = [c for c in self.failed if not c.critical]
        note = f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""
        if critical:
            names = ", ".join(c.name for c in critical)
            lines.append(
                f"SELFTEST FAILED: {names}. Do not screen patients with this "
                f"installation until this is fixed{note}."
            )
        else:
            lines.append(f"selftest passed: all critical checks OK{note}.")
        return "\n".join(lines)


# --------------------------------------------------------------------------- checks


def _short(sha256: str) -> str:
    return f"sha256 {sha256[:12]}…"


def check_models(pipeline: Pipeline, models_dir: Path) -> Check:
    if pipeline.unavailable or pipeline.grader is None or pipeline.gradability is None:
        why = pipeline.unavailable or "the grader or the quality model is not loaded"
        return Check("model signature", False, f"{why} (models folder {models_dir})")
    card = pipeline.grader.model.card
    quality = pipeline.gradability.model.card
    parts = [
        f"grader {card.name} {card.version} ({_short(card.sha256)})",
        f"quality {quality.name} {quality.version} ({_short(quality.sha256)})",
    ]
    return Check(
        "model signature",
        True,
        ", ".join(parts) + f" in {models_dir}, signed by key {pipeline.signed_by}",
    )


def check_provider(pipeline: Pipeline, prefer_gpu: bool) -> Check:
    provider = pipeline.provider
    if provider is None:
        return Check("execution provider", False, "no model loaded, nothing runs")
    if provider == "CPUExecutionProvider" and prefer_gpu:
        available = _available_providers()
        if "CUDAExecutionProvider" in available:
            why = "CUDA is installed but could not start (driver/libraries); using the CPU"
        else:
            why = "this onnxruntime has no CUDA support; using the CPU"
        return Check("execution provider", True, f"{provider} ({why})")
    if provider == "CPUExecutionProvider":
        return Check("execution provider", True, f"{provider} (GPU not requested)")
    return Check("execution provider", True, provider)


def _available_providers() -> list[str]:
    try:
        import onnxruntime as ort

        return [str(p) for p in ort.get_available_providers()]
    except Exception:  # an onnxruntime that cannot even list providers
        return []


def check_database(root: Path, full: bool = False) -> Check:
    """Writable, and sound: SQLite's quick check of every page, or with ``full`` the
    integrity check plus every stored photograph and report against its sha256."""
    from retiscreen.store import ScreeningStore, StorageError

    nonce = uuid.uuid4().hex
    try:
        with ScreeningStore(root) as store:
            problems = store.integrity_problems() if full else store.quick_check()
            if problems:
                shown = "; ".join(problems[:3]) + (" ..." if len(problems) > 3 else "")
                return Check(
                    "database",
                    False,
                    f"{root / 'retiscreen.db'} is damaged ({shown}): stop screening, restore "
                    "the last backup (retiscreen restore) and call IT",
                )
            store.audit("selftest", operator="selftest", nonce=nonce, version=__version__)
            found = any(
                event["event"] == "selftest" and event["detail"].get("nonce") == nonce
                for event in store.audit_events()[-20:]
            )
    except StorageError as exc:
        return Check("database", False, f"{root}: {exc}")
    except Exception as exc:  # anything else is as fatal for screening, and must be said
        return Check("database", False, f"{root}: unexpected error {exc!r}")
    if not found:
        return Check("database", False, f"{root}: the audit event written was not read back")
    checked = "integrity check and every stored file" if full else "quick check"
    return Check(
        "database",
        True,
        f"{root / 'retiscreen.db'} sound ({checked}) and writable (audit event read back)",
    )


CLOCK_SLACK = timedelta(minutes=5)


def check_clock(root: Path, pipeline: Pipeline, now: datetime | None = None) -> Check:
    """The clock dates every record, report and follow-up: it must not be earlier than
    the newest record (set back, or a dead clock battery) nor than the grader was made."""
    from retiscreen.store import ScreeningStore, StorageError

    now = now or datetime.now(UTC)
    floors: list[tuple[datetime, str]] = []
    if pipeline.grader is not None:
        made = pipeline.grader.model.card.document.get("training", {}).get("date")
        if made:
            floors.append((datetime.fromisoformat(made).replace(tzinfo=UTC), "the grader's date"))
    try:
        with ScreeningStore(root) as store:
            latest = store.latest_event_time()
    except StorageError:
        latest = None  # the database check says why
    if latest is not None:
        floors.append((latest - CLOCK_SLACK, "the newest record"))
    shown = now.strftime("%Y-%m-%d %H:%M UTC")
    for floor, what in floors:
        if now < floor:
            return Check(
                "clock",
                False,
                f"{shown} is earlier than {what} ({floor:%Y-%m-%d %H:%M} UTC): set the date "
                "and time (dates of screenings, reports and referrals would be wrong)",
            )
    return Check("clock", True, f"{shown}, not earlier than the newest record")


def check_print_queue(root: Path) -> Check:
    """Print jobs that gave up and screenings without a report are kept, never dropped:
    they are listed here until ``retiscreen print-queue`` deals with them."""
    from retiscreen.store import ScreeningStore

    try:
        with ScreeningStore(root) as store:
            failed = store.failed_print_jobs()
            unreported = store.screenings_without_report(datetime.now(UTC).isoformat())
    except RetiScreenError as exc:
        return Check("print queue", False, f"cannot be read: {exc}", critical=False)
    problems = []
    if failed:
        problems.append(f"{len(failed)} print job(s) gave up (last: {failed[-1]['last_error']})")
    if unreported:
        problems.append(f"{len(unreported)} saved screening(s) have no report")
    if problems:
        return Check(
            "print queue", False, "; ".join(problems) + ": run retiscreen print-queue", False
        )
    return Check("print queue", True, "no failed print job, every saved screening has a report")


def check_audit_trail(root: Path) -> Check:
    """The audit trail's hash chain recomputed and its authenticated head checked: an
    edited, deleted or reordered record is a failure (the trail is evidence)."""
    from retiscreen.store import ScreeningStore

    try:
        with ScreeningStore(root) as store:
            verdict = store.verify_audit()
    except RetiScreenError as exc:
        return Check("audit trail", False, f"cannot be read: {exc}")
    return Check("audit trail", verdict.intact, verdict.line())


def check_outbox(root: Path) -> Check:
    """Results the clinic's systems have not taken yet: kept and retried, listed here
    until they go through (``retiscreen outbox``)."""
    from retiscreen.store import ScreeningStore

    try:
        with ScreeningStore(root) as store:
            failing = store.failing_sends()
            pending = store.outbox_items()
    except RetiScreenError as exc:
        return Check("outbox", False, f"cannot be read: {exc}", critical=False)
    if failing:
        last = failing[-1]
        return Check(
            "outbox",
            False,
            f"{len(failing)} send(s) not accepted yet (last: {last['channel']} "
            f"{last['destination']}: {last['last_error']}): run retiscreen outbox",
            critical=False,
        )
    return Check("outbox", True, f"{len(pending)} send(s) waiting, none failed", critical=False)


def check_integration(settings: Settings) -> list[Check]:
    """``--integration``: each configured peer answers (C-ECHO, TCP, CapabilityStatement)."""
    from retiscreen.integration.delivery import test_connections

    results = test_connections(settings.integration)
    if not results:
        return [Check("integration", False, "no destination or worklist is configured", False)]
    return [
        Check(f"{what} {target}", problem is None, problem or "reachable", critical=False)
        for what, target, problem in results
    ]


def check_accounts(settings: Settings) -> Check:
    """No PIN anyone could know: none in the settings file (the retired ``admin_pin``),
    an administrator chosen at first start, and every PIN hashed with Argon2id."""
    from retiscreen.accounts import LEGACY_PREFIX
    from retiscreen.store import ScreeningStore

    if settings.kiosk.admin_pin is not None:
        return Check(
            "accounts",
            False,
            "[kiosk] admin_pin in the settings file is a PIN in plain text and is no longer "
            "used: remove it (administrators are accounts: retiscreen users)",
        )
    try:
        with ScreeningStore(settings.storage.root) as store:
            accounts = store.accounts()
    except RetiScreenError as exc:
        return Check("accounts", False, f"cannot be read: {exc}")
    if not any(a.role == "admin" for a in accounts):
        return Check(
            "accounts",
            False,
            "no administrator yet: the kiosk asks for one at its first start (or run "
            "retiscreen users add NAME --role admin)",
            critical=False,
        )
    legacy = [a.name for a in accounts if a.pin_hash.startswith(LEGACY_PREFIX)]
    if legacy:
        return Check(
            "accounts",
            False,
            f"{len(legacy)} account(s) still have an older PIN hash: it is replaced at "
            "their next sign-in",
            critical=False,
        )
    return Check("accounts", True, f"{len(accounts)} account(s), PINs hashed with Argon2id")


def check_disk(root: Path) -> Check:
    probe = root
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError as exc:
        return Check("disk space", False, f"{root}: {exc}", critical=False)
    text = f"{free / 1e9:.1f} GB free in {probe}"
    if free < LOW_DISK_BYTES:
        return Check("disk space", False, f"only {text}: free space soon", critical=False)
    return Check("disk space", True, text, critical=False)


def check_printer(configured: str) -> Check:
    from retiscreen.report.printing import PrinterError, default_printer, printer_ready

    try:
        name = configured or default_printer()
    except PrinterError as exc:
        return Check(
            "printer", False, f"{exc} (reports are kept and can be printed later)", critical=False
        )
    if not name:
        return Check(
            "printer",
            False,
            "no printer configured and no CUPS default destination "
            "(reports are kept and can be printed later)",
            critical=False,
        )
    source = "settings" if configured else "CUPS default"
    if printer_ready(name):
        return Check("printer", True, f"'{name}' ({source}) is ready", critical=False)
    return Check(
        "printer",
        False,
        f"'{name}' ({source}) is missing, stopped or rejecting jobs",
        critical=False,
    )


def find_cameras() -> list[str]:
    """Camera names: V4L2 capture nodes first, else whatever Qt Multimedia lists."""
    names: list[str] = []
    for node in sorted(glob.glob("/dev/video*")):
        sysfs = Path("/sys/class/video4linux") / Path(node).name / "name"
        try:
            label = sysfs.read_text(encoding="utf-8").strip()
        except OSError:
            label = ""
        names.append(f"{node} ({label})" if label else node)
    if names:
        return names
    if importlib.util.find_spec("PySide6") is None:
        return []
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    try:
        result = subprocess.run(
            [sys.executable, "-c", _QT_CAMERA_PROBE],
            capture_output=True,
            text=True,
            timeout=CAMERA_PROBE_TIMEOUT_S,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if result.returncode != 0:
        return []
    return [f"Qt: {line.strip()}" for line in result.stdout.splitlines() if line.strip()]


def check_camera(required: bool, finder: Callable[[], list[str]]) -> Check:
    cameras = finder()
    if cameras:
        return Check("camera", True, ", ".join(cameras), critical=required)
    hint = "no camera found (no /dev/video*, none listed by Qt Multimedia)"
    if not required:
        hint += "; photographs can still be graded from files"
    return Check("camera", False, hint, critical=required)


@dataclass(frozen=True)
class Control:
    """A photograph with a known answer: the installed models must give one of
    ``expected`` for it (``assets/controls/controls.json``)."""

    name: str
    image: Path
    expected: frozenset[DecisionKind]
    about: str


def read_controls(assets: Path) -> list[Control]:
    """The control photographs of ``assets/controls``; a missing or unreadable list is
    an empty one (``run_selftest`` then fails: a bundle without controls is broken)."""
    folder = assets / CONTROLS
    try:
        document = json.loads((folder / "controls.json").read_text(encoding="utf-8"))
        return [
            Control(
                str(c["name"]),
                (folder / c["file"]).resolve(),
                frozenset(DecisionKind(e) for e in c["expected"]),
                str(c["about"]),
            )
            for c in document["controls"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def check_control(pipeline: Pipeline, control: Control) -> Check:
    """Grade ``control`` end to end (decode, quality gate, preprocessing, grader,
    decision rules) and pass only when its decision is one of the expected ones."""
    name, image = control.name, control.image
    expected = " or ".join(sorted(k.value for k in control.expected))
    if not image.is_file():
        return Check(name, False, f"{image.name} is missing: the bundle is incomplete")
    if pipeline.unavailable:
        return Check(name, False, f"cannot grade {image.name}: {pipeline.unavailable}")
    start = time.perf_counter()
    eye = pipeline.assess_eye(Laterality.LEFT, image)
    elapsed_ms = (time.perf_counter() - start) * 1000.0
    if eye.image is None:
        return Check(name, False, f"{image.name} could not be read: {eye.error}")
    quality = eye.quality
    if quality is None or not quality.gradable:
        why = (
            " ".join(ENGLISH.quality(r) for r in quality.reasons)
            if quality
            else (eye.error or "no quality verdict")
        )
        return Check(name, False, f"{image.name} ({control.about}) was judged ungradable: {why}")
    grade, decision = eye.grade, eye.decision
    if grade is None or decision is None:
        return Check(name, False, f"{image.name} was not graded: {eye.error or 'no result'}")
    text = (
        f"{image.name} ({control.about}): ICDR {int(grade.grade)} {ENGLISH.grade(grade.grade)}, "
        f"P(referable) {grade.referable_probability:.3f} vs threshold {grade.threshold:.3f}, "
        f"decision {decision.kind.value} (expected {expected}), {elapsed_ms:.0f} ms on "
        f"{grade.provider}"
    )
    if decision.kind not in control.expected:
        return Check(
            name, False, f"{text}: wrong answer; wrong or damaged model, or broken preprocessing"
        )
    return Check(name, True, text)


def check_controls(pipeline: Pipeline, controls: list[Control]) -> list[Check]:
    """One check per control photograph; none at all is itself a failure."""
    if not controls:
        return [Check("control photographs", False, "none found: the bundle is incomplete")]
    return [check_control(pipeline, control) for control in controls]


# --------------------------------------------------------------------------- entry points


def run_selftest(
    settings: Settings,
    *,
    camera_required: bool = False,
    camera_finder: Callable[[], list[str]] | None = None,
    controls: list[Control] | None = None,
    integrity: bool = False,
    integration: bool = False,
) -> SelftestResult:
    """Run every check (none raises); see the module docstring for what each means."""
    models_dir = settings.models.directory
    threshold = settings.models.referable_threshold
    operating_point: Check | None = None
    try:
        try:
            pipeline = Pipeline.from_settings(settings)
        except ConfigurationError as exc:  # a site threshold outside the validated range
            operating_point = Check("operating point", False, str(exc))
            card_threshold = replace(settings.models, referable_threshold=-1.0)
            pipeline = Pipeline.from_settings(replace(settings, models=card_threshold))
    except Exception as exc:  # e.g. onnxruntime itself missing from a broken bundle
        pipeline = Pipeline(rules=settings.rules, unavailable=f"cannot load the models ({exc!r})")
    if operating_point is None and threshold >= 0 and pipeline.grader is not None:
        operating_point = Check(
            "operating point",
            True,
            f"site-calibrated threshold {threshold:.3f} (model card: "
            f"{pipeline.grader.model.card.threshold:.3f}), inside the validated range",
            critical=False,
        )
    checks = [
        check_models(pipeline, models_dir),
        *([operating_point] if operating_point else []),
        check_provider(pipeline, settings.models.prefer_gpu),
        check_clock(settings.storage.root, pipeline),
        check_database(settings.storage.root, full=integrity),
        check_audit_trail(settings.storage.root),
        check_disk(settings.storage.root),
        check_accounts(settings),
        check_printer(settings.report.printer),
        check_print_queue(settings.storage.root),
        check_outbox(settings.storage.root),
        check_camera(camera_required, camera_finder or find_cameras),
        *(check_integration(settings) if integration else []),
    ]
    checks += check_controls(
        pipeline, read_controls(bundled_dir("assets")) if controls is None else controls
    )
    return SelftestResult(checks)
