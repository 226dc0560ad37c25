"""``retiscreen key rotate``: the records database re-encrypted under a new key.

Why in three steps: the new key is written beside the old one (``records.key.new``)
before the database is re-keyed, and renamed over it only after; a crash in between
leaves a database that one of the two files opens, and opening finishes the job
(:func:`finish_rotation`). The old key is kept as ``records.key.previous``: backups
made before the rotation need it.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from retiscreen.keyfiles import (
    SECRET_BYTES,
    create_secret,
    load_or_create_secret,
    records_key,
    records_key_path,
)
from retiscreen.store import driver
from retiscreen.store.connection import DB_FILENAME
from retiscreen.store.files import StorageError, fsync_directory

log = logging.getLogger(__name__)


def pending_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".new")


def previous_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".previous")


def rotate_records_key(root: Path) -> Path:
    """Re-encrypt the database under a fresh key; returns where the old key was kept.
    Run it with the kiosk stopped (it needs the database to itself)."""
    key_path = records_key_path(root)
    if key_path.parent != Path(root):
        raise StorageError(
            "The records key is a sealed system credential here: rotate it with "
            "systemd-creds and the service's LoadCredentialEncrypted= setting.",
            reason="invalid",
        )
    old = records_key(root)
    new = secrets.token_bytes(SECRET_BYTES)
    pending = pending_path(key_path)
    pending.unlink(missing_ok=True)
    create_secret(pending, new)
    conn = driver.connect(Path(root) / DB_FILENAME, old, isolation_level=None, timeout=5.0)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
    except driver.Error as exc:
        pending.unlink(missing_ok=True)
        raise StorageError(
            f"The records key was NOT changed ({exc}); the database is as it was. "
            "Stop the kiosk and try again.",
            reason="busy" if "locked" in str(exc) else "io",
        ) from exc
    finally:
        conn.close()
    _retire(key_path, pending)
    return previous_path(key_path)


def finish_rotation(root: Path) -> bool:
    """After a rotation that stopped between re-keying and renaming: if the pending key
    opens the database, make it the key. True when that happened."""
    key_path = records_key_path(root)
    pending = pending_path(key_path)
    if not pending.exists():
        return False
    conn = driver.connect(Path(root) / DB_FILENAME, load_or_create_secret(pending))
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except driver.DatabaseError:
        return False
    finally:
        conn.close()
    _retire(key_path, pending)
    log.info("an interrupted key rotation was completed")
    return True


def _retire(key_path: Path, pending: Path) -> None:
    """The current key becomes ``.previous``, the pending one the key."""
    os.replace(key_path, previous_path(key_path))
    os.replace(pending, key_path)
    fsync_directory(key_path.parent)
