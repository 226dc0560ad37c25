"""The referral report: PDF rendering, verification codes and printing through CUPS.

- :func:`render_report` turns a finished :class:`~retiscreen.domain.Screening` into PDF
  bytes (page 1 for the clinic, optional page 2 letter for the patient);
- :func:`new_report_id`, :func:`verification_code` and :func:`load_or_create_secret`
  make each printed report checkable against the site's secret;
- :func:`submit_to_cups` sends a PDF file to a CUPS queue (the durable print queue that
  retries lives in the store and calls it).
"""

from retiscreen.report.pdf import DISCLAIMER, page_size, render_report
from retiscreen.report.printing import (
    PrinterError,
    PrinterProblem,
    PrinterState,
    check_printer,
    cups_running,
    default_printer,
    job_pending,
    list_printers,
    printer_ready,
    printer_state,
    submit_to_cups,
)
from retiscreen.report.verification import (
    check_verification_code,
    load_or_create_secret,
    new_report_id,
    parse_qr_payload,
    qr_payload,
    verification_code,
)

__all__ = [
    "DISCLAIMER",
    "PrinterError",
    "PrinterProblem",
    "PrinterState",
    "check_printer",
    "check_verification_code",
    "cups_running",
    "default_printer",
    "job_pending",
    "list_printers",
    "load_or_create_secret",
    "new_report_id",
    "page_size",
    "parse_qr_payload",
    "printer_ready",
    "printer_state",
    "qr_payload",
    "render_report",
    "submit_to_cups",
    "verification_code",
]
