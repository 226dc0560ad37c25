"""Accounts: Argon2id PIN hashes, PIN rules per role, lockouts that survive a restart,
roles that cover each other, the last administrator kept, an earlier version's operator
file imported (and its hashes replaced at the next sign-in). A real SQLite store."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retiscreen.accounts import AccountBook, AccountError, Role, pin_problem
from retiscreen.store import ScreeningStore
from retiscreen.store.accounts import MAX_FAILURES, lockout_after
from tests.support.records import records_db


@pytest.fixture
def book(store: ScreeningStore) -> AccountBook:
    return AccountBook(store)


def test_pins_are_stored_as_argon2id_and_checked(book: AccountBook, tmp_path: Path) -> None:
    assert book.add("  Ana   Pérez ", Role.OPERATOR, "4821", by="test") == "Ana Pérez"
    with records_db(tmp_path / "data" / "retiscreen.db") as db:
        (stored,) = db.execute("SELECT pin_hash FROM accounts").fetchone()
    assert stored.startswith("$argon2id$") and "4821" not in stored
    assert book.sign_in("Ana Pérez", "4821").ok
    assert not book.sign_in("Ana Pérez", "1234").ok
    assert not book.sign_in("Nobody", "4821").ok
    with pytest.raises(AccountError, match="already exists"):
        book.add("ana pérez", Role.OPERATOR, "9176", by="test")


@pytest.mark.parametrize(
    ("role", "pin", "ok"),
    [
        (Role.OPERATOR, "4821", True),
        (Role.OPERATOR, "482", False),
        (Role.REVIEWER, "48213", False),
        (Role.REVIEWER, "482139", True),
        (Role.ADMIN, "482139", True),
        (Role.ADMIN, "123456", False),  # a run
        (Role.ADMIN, "000000", False),  # one digit repeated
        (Role.ADMIN, "48213a", False),
        (Role.ADMIN, "4" * 13, False),
    ],
)
def test_pin_rules_per_role(role: Role, pin: str, ok: bool) -> None:
    assert (pin_problem(role, pin) is None) is ok


def test_roles_cover_each_other(book: AccountBook) -> None:
    book.add("Op", Role.OPERATOR, "4821", by="test")
    book.add("Rev", Role.REVIEWER, "482139", by="test")
    book.add("Boss", Role.ADMIN, "739215", by="test")
    assert book.names(Role.ADMIN) == ["Boss"]
    assert book.names(Role.REVIEWER) == ["Boss", "Rev"]
    assert book.names() == ["Boss", "Op", "Rev"]
    assert not book.sign_in("Op", "4821", Role.ADMIN).ok  # the right PIN, the wrong role
    assert book.sign_in("Boss", "739215", Role.OPERATOR).ok


def test_a_lockout_survives_a_restart_and_grows(tmp_path: Path) -> None:
    root = tmp_path / "data"
    with ScreeningStore(root) as store:
        AccountBook(store).add("Boss", Role.ADMIN, "739215", by="test")
        for attempt in range(1, MAX_FAILURES + 1):
            outcome = AccountBook(store).sign_in("Boss", "111111", Role.ADMIN)
            assert not outcome.ok and (outcome.locked_until is not None) == (
                attempt == MAX_FAILURES
            )
    with ScreeningStore(root) as store:  # the kiosk restarted
        refused = AccountBook(store).sign_in("Boss", "739215", Role.ADMIN)
        assert not refused.ok and refused.locked_until is not None
        assert refused.locked_until > datetime.now(UTC)
        events = [e["event"] for e in store.audit_events()]
    assert events.count("sign_in_failed") == MAX_FAILURES and "account_locked" in events
    assert "signed_in" not in events
    assert lockout_after(1).total_seconds() == 30 and lockout_after(2) == 2 * lockout_after(1)
    assert lockout_after(20).total_seconds() == 900


def test_the_last_administrator_stays(book: AccountBook) -> None:
    book.add("Boss", Role.ADMIN, "739215", by="test")
    with pytest.raises(AccountError, match="only administrator"):
        book.remove("Boss", by="test")
    book.add("Deputy", Role.ADMIN, "582913", by="test")
    book.remove("Boss", by="test")
    assert book.names() == ["Deputy"] and book.has_admin()


def test_a_new_pin_lifts_the_lockout(book: AccountBook) -> None:
    book.add("Op", Role.OPERATOR, "4821", by="test")
    for _ in range(MAX_FAILURES):
        book.sign_in("Op", "0000")
    assert not book.sign_in("Op", "4821").ok
    book.change_pin("Op", "5932", by="admin")
    assert book.sign_in("Op", "5932").ok
    with pytest.raises(AccountError, match="digits"):
        book.change_pin("Op", "12", by="admin")


def test_an_earlier_versions_operator_file_is_imported_and_rehashed(
    store: ScreeningStore, tmp_path: Path
) -> None:
    salt = bytes(range(16))
    digest = hashlib.pbkdf2_hmac("sha256", b"4821", salt, 120_000).hex()
    record = {"name": "Ana", "salt": salt.hex(), "digest": digest, "iterations": 120_000}
    legacy = tmp_path / "data" / "operators.json"
    legacy.write_text(json.dumps({"operators": [record]}))
    book = AccountBook(store)
    assert book.import_operator_file(tmp_path / "data") == 1
    assert not legacy.exists() and legacy.with_name("operators.json.imported").exists()
    assert store.account("Ana").pin_hash.startswith("pbkdf2_sha256$")  # type: ignore[union-attr]
    assert not book.sign_in("Ana", "1234").ok
    assert book.sign_in("Ana", "4821").ok
    assert store.account("Ana").pin_hash.startswith("$argon2id$")  # type: ignore[union-attr]
    assert book.sign_in("Ana", "4821").ok
    assert book.import_operator_file(tmp_path / "data") == 0


def test_a_damaged_operator_file_is_reported_and_kept(
    store: ScreeningStore, tmp_path: Path
) -> None:
    legacy = tmp_path / "data" / "operators.json"
    legacy.write_text('{"operators": [{"name": "Ana"')
    with pytest.raises(AccountError, match="cannot be read"):
        AccountBook(store).import_operator_file(tmp_path / "data")
    assert legacy.read_text() == '{"operators": [{"name": "Ana"'
    assert store.accounts() == []


def test_the_demo_operator_exists_only_in_demo_mode(store: ScreeningStore) -> None:
    assert AccountBook(store).names() == []
    demo = AccountBook(store, demo=True)
    assert demo.names() == ["nurse"] and demo.sign_in("nurse", "1234").ok
    assert not demo.sign_in("nurse", "1234", Role.ADMIN).ok
    assert store.accounts() == []
