"""Write transactions that take the write lock up front and undo their files on rollback.

Why ``BEGIN IMMEDIATE``: a deferred transaction only asks for the write lock at its
first write, so a busy database would fail half-way through a save. Taking the lock
first makes a busy database fail cleanly before anything is written, and stops two
savers from interleaving.

Why files are undone only on a *certain* rollback: files are written before the rows
that reference them. If the transaction rolled back, those files are unreferenced and
are removed. If COMMIT or ROLLBACK itself failed, the outcome on disk is unknown, so
the files stay: an unreferenced file is harmless, a referenced file deleted would be a
lost record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from retiscreen.store import driver
from retiscreen.store.files import atomic_write, make_directory


class TransactionFiles:
    """Files written for one transaction, removed again if it certainly rolled back."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def on_rollback(self, action: Callable[[], None]) -> None:
        """Run ``action`` (e.g. ``path.unlink``) should the transaction roll back."""
        self._undo.append(action)

    def make_directory(self, directory: Path, *, what: str) -> None:
        """Create ``directory`` durably; a folder that was new goes again on rollback."""
        existed = directory.exists()
        make_directory(directory, what=what)
        if not existed:
            self.on_rollback(directory.rmdir)

    def write(self, path: Path, data: bytes, *, what: str) -> None:
        """Write ``path`` atomically and durably; it is deleted again on rollback."""
        atomic_write(path, data, what=what)
        self.on_rollback(path.unlink)

    def roll_back(self) -> None:
        """Reverse the file operations, newest first; a file already gone is fine."""
        for action in reversed(self._undo):
            with suppress(OSError):
                action()


@contextmanager
def immediate_transaction(conn: driver.Connection) -> Iterator[TransactionFiles]:
    """One transaction holding the write lock from its start (``conn`` in autocommit).

    Commits when the block ends normally. On an error before COMMIT is attempted the
    transaction is rolled back and, if that certainly happened, the files written
    through the yielded :class:`TransactionFiles` are removed. The error is always
    re-raised unchanged.
    """
    conn.execute("BEGIN IMMEDIATE")
    files = TransactionFiles()
    try:
        yield files
    except BaseException:
        if _roll_back(conn):
            files.roll_back()
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        _roll_back(conn)  # outcome unknown either way: files stay
        raise


def _roll_back(conn: driver.Connection) -> bool:
    """Roll back an open transaction; False when the outcome is unknown."""
    if not conn.in_transaction:
        return True
    try:
        conn.execute("ROLLBACK")
    except driver.Error:
        return False
    return True
