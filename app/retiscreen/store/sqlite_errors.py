"""SQLite failures in words an operator can act on, as :class:`StorageError`.

Why translate at all: the kiosk operator is not a database administrator. "database
is locked" or "disk I/O error" says nothing about what to do, and never says whether
the screening was saved. Every message here names what did NOT happen (``failure``)
and the next step, and carries a ``reason`` tag so callers can offer "try again" only
where it helps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from retiscreen.store import driver
from retiscreen.store.files import StorageError, storage_error_from_os

# SQLite primary result codes (extended codes carry them in the low byte).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_CONSTRAINT, _SQLITE_NOTADB = 19, 26


def storage_error_from_sqlite(exc: driver.Error, failure: str) -> StorageError:
    """Translate an SQLite error into words; ``failure`` says what did not happen."""
    raw_code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc)
    if raw_code is None:  # raised by the driver, not by SQLite: judge by the words
        code = _SQLITE_BUSY if "database is locked" in text else -1
    else:
        code = int(raw_code) & 0xFF
    if code in {_SQLITE_BUSY, _SQLITE_LOCKED}:
        return StorageError(
            "The records database is busy/locked by another program: "
            f"{failure}. Nothing already saved was lost. Wait a moment and try again; "
            "if this keeps happening, call IT.",
            reason="busy",
        )
    if code == _SQLITE_FULL:
        return StorageError(
            f"The disk is full: {failure}. Free space or call IT.", reason="disk_full"
        )
    if code in {_SQLITE_CORRUPT, _SQLITE_NOTADB}:
        return StorageError(
            f"The records database is damaged or is not a RetiScreen database ({text}): "
            f"{failure}. Stop screening, restore the last backup (retiscreen restore) and "
            "call IT.",
            reason="corrupt",
        )
    if code == _SQLITE_READONLY:
        return StorageError(
            f"The records database is read-only ({text}): {failure}. Call IT.", reason="io"
        )
    if code == _SQLITE_CANTOPEN:
        return StorageError(
            f"The records database cannot be opened ({text}); is the data disk "
            f"connected? {failure[:1].upper() + failure[1:]}. Call IT.",
            reason="io",
        )
    if code == _SQLITE_IOERR:
        return StorageError(
            f"The disk reported an error while using the records database ({text}): "
            f"{failure}. Call IT.",
            reason="io",
        )
    if code == _SQLITE_CONSTRAINT or isinstance(exc, driver.IntegrityError):
        return StorageError(
            f"The record was refused by a database safety check ({text}): {failure}.",
            reason="constraint",
        )
    return StorageError(f"Database error ({text}): {failure}. Call IT.", reason="io")


@contextmanager
def translate_errors(failure: str) -> Iterator[None]:
    """Re-raise SQLite and OS errors in the block as StorageError saying ``failure``."""
    try:
        yield
    except driver.Error as exc:
        raise storage_error_from_sqlite(exc, failure) from exc
    except OSError as exc:
        raise storage_error_from_os(exc, failure) from exc
