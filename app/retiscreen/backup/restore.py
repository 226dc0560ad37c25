"""Checking a backup archive and restoring it into a data folder (see
:mod:`retiscreen.backup`)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any

from retiscreen.backup.envelope import CHUNK, MAGIC, OpeningReader, is_sealed_backup
from retiscreen.backup.records import (
    BLOCK,
    DATA,
    DB_FILENAME,
    FOLDERS,
    FORMAT,
    FORMAT_VERSION,
    IGNORED_ON_RESTORE,
    MANIFEST,
    REPLACED_PREFIX,
    BackupInfo,
    fsync_dir,
    sha256_file,
    stamp,
)
from retiscreen.errors import BackupError
from retiscreen.keyfiles import RECORDS_KEY_FILENAME, create_secret, existing_records_key
from retiscreen.store import driver


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive contains an unsafe path {name!r}; refusing it")
    if path.parts[0] != DATA and name != MANIFEST:
        raise BackupError(f"the archive contains an unexpected entry {name!r}; refusing it")
    return path


def _read_archive(
    archive: Path, extract_to: Path | None, key: bytes | None, allow_unsealed: bool = False
) -> BackupInfo:
    """Open the sealed archive with ``key`` and check every member against the manifest;
    write the data files under ``extract_to`` (relative to ``data/``) when given. Raises
    BackupError on any mismatch. A backup from before sealing (format 1, a plain
    .tar.gz that anyone could have rewritten) is refused unless ``allow_unsealed``."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    digest = sha256_file(archive)
    sidecar = archive.with_name(archive.name + ".sha256")
    if sidecar.is_file():
        expected = sidecar.read_text(encoding="utf-8").split()[:1]
        if expected != [digest]:
            raise BackupError(
                f"{archive} does not match {sidecar.name}: the archive is damaged or was changed"
            )
    seen: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with archive.open("rb") as raw:
            stream = _opened(raw, archive, key, allow_unsealed)
            with tarfile.open(fileobj=stream, mode="r|gz") as tar:
                for member in tar:
                    path = _safe_name(member.name)
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise BackupError(
                            f"the archive entry {member.name!r} is not a regular file"
                        )
                    source = tar.extractfile(member)
                    if source is None:
                        raise BackupError(f"the archive entry {member.name!r} cannot be read")
                    if member.name == MANIFEST:
                        manifest = json.loads(source.read().decode("utf-8"))
                        continue
                    seen[member.name] = _copy_member(source, path, extract_to, member.mode)
            while stream.read(CHUNK):  # authenticate to the last chunk, past the tar's end
                pass
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{archive} is not a readable RetiScreen backup: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a RetiScreen backup (no valid {MANIFEST})")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(
            f"{archive} was written by a newer RetiScreen (backup format "
            f"{manifest.get('format_version')}); use that version to restore it"
        )
    listed = {str(f["path"]): (int(f["size"]), str(f["sha256"])) for f in manifest["files"]}
    for name, expected_entry in listed.items():
        if name not in seen:
            raise BackupError(f"{archive}: {name} is listed in the manifest but missing")
        if seen[name] != expected_entry:
            raise BackupError(f"{archive}: {name} does not match its sha256 in the manifest")
    extra = sorted(set(seen) - set(listed))
    if extra:
        raise BackupError(f"{archive}: files not in the manifest: {', '.join(extra[:5])}")
    return BackupInfo(archive, manifest, digest)


def _opened(raw: IO[bytes], archive: Path, key: bytes | None, allow_unsealed: bool) -> IO[bytes]:
    """The archive's tar.gz stream: opened from its sealed envelope, or (only when
    allowed) a format-1 backup read as it is."""
    head = raw.read(len(MAGIC))
    raw.seek(0)
    if is_sealed_backup(head):
        if key is None:
            raise BackupError(
                f"{archive} is sealed with a records key, and there is none here: give the "
                "records.key it was made with (--key FILE, from retiscreen key export)"
            )
        return io.BufferedReader(OpeningReader(raw, key, archive.name), CHUNK)
    if not allow_unsealed:
        raise BackupError(
            f"{archive} is not a sealed RetiScreen backup (a backup from before version 2 "
            "is not authenticated: anyone could have changed it). Nothing was restored. "
            "If you are sure where it came from, pass --accept-unsealed"
        )
    return raw


def _copy_member(
    source: IO[bytes], path: PurePosixPath, extract_to: Path | None, mode: int
) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    target: IO[bytes] | None = None
    if extract_to is not None:
        destination = extract_to.joinpath(*path.parts[1:])
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, (mode & 0o666) or 0o600)
        target = os.fdopen(fd, "wb")
    try:
        for block in iter(lambda: source.read(BLOCK), b""):
            digest.update(block)
            size += len(block)
            if target is not None:
                target.write(block)
        if target is not None:
            target.flush()
            os.fsync(target.fileno())
    finally:
        if target is not None:
            target.close()
    return size, digest.hexdigest()


def verify_backup(archive: Path, key: bytes | None, allow_unsealed: bool = False) -> BackupInfo:
    """Read the whole archive, authenticating it with ``key``, and check every file
    against the manifest (and the ``.sha256`` file beside it, when there is one)."""
    return _read_archive(archive, None, key, allow_unsealed)


