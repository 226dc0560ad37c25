"""Older database files for the migration tests: a current file taken back by hand."""

from __future__ import annotations

from retiscreen.store import driver

V5_COLUMNS = (
    ("patients", "family_name"),
    ("patients", "given_name"),
    ("patients", "id_issuer"),
    ("screenings", "accession_number"),
    ("screenings", "referring_physician"),
    ("screenings", "study_instance_uid"),
)


def take_back_to(conn: driver.Connection, version: int) -> None:
    """Undo, newest first, what each migration after ``version`` added, and set the
    file's ``user_version`` to it: the file an older RetiScreen would have left."""
    if version < 8:
        conn.execute("DROP TABLE IF EXISTS accounts")
    if version < 7:
        conn.execute("DROP INDEX IF EXISTS reports_by_code")
        conn.execute("ALTER TABLE reports DROP COLUMN vouches_json")
    if version < 6:
        conn.execute("ALTER TABLE audit_log DROP COLUMN chain_hash")
    if version < 5:
        conn.execute("DROP INDEX IF EXISTS screenings_by_accession")
        conn.execute("DROP TABLE IF EXISTS outbox")
        for table, column in V5_COLUMNS:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute(f"PRAGMA user_version = {version}")
