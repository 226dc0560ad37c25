"""The accounts table: names, roles, PIN hashes, failed attempts and lockouts.

Why in the database and not a file beside it: a lockout must survive a restart (pulling
the plug must not buy an attacker five more guesses), every change is audited in the
same transaction, and the accounts are backed up with the records. Hashing and the PIN
rules are :mod:`retiscreen.accounts`; this module only keeps what they decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from retiscreen.store.audit import record_event
from retiscreen.store.connection import StoreConnection
from retiscreen.store.files import StorageError
from retiscreen.store.values import utc_now

MAX_FAILURES = 5
"""Wrong PINs in a row before the account locks."""
FIRST_LOCKOUT_S = 30.0
LONGEST_LOCKOUT_S = 900.0
"""Each lockout in a row lasts twice the one before: 30 s, 1 min, 2 min ... 15 min."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    pin_hash: str
    failed_attempts: int
    locked_until: datetime | None

    def locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or datetime.now(UTC))


def lockout_after(lockouts: int) -> timedelta:
    """How long the ``lockouts``-th lockout in a row lasts."""
    return timedelta(seconds=min(LONGEST_LOCKOUT_S, FIRST_LOCKOUT_S * 2 ** max(0, lockouts - 1)))


class AccountTable(StoreConnection):
    """The accounts of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def accounts(self) -> list[Account]:
        """Every account, by name (case-insensitive)."""
        rows = self._rows(
            "SELECT name, role, pin_hash, failed_attempts, locked_until FROM accounts"
            " ORDER BY lower(name)"
        )
        return [_account(row) for row in rows]

    def account(self, name: str) -> Account | None:
        rows = self._rows(
            "SELECT name, role, pin_hash, failed_attempts, locked_until FROM accounts"
            " WHERE name = ?",
            [name],
        )
        return _account(rows[0]) if rows else None

    def add_account(self, name: str, role: str, pin_hash: str, by: str) -> None:
        """A new account (audited); StorageError ``duplicate`` if the name is taken."""
        with self._write(f"the account {name!r} was NOT added"):
            if self._exists("SELECT 1 FROM accounts WHERE lower(name) = lower(?)", [name]):
                raise StorageError(f"An account named {name} already exists.", reason="duplicate")
            now = utc_now()
            self._db.execute(
                "INSERT INTO accounts (name, role, pin_hash, created_at, changed_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [name, role, pin_hash, now, now],
            )
            record_event(self._db, "account_added", None, by, {"name": name, "role": role})

    def remove_account(self, name: str, by: str) -> None:
        """Remove an account (audited); the last administrator cannot be removed."""
        with self._write(f"the account {name!r} was NOT removed"):
            row = self._conn.execute("SELECT role FROM accounts WHERE name = ?", [name]).fetchone()
            if row is None:
                raise StorageError(f"There is no account named {name}.", reason="not_found")
            admins = self._conn.execute(
                "SELECT count(*) FROM accounts WHERE role = 'admin'"
            ).fetchone()[0]
            if row[0] == "admin" and admins == 1:
                raise StorageError(
                    "This is the only administrator: add another administrator first.",
                    reason="invalid",
                )
            self._db.execute("DELETE FROM accounts WHERE name = ?", [name])
            record_event(self._db, "account_removed", None, by, {"name": name, "role": row[0]})

    def set_pin_hash(self, name: str, pin_hash: str, by: str, event: str = "pin_changed") -> None:
        """A new PIN hash (audited as ``event``); failures and lockout are cleared."""
        with self._write(f"the PIN of {name!r} was NOT changed"):
            cursor = self._db.execute(
                "UPDATE accounts SET pin_hash = ?, changed_at = ?, failed_attempts = 0,"
                " lockouts = 0, locked_until = NULL WHERE name = ?",
                [pin_hash, utc_now(), name],
            )
            if cursor.rowcount == 0:
                raise StorageError(f"There is no account named {name}.", reason="not_found")
            record_event(self._db, event, None, by, {"name": name})

    def record_sign_in(self, name: str, role: str) -> None:
        """A successful sign-in: the count of failures starts again (audited)."""
        with self._write("the sign-in was NOT recorded"):
            self._db.execute(
                "UPDATE accounts SET failed_attempts = 0, lockouts = 0, locked_until = NULL"
                " WHERE name = ?",
                [name],
            )
            record_event(self._db, "signed_in", None, name, {"role": role})

    def record_failed_sign_in(self, name: str, known: bool) -> datetime | None:
        """A wrong PIN (audited); the moment the account is locked until, when this
        failure locked it. ``known=False``: a name with no account (audited only)."""
        with self._write("the failed sign-in was NOT recorded"):
            if not known:
                record_event(self._db, "sign_in_failed", None, None, {"known_account": False})
                return None
            failures, lockouts = self._conn.execute(
                "SELECT failed_attempts + 1, lockouts FROM accounts WHERE name = ?", [name]
            ).fetchone()
            until = None
            if failures >= MAX_FAILURES:
                lockouts += 1
                until = datetime.now(UTC) + lockout_after(lockouts)
                failures = 0
            self._db.execute(
                "UPDATE accounts SET failed_attempts = ?, lockouts = ?,"
                " locked_until = coalesce(?, locked_until) WHERE name = ?",
                [failures, lockouts, until.isoformat() if until else None, name],
            )
            record_event(self._db, "sign_in_failed", None, name, {"known_account": True})
            if until is not None:
                record_event(self._db, "account_locked", None, name, {"until": until.isoformat()})
            return until


def _account(row: dict[str, object]) -> Account:
    until = row["locked_until"]
    return Account(
        str(row["name"]),
        str(row["role"]),
        str(row["pin_hash"]),
        int(row["failed_attempts"]),  # type: ignore[call-overload]
        datetime.fromisoformat(str(until)) if until else None,
    )
