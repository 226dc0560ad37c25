"""The camera hand-off's rules, driven by a fake clock: files present at start are
taken, a file is taken only once it has stopped changing and decodes, one that never
completes is handed over as a failure, which eye comes from DICOM or the file name,
nothing waiting is dropped, and handled files are moved (never overwritten or deleted)
with a reason beside them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retiscreen.capture.watch import (
    DONE,
    FAILED,
    REASON_SUFFIX,
    CameraInbox,
    EyePatterns,
    PhotoQueue,
)
from retiscreen.domain import Laterality
from tests.support.builders import fundus_bytes
from tests.support.dicom import ophthalmic_photograph
from tests.support.images import encode, synthetic_fundus


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def inbox(folder: Path, clock: Clock, **options: object) -> CameraInbox:
    patterns = EyePatterns.parse("*right*,*_od.*", "*left*,*_os.*")
    return CameraInbox(folder, 1.0, clock, patterns=patterns, abandon_s=5.0, **options)  # type: ignore[arg-type]


def settled(box: CameraInbox, clock: Clock, seconds: float = 1.5) -> list[Path]:
    """Poll once to see the files, once more after they have been still for a while."""
    box.poll()
    clock.now += seconds
    return [a.path for a in box.poll()]


def test_files_already_there_at_start_are_taken(tmp_path: Path, clock: Clock) -> None:
    (tmp_path / "before-the-crash.jpg").write_bytes(fundus_bytes(1))
    assert [p.name for p in settled(inbox(tmp_path, clock), clock)] == ["before-the-crash.jpg"]


def test_a_file_is_taken_once_complete_and_once_only(tmp_path: Path, clock: Clock) -> None:
    box = inbox(tmp_path, clock)
    data = fundus_bytes(2)
    target = tmp_path / "IMG_0002.JPG"
    target.write_bytes(data[: len(data) // 2])
    assert box.poll() == []
    clock.now += 2.0  # stopped growing for a while, but does not decode: keep waiting
    assert box.poll() == []
    target.write_bytes(data)
    assert box.poll() == []  # changed: the settling starts again
    clock.now += 1.2
    (arrival,) = box.poll()
    assert arrival.path == target and arrival.image is not None and arrival.problem is None
    clock.now += 10
    assert box.poll() == []


def test_a_transfer_that_never_completes_goes_to_failed_with_the_reason(
    tmp_path: Path, clock: Clock
) -> None:
    queue = PhotoQueue(inbox(tmp_path, clock))
    data = fundus_bytes(3)
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    queue.refresh()
    clock.now += 2.0
    assert queue.refresh() == 0 and (tmp_path / "cut.jpg").exists()  # still hoping
    clock.now += 4.0
    assert queue.refresh() == 0
    moved = tmp_path / FAILED / "cut.jpg"
    assert moved.read_bytes() == data[: len(data) // 3]  # kept, byte for byte
    reason = (tmp_path / FAILED / f"cut.jpg{REASON_SUFFIX}").read_text()
    assert "Not a complete photograph" in reason and "cut short" in reason


def test_which_eye_from_dicom_then_the_name_else_the_operator(tmp_path: Path, clock: Clock) -> None:
    ophthalmic_photograph(synthetic_fundus(300), laterality="L").save_as(
        tmp_path / "patient_right_but_dicom_says_left.dcm", enforce_file_format=True
    )
    (tmp_path / "a_OD.jpg").write_bytes(fundus_bytes(4))
    (tmp_path / "b-LEFT.jpg").write_bytes(fundus_bytes(5))
    (tmp_path / "c.jpg").write_bytes(fundus_bytes(6))
    (tmp_path / "d_right_left.jpg").write_bytes(fundus_bytes(7))  # both: ask
    box = inbox(tmp_path, clock)
    box.poll()
    clock.now += 1.5
    sides = {a.path.name: a.laterality for a in box.poll()}
    assert sides == {
        "patient_right_but_dicom_says_left.dcm": Laterality.LEFT,
        "a_OD.jpg": Laterality.RIGHT,
        "b-LEFT.jpg": Laterality.LEFT,
        "c.jpg": None,
        "d_right_left.jpg": None,
    }


def test_two_eyes_arriving_together_both_wait_for_their_page(tmp_path: Path, clock: Clock) -> None:
    queue = PhotoQueue(inbox(tmp_path, clock))
    (tmp_path / "scan_left.jpg").write_bytes(fundus_bytes(8))
    (tmp_path / "scan_right.jpg").write_bytes(fundus_bytes(9))
    queue.refresh()
    clock.now += 1.5
    assert queue.refresh() == 2
    right = queue.take(Laterality.RIGHT)
    assert right is not None and right.path.name == "scan_right.jpg"
    assert queue.take(Laterality.RIGHT) is None  # the left one is not given to the right
    left = queue.take(Laterality.LEFT)
    assert left is not None and left.path.name == "scan_left.jpg"


def test_an_unlabelled_file_is_not_taken_over_a_shown_verdict(tmp_path: Path, clock: Clock) -> None:
    queue = PhotoQueue(inbox(tmp_path, clock))
    (tmp_path / "c.jpg").write_bytes(fundus_bytes(10))
    queue.refresh()
    clock.now += 1.5
    queue.refresh()
    assert queue.take(Laterality.RIGHT, labelled_only=True) is None
    assert queue.take(Laterality.LEFT) is not None


def test_photographs_that_waited_too_long_are_set_aside(tmp_path: Path, clock: Clock) -> None:
    queue = PhotoQueue(inbox(tmp_path, clock), max_age_s=600)
    (tmp_path / "yesterday.jpg").write_bytes(fundus_bytes(11))
    queue.refresh()
    clock.now += 1.5
    queue.refresh()
    clock.now += 601
    assert queue.set_aside_stale(clock.now) == 1 and queue.waiting == []
    reason = (tmp_path / FAILED / f"yesterday.jpg{REASON_SUFFIX}").read_text()
    assert "another patient" in reason


def test_settling_moves_never_overwrites(tmp_path: Path, clock: Clock) -> None:
    box = inbox(tmp_path, clock)
    first, second = fundus_bytes(12), fundus_bytes(13)
    (tmp_path / "same.jpg").write_bytes(first)
    (tmp_path / DONE).mkdir()
    (tmp_path / DONE / "same.jpg").write_bytes(second)  # an earlier file of that name
    moved = box.settle(tmp_path / "same.jpg", DONE, "Screening S-1, right eye.")
    assert moved == tmp_path / DONE / "same-1.jpg" and moved.read_bytes() == first
    assert (tmp_path / DONE / "same.jpg").read_bytes() == second
    assert (tmp_path / DONE / f"same-1.jpg{REASON_SUFFIX}").read_text().startswith("Screening")
    assert box.settle(tmp_path / "gone.jpg", FAILED, "x") is None
    with pytest.raises(ValueError):
        box.settle(moved, "elsewhere", "x")
    assert settled(box, clock) == []  # done/ and failed/ are not watched


def test_an_image_that_is_not_a_retina_still_arrives(tmp_path: Path, clock: Clock) -> None:
    """The inbox decodes; judging the photograph is the quality gate's job (it says why)."""
    (tmp_path / "lens-cap.png").write_bytes(encode(np.zeros((400, 400, 3), np.uint8), "PNG"))
    box = inbox(tmp_path, clock)
    box.poll()
    clock.now += 1.5
    (arrival,) = box.poll()
    assert arrival.image is not None and arrival.problem is None
