"""The referral report PDF, checked for real: text with pdftotext, pages and size with
pdfinfo, pixels with pdftoppm, and the QR code with OpenCV's decoder."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from retiscreen import catalogue
from retiscreen.domain import (
    DecisionKind,
    EyeResult,
    FundusImage,
    ICDRGrade,
    Laterality,
    ModelIdentity,
    Patient,
    QualityReason,
    QualityReport,
    Screening,
)
from retiscreen.palette import DECISION_COLOURS
from retiscreen.report import fonts as report_fonts
from retiscreen.report.pdf import DISCLAIMER, page_size, render_report
from retiscreen.report.verification import qr_payload
from retiscreen.rules import ReferralRules
from retiscreen.settings import ClinicSettings, ReportSettings
from tests.support import builders

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm"))
pytestmark = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftotext, pdfinfo, pdftoppm) is not installed"
)

RULES = ReferralRules()
MODEL = ModelIdentity("dr-grader-effnet-lite0", "2.1.0", "9f8e7d6c5b4a" + "3" * 52)
REPORT_ID = "5d41402abc4b2a76b9719d911017c592"
CODE = "K7QF-2MXA-P4"
CLINIC = ClinicSettings(
    name="Northside Diabetes Clinic", address="12 High Street\nSpringfield 4000", phone="555 0100"
)
WHEN = datetime(2025, 3, 5, 10, 30)


# ---------------------------------------------------------------- builders


def fundus_pixels(seed: int = 0, size: tuple[int, int] = (480, 640)) -> np.ndarray:
    """A dark frame with a round reddish-brown 'retina' and a pale disc."""
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w]
    radius = np.hypot(yy - h / 2, xx - w / 2)
    image = np.zeros((h, w, 3), np.uint8)
    image[radius < min(h, w) * 0.42] = (150, 62, 40)
    image[np.hypot(yy - h / 2, xx - w * 0.62) < min(h, w) * 0.05] = (235, 205, 150)
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 8, size=image.shape, dtype=np.uint8)
    return np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def fundus(seed: int = 0) -> FundusImage:
    pixels = fundus_pixels(seed)
    return FundusImage(f"eye{seed}.jpg", pixels, f"{seed:064x}", (640, 480), "JPEG", b"")


def graded(laterality: Laterality, grade: ICDRGrade, probability: float) -> EyeResult:
    return builders.graded_eye(
        laterality,
        grade,
        probability,
        image=fundus(int(laterality is Laterality.LEFT)),
        quality=QualityReport(True, 0.93, (), {"sharpness": 1.0}),
        model=MODEL,
        provider="CUDAExecutionProvider",
    )


def ungradable(laterality: Laterality) -> EyeResult:
    return builders.ungradable_eye(laterality, image=fundus(3))


def screening(*eyes: EyeResult, patient: Patient | None = None, **changes: object) -> Screening:
    patient = patient or Patient("MRN-004211", "Amelia Thornbury", date(1958, 11, 2), "F")
    built = builders.screening(
        *eyes,
        screening_id="scr-2025-0042",
        patient=patient,
        operator="nurse.okafor",
        site="Northside kiosk 1",
        started_at=WHEN,
    )
    return replace(built, **changes) if changes else built  # type: ignore[arg-type]


def refer_screening() -> Screening:
    return screening(
        graded(Laterality.RIGHT, ICDRGrade.MODERATE, 0.83),
        graded(Laterality.LEFT, ICDRGrade.MILD, 0.31),
    )


def write(pdf: bytes, tmp_path: Path, name: str = "report.pdf") -> Path:
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def render(
    tmp_path: Path,
    scr: Screening,
    clinic: ClinicSettings = CLINIC,
    name: str = "report.pdf",
    **settings: object,
) -> Path:
    pdf = render_report(
        scr,
        clinic,
        ReportSettings(**settings),
        REPORT_ID,
        CODE,  # type: ignore[arg-type]
        "Intervals: ICO 2017",
    )
    return write(pdf, tmp_path, name)


def text_of(path: Path, *, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", *pages, str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(result.stdout.split())  # wrapping must not break phrase checks


def info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def page_image(path: Path, tmp_path: Path, dpi: int = 100, page: int = 1) -> np.ndarray:
    prefix = tmp_path / f"page{page}_{dpi}"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(prefix),
        ],
        check=True,
    )
    return np.asarray(Image.open(f"{prefix}.png").convert("RGB"))


def colour_pixels(image: np.ndarray, kind: DecisionKind, tolerance: int = 24) -> int:
    hex_colour = DECISION_COLOURS[kind][0]
    target = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], np.int16)
    return int((np.abs(image.astype(np.int16) - target).max(axis=2) <= tolerance).sum())


# ---------------------------------------------------------------- content


def test_report_text_has_identity_decision_grades_model_and_code(tmp_path: Path) -> None:
    path = render(tmp_path, refer_screening(), patient_letter=False)
    text = text_of(path)
    for expected in [
        "Northside Diabetes Clinic",
        "12 High Street",
        "Springfield 4000",
        "555 0100",
        "Diabetic retinopathy screening report",
        "Amelia Thornbury",
        "MRN-004211",
        "2 November 1958",
        "nurse.okafor",
        "Northside kiosk 1",
        "scr-2025-0042",
        "5 March 2025, 10:30",
        "Refer to an eye specialist",
        "within 3 months",
        "Next step due by: 5 June 2025",
        "Right eye (OD)",
        "Left eye (OS)",
        "Moderate non-proliferative DR",
        "Mild non-proliferative DR",
        "Referable DR probability: 83%",
        "Quality: Gradable (score 0.93)",
        "dr-grader-effnet-lite0 2.1.0",
        "9f8e7d6c5b4a",
        "CUDAExecutionProvider",
        f"Verification code: {CODE}",
        REPORT_ID,
        "Intervals: ICO 2017",
        "RetiScreen is research software, not a cleared medical device",
    ]:
        assert expected in text, expected
    assert "9f8e7d6c5b4a3333" not in text  # a short hash, not the whole digest
    assert "Not graded" not in text


def test_one_page_without_letter_two_with_letter(tmp_path: Path) -> None:
    one = render(tmp_path, refer_screening(), name="one.pdf", patient_letter=False)
    two = render(tmp_path, refer_screening(), name="two.pdf", patient_letter=True)
    assert info(one)["Pages"] == "1"
    assert info(two)["Pages"] == "2"
    letter = text_of(two, page=2)
    for expected in [
        "Your eye screening result",
        "Dear Amelia Thornbury,",
        "5 March 2025",
        "Refer to an eye specialist",
        "Next step due by: 5 June 2025",
        "What is diabetic retinopathy?",
        "Questions? Contact Northside Diabetes Clinic",
        "555 0100",
    ]:
        assert expected in letter, expected
    assert "MRN-004211" not in letter  # the letter is for the patient, page 1 for the record


@pytest.mark.parametrize(
    ("paper", "size"),
    [("A4", "595.276 x 841.89"), ("Letter", "612 x 792"), ("letter", "612 x 792")],
)
def test_paper_size(tmp_path: Path, paper: str, size: str) -> None:
    path = render(tmp_path, refer_screening(), paper=paper)
    assert info(path)["Page size"].startswith(size)
    assert info(path)["Pages"] == "2"


def test_unknown_paper_is_an_error() -> None:
    with pytest.raises(ValueError, match="A4"):
        page_size("A5")


def test_metadata_carries_no_patient_identifiers(tmp_path: Path) -> None:
    path = render(tmp_path, refer_screening())
    meta = info(path)
    assert meta["Title"] == f"RetiScreen report {REPORT_ID}"
    assert "Thornbury" not in str(meta) and "MRN-004211" not in str(meta)


# ---------------------------------------------------------------- pixels and QR


@pytest.mark.parametrize(
    ("eyes", "kind", "headline", "due"),
    [
        (
            (ICDRGrade.NONE, ICDRGrade.MILD),
            DecisionKind.ROUTINE,
            "No referable diabetic retinopathy",
            "5 March 2026",
        ),
        (
            (ICDRGrade.MODERATE, ICDRGrade.NONE),
            DecisionKind.REFER,
            "Refer to an eye specialist",
            "5 June 2025",
        ),
        (
            (ICDRGrade.PROLIFERATIVE, ICDRGrade.MODERATE),
            DecisionKind.URGENT,
            "URGENT referral to an eye specialist",
            "19 March 2025",
        ),
        (
            (None, ICDRGrade.NONE),
            DecisionKind.EXAMINE,
            "Eye examination needed: an eye could not be checked",
            "5 April 2025",
        ),
    ],
)
def test_traffic_light_colour_and_qr(
    tmp_path: Path,
    eyes: tuple[ICDRGrade | None, ICDRGrade],
    kind: DecisionKind,
    headline: str,
    due: str,
) -> None:
    right = (
        ungradable(Laterality.RIGHT)
        if eyes[0] is None
        else graded(Laterality.RIGHT, eyes[0], 0.9 if eyes[0].referable else 0.2)
    )
    scr = screening(right, graded(Laterality.LEFT, eyes[1], 0.1))
    assert scr.decision.kind is kind
    path = render(tmp_path, scr, patient_letter=False)
    text = text_of(path)
    assert headline in text
    assert f"Next step due by: {due}" in text

    image = page_image(path, tmp_path, dpi=100)
    not_white = (image.min(axis=2) < 240).mean()
    assert 0.05 < not_white < 0.8, "page looks blank or solid"
    assert image.std() > 20
    assert colour_pixels(image, kind) > 3000, "the traffic-light colour is missing"
    for other in DecisionKind:
        if DECISION_COLOURS[other] != DECISION_COLOURS[kind]:
            assert colour_pixels(image, other) < 300, f"unexpected {other.name} colour"

    decoded = decode_qr(image) or decode_qr(page_image(path, tmp_path, dpi=200))
    assert decoded == qr_payload(REPORT_ID, CODE) == f"RETISCREEN:{REPORT_ID}:{CODE}"


def decode_qr(image: np.ndarray) -> str:
    detector = cv2.QRCodeDetector()
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    value, _, _ = detector.detectAndDecode(bgr)
    if value:
        return str(value)
    h, w = bgr.shape[:2]  # the QR sits in the bottom-left corner: retry on that crop
    value, _, _ = detector.detectAndDecode(bgr[h * 2 // 3 :, : w // 2])
    return str(value)


def test_letter_page_shows_the_colour_too(tmp_path: Path) -> None:
    scr = screening(
        graded(Laterality.RIGHT, ICDRGrade.SEVERE, 0.97),
        graded(Laterality.LEFT, ICDRGrade.NONE, 0.05),
    )
    path = render(tmp_path, scr, patient_letter=True)
    image = page_image(path, tmp_path, dpi=72, page=2)
    assert colour_pixels(image, DecisionKind.URGENT) > 2000


# ---------------------------------------------------------------- missing pieces


def test_eye_without_image_skipped_eye_and_grader_failure(tmp_path: Path) -> None:
    error = "the grading model file failed its integrity check"
    right = replace(
        builders.unavailable_eye(Laterality.RIGHT),
        image=fundus(0),
        quality=QualityReport(True, 0.8, (), {}),
        error=error,
    )
    left = builders.skipped_eye(Laterality.LEFT, "prosthetic eye", absent=True)
    path = render(tmp_path, screening(right, left), patient_letter=False)
    text = text_of(path)
    assert "Cannot grade: refer for an eye examination" in text
    assert f"Grade: Not graded: grading unavailable: {error}" in text
    assert "Eye absent (recorded by the operator) (prosthetic eye)" in text
    assert "No image" in text
    assert "prosthetic eye" in text
    assert "Grader: grader not run" in text
    assert "Quality: not assessed" in text
    assert info(path)["Pages"] == "1"


def test_ungradable_eye_lists_quality_reasons(tmp_path: Path) -> None:
    scr = screening(ungradable(Laterality.RIGHT), graded(Laterality.LEFT, ICDRGrade.NONE, 0.02))
    text = text_of(render(tmp_path, scr))
    assert "Quality: Not gradable (score 0.18)" in text
    assert "The photograph is blurred" in text
    assert "The photograph is too dark" in text
    assert "Grade: Could not be graded: photograph quality" in text
    assert "Eye examination needed" in text  # the worse eye decides


def test_only_one_eye_in_screening(tmp_path: Path) -> None:
    path = render(tmp_path, screening(graded(Laterality.LEFT, ICDRGrade.NONE, 0.04)))
    text = text_of(path, page=1)
    assert "This eye was not part of the screening" in text
    assert "No apparent retinopathy" in text


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((40, 40, 3), np.float32),
        np.zeros((40, 40, 7), np.uint8),
        np.zeros((0, 10, 3), np.uint8),
        np.full((50, 60), 128, np.uint8),  # grey-scale is shown, not rejected
    ],
)
def test_odd_pixel_arrays_never_break_the_report(tmp_path: Path, pixels: np.ndarray) -> None:
    eye = graded(Laterality.RIGHT, ICDRGrade.NONE, 0.1)
    eye = replace(eye, image=replace(eye.image, pixels=pixels))  # type: ignore[arg-type]
    path = render(tmp_path, screening(eye, graded(Laterality.LEFT, ICDRGrade.NONE, 0.1)))
    assert info(path)["Pages"] == "2"
    if pixels.ndim == 3 and (pixels.dtype != np.uint8 or pixels.shape[2] != 3 or pixels.size == 0):
        assert "The photograph could not be shown" in text_of(path)


# ---------------------------------------------------------------- logo


def test_logo_is_drawn_when_readable(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (300, 120), (10, 60, 200, 255)).save(logo)
    with_logo = render(tmp_path, refer_screening(), clinic=replace(CLINIC, logo=str(logo)))
    image = page_image(with_logo, tmp_path)
    blue = np.abs(image.astype(np.int16) - (10, 60, 200)).max(axis=2) <= 20
    assert blue[: image.shape[0] // 8].sum() > 500  # in the header


@pytest.mark.parametrize("kind", ["garbage", "missing", "directory", "truncated"])
def test_unusable_logo_still_renders(tmp_path: Path, kind: str) -> None:
    logo = tmp_path / "logo.png"
    if kind == "garbage":
        logo.write_bytes(b"this is not an image at all")
    elif kind == "directory":
        logo.mkdir()
    elif kind == "truncated":
        Image.new("RGB", (200, 100), "red").save(logo)
        logo.write_bytes(logo.read_bytes()[:60])
    path = render(
        tmp_path, refer_screening(), clinic=replace(CLINIC, logo=str(logo)), patient_letter=False
    )
    assert info(path)["Pages"] == "1"
    assert "Northside Diabetes Clinic" in text_of(path)


# ---------------------------------------------------------------- long and foreign text


LONG_NAME = "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh " * 8


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("letter", [False, True])
def test_very_long_fields_stay_on_one_page(
    tmp_path: Path, paper: str, letter: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_reason = "grader crashed: " + "out of memory while allocating tensor " * 30
    reasons = tuple(QualityReason)
    right = replace(
        builders.unavailable_eye(Laterality.RIGHT),
        image=None,
        quality=QualityReport(False, 0.0, reasons, {}),
        error=long_reason,
    )
    left = replace(
        builders.ungradable_eye(Laterality.LEFT, reasons=reasons),
        image=fundus(1),
        quality=QualityReport(False, 0.01, reasons, {}),
    )
    kind = RULES.for_patient((right, left)).kind.value
    monkeypatch.setitem(catalogue.TEXTS["en"], f"decision.{kind}.headline", "Refer now " * 30)
    monkeypatch.setitem(
        catalogue.TEXTS["en"], f"decision.{kind}.advice", "Please attend the eye clinic. " * 60
    )
    scr = screening(
        right,
        left,
        patient=Patient("P" + "0123456789" * 20, LONG_NAME, date(1950, 1, 1), "unspecified " * 20),
        operator="operator " * 40,
        site="site " * 40,
        screening_id="S" * 300,
    )
    clinic = ClinicSettings(
        name="The Very Long Named Regional Diabetic Eye Screening Service " * 6,
        address="Building 7, Level 3, " * 30 + "\n" + "Line two " * 30,
        phone="+61 2 5550 0100 ext. 1234 " * 10,
    )
    pdf = render_report(
        scr,
        clinic,
        ReportSettings(paper=paper, patient_letter=letter),
        REPORT_ID,
        CODE,
        "note " * 200,
    )
    path = write(pdf, tmp_path)
    assert info(path)["Pages"] == ("2" if letter else "1")
    text = text_of(path, page=1)
    assert "Maximiliana Wolfeschlegelsteinhausenber" in text  # wrapped / cut, but there
    assert "…" in text  # cut with an ellipsis, not silently
    assert f"Verification code: {CODE}" in text  # the footer is not pushed off the page
    assert DISCLAIMER[:60] in text
    image = page_image(path, tmp_path, dpi=150)
    assert decode_qr(image) == qr_payload(REPORT_ID, CODE)


def test_non_latin_names_render(tmp_path: Path) -> None:
    name = "Łukasz Żółć Nguyễn Thị Minh Khai Αλέξανδρος Иванович 王小明"
    patient = Patient("ID-ÆØÅ-7", name, date(1970, 5, 6), "M")
    scr = screening(graded(Laterality.RIGHT, ICDRGrade.NONE, 0.1), patient=patient)
    path = render(tmp_path, scr, clinic=replace(CLINIC, name="Clínica Oftalmológica São João"))
    text = text_of(path)
    assert "Clínica Oftalmológica São João" in text  # Latin-1: built-in Helvetica
    assert "ID-ÆØÅ-7" in text
    assert "Łukasz Żółć Nguyễn Thị" in text
    assert "Αλέξανδρος Иванович" in text
    assert "王小明" in text  # CJK: WenQuanYi Zen Hei (tests/unit/test_report_scripts.py)


def test_non_latin_names_without_unicode_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(report_fonts, "face", lambda key, bold: None)
    patient = Patient("X1", "Łukasz Nguyễn 王", None, None)
    path = render(
        tmp_path, screening(graded(Laterality.RIGHT, ICDRGrade.NONE, 0.1), patient=patient)
    )
    text = text_of(path)
    assert "Lukasz Nguyen ?" in text  # accents dropped where Helvetica lacks the letter
    assert "not recorded" in text  # no date of birth, no sex
    (line,) = [r.getMessage() for r in caplog.records if "no font" in r.getMessage()]
    assert "CJK" in line and "LATIN" in line and REPORT_ID in line  # said, not silent
    assert "Łukasz" not in line and "X1" not in line  # and without the patient's details


def test_timezone_aware_start_time(tmp_path: Path) -> None:
    scr = screening(
        graded(Laterality.RIGHT, ICDRGrade.NONE, 0.1),
        started_at=datetime(2025, 7, 1, 8, 5, tzinfo=UTC),
    )
    text = text_of(render(tmp_path, scr))
    assert re.search(r"1 July 2025, 08:05 UTC", text)


def test_huge_unbroken_fields_render_quickly(tmp_path: Path) -> None:
    patient = Patient("X" * 200_000, "Y" * 500_000 + " z" * 50_000, None, None)
    scr = screening(graded(Laterality.RIGHT, ICDRGrade.NONE, 0.1), patient=patient)
    started = time.perf_counter()
    pdf = render_report(scr, replace(CLINIC, name="N" * 100_000), ReportSettings(), "r", CODE)
    assert time.perf_counter() - started < 5
    path = write(pdf, tmp_path)
    assert info(path)["Pages"] == "2"
    assert "YYYYYYYYYY…" in text_of(path, page=1)
