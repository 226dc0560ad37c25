"""Report IDs, verification codes and the site secret."""

from __future__ import annotations

import os
import re
import stat
import threading
from pathlib import Path

import pytest

from retiscreen.keyfiles import SECRET_BYTES, load_or_create_secret
from retiscreen.report.verification import (
    check_verification_code,
    new_report_id,
    normalise_code,
    parse_qr_payload,
    qr_payload,
    verification_code,
)

SECRET = bytes(range(32))
FIELDS = ("c0ffee" * 5 + "ab", "scr-1", "MRN-7", "Refer to an eye specialist")
CODE_SHAPE = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2}$")


def test_report_ids_are_unique_hex_and_short() -> None:
    ids = {new_report_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{32}", report_id) for report_id in ids)


def test_code_shape_and_determinism() -> None:
    code = verification_code(SECRET, *FIELDS)
    assert CODE_SHAPE.match(code), code
    assert verification_code(SECRET, *FIELDS) == code


def test_known_answer() -> None:
    """Pinned so that a refactor cannot silently invalidate every printed report."""
    assert verification_code(b"k" * 32, "r", "s", "p", "h") == "JIGI-I33O-3G"


@pytest.mark.parametrize("index", range(4))
def test_any_edited_field_changes_the_code(index: int) -> None:
    edited = list(FIELDS)
    edited[index] += "x"
    assert verification_code(SECRET, *edited) != verification_code(SECRET, *FIELDS)
    assert not check_verification_code(SECRET, verification_code(SECRET, *FIELDS), *edited)


def test_fields_cannot_be_shifted_across_boundaries() -> None:
    assert verification_code(SECRET, "ab", "c", "d", "e") != verification_code(
        SECRET, "a", "bc", "d", "e"
    )


def test_other_secret_other_code() -> None:
    assert verification_code(b"\x01" * 32, *FIELDS) != verification_code(SECRET, *FIELDS)


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        verification_code(b"", *FIELDS)


def test_check_accepts_what_a_person_types() -> None:
    code = verification_code(SECRET, *FIELDS)
    assert check_verification_code(SECRET, code, *FIELDS)
    assert check_verification_code(SECRET, f"  {code.lower().replace('-', ' ')} ", *FIELDS)
    assert normalise_code("o1b2-aaaa-aa") == "OIB2-AAAA-AA"
    assert not check_verification_code(SECRET, "AAAA-AAAA-AA", *FIELDS)
    assert not check_verification_code(SECRET, "", *FIELDS)
    assert not check_verification_code(SECRET, "Ü" * 10, *FIELDS)


def test_qr_payload_round_trip() -> None:
    payload = qr_payload("abc123", "ABCD-EFGH-IJ")
    assert payload == "RETISCREEN:abc123:ABCD-EFGH-IJ"
    assert parse_qr_payload(payload) == ("abc123", "ABCD-EFGH-IJ")
    for bad in ["", "RETISCREEN:", "RETISCREEN::X", "OTHER:a:b", "RETISCREEN:a"]:
        with pytest.raises(ValueError):
            parse_qr_payload(bad)


def test_secret_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "report.key"
    secret = load_or_create_secret(path)
    assert len(secret) == SECRET_BYTES
    assert path.read_bytes() == secret
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == secret
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.key"]  # no temp files
    assert load_or_create_secret(tmp_path / "other.key") != secret


def test_secret_private_even_with_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "report.key"
        load_or_create_secret(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_damaged_secret_is_an_error_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "report.key"
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="damaged"):
        load_or_create_secret(path)
    assert path.read_bytes() == b"short"


def test_concurrent_creation_yields_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "report.key"
    results: list[bytes] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        results.append(load_or_create_secret(path))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert len(set(results)) == 1
    assert path.read_bytes() == results[0]
