"""Test peers that behave as the clinic's systems do, on 127.0.0.1: an MLLP listener
that parses each HL7 message with hl7apy and acknowledges it as told, a FHIR endpoint
that validates each Bundle with fhir.resources and honours conditional creates, a
pynetdicom Storage SCP with a chosen C-STORE status, and a socket that accepts and
then says nothing (a hung peer)."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

START, END = b"\x0b", b"\x1c\x0d"


@dataclass
class Hl7Listener:
    """Answers each message with the next code in ``replies`` (the last one repeats);
    ``None`` closes the connection without an ACK."""

    replies: list[str | None]
    port: int = 0
    received: list[Any] = field(default_factory=list)
    """Every message received, parsed by hl7apy (tolerant: the ED data is long)."""

    def ack(self, message: Any) -> bytes | None:
        code = self.replies[min(len(self.received) - 1, len(self.replies) - 1)]
        if code is None:
            return None
        control = message.msh.msh_10.to_er7()
        text = (
            "MSH|^~\\&|EHR|HOSP|RETISCREEN|north|20261203120000||ACK^R01^ACK|A1|P|2.5.1\r"
            f"MSA|{code}|{control}|{'' if code == 'AA' else 'Patient not found'}"
        )
        return START + text.encode() + END


@contextmanager
def hl7_listener(*replies: str | None) -> Iterator[Hl7Listener]:
    listener = Hl7Listener(list(replies) or ["AA"])

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data = b""
            while END not in data:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                data += chunk
            text = data[data.index(START) + 1 : data.index(END)].decode("utf-8")
            message = parse_message(text, validation_level=VALIDATION_LEVEL.TOLERANT)
            listener.received.append(message)
            reply = listener.ack(message)
            if reply is not None:
                self.request.sendall(reply)

    with _serving(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)) as port:
        listener.port = port
        yield listener


@dataclass
class FhirServer:
    """Stores valid Bundles; ``fail_next`` answers that many POSTs with HTTP 500."""

    fail_next: int = 0
    url: str = ""
    bundles: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Stored Bundles by their identifier value (what a conditional create matches)."""
    posts: int = 0


@contextmanager
def fhir_server(fail_next: int = 0) -> Iterator[FhirServer]:
    server = FhirServer(fail_next)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.endswith("/metadata"):
                self._answer(200, {"resourceType": "CapabilityStatement", "status": "active"})
            else:
                self._answer(404, {})

        def do_POST(self) -> None:
            server.posts += 1
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if server.fail_next > 0:
                server.fail_next -= 1
                outcome = {"resourceType": "OperationOutcome", "issue": [{"diagnostics": "busy"}]}
                self._answer(500, outcome)
                return
            if not self.path.endswith("/Bundle"):
                self._answer(404, {})
                return
            bundle = Bundle.model_validate_json(body)  # a 500 (test failure) if invalid
            key = bundle.identifier.value
            condition = self.headers.get("If-None-Exist", "")
            if key in server.bundles and condition.endswith(f"|{key}"):
                self._answer(200, server.bundles[key])  # already there: not stored again
                return
            server.bundles[key] = json.loads(body)
            self._answer(201, server.bundles[key])

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as port:
        server.url = f"http://127.0.0.1:{port}/fhir"
        yield server


@contextmanager
def storage_scp(status: int = 0x0000, port: int = 0, ae_title: str = "STORESCP") -> Iterator[Any]:
    """A pynetdicom Storage SCP answering every C-STORE with ``status``; yields the list
    of datasets it accepted (appended as they arrive) and its port."""
    from pynetdicom import AE, AllStoragePresentationContexts, evt
    from pynetdicom.sop_class import Verification

    received: list[Any] = []

    def on_store(event: Any) -> int:
        if status == 0:
            received.append(event.dataset)
        return status

    ae = AE(ae_title=ae_title)
    for context in AllStoragePresentationContexts:
        ae.add_supported_context(
            context.abstract_syntax,
            ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.50"],
        )
    ae.add_supported_context(Verification)
    server = ae.start_server(
        ("127.0.0.1", port), block=False, evt_handlers=[(evt.EVT_C_STORE, on_store)]
    )
    try:
        yield received, server.server_address[1]
    finally:
        server.shutdown()


@contextmanager
def silent_peer() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung system)."""
    held: list[socket.socket] = []

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            held.append(self.request)
            while self.request.recv(65536):  # read, answer nothing, until the client gives up
                pass

    with _serving(socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)) as port:
        yield port


@contextmanager
def _serving(server: socketserver.BaseServer) -> Iterator[int]:
    server.daemon_threads = True  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