def records_in(data_dir: Path) -> list[str]:
    """Names in ``data_dir`` that a restore would replace (empty: safe to restore)."""
    if not data_dir.exists():
        return []
    return sorted(
        entry.name
        for entry in data_dir.iterdir()
        if entry.name not in IGNORED_ON_RESTORE
        and not entry.name.startswith((".", REPLACED_PREFIX))
    )


def _check_database(db: Path, root: Path, key: bytes | None) -> None:
    """The backup's database opens with ``key`` (or is from before encryption), is
    whole, and is a RetiScreen database this version can read."""
    from retiscreen.store.db import APPLICATION_ID, SCHEMA_VERSION

    if driver.is_plaintext(db):
        key = None
    elif key is None:
        raise BackupError(
            f"the backup's records are encrypted with this site's key ({RECORDS_KEY_FILENAME}), "
            f"which is not in {root}: copy the key kept with the backups there, then restore "
            "again (nothing was changed)"
        )
    try:
        conn = driver.connect(f"{db.resolve().as_uri()}?mode=ro", key, uri=True)
        try:
            integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        finally:
            conn.close()
    except driver.Error as exc:
        if "not a database" in str(exc):
            raise BackupError(
                f"the backup's records were encrypted with another key than {root}'s "
                f"{RECORDS_KEY_FILENAME}: put the key that was kept with this backup there, "
                "then restore again (nothing was changed)"
            ) from exc
        raise BackupError(f"the database in the backup cannot be read: {exc}") from exc
    if integrity != ["ok"]:
        raise BackupError(f"the database in the backup is damaged: {'; '.join(integrity[:5])}")
    if version > SCHEMA_VERSION:
        raise BackupError(
            f"the backup comes from a newer RetiScreen (schema {version}, this "
            f"program knows up to {SCHEMA_VERSION}); install that version first"
        )
    if version and app_id != APPLICATION_ID:
        raise BackupError("the database in the backup is not a RetiScreen database")


def _give_to_owner(paths: Sequence[Path], uid: int, gid: int) -> None:
    for top in paths:
        os.lchown(top, uid, gid)
        if top.is_dir():
            for directory, subdirs, names in os.walk(top):
                for name in [*subdirs, *names]:
                    os.lchown(Path(directory) / name, uid, gid)


def restore_backup(
    archive: Path,
    data_dir: Path,
    *,
    force: bool = False,
    key_file: Path | None = None,
    authorize: Callable[[Path, bytes | None], None] | None = None,
    allow_unsealed: bool = False,
) -> BackupInfo:
    """Restore ``archive`` into ``data_dir``; see the module docstring for the rules.
    ``key_file``: the records key the backup was made with (a new machine, or a backup
    from before a key rotation); it becomes the folder's key, the one it replaces goes
    aside with the records it opened. ``authorize`` is called with the verified backup's
    database (and its key) before anything in ``data_dir`` changes, and raises to stop
    the restore (the person restoring must be one of its administrators)."""
    root = Path(data_dir)
    try:
        key = key_file.read_bytes() if key_file else existing_records_key(root)
    except OSError as exc:
        raise BackupError(f"the key file cannot be read: {exc}") from exc
    existing = records_in(root)
    if existing and not force:
        raise BackupError(
            f"{root} already holds records ({', '.join(existing[:6])}); refusing to overwrite "
            "them. Restore into an empty folder, or pass --force to move the current records "
            f"aside into {root / (REPLACED_PREFIX + '<time>')} and restore"
        )
    if not root.exists():
        root.mkdir(mode=0o750, parents=True)
    started = stamp()
    staging = root / f".restore-{started}"
    staging.mkdir(mode=0o700)
    try:
        info = _read_archive(archive, staging, key, allow_unsealed)
        db = staging / DB_FILENAME
        if not db.is_file():
            raise BackupError(f"{archive} holds no {DB_FILENAME}")
        _check_database(db, root, key)
        if authorize is not None:
            authorize(db, None if driver.is_plaintext(db) else key)
        for folder in FOLDERS:  # an empty folder is not stored in the archive
            (staging / folder).mkdir(exist_ok=True)
        existing = records_in(root)
        current_key = root / RECORDS_KEY_FILENAME
        replace_key = (
            key is not None
            and key_file is not None
            and (not current_key.exists() or current_key.read_bytes() != key)
        )
        if existing or (replace_key and current_key.exists()):
            aside = root / f"{REPLACED_PREFIX}{started}"
            aside.mkdir(mode=0o700)
            for name in existing:
                os.replace(root / name, aside / name)
            if replace_key and current_key.exists():
                os.replace(current_key, aside / RECORDS_KEY_FILENAME)
        if replace_key and key is not None:
            create_secret(current_key, key)
        restored = []
        for entry in sorted(staging.iterdir()):
            os.replace(entry, root / entry.name)
            restored.append(root / entry.name)
        fsync_dir(root)
        if os.name == "posix" and os.geteuid() == 0:
            owner = root.stat()
            _give_to_owner(restored, owner.st_uid, owner.st_gid)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return info
