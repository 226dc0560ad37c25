"""The database layout (tables, constraints, triggers, indexes) and how it is upgraded.

Why numbered migrations instead of "CREATE TABLE IF NOT EXISTS": kiosks keep their
data for years and are updated one at a time, so every released layout must be
reachable from every older one, step by step, with nothing guessed. The version a
file is at lives in SQLite's ``user_version``; the file is marked as ours with
``application_id`` so that a foreign database is never taken over.

Immutability lives in the schema, not only in the code: triggers forbid changing a
saved screening or eye row and any change to the audit log, whoever holds the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlite_utils

from retiscreen.store import driver
from retiscreen.store.file_cipher import new_file_key
from retiscreen.store.files import StorageError
from retiscreen.store.transaction import immediate_transaction
from retiscreen.store.values import utc_now

APPLICATION_ID = 0x52455449  # "RETI": marks the file as a RetiScreen database

Migration = Callable[[sqlite_utils.Database], None]

_AUDIT_NO_UPDATE = """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END"""

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
    _AUDIT_NO_UPDATE,
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


_V3_STATEMENTS = (
    "ALTER TABLE screenings ADD COLUMN decision_kind TEXT",
    "ALTER TABLE eye_images ADD COLUMN status TEXT",
    # Rows saved before v3 are filled in once, with the immutability triggers lifted for
    # this one transaction: an urgency of 1 was either an ungradable eye or the system
    # unable to grade, which only the English headline of that time tells apart.
    "DROP TRIGGER IF EXISTS screenings_no_update",
    "DROP TRIGGER IF EXISTS eye_images_no_update",
    """UPDATE screenings SET decision_kind = CASE decision_urgency
        WHEN 0 THEN 'routine' WHEN 2 THEN 'refer' WHEN 3 THEN 'urgent'
        ELSE CASE WHEN decision_headline LIKE 'Cannot%' THEN 'unavailable' ELSE 'examine' END
    END""",
    # From v3 decision_urgency holds DecisionKind.severity (0 routine ... 4 urgent).
    """UPDATE screenings SET decision_urgency = CASE decision_kind
        WHEN 'routine' THEN 0 WHEN 'examine' THEN 1 WHEN 'unavailable' THEN 2
        WHEN 'refer' THEN 3 ELSE 4
    END""",
    """UPDATE eye_images SET status = CASE
        WHEN skipped_reason IS NOT NULL THEN 'not_photographed'
        WHEN grade IS NOT NULL THEN 'graded'
        WHEN gradable IS NULL THEN 'unreadable'
        WHEN gradable = 0 OR error NOT LIKE 'grading unavailable%' THEN 'ungradable'
        ELSE 'unavailable'
    END""",
    """CREATE TRIGGER screenings_no_update BEFORE UPDATE ON screenings
    BEGIN SELECT RAISE(ABORT, 'a saved screening cannot be changed'); END""",
    """CREATE TRIGGER eye_images_no_update BEFORE UPDATE ON eye_images
    BEGIN SELECT RAISE(ABORT, 'a saved screening cannot be changed'); END""",
)


def _v3_decisions_as_data(db: sqlite_utils.Database) -> None:
    """The decision's kind and each eye's state as columns, so nothing reads wording."""
    for statement in _V3_STATEMENTS:
        db.execute(statement)


def _v4_patient_id_keys(db: sqlite_utils.Database) -> None:
    """Patients are matched by :func:`~retiscreen.identity.id_key` ('p123', ' P123' and
    'P123' are one patient), kept beside the ID as entered. Two rows that already share
    a key stay as they are (the index is not unique) and are reported by selftest."""
    from retiscreen.identity import id_key

    db.execute("ALTER TABLE patients ADD COLUMN id_key TEXT")
    for (patient_id,) in db.execute("SELECT patient_id FROM patients").fetchall():
        db.execute(
            "UPDATE patients SET id_key = ? WHERE patient_id = ?", [id_key(patient_id), patient_id]
        )
    db.execute("CREATE INDEX patients_by_id_key ON patients(id_key)")


_V5_STATEMENTS = (
    "ALTER TABLE patients ADD COLUMN family_name TEXT",
    "ALTER TABLE patients ADD COLUMN given_name TEXT",
    "ALTER TABLE patients ADD COLUMN id_issuer TEXT",
    "ALTER TABLE screenings ADD COLUMN accession_number TEXT",
    "ALTER TABLE screenings ADD COLUMN referring_physician TEXT",
    "ALTER TABLE screenings ADD COLUMN study_instance_uid TEXT",
    "CREATE INDEX screenings_by_accession ON screenings(accession_number)",
    # One row per (screening, report, channel, destination): written before the first
    # attempt, so a send survives a crash, and unique, so a retry never duplicates.
    """CREATE TABLE outbox (
        item_id INTEGER PRIMARY KEY AUTOINCREMENT,
        screening_id TEXT NOT NULL REFERENCES screenings(screening_id),
        report_id TEXT NOT NULL REFERENCES reports(report_id),
        channel TEXT NOT NULL CHECK (channel IN ('dicom', 'hl7', 'fhir')),
        destination TEXT NOT NULL,
        message_id TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (screening_id, report_id, channel, destination)
    )""",
    "CREATE INDEX outbox_by_status ON outbox(status, next_attempt_at)",
)


def _v5_clinic_integration(db: sqlite_utils.Database) -> None:
    """Structured names and the ID's issuer, each visit's order (accession number,
    referring physician, study UID) for DICOM, HL7 and FHIR, and the outbox of sends to
    the clinic's systems. Screenings saved before have no order (NULL): their exports
    derive the study UID as they always did."""
    for statement in _V5_STATEMENTS:
        db.execute(statement)


def _v6_audit_chain(db: sqlite_utils.Database) -> None:
    """Every audit record carries the hash chain (:mod:`retiscreen.store.audit_chain`);
    the records written before are chained once, in order, with the append-only
    triggers lifted for this one transaction."""
    from retiscreen.store.audit_chain import GENESIS, chain_hash

    db.execute("ALTER TABLE audit_log ADD COLUMN chain_hash TEXT")
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    previous = GENESIS
    cursor = db.conn.execute(
        "SELECT id, at, event, screening_id, operator, detail_json FROM audit_log ORDER BY id"
    )
    columns = [c[0] for c in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        previous = chain_hash(previous, row)
        db.execute("UPDATE audit_log SET chain_hash = ? WHERE id = ?", [previous, row["id"]])
    db.execute(_AUDIT_NO_UPDATE)


def _v7_verifiable_reports(db: sqlite_utils.Database) -> None:
    """Each report keeps the clinical content its verification code vouches for
    (:func:`retiscreen.report.verification.vouched_content`), and reports are found by
    their code. Reports printed before have none (NULL): their older code is checked
    against the record as it is."""
    db.execute("ALTER TABLE reports ADD COLUMN vouches_json TEXT")
    db.execute("CREATE INDEX reports_by_code ON reports(verification_code)")


_V8_STATEMENTS = (
    """CREATE TABLE accounts (
        name TEXT PRIMARY KEY NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('operator', 'reviewer', 'admin')),
        pin_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        lockouts INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT
    )""",
)


def _v8_accounts(db: sqlite_utils.Database) -> None:
    """Accounts with a role, an Argon2id PIN hash, and their failed attempts and
    lockouts (:mod:`retiscreen.store.accounts`); an earlier version's operator file is
    imported by :meth:`retiscreen.accounts.AccountBook.import_operator_file`."""
    for statement in _V8_STATEMENTS:
        db.execute(statement)


def _v9_file_keys(db: sqlite_utils.Database) -> None:
    """The data key that encrypts stored photographs and reports
    (:mod:`retiscreen.store.file_cipher`), kept in the encrypted database. Files saved
    before are sealed at the next open, which then sets ``plaintext_sealed_at``."""
    db.execute(
        """CREATE TABLE file_keys (
            key_id INTEGER PRIMARY KEY,
            key BLOB NOT NULL CHECK (length(key) = 32),
            created_at TEXT NOT NULL,
            plaintext_sealed_at TEXT
        )"""
    )
    db.execute(
        "INSERT INTO file_keys (key_id, key, created_at) VALUES (1, ?, ?)",
        [new_file_key(), utc_now()],
    )


_V10_STATEMENTS = (
    """CREATE TABLE referral_marks (
        mark_id INTEGER PRIMARY KEY,
        screening_id TEXT NOT NULL REFERENCES screenings(screening_id),
        outcome TEXT NOT NULL CHECK (outcome IN ('attended', 'not_attended')),
        marked_at TEXT NOT NULL,
        marked_by TEXT NOT NULL,
        note TEXT
    )""",
    "CREATE INDEX referral_marks_by_screening ON referral_marks(screening_id, mark_id)",
    """CREATE TRIGGER referral_marks_no_update BEFORE UPDATE ON referral_marks
    BEGIN SELECT RAISE(ABORT, 'referral marks are append-only: mark again instead'); END""",
    """CREATE TRIGGER referral_marks_no_delete BEFORE DELETE ON referral_marks
    BEGIN SELECT RAISE(ABORT, 'referral marks are append-only: mark again instead'); END""",
)


def _v10_referral_marks(db: sqlite_utils.Database) -> None:
    """Whether each referred patient was seen (:mod:`retiscreen.referrals`): marks are
    appended, never changed, so a correction is a newer mark and the old one stays."""
    for statement in _V10_STATEMENTS:
        db.execute(statement)


_KINDS = "'routine', 'examine', 'unavailable', 'refer', 'urgent'"
_V11_STATEMENTS = (
    # Append-only: a screening may be reviewed again (the newest review wins), and every
    # review stays. The saved screening is never touched: the AI's result is kept.
    f"""CREATE TABLE reviews (
        review_id TEXT PRIMARY KEY NOT NULL,
        screening_id TEXT NOT NULL REFERENCES screenings(screening_id),
        reviewer TEXT NOT NULL CHECK (length(trim(reviewer)) > 0),
        reviewed_at TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('agreed', 'amended')),
        grade_right INTEGER CHECK (grade_right IS NULL OR grade_right BETWEEN 0 AND 4),
        grade_left INTEGER CHECK (grade_left IS NULL OR grade_left BETWEEN 0 AND 4),
        decision_kind TEXT NOT NULL CHECK (decision_kind IN ({_KINDS})),
        follow_up_months INTEGER,
        follow_up_weeks INTEGER,
        rules_decision_kind TEXT NOT NULL CHECK (rules_decision_kind IN ({_KINDS})),
        ai_decision_kind TEXT NOT NULL CHECK (ai_decision_kind IN ({_KINDS})),
        reason TEXT,
        CHECK (outcome = 'agreed' OR length(trim(coalesce(reason, ''))) > 0)
    )""",
    "CREATE INDEX reviews_by_screening ON reviews(screening_id, reviewed_at)",
    """CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'a saved review cannot be changed'); END""",
    """CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'a saved review cannot be deleted'); END""",
    # Decided when the screening is saved; a screening leaves the queue by being reviewed.
    """CREATE TABLE review_queue (
        screening_id TEXT PRIMARY KEY NOT NULL REFERENCES screenings(screening_id),
        why TEXT NOT NULL CHECK (why IN ('unexamined', 'sampled')),
        queued_at TEXT NOT NULL
    )""",
    """CREATE TRIGGER review_queue_no_update BEFORE UPDATE ON review_queue
    BEGIN SELECT RAISE(ABORT, 'the over-read queue is append-only'); END""",
    """CREATE TRIGGER review_queue_no_delete BEFORE DELETE ON review_queue
    BEGIN SELECT RAISE(ABORT, 'the over-read queue is append-only'); END""",
    # Which review a report shows (NULL: the AI result, as before). Written only by
    # ReportArchive.add_report, which checks the review belongs to the report's screening.
    "ALTER TABLE reports ADD COLUMN review_id TEXT",
)


def _v11_reviews(db: sqlite_utils.Database) -> None:
    """Over-reads (:mod:`retiscreen.store.reviews`): each review its own append-only row
    beside the immutable screening, the queue of screenings waiting for one, and the
    review each report shows. Screenings saved before are not queued (a reviewer can
    still open any of them)."""
    for statement in _V11_STATEMENTS:
        db.execute(statement)


_V12_STATEMENTS = (
    # An unfinished screening, kept for the operator who started it: its patient, what was
    # collected and each eye's verdict (document_json), its photographs sealed under
    # drafts/<draft_id>/. Never a result: nothing that reports or exports reads it.
    """CREATE TABLE drafts (
        draft_id TEXT PRIMARY KEY NOT NULL,
        operator TEXT NOT NULL CHECK (length(trim(operator)) > 0),
        started_at TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        document_json TEXT NOT NULL
    )""",
    "CREATE INDEX drafts_by_operator ON drafts(operator, saved_at)",
    # Why a patient was referred without screening (retiscreen.domain.Exclusion), or NULL.
    "ALTER TABLE screenings ADD COLUMN exclusion TEXT",
)


def _v12_drafts(db: sqlite_utils.Database) -> None:
    """Unfinished screenings kept across a restart (:mod:`retiscreen.store.drafts`;
    before, they were kept in the kiosk's memory only), and the exclusion a patient was
    referred for without screening (screenings saved before have none)."""
    for statement in _V12_STATEMENTS:
        db.execute(statement)


_V13_STATEMENTS = (
    # SQLite cannot change a CHECK: the queue is rebuilt with one more reason. DROP TABLE
    # fires no DELETE trigger, and the rows are copied inside the migration's transaction.
    """CREATE TABLE review_queue_v13 (
        screening_id TEXT PRIMARY KEY NOT NULL REFERENCES screenings(screening_id),
        why TEXT NOT NULL CHECK (why IN ('unexamined', 'sampled', 'macular_oedema')),
        queued_at TEXT NOT NULL
    )""",
    "INSERT INTO review_queue_v13 SELECT screening_id, why, queued_at FROM review_queue",
    "DROP TABLE review_queue",
    "ALTER TABLE review_queue_v13 RENAME TO review_queue",
    """CREATE TRIGGER review_queue_no_update BEFORE UPDATE ON review_queue
    BEGIN SELECT RAISE(ABORT, 'the over-read queue is append-only'); END""",
    """CREATE TRIGGER review_queue_no_delete BEFORE DELETE ON review_queue
    BEGIN SELECT RAISE(ABORT, 'the over-read queue is append-only'); END""",
)


def _v13_macular_oedema_queue(db: sqlite_utils.Database) -> None:
    """A screening whose grader flagged possible macular oedema, while that output is not
    part of the decision (its held-out specificity is below 0.85), waits for a reviewer."""
    for statement in _V13_STATEMENTS:
        db.execute(statement)


_V14_STATEMENTS = (
    # A two-field eye's photographs ([capture] fields_per_eye = 2), one row per field taken
    # or not; eye_images keeps the eye's own row (its stored_file is the deciding field's).
    """CREATE TABLE field_images (
        screening_id TEXT NOT NULL REFERENCES screenings(screening_id),
        laterality TEXT NOT NULL CHECK (laterality IN ('right', 'left')),
        view TEXT NOT NULL CHECK (view IN ('disc', 'macula')),
        status TEXT NOT NULL,
        stored_file TEXT,
        sha256 TEXT,
        PRIMARY KEY (screening_id, laterality, view),
        CHECK ((stored_file IS NULL) = (sha256 IS NULL))
    )""",
)


def _v14_field_images(db: sqlite_utils.Database) -> None:
    """Two fields per eye (disc- and macula-centred), where a site takes both: each
    field's photograph is kept and verified like an eye's. Screenings saved before have
    one field per eye and no rows here."""
    for statement in _V14_STATEMENTS:
        db.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial_schema,
    _v2_indexes,
    _v3_decisions_as_data,
    _v4_patient_id_keys,
    _v5_clinic_integration,
    _v6_audit_chain,
    _v7_verifiable_reports,
    _v8_accounts,
    _v9_file_keys,
    _v10_referral_marks,
    _v11_reviews,
    _v12_drafts,
    _v13_macular_oedema_queue,
    _v14_field_images,
)
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
    with immediate_transaction(db.conn):
        version = user_version(db.conn)  # re-read under the lock: another process may have won
        if version > len(migrations):
            raise newer_schema_error(version, len(migrations))
        for step in range(version, target):
            migrations[step](db)
        if target > version:
            db.conn.execute(f"PRAGMA user_version = {int(target)}")
    return max(version, target)


def user_version(conn: driver.Connection) -> int:
    """The schema version the file says it is at (0: nothing created yet)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def newer_schema_error(found: int, known: int) -> StorageError:
    """Refusal to touch a file written by a newer program: it could not be read right."""
    return StorageError(
        f"This database was written by a newer RetiScreen (schema version {found}; this "
        f"program understands up to {known}). Nothing was changed. Install the newer "
        "RetiScreen version or call IT.",
        reason="newer_schema",
    )
