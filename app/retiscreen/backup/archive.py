"""Writing a backup archive (see :mod:`retiscreen.backup`)."""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from retiscreen import __version__
from retiscreen.backup.envelope import SealingWriter
from retiscreen.backup.records import (
    AUDIT_HEAD_FILENAME,
    AUDIT_KEY_FILENAME,
    DATA,
    DB_FILENAME,
    FOLDERS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupInfo,
    HashingReader,
    data_files,
    file_cipher_of,
    fsync_dir,
    now_utc,
    sha256_file,
    snapshot_database,
    stored_file_problems,
)
from retiscreen.errors import BackupError
from retiscreen.keyfiles import RECORDS_KEY_FILENAME, existing_records_key
from retiscreen.store import driver


def create_backup(data_dir: Path, archive: Path) -> BackupInfo:
    """Write a sealed backup of ``data_dir`` to ``archive`` (see
    :mod:`retiscreen.backup.envelope`) and ``archive.sha256``."""
    root = Path(data_dir)
    archive = Path(archive).absolute()
    db = root / DB_FILENAME
    if not db.is_file():
        raise BackupError(
            f"there is no records database at {db}: nothing to back up "
            "(check --data-dir / RETISCREEN_STORAGE_DATA_DIR)"
        )
    if archive.exists():
        raise BackupError(f"{archive} already exists; choose a new file name")
    for folder in FOLDERS:
        if archive.is_relative_to((root / folder).absolute()):
            raise BackupError(f"write the backup outside {root / folder}")
    if not archive.parent.is_dir():
        raise BackupError(
            f"the folder {archive.parent} does not exist (is the backup disk mounted?)"
        )
    partial = archive.with_name(archive.name + ".partial")
    problems: list[str] = []
    files: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix=".retiscreen-backup-", dir=archive.parent) as tmp:
            snapshot = Path(tmp) / DB_FILENAME
            key = existing_records_key(root)
            if key is None:
                raise BackupError(
                    f"the records key ({RECORDS_KEY_FILENAME}) is missing from {root}, so "
                    "the records cannot be read: put it back first"
                )
            database = snapshot_database(db, snapshot, key)
            referenced = database.pop("referenced")
            if database["integrity"] != "ok":
                problems.append(f"database integrity check: {database['integrity']}")
            problems += stored_file_problems(root, referenced, file_cipher_of(snapshot, key))
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw:
                sealed = SealingWriter(raw, key)
                with tarfile.open(fileobj=sealed, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                    sources = [(snapshot, f"{DATA}/{DB_FILENAME}"), *data_files(root)]
                    head = _audit_head_of(snapshot, root, Path(tmp), key)
                    if head is not None:
                        sources.append((head, f"{DATA}/{AUDIT_HEAD_FILENAME}"))
                    for path, name in sources:
                        files.append(_add_file(tar, path, name))
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": now_utc(),
                        "retiscreen_version": __version__,
                        "host": socket.gethostname(),
                        "source": str(root.absolute()),
                        "database": database,
                        "files": files,
                        "problems": problems,
                    }
                    body = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode = len(body), 0o600
                    info.mtime = int(datetime.now().timestamp())
                    tar.addfile(info, io.BytesIO(body))
                sealed.close()
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, archive)
    except OSError as exc:
        raise BackupError(f"the backup could not be written to {archive}: {exc}") from exc
    finally:
        if partial.exists():
            partial.unlink()
    digest = sha256_file(archive)
    sidecar = archive.with_name(archive.name + ".sha256")
    sidecar.write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    fsync_dir(archive.parent)
    return BackupInfo(archive, manifest, digest)


def _audit_head_of(snapshot: Path, root: Path, folder: Path, key: bytes) -> Path | None:
    """The authenticated audit head of the snapshot itself (the live one may already
    name records written after it), so the restored trail verifies."""
    from retiscreen.store.audit_chain import last_record, write_head

    key_file = root / AUDIT_KEY_FILENAME
    if not key_file.is_file():
        return None
    conn = driver.connect(str(snapshot), key)
    try:
        last = last_record(conn)
    except driver.Error:  # a database from before the audit chain
        return None
    finally:
        conn.close()
    if last is None:
        return None
    head = folder / AUDIT_HEAD_FILENAME
    write_head(head, key_file.read_bytes(), *last)
    return head


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    with path.open("rb") as handle:
        status = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = status.st_size
        info.mtime = int(status.st_mtime)
        info.mode = stat.S_IMODE(status.st_mode)
        reader = HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": name, "size": reader.count, "sha256": reader.digest.hexdigest()}
