"""A self-test of the records for start-up or for IT: is everything still consistent?

Why check files too: SQLite can vouch for its own pages, but a photograph or report
lives next to the database, where a disk error, a restore from an old backup or a
well-meant "tidy up" can change or remove it. Every stored file is therefore read back
and compared with the sha256 recorded when it was saved.
"""

from __future__ import annotations

from retiscreen.store.connection import StoreConnection
from retiscreen.store.files import StorageError
from retiscreen.store.sqlite_errors import translate_errors
from retiscreen.store.values import sha256_hex


class IntegrityCheck(StoreConnection):
    """The consistency check of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def quick_check(self) -> list[str]:
        """SQLite's quick check of every page (seconds even for years of records); empty
        when the database is sound. Run before trusting the file with a new screening."""
        with self._lock, translate_errors("the database check could not run"):
            result = [str(r[0]) for r in self._conn.execute("PRAGMA quick_check")]
        return [] if result == ["ok"] else [f"database: {line}" for line in result]

    def integrity_problems(self) -> list[str]:
        """A self-test for start-up or an IT check; empty when everything is consistent.

        Runs SQLite's integrity and foreign-key checks and verifies that every stored
        photograph and report exists with its recorded sha256.
        """
        problems: list[str] = []
        with self._lock, translate_errors("the integrity check could not run"):
            result = [str(r[0]) for r in self._conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems.extend(f"database: {line}" for line in result)
            problems.extend(
                f"foreign key: {row[0]} row {row[1]} -> {row[2]}"
                for row in self._conn.execute("PRAGMA foreign_key_check")
            )
            files = self._conn.execute(
                "SELECT stored_file, sha256 FROM eye_images WHERE stored_file IS NOT NULL"
                " UNION SELECT stored_file, sha256 FROM field_images"
                " WHERE stored_file IS NOT NULL"
                " UNION ALL SELECT file, sha256 FROM reports"
            ).fetchall()
        for relative, digest in files:
            try:
                data = self._read_stored(str(relative), str(relative))
            except StorageError as exc:
                problems.append(f"{relative}: {exc}")
                continue
            if sha256_hex(data) != digest:
                problems.append(f"{relative}: sha256 mismatch")
        return problems
