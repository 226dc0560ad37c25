"""Opening the records database safely, and the one guarded connection the store uses.

Why opening is careful: the data folder may hold someone else's database, a file
written by a newer RetiScreen, or sit on a share where write-ahead logging does not
work. Each of those is refused with nothing changed, rather than "repaired". An older
schema is upgraded, but only after a consistent backup copy is on disk, so an upgrade
can always be undone.

Why one connection behind one lock: SQLite serialises writers anyway; a single
connection per store, shared by every thread that uses it, keeps each write transaction
whole, and the lock stops two threads from interleaving statements in it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from retiscreen.keyfiles import existing_records_key, records_key
from retiscreen.store import driver
from retiscreen.store.file_cipher import FileCipher, seal_plaintext_files
from retiscreen.store.files import (
    StorageError,
    fsync_directory,
    make_directory,
    remove_stale_temp_files,
    storage_error_from_os,
)
from retiscreen.store.schema import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    migrate,
    newer_schema_error,
    user_version,
)
from retiscreen.store.sqlite_errors import translate_errors
from retiscreen.store.transaction import TransactionFiles, immediate_transaction
from retiscreen.store.values import utc_now

DB_FILENAME = "retiscreen.db"
AUDIT_CHAIN_VERSION = 6
"""The schema version that hash-chained the audit log."""
log = logging.getLogger(__name__)


def open_database(
    db_path: Path, backups_dir: Path, busy_timeout_s: float, key: bytes
) -> tuple[driver.Connection, sqlite_utils.Database, int]:
    """Connect to ``db_path`` (creating it) with ``key``, check it is ours, make it
    durable and current. Returns the connection, its sqlite-utils view and the schema
    version it was at. A database from before encryption is encrypted first.

    The connection is in autocommit mode: every write goes through
    :func:`~retiscreen.store.transaction.immediate_transaction`.
    """
    with translate_errors("the records database could not be opened"):
        if driver.is_plaintext(db_path):
            encrypt_plaintext(db_path, key)
        conn = driver.connect(
            str(db_path),
            key,
            timeout=busy_timeout_s,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,  # guarded by StoreConnection._lock
        )
        try:
            db = sqlite_utils.Database(conn)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            version = _first_read(conn, db_path)
            if version > SCHEMA_VERSION:
                raise newer_schema_error(version, SCHEMA_VERSION)
            _refuse_foreign_database(conn, version, db_path)
            _make_durable(conn)
            if 0 < version < SCHEMA_VERSION:
                _backup_before_upgrade(conn, backups_dir, version, key)
            if version < SCHEMA_VERSION:
                migrate(db)
        except BaseException:
            conn.close()
            raise
    return conn, db, version


def _first_read(conn: driver.Connection, db_path: Path) -> int:
    """The schema version: the first read, where a wrong key shows."""
    try:
        return user_version(conn)
    except driver.DatabaseError as exc:
        if "not a database" not in str(exc):
            raise
        raise StorageError(
            f"The records database {db_path} cannot be read with this site's key "
            "(records.key): the key is wrong or missing, or the file is not a RetiScreen "
            "database. Nothing was changed. Put back the key that was kept with this "
            "kiosk's records, or call IT.",
            reason="wrong_key",
        ) from exc


def encrypt_plaintext(db_path: Path, key: bytes) -> None:
    """A database written before encryption, encrypted in place: exported whole into an
    encrypted copy, checked, then renamed over the original (whose WAL was checkpointed
    first), so a crash leaves either the old file or the new one, never half of each."""
    plain = driver.connect(str(db_path), None, isolation_level=None)
    encrypted = db_path.with_name(f".{db_path.name}.encrypting")
    encrypted.unlink(missing_ok=True)
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        driver.export_encrypted(plain, encrypted, key)
    finally:
        plain.close()
    check = driver.connect(str(encrypted), key)
    try:
        if [row[0] for row in check.execute("PRAGMA quick_check")] != ["ok"]:
            raise StorageError(
                "The records database could not be encrypted (the copy did not check "
                "out). Nothing was changed. Call IT.",
                reason="io",
            )
    finally:
        check.close()
    with open(encrypted, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(encrypted, db_path)
    for leftover in ("-wal", "-shm"):
        Path(f"{db_path}{leftover}").unlink(missing_ok=True)
    fsync_directory(db_path.parent)
    log.info("the records database was encrypted (it was written before encryption)")


def _refuse_foreign_database(conn: driver.Connection, version: int, db_path: Path) -> None:
    """A file that another program made is never taken over (nor changed)."""
    if version == 0:
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        if tables:
            raise StorageError(
                f"{db_path} is not a RetiScreen database (it already holds other "
                "tables). Nothing was changed. Choose another data folder or call IT.",
                reason="corrupt",
            )
    elif int(conn.execute("PRAGMA application_id").fetchone()[0]) != APPLICATION_ID:
        raise StorageError(
            f"{db_path} is not a RetiScreen database. Nothing was changed. "
            "Choose another data folder or call IT.",
            reason="corrupt",
        )


def _make_durable(conn: driver.Connection) -> None:
    """WAL + ``synchronous=FULL``: a commit survives a power cut; foreign keys enforced."""
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


def _backup_before_upgrade(
    conn: driver.Connection, backups_dir: Path, version: int, key: bytes
) -> None:
    """Keep a consistent copy of the old database (encrypted with the same key): an
    upgrade must be undoable."""
    make_directory(backups_dir, what="the database backup")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"retiscreen-v{version}-{stamp}.db"
    backup = driver.connect(str(target), key)
    try:
        conn.backup(backup)
    finally:
        backup.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    fsync_directory(backups_dir)


class StoreConnection:
    """The data folder's layout and its database connection, shared by every part of
    :class:`~retiscreen.store.db.ScreeningStore`, with the helpers they all use to read,
    write and resolve stored files."""

    def __init__(self, root: Path, *, busy_timeout_s: float = 5.0) -> None:
        """Open (creating if needed) the data folder and database, upgrading its schema."""
        self.root = Path(root)
        self.db_path = self.root / DB_FILENAME
        self.images_dir = self.root / "images"
        self.reports_dir = self.root / "reports"
        self.backups_dir = self.root / "backups"
        self.busy_timeout_s = float(busy_timeout_s)
        self._lock = threading.RLock()
        self._anchored: int | None = None
        """The newest audit record whose chain hash is in the authenticated head."""
        for directory in (self.root, self.images_dir, self.reports_dir):
            make_directory(directory, what="the records folder")
        try:
            self._conn, self._db, found = open_database(
                self.db_path, self.backups_dir, self.busy_timeout_s, self._key()
            )
        except StorageError as exc:
            from retiscreen.store.key_rotation import finish_rotation

            if exc.reason != "wrong_key" or not finish_rotation(self.root):
                raise
            self._conn, self._db, found = open_database(
                self.db_path, self.backups_dir, self.busy_timeout_s, records_key(self.root)
            )
        if 0 < found < AUDIT_CHAIN_VERSION:  # the trail was chained just now: anchor it
            self._after_commit()
        self._files = self._file_cipher()
        for directory in (self.images_dir, self.reports_dir):
            remove_stale_temp_files(directory)

    def _key(self) -> bytes:
        """The records key; created only together with a new database, so a lost key
        is reported as lost instead of being silently replaced by a new one."""
        key = existing_records_key(self.root)
        if key is not None:
            return key
        if (
            self.db_path.exists()
            and self.db_path.stat().st_size
            and not driver.is_plaintext(self.db_path)
        ):
            raise StorageError(
                f"The records key (records.key) is missing from {self.root}, so the records "
                "database cannot be read. Nothing was changed. Put back the key that was "
                "kept with this kiosk's records (retiscreen key export), or call IT.",
                reason="wrong_key",
            )
        return records_key(self.root)

    def _file_cipher(self) -> FileCipher:
        """The data keys of the stored files; files saved before encryption are sealed
        now (once: the pass is recorded as done)."""
        with self._lock, translate_errors("the records database could not be opened"):
            rows = self._conn.execute(
                "SELECT key_id, key, plaintext_sealed_at FROM file_keys"
            ).fetchall()
            cipher = FileCipher({int(row[0]): bytes(row[1]) for row in rows})
            if all(row[2] for row in rows):
                return cipher
            stored = [
                str(row[0])
                for row in self._conn.execute(
                    "SELECT stored_file FROM eye_images WHERE stored_file IS NOT NULL"
                    " UNION SELECT stored_file FROM field_images WHERE stored_file IS NOT NULL"
                    " UNION ALL SELECT file FROM reports"
                )
            ]
        seal_plaintext_files(self.root, stored, cipher)
        with self._write("the records database could not be opened"):
            self._conn.execute(
                "UPDATE file_keys SET plaintext_sealed_at = ? WHERE plaintext_sealed_at IS NULL",
                [utc_now()],
            )
        return cipher

    def _sealed(self, path: Path, data: bytes) -> bytes:
        """``data`` encrypted for the stored file at ``path`` (under the root)."""
        return self._files.seal(path.relative_to(self.root).as_posix(), data)

    def _read_stored(self, relative: str, what: str) -> bytes:
        """The decrypted content of a recorded file (its sha256 is for the caller to
        check). Raises StorageError for a missing, unreadable or tampered file."""
        path = self._stored_path(relative, what)
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            raise StorageError(
                f"The stored file of {what} is missing ({relative}). The record is "
                "incomplete: do not use it; call IT.",
                reason="missing_file",
            ) from None
        except OSError as exc:
            raise storage_error_from_os(exc, f"{what} could not be read") from exc
        return self._files.open(relative, stored, what)

    def close(self) -> None:
        """Close the database (a clean close also checkpoints the WAL)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self, failure: str) -> Iterator[TransactionFiles]:
        """One write transaction (see :mod:`retiscreen.store.transaction`); any failure
        becomes a StorageError saying ``failure``. Write the files its rows reference
        through the yielded :class:`TransactionFiles`, before those rows."""
        with self._lock, translate_errors(failure), immediate_transaction(self._conn) as files:
            yield files
        try:
            self._after_commit()
        except (OSError, driver.Error, ValueError) as exc:  # committed: never say otherwise
            log.error("the audit trail's head could not be moved forward: %s", exc)

    def _after_commit(self) -> None:
        """Called after each committed write (the audit log anchors its chain here)."""

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Query outside a transaction, as dicts; failures become StorageError."""
        with self._lock, translate_errors("the records could not be read"):
            return self._query(sql, params)

    def _query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Query inside :meth:`_write` (which already holds the lock and translates)."""
        return list(self._db.query(sql, params))

    def _exists(self, sql: str, params: Sequence[Any]) -> bool:
        return self._conn.execute(sql, params).fetchone() is not None

    def _stored_path(self, relative: str, what: str) -> Path:
        """Where a recorded file is, refusing a record that points outside the root."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise StorageError(
                f"The record of {what} points outside the data folder ({relative}). Call IT.",
                reason="corrupt",
            )
        return path
