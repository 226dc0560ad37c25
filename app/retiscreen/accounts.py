"""Who may do what: accounts with a role and a PIN, and the rules their PINs must meet.

Roles (the security issue): an *operator* screens; a *reviewer* also over-reads and
amends results; an *admin* also manages accounts, settings, restores, keys and model
installs. Every role may screen. PINs are hashed with Argon2id (``argon2-cffi``, its
RFC 9106 parameters: 64 MiB, 3 passes), so a stolen database does not give up a 6-digit
PIN in seconds; accounts that can change records or settings need at least 6 digits.
Failed attempts and lockouts live in the database (:mod:`retiscreen.store.accounts`),
so restarting the kiosk does not reset them.

PINs from the operator file of earlier versions (PBKDF2-SHA256) are still accepted and
replaced by an Argon2id hash at their next successful sign-in.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from retiscreen.errors import StorageError

if TYPE_CHECKING:
    from retiscreen.store.accounts import AccountTable

_HASHER = PasswordHasher()
LEGACY_PREFIX = "pbkdf2_sha256$"


class Role(enum.StrEnum):
    OPERATOR = "operator"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def min_pin_digits(self) -> int:
        return 4 if self is Role.OPERATOR else 6

    def may(self, needed: Role) -> bool:
        """Whether this role covers ``needed`` (admin ⊇ reviewer ⊇ operator)."""
        order = (Role.OPERATOR, Role.REVIEWER, Role.ADMIN)
        return order.index(self) >= order.index(needed)


MAX_PIN_DIGITS = 12


def pin_problem(role: Role, pin: str) -> str | None:
    """Why ``pin`` is not acceptable for ``role``, in words for the person typing it."""
    low = role.min_pin_digits
    if not pin.isdigit() or not low <= len(pin) <= MAX_PIN_DIGITS:
        return f"The PIN must be {low} to {MAX_PIN_DIGITS} digits."
    if len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876":
        return "Choose a PIN that is not one digit repeated or a run like 123456."
    return None


def hash_pin(pin: str) -> str:
    """An Argon2id hash (salt and parameters inside the string)."""
    return _HASHER.hash(pin)


def pin_matches(stored: str, pin: str) -> bool:
    """Whether ``pin`` is the one ``stored`` was made from (Argon2id, or a legacy hash)."""
    if stored.startswith(LEGACY_PREFIX):
        _, iterations, salt, digest = stored.split("$")
        again = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(iterations))
        return hmac.compare_digest(again.hex(), digest)
    try:
        return _HASHER.verify(stored, pin)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """A legacy hash, or Argon2id with weaker parameters than today's."""
    return stored.startswith(LEGACY_PREFIX) or _HASHER.check_needs_rehash(stored)


def legacy_hash(salt_hex: str, digest_hex: str, iterations: int) -> str:
    """An earlier version's operator-file record, in the form :func:`pin_matches` reads."""
    return f"{LEGACY_PREFIX}{iterations}${salt_hex}${digest_hex}"


def waste_time(pin: str) -> None:
    """Hash anyway for an unknown name, so timing does not tell which names exist."""
    _HASHER.hash(pin)


class AccountError(Exception):
    """An account could not be added, removed or changed; ``str()`` says why."""


@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in attempt."""

    ok: bool
    role: Role | None = None
    locked_until: datetime | None = None
    """Set when the account is locked (by this attempt or before): try after this."""


DEMO_OPERATOR = ("nurse", "1234")
"""Only in demo mode, and never written to the database."""


class AccountBook:
    """Sign-in and account management over the store's accounts table.

    Every attempt, right or wrong, is audited; a locked account is refused without
    looking at the PIN, so guessing during a lockout gains nothing."""

    def __init__(self, store: AccountTable, demo: bool = False) -> None:
        self.store = store
        self._demo = {DEMO_OPERATOR[0]: hash_pin(DEMO_OPERATOR[1])} if demo else {}

    def names(self, role: Role | None = None) -> list[str]:
        """Accounts whose role covers ``role`` (all when None), demo operator included."""
        names = [a.name for a in self.store.accounts() if role is None or Role(a.role).may(role)]
        if role in (None, Role.OPERATOR):
            names += [n for n in self._demo if n not in names]
        return sorted(names, key=str.lower)

    def has_admin(self) -> bool:
        return any(a.role == Role.ADMIN for a in self.store.accounts())

    def sign_in(self, name: str, pin: str, needed: Role = Role.OPERATOR) -> SignIn:
        """Check ``name``'s PIN for a task that needs ``needed``; records the outcome."""
        if name in self._demo and needed is Role.OPERATOR:
            ok = pin_matches(self._demo[name], pin)
            if ok:
                self.store.record_sign_in(name, Role.OPERATOR.value)
            else:
                self.store.record_failed_sign_in(name, known=False)
            return SignIn(ok, Role.OPERATOR)
        account = self.store.account(name)
        if account is not None and account.locked():
            return SignIn(False, locked_until=account.locked_until)
        if account is None or not Role(account.role).may(needed):
            waste_time(pin)
            self.store.record_failed_sign_in(name, known=False)
            return SignIn(False)
        if not pin_matches(account.pin_hash, pin):
            return SignIn(False, locked_until=self.store.record_failed_sign_in(name, known=True))
        if needs_rehash(account.pin_hash):
            self.store.set_pin_hash(name, hash_pin(pin), by=name, event="pin_rehashed")
        self.store.record_sign_in(name, account.role)
        return SignIn(True, Role(account.role))

    def add(self, name: str, role: Role, pin: str, by: str) -> str:
        """A new account; returns the name as saved (spaces tidied)."""
        name = " ".join(name.split())
        if not name:
            raise AccountError("Type the person's name.")
        if problem := pin_problem(role, pin):
            raise AccountError(problem)
        try:
            self.store.add_account(name, role.value, hash_pin(pin), by)
        except StorageError as exc:
            raise AccountError(str(exc)) from exc
        return name

    def remove(self, name: str, by: str) -> None:
        try:
            self.store.remove_account(name, by)
        except StorageError as exc:
            raise AccountError(str(exc)) from exc

    def change_pin(self, name: str, pin: str, by: str) -> None:
        account = self.store.account(name)
        if account is None:
            raise AccountError(f"There is no account named {name}.")
        if problem := pin_problem(Role(account.role), pin):
            raise AccountError(problem)
        self.store.set_pin_hash(name, hash_pin(pin), by)

    def import_operator_file(self, data_dir: Path) -> int:
        """Accounts from an earlier version's ``operators.json`` (PBKDF2 hashes, kept until
        each operator's next sign-in); the file is renamed, never deleted. Returns how
        many were imported."""
        path = data_dir / LEGACY_OPERATOR_FILE
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return 0
        except (OSError, ValueError) as exc:
            raise AccountError(
                f"The operator list of an earlier version cannot be read ({exc}); repair "
                "or remove it, then start again."
            ) from exc
        existing = {a.name.lower() for a in self.store.accounts()}
        imported = 0
        for item in document.get("operators", []):
            name = str(item["name"])
            if name.lower() in existing:
                continue
            stored = legacy_hash(str(item["salt"]), str(item["digest"]), int(item["iterations"]))
            self.store.add_account(name, Role.OPERATOR.value, stored, by="import")
            imported += 1
        path.rename(path.with_name(path.name + ".imported"))
        return imported


LEGACY_OPERATOR_FILE = "operators.json"
