"""DICOM UIDs that are the same for the same object on every export and every machine.

Why derived, not random: the PACS must see a resend as the same objects, not new ones,
and a study begun at screening time must keep its UID through every later export.
"""

from __future__ import annotations

import uuid

UID_NAMESPACE = uuid.UUID("6f1c2f4e-2d1e-5b7a-9a44-52657469536e")  # RetiScreen's own


def stable_uid(*parts: str) -> str:
    """A name-based UUID (RFC 4122 version 5) of ``parts``, written as a ``2.25.`` UID
    (DICOM PS3.5 B.2)."""
    return f"2.25.{uuid.uuid5(UID_NAMESPACE, chr(31).join(parts)).int}"
