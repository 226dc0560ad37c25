"""Two fields per eye at the kiosk (``[capture] fields_per_eye = 2``): the capture asks for
the right eye disc-centred, then macula-centred, then the left eye's, each with its own
quality verdict; a field can be skipped with a reason (recorded as not taken, never as an
absent eye); the result and the records hold every field. Real database, real models
(or the tiny test ones), real Qt widgets offscreen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import EyeStatus, FieldView, Laterality
from retiscreen.settings import Settings
from retiscreen.ui.window import KioskWindow
from tests.support.images import DEMO_IMAGE, encode
from tests.ui import images
from tests.ui.kiosk_driver import (
    confirm_patient,
    enter_patient,
    sign_in,
    stage,
    take_photo,
    touch,
    wait_for_result,
)
from tests.ui.test_kiosk_fits_the_screen import out_of_reach

OpenKiosk = Callable[..., KioskWindow]
MakeSettings = Callable[..., Settings]
R, L = Laterality.RIGHT, Laterality.LEFT
DISC, MACULA = FieldView.DISC, FieldView.MACULA


def four_photographs() -> tuple[tuple[str, bytes], ...]:
    """Four different good photographs (flipped copies of the demo photograph, each a
    photograph of its own to the copy check), in the order the capture asks for them."""
    from retiscreen.imaging.load import load_fundus

    pixels = load_fundus(DEMO_IMAGE).pixels
    return (
        ("01-right-disc.jpg", images.good_right()),
        ("02-right-macula.jpg", encode(pixels[::-1, ::-1].copy(), "JPEG", quality=95)),
        ("03-left-disc.jpg", images.good()),
        ("04-left-macula.jpg", encode(pixels[::-1].copy(), "JPEG", quality=95)),
    )


def to_the_first_field(qtbot: QtBot, window: KioskWindow) -> None:
    sign_in(qtbot, window)
    enter_patient(qtbot, window, "MRN-2002", "Bea Fields", "1958-02-03")
    confirm_patient(qtbot, window, "mrn-2002", "1958-02-03")
    assert window.current is window.capture


def use_a_photograph(qtbot: QtBot, window: KioskWindow) -> None:
    take_photo(qtbot, window)
    assert window.capture.verdict.level in ("ok", "warning")  # gradable (disc side: asked)
    touch(qtbot, window.capture.use)


def test_each_eye_is_photographed_in_two_fields_and_a_field_can_be_skipped(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings, camera_dir: Path
) -> None:
    stage(camera_dir, *four_photographs()[:3])
    window = open_kiosk(make_settings(capture={"fields_per_eye": 2}))
    to_the_first_field(qtbot, window)
    capture = window.capture
    asked = []
    for _ in range(3):
        asked.append((capture.side, capture.view, capture.title.text()))
        use_a_photograph(qtbot, window)
        if window.current is not window.capture:
            break
    assert [(side, view) for side, view, _ in asked] == [(R, DISC), (R, MACULA), (L, DISC)]
    assert asked[1][2] == "Right eye · Macula-centred field"
    # the left eye's macula-centred field cannot be taken: skipped, with the reason
    assert (capture.side, capture.view) == (L, MACULA)
    assert capture.skip.text() == "Skip this field…"
    touch(qtbot, capture.skip)
    shown = {reason for reason, b in capture.skip_buttons if b.isVisible()}
    assert "Artificial eye (prosthesis)" not in shown  # a field is never an absent eye
    declined = next(b for r, b in capture.skip_buttons if "declined" in r)
    touch(qtbot, declined)
    wait_for_result(qtbot, window)

    store = window.ctx.service.store
    (row,) = store.history()
    screening = store.load_screening(row["screening_id"])
    right, left = screening.eyes
    assert [(f.view, f.status) for f in right.fields] == [
        (DISC, EyeStatus.GRADED),
        (MACULA, EyeStatus.GRADED),
    ]
    assert [(f.view, f.status) for f in left.fields] == [
        (DISC, EyeStatus.GRADED),
        (MACULA, EyeStatus.NOT_PHOTOGRAPHED),
    ]
    missing = left.field_result(MACULA)
    assert missing is not None and missing.skipped_reason == "Patient declined this eye"
    assert left.status is EyeStatus.GRADED  # the field taken decides the eye
    assert len({p.sha256 for eye in screening.eyes for p in eye.photographs}) == 3
    # what the result page shows is each eye's result, as stored
    assert window.result.light.kind == screening.decision.kind
    for eye in screening.eyes:
        assert eye.grade is not None
        card = window.result.cards[eye.laterality]
        assert ENGLISH.grade(eye.grade.grade) in card.grade.text()
        assert card.fields.isVisible()
        assert card.fields.text().splitlines() == [ENGLISH.field_finding(f) for f in eye.fields]
    left_card = window.result.cards[L].fields.text()
    assert left_card.splitlines()[1] == "Macula-centred field: Not taken"
    window.setFixedSize(1024, 600)  # the field lines still leave every control in reach
    qtbot.wait(50)
    assert out_of_reach(window, window.result) == []


def test_a_kept_draft_keeps_the_macula_field_photograph(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings, camera_dir: Path
) -> None:
    stage(camera_dir, *four_photographs()[:2])
    window = open_kiosk(make_settings(capture={"fields_per_eye": 2}))
    to_the_first_field(qtbot, window)
    use_a_photograph(qtbot, window)
    use_a_photograph(qtbot, window)
    assert (window.capture.side, window.capture.view) == (L, DISC)
    draft = window.draft
    assert draft is not None
    taken = draft.macula[R].image
    assert taken is not None
    service = window.ctx.service
    resumed = service.resume_draft(draft.draft_id, draft.operator)
    assert resumed.eyes[R].view is DISC and resumed.eyes[R].accepted
    kept = resumed.macula[R]
    assert kept.accepted and kept.image is not None and kept.image.sha256 == taken.sha256
    assert kept.quality == draft.macula[R].quality  # the verdict the operator saw
    next_capture = resumed.next_capture()
    assert next_capture is not None
    assert (next_capture.laterality, next_capture.view) == (L, DISC)


def test_an_administrator_turns_two_fields_on_and_the_next_screening_asks_for_both(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    tmp_path: Path,
) -> None:
    import tomllib

    from tests.ui.test_kiosk_admin import admin_sign_in

    window = open_kiosk(make_settings())
    admin_sign_in(qtbot, window)
    tab = window.admin.settings_tab
    assert tab.fields.value() == 1
    touch(qtbot, tab.fields.plus)
    touch(qtbot, tab.save)
    assert tab.message.level == "ok", tab.message.text()
    document = tomllib.loads((tmp_path / "settings.toml").read_text())
    assert document["capture"] == {"fields_per_eye": 2}
    assert window.ctx.settings.capture.fields_per_eye == 2  # applied at once
    touch(qtbot, window.admin.close_button)
    stage(camera_dir, *four_photographs()[:1])
    to_the_first_field(qtbot, window)
    use_a_photograph(qtbot, window)
    assert (window.capture.side, window.capture.view) == (R, MACULA)
