"""Talking DICOM to the clinic's PACS and worklist with pynetdicom: C-ECHO to test a
connection, C-STORE to send a screening, C-FIND on the modality worklist.

Why every failure is an :class:`IntegrationError` in plain words: the operator (or the
outbox's log) must learn whether the PACS was off, the address wrong, this kiosk's AE
title not allowed, or an object refused, and the item must stay queued. The TCP
connection is opened once by hand first: pynetdicom reports a refused connection and a
timeout alike ("association failed"), and the two call for different fixes.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from retiscreen.errors import IntegrationError
from retiscreen.integration.peers import DicomPeer

log = logging.getLogger(__name__)
# pynetdicom logs every query and answer dataset at INFO: names, IDs, dates of birth.
logging.getLogger("pynetdicom").setLevel(logging.WARNING)

VERIFICATION = "1.2.840.10008.1.1"
WORKLIST_FIND = "1.2.840.10008.5.1.4.31"
_STORED_WITH_WARNING = {0xB000, 0xB006, 0xB007}  # PS3.4 B.2.3: stored, with a remark


def connect(host: str, port: int, timeout_s: float, what: str) -> socket.socket:
    """A TCP connection to a peer, or IntegrationError saying in words why not."""
    try:
        return socket.create_connection((host, port), timeout=timeout_s)
    except ConnectionRefusedError:
        raise IntegrationError(
            f"The {what} at {host}:{port} refused the connection: it is not running or the "
            "port is wrong."
        ) from None
    except TimeoutError:
        raise IntegrationError(
            f"The {what} at {host}:{port} did not answer within {timeout_s:g} s: check the "
            "network and the address."
        ) from None
    except OSError as exc:  # unknown host, no route, network down
        raise IntegrationError(
            f"The {what} at {host}:{port} cannot be reached ({exc.strerror or exc})."
        ) from None


def reachable(peer: DicomPeer | tuple[str, int], timeout_s: float, what: str) -> None:
    """Open (and close) a TCP connection, saying in words why it failed."""
    host, port = (peer.host, peer.port) if isinstance(peer, DicomPeer) else peer
    connect(host, port, timeout_s, what).close()


@contextmanager
def association(
    peer: DicomPeer,
    calling: str,
    contexts: Sequence[tuple[str, Sequence[str]]],
    timeout_s: float,
    what: str = "PACS",
) -> Iterator[Any]:
    """An established association with ``peer`` for the (SOP class, transfer syntaxes)
    given, released afterwards; IntegrationError when it cannot be established."""
    from pynetdicom import AE

    reachable(peer, timeout_s, what)
    ae = AE(ae_title=calling)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = timeout_s
    ae.connection_timeout = timeout_s
    for sop_class, syntaxes in contexts:
        ae.add_requested_context(sop_class, list(syntaxes))
    assoc = ae.associate(peer.host, peer.port, ae_title=peer.ae_title)
    if assoc.is_rejected:
        raise IntegrationError(
            f"The {what} {peer} refused this kiosk (calling AE title {calling!r}, called "
            f"{peer.ae_title!r}): ask its administrator to allow RetiScreen, or correct the "
            "AE titles."
        )
    if not assoc.is_established:
        raise IntegrationError(
            f"The {what} {peer} did not set up the connection within {timeout_s:g} s (no "
            "answer, or it broke off): check that it is a DICOM server and is working."
        )
    try:
        yield assoc
    finally:
        if assoc.is_established:
            assoc.release()


def echo(peer: DicomPeer, calling: str, timeout_s: float, what: str = "PACS") -> None:
    """C-ECHO: the peer is there and accepts this kiosk."""
    with association(
        peer, calling, [(VERIFICATION, [ImplicitVRLittleEndian])], timeout_s, what
    ) as a:
        status = a.send_c_echo()
        if not status or status.Status != 0:
            raise IntegrationError(f"The {what} {peer} did not confirm the test (C-ECHO).")


def store(datasets: Sequence[Dataset], peer: DicomPeer, calling: str, timeout_s: float) -> int:
    """C-STORE every dataset, each in the transfer syntax it is encoded in. All or
    nothing from the caller's view: the first refusal raises (a resend is harmless,
    the UIDs being the same). Returns how many objects the PACS stored."""
    # One context per (class, syntax): a PACS that accepted a class in another syntax
    # could not be sent a JPEG as it is.
    pairs = {(str(ds.SOPClassUID), str(ds.file_meta.TransferSyntaxUID)) for ds in datasets}
    requested = [(sop, [syntax]) for sop, syntax in sorted(pairs)]
    with association(peer, calling, requested, timeout_s) as assoc:
        for ds in datasets:
            try:
                status = assoc.send_c_store(ds)
            except ValueError as exc:  # no accepted presentation context for it
                raise IntegrationError(
                    f"The PACS {peer} does not accept this kind of object ({exc})."
                ) from None
            code = int(getattr(status, "Status", -1)) if status else -1
            if code == -1:
                raise IntegrationError(f"The PACS {peer} did not answer a C-STORE in time.")
            if code != 0 and code not in _STORED_WITH_WARNING:
                raise IntegrationError(
                    f"The PACS {peer} refused an object (C-STORE status 0x{code:04X})."
                )
            if code:
                log.warning("PACS stored an object with warning status 0x%04X", code)
    return len(datasets)


def find_worklist(query: Dataset, peer: DicomPeer, calling: str, timeout_s: float) -> list[Dataset]:
    """C-FIND on the modality worklist: every matching scheduled procedure step."""
    found: list[Dataset] = []
    contexts = [(WORKLIST_FIND, [ExplicitVRLittleEndian, ImplicitVRLittleEndian])]
    with association(peer, calling, contexts, timeout_s, "worklist") as assoc:
        for status, identifier in assoc.send_c_find(query, WORKLIST_FIND):
            code = int(getattr(status, "Status", -1)) if status else -1
            if code in (0xFF00, 0xFF01) and identifier is not None:
                found.append(identifier)
            elif code == 0:
                break
            elif code == -1:
                raise IntegrationError(
                    f"The worklist {peer} refused the query or did not answer it: check that "
                    f"it lets this kiosk ({calling!r}) query it."
                )
            else:
                raise IntegrationError(
                    f"The worklist {peer} failed the query (C-FIND status 0x{code:04X})."
                )
    return found
