"""Who may run a screening: operator names with salted, hashed PINs in a small JSON file.

Why a file under the data directory and not the settings TOML: PINs change more often
than settings, the settings file may be managed centrally, and the hashes must never be
shown in an editor next to the clinic name. A PIN is only 4-8 digits, so the hash is
slow (PBKDF2) and the sign-in page also locks after repeated failures. The demo
operator 'nurse' / '1234' exists only in demo mode and is never written to disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from retiscreen.store.files import atomic_write

FILENAME = "operators.json"
ITERATIONS = 120_000
DEMO_OPERATOR = ("nurse", "1234")


class OperatorError(Exception):
    """An operator could not be added or removed; ``str()`` says why."""


@dataclass(frozen=True)
class _Record:
    name: str
    salt: str
    digest: str
    iterations: int


def _hash(pin: str, salt: bytes, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations).hex()


def _record(name: str, pin: str, iterations: int = ITERATIONS) -> _Record:
    salt = secrets.token_bytes(16)
    return _Record(name, salt.hex(), _hash(pin, salt, iterations), iterations)


def valid_pin(pin: str) -> bool:
    return pin.isdigit() and 4 <= len(pin) <= 8


def check_admin_pin(entered: str, admin_pin: str) -> bool:
    """Constant-time comparison with the admin PIN from the settings."""
    return bool(admin_pin) and hmac.compare_digest(entered.encode(), admin_pin.encode())


class OperatorBook:
    """The operators of this kiosk (file ``operators.json`` in the data directory)."""

    def __init__(self, data_dir: Path, demo: bool = False) -> None:
        self.path = Path(data_dir) / FILENAME
        self.problem: str | None = None
        """Why the operator list could not be read (then nothing is written over it)."""
        try:
            self._records = self._load()
        except OperatorError as exc:
            self.problem = str(exc)
            self._records = {}
        self._demo: dict[str, _Record] = {}
        if demo:
            name, pin = DEMO_OPERATOR
            self._demo[name] = _record(name, pin, iterations=1_000)

    def _load(self) -> dict[str, _Record]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise OperatorError(f"The operator list {self.path} cannot be read: {exc}") from exc
        records: dict[str, _Record] = {}
        try:
            for item in document.get("operators", []):
                record = _Record(
                    str(item["name"]),
                    str(item["salt"]),
                    str(item["digest"]),
                    int(item["iterations"]),
                )
                records[record.name] = record
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise OperatorError(f"The operator list {self.path} is damaged ({exc!r}).") from exc
        return records

    def _save(self) -> None:
        if self.problem is not None:
            raise OperatorError(f"{self.problem} Repair or remove the file first.")
        document = {
            "operators": [
                vars(r) for r in sorted(self._records.values(), key=lambda r: r.name.lower())
            ]
        }
        atomic_write(
            self.path,
            json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"),
            what="the operator list",
        )
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)

    def names(self) -> list[str]:
        merged = {**self._demo, **self._records}
        return sorted(merged, key=str.lower)

    def verify(self, name: str, pin: str) -> bool:
        record = self._records.get(name) or self._demo.get(name)
        if record is None:
            _hash(pin, b"timing-equaliser", ITERATIONS)
            return False
        expected = _hash(pin, bytes.fromhex(record.salt), record.iterations)
        return hmac.compare_digest(expected, record.digest)

    def add(self, name: str, pin: str) -> None:
        name = " ".join(name.split())
        if not name:
            raise OperatorError("Type the operator's name.")
        if not valid_pin(pin):
            raise OperatorError("The PIN must be 4 to 8 digits.")
        self._records[name] = _record(name, pin)
        self._save()

    def remove(self, name: str) -> None:
        if name not in self._records:
            raise OperatorError(f"{name} is not a saved operator.")
        del self._records[name]
        self._save()
