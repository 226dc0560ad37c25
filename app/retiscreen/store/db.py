"""The durable record of every screening: SQLite (via sqlite-utils) plus original files.

Layout under the data root::

    retiscreen.db                     SQLite, WAL journal, synchronous=FULL
    images/<screening_id>/<eye>.<ext>  the photographs as received, encrypted (file_cipher)
    drafts/<draft_id>/<eye>-<sha>.sealed  photographs of unfinished screenings, encrypted
    reports/<screening_id>/<id>.pdf    every report handed to the patient, encrypted
    backups/                          a copy of the database before each schema upgrade

Rules the store keeps, because a screening reported "saved" must never be lost and
a record must never silently point at the wrong photograph:

* Files are written atomically and fsynced *before* the transaction that references
  them commits; the transaction is the single point at which a screening becomes
  saved. A crash before the commit leaves at most unreferenced files; after it,
  everything is on disk (WAL + ``synchronous=FULL``).
* Writes take the write lock up front (``BEGIN IMMEDIATE``): a busy database fails
  cleanly after ``busy_timeout_s`` instead of half-way through, and two savers cannot
  interleave.
* A saved screening is never overwritten: a second save of the same id is refused,
  and triggers forbid UPDATE of screening and eye rows and any change to the audit log.
* Every failure surfaces as :class:`StorageError` whose text an operator can act on.
* Photographs are checked against their recorded sha256 whenever they are read back.

:class:`ScreeningStore` is assembled from one class per job, each in its own module:

* :mod:`~retiscreen.store.connection`  opening the database, the guarded connection
* :mod:`~retiscreen.store.screenings`  saving and loading screenings and photographs
* :mod:`~retiscreen.store.drafts`      unfinished screenings kept for their operator
* :mod:`~retiscreen.store.history`     the history list and the CSV export
* :mod:`~retiscreen.store.reports`     the PDF reports handed to patients
* :mod:`~retiscreen.store.reviews`     over-reads and the queue waiting for them
* :mod:`~retiscreen.store.print_queue` the durable print queue
* :mod:`~retiscreen.store.referrals`   whether referred patients were seen
* :mod:`~retiscreen.store.monitoring`  the eyes of a period, for the site monitor
* :mod:`~retiscreen.store.audit`       the append-only audit log
* :mod:`~retiscreen.store.integrity`   the consistency self-test

with :mod:`~retiscreen.store.schema` (tables and migrations),
:mod:`~retiscreen.store.transaction` (write transactions and their files) and
:mod:`~retiscreen.store.sqlite_errors` (failures in words) underneath.
"""

from __future__ import annotations

from pathlib import Path

from retiscreen.store.accounts import AccountTable
from retiscreen.store.audit import AuditLog
from retiscreen.store.connection import DB_FILENAME
from retiscreen.store.drafts import DraftRecords
from retiscreen.store.history import ScreeningHistory
from retiscreen.store.integrity import IntegrityCheck
from retiscreen.store.monitoring import MonitoringRows
from retiscreen.store.outbox import Outbox
from retiscreen.store.print_queue import PrintQueue
from retiscreen.store.referrals import ReferralMarks
from retiscreen.store.reports import ReportArchive
from retiscreen.store.reviews import ReviewRecords
from retiscreen.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, migrate
from retiscreen.store.screenings import ScreeningRecords

__all__ = [
    "APPLICATION_ID",
    "DB_FILENAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ScreeningStore",
    "migrate",
]


class ScreeningStore(
    AccountTable,
    ScreeningRecords,
    DraftRecords,
    ScreeningHistory,
    ReportArchive,
    ReviewRecords,
    PrintQueue,
    ReferralMarks,
    MonitoringRows,
    Outbox,
    AuditLog,
    IntegrityCheck,
):
    """All durable records of one kiosk (or one data folder shared by several)."""

    def __init__(
        self, root: Path, *, busy_timeout_s: float = 5.0, max_print_attempts: int = 5
    ) -> None:
        """Open (creating if needed) the data folder and database, upgrading its schema.

        ``busy_timeout_s`` is how long a write waits for another program's lock before
        failing with a "busy/locked" StorageError. A print job that failed
        ``max_print_attempts`` times stops being retried (status 'failed').
        """
        self.max_print_attempts = max(1, int(max_print_attempts))
        super().__init__(root, busy_timeout_s=busy_timeout_s)
        self.sweep_draft_files()
