"""Photographs and reports are encrypted at rest (store/file_cipher.py): nothing in the
data folder reads in the clear, a file moved or changed is refused, files from before
encryption are sealed on upgrade, and what a person asks for is written in the clear."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.errors import StorageError
from retiscreen.store import ScreeningStore
from retiscreen.store.file_cipher import is_sealed
from tests.support.builders import make_screening
from tests.support.images import DEMO_IMAGE
from tests.support.records import records_db
from tests.support.schema_history import take_back_to

NAME, PATIENT_ID, DOB = "Ottoline Quarrendon", "QX-48213", "1947-09-30"


def _every_file(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_nothing_in_the_data_folder_reads_in_the_clear(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole screening with its report: no file holds the name, the ID, the date of
    birth, a JPEG or a PDF; the export a person asks for does."""
    data = cli_env / "data"
    screen = ["screen", "--patient-id", PATIENT_ID, "--name", NAME, "--dob", DOB]
    assert main([*screen, "--left", str(DEMO_IMAGE), "--skip-right", "prosthesis"]) == 0
    out = capsys.readouterr().out
    assert "kept, encrypted, with the records" in out
    clues = [NAME.encode(), NAME.encode("utf-16-le"), PATIENT_ID.encode(), b"1947-09-30"]
    clues += [b"JFIF", b"%PDF"]
    files = _every_file(data)
    assert any(p.parent.parent.name == "images" for p in files)
    assert any(p.parent.parent.name == "reports" for p in files)
    for path in files:
        content = path.read_bytes()
        assert not [c for c in clues if c in content], path.relative_to(data)

    with ScreeningStore(data) as store:
        (row,) = store.history()
    copy = cli_env / "asked-for.pdf"
    assert main(["export", row["screening_id"], "--format", "pdf", "--out", str(copy)]) == 0
    assert copy.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(copy), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert NAME in text and PATIENT_ID in text


def test_a_photograph_moved_onto_another_record_is_refused(store: ScreeningStore) -> None:
    """Each file is bound to its place: the right eye's file copied over the left's
    (both genuine, same key) does not open as the left eye."""
    store.save_screening(make_screening("S-swap"))
    right, left = (store.root / "images/S-swap" / f"{e}.jpg" for e in ("right", "left"))
    shutil.copyfile(right, left)
    with pytest.raises(StorageError, match="moved from another record") as info:
        store.load_screening("S-swap")
    assert info.value.reason == "corrupt"
    assert any("left.jpg" in problem for problem in store.integrity_problems())


def test_a_changed_byte_in_a_photograph_is_refused(store: ScreeningStore) -> None:
    store.save_screening(make_screening("S-flip"))
    path = store.root / "images/S-flip/right.jpg"
    stored = bytearray(path.read_bytes())
    stored[len(stored) // 2] ^= 0x10
    path.write_bytes(bytes(stored))
    with pytest.raises(StorageError, match="no longer decrypts"):
        store.load_screening("S-flip")


def test_files_from_before_encryption_are_sealed_on_upgrade(tmp_path: Path) -> None:
    """A schema-8 folder keeps its photographs and reports in the clear; the first open
    by this version encrypts them in place, once, and they still read back."""
    root = tmp_path / "data"
    with ScreeningStore(root) as store:
        screening = make_screening("S-old")
        store.save_screening(screening)
        store.add_report("S-old", "R-old", b"%PDF-1.7 old report", "CODE")
    with records_db(root / "retiscreen.db") as conn:
        take_back_to(conn, 8)
    conn.close()
    files = [root / "images/S-old/right.jpg", root / "reports/S-old/R-old.pdf"]
    assert not any(is_sealed(p.read_bytes()) for p in files)
    with ScreeningStore(root) as store:
        assert all(is_sealed(p.read_bytes()) for p in files)
        assert store.read_report("R-old") == b"%PDF-1.7 old report"
        loaded = store.load_screening("S-old")
        assert [e.image.sha256 for e in loaded.eyes if e.image] == [
            e.image.sha256 for e in screening.eyes if e.image
        ]
        assert store.integrity_problems() == []
