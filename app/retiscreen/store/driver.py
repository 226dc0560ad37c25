"""The records database driver: SQLite with SQLCipher encryption (``sqlcipher3``).

Why SQLCipher: the database holds names, dates of birth and diagnoses on a machine that
may stand in a corridor; a copied ``retiscreen.db`` must read as noise. SQLCipher
encrypts every page (AES-256) and authenticates it (HMAC-SHA512), so a file opened
with the wrong key, or edited outside RetiScreen, is refused rather than misread.
``sqlcipher3`` is the standard library's ``sqlite3`` module built against SQLCipher:
the same DB-API, and sqlite-utils works on its connections.

Every module of the store opens the database through :func:`connect` and catches
:data:`Error`; nothing else imports the driver.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlcipher3 import dbapi2 as _driver

if TYPE_CHECKING:  # sqlcipher3 ships no type hints; its API is the standard library's
    from sqlite3 import (
        Connection,
        DatabaseError,
        Error,
        IntegrityError,
        OperationalError,
        ProgrammingError,
        Row,
    )
else:
    Connection = _driver.Connection
    Row = _driver.Row
    Error = _driver.Error
    DatabaseError = _driver.DatabaseError
    OperationalError = _driver.OperationalError
    IntegrityError = _driver.IntegrityError
    ProgrammingError = _driver.ProgrammingError

__all__ = [
    "Connection",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "OperationalError",
    "ProgrammingError",
    "Row",
    "connect",
    "export_encrypted",
    "is_plaintext",
]

PLAINTEXT_HEADER = b"SQLite format 3\x00"
"""What an unencrypted SQLite file starts with (an encrypted one starts with noise)."""


def connect(path: Path | str, key: bytes | None, **options: Any) -> Connection:
    """Open ``path`` with ``key`` (32 bytes, used as the raw AES key; None only to read
    a database written before encryption). Nothing is read yet: a wrong key shows at
    the first statement, as ``DatabaseError('file is not a database')``."""
    conn: Connection = _driver.connect(str(path), **options)
    conn.execute("PRAGMA cipher_log_level = NONE")  # errors are raised, not printed
    if key is not None:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def is_plaintext(path: Path) -> bool:
    """An unencrypted SQLite file (a database from before encryption, or a restored
    backup of one)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(PLAINTEXT_HEADER)) == PLAINTEXT_HEADER
    except FileNotFoundError:
        return False


def export_encrypted(plain: Connection, target: Path, key: bytes) -> None:
    """Copy the whole database behind ``plain`` into a new encrypted file ``target``
    (SQLCipher's ``sqlcipher_export``: schema, rows, user_version, application_id)."""
    plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", [str(target)])
    try:
        plain.execute("SELECT sqlcipher_export('encrypted')")
        for pragma in ("user_version", "application_id"):
            value = int(plain.execute(f"PRAGMA main.{pragma}").fetchone()[0])
            plain.execute(f"PRAGMA encrypted.{pragma} = {value}")
    finally:
        plain.execute("DETACH DATABASE encrypted")
