"""Back up and restore a kiosk's records: database, photographs, reports, report secret.

``retiscreen backup --to FILE`` writes one ``.tar.gz``:

* ``data/retiscreen.db``: a consistent snapshot taken with SQLite's online backup API
  while the kiosk may keep screening (WAL readers never block the writer), checked with
  ``PRAGMA integrity_check`` and switched to a single-file (non-WAL) database;
* ``data/images/…``, ``data/reports/…``: the photographs and report PDFs, copied
  AFTER the snapshot. Files are written before the transaction that references them
  commits and are never changed afterwards, so every file the snapshot references is
  there; a file newer than the snapshot is merely unreferenced;
* ``data/report-secret.key``: the site secret that report verification codes depend on;
* ``manifest.json``: format, versions, counts, and the size and sha256 of every file.

Next to the archive, ``FILE.sha256`` (``sha256sum -c`` format) covers the archive itself.
Every file the snapshot references is checked against its recorded sha256; a mismatch
is listed under ``problems`` in the manifest (the backup is still written: a partial
backup beats none) and the command exits 1.

``retiscreen restore FILE [--force]`` verifies every hash before touching the data
folder, refuses a folder that already holds records unless ``--force`` (the old
records are then moved aside into ``replaced-<time>/`` in the data folder, never
deleted), refuses a database from a newer RetiScreen, and when run as root gives the
restored files to the data folder's owner. Stop the kiosk before restoring.

Not included: ``logs/`` and ``backups/`` (the pre-upgrade database copies), and the
settings file (back up /etc/retiscreen with the system).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import socket
import sqlite3
import stat
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from retiscreen import __version__
from retiscreen.settings import Settings, SettingsError, load_settings

FORMAT = "retiscreen-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data"
DB_FILENAME = "retiscreen.db"
SECRET_FILENAME = "report-secret.key"
FOLDERS = ("images", "reports")
IGNORED_ON_RESTORE = ("logs", "lost+found")
"""Entries that do not make a data folder 'hold records' (nor are moved aside)."""
REPLACED_PREFIX = "replaced-"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_BLOCK = 1 << 20


class BackupError(Exception):
    """A backup or restore could not be done; ``str()`` says why and what to do."""


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


class _HashingReader(io.RawIOBase):
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


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _is_temp(name: str) -> bool:
    from retiscreen.store.files import TEMP_PREFIX, TEMP_SUFFIX

    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def _data_files(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, archive name) of the files to copy, in a stable order."""
    secret = root / SECRET_FILENAME
    if secret.is_file():
        yield secret, f"{DATA}/{SECRET_FILENAME}"
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for directory, subdirs, names in os.walk(base):
            subdirs.sort()
            for name in sorted(names):
                path = Path(directory) / name
                if _is_temp(name) or path.is_symlink() or not path.is_file():
                    continue
                yield path, f"{DATA}/{path.relative_to(root).as_posix()}"


def _referenced_files(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(relative path, sha256) of every photograph and report the database points to."""
    found: list[tuple[str, str]] = []
    queries = (
        "SELECT stored_file, sha256 FROM eye_images WHERE stored_file IS NOT NULL",
        "SELECT file, sha256 FROM reports",
    )
    for sql in queries:
        try:
            found.extend((str(row[0]), str(row[1])) for row in conn.execute(sql))
        except sqlite3.OperationalError:  # a table this schema version does not have
            continue
    return found


def _count(conn: sqlite3.Connection, table: str) -> int | None:
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return None


def _snapshot(db: Path, target: Path) -> dict[str, Any]:
    """A consistent copy of ``db`` at ``target`` via the online backup API; returns facts."""
    try:
        source = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the records database {db}: {exc}") from exc
    copy = sqlite3.connect(str(target))
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
            "screenings": _count(copy, "screenings"),
            "reports": _count(copy, "reports"),
            "audit_events": _count(copy, "audit_log"),
            "referenced": _referenced_files(copy),
        }
    except sqlite3.Error as exc:
        raise BackupError(f"the records database {db} could not be copied: {exc}") from exc
    finally:
        copy.close()
        source.close()
        _keep_owner(db)
    return facts


def _keep_owner(db: Path) -> None:
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


# --------------------------------------------------------------------------- backup


def create_backup(data_dir: Path, archive: Path) -> BackupInfo:
    """Write a backup of ``data_dir`` to ``archive`` (a new .tar.gz) and ``archive.sha256``."""
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
            database = _snapshot(db, snapshot)
            referenced = database.pop("referenced")
            if database["integrity"] != "ok":
                problems.append(f"database integrity check: {database['integrity']}")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                    sources = [(snapshot, f"{DATA}/{DB_FILENAME}"), *_data_files(root)]
                    for path, name in sources:
                        files.append(_add_file(tar, path, name))
                    hashes = {f["path"]: f["sha256"] for f in files}
                    for relative, digest in referenced:
                        stored = hashes.get(f"{DATA}/{relative}")
                        if stored is None:
                            problems.append(f"{relative}: referenced by the database but missing")
                        elif stored != digest:
                            problems.append(f"{relative}: sha256 does not match the database")
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": _now(),
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
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(partial, archive)
    except OSError as exc:
        raise BackupError(f"the backup could not be written to {archive}: {exc}") from exc
    finally:
        if partial.exists():
            partial.unlink()
    digest = _sha256_file(archive)
    sidecar = archive.with_name(archive.name + ".sha256")
    sidecar.write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    _fsync_dir(archive.parent)
    return BackupInfo(archive, manifest, digest)


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    with path.open("rb") as handle:
        status = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = status.st_size
        info.mtime = int(status.st_mtime)
        info.mode = stat.S_IMODE(status.st_mode)
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": name, "size": reader.count, "sha256": reader.digest.hexdigest()}


# --------------------------------------------------------------------------- verify / restore


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive contains an unsafe path {name!r}; refusing it")
    if path.parts[0] != DATA and name != MANIFEST:
        raise BackupError(f"the archive contains an unexpected entry {name!r}; refusing it")
    return path


def _read_archive(archive: Path, extract_to: Path | None) -> BackupInfo:
    """Check every member against the manifest; write the data files under
    ``extract_to`` (relative to ``data/``) when given. Raises BackupError on any mismatch."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    digest = _sha256_file(archive)
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
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                path = _safe_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"the archive entry {member.name!r} is not a regular file")
                source = tar.extractfile(member)
                if source is None:
                    raise BackupError(f"the archive entry {member.name!r} cannot be read")
                if member.name == MANIFEST:
                    manifest = json.loads(source.read().decode("utf-8"))
                    continue
                seen[member.name] = _copy_member(source, path, extract_to, member.mode)
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
        for block in iter(lambda: source.read(_BLOCK), b""):
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


