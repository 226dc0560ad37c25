"""Who may restore a backup: an administrator, proven by name and PIN.

Why restore needs more than a shell account: a restore replaces every record on the
kiosk (the old ones are moved aside, not deleted, but the kiosk then shows the backup's).
So the person restoring signs in as an administrator of the records being replaced;
when those cannot be read (a new machine, a lost key) or have no administrator, as an
administrator of the backup itself, whose key they hold. Only when neither has one (a
backup from before accounts) does the operating system's root account suffice.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from retiscreen.accounts import AccountBook, Role, pin_matches, waste_time
from retiscreen.errors import BackupError, StorageError
from retiscreen.store import driver

Authorize = Callable[[Path, bytes | None], None]


def restore_authority(
    open_current: Callable[[], AccountBook | None], name: str, pin: str
) -> Authorize:
    """Check ``name``/``pin`` against the current records' administrators now (when
    ``open_current`` gives readable records that have one), else return a check of the
    backup's own administrators, run once the backup is verified."""
    try:
        book = open_current()
    except StorageError:
        book = None  # unreadable records (e.g. a lost key): the backup's admins decide
    if book is not None and book.has_admin():
        answer = book.sign_in(name, pin, Role.ADMIN)
        if not answer.ok:
            locked = answer.locked_until
            raise BackupError(
                f"{name} is locked until {locked:%H:%M} after repeated wrong PINs; nothing "
                "was restored"
                if locked
                else "that is not an administrator's name and PIN; nothing was restored"
            )
        return lambda _db, _key: None
    return lambda db, key: _check_backup_admin(db, key, name, pin)


def _check_backup_admin(db: Path, key: bytes | None, name: str, pin: str) -> None:
    """Whether ``name``/``pin`` is an administrator in the backup's database."""
    conn = driver.connect(f"{db.resolve().as_uri()}?mode=ro", key, uri=True)
    try:
        admins = dict(
            conn.execute("SELECT name, pin_hash FROM accounts WHERE role = 'admin'").fetchall()
        )
    except driver.OperationalError:  # a backup from before accounts (schema < 8)
        admins = {}
    finally:
        conn.close()
    if not admins:
        if os.name == "posix" and os.geteuid() == 0:
            return
        raise BackupError(
            "neither these records nor the backup have an administrator account, so only "
            "root may restore it; nothing was restored"
        )
    stored = admins.get(name)
    if stored is None:
        waste_time(pin)
    if stored is None or not pin_matches(stored, pin):
        raise BackupError(
            "that is not the name and PIN of one of the backup's administrators; nothing "
            "was restored"
        )
