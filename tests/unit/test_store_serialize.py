"""screening_to_dict / screening_from_dict: a lossless, pixel-free, strict snapshot."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from PIL import Image

from retiscreen.domain import (
    Confidence,
    FundusImage,
    ICDRGrade,
    Laterality,
    ModelIdentity,
    Patient,
    QualityReason,
    QualityReport,
    Screening,
)
from retiscreen.imaging.load import decode_fundus
from retiscreen.store import screening_from_dict, screening_to_dict
from retiscreen.store.serialize import SNAPSHOT_FORMAT
from tests.support import builders


def synthetic_fundus(seed: int, fmt: str = "JPEG") -> FundusImage:
    """An orange disc on black, encoded with Pillow and strictly decoded."""
    rng = np.random.default_rng(seed)
    side = 256
    yy, xx = np.mgrid[0:side, 0:side]
    inside = np.hypot(xx - side / 2, yy - side / 2) < side * 0.45
    pixels = np.zeros((side, side, 3), np.uint8)
    pixels[inside] = (200, 90, 40)
    pixels[inside] += rng.integers(0, 8, (int(inside.sum()), 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return decode_fundus(buffer.getvalue(), source=f"/camera/IMG_{seed}.{fmt.lower()}")


def screening(**changes: Any) -> Screening:
    """Odd but legal values everywhere: a non-UTC offset, accents, non-integer timings."""
    right = builders.graded_eye(
        Laterality.RIGHT,
        ICDRGrade.SEVERE,
        0.95,
        image=synthetic_fundus(1),
        quality=QualityReport(True, 0.87, (), {"sharpness": 10.25, "vessels": 0.3}, 0.91),
        threshold=0.4,
        probabilities=(0.01, 0.04, 0.15, 0.7, 0.1),
        model=ModelIdentity("grader", "2.0.1", "cd" * 32),
        provider="CUDAExecutionProvider",
        confidence=Confidence.CLEARLY_ABOVE,
        heatmap=builders.HEATMAP,
    )
    left = builders.ungradable_eye(
        Laterality.LEFT,
        image=synthetic_fundus(2, "PNG"),
        reasons=(QualityReason.TOO_DARK, QualityReason.CUT_OFF),
    )
    base = builders.screening(
        replace(right, timings_ms={"grade": 41.5}),
        left,
        screening_id="S-42",
        patient=Patient("P-7", "Zoë Ñandú", date(1950, 2, 28), None),
        operator="op-1",
        site="site-a",
        started_at=datetime(2026, 6, 1, 14, 5, 6, 789, tzinfo=timezone(timedelta(hours=-5))),
    )
    return replace(base, **changes)


def images_of(s: Screening) -> dict[Laterality, FundusImage | None]:
    return {eye.laterality: eye.image for eye in s.eyes}


def test_round_trip_is_exact() -> None:
    original = screening()
    assert screening_from_dict(screening_to_dict(original), images_of(original)) == original


def test_round_trip_through_json_text() -> None:
    original = screening()
    text = json.dumps(screening_to_dict(original), allow_nan=False)  # strict, standard JSON
    rebuilt = screening_from_dict(json.loads(text), images_of(original))
    assert rebuilt == original
    assert rebuilt.eyes[0].grade is not None
    assert rebuilt.eyes[0].grade.grade is ICDRGrade.SEVERE
    assert rebuilt.eyes[1].quality is not None
    assert rebuilt.eyes[1].quality.reasons == (QualityReason.TOO_DARK, QualityReason.CUT_OFF)
    assert rebuilt.started_at.utcoffset() == timedelta(hours=-5)


def test_records_from_before_heatmaps_and_confidence_still_read() -> None:
    original = screening()
    snapshot = screening_to_dict(original)
    assert snapshot["eyes"][0]["grade"]["heatmap"]["values"][8][0] == 24.0
    del snapshot["eyes"][0]["grade"]["heatmap"], snapshot["eyes"][0]["grade"]["confidence"]
    grade = screening_from_dict(snapshot, images_of(original)).eyes[0].grade
    assert grade is not None and grade.heatmap is None and grade.confidence is None
    assert grade.grade is ICDRGrade.SEVERE


def test_the_patients_language_is_kept_and_older_records_read_as_english() -> None:
    original = replace(screening(), language="pt")
    snapshot = screening_to_dict(original)
    assert snapshot["language"] == "pt"
    assert screening_from_dict(snapshot, images_of(original)).language == "pt"
    del snapshot["language"]  # saved before reports were written in the patient's language
    assert screening_from_dict(snapshot, images_of(original)).language == "en"


def test_no_pixels_or_file_bytes_in_the_snapshot() -> None:
    original = screening()
    d = screening_to_dict(original)
    text = json.dumps(d)
    assert len(text) < 5000
    image = d["eyes"][0]["image"]
    assert set(image) == {"sha256", "source", "original_size", "file_format"}
    assert image["original_size"] == [256, 256] and image["file_format"] == "JPEG"
    assert d["eyes"][1]["image"]["file_format"] == "PNG"
    assert d["eyes"][0]["grade"]["model"] == {
        "name": "grader",
        "version": "2.0.1",
        "sha256": "cd" * 32,
    }
    assert d["eyes"][1]["quality"]["reasons"] == ["too_dark", "cut_off"]
    assert d["decision"]["kind"] == "urgent" and d["format"] == SNAPSHOT_FORMAT
    assert [eye["status"] for eye in d["eyes"]] == ["graded", "ungradable"]


def test_naive_times_skipped_eyes_and_missing_parts() -> None:
    skipped = builders.skipped_eye(Laterality.LEFT, "Prosthesis", absent=True)
    failed = builders.unreadable_eye(
        Laterality.RIGHT, "The file x.jpg is empty (0 bytes): the transfer failed."
    )
    assert skipped.decision is None
    original = screening(
        eyes=(failed, skipped),
        started_at=datetime(2026, 1, 1, 8, 0),
        patient=Patient("P-8", "No Birthday"),
    )
    rebuilt = screening_from_dict(json.loads(json.dumps(screening_to_dict(original))), {})
    assert rebuilt == original
    assert rebuilt.started_at.tzinfo is None


def test_non_finite_measures_survive_as_standard_json() -> None:
    eye = screening().eyes[0]
    assert eye.quality is not None
    odd = replace(
        eye,
        quality=replace(
            eye.quality, measures={"nan": math.nan, "big": math.inf, "small": -math.inf}
        ),
    )
    original = screening(eyes=(odd,))
    text = json.dumps(screening_to_dict(original), allow_nan=False)
    rebuilt = screening_from_dict(json.loads(text), images_of(original))
    quality = rebuilt.eyes[0].quality
    assert quality is not None
    assert math.isnan(quality.measures["nan"])
    assert quality.measures["big"] == math.inf and quality.measures["small"] == -math.inf


def test_numpy_scalars_are_written_as_plain_numbers() -> None:
    eye = screening().eyes[0]
    assert eye.quality is not None
    numpy_eye = replace(
        eye, quality=replace(eye.quality, score=np.float64(0.5), measures={"m": np.float64(2.0)})
    )
    d = screening_to_dict(screening(eyes=(numpy_eye,)))
    assert type(d["eyes"][0]["quality"]["score"]) is float
    json.dumps(d, allow_nan=False)


def test_a_different_photograph_is_refused() -> None:
    original = screening()
    wrong = {Laterality.RIGHT: synthetic_fundus(99), Laterality.LEFT: original.eyes[1].image}
    with pytest.raises(ValueError, match="not the one recorded"):
        screening_from_dict(screening_to_dict(original), wrong)


def test_a_photograph_where_none_was_recorded_is_refused() -> None:
    original = screening(eyes=(replace(screening().eyes[0], image=None),))
    with pytest.raises(ValueError, match="no photograph was recorded"):
        screening_from_dict(screening_to_dict(original), {Laterality.RIGHT: synthetic_fundus(1)})


def test_photographs_not_supplied_come_back_as_none() -> None:
    rebuilt = screening_from_dict(screening_to_dict(screening()), {})
    assert [eye.image for eye in rebuilt.eyes] == [None, None]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("decision"), "decision is missing"),
        (lambda d: d.update(format=99), "format 99 is not understood"),
        (lambda d: d["eyes"][0]["grade"].update(grade="2"), "grade should be a whole number"),
        (lambda d: d["eyes"][0]["grade"].update(probabilities=[0.5, 0.5]), "5 values"),
        (lambda d: d["eyes"][0]["quality"].update(score=True), "score should be a number"),
        (lambda d: d["eyes"][0]["quality"].update(gradable=1), "true or false"),
        (lambda d: d["patient"].update(name=None), "name should be text"),
        (lambda d: d.update(eyes={}), "eyes should be a list"),
    ],
)
def test_damaged_snapshots_are_refused(mutate: Any, message: str) -> None:
    d = screening_to_dict(screening())
    mutate(d)
    with pytest.raises(ValueError, match=message):
        screening_from_dict(d, {})


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["eyes"][0].update(laterality="both"),
        lambda d: d["decision"].update(kind="maybe"),
        lambda d: d["eyes"][0].update(status="squinting"),
        lambda d: d["eyes"][1]["quality"].update(reasons=["smudged"]),
        lambda d: d.update(started_at="yesterday"),
    ],
)
def test_unknown_enum_values_and_dates_are_refused(mutate: Any) -> None:
    d = screening_to_dict(screening())
    mutate(d)
    with pytest.raises(ValueError):
        screening_from_dict(d, {})


def test_utc_times_round_trip() -> None:
    original = screening(started_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC))
    assert screening_from_dict(screening_to_dict(original), images_of(original)) == original
