"""The camera hand-off under load, in real time: 100 files dropped into the watched
folder in bursts (the two eyes 0.1 s apart, copies written in two parts, transfers that
stop half-way, DICOM files that name their eye and patient, and a crash mid-batch) are
every one either screened and in ``done/`` or in ``failed/`` with a reason; none is lost,
none is screened twice."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from retiscreen.capture.watch import (
    DONE,
    FAILED,
    REASON_SUFFIX,
    CameraInbox,
    EyePatterns,
    PhotoQueue,
)
from retiscreen.domain import EyeStatus, Laterality, Patient
from retiscreen.pipeline import Pipeline
from retiscreen.service import EyeInput, ScreeningService
from retiscreen.settings import Settings, StorageSettings
from tests.support.builders import fundus_bytes
from tests.support.dicom import ophthalmic_photograph
from tests.support.images import synthetic_fundus

PAIRS, TRUNCATED, DICOM_PAIRS = 40, 10, 5
TOTAL = 2 * PAIRS + TRUNCATED + 2 * DICOM_PAIRS


def camera(folder: Path, truncated: dict[str, bytes]) -> None:
    """What a busy camera and a flaky network share do, in bursts of five visits."""
    for n in range(PAIRS):
        right, left = fundus_bytes(1000 + n), fundus_bytes(2000 + n)
        if n % 5 == 0:  # a copy under way: half now, the rest a moment later
            (folder / f"{n:03d}_OD.jpg").write_bytes(right[: len(right) // 2])
            time.sleep(0.3)
        (folder / f"{n:03d}_OD.jpg").write_bytes(right)
        time.sleep(0.1)  # the left eye 0.1 s after the right
        (folder / f"{n:03d}_OS.jpg").write_bytes(left)
        if n % 4 == 0 and len(truncated) < TRUNCATED:  # a transfer that stops for good
            name = f"{n:03d}_cut_{len(truncated)}.jpg"
            data = fundus_bytes(3000 + n)[:5000]
            truncated[name] = data
            (folder / name).write_bytes(data)
        if n % 5 == 4:
            time.sleep(0.5)  # the next patient sits down
    for k in range(DICOM_PAIRS):
        for side, seed in (("R", 4000 + k), ("L", 5000 + k)):
            dataset = ophthalmic_photograph(synthetic_fundus(320, seed), side, f"DCM-{k}")
            dataset.save_as(folder / f"scan-{k}-{side}.dcm", enforce_file_format=True)
        time.sleep(0.1)
    while len(truncated) < TRUNCATED:  # not reached with the numbers above
        name = f"late_cut_{len(truncated)}.jpg"
        truncated[name] = fundus_bytes(6000 + len(truncated))[:4000]
        (folder / name).write_bytes(truncated[name])


def new_queue(folder: Path) -> PhotoQueue:
    patterns = EyePatterns.parse("*_od.*,*-r.*", "*_os.*,*-l.*")
    return PhotoQueue(CameraInbox(folder, settle_s=0.3, patterns=patterns, abandon_s=1.5))


def screen_pair(service: ScreeningService, queue: PhotoQueue) -> bool:
    """Take a right and a left photograph waiting, screen them, file the files."""
    if not any(a.laterality is Laterality.LEFT for a in queue.waiting):
        return False
    right = queue.take(Laterality.RIGHT, labelled_only=True)
    if right is None:
        return False
    left = queue.take(Laterality.LEFT, labelled_only=True)
    assert left is not None and right.image is not None and left.image is not None
    patient_id = right.image.patient_id_hint or f"P-{right.path.stem[:3]}"
    screening = service.screen(
        Patient(patient_id, "Test Patient"),
        [EyeInput(Laterality.RIGHT, right.image), EyeInput(Laterality.LEFT, left.image)],
        "camera-test",
    )
    service.record(screening)
    for arrival, eye in ((right, screening.eyes[0]), (left, screening.eyes[1])):
        if eye.status is EyeStatus.UNREADABLE:
            queue.inbox.settle(arrival.path, FAILED, f"Refused: {eye.error}")
        else:
            reason = f"Screening {screening.screening_id}, {eye.laterality.value} eye."
            queue.inbox.settle(arrival.path, DONE, reason)
    return True


def test_a_hundred_files_in_bursts_are_each_screened_or_failed_with_a_reason(
    tmp_path: Path, tiny_pipeline: Pipeline
) -> None:
    folder = tmp_path / "camera"
    folder.mkdir()
    settings = Settings(storage=StorageSettings(str(tmp_path / "data")))
    service = ScreeningService(settings, pipeline=tiny_pipeline)
    truncated: dict[str, bytes] = {}
    writer = threading.Thread(target=camera, args=(folder, truncated))
    writer.start()
    queue = new_queue(folder)
    crashed = False
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            queue.refresh()
            while screen_pair(service, queue):
                pass
            done_now = len(list((folder / DONE).glob("*.jpg"))) if (folder / DONE).exists() else 0
            if not crashed and done_now >= 30 and queue.waiting:
                # The kiosk dies holding photographs it took but never filed: they are
                # still in the folder, and the next start takes them again.
                queue.take(Laterality.RIGHT)
                queue = new_queue(folder)
                crashed = True
            top_level = [p for p in folder.iterdir() if p.is_file()]
            if not writer.is_alive() and not top_level and not queue.waiting:
                break
            time.sleep(0.05)
    finally:
        writer.join()
        service.close()
    assert crashed
    leftover = [p.name for p in folder.iterdir() if p.is_file()]
    assert leftover == [], f"files neither screened nor failed: {leftover}"
    handled = {
        outcome: sorted(p for p in (folder / outcome).iterdir() if not p.name.endswith(".txt"))
        for outcome in (DONE, FAILED)
    }
    names = [p.name for p in handled[DONE] + handled[FAILED]]
    assert len(names) == TOTAL == len(set(names))  # every file once, none renamed twice
    for path in handled[DONE] + handled[FAILED]:
        assert path.with_name(path.name + REASON_SUFFIX).read_text().strip()
    assert {p.name for p in handled[FAILED]} == set(truncated)
    for name, data in truncated.items():
        assert (folder / FAILED / name).read_bytes() == data  # kept as it arrived
    reopened = ScreeningService(settings, pipeline=tiny_pipeline)
    try:
        screenings = reopened.store.history(limit=500)
    finally:
        reopened.close()
    assert len(screenings) == len(handled[DONE]) // 2 == PAIRS + DICOM_PAIRS
    ids = {row["screening_id"] for row in screenings}
    for path in handled[DONE]:
        reason = path.with_name(path.name + REASON_SUFFIX).read_text()
        assert reason.split()[1].rstrip(",") in ids
    assert {row["patient_id"] for row in screenings} >= {f"DCM-{k}" for k in range(DICOM_PAIRS)}
