"""Saving and loading screenings together with their original photographs.

Why both a snapshot and columns: the snapshot (see :mod:`retiscreen.store.serialize`)
lets a report be rebuilt exactly as it was decided; the columns serve history, search
and export. Photographs are kept as the bytes received, under ``images/<id>/``, and
are checked against their recorded sha256 whenever they are read back, so a record can
never silently show a different photograph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import (
    EyeResult,
    FieldView,
    FundusImage,
    Laterality,
    Patient,
    QueueReason,
    Screening,
)
from retiscreen.errors import IdentityError
from retiscreen.identity import clean_id, details_differ, id_key, search_key
from retiscreen.imaging.load import ImageError, decode_fundus
from retiscreen.store.audit import record_event
from retiscreen.store.connection import StoreConnection
from retiscreen.store.drafts import complete_draft, remove_draft_files
from retiscreen.store.files import StorageError
from retiscreen.store.reviews import queue_for_review
from retiscreen.store.serialize import (
    recorded_field_images,
    recorded_image,
    screening_from_dict,
    screening_to_dict,
)
from retiscreen.store.transaction import TransactionFiles
from retiscreen.store.values import canonical_json, checked_id, sha256_hex, utc_now

_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "TIFF": "tif", "BMP": "bmp"}


class ScreeningRecords(StoreConnection):
    """Screenings, patients and photographs of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def save_screening(
        self, screening: Screening, *, review_queue: QueueReason | None = None
    ) -> None:
        """Store a screening, its photographs and an audit entry, all or nothing; with
        ``review_queue``, it joins the over-read queue in the same transaction; the
        draft it was captured as (the same id), if one is kept, goes in it too.

        When this returns, the screening survives a crash or power cut. Raises
        StorageError (and stores nothing new) on any failure, including an id that is
        already saved: a record is never overwritten.
        """
        sid = checked_id(screening.screening_id, "screening id")
        snapshot_json = _checked_snapshot(screening, sid)
        with self._write(f"the screening {sid} was NOT saved") as files:
            if self._exists("SELECT 1 FROM screenings WHERE screening_id = ?", [sid]):
                raise StorageError(
                    f"A screening with id {sid} is already saved; it was NOT overwritten. "
                    "Start a new screening.",
                    reason="duplicate",
                )
            stored = self._write_photographs(sid, screening.eyes, files)
            now = utc_now()
            self._upsert_patient(sid, screening.operator, now, screening.patient)
            self._insert_screening(screening, snapshot_json, now)
            for eye in screening.eyes:
                self._insert_eye(sid, eye, stored.get((eye.laterality, eye.view)))
                for field in eye.fields:
                    self._insert_field(sid, field, stored.get((field.laterality, field.view)))
            record_event(
                self._db,
                "screening_saved",
                sid,
                screening.operator,
                {
                    "patient_id": screening.patient.patient_id,
                    "decision": screening.decision.kind.value,
                    "exclusion": screening.exclusion.value if screening.exclusion else None,
                    "images": {
                        eye.laterality.value: eye.image.sha256
                        for eye in screening.eyes
                        if eye.image is not None
                    },
                    **_field_shas(screening),
                },
            )
            if review_queue is not None:
                queue_for_review(self._db, sid, review_queue, screening.operator)
            drafted = complete_draft(self._db, sid, screening.operator)
        if drafted:
            remove_draft_files(self.root, sid)

    def _write_photographs(
        self, sid: str, eyes: tuple[EyeResult, ...], files: TransactionFiles
    ) -> dict[tuple[Laterality, FieldView | None], str]:
        """Write each photograph under ``images/<sid>/`` (``<eye>.<ext>``, or a two-field
        eye's ``<eye>-<field>.<ext>``); return their stored paths by eye and field. A
        two-field eye's own photograph is its deciding field's, stored once: the eye and
        that field share the path.

        Called under the write lock after checking no row references ``images/<sid>``,
        so anything already there is debris of an interrupted save and may be replaced.
        """
        image_dir = self.images_dir / sid
        if any(eye.photographs for eye in eyes):
            files.make_directory(image_dir, what=f"the screening {sid}")
        stored: dict[tuple[Laterality, FieldView | None], str] = {}
        for eye in eyes:
            for photographed in eye.fields or (eye,):
                image = photographed.image
                if image is None:
                    continue
                if sha256_hex(image.data) != image.sha256:
                    raise StorageError(
                        f"The {eye.laterality.value} eye photograph changed in memory after "
                        f"it was checked: the screening {sid} was NOT "
                        "saved. Retake the photograph.",
                        reason="invalid",
                    )
                view = photographed.view
                name = eye.laterality.value + (f"-{view.value}" if eye.fields and view else "")
                target = image_dir / f"{name}.{_extension(image.file_format)}"
                files.write(target, self._sealed(target, image.data), what=f"the screening {sid}")
                stored[(eye.laterality, view)] = target.relative_to(self.root).as_posix()
        return stored

    def find_patient(self, patient_id: str) -> Patient | None:
        """The patient on file whose ID matches ``patient_id`` (by :func:`id_key`)."""
        rows = self._rows(
            "SELECT patient_id, name, date_of_birth, sex, family_name, given_name, id_issuer"
            " FROM patients WHERE id_key = ? ORDER BY created_at LIMIT 1",
            [id_key(patient_id)],
        )
        if not rows:
            return None
        return _patient_from_row(rows[0])

    def search_patients(self, text: str, limit: int = 6) -> list[Patient]:
        """Patients on file that ``text`` finds, most recently screened first: every word
        of it starting a word of the name (without case or accents: "garc" finds
        "García"), or its letters and digits part of the ID's ("mrn 9002" finds
        "MRN-9002"). Fewer than 2 characters find no one (a search lists other patients'
        names)."""
        query = text.strip()
        if len(query) < 2:
            return []
        words = search_key(query).split()
        wanted = _alphanumeric(id_key(query))
        rows = self._rows(
            "SELECT p.patient_id, p.name, p.date_of_birth, p.sex, p.family_name,"
            " p.given_name, p.id_issuer, p.id_key, max(s.started_at_utc) AS last_seen"
            " FROM patients p LEFT JOIN screenings s ON s.patient_id = p.patient_id"
            " GROUP BY p.patient_id ORDER BY last_seen DESC, p.created_at DESC"
        )
        found: list[Patient] = []
        for row in rows:
            name_words = search_key(row["name"]).split()
            by_name = all(any(w.startswith(q) for w in name_words) for q in words)
            if not (by_name or (wanted and wanted in _alphanumeric(row["id_key"] or ""))):
                continue
            found.append(_patient_from_row(row))
            if len(found) >= limit:
                break
        return found

    def resolve_patient(self, patient: Patient) -> Patient:
        """The patient as they will be filed: the one on file when the ID matches (its ID
        as first entered; a missing date of birth or sex filled in), else ``patient``
        with its ID cleaned. Raises StorageError('identity_mismatch') showing both when
        the ID is on file for someone with another name or date of birth."""
        given = replace(patient, patient_id=clean_id(patient.patient_id))
        stored = self.find_patient(given.patient_id)
        if stored is None:
            return given
        differences = details_differ(stored, given)
        if differences:
            raise IdentityError(
                f"Patient ID {given.patient_id!r} is already on file for someone else: "
                f"{'; '.join(differences)}. Check the ID and the details with the patient. "
                "If the details on file are wrong, an administrator corrects them "
                "(retiscreen patient correct); nothing was changed."
            )
        return replace(
            stored,
            date_of_birth=stored.date_of_birth or given.date_of_birth,
            sex=stored.sex or given.sex,
            family_name=stored.family_name or given.family_name,
            given_name=stored.given_name or given.given_name,
            id_issuer=stored.id_issuer or given.id_issuer,
        )

    def _upsert_patient(self, sid: str, operator: str, now: str, patient: Patient) -> None:
        """Insert the patient, or fill in what the record lacked (audited). A different
        name or date of birth for an ID on file is refused, never overwritten."""
        filed = self.resolve_patient(patient)
        if filed.patient_id != patient.patient_id:
            raise StorageError(
                f"Patient ID {patient.patient_id!r} is on file as {filed.patient_id!r}: "
                "resolve the patient before saving (the screening was NOT saved).",
                reason="invalid",
            )
        stored = self.find_patient(patient.patient_id)
        values = _patient_columns(filed)
        if stored is None:
            self._db.execute(
                f"INSERT INTO patients (patient_id, {', '.join(values)}, created_at, id_key)"
                f" VALUES (?, {', '.join('?' * len(values))}, ?, ?)",
                [filed.patient_id, *values.values(), now, id_key(filed.patient_id)],
            )
            return
        if stored != filed:
            before = _patient_columns(stored)
            added = [column for column in values if column != "name"]
            record_event(
                self._db,
                "patient_details_added",
                sid,
                operator,
                {
                    "patient_id": filed.patient_id,
                    "before": {column: before[column] for column in added},
                    "after": values,
                },
            )
            self._db.execute(
                f"UPDATE patients SET {', '.join(f'{c} = ?' for c in added)} WHERE patient_id = ?",
                [*(values[column] for column in added), filed.patient_id],
            )

    def correct_patient(self, corrected: Patient, operator: str, reason: str) -> None:
        """An administrator's correction of a patient's details on file, audited with
        the details before and after and the reason (the only way to change a name or
        date of birth once screenings are filed under them)."""
        reason = " ".join(reason.split())
        if not reason:
            raise StorageError("A correction needs a reason.", reason="invalid")
        with self._write(f"the details of patient {corrected.patient_id} were NOT changed"):
            stored = self.find_patient(corrected.patient_id)
            if stored is None:
                raise StorageError(
                    f"No patient with ID {corrected.patient_id!r} is on file.", reason="not_found"
                )
            after = _patient_columns(corrected)
            record_event(
                self._db,
                "patient_corrected",
                None,
                operator,
                {
                    "patient_id": stored.patient_id,
                    "before": _patient_columns(stored),
                    "after": after,
                    "reason": reason,
                },
            )
            self._db.execute(
                f"UPDATE patients SET {', '.join(f'{c} = ?' for c in after)} WHERE patient_id = ?",
                [*after.values(), stored.patient_id],
            )

    def _insert_screening(self, screening: Screening, snapshot_json: str, now: str) -> None:
        """The screening row; the model columns name the model that graded it, if any."""
        graded = next((eye.grade for eye in screening.eyes if eye.grade is not None), None)
        self._db.execute(
            "INSERT INTO screenings (screening_id, patient_id, operator, site, started_at,"
            " started_at_utc, saved_at, decision_urgency, decision_headline, decision_kind,"
            " model_name, model_version, model_sha256, provider, snapshot_json,"
            " accession_number, referring_physician, study_instance_uid, exclusion)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                screening.screening_id,
                screening.patient.patient_id,
                screening.operator,
                screening.site,
                screening.started_at.isoformat(),
                _sort_key(screening.started_at),
                now,
                screening.decision.kind.severity,
                ENGLISH.headline(screening.decision),
                screening.decision.kind.value,
                graded.model.name if graded else None,
                graded.model.version if graded else None,
                graded.model.sha256 if graded else None,
                graded.provider if graded else None,
                snapshot_json,
                screening.order.accession_number,
                screening.order.referring_physician,
                screening.order.study_uid,
                screening.exclusion.value if screening.exclusion else None,
            ],
        )

    def _insert_eye(self, sid: str, eye: EyeResult, stored_file: str | None) -> None:
        quality, grade = eye.quality, eye.grade
        self._db.execute(
            "INSERT INTO eye_images (screening_id, laterality, stored_file, sha256,"
            " gradable, quality_score, quality_reasons, grade, probabilities_json,"
            " referable_probability, error, skipped_reason, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sid,
                eye.laterality.value,
                stored_file,
                eye.image.sha256 if eye.image else None,
                None if quality is None else int(quality.gradable),
                None if quality is None else float(quality.score),
                None if quality is None else canonical_json([r.value for r in quality.reasons]),
                None if grade is None else int(grade.grade),
                None if grade is None else json.dumps(list(grade.probabilities)),
                None if grade is None else float(grade.referable_probability),
                eye.error,
                eye.skipped_reason,
                eye.status.value,
            ],
        )

    def _insert_field(self, sid: str, field: EyeResult, stored_file: str | None) -> None:
        """One field of a two-field eye: its state and where its photograph is kept (its
        results are in the snapshot)."""
        assert field.view is not None
        self._db.execute(
            "INSERT INTO field_images (screening_id, laterality, view, status, stored_file,"
            " sha256) VALUES (?, ?, ?, ?, ?, ?)",
            [
                sid,
                field.laterality.value,
                field.view.value,
                field.status.value,
                stored_file,
                field.image.sha256 if field.image else None,
            ],
        )

    def has_screening(self, screening_id: str) -> bool:
        """Whether a screening with this id is saved."""
        return bool(self._rows("SELECT 1 FROM screenings WHERE screening_id = ?", [screening_id]))

    def load_screening(self, screening_id: str) -> Screening:
        """Read a saved screening back, re-decoding and verifying its photographs.

        A photograph that is missing, or whose bytes no longer match the recorded
        sha256, raises StorageError: a report must never show a different image.
        The reloaded photographs keep the ``source`` recorded at capture time.
        """
        rows = self._rows(
            "SELECT snapshot_json FROM screenings WHERE screening_id = ?", [screening_id]
        )
        if not rows:
            raise StorageError(f"No screening with id {screening_id} is saved.", reason="not_found")
        eye_rows = self._rows(
            "SELECT laterality, stored_file, sha256 FROM eye_images WHERE screening_id = ?",
            [screening_id],
        )
        try:
            snapshot = json.loads(rows[0]["snapshot_json"])
        except ValueError as exc:
            raise _damaged(screening_id, exc) from exc
        by_eye = {Laterality(row["laterality"]): row for row in eye_rows}
        images: dict[Laterality, FundusImage | None] = {}
        for laterality in Laterality:
            try:
                recorded = recorded_image(snapshot, laterality)
            except ValueError as exc:
                raise _damaged(screening_id, exc) from exc
            if recorded is None:
                continue
            row = by_eye.get(laterality)
            what = f"the {laterality.value} eye photograph of screening {screening_id}"
            images[laterality] = self._recorded_image(row, recorded, what)
        field_images = self._field_images(screening_id, snapshot)
        try:
            return screening_from_dict(snapshot, images, field_images)
        except ValueError as exc:
            raise StorageError(
                f"The saved record of screening {screening_id} cannot be read ({exc}). Call IT.",
                reason="corrupt",
            ) from exc

    def _field_images(
        self, screening_id: str, snapshot: dict[str, Any]
    ) -> dict[tuple[Laterality, FieldView], FundusImage | None]:
        """A two-field screening's field photographs, each read back and verified."""
        rows = self._rows(
            "SELECT laterality, view, stored_file, sha256 FROM field_images WHERE screening_id = ?",
            [screening_id],
        )
        by_field = {(Laterality(r["laterality"]), FieldView(r["view"])): r for r in rows}
        images: dict[tuple[Laterality, FieldView], FundusImage | None] = {}
        for laterality in Laterality:
            try:
                recorded = recorded_field_images(snapshot, laterality)
            except ValueError as exc:
                raise _damaged(screening_id, exc) from exc
            for view, record in recorded.items():
                row = by_field.get((laterality, view))
                what = (
                    f"the {laterality.value} eye {view.value}-centred photograph of "
                    f"screening {screening_id}"
                )
                images[(laterality, view)] = self._recorded_image(row, record, what)
        return images

    def _recorded_image(
        self, row: dict[str, Any] | None, recorded: dict[str, Any], what: str
    ) -> FundusImage:
        """The photograph a snapshot records, read from the file its row names: refused
        when the row and the snapshot disagree (a swapped or altered record)."""
        if row is None or not row["stored_file"] or row["sha256"] != recorded.get("sha256"):
            raise StorageError(
                f"The records of {what} disagree with each other. Call IT.", reason="corrupt"
            )
        image = self._read_image(row["stored_file"], row["sha256"], what)
        source = recorded.get("source")
        return replace(image, source=source) if isinstance(source, str) else image

    def _read_image(self, stored_file: str, sha256: str, what: str) -> FundusImage:
        """Decrypt and decode a stored photograph, refusing one that is missing or has
        changed."""
        data = self._read_stored(stored_file, what)
        try:
            image = decode_fundus(data, source=str(self.root / stored_file))
        except ImageError as exc:
            raise StorageError(
                f"The stored file of {what} cannot be read ({exc}). Call IT.",
                reason="missing_file",
            ) from exc
        if image.sha256 != sha256:
            raise StorageError(
                f"The stored file of {what} has been changed or damaged since it was saved "
                "(its fingerprint no longer matches). Do not use it; call IT.",
                reason="corrupt",
            )
        return image


