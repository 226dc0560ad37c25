"""Small secret keys kept in the data folder, outside the database: the report
verification secret and the audit trail's head key.

Why a file each, created once and never overwritten: a replaced key would make every
earlier report code or audit head unverifiable; so creation is atomic (written and
synced to a private temporary file, then hard-linked into place) and a concurrent
creator or a crash can never leave a half-written or replaced key. Back them up with
the database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    """Read the site secret, creating it (32 random bytes, mode 0600) if it is missing.

    Creation is atomic and never overwrites: the bytes are written and synced to a
    private temporary file which is then hard-linked into place, so a concurrent
    creator or a crash can never leave a half-written or replaced secret.
    """
    path = Path(path)
    if path.exists():
        return _read_secret(path)
    return create_secret(path, secrets.token_bytes(SECRET_BYTES))


def create_secret(path: Path, secret: bytes) -> bytes:
    """Write ``secret`` to ``path`` unless it exists (atomic, 0600, synced); returns the
    secret that is at ``path`` afterwards (another creator's, if it won a race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _key_mode(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(secret)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_secret(path)  # another process won the race: use its secret
        except OSError:
            # Filesystem without hard links: exclusive create still never overwrites.
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                return _read_secret(path)
            with os.fdopen(fd2, "wb") as handle:
                handle.write(secret)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_dir(path.parent)
    return secret


def _key_mode(folder: Path) -> int:
    """Owner only; owner and the ``retiscreen`` group in a group-shared data folder,
    where the administrators' command line must open the records too."""
    from retiscreen.permissions import GROUP_SHARED, umask_for

    return 0o640 if umask_for(folder) == GROUP_SHARED else 0o600


def _read_secret(path: Path) -> bytes:
    data = path.read_bytes()
    if len(data) < SECRET_BYTES:
        raise ValueError(
            f"the secret key {path} is damaged ({len(data)} bytes, "
            f"expected {SECRET_BYTES}); restore it from the backup"
        )
    return data


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


RECORDS_KEY_FILENAME = "records.key"
RECORDS_CREDENTIAL = "retiscreen-records-key"
"""The systemd credential name: with ``LoadCredentialEncrypted=`` the key is sealed
(by the TPM where there is one) and never lies on disk in the clear."""


def records_key_path(root: Path) -> Path:
    """Where the database key is: the service's systemd credential when it has one, else
    ``records.key`` in the data folder (owner-only, never in a backup archive)."""
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / RECORDS_CREDENTIAL).is_file():
        return Path(credentials) / RECORDS_CREDENTIAL
    return Path(root) / RECORDS_KEY_FILENAME


def records_key(root: Path) -> bytes:
    """The key that encrypts the records database, created with the database."""
    return load_or_create_secret(records_key_path(root))


def existing_records_key(root: Path) -> bytes | None:
    """The records key if this data folder has one (never creates it)."""
    path = records_key_path(root)
    return load_or_create_secret(path) if path.exists() else None
