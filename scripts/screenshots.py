"""Save a PNG of every kiosk page at 1280×800, for the README and for review.

    xvfb-run -a -s "-screen 0 1280x800x24" python scripts/screenshots.py --out docs/screenshots
    xvfb-run -a -s "-screen 0 1920x1080x24" python scripts/screenshots.py --size 1920x1080 \
        --out /tmp/shots-1080

Runs the real kiosk window in demo mode (file-backed camera over assets/demo) against a
temporary data folder, the trained models in models/ when they are there (else tiny
test models, which grade every gradable photograph as moderate DR), and no printer
unless --printer is given. It drives the pages the way an operator would, so the
pictures show real verdicts, real results and real messages.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from retiscreen.accounts import AccountBook, Role  # noqa: E402
from retiscreen.domain import Laterality, Patient  # noqa: E402
from retiscreen.service import ScreeningService  # noqa: E402
from retiscreen.settings import (  # noqa: E402
    CaptureSettings,
    KioskSettings,
    ModelSettings,
    ReportSettings,
    Settings,
    StorageSettings,
)
from retiscreen.ui.app import application, build_window  # noqa: E402
from retiscreen.ui.screening_job import STEP_SAVE  # noqa: E402
from retiscreen.ui.session import ScreeningDraft  # noqa: E402
from retiscreen.ui.window import KioskWindow  # noqa: E402

SIZE = (1280, 800)


def models_dir(work: Path) -> tuple[Path, str]:
    real = REPO / "models"
    if (real / "grader.card.json").exists():
        return real, "trained models in models/"
    from tests.support.tiny_models import write_models

    return write_models(work / "models"), "tiny test models (models/grader.* not present yet)"


ADMIN_PIN = "582913"


def spin(app: QApplication, seconds: float = 0.3, until: Callable[[], bool] | None = None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end or (
        until is not None and not until() and time.monotonic() < end + 30
    ):
        app.processEvents()
        time.sleep(0.01)
        if until is not None and until() and time.monotonic() >= end:
            break


class Shooter:
    def __init__(self, app: QApplication, window: KioskWindow, out: Path) -> None:
        self.app, self.window, self.out = app, window, out
        self.count = 0

    def shot(self, name: str) -> None:
        spin(self.app, 0.3)
        self.count += 1
        path = self.out / f"{self.count:02d}-{name}.png"
        self.window.grab().save(str(path))
        print(f"saved {path}")


def checked(window: KioskWindow) -> bool:
    return window.capture.state != "checking"


def overread(app: QApplication, window: KioskWindow, shoot: Shooter) -> None:
    """The administrator over-reads a screening with proliferative DR in the right eye
    (the positive control photograph, graded and saved through the service, so its
    heatmap shows something): the queue, then both photographs with their heatmaps and
    the grade keys."""
    service = window.ctx.service
    control = REPO / "assets" / "controls" / "positive_idrid_239.jpg"
    demo = REPO / "assets" / "demo" / "retina_cc0.jpg"
    eyes = service.pipeline.assess_eyes([(Laterality.RIGHT, control), (Laterality.LEFT, demo)])
    patient = Patient("MRN-31190", "João Batista Silva", date(1949, 11, 2), "Male")
    service.record(
        service.pipeline.screen(patient, {e.laterality: e for e in eyes}, "nurse", "clinic")
    )
    if window.home.sign_out.isVisible():
        window.home.sign_out.click()
    window.home.overread.click()
    window.review_signin.choose("Administrator")
    window.review_signin.pad.type_pin(ADMIN_PIN)
    window.review_signin.pad.ok.click()
    spin(app, 1.0, until=lambda: window.current is window.overread_queue)
    queue = window.overread_queue
    queue.search.setText(patient.patient_id)
    queue.search_records()
    spin(app, 1.0, until=lambda: queue.table.rowCount() > 0)
    queue.keyboard.close_keyboard()
    shoot.shot("overread-queue")
    queue.table.selectRow(0)
    queue.open_selected()
    spin(app, 1.0, until=lambda: window.overread.screening is not None)
    shoot.shot("overread-heatmaps")
    window.overread.back.emit()
    queue.closed.emit()


def run(out: Path, printer: str, size: tuple[int, int] = SIZE) -> None:
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="retiscreen-shots-"))
    models, which = models_dir(work)
    print(f"models: {which}")
    black = work / "black-frame.png"
    Image.fromarray(np.zeros((900, 900, 3), np.uint8)).save(black)
    settings = Settings(
        storage=StorageSettings(str(work / "data")),
        models=ModelSettings(models_dir=str(models), prefer_gpu=False),
        capture=CaptureSettings(max_retakes=2),
        kiosk=KioskSettings(fullscreen=False, idle_timeout_s=600),
        report=ReportSettings(printer=printer or "retiscreen-no-such-printer"),
    )
    app = application()
    service = ScreeningService(settings)
    AccountBook(service.store).add("Administrator", Role.ADMIN, ADMIN_PIN, by="screenshots")
    window = build_window(settings, service, demo=True, path=work / "settings.toml")
    window.resize(*size)
    window.show()
    shoot = Shooter(app, window, out)
    spin(app, 1.0)
    shoot.shot("home")

    window.home.start.click()
    shoot.shot("operator-sign-in")
    window.signin.choose("nurse")
    window.signin.pad.type_pin("1234")
    window.signin.pad.ok.click()
    spin(app, 1.0, until=lambda: window.current is window.patient)
    window.patient.patient_id.setText("MRN-20417")
    window.patient.name.setText("María José García")
    window.patient.dob.setText("24/03/1958")
    window.patient.choose_sex("Female")
    shoot.shot("patient-details")
    window.patient.next.click()
    window.confirm.patient_id.setText("MRN-20471")
    window.confirm.dob.setText("24/03/1958")
    window.confirm.ok.click()
    shoot.shot("confirm-mismatch")
    window.confirm.patient_id.setText("MRN-20417")
    window.confirm.ok.click()
    shoot.shot("right-eye-camera")
    window.capture.use_file(black)
    spin(app, 0.5, until=lambda: checked(window))
    shoot.shot("right-eye-ungradable-retake")
    window.capture.start_retake()
    window.capture.take_photo()
    spin(app, 0.5, until=lambda: checked(window))
    shoot.shot("right-eye-good")
    window.capture.use_photo()
    window.capture.show_skip()
    shoot.shot("left-eye-skip-reasons")
    window.capture.skip_back.click()
    window.capture.choose_file()
    spin(app, 0.3)
    picker = window.capture._picker
    if picker is not None:
        picker.open_folder(REPO / "assets" / "demo")
        picker.select(REPO / "assets" / "demo" / "retina_cc0.jpg")
        spin(app, 0.3)
        picker.grab().save(str(out / f"{shoot.count + 1:02d}-import-from-file.png"))
        shoot.count += 1
        print("saved import-from-file")
        picker.accept_selection()
    spin(app, 0.5, until=lambda: checked(window))
    window.capture.use_photo()
    spin(app, 2.0, until=lambda: window.current is window.result)
    shoot.shot("result")

    window.result.finish.click()
    window.set_language("es")
    shoot.shot("home-spanish")
    draft = ScreeningDraft(
        "nurse", Patient("MRN-20417", "María José García", date(1958, 3, 24), "Female")
    )
    window.draft = draft
    window.confirm.set_patient(draft.patient)  # type: ignore[arg-type]
    window.go(window.confirm)
    window.confirm.patient_id.setText("MRN-20417")
    window.confirm.dob.setText("24/03/1958")
    window.confirm.ok.click()
    window.capture.take_photo()
    spin(app, 0.5, until=lambda: checked(window))
    shoot.shot("right-eye-good-spanish")
    window.capture.use_photo()
    window.capture.skip_eye("Artificial eye (prosthesis)")
    spin(app, 2.0, until=lambda: window.current is window.result)
    shoot.shot("result-spanish")
    window.result.finish.click()
    window.set_language("en")

    window.go(window.grading)
    window.grading._mark(STEP_SAVE)
    window.grading.message.show_message(
        window.grading.tr("Please wait. This takes a few seconds."), "info"
    )
    shoot.shot("grading-progress")
    window.grading.clear()
    window.go(window.home)

    window.home.admin.click()
    window.admin_signin.pad.type_pin(ADMIN_PIN)
    shoot.shot("admin-sign-in")
    window.admin_signin.pad.ok.click()
    spin(app, 1.0, until=lambda: window.current is window.admin)
    shoot.shot("admin-settings")
    window.admin.tabs.setCurrentIndex(1)
    spin(app, 1.0)
    shoot.shot("admin-history")
    window.admin.tabs.setCurrentIndex(2)
    window.admin.system_tab.run_self_test()
    spin(app, 3.0, until=lambda: window.admin.system_tab.self_test.isEnabled())
    shoot.shot("admin-system-self-test")
    window.close_admin()
    spin(app, 0.5)
    overread(app, window, shoot)
    window.exit_kiosk()
    service.store.close()
    Image.open(out / "01-home.png").verify()
    print(f"{shoot.count} screenshots in {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--printer", default="", help="CUPS queue for the printed result")
    parser.add_argument(
        "--size",
        default="1280x800",
        help="window size, e.g. 1920x1080 "
        "(run Xvfb with a screen at least that big: the type scales with it)",
    )
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    run(args.out, args.printer, (width, height))


if __name__ == "__main__":
    main()