def _checked_snapshot(screening: Screening, sid: str) -> str:
    """Refuse a screening that cannot be a valid record; return its snapshot as JSON."""
    if not screening.patient.patient_id.strip():
        raise StorageError(
            f"The screening {sid} has no patient ID: it was NOT saved. Enter the "
            "patient's ID and save again.",
            reason="invalid",
        )
    lateralities = [eye.laterality for eye in screening.eyes]
    if len(set(lateralities)) != len(lateralities):
        raise StorageError(
            f"The screening {sid} lists the same eye twice: it was NOT saved.",
            reason="invalid",
        )
    try:
        return json.dumps(screening_to_dict(screening), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StorageError(
            f"The screening {sid} holds a value that cannot be recorded ({exc}): it was NOT saved.",
            reason="invalid",
        ) from exc


def _field_shas(screening: Screening) -> dict[str, dict[str, str]]:
    """The audit's record of a two-field screening's photographs ("right-macula": its
    sha256); nothing for a one-field screening."""
    shas = {
        f"{f.laterality.value}-{f.view.value}": f.image.sha256
        for eye in screening.eyes
        for f in eye.fields
        if f.view is not None and f.image is not None
    }
    return {"field_images": shas} if shas else {}


def _damaged(screening_id: str, exc: ValueError) -> StorageError:
    return StorageError(
        f"The saved record of screening {screening_id} is damaged ({exc}). Call IT.",
        reason="corrupt",
    )


def _patient_columns(patient: Patient) -> dict[str, str | None]:
    """The patients table's columns for ``patient`` (all but the ID and its key)."""
    return {
        "name": patient.name,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "sex": patient.sex,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "id_issuer": patient.id_issuer,
    }


def _patient_from_row(row: Mapping[str, Any]) -> Patient:
    """A patients-table row (the columns of :func:`_patient_columns` and the ID)."""
    dob = date.fromisoformat(row["date_of_birth"]) if row["date_of_birth"] else None
    return Patient(
        row["patient_id"],
        row["name"],
        dob,
        row["sex"],
        row["family_name"],
        row["given_name"],
        row["id_issuer"],
    )


def _alphanumeric(key: str) -> str:
    """An ID key without its punctuation: "mrn 9002" finds "MRN-9002"."""
    return "".join(c for c in key if c.isalnum())


def _sort_key(moment: datetime) -> str:
    """Comparable text for 'newest first': UTC for aware times, as-is for naive ones."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return moment.isoformat(timespec="microseconds")


def _extension(file_format: str) -> str:
    """The file name extension for a photograph's format (unknown ones sanitised)."""
    known = _EXTENSIONS.get(file_format.upper())
    if known:
        return known
    cleaned = re.sub(r"[^a-z0-9]", "", file_format.lower())[:8]
    return cleaned or "bin"
