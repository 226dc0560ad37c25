"""HL7 v2 over MLLP (the framing every HL7 engine listens for): send one message, read
its acknowledgement, and say whether the receiver accepted it.

Why the ACK is read strictly: only MSA-1 ``AA`` (or ``CA``) for this message's control
ID means the result reached the receiver's records; ``AE``/``AR`` (errors, rejections),
an ACK for another message, or no ACK at all are failures, and the item stays queued.
"""

from __future__ import annotations

import socket

from retiscreen.errors import IntegrationError
from retiscreen.integration.dicom_network import connect
from retiscreen.integration.peers import Hl7Peer

START, END = b"\x0b", b"\x1c\x0d"
ACCEPTED = {"AA", "CA"}
MAX_ACK_BYTES = 1 << 20


def frame(message: str) -> bytes:
    """The message in an MLLP block: <VT> data <FS><CR>."""
    return START + message.encode("utf-8") + END


def send_message(message: str, control_id: str, peer: Hl7Peer, timeout_s: float) -> str:
    """Send, wait for the ACK, return its MSA-1 code when accepted; IntegrationError
    (in words, with the receiver's own error text when it gave one) otherwise."""
    connection = connect(peer.host, peer.port, timeout_s, "HL7 receiver")
    try:
        with connection:
            connection.sendall(frame(message))
            reply = _read_block(connection, peer)
    except TimeoutError:
        raise IntegrationError(
            f"The HL7 receiver {peer} did not acknowledge the message within {timeout_s:g} s."
        ) from None
    except OSError as exc:
        raise IntegrationError(
            f"The connection to the HL7 receiver {peer} failed ({exc.strerror or exc})."
        ) from None
    return check_ack(reply, control_id, peer)


def _read_block(connection: socket.socket, peer: Hl7Peer) -> str:
    data = b""
    while END not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise IntegrationError(
                f"The HL7 receiver {peer} closed the connection without acknowledging."
            )
        data += chunk
        if len(data) > MAX_ACK_BYTES:
            raise IntegrationError(f"The HL7 receiver {peer} sent no proper acknowledgement.")
    start = data.find(START)
    return data[start + 1 : data.index(END)].decode("utf-8", errors="replace")


def check_ack(reply: str, control_id: str, peer: Hl7Peer) -> str:
    """MSA-1 of an ACK for ``control_id``; IntegrationError for anything else."""
    segments = {s.split("|", 1)[0]: s for s in reply.replace("\n", "\r").split("\r") if s}
    msa = segments.get("MSA", "").split("|")
    if len(msa) < 3:
        raise IntegrationError(f"The HL7 receiver {peer} answered without an acknowledgement.")
    code, acknowledged = msa[1], msa[2]
    if acknowledged != control_id:
        raise IntegrationError(
            f"The HL7 receiver {peer} acknowledged another message ({acknowledged!r})."
        )
    if code not in ACCEPTED:
        reason = msa[3] if len(msa) > 3 and msa[3] else _err_text(segments.get("ERR", ""))
        verdict = "rejected" if code in {"AR", "CR"} else "reported an error for"
        raise IntegrationError(
            f"The HL7 receiver {peer} {verdict} the result (ACK {code}"
            f"{': ' + reason if reason else ''})."
        )
    return code


def _err_text(err: str) -> str:
    """ERR-8 (user message) or ERR-3's text, when the receiver sent an ERR segment."""
    fields = err.split("|")
    for index in (8, 3):
        if len(fields) > index and fields[index]:
            return fields[index].split("^")[1 if index == 3 else 0] or fields[index]
    return ""
