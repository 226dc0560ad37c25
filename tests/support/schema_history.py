"""Older database files for the migration tests: a current file taken back by hand."""

from __future__ import annotations

from pathlib import Path

from retiscreen.store import driver
from retiscreen.store.file_cipher import FileCipher

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
    if version < 14:
        conn.execute("DROP TABLE IF EXISTS field_images")
    if version < 12:
        conn.execute("DROP TABLE IF EXISTS drafts")
        conn.execute("ALTER TABLE screenings DROP COLUMN exclusion")
    if version < 11:
        conn.execute("ALTER TABLE reports DROP COLUMN review_id")
        conn.execute("DROP TABLE IF EXISTS reviews")
        conn.execute("DROP TABLE IF EXISTS review_queue")
    if version < 10:
        conn.execute("DROP TABLE IF EXISTS referral_marks")
    if version < 9:
        _unseal_stored_files(conn)
        conn.execute("DROP TABLE IF EXISTS file_keys")
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


def _unseal_stored_files(conn: driver.Connection) -> None:
    """Before schema 9 photographs and reports were kept in the clear: decrypt them."""
    root = Path(conn.execute("PRAGMA database_list").fetchone()[2]).parent
    cipher = FileCipher(dict(conn.execute("SELECT key_id, key FROM file_keys").fetchall()))
    stored = conn.execute(
        "SELECT stored_file FROM eye_images WHERE stored_file IS NOT NULL"
        " UNION ALL SELECT file FROM reports"
    ).fetchall()
    for (relative,) in stored:
        path = root / relative
        if path.is_file():
            path.write_bytes(cipher.open(relative, path.read_bytes(), relative))
