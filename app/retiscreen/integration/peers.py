"""Where results go: a PACS (``AET@HOST:PORT``), an HL7 v2 listener (``HOST:PORT``,
MLLP) and a FHIR server (a base URL), written the way clinic IT writes them down.

Why parsed strictly, once: a typo in a port or an AE title must be refused when the
setting is read (naming it), not discovered as a silent non-delivery weeks later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from retiscreen.errors import UsageError

_AE_TITLE = re.compile(r"[\x20-\x5b\x5d-\x7e]{1,16}")  # PS3.5 AE: 16 chars, no backslash
_HOST_PORT = re.compile(r"(?P<host>[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>[0-9]{1,5})")


@dataclass(frozen=True)
class DicomPeer:
    """A DICOM application entity: its AE title and network address."""

    ae_title: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.ae_title}@{self.host}:{self.port}"


@dataclass(frozen=True)
class Hl7Peer:
    """An HL7 v2 listener speaking MLLP."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def ae_title(text: str, what: str = "AE title") -> str:
    """An AE title as DICOM allows it (1-16 printable ASCII, no backslash, not blank)."""
    title = text.strip()
    if not _AE_TITLE.fullmatch(title):
        raise UsageError(
            f"{what} {text!r} is not a DICOM AE title (1 to 16 letters, digits or "
            "punctuation, no backslash)"
        )
    return title


def _host_port(text: str, what: str) -> tuple[str, int]:
    found = _HOST_PORT.fullmatch(text.strip())
    if found is None or not 0 < int(found["port"]) < 65536:
        raise UsageError(f"{what} {text!r}: give HOST:PORT with a port from 1 to 65535")
    return found["host"].strip("[]"), int(found["port"])


def dicom_peer(text: str) -> DicomPeer:
    """``AET@HOST:PORT`` (e.g. ``PACS@10.0.0.5:104``)."""
    title, at, address = text.strip().rpartition("@")
    if not at:
        raise UsageError(f"DICOM destination {text!r}: give AET@HOST:PORT, e.g. PACS@10.0.0.5:104")
    host, port = _host_port(address, "DICOM destination")
    return DicomPeer(ae_title(title), host, port)


def hl7_peer(text: str) -> Hl7Peer:
    """``HOST:PORT`` of an MLLP listener (e.g. ``hl7.hospital.local:2575``)."""
    return Hl7Peer(*_host_port(text, "HL7 destination"))


def fhir_base(text: str) -> str:
    """A FHIR server's base URL (http or https), without a trailing slash."""
    url = text.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError(f"FHIR server {text!r}: give its base URL, e.g. https://fhir.local/r4")
    return url