def verify_backup(archive: Path) -> BackupInfo:
    """Read the whole archive and check every file against the manifest (and the
    ``.sha256`` file beside it, when there is one)."""
    return _read_archive(archive, None)


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


def _check_database(db: Path) -> None:
    from retiscreen.store.db import APPLICATION_ID, SCHEMA_VERSION

    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
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


def restore_backup(archive: Path, data_dir: Path, *, force: bool = False) -> BackupInfo:
    """Restore ``archive`` into ``data_dir``; see the module docstring for the rules."""
    root = Path(data_dir)
    existing = records_in(root)
    if existing and not force:
        raise BackupError(
            f"{root} already holds records ({', '.join(existing[:6])}); refusing to overwrite "
            "them. Restore into an empty folder, or pass --force to move the current records "
            f"aside into {root / (REPLACED_PREFIX + '<time>')} and restore"
        )
    if not root.exists():
        root.mkdir(mode=0o750, parents=True)
    stamp = _stamp()
    staging = root / f".restore-{stamp}"
    staging.mkdir(mode=0o700)
    try:
        info = _read_archive(archive, staging)
        db = staging / DB_FILENAME
        if not db.is_file():
            raise BackupError(f"{archive} holds no {DB_FILENAME}")
        _check_database(db)
        for folder in FOLDERS:  # an empty folder is not stored in the archive
            (staging / folder).mkdir(exist_ok=True)
        existing = records_in(root)
        if existing:
            aside = root / f"{REPLACED_PREFIX}{stamp}"
            aside.mkdir(mode=0o700)
            for name in existing:
                os.replace(root / name, aside / name)
        restored = []
        for entry in sorted(staging.iterdir()):
            os.replace(entry, root / entry.name)
            restored.append(root / entry.name)
        _fsync_dir(root)
        if os.name == "posix" and os.geteuid() == 0:
            owner = root.stat()
            _give_to_owner(restored, owner.st_uid, owner.st_gid)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return info


# --------------------------------------------------------------------------- command line


def backup_command(settings: Settings, to: Path) -> int:
    """`retiscreen backup --to FILE` with the data folder from ``settings``."""
    try:
        info = create_backup(settings.storage.root, to)
    except BackupError as exc:
        print(f"retiscreen backup: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backup written: {info.describe()}")
    if info.problems:
        print(
            "WARNING: the records have problems (the backup holds what there is):", file=sys.stderr
        )
        for problem in info.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def restore_command(settings: Settings, archive: Path, force: bool = False) -> int:
    """`retiscreen restore FILE [--force]` into the data folder from ``settings``."""
    root = settings.storage.root
    try:
        info = restore_backup(archive, root, force=force)
    except BackupError as exc:
        print(f"retiscreen restore: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Restored into {root}: {info.describe()}")
    return EXIT_OK


def verify_command(archive: Path) -> int:
    try:
        info = verify_backup(archive)
    except BackupError as exc:
        print(f"retiscreen backup: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Backup OK: {info.describe()}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="settings file (TOML)")
    common.add_argument("--data-dir", type=Path, help="the data folder (default: from settings)")
    parser = argparse.ArgumentParser(
        prog="retiscreen-backup",
        description="Back up, verify or restore RetiScreen records (database, photographs, "
        "reports).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    backup = sub.add_parser("backup", parents=[common], help="write a backup archive (.tar.gz)")
    backup.add_argument("--to", type=Path, required=True, metavar="FILE")
    verify = sub.add_parser("verify", help="check an archive against its manifest")
    verify.add_argument("archive", type=Path)
    restore = sub.add_parser(
        "restore", parents=[common], help="restore an archive into the data folder"
    )
    restore.add_argument("archive", type=Path)
    restore.add_argument(
        "--force",
        action="store_true",
        help="move existing records aside (never deleted) and restore",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """`backup --to FILE`, `verify FILE` or `restore FILE [--force]` (the first and last
    also take --config and --data-dir)."""
    args = build_parser().parse_args(argv)
    if args.command == "verify":
        return verify_command(args.archive)
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"retiscreen-backup: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.data_dir:
        settings = replace(settings, storage=replace(settings.storage, data_dir=str(args.data_dir)))
    if args.command == "backup":
        return backup_command(settings, args.to)
    return restore_command(settings, args.archive, args.force)


if __name__ == "__main__":
    sys.exit(main())
