"""Who a record belongs to: patient-ID matching, name comparison, plausible birth dates,
and whether a DICOM file's own patient is the one being screened.

Why one small pure module: a screening filed under the wrong patient is as harmful as a
wrong grade, and the kiosk, the CLI and the store must agree exactly on when two IDs
are the same person. IDs are kept as entered (trimmed, NFC) for display, and compared by
a key that ignores case, width variants and spaces (scanners and keyboards differ).
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

from retiscreen.domain import FundusImage, Patient

MAX_AGE_YEARS = 120


def clean_id(patient_id: str) -> str:
    """The ID as it is displayed and stored: Unicode NFC, surrounding spaces removed."""
    return unicodedata.normalize("NFC", patient_id).strip()


def id_key(patient_id: str) -> str:
    """The form two IDs are compared in: ``p123``, `` P123`` and ``P 123`` are one patient."""
    folded = unicodedata.normalize("NFKC", patient_id).casefold()
    return "".join(folded.split())


def name_key(name: str) -> str:
    """Names compared without case, accents written two ways, or extra spaces; DICOM's
    ``Family^Given`` order is compared as the same set of words."""
    folded = unicodedata.normalize("NFKC", name).casefold().replace("^", " ")
    return " ".join(sorted(folded.split()))


def search_key(text: str) -> str:
    """Text compared for a search: without case, accents or extra spaces ("García" and
    "garcia" are one), DICOM's ``^`` a space."""
    decomposed = unicodedata.normalize("NFKD", text.replace("^", " ")).casefold()
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def named(
    patient: Patient,
    name: str | None,
    family_name: str | None = None,
    given_name: str | None = None,
) -> Patient:
    """``patient`` with the name fields entered: the display name as given, or "Given
    Family" made from the parts; each trimmed (NFC, single spaces), empty parts None."""

    def tidy(text: str | None) -> str | None:
        return " ".join(unicodedata.normalize("NFC", text).split()) or None if text else None

    family, given = tidy(family_name), tidy(given_name)
    shown = tidy(name) or " ".join(part for part in (given, family) if part)
    return replace(patient, name=shown, family_name=family, given_name=given)


_SEX_CODES = {"f": "F", "female": "F", "m": "M", "male": "M", "x": "O", "o": "O", "other": "O"}


def sex_code(sex: str | None) -> str | None:
    """The patient's sex as DICOM writes it (F, M, O) whether it was recorded by the CLI
    (F/M/X) or the kiosk (Female/Male/Other); None when not recorded."""
    if not sex:
        return None
    return _SEX_CODES.get(sex.strip().casefold(), "O")


def birth_date_problem(dob: date | None, today: date | None = None) -> str | None:
    """Why a date of birth cannot be right (in the future, or over 120 years ago)."""
    if dob is None:
        return None
    today = today or date.today()
    if dob > today:
        return f"the date of birth {dob.isoformat()} is in the future"
    oldest = date(today.year - MAX_AGE_YEARS, today.month, min(today.day, 28))
    if dob < oldest:
        return (
            f"the date of birth {dob.isoformat()} is more than {MAX_AGE_YEARS} years ago: "
            "check the year"
        )
    return None


def details_differ(stored: Patient, given: Patient) -> list[str]:
    """What differs between the patient on file and the one given for the same ID."""
    differences = []
    if name_key(stored.name) != name_key(given.name):
        differences.append(f"name on file {stored.name!r}, given {given.name!r}")
    if stored.date_of_birth != given.date_of_birth and given.date_of_birth is not None:
        on_file = stored.date_of_birth.isoformat() if stored.date_of_birth else "none"
        differences.append(
            f"date of birth on file {on_file}, given {given.date_of_birth.isoformat()}"
        )
    return differences


def photograph_patient_problem(patient: Patient, image: FundusImage) -> str | None:
    """Why a photograph (a DICOM file naming its patient) must not be filed under
    ``patient``: its PatientID differs, or, when it has none, its name and birth date."""
    if image.patient_id_hint:
        if id_key(image.patient_id_hint) == id_key(patient.patient_id):
            return None
        return (
            f"This photograph belongs to patient ID {image.patient_id_hint!r}, not to "
            f"{patient.patient_id!r}. Check that it is this patient's photograph."
        )
    if image.patient_name_hint and name_key(image.patient_name_hint) != name_key(patient.name):
        return "This photograph names another patient. Check that it is this patient's photograph."
    if (
        image.birth_date_hint is not None
        and patient.date_of_birth is not None
        and image.birth_date_hint != patient.date_of_birth
    ):
        return (
            "This photograph gives another date of birth. Check that it is this patient's "
            "photograph."
        )
    return None
