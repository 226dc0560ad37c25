"""An unfinished screening (a draft): what was collected so far, and how the records keep it.

Why drafts are kept in the records: a nurse called away mid-screening, a kiosk that
restarts, crashes or loses power must not lose the patient's photographs or make the
patient sit through them again. The draft is written, in the encrypted records
database with its photographs sealed like every other stored file, when the patient is
confirmed, after each eye, and when the idle timeout puts it aside; only the operator who
started it sees it again, after their PIN, and resumes it (same patient, same
photographs, the same quality verdicts: nothing is checked twice) or discards it. A
draft is never a result: it has no decision, and nothing (history, exports, the site
monitor, the over-read) reads drafts. Saving the screening removes its draft in the same
transaction; a draft left too long expires (``[kiosk] draft_expiry_h``), audited.

Plain data, no Qt: the kiosk's pages and the tests share it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from retiscreen.domain import (
    Exclusion,
    FieldView,
    FundusField,
    FundusImage,
    Laterality,
    Order,
    Patient,
    QualityReport,
)
from retiscreen.errors import ImageError, StorageError
from retiscreen.imaging.load import decode_fundus
from retiscreen.imaging.optic_disc import DiscSide
from retiscreen.pipeline import Checked, new_screening_id

DRAFT_FORMAT = 1
"""Bumped when the stored layout changes; a reader refuses formats it does not know."""

EYE_ORDER = (Laterality.RIGHT, Laterality.LEFT)
ABSENT_SKIP_REASONS = frozenset({"Artificial eye (prosthesis)", "Eye removed (enucleation)"})
"""Skip reasons (stored in English, the record's language) that record the eye as absent:
only these take no part in the decision; every other skipped eye is unexamined."""


@dataclass
class EyeCapture:
    """Attempts at photographing one eye and what the operator decided."""

    laterality: Laterality
    attempts: int = 0
    image: FundusImage | None = None
    quality: QualityReport | None = None
    error: str | None = None
    """The last attempt could not be read at all (ImageError / camera failure)."""
    accepted: bool = False
    skipped_reason: str | None = None
    checked: Checked | None = None
    """The last photograph with its located field and the verdict the operator saw."""
    history: list[str] = field(default_factory=list)
    """Per attempt: 'gradable', the reasons, or the error (kept for the audit log)."""
    view: FieldView | None = None
    """The field photographed, at a site taking two per eye (None: the eye's one)."""

    def record(
        self,
        image: FundusImage | None,
        quality: QualityReport | None,
        error: str | None,
        checked: Checked | None = None,
    ) -> None:
        """One more photograph (or failed attempt) of this eye."""
        self.attempts += 1
        self.image, self.quality, self.error, self.checked = image, quality, error, checked
        self.accepted = False
        if error:
            self.history.append(f"unreadable: {error}")
        elif quality is not None:
            self.history.append(
                "gradable" if quality.gradable else ",".join(r.value for r in quality.reasons)
            )

    @property
    def gradable(self) -> bool:
        return self.quality is not None and self.quality.gradable and self.error is None

    @property
    def looks_like(self) -> Laterality | None:
        """The other eye, when the optic disc says this gradable photograph shows it."""
        if not self.gradable or self.checked is None:
            return None
        return self.checked.looks_like_other_eye(self.laterality)

    def retakes_left(self, max_retakes: int) -> int:
        """Retakes still allowed: the first photograph plus ``max_retakes`` more."""
        return max(0, max_retakes + 1 - self.attempts)

    def may_accept_ungradable(self, max_retakes: int) -> bool:
        return self.attempts > 0 and not self.gradable and self.retakes_left(max_retakes) == 0

    def accept(self) -> None:
        if self.attempts == 0:
            raise ValueError("no photograph of this eye to accept")
        self.accepted = True

    def skip(self, reason: str) -> None:
        reason = " ".join(reason.split())
        if not reason:
            raise ValueError("a skipped eye needs a reason")
        self.skipped_reason = reason
        self.image = self.quality = self.error = self.checked = None
        self.accepted = False

    @property
    def done(self) -> bool:
        return self.accepted or self.skipped_reason is not None


@dataclass
class ScreeningDraft:
    """One patient's visit from confirmation to grading. Its id becomes the screening's
    id, so saving the screening and removing the stored draft are one transaction."""

    operator: str
    patient: Patient | None = None
    order: Order | None = None
    """The clinic's order, when the patient was picked from the worklist."""
    identified_by: str = ""
    """Where the patient's details came from when nobody typed them: "records" (a
    search) or "worklist"; empty when typed by hand (then they are typed twice)."""
    exclusion_checked: bool = False
    """The site's exclusion questions were answered no (not asked again on resuming)."""
    exclusion: Exclusion | None = None
    """Yes to an exclusion question: referred without screening, no photograph."""
    language: str | None = None
    """The patient's language, for the report and the letter (None: the site's)."""
    watched: list[Path] = field(default_factory=list)
    """Files taken from the watched camera folder for this visit: each goes to done/
    or failed/ when the visit ends."""
    started_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    draft_id: str = field(default_factory=new_screening_id)
    eyes: dict[Laterality, EyeCapture] = field(
        default_factory=lambda: {side: EyeCapture(side) for side in EYE_ORDER}
    )

    macula: dict[Laterality, EyeCapture] = field(default_factory=dict)
    """The macula-centred field of each eye, at a site taking two fields per eye
    (``[capture] fields_per_eye = 2``; ``eyes`` then holds the disc-centred ones);
    empty at a one-field site."""

    def take_fields(self, fields_per_eye: int) -> ScreeningDraft:
        """Photograph each eye in two fields (disc-, then macula-centred) when the site
        says 2; otherwise one photograph per eye. Returns the draft itself."""
        if fields_per_eye == 2:
            for side in EYE_ORDER:
                self.eyes[side].view = FieldView.DISC
            self.macula = {side: EyeCapture(side, view=FieldView.MACULA) for side in EYE_ORDER}
        else:
            self.macula = {}
        return self

    def captures(self) -> Iterator[EyeCapture]:
        """Every photograph to take, in the order the kiosk asks for them: the right
        eye (disc-centred, then macula-centred where two are taken), then the left."""
        for side in EYE_ORDER:
            yield self.eyes[side]
            if side in self.macula:
                yield self.macula[side]

    def capture(self, side: Laterality, view: FieldView | None = None) -> EyeCapture:
        """The capture of one eye (or of its macula-centred field)."""
        if view is FieldView.MACULA:
            return self.macula[side]
        return self.eyes[side]

    def next_capture(self) -> EyeCapture | None:
        """The next photograph to take (None: all done)."""
        return next((capture for capture in self.captures() if not capture.done), None)

    def next_eye(self) -> Laterality | None:
        capture = self.next_capture()
        return capture.laterality if capture is not None else None


def photo_key(side: Laterality, view: FieldView | None = None) -> str:
    """How a kept draft names one photograph: the eye ("right"), or a macula-centred
    field ("right-macula"; a two-field eye's disc-centred photograph is the eye's)."""
    return f"{side.value}-macula" if view is FieldView.MACULA else side.value


@dataclass(frozen=True)
class DraftSummary:
    """What the resume page says about a stored draft (no photographs decoded)."""

    draft_id: str
    operator: str
    patient_name: str
    patient_id: str
    started_at: datetime
    saved_at: datetime
    eyes_done: int


@dataclass(frozen=True)
class DraftDocument:
    """A draft as the records keep it: JSON-safe ``document`` and each eye's photograph."""

    document: dict[str, Any]
    photographs: dict[str, tuple[bytes, str]]
    """Per photograph (:func:`photo_key`): its bytes as received, and its sha256."""


_FIELD_ORDER = (
    "center_x", "center_y", "radius", "area_fraction",
    "visible_fraction", "circularity", "rim_fraction",
)  # fmt: skip


def _patient_to_dict(patient: Patient | None) -> dict[str, Any] | None:
    if patient is None:
        return None
    return {
        "patient_id": patient.patient_id,
        "name": patient.name,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "sex": patient.sex,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "id_issuer": patient.id_issuer,
    }


def _patient_from_dict(d: dict[str, Any] | None) -> Patient | None:
    if d is None:
        return None
    dob = d.get("date_of_birth")
    return Patient(
        str(d["patient_id"]),
        str(d["name"]),
        date.fromisoformat(dob) if dob else None,
        d.get("sex"),
        d.get("family_name"),
        d.get("given_name"),
        d.get("id_issuer"),
    )


def _photo_to_dict(checked: Checked) -> dict[str, Any]:
    from retiscreen.store.serialize import quality_to_dict  # the store: only with records

    image = checked.image
    return {
        "sha256": image.sha256,
        "source": image.source,
        "file_format": image.file_format,
        "quality": quality_to_dict(checked.quality),
        "field": None
        if checked.field is None
        else [float(getattr(checked.field, name)) for name in _FIELD_ORDER],
        "disc": None
        if checked.disc is None
        else {
            "offset": float(checked.disc.offset),
            "prominence": float(checked.disc.prominence),
            "looks_like": checked.disc.looks_like.value if checked.disc.looks_like else None,
        },
        "timings_ms": {str(k): float(v) for k, v in checked.timings_ms.items()},
    }


def _capture_to_dict(eye: EyeCapture, photographs: dict[str, tuple[bytes, str]]) -> dict[str, Any]:
    """One capture as kept; its photograph (if kept) goes into ``photographs``."""
    photo = None
    if eye.checked is not None and eye.error is None and eye.skipped_reason is None:
        photo = _photo_to_dict(eye.checked)
        key = photo_key(eye.laterality, eye.view)
        photographs[key] = (eye.checked.image.data, eye.checked.image.sha256)
    return {
        "laterality": eye.laterality.value,
        "attempts": eye.attempts,
        "accepted": eye.accepted,
        "skipped_reason": eye.skipped_reason,
        "error": eye.error,
        "history": list(eye.history),
        "photo": photo,
    }


def draft_document(draft: ScreeningDraft) -> DraftDocument:
    """The draft as the records keep it. Only a photograph with its verdict (what the
    operator saw) is kept; an eye whose last attempt failed keeps the failure's words.
    A two-field eye keeps its macula-centred field under ``macula``."""
    eyes = []
    photographs: dict[str, tuple[bytes, str]] = {}
    for side in EYE_ORDER:
        entry = _capture_to_dict(draft.eyes[side], photographs)
        if side in draft.macula:
            entry["macula"] = _capture_to_dict(draft.macula[side], photographs)
        eyes.append(entry)
    order = draft.order
    document = {
        "format": DRAFT_FORMAT,
        "draft_id": draft.draft_id,
        "operator": draft.operator,
        "started_at": draft.started_at.isoformat(),
        "identified_by": draft.identified_by,
        "exclusion_checked": draft.exclusion_checked,
        "language": draft.language,
        "patient": _patient_to_dict(draft.patient),
        "order": None
        if order is None
        else {
            "accession_number": order.accession_number,
            "referring_physician": order.referring_physician,
            "study_uid": order.study_uid,
        },
        "eyes": eyes,
    }
    return DraftDocument(document, photographs)


def summary_of(document: dict[str, Any], saved_at: datetime) -> DraftSummary:
    """The resume page's line about a stored draft."""
    patient = document.get("patient") or {}
    done = sum(
        1 for eye in document.get("eyes", []) if eye.get("accepted") or eye.get("skipped_reason")
    )
    return DraftSummary(
        str(document["draft_id"]),
        str(document["operator"]),
        str(patient.get("name", "")),
        str(patient.get("patient_id", "")),
        datetime.fromisoformat(str(document["started_at"])),
        saved_at,
        done,
    )


def draft_from_document(
    document: dict[str, Any], photographs: Mapping[str, bytes]
) -> ScreeningDraft:
    """The draft again, its photographs decoded from the stored bytes and checked against
    the recorded sha256, with the verdicts the operator saw (never checked again).
    Raises StorageError when the record is not a draft this version reads, or a
    photograph is missing or not the one recorded."""
    if document.get("format") != DRAFT_FORMAT:
        raise StorageError(
            f"The unfinished screening {document.get('draft_id')} was kept by another "
            "version of RetiScreen and cannot be read here. Discard it.",
            reason="corrupt",
        )
    try:
        order = document.get("order")
        draft = ScreeningDraft(
            operator=str(document["operator"]),
            patient=_patient_from_dict(document.get("patient")),
            order=None if order is None else Order(**order),
            started_at=datetime.fromisoformat(str(document["started_at"])),
            draft_id=str(document["draft_id"]),
            identified_by=str(document.get("identified_by") or ""),
            exclusion_checked=bool(document.get("exclusion_checked", False)),
            language=document.get("language"),
        )
        if any(raw.get("macula") is not None for raw in document["eyes"]):
            draft.take_fields(2)
        for raw in document["eyes"]:
            side = Laterality(raw["laterality"])
            _read_capture(draft.eyes[side], raw, photographs)
            if raw.get("macula") is not None:
                _read_capture(draft.macula[side], raw["macula"], photographs)
    except (KeyError, TypeError, ValueError) as exc:
        raise StorageError(
            f"The unfinished screening {document.get('draft_id')} is damaged ({exc}). Discard it.",
            reason="corrupt",
        ) from exc
    return draft


def _read_capture(eye: EyeCapture, raw: dict[str, Any], photographs: Mapping[str, bytes]) -> None:
    """One kept capture back into ``eye``, its photograph checked against its record."""
    eye.attempts = int(raw["attempts"])
    eye.accepted = bool(raw["accepted"])
    eye.skipped_reason = raw.get("skipped_reason")
    eye.error = raw.get("error")
    eye.history = [str(h) for h in raw.get("history", [])]
    photo = raw.get("photo")
    if photo is not None:
        key = photo_key(eye.laterality, eye.view)
        eye.checked = _checked(photo, photographs.get(key), eye.laterality, eye.view)
        eye.image, eye.quality = eye.checked.image, eye.checked.quality


def _checked(
    photo: dict[str, Any], data: bytes | None, side: Laterality, view: FieldView | None = None
) -> Checked:
    field_words = " macula-centred" if view is FieldView.MACULA else ""
    what = f"the {side.value} eye{field_words} photograph of the unfinished screening"
    if data is None:
        raise StorageError(f"The stored file of {what} is missing.", reason="missing_file")
    try:
        image: FundusImage = decode_fundus(data, source=str(photo["source"]))
    except ImageError as exc:
        raise StorageError(f"The stored file of {what} cannot be read ({exc}).") from exc
    if image.sha256 != photo["sha256"]:
        raise StorageError(
            f"The stored file of {what} is not the photograph recorded (its fingerprint "
            "does not match).",
            reason="corrupt",
        )
    from retiscreen.store.serialize import quality_from_dict

    quality = quality_from_dict(photo["quality"], f"{side.value} eye quality")
    assert isinstance(quality, QualityReport)
    raw_field = photo.get("field")
    disc = photo.get("disc")
    return Checked(
        image,
        None if raw_field is None else FundusField(*(float(v) for v in raw_field)),
        quality,
        {str(k): float(v) for k, v in photo.get("timings_ms", {}).items()},
        None
        if disc is None
        else DiscSide(
            float(disc["offset"]),
            float(disc["prominence"]),
            Laterality(disc["looks_like"]) if disc.get("looks_like") else None,
        ),
    )


def photographs_of(document: dict[str, Any]) -> dict[str, str]:
    """Each recorded photograph's sha256 in a stored draft, by :func:`photo_key`."""
    from retiscreen.store.drafts import photo_entries  # the store: only with records

    return {key: str(photo["sha256"]) for key, photo in photo_entries(document)}
