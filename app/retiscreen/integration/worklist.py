"""The modality worklist: the patients the clinic's system scheduled for screening.

Why: typing names and IDs on a touch screen is slow and error-prone; picking the patient
from the list the hospital system made brings the ID, its issuer, the name in parts, the
accession number and the study UID with it, so results land on the right order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydicom.dataset import Dataset
from pydicom.valuerep import PersonName

from retiscreen.domain import Order, Patient
from retiscreen.errors import UsageError
from retiscreen.integration import dicom_network, peers
from retiscreen.integration.peers import DicomPeer
from retiscreen.settings import IntegrationSettings


@dataclass(frozen=True)
class WorklistEntry:
    """One scheduled procedure step: who, for which order, when."""

    patient: Patient
    order: Order
    scheduled: datetime | None
    description: str

    def as_dict(self) -> dict[str, Any]:
        p = self.patient
        return {
            "patient_id": p.patient_id,
            "id_issuer": p.id_issuer,
            "name": p.name,
            "family_name": p.family_name,
            "given_name": p.given_name,
            "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
            "sex": p.sex,
            "accession_number": self.order.accession_number,
            "referring_physician": self.order.referring_physician,
            "study_uid": self.order.study_uid,
            "scheduled": self.scheduled.isoformat() if self.scheduled else None,
            "description": self.description,
        }

    def line(self) -> str:
        when = self.scheduled.strftime("%H:%M") if self.scheduled else "--:--"
        dob = self.patient.date_of_birth.isoformat() if self.patient.date_of_birth else "no DOB"
        accession = self.order.accession_number or "no accession"
        return f"{when}  {self.patient.patient_id}  {self.patient.name}  {dob}  {accession}"


def worklist_query(day: date, modality: str = "OP") -> Dataset:
    """The C-FIND identifier: every return key empty (universal), the day and modality
    as matching keys."""
    query = Dataset()
    for keyword in (
        "PatientName",
        "PatientID",
        "IssuerOfPatientID",
        "PatientBirthDate",
        "PatientSex",
        "AccessionNumber",
        "ReferringPhysicianName",
        "StudyInstanceUID",
        "RequestedProcedureDescription",
        "RequestedProcedureID",
    ):
        setattr(query, keyword, "")
    step = Dataset()
    step.Modality = modality
    step.ScheduledProcedureStepStartDate = day.strftime("%Y%m%d")
    step.ScheduledProcedureStepStartTime = ""
    step.ScheduledStationAETitle = ""
    step.ScheduledProcedureStepDescription = ""
    query.ScheduledProcedureStepSequence = [step]
    return query


def entry_from(found: Dataset) -> WorklistEntry | None:
    """A worklist answer as an entry; None when it names no patient ID (unusable)."""
    patient_id = _text(found, "PatientID")
    if not patient_id:
        return None
    name = PersonName(str(getattr(found, "PatientName", "") or ""))
    family, given = name.family_name.strip() or None, name.given_name.strip() or None
    shown = " ".join(part for part in (given, family) if part) or str(name).replace("^", " ")
    step = (getattr(found, "ScheduledProcedureStepSequence", None) or [Dataset()])[0]
    sex = _text(found, "PatientSex")
    return WorklistEntry(
        patient=Patient(
            patient_id,
            shown.strip(),
            _date(_text(found, "PatientBirthDate")),
            {"F": "F", "M": "M", "O": "X"}.get(sex or ""),
            family,
            given,
            _text(found, "IssuerOfPatientID"),
        ),
        order=Order(
            _text(found, "AccessionNumber"),
            _text(found, "ReferringPhysicianName"),
            _text(found, "StudyInstanceUID"),
        ),
        scheduled=_moment(
            _text(step, "ScheduledProcedureStepStartDate"),
            _text(step, "ScheduledProcedureStepStartTime"),
        ),
        description=_text(step, "ScheduledProcedureStepDescription")
        or _text(found, "RequestedProcedureDescription")
        or "",
    )


def query_worklist(settings: IntegrationSettings, day: date) -> list[WorklistEntry]:
    """Today's (or ``day``'s) scheduled patients from the configured worklist, by time."""
    if not settings.worklist:
        raise UsageError("No worklist is set up: set worklist = AET@HOST:PORT in [integration].")
    peer: DicomPeer = peers.dicom_peer(settings.worklist)
    answers = dicom_network.find_worklist(
        worklist_query(day, settings.worklist_modality),
        peer,
        settings.ae_title,
        settings.timeout_s,
    )
    entries = [entry for found in answers if (entry := entry_from(found)) is not None]
    return sorted(entries, key=lambda e: (e.scheduled or datetime.max, e.patient.name))


def _text(ds: Dataset, keyword: str) -> str | None:
    return str(getattr(ds, keyword, "") or "").strip() or None


def _date(text: str | None) -> date | None:
    try:
        return datetime.strptime(text or "", "%Y%m%d").date()
    except ValueError:
        return None


def _moment(day: str | None, time: str | None) -> datetime | None:
    start = _date(day)
    if start is None:
        return None
    digits = (time or "").split(".")[0].ljust(6, "0")[:6]
    try:
        return datetime.strptime(f"{start:%Y%m%d}{digits}", "%Y%m%d%H%M%S")
    except ValueError:
        return datetime(start.year, start.month, start.day)
