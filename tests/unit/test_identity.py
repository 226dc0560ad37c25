"""Patient identity: ID matching, names, plausible birth dates, copies of a photograph."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from retiscreen.domain import Laterality, Patient
from retiscreen.identity import (
    birth_date_problem,
    clean_id,
    details_differ,
    id_key,
    name_key,
)
from retiscreen.imaging.fingerprint import same_photograph
from retiscreen.imaging.load import load_fundus
from retiscreen.pipeline import Pipeline
from tests.support.images import DEMO_IMAGE


def test_ids_match_without_case_spaces_or_width() -> None:
    assert len({id_key(v) for v in ("p123", " P123", "P123", "P 123", "Ｐ１２３")}) == 1
    assert id_key("P123") != id_key("P124")
    assert clean_id("  Mü\u0308ller-7 ") == "Mü\u0308ller-7".replace("u\u0308", "ü")


def test_names_compare_as_words() -> None:
    assert name_key("Lovelace^Ada") == name_key(" ada  LOVELACE")
    assert name_key("José") == name_key("Jose\u0301")
    assert name_key("Ada Lovelace") != name_key("Ada Byron")


def test_changed_details_are_named() -> None:
    stored = Patient("P1", "Ada Lovelace", date(1961, 12, 10))
    assert details_differ(stored, Patient("p1", "ADA LOVELACE", date(1961, 12, 10))) == []
    assert details_differ(stored, Patient("P1", "Ada Lovelace", None)) == []
    changed = details_differ(stored, Patient("P1", "Grace Hopper", date(1906, 12, 9)))
    assert len(changed) == 2 and "'Ada Lovelace'" in changed[0] and "1906-12-09" in changed[1]


@pytest.mark.parametrize(
    ("dob", "problem"),
    [
        (date(2099, 1, 1), "in the future"),
        (date(1800, 1, 1), "more than 120 years ago"),
        (date(1903, 12, 1), "more than 120 years ago"),
        (date(1961, 12, 10), None),
        (None, None),
    ],
)
def test_birth_dates_must_be_plausible(dob: date | None, problem: str | None) -> None:
    found = birth_date_problem(dob, today=date(2026, 12, 2))
    assert (found is None) if problem is None else (problem in str(found))


def test_copies_of_a_photograph_are_recognised_and_fellow_eyes_are_not() -> None:
    pixels = load_fundus(DEMO_IMAGE).pixels
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=40)
    recoded = np.asarray(Image.open(buffer).convert("RGB"))
    smaller = cv2.resize(pixels, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    assert same_photograph(pixels, recoded) and same_photograph(pixels, smaller)
    assert not same_photograph(pixels, pixels[:, ::-1].copy())


def test_the_same_photograph_for_both_eyes_grades_one_eye_only(
    tmp_path: Path, tiny_pipeline: Pipeline
) -> None:
    pipeline = tiny_pipeline
    eyes = [(Laterality.RIGHT, DEMO_IMAGE), (Laterality.LEFT, DEMO_IMAGE)]
    right, left = pipeline.assess_eyes(eyes, Patient("P1", "Ada"))
    assert right.grade is not None and left.grade is None
    assert left.error is not None and "same photograph" in left.error
    # a batch of many patients (validate) may hold the same photograph twice
    assert all(eye.grade is not None for eye in pipeline.assess_eyes(eyes))
