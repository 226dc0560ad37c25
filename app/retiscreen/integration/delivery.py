"""Sending screenings to the clinic's systems through the durable outbox.

Why queue first, then try: the item is in the database before the first byte leaves,
so a crash, a reboot or a peer that is down loses nothing; each attempt's outcome is
recorded (:mod:`retiscreen.store.outbox`). What is sent is rebuilt from the stored
screening and report each time, with the same UIDs and the same HL7 control ID, so a
retry is the same message, never a second result.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from retiscreen.errors import IntegrationError, RetiScreenError, UsageError
from retiscreen.integration import peers

if TYPE_CHECKING:
    from retiscreen.settings import IntegrationSettings
    from retiscreen.store import ScreeningStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    """One attempt at one outbox item."""

    item_id: int
    screening_id: str
    channel: str
    destination: str
    ok: bool
    message: str


def message_id(report_id: str, channel: str, destination: str) -> str:
    """The item's own id, kept across retries: HL7 MSH-10 (at most 20 characters)."""
    digest = hashlib.sha256(f"{report_id}\x1f{channel}\x1f{destination}".encode()).hexdigest()
    return digest[:20].upper()


def destinations(
    settings: IntegrationSettings,
    dicom: str | None = None,
    hl7: str | None = None,
    fhir: str | None = None,
) -> list[tuple[str, str]]:
    """(channel, destination) for each destination given, else each configured one;
    each parsed strictly (UsageError naming the bad one)."""
    given = {"dicom": dicom, "hl7": hl7, "fhir": fhir}
    if not any(given.values()):
        given = {
            "dicom": settings.dicom_destination,
            "hl7": settings.hl7_destination,
            "fhir": settings.fhir_url,
        }
    parse: dict[str, Callable[[str], object]] = {
        "dicom": peers.dicom_peer,
        "hl7": peers.hl7_peer,
        "fhir": peers.fhir_base,
    }
    chosen = [(channel, str(parse[channel](text))) for channel, text in given.items() if text]
    if not chosen:
        raise UsageError(
            "No destination: give --dicom AET@HOST:PORT, --hl7 HOST:PORT or --fhir URL, or "
            "set dicom_destination, hl7_destination or fhir_url in [integration]."
        )
    return chosen


class Delivery:
    """Queues and sends; ``payload`` rebuilds what an item carries from the records."""

    def __init__(
        self,
        store: ScreeningStore,
        settings: IntegrationSettings,
        site: str,
    ) -> None:
        self.store = store
        self.settings = settings
        self.site = site

    def queue(
        self, screening_id: str, report_id: str, targets: Iterable[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        """One outbox item per target (the existing one when already queued or sent)."""
        return [
            self.store.enqueue_send(
                screening_id, report_id, channel, target, message_id(report_id, channel, target)
            )
            for channel, target in targets
        ]

    def deliver(self, items: Iterable[dict[str, Any]]) -> list[SendResult]:
        """Try each pending item once now and record the outcome; an item already sent
        is reported as such and not sent again."""
        results = []
        for item in items:
            if item["status"] == "sent":
                results.append(self._result(item, True, "already sent"))
                continue
            try:
                said = self._send(item)
            except RetiScreenError as exc:
                log.warning(
                    "send of outbox item %s (%s) failed: %s", item["item_id"], item["channel"], exc
                )
                self.store.mark_send_result(item["item_id"], False, str(exc))
                results.append(self._result(item, False, str(exc)))
                continue
            self.store.mark_send_result(item["item_id"], True)
            results.append(self._result(item, True, said))
        return results

    def retry_due(self, now: datetime | None = None) -> list[SendResult]:
        """Every pending item whose pause is over (what a timer calls)."""
        return self.deliver(self.store.due_sends(now or datetime.now(UTC)))

    def _send(self, item: dict[str, Any]) -> str:
        from retiscreen.integration import dicom_export, fhir_export, hl7_export

        screening = self.store.load_screening(item["screening_id"])
        pdf = self.store.read_report(item["report_id"])
        review = self.store.review_of_report(item["report_id"])  # what that report shows
        timeout = self.settings.timeout_s
        channel, target = item["channel"], item["destination"]
        if channel == "dicom":
            from retiscreen.integration.dicom_network import store

            datasets = dicom_export.screening_datasets(screening, item["report_id"], pdf)
            count = store(datasets, peers.dicom_peer(target), self.settings.ae_title, timeout)
            return f"{count} DICOM objects stored"
        if channel == "hl7":
            from retiscreen.integration.mllp import send_message

            control = item["message_id"]
            text = hl7_export.export_hl7(
                screening, item["report_id"], pdf, self.site, control_id=control, review=review
            )
            code = send_message(text, control, peers.hl7_peer(target), timeout)
            return f"acknowledged ({code})"
        if channel == "fhir":
            from retiscreen.integration.fhir_send import post_bundle

            bundle = fhir_export.screening_bundle(
                screening, item["report_id"], pdf, self.site, review=review
            )
            status = post_bundle(
                bundle.model_dump_json(exclude_none=True), item["report_id"], target, timeout
            )
            return f"accepted (HTTP {status})"
        raise IntegrationError(f"unknown channel {channel!r}")

    @staticmethod
    def _result(item: dict[str, Any], ok: bool, message: str) -> SendResult:
        return SendResult(
            item["item_id"], item["screening_id"], item["channel"], item["destination"], ok, message
        )


def test_connections(settings: IntegrationSettings) -> list[tuple[str, str, str | None]]:
    """(what, destination, problem or None) for each configured peer: C-ECHO to the PACS
    and the worklist, a TCP connection to the HL7 listener (MLLP has no ping), the FHIR
    server's CapabilityStatement. Nothing is sent."""
    from retiscreen.integration import dicom_network, fhir_send

    timeout = settings.timeout_s
    checks: list[tuple[str, str, Callable[[], None]]] = []
    if settings.dicom_destination:
        pacs = peers.dicom_peer(settings.dicom_destination)
        checks.append(
            ("PACS", str(pacs), lambda: dicom_network.echo(pacs, settings.ae_title, timeout))
        )
    if settings.worklist:
        mwl = peers.dicom_peer(settings.worklist)
        checks.append(
            (
                "worklist",
                str(mwl),
                lambda: dicom_network.echo(mwl, settings.ae_title, timeout, "worklist"),
            )
        )
    if settings.hl7_destination:
        hl7 = peers.hl7_peer(settings.hl7_destination)
        checks.append(
            (
                "HL7",
                str(hl7),
                lambda: dicom_network.reachable((hl7.host, hl7.port), timeout, "HL7 receiver"),
            )
        )
    if settings.fhir_url:
        base = peers.fhir_base(settings.fhir_url)
        checks.append(("FHIR", base, lambda: fhir_send.check_server(base, timeout)))
    results: list[tuple[str, str, str | None]] = []
    for what, target, check in checks:
        try:
            check()
            results.append((what, target, None))
        except RetiScreenError as exc:
            results.append((what, target, str(exc)))
    return results
