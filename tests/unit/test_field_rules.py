"""Two fields per eye (``[capture] fields_per_eye = 2``): the setting, how a two-field eye
is made from its fields (the worse gradable field decides; a field not taken is kept,
never dropped), the over-read queue, and the snapshot that reloads every field whole."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from retiscreen.catalogue import ENGLISH, TEXTS, Catalogue
from retiscreen.domain import (
    DecisionKind,
    EyeResult,
    EyeStatus,
    FieldView,
    ICDRGrade,
    Laterality,
    QueueReason,
)
from retiscreen.overread import queue_reason
from retiscreen.pipeline import FIELD_NOT_TAKEN, Pipeline
from retiscreen.screening_json import screening_json
from retiscreen.settings import SettingsError, load_settings
from retiscreen.store import screening_from_dict, screening_to_dict
from tests.support import builders
from tests.support.builders import fundus_image, graded_eye, ungradable_eye

R, L = Laterality.RIGHT, Laterality.LEFT
DISC, MACULA = FieldView.DISC, FieldView.MACULA
PIPELINE = Pipeline()  # no model: only its rules and field bookkeeping are used here


def two_field_eye(side: Laterality, **by_view: EyeResult) -> EyeResult:
    return PIPELINE.eye_from_fields(side, {FieldView(v): e for v, e in by_view.items()})


def test_the_setting_is_off_by_default_and_takes_one_or_two(tmp_path: Path) -> None:
    nothing = tmp_path / "none.toml"
    assert load_settings(nothing, environ={}).capture.fields_per_eye == 1
    two = tmp_path / "two.toml"
    two.write_text("[capture]\nfields_per_eye = 2\n")
    assert load_settings(two, environ={}).capture.fields_per_eye == 2
    for bad in ("0", "3"):
        with pytest.raises(SettingsError, match=r"capture.fields_per_eye = \d: allowed 1 to 2"):
            load_settings(nothing, environ={"RETISCREEN_CAPTURE_FIELDS_PER_EYE": bad})
    with pytest.raises(SettingsError, match="whole number"):
        load_settings(nothing, environ={"RETISCREEN_CAPTURE_FIELDS_PER_EYE": "two"})


def test_an_ungradable_second_field_leaves_the_graded_field_to_decide() -> None:
    disc = graded_eye(R, ICDRGrade.MODERATE, 0.8, image=fundus_image(10))
    eye = two_field_eye(R, disc=disc, macula=ungradable_eye(R, image=fundus_image(11)))
    assert (eye.status, eye.view, eye.decision) == (EyeStatus.GRADED, DISC, disc.decision)
    assert [f.view for f in eye.fields] == [DISC, MACULA]
    macula = eye.field_result(MACULA)
    assert macula is not None and macula.status is EyeStatus.UNGRADABLE
    assert [p.sha256 for p in eye.photographs] == [fundus_image(10).sha256, fundus_image(11).sha256]


def test_the_worse_gradable_field_decides_whichever_field_it_is() -> None:
    eye = two_field_eye(
        L,
        disc=graded_eye(L, ICDRGrade.NONE, 0.05, image=fundus_image(12)),
        macula=graded_eye(L, ICDRGrade.SEVERE, 0.97, image=fundus_image(13)),
    )
    assert eye.view is MACULA and eye.decision is not None
    assert eye.decision.kind is DecisionKind.URGENT


def test_a_field_not_taken_is_recorded_and_the_field_taken_decides() -> None:
    routine = graded_eye(R, ICDRGrade.NONE, 0.05, image=fundus_image(14))
    eye = two_field_eye(R, disc=routine)
    missing = eye.field_result(MACULA)
    assert missing is not None  # never dropped
    assert (missing.status, missing.skipped_reason, missing.image) == (
        EyeStatus.NOT_PHOTOGRAPHED,
        FIELD_NOT_TAKEN,
        None,
    )
    assert missing.decision is not None and missing.decision.kind is DecisionKind.EXAMINE
    assert eye.decision == routine.decision  # the one graded field decides, as a clinic reads it
    # ... and the screening waits for an over-read, because a field is missing.
    assert queue_reason(builders.screening(eye, graded_eye(L, ICDRGrade.NONE, 0.05)), 0.0) is (
        QueueReason.UNEXAMINED
    )


def test_no_gradable_field_asks_for_an_examination() -> None:
    eye = two_field_eye(L, macula=ungradable_eye(L, image=fundus_image(15)))
    assert eye.status is not EyeStatus.GRADED
    assert eye.decision is not None and eye.decision.kind is DecisionKind.EXAMINE
    assert len(eye.fields) == 2


def test_oedema_in_a_field_that_did_not_decide_still_queues_the_screening() -> None:
    from retiscreen.domain import MacularOedema

    flagged = graded_eye(
        R,
        ICDRGrade.NONE,
        0.1,
        image=fundus_image(16),
        macular_oedema=MacularOedema(0.9, 0.5, in_decision=False),
    )
    worse = graded_eye(R, ICDRGrade.MODERATE, 0.8, image=fundus_image(17))
    eye = two_field_eye(R, disc=worse, macula=flagged)
    assert eye.view is DISC
    other = graded_eye(L, ICDRGrade.NONE, 0.05, image=fundus_image(18))
    other_fields = two_field_eye(L, disc=other, macula=replace(other, image=fundus_image(19)))
    assert queue_reason(builders.screening(eye, other_fields), 0.0) is QueueReason.MACULAR_OEDEMA


def test_the_snapshot_keeps_every_field_and_reloads_it_whole() -> None:
    right = two_field_eye(
        R,
        disc=graded_eye(
            R, ICDRGrade.MODERATE, 0.8, image=fundus_image(20), heatmap=builders.HEATMAP
        ),
        macula=ungradable_eye(R, image=fundus_image(21)),
    )
    left = two_field_eye(L, disc=graded_eye(L, ICDRGrade.NONE, 0.1, image=fundus_image(22)))
    original = builders.screening(right, left)
    snapshot = json.loads(json.dumps(screening_to_dict(original)))
    images = {R: right.image, L: left.image}
    field_images = {(R, DISC): fundus_image(20), (R, MACULA): fundus_image(21)}
    field_images[(L, DISC)] = fundus_image(22)
    loaded = screening_from_dict(snapshot, images, field_images)
    assert screening_to_dict(loaded) == screening_to_dict(original)
    reloaded = loaded.eye(R)
    assert reloaded is not None and reloaded.view is DISC
    macula = reloaded.field_result(MACULA)
    assert macula is not None and macula.image is not None
    assert macula.image.sha256 == fundus_image(21).sha256
    disc = reloaded.field_result(DISC)
    assert disc is not None and disc.grade is not None and disc.grade.heatmap == builders.HEATMAP
    # a photograph that is not the recorded one is refused, field by field
    with pytest.raises(ValueError, match="macula field photograph"):
        screening_from_dict(snapshot, images, {**field_images, (R, MACULA): fundus_image(23)})


def test_a_one_field_snapshot_reads_as_before() -> None:
    original = builders.screening()
    snapshot = screening_to_dict(original)
    for eye in snapshot["eyes"]:  # what a snapshot saved before fields holds
        del eye["view"], eye["fields"]
    loaded = screening_from_dict(snapshot, {e.laterality: e.image for e in original.eyes})
    assert all(e.fields == () and e.view is None for e in loaded.eyes)


def test_the_json_lists_each_field_and_which_decided() -> None:
    right = two_field_eye(
        R,
        disc=graded_eye(R, ICDRGrade.NONE, 0.1, image=fundus_image(24)),
        macula=graded_eye(R, ICDRGrade.MODERATE, 0.8, image=fundus_image(25)),
    )
    record = screening_json(builders.screening(right, ungradable_eye(L)))
    eye, other = record["eyes"]
    assert [(f["view"], f["status"], f["icdr_grade"], f["decides"]) for f in eye["fields"]] == [
        ("disc", "graded", 0, False),
        ("macula", "graded", 2, True),
    ]
    assert eye["icdr_grade"] == 2 and other["fields"] == []


def test_each_language_names_the_fields() -> None:
    missing = two_field_eye(R).field_result(MACULA)
    assert missing is not None
    assert ENGLISH.field_finding(missing) == "Macula-centred field: Not taken"
    for language in TEXTS:
        words = Catalogue(language)
        assert {words.field_view(v) for v in FieldView} <= set(TEXTS[language].values())


def test_a_backup_carries_every_field_photograph_and_restores_it_whole(tmp_path: Path) -> None:
    from retiscreen.backup import create_backup, restore_backup
    from retiscreen.store import ScreeningStore

    right = two_field_eye(
        R,
        disc=graded_eye(R, ICDRGrade.MODERATE, 0.8, image=fundus_image(30)),
        macula=graded_eye(R, ICDRGrade.NONE, 0.1, image=fundus_image(31)),
    )
    left = two_field_eye(L, macula=ungradable_eye(L, image=fundus_image(32)))
    original = builders.screening(right, left, screening_id="S-TWO")
    root = tmp_path / "data"
    with ScreeningStore(root) as store:
        store.save_screening(original)
    archive = tmp_path / "backup.tar.gz"
    info = create_backup(root, archive)
    assert info.problems == []
    names = {f["path"] for f in info.files}
    expected = {"right-disc.jpg", "right-macula.jpg", "left-macula.jpg"}
    assert {n.rsplit("/", 1)[-1] for n in names if n.startswith("data/images/S-TWO/")} == expected
    (root / "images" / "S-TWO" / "right-macula.jpg").unlink()  # a missing field is found
    assert create_backup(root, tmp_path / "b.tar.gz").problems == [
        "images/S-TWO/right-macula.jpg: referenced by the database but missing"
    ]
    target = tmp_path / "restored"
    restore_backup(archive, target, key_file=root / "records.key")
    with ScreeningStore(target) as copy:
        assert copy.integrity_problems() == []
        loaded = copy.load_screening("S-TWO")
    assert screening_to_dict(loaded) == screening_to_dict(original)
    macula = loaded.eye(L).field_result(MACULA)  # type: ignore[union-attr]
    assert macula is not None and macula.image is not None
    assert macula.image.data == fundus_image(32).data


def test_a_reviewer_may_grade_an_eye_whose_only_photograph_is_a_field_that_did_not_decide() -> None:
    from datetime import UTC, datetime

    from retiscreen.overread import Amendment, decide_review

    left = two_field_eye(L, macula=ungradable_eye(L, image=fundus_image(33)))
    assert left.image is None and left.photographs  # decided by the disc field not taken
    screening = builders.screening(graded_eye(R, ICDRGrade.NONE, 0.1), left)
    review = decide_review(
        screening,
        Amendment(None, {L: ICDRGrade.MILD}, "graded from the macula-centred field"),
        "dr-reviewer",
        builders.RULES,
        reviewed_at=datetime(2026, 3, 5, tzinfo=UTC),
    )
    assert review.grade(L) is ICDRGrade.MILD


def test_the_verification_code_vouches_for_each_field_and_a_one_field_eye_as_before() -> None:
    from retiscreen.report.verification import vouched_content

    right = two_field_eye(R, disc=graded_eye(R, ICDRGrade.MODERATE, 0.8, image=fundus_image(34)))
    vouched = vouched_content(builders.screening(right, ungradable_eye(L)), "R-1")
    by_side = {e["laterality"]: e for e in vouched["eyes"]}
    assert by_side["right"]["fields"] == [
        {"view": "disc", "status": "graded", "grade": 2},
        {"view": "macula", "status": "not_photographed", "grade": None},
    ]
    assert set(by_side["left"]) == {"laterality", "status", "grade"}  # the code as it was
