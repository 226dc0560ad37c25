"""What a backup is made of: its format and manifest, the files of a data folder, and a
consistent snapshot of the database."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from retiscreen.errors import BackupError, StorageError
from retiscreen.keyfiles import RECORDS_KEY_FILENAME
from retiscreen.store import driver
from retiscreen.store.file_cipher import FileCipher

__all__ = ["BackupError"]

FORMAT = "retiscreen-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data"
DB_FILENAME = "retiscreen.db"
SECRET_FILENAME = "report-secret.key"
AUDIT_KEY_FILENAME = "audit.key"
AUDIT_HEAD_FILENAME = "audit-head.json"
FOLDERS = ("images", "reports", "drafts")
ADMIN_SETTINGS_FILENAME = "admin-settings.toml"
"""The installed kiosk's settings saved by its administration screen (the unit's
RETISCREEN_CONFIG_OVERRIDE): configuration, not records."""
IGNORED_ON_RESTORE = ("logs", "lost+found", RECORDS_KEY_FILENAME, ADMIN_SETTINGS_FILENAME)
"""Entries that do not make a data folder 'hold records' (nor are moved aside)."""
REPLACED_PREFIX = "replaced-"
BLOCK = 1 << 20


@dataclass(frozen=True)
class BackupInfo:
    """A written or verified archive and its manifest."""

    archive: Path
    manifest: dict[str, Any]
    sha256: str

    @property
    def files(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("files", []))

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self.manifest.get("problems", [])]

    def describe(self) -> str:
        database = self.manifest.get("database", {})
        size = sum(int(f["size"]) for f in self.files)
        return (
            f"{self.archive}: {database.get('screenings', '?')} screenings, "
            f"{database.get('reports', '?')} reports, {len(self.files)} files "
            f"({size / 1e6:.1f} MB before compression), schema v"
            f"{database.get('schema_version', '?')}, written by RetiScreen "
            f"{self.manifest.get('retiscreen_version', '?')} on {self.manifest.get('host', '?')} "
            f"at {self.manifest.get('created_at', '?')}; sha256 {self.sha256}"
        )


# --------------------------------------------------------------------------- helpers


class HashingReader(io.RawIOBase):
    """Reads through to ``source`` while hashing, so each file is read exactly once."""

    def __init__(self, source: IO[bytes]) -> None:
        super().__init__()
        self.source = source
        self.digest = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.count += len(data)
        return data


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def is_temp(name: str) -> bool:
    from retiscreen.store.files import TEMP_PREFIX, TEMP_SUFFIX

    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def data_files(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, archive name) of the files to copy, in a stable order (the audit head is
    not among them: the backup writes the head of its own database snapshot)."""
    for key in (SECRET_FILENAME, AUDIT_KEY_FILENAME):
        if (root / key).is_file():
            yield root / key, f"{DATA}/{key}"
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for directory, subdirs, names in os.walk(base):
            subdirs.sort()
            for name in sorted(names):
                path = Path(directory) / name
                if is_temp(name) or path.is_symlink() or not path.is_file():
                    continue
                yield path, f"{DATA}/{path.relative_to(root).as_posix()}"


def referenced_files(conn: driver.Connection) -> list[tuple[str, str]]:
    """(relative path, sha256) of every photograph and report the database points to."""
    found: list[tuple[str, str]] = []
    queries = (
        "SELECT stored_file, sha256 FROM eye_images WHERE stored_file IS NOT NULL",
        # a two-field eye's photographs (schema 14); the deciding field's is the eye's too
        "SELECT stored_file, sha256 FROM field_images WHERE stored_file IS NOT NULL",
        "SELECT file, sha256 FROM reports",
    )
    for sql in queries:
        try:
            found.extend((str(row[0]), str(row[1])) for row in conn.execute(sql))
        except driver.OperationalError:  # a table this schema version does not have
            continue
    return found


def file_cipher_of(db: Path, key: bytes) -> FileCipher | None:
    """The stored files' data keys in the database ``db`` (None before schema 9)."""
    conn = driver.connect(str(db), key)
    try:
        rows = conn.execute("SELECT key_id, key FROM file_keys").fetchall()
    except driver.OperationalError:
        return None
    finally:
        conn.close()
    return FileCipher({int(row[0]): bytes(row[1]) for row in rows})


def stored_file_problems(
    root: Path, referenced: list[tuple[str, str]], cipher: FileCipher | None
) -> list[str]:
    """Each referenced photograph and report that is missing, no longer decrypts, or
    does not match its recorded sha256."""
    problems: list[str] = []
    for relative, digest in referenced:
        try:
            stored = (root / relative).read_bytes()
        except FileNotFoundError:
            problems.append(f"{relative}: referenced by the database but missing")
            continue
        try:
            content = cipher.open(relative, stored, relative) if cipher else stored
        except StorageError:
            problems.append(f"{relative}: changed since it was saved (it does not decrypt)")
            continue
        if hashlib.sha256(content).hexdigest() != digest:
            problems.append(f"{relative}: sha256 does not match the database")
    return problems


def count_rows(conn: driver.Connection, table: str) -> int | None:
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except driver.OperationalError:
        return None


def snapshot_database(db: Path, target: Path, key: bytes | None) -> dict[str, Any]:
    """A consistent copy of ``db`` at ``target`` via the online backup API, encrypted
    with the same ``key`` as the database; returns facts."""
    try:
        source = driver.connect(f"{db.resolve().as_uri()}?mode=ro", key, uri=True, timeout=30.0)
    except driver.Error as exc:
        raise BackupError(f"cannot open the records database {db}: {exc}") from exc
    copy = driver.connect(str(target), key)
    try:
        source.execute("PRAGMA busy_timeout = 30000")
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        integrity = [str(row[0]) for row in copy.execute("PRAGMA integrity_check")]
        facts: dict[str, Any] = {
            "file": f"{DATA}/{DB_FILENAME}",
            "schema_version": int(copy.execute("PRAGMA user_version").fetchone()[0]),
            "application_id": int(copy.execute("PRAGMA application_id").fetchone()[0]),
            "integrity": "ok" if integrity == ["ok"] else "; ".join(integrity[:20]),
            "screenings": count_rows(copy, "screenings"),
            "reports": count_rows(copy, "reports"),
            "audit_events": count_rows(copy, "audit_log"),
            "referenced": referenced_files(copy),
        }
    except driver.Error as exc:
        raise BackupError(f"the records database {db} could not be copied: {exc}") from exc
    finally:
        copy.close()
        source.close()
        keep_owner(db)
    return facts


def keep_owner(db: Path) -> None:
    """Reading a WAL database can create its -wal/-shm files; when root did that, hand
    them to the database's owner, or the kiosk could no longer open its own records."""
    if os.name != "posix" or os.geteuid() != 0:
        return
    owner = db.stat()
    for suffix in ("-wal", "-shm"):
        side = db.with_name(db.name + suffix)
        try:
            status = side.stat()
        except FileNotFoundError:
            continue
        if (status.st_uid, status.st_gid) != (owner.st_uid, owner.st_gid):
            os.chown(side, owner.st_uid, owner.st_gid)
