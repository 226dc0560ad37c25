"""POST a screening's FHIR Bundle to the clinic's FHIR server.

Why a conditional create: the Bundle carries a stable identifier (the report id), and
``If-None-Exist`` asks the server to store it only if it has no Bundle with that
identifier yet, so a retry after a lost response never files the result twice. Only a
2xx answer counts as delivered.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from retiscreen.errors import IntegrationError

REPORT_ID_SYSTEM = "urn:retiscreen:report-id"


def post_bundle(bundle_json: str, report_id: str, base_url: str, timeout_s: float) -> int:
    """POST to ``{base_url}/Bundle``; the HTTP status when accepted (200 or 201)."""
    request = urllib.request.Request(
        f"{base_url}/Bundle",
        data=bundle_json.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/fhir+json; charset=utf-8",
            "Accept": "application/fhir+json",
            "If-None-Exist": f"identifier={REPORT_ID_SYSTEM}|{report_id}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        said = _diagnostics(exc)
        raise IntegrationError(
            f"The FHIR server {base_url} refused the result (HTTP {exc.code}"
            f"{': ' + said if said else ''})."
        ) from None
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or exc.reason
        raise IntegrationError(
            f"The FHIR server {base_url} cannot be reached ({reason})."
        ) from None
    except TimeoutError:
        raise IntegrationError(
            f"The FHIR server {base_url} did not answer within {timeout_s:g} s."
        ) from None


def _diagnostics(error: urllib.error.HTTPError) -> str:
    """The first OperationOutcome issue's diagnostics, when the server sent one."""
    try:
        outcome = json.loads(error.read(65536) or b"{}")
        return str(outcome.get("issue", [{}])[0].get("diagnostics", ""))[:200]
    except (ValueError, AttributeError, IndexError, OSError):
        return ""


def check_server(base_url: str, timeout_s: float) -> None:
    """GET ``{base_url}/metadata`` (the CapabilityStatement): the server is there."""
    request = urllib.request.Request(
        f"{base_url}/metadata", headers={"Accept": "application/fhir+json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s):
            return
    except urllib.error.HTTPError as exc:
        raise IntegrationError(f"The FHIR server {base_url} answered HTTP {exc.code}.") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        reason = getattr(getattr(exc, "reason", None), "strerror", None) or exc
        raise IntegrationError(
            f"The FHIR server {base_url} cannot be reached ({reason})."
        ) from None
