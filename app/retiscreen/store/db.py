"""The durable record of every screening: SQLite (via sqlite-utils) plus original files.

Layout under the data root::

    retiscreen.db                     SQLite, WAL journal, synchronous=FULL
    images/<screening_id>/<eye>.<ext>  the photographs exactly as received (bytes)
    reports/<screening_id>/<id>.pdf    every report handed to the patient
    backups/                          a copy of the database before each schema upgrade

Rules this module keeps, because a screening reported "saved" must never be lost and
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
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from retiscreen.domain import FundusImage, Laterality, Patient, Screening
from retiscreen.imaging.load import ImageError, load_fundus
from retiscreen.store.files import (
    StorageError,
    atomic_write,
    fsync_directory,
    make_directory,
    remove_stale_temp_files,
    storage_error_from_os,
)
from retiscreen.store.serialize import recorded_image, screening_from_dict, screening_to_dict

DB_FILENAME = "retiscreen.db"
APPLICATION_ID = 0x52455449  # "RETI": marks the file as a RetiScreen database
PRINT_STATUSES = ("pending", "printed", "failed")

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "TIFF": "tif", "BMP": "bmp"}

# SQLite primary result codes (extended codes carry them in the low byte).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_CONSTRAINT, _SQLITE_NOTADB = 19, 26


# --------------------------------------------------------------------------- schema

Migration = Callable[[sqlite_utils.Database], None]

_V1_STATEMENTS = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    """CREATE TABLE patients (
        patient_id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        date_of_birth TEXT,
        sex TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE screenings (
        screening_id TEXT PRIMARY KEY NOT NULL,
        patient_id TEXT NOT NULL REFERENCES patients(patient_id),
        operator TEXT NOT NULL,
        site TEXT NOT NULL,
        started_at TEXT NOT NULL,
        started_at_utc TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        decision_urgency INTEGER NOT NULL,
        decision_headline TEXT NOT NULL,
        model_name TEXT,
        model_version TEXT,
        model_sha256 TEXT,
        provider TEXT,
        snapshot_json TEXT NOT NULL
    )""",
    """CREATE TABLE eye_images (
        screening_id TEXT NOT NULL REFERENCES screenings(screening_id),
        laterality TEXT NOT NULL CHECK (laterality IN ('right', 'left')),
        stored_file TEXT,
        sha256 TEXT,
        gradable INTEGER,
        quality_score REAL,
        quality_reasons TEXT,
        grade INTEGER CHECK (grade IS NULL OR grade BETWEEN 0 AND 4),
        probabilities_json TEXT,
        referable_probability REAL,
        error TEXT,
        skipped_reason TEXT,
        PRIMARY KEY (screening_id, laterality),
        CHECK ((stored_file IS NULL) = (sha256 IS NULL))
    )""",
    """CREATE TABLE reports (
        report_id TEXT PRIMARY KEY NOT NULL,
        screening_id TEXT NOT NULL REFERENCES screenings(screening_id),
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        verification_code TEXT NOT NULL,
        created_at TEXT NOT NULL,
        printed_at TEXT,
        printer TEXT
    )""",
    """CREATE TABLE print_jobs (
        job_id INTEGER PRIMARY KEY AUTOINCREMENT,
        report_id TEXT NOT NULL REFERENCES reports(report_id),
        printer TEXT NOT NULL,
        copies INTEGER NOT NULL CHECK (copies >= 1),
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'printed', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    # No foreign key on screening_id: bad input is audited before (or without) a save.
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        screening_id TEXT,
        operator TEXT,
        detail_json TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END""",
    """CREATE TRIGGER screenings_no_update BEFORE UPDATE ON screenings
    BEGIN SELECT RAISE(ABORT, 'a saved screening cannot be changed'); END""",
    """CREATE TRIGGER eye_images_no_update BEFORE UPDATE ON eye_images
    BEGIN SELECT RAISE(ABORT, 'a saved screening cannot be changed'); END""",
)

_V2_STATEMENTS = (
    "CREATE INDEX screenings_by_time ON screenings(started_at_utc)",
    "CREATE INDEX screenings_by_patient ON screenings(patient_id, started_at_utc)",
    "CREATE INDEX reports_by_screening ON reports(screening_id)",
    "CREATE INDEX print_jobs_by_status ON print_jobs(status, job_id)",
    "CREATE INDEX audit_log_by_screening ON audit_log(screening_id, id)",
)


def _v1_initial_schema(db: sqlite_utils.Database) -> None:
    """Tables, constraints and the append-only / immutability triggers."""
    for statement in _V1_STATEMENTS:
        db.execute(statement)


def _v2_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for history, per-patient lookups, the print queue and the audit trail."""
    for statement in _V2_STATEMENTS:
        db.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (_v1_initial_schema, _v2_indexes)
"""Applied in order; MIGRATIONS[i] takes a database from user_version i to i + 1.
Never edit or reorder a released migration: append a new one."""

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(
    db: sqlite_utils.Database,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    target: int | None = None,
) -> int:
    """Bring ``db`` up to ``target`` (default: all ``migrations``) in ONE transaction.

    Either every pending migration and the new ``user_version`` commit together, or
    nothing changes. Returns the version the database is at afterwards. Raises
    StorageError if the database is newer than ``migrations`` know.
    """
    target = len(migrations) if target is None else target
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _user_version(conn)  # re-read under the lock: another process may have won
        if version > len(migrations):
            raise _newer_schema_error(version, len(migrations))
        for step in range(version, target):
            migrations[step](db)
        if target > version:
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return max(version, target)


def _user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def _newer_schema_error(found: int, known: int) -> StorageError:
    return StorageError(
        f"This database was written by a newer RetiScreen (schema version {found}; this "
        f"program understands up to {known}). Nothing was changed. Install the newer "
        "RetiScreen version or call IT.",
        reason="newer_schema",
    )


# --------------------------------------------------------------------------- helpers


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _sort_key(moment: datetime) -> str:
    """Comparable text for 'newest first': UTC for aware times, as-is for naive ones."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return moment.isoformat(timespec="microseconds")


def _check_id(value: str, what: str) -> str:
    """Ids become folder and file names: refuse anything that could escape the root."""
    if not isinstance(value, str) or not _SAFE_ID.fullmatch(value) or value in {".", ".."}:
        raise StorageError(
            f"The {what} {value!r} cannot be stored: use 1-128 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit. Nothing was saved.",
            reason="invalid",
        )
    return value


def _extension(file_format: str) -> str:
    known = _EXTENSIONS.get(file_format.upper())
    if known:
        return known
    cleaned = re.sub(r"[^a-z0-9]", "", file_format.lower())[:8]
    return cleaned or "bin"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _sqlite_error(exc: sqlite3.Error, failure: str) -> StorageError:
    """Translate an SQLite error into words; ``failure`` says what did not happen."""
    raw_code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc)
    if raw_code is None:  # raised by the driver, not by SQLite: judge by the words
        code = _SQLITE_BUSY if "database is locked" in text else -1
    else:
        code = int(raw_code) & 0xFF
    if code in {_SQLITE_BUSY, _SQLITE_LOCKED}:
        return StorageError(
            "The records database is busy/locked by another program: "
            f"{failure}. Nothing already saved was lost. Wait a moment and try again; "
            "if this keeps happening, call IT.",
            reason="busy",
        )
    if code == _SQLITE_FULL:
        return StorageError(
            f"The disk is full: {failure}. Free space or call IT.", reason="disk_full"
        )
    if code in {_SQLITE_CORRUPT, _SQLITE_NOTADB}:
        return StorageError(
            f"The records database is damaged or is not a RetiScreen database ({text}): "
            f"{failure}. Stop screening and call IT.",
            reason="corrupt",
        )
    if code == _SQLITE_READONLY:
        return StorageError(
            f"The records database is read-only ({text}): {failure}. Call IT.", reason="io"
        )
    if code == _SQLITE_CANTOPEN:
        return StorageError(
            f"The records database cannot be opened ({text}); is the data disk "
            f"connected? {failure[:1].upper() + failure[1:]}. Call IT.",
            reason="io",
        )
    if code == _SQLITE_IOERR:
        return StorageError(
            f"The disk reported an error while using the records database ({text}): "
            f"{failure}. Call IT.",
            reason="io",
        )
    if code == _SQLITE_CONSTRAINT or isinstance(exc, sqlite3.IntegrityError):
        return StorageError(
            f"The record was refused by a database safety check ({text}): {failure}.",
            reason="constraint",
        )
    return StorageError(f"Database error ({text}): {failure}. Call IT.", reason="io")


@contextmanager
def _translated(failure: str) -> Iterator[None]:
    """Re-raise anything that is not already a StorageError as one."""
    try:
        yield
    except StorageError:
        raise
    except sqlite3.Error as exc:
        raise _sqlite_error(exc, failure) from exc
    except OSError as exc:
        raise storage_error_from_os(exc, failure) from exc


class _Undo:
    """File operations to reverse if, and only if, the transaction certainly rolled back."""

    def __init__(self) -> None:
        self.actions: list[Callable[[], None]] = []

    def on_rollback(self, action: Callable[[], None]) -> None:
        self.actions.append(action)

    def run(self) -> None:
        for action in reversed(self.actions):
            with suppress(OSError):
                action()


# --------------------------------------------------------------------------- the store


class ScreeningStore:
    """All durable records of one kiosk (or one data folder shared by several)."""

    def __init__(
        self, root: Path, *, busy_timeout_s: float = 5.0, max_print_attempts: int = 5
    ) -> None:
        """Open (creating if needed) the data folder and database, upgrading its schema.

        ``busy_timeout_s`` is how long a write waits for another program's lock before
        failing with a "busy/locked" StorageError. A print job that failed
        ``max_print_attempts`` times stops being retried (status 'failed').
        """
        self.root = Path(root)
        self.db_path = self.root / DB_FILENAME
        self.images_dir = self.root / "images"
        self.reports_dir = self.root / "reports"
        self.backups_dir = self.root / "backups"
        self.busy_timeout_s = float(busy_timeout_s)
        self.max_print_attempts = max(1, int(max_print_attempts))
        self._lock = threading.RLock()
        for directory in (self.root, self.images_dir, self.reports_dir):
            make_directory(directory, what="the records folder")
        failure = "the records database could not be opened"
        with _translated(failure):
            conn = sqlite3.connect(
                str(self.db_path),
                timeout=self.busy_timeout_s,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # guarded by self._lock
            )
        try:
            with _translated(failure):
                self._db = sqlite_utils.Database(conn)
                self._open(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        for directory in (self.images_dir, self.reports_dir):
            remove_stale_temp_files(directory)

    def _open(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        version = _user_version(conn)
        if version > SCHEMA_VERSION:
            raise _newer_schema_error(version, SCHEMA_VERSION)
        if version == 0:
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if tables:
                raise StorageError(
                    f"{self.db_path} is not a RetiScreen database (it already holds other "
                    "tables). Nothing was changed. Choose another data folder or call IT.",
                    reason="corrupt",
                )
        else:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            if app_id != APPLICATION_ID:
                raise StorageError(
                    f"{self.db_path} is not a RetiScreen database. Nothing was changed. "
                    "Choose another data folder or call IT.",
                    reason="corrupt",
                )
        mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
        if mode != "wal":
            raise StorageError(
                f"The records database could not use write-ahead logging (journal mode "
                f"{mode!r}); the data folder may be on a network share. Call IT.",
                reason="io",
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if int(conn.execute("PRAGMA foreign_keys").fetchone()[0]) != 1:
            raise StorageError("This SQLite build cannot enforce foreign keys. Call IT.")
        if 0 < version < SCHEMA_VERSION:
            self._backup_before_upgrade(conn, version)
        if version < SCHEMA_VERSION:
            migrate(self._db)

    def _backup_before_upgrade(self, conn: sqlite3.Connection, version: int) -> None:
        """Keep a consistent copy of the old database: an upgrade must be undoable."""
        make_directory(self.backups_dir, what="the database backup")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.backups_dir / f"retiscreen-v{version}-{stamp}.db"
        backup = sqlite3.connect(str(target))
        try:
            conn.backup(backup)
        finally:
            backup.close()
        with open(target, "rb+") as handle:
            os.fsync(handle.fileno())
        fsync_directory(self.backups_dir)

    # ----------------------------------------------------------------- plumbing

    def close(self) -> None:
        """Close the database (a clean close also checkpoints the WAL)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ScreeningStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self, failure: str, undo: _Undo | None = None) -> Iterator[None]:
        """One write transaction holding the write lock from its start.

        On an error before COMMIT is attempted, the transaction is rolled back and
        ``undo`` runs (e.g. to delete files written for it). If COMMIT itself fails,
        the outcome on disk is not certain, so files are left in place: an unreferenced
        file is harmless, a referenced file deleted would be a lost record.
        """
        with self._lock, _translated(failure):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                rolled_back = True
                if self._conn.in_transaction:
                    try:
                        self._conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        rolled_back = False  # outcome unknown: keep the files
                if rolled_back and undo is not None:
                    undo.run()
                raise
            try:
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._lock, _translated("the records could not be read"):
            return list(self._db.query(sql, params))

    def _insert_audit(
        self, event: str, screening_id: str | None, operator: str | None, detail: dict[str, Any]
    ) -> None:
        self._db.execute(
            "INSERT INTO audit_log (at, event, screening_id, operator, detail_json) "
            "VALUES (?, ?, ?, ?, ?)",
            [_now(), event, screening_id, operator, _json(detail)],
        )

    def _exists(self, sql: str, params: Sequence[Any]) -> bool:
        return self._conn.execute(sql, params).fetchone() is not None

    def _inside_root(self, relative: str, what: str) -> Path:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise StorageError(
                f"The record of {what} points outside the data folder ({relative}). Call IT.",
                reason="corrupt",
            )
        return path

    # ----------------------------------------------------------------- screenings

    def save_screening(self, screening: Screening) -> None:
        """Store a screening, its photographs and an audit entry, all or nothing.

        When this returns, the screening survives a crash or power cut. Raises
        StorageError (and stores nothing new) on any failure, including an id that is
        already saved: a record is never overwritten.
        """
        sid = _check_id(screening.screening_id, "screening id")
        failure = f"the screening {sid} was NOT saved"
        if not screening.patient.patient_id.strip():
            raise StorageError(
                f"The screening {sid} has no patient ID: it was NOT saved. Enter the "
                "patient's ID and save again.",
                reason="invalid",
            )
        lateralities = [eye.laterality for eye in screening.eyes]
        if len(set(lateralities)) != len(lateralities):
            raise StorageError(
                f"The screening {sid} lists the same eye twice: it was NOT saved.",
                reason="invalid",
            )
        try:
            snapshot_json = json.dumps(screening_to_dict(screening), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StorageError(
                f"The screening {sid} holds a value that cannot be recorded ({exc}): it "
                "was NOT saved.",
                reason="invalid",
            ) from exc
        graded = next((eye.grade for eye in screening.eyes if eye.grade is not None), None)
        patient = screening.patient
        image_dir = self.images_dir / sid
        undo = _Undo()
        with self._write(failure, undo):
            if self._exists("SELECT 1 FROM screenings WHERE screening_id = ?", [sid]):
                raise StorageError(
                    f"A screening with id {sid} is already saved; it was NOT overwritten. "
                    "Start a new screening.",
                    reason="duplicate",
                )
            # No row references images/<sid> (checked under the write lock), so anything
            # there is debris of an interrupted save and may be replaced.
            stored: dict[Laterality, str] = {}
            if any(eye.image is not None for eye in screening.eyes):
                dir_existed = image_dir.exists()
                make_directory(image_dir, what=f"the screening {sid}")
                if not dir_existed:
                    undo.on_rollback(image_dir.rmdir)
            for eye in screening.eyes:
                if eye.image is None:
                    continue
                name = f"{eye.laterality.value}.{_extension(eye.image.file_format)}"
                target = image_dir / name
                if _sha256(eye.image.data) != eye.image.sha256:
                    raise StorageError(
                        f"The {eye.laterality.value} eye photograph changed in memory after "
                        f"it was checked (sha256 mismatch): the screening {sid} was NOT "
                        "saved. Retake the photograph.",
                        reason="invalid",
                    )
                atomic_write(target, eye.image.data, what=f"the screening {sid}")
                undo.on_rollback(target.unlink)
                stored[eye.laterality] = target.relative_to(self.root).as_posix()
            now = _now()
            self._upsert_patient(sid, screening.operator, now, patient)
            self._db.execute(
                "INSERT INTO screenings (screening_id, patient_id, operator, site, started_at,"
                " started_at_utc, saved_at, decision_urgency, decision_headline, model_name,"
                " model_version, model_sha256, provider, snapshot_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    sid,
                    patient.patient_id,
                    screening.operator,
                    screening.site,
                    screening.started_at.isoformat(),
                    _sort_key(screening.started_at),
                    now,
                    int(screening.decision.urgency),
                    screening.decision.headline,
                    graded.model.name if graded else None,
                    graded.model.version if graded else None,
                    graded.model.sha256 if graded else None,
                    graded.provider if graded else None,
                    snapshot_json,
                ],
            )
            for eye in screening.eyes:
                quality, grade = eye.quality, eye.grade
                self._db.execute(
                    "INSERT INTO eye_images (screening_id, laterality, stored_file, sha256,"
                    " gradable, quality_score, quality_reasons, grade, probabilities_json,"
                    " referable_probability, error, skipped_reason)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        sid,
                        eye.laterality.value,
                        stored.get(eye.laterality),
                        eye.image.sha256 if eye.image else None,
                        None if quality is None else int(quality.gradable),
                        None if quality is None else float(quality.score),
                        None if quality is None else _json([r.value for r in quality.reasons]),
                        None if grade is None else int(grade.grade),
                        None if grade is None else json.dumps(list(grade.probabilities)),
                        None if grade is None else float(grade.referable_probability),
                        eye.error,
                        eye.skipped_reason,
                    ],
                )
            self._insert_audit(
                "screening_saved",
                sid,
                screening.operator,
                {
                    "patient_id": patient.patient_id,
                    "urgency": int(screening.decision.urgency),
                    "headline": screening.decision.headline,
                    "images": {
                        eye.laterality.value: eye.image.sha256
                        for eye in screening.eyes
                        if eye.image is not None
                    },
                },
            )

    def _upsert_patient(self, sid: str, operator: str, now: str, patient: Patient) -> None:
        """Insert the patient, or update their details, auditing any change of identity."""
        new = {
            "name": patient.name,
            "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
            "sex": patient.sex,
        }
        old = list(
            self._db.query(
                "SELECT name, date_of_birth, sex FROM patients WHERE patient_id = ?",
                [patient.patient_id],
            )
        )
        if old and old[0] != new:
            self._insert_audit(
                "patient_updated",
                sid,
                operator,
                {"patient_id": patient.patient_id, "before": old[0], "after": new},
            )
        self._db.execute(
            "INSERT INTO patients (patient_id, name, date_of_birth, sex, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(patient_id) DO UPDATE SET"
            " name = excluded.name, date_of_birth = excluded.date_of_birth,"
            " sex = excluded.sex",
            [patient.patient_id, new["name"], new["date_of_birth"], new["sex"], now],
        )

    def has_screening(self, screening_id: str) -> bool:
        """Whether a screening with this id is saved."""
        with self._lock, _translated("the records could not be read"):
            return self._exists("SELECT 1 FROM screenings WHERE screening_id = ?", [screening_id])

    def load_screening(self, screening_id: str) -> Screening:
        """Read a saved screening back, re-decoding and verifying its photographs.

        A photograph that is missing, or whose bytes no longer match the recorded
        sha256, raises StorageError: a report must never show a different image.
        The reloaded photographs keep the ``source`` recorded at capture time.
        """
        rows = self._rows(
            "SELECT snapshot_json FROM screenings WHERE screening_id = ?", [screening_id]
        )
        if not rows:
            raise StorageError(f"No screening with id {screening_id} is saved.", reason="not_found")
        eye_rows = self._rows(
            "SELECT laterality, stored_file, sha256 FROM eye_images WHERE screening_id = ?",
            [screening_id],
        )
        try:
            snapshot = json.loads(rows[0]["snapshot_json"])
        except ValueError as exc:
            raise StorageError(
                f"The saved record of screening {screening_id} is damaged ({exc}). Call IT.",
                reason="corrupt",
            ) from exc
        images: dict[Laterality, FundusImage | None] = {}
        by_eye = {Laterality(row["laterality"]): row for row in eye_rows}
        for laterality in Laterality:
            try:
                recorded = recorded_image(snapshot, laterality)
            except ValueError as exc:
                raise StorageError(
                    f"The saved record of screening {screening_id} is damaged ({exc}). Call IT.",
                    reason="corrupt",
                ) from exc
            row = by_eye.get(laterality)
            if recorded is None:
                continue
            what = f"the {laterality.value} eye photograph of screening {screening_id}"
            if row is None or not row["stored_file"] or row["sha256"] != recorded.get("sha256"):
                raise StorageError(
                    f"The records of {what} disagree with each other. Call IT.",
                    reason="corrupt",
                )
            image = self._read_image(row["stored_file"], row["sha256"], what)
            source = recorded.get("source")
            images[laterality] = replace(image, source=source) if isinstance(source, str) else image
        try:
            return screening_from_dict(snapshot, images)
        except ValueError as exc:
            raise StorageError(
                f"The saved record of screening {screening_id} cannot be read ({exc}). Call IT.",
                reason="corrupt",
            ) from exc

    def _read_image(self, stored_file: str, sha256: str, what: str) -> FundusImage:
        path = self._inside_root(stored_file, what)
        if not path.is_file():
            raise StorageError(
                f"The stored file of {what} is missing ({path}). The record is incomplete: "
                "do not use it; call IT.",
                reason="missing_file",
            )
        try:
            image = load_fundus(path)
        except ImageError as exc:
            raise StorageError(
                f"The stored file of {what} cannot be read ({exc}). Call IT.",
                reason="missing_file",
            ) from exc
        if image.sha256 != sha256:
            raise StorageError(
                f"The stored file of {what} has been changed or damaged since it was saved "
                f"(sha256 mismatch, {path}). Do not use it; call IT.",
                reason="corrupt",
            )
        return image

    def image_path(self, screening_id: str, laterality: Laterality) -> Path | None:
        """Where the original photograph of one eye is kept, if one was saved."""
        rows = self._rows(
            "SELECT stored_file FROM eye_images WHERE screening_id = ? AND laterality = ?",
            [screening_id, laterality.value],
        )
        if not rows or not rows[0]["stored_file"]:
            return None
        return self.root / str(rows[0]["stored_file"])

    def history(
        self, limit: int = 100, patient_id: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        """Saved screenings, newest first, for the history screen.

        ``search`` matches (case-insensitively for ASCII) anywhere in the patient id,
        patient name or screening id; '%' and '_' are matched literally.
        """
        pattern = None
        if search:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
        return self._rows(
            "SELECT s.screening_id, s.started_at, s.patient_id, p.name,"
            " s.decision_headline, s.decision_urgency AS urgency"
            " FROM screenings s JOIN patients p ON p.patient_id = s.patient_id"
            " WHERE (:pid IS NULL OR s.patient_id = :pid)"
            " AND (:pattern IS NULL OR s.patient_id LIKE :pattern ESCAPE '\\'"
            "      OR p.name LIKE :pattern ESCAPE '\\'"
            "      OR s.screening_id LIKE :pattern ESCAPE '\\')"
            " ORDER BY s.started_at_utc DESC, s.saved_at DESC, s.screening_id DESC"
            " LIMIT :limit",
            {"pid": patient_id, "pattern": pattern, "limit": max(0, int(limit))},
        )

    _CSV_COLUMNS = (
        "screening_id", "started_at", "saved_at", "patient_id", "name", "date_of_birth",
        "sex", "operator", "site", "decision_urgency", "decision_headline", "laterality",
        "gradable", "quality_score", "quality_reasons", "grade", "referable_probability",
        "error", "skipped_reason", "stored_file", "sha256", "model_name", "model_version",
        "model_sha256", "provider",
    )  # fmt: skip

    def export_csv(self, path: Path) -> int:
        """Write one row per screening and eye to ``path`` (atomically); return the row count.

        Text that a spreadsheet would run as a formula (starting with = + - @ or a
        tab/CR) is prefixed with an apostrophe. The export is audited (it holds
        patient data).
        """
        rows = self._rows(
            "SELECT s.screening_id, s.started_at, s.saved_at, s.patient_id, p.name,"
            " p.date_of_birth, p.sex, s.operator, s.site, s.decision_urgency,"
            " s.decision_headline, e.laterality, e.gradable, e.quality_score,"
            " e.quality_reasons, e.grade, e.referable_probability, e.error,"
            " e.skipped_reason, e.stored_file, e.sha256, s.model_name, s.model_version,"
            " s.model_sha256, s.provider"
            " FROM screenings s JOIN patients p ON p.patient_id = s.patient_id"
            " LEFT JOIN eye_images e ON e.screening_id = s.screening_id"
            " ORDER BY s.started_at_utc, s.screening_id, e.laterality DESC"
        )
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(self._CSV_COLUMNS)
        for row in rows:
            writer.writerow([_csv_cell(row[column]) for column in self._CSV_COLUMNS])
        atomic_write(Path(path), buffer.getvalue().encode("utf-8-sig"), what="the export")
        self.audit("csv_exported", path=str(path), rows=len(rows))
        return len(rows)

    # ----------------------------------------------------------------- reports

    def add_report(
        self, screening_id: str, report_id: str, pdf: bytes, verification_code: str
    ) -> Path:
        """Keep the exact PDF handed to the patient; return where it was written.

        The file is written (atomically) before its row commits; an existing report is
        never overwritten (a duplicate ``report_id`` raises StorageError).
        """
        sid = _check_id(screening_id, "screening id")
        rid = _check_id(report_id, "report id")
        failure = f"the report {rid} was NOT saved"
        directory = self.reports_dir / sid
        target = directory / f"{rid}.pdf"
        undo = _Undo()
        with self._write(failure, undo):
            if not self._exists("SELECT 1 FROM screenings WHERE screening_id = ?", [sid]):
                raise StorageError(
                    f"No screening with id {sid} is saved, so the report {rid} was NOT "
                    "saved. Save the screening first.",
                    reason="not_found",
                )
            if self._exists("SELECT 1 FROM reports WHERE report_id = ?", [rid]):
                raise StorageError(
                    f"A report with id {rid} already exists; it was NOT overwritten.",
                    reason="duplicate",
                )
            dir_existed = directory.exists()
            make_directory(directory, what=f"the report {rid}")
            if not dir_existed:
                undo.on_rollback(directory.rmdir)
            atomic_write(target, pdf, what=f"the report {rid}")
            undo.on_rollback(target.unlink)
            digest = _sha256(pdf)
            self._db.execute(
                "INSERT INTO reports (report_id, screening_id, file, sha256,"
                " verification_code, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [rid, sid, target.relative_to(self.root).as_posix(), digest,
                 verification_code, _now()],
            )  # fmt: skip
            self._insert_audit(
                "report_created",
                sid,
                None,
                {"report_id": rid, "sha256": digest, "verification_code": verification_code},
            )
        return target

    def reports_for(self, screening_id: str) -> list[dict[str, Any]]:
        """Reports of one screening, oldest first, with their absolute ``path``."""
        rows = self._rows(
            "SELECT report_id, screening_id, file, sha256, verification_code, created_at,"
            " printed_at, printer FROM reports WHERE screening_id = ?"
            " ORDER BY created_at, report_id",
            [screening_id],
        )
        for row in rows:
            row["path"] = str(self.root / row["file"])
        return rows

    def read_report(self, report_id: str) -> bytes:
        """The stored PDF, verified against its recorded sha256 (for reprinting)."""
        return self._verified_report(report_id)[1]

    def report_path(self, report_id: str) -> Path:
        """Where a report's PDF is kept, after checking it is there and unchanged.

        The printer is handed a path, so the check happens here: a damaged or replaced
        report raises StorageError instead of being printed.
        """
        return self._verified_report(report_id)[0]

    def _verified_report(self, report_id: str) -> tuple[Path, bytes]:
        rows = self._rows("SELECT file, sha256 FROM reports WHERE report_id = ?", [report_id])
        if not rows:
            raise StorageError(f"No report with id {report_id} is saved.", reason="not_found")
        what = f"the report {report_id}"
        path = self._inside_root(str(rows[0]["file"]), what)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise StorageError(
                f"The stored file of {what} is missing ({path}). Call IT.",
                reason="missing_file",
            ) from None
        except OSError as exc:
            raise storage_error_from_os(exc, f"{what} could not be read") from exc
        if _sha256(data) != rows[0]["sha256"]:
            raise StorageError(
                f"The stored file of {what} has been changed or damaged (sha256 mismatch, "
                f"{path}). Do not print it; call IT.",
                reason="corrupt",
            )
        return path, data

    # ----------------------------------------------------------------- print queue

    def enqueue_print(self, report_id: str, printer: str, copies: int) -> int:
        """Record a print request before sending it, so a crash cannot lose it.

        Returns the job id to pass to :meth:`mark_print_result`.
        """
        if not isinstance(copies, int) or isinstance(copies, bool) or copies < 1:
            raise StorageError(
                f"Cannot print {copies!r} copies: ask for at least one.", reason="invalid"
            )
        failure = f"the print request for report {report_id} was NOT recorded"
        with self._write(failure):
            if not self._exists("SELECT 1 FROM reports WHERE report_id = ?", [report_id]):
                raise StorageError(
                    f"No report with id {report_id} is saved: {failure}.", reason="not_found"
                )
            now = _now()
            cursor = self._db.execute(
                "INSERT INTO print_jobs (report_id, printer, copies, status, attempts,"
                " created_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)",
                [report_id, printer, copies, now, now],
            )
            job_id = int(cursor.lastrowid or 0)
            self._insert_audit(
                "print_queued",
                self._screening_of_report(report_id),
                None,
                {"job_id": job_id, "report_id": report_id, "printer": printer, "copies": copies},
            )
        return job_id

    def pending_print_jobs(self) -> list[dict[str, Any]]:
        """Jobs not yet reported printed or failed, oldest first, with the report path."""
        rows = self._rows(
            "SELECT j.job_id, j.report_id, r.screening_id, j.printer, j.copies, j.status,"
            " j.attempts, j.last_error, j.created_at, j.updated_at, r.file"
            " FROM print_jobs j JOIN reports r ON r.report_id = j.report_id"
            " WHERE j.status = 'pending' ORDER BY j.job_id"
        )
        for row in rows:
            row["path"] = str(self.root / row.pop("file"))
        return rows

    def print_job(self, job_id: int) -> dict[str, Any]:
        """One print job's current state."""
        rows = self._rows(
            "SELECT job_id, report_id, printer, copies, status, attempts, last_error,"
            " created_at, updated_at FROM print_jobs WHERE job_id = ?",
            [job_id],
        )
        if not rows:
            raise StorageError(f"No print job {job_id} exists.", reason="not_found")
        return rows[0]

    def mark_print_result(self, job_id: int, ok: bool, error: str | None = None) -> None:
        """Record what the printer did with one attempt at a job (counted and audited).

        ``ok=True`` marks the job 'printed' and stamps the report's ``printed_at`` and
        ``printer``. ``ok=False`` records ``error``; the job stays 'pending' (to be sent
        again when the printer is back) until it has failed ``max_print_attempts``
        times, then becomes 'failed'. A job already printed cannot be marked again.
        """
        failure = f"the result of print job {job_id} was NOT recorded"
        with self._write(failure):
            rows = list(
                self._db.query(
                    "SELECT j.report_id, j.printer, j.status, j.attempts, r.screening_id"
                    " FROM print_jobs j JOIN reports r ON r.report_id = j.report_id"
                    " WHERE j.job_id = ?",
                    [job_id],
                )
            )
            if not rows:
                raise StorageError(f"No print job {job_id} exists: {failure}.", reason="not_found")
            job = rows[0]
            if job["status"] == "printed":
                raise StorageError(
                    f"Print job {job_id} is already recorded as printed: {failure}.",
                    reason="invalid",
                )
            attempts = int(job["attempts"]) + 1
            if ok:
                status = "printed"
            else:
                status = "failed" if attempts >= self.max_print_attempts else "pending"
            message = None if ok else (error or "unknown error")
            now = _now()
            self._db.execute(
                "UPDATE print_jobs SET status = ?, attempts = ?, last_error = ?,"
                " updated_at = ? WHERE job_id = ?",
                [status, attempts, message, now, job_id],
            )
            if ok:
                self._db.execute(
                    "UPDATE reports SET printed_at = ?, printer = ? WHERE report_id = ?",
                    [now, job["printer"], job["report_id"]],
                )
            detail: dict[str, Any] = {
                "job_id": job_id,
                "report_id": job["report_id"],
                "printer": job["printer"],
                "attempt": attempts,
                "status": status,
            }
            if not ok:
                detail["error"] = message
            self._insert_audit(
                "report_printed" if ok else "print_failed", job["screening_id"], None, detail
            )

    def retry_print(self, job_id: int) -> None:
        """Put a job that gave up ('failed') back in the queue for one more attempt."""
        failure = f"print job {job_id} was NOT queued again"
        with self._write(failure):
            rows = list(
                self._db.query(
                    "SELECT status, report_id FROM print_jobs WHERE job_id = ?", [job_id]
                )
            )
            if not rows or rows[0]["status"] != "failed":
                raise StorageError(
                    f"Print job {job_id} is not a failed job: {failure}.", reason="invalid"
                )
            self._db.execute(
                "UPDATE print_jobs SET status = 'pending', updated_at = ? WHERE job_id = ?",
                [_now(), job_id],
            )
            self._insert_audit(
                "print_retried",
                self._screening_of_report(rows[0]["report_id"]),
                None,
                {"job_id": job_id, "report_id": rows[0]["report_id"]},
            )

    def _screening_of_report(self, report_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT screening_id FROM reports WHERE report_id = ?", [report_id]
        ).fetchone()
        return None if row is None else str(row[0])

    # ----------------------------------------------------------------- audit

    def audit(
        self,
        event: str,
        *,
        screening_id: str | None = None,
        operator: str | None = None,
        **detail: Any,
    ) -> None:
        """Append an entry to the audit log (which nothing can change or delete).

        Other modules call this for events that must leave a trace even though nothing
        was saved, e.g. ``audit("image_rejected", message=str(err), file=name)``.
        """
        with self._write(f"the audit entry {event!r} was NOT recorded"):
            self._insert_audit(event, screening_id, operator, detail)

    def audit_events(self, screening_id: str | None = None) -> list[dict[str, Any]]:
        """Audit entries in the order they were written (all, or one screening's)."""
        rows = self._rows(
            "SELECT id, at, event, screening_id, operator, detail_json FROM audit_log"
            " WHERE (:sid IS NULL OR screening_id = :sid) ORDER BY id",
            {"sid": screening_id},
        )
        for row in rows:
            row["detail"] = json.loads(row.pop("detail_json") or "{}")
        return rows

    # ----------------------------------------------------------------- checks

    def integrity_problems(self) -> list[str]:
        """A self-test for start-up or an IT check; empty when everything is consistent.

        Runs SQLite's integrity and foreign-key checks and verifies that every stored
        photograph and report exists with its recorded sha256.
        """
        problems: list[str] = []
        with self._lock, _translated("the integrity check could not run"):
            result = [str(r[0]) for r in self._conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.extend(f"database: {line}" for line in result)
            problems.extend(
                f"foreign key: {row[0]} row {row[1]} -> {row[2]}"
                for row in self._conn.execute("PRAGMA foreign_key_check")
            )
            files = self._conn.execute(
                "SELECT stored_file, sha256 FROM eye_images WHERE stored_file IS NOT NULL"
                " UNION ALL SELECT file, sha256 FROM reports"
            ).fetchall()
        for relative, digest in files:
            try:
                data = self._inside_root(str(relative), str(relative)).read_bytes()
            except (OSError, StorageError) as exc:
                problems.append(f"{relative}: {exc}")
                continue
            if _sha256(data) != digest:
                problems.append(f"{relative}: sha256 mismatch")
        return problems


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value
