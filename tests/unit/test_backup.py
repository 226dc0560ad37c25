"""Backup and restore of a real data folder: real SQLCipher, real encrypted files, a
real sealed tar.gz."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import date
from pathlib import Path

import pytest

from retiscreen.accounts import AccountBook, Role
from retiscreen.backup import (
    BackupError,
    create_backup,
    records_in,
    restore_backup,
    verify_backup,
)
from retiscreen.backup.envelope import OpeningReader, SealingWriter
from retiscreen.cli import main
from retiscreen.domain import FundusField, Laterality, Patient
from retiscreen.drafts import ScreeningDraft, draft_document, draft_from_document
from retiscreen.pipeline import Checked, Pipeline
from retiscreen.store import ScreeningStore, screening_to_dict
from tests.support.builders import fundus_image, good_quality
from tests.support.images import DEMO_IMAGE
from tests.support.records import records_db
from tests.support.tiny_models import TEST_KEYS, write_models

PDF = b"%PDF-1.4\n% a stand-in report\n%%EOF\n"
ADMIN, ADMIN_PIN = "Chief", "582913"


def unsealed(archive: Path, key_file: Path) -> bytes:
    """The tar.gz inside a sealed backup."""
    with archive.open("rb") as raw:
        return OpeningReader(raw, key_file.read_bytes(), archive.name).readall()


def opened_tar(archive: Path, key_file: Path) -> tarfile.TarFile:
    return tarfile.open(fileobj=io.BytesIO(unsealed(archive, key_file)))


def seal(tar_gz: bytes, key_file: Path, target: Path) -> Path:
    """``tar_gz`` sealed as a backup (what someone holding the records key could do)."""
    with target.open("wb") as raw:
        writer = SealingWriter(raw, key_file.read_bytes())
        writer.write(tar_gz)
        writer.close()
    return target


def make_records(root: Path, models: Path, count: int = 2) -> list[str]:
    """Screenings of the demo photograph, each with a report, plus an audit entry."""
    pipeline = Pipeline.from_models_dir(write_models(models), keys=TEST_KEYS)
    ids = []
    with ScreeningStore(root) as store:
        for n in range(count):
            eyes = {Laterality.LEFT: pipeline.assess_eye(Laterality.LEFT, DEMO_IMAGE)}
            patient = Patient(f"P-{n:03d}", f"Patient {n}", date(1950 + n, 1, 2))
            screening = pipeline.screen(patient, eyes, "nurse", "site-a", screening_id=f"S-{n:03d}")
            store.save_screening(screening)
            store.add_report(screening.screening_id, f"R-{n:03d}", PDF + bytes([n]), f"CODE{n}")
            ids.append(screening.screening_id)
        store.audit("test_event", operator="nurse", note="kept")
        AccountBook(store).add(ADMIN, Role.ADMIN, ADMIN_PIN, by="test")
    (root / "report-secret.key").write_bytes(b"s" * 32)
    return ids


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "data"
    return root, make_records(root, tmp_path / "models")


def test_round_trip_restores_every_record(data: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, ids = data
    archive = tmp_path / "out" / "backup.tar.gz"
    archive.parent.mkdir()
    info = create_backup(root, archive)
    assert archive.is_file() and (archive.stat().st_mode & 0o777) == 0o600
    sidecar = archive.with_name("backup.tar.gz.sha256").read_text().split()
    assert sidecar == [info.sha256, "backup.tar.gz"]
    assert info.problems == []
    assert info.manifest["database"]["screenings"] == 2
    assert info.manifest["database"]["integrity"] == "ok"
    names = {f["path"] for f in info.files}
    assert "data/retiscreen.db" in names and "data/report-secret.key" in names
    assert any(n.startswith("data/images/S-000/") for n in names)
    assert "data/reports/S-001/R-001.pdf" in names

    assert "data/records.key" not in names  # the key is kept apart from backups
    target = tmp_path / "restored"
    restored = restore_backup(archive, target, key_file=root / "records.key")
    assert restored.sha256 == info.sha256
    with ScreeningStore(root) as original, ScreeningStore(target) as copy:
        assert copy.integrity_problems() == []
        for sid in ids:
            assert screening_to_dict(copy.load_screening(sid)) == screening_to_dict(
                original.load_screening(sid)
            )
        assert copy.read_report("R-001") == PDF + bytes([1])
        assert [e["event"] for e in copy.audit_events()] == [
            e["event"] for e in original.audit_events()
        ]
    assert (target / "report-secret.key").read_bytes() == b"s" * 32


def test_an_unfinished_screening_comes_back_with_its_photographs(
    data: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ids = data
    draft = ScreeningDraft("nurse", patient=Patient("P-D", "Dee Draft", date(1960, 3, 4)))
    photograph, quality = fundus_image(5), good_quality()
    field = FundusField(190.0, 191.5, 170.25, 0.62, 0.99, 0.97, 0.8)
    checked = Checked(photograph, field, quality, {"load": 3.5})
    draft.eyes[Laterality.RIGHT].record(photograph, quality, None, checked)
    draft.eyes[Laterality.RIGHT].accept()
    kept = draft_document(draft)
    with ScreeningStore(root) as store:
        store.save_draft(draft.draft_id, "nurse", draft.started_at, kept.document, kept.photographs)
    archive = tmp_path / "backup.tar.gz"
    info = create_backup(root, archive)
    assert any(f["path"].startswith(f"data/drafts/{draft.draft_id}/") for f in info.files)
    target = tmp_path / "restored"
    restore_backup(archive, target, key_file=root / "records.key")
    with ScreeningStore(target) as store:
        back = draft_from_document(*store.load_draft(draft.draft_id, "nurse"))
    image = back.eyes[Laterality.RIGHT].image
    assert image is not None and image.sha256 == photograph.sha256
    assert back.eyes[Laterality.RIGHT].accepted and back.next_eye() is Laterality.LEFT


def test_snapshot_is_a_single_file_database(data: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    with opened_tar(archive, root / "records.key") as tar:
        names = tar.getnames()
        assert names[-1] == "manifest.json"
        assert not any(n.endswith(("-wal", "-shm")) for n in names)
        member = tar.extractfile("data/retiscreen.db")
        assert member is not None
        db = root / "snapshot-copy.db"  # beside the key that encrypted it
        db.write_bytes(member.read())
    conn = records_db(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT count(*) FROM screenings").fetchone()[0] == 2


def test_restore_refuses_a_folder_with_records(
    data: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    other = tmp_path / "other"
    make_records(other, tmp_path / "models2", count=1)
    with pytest.raises(BackupError, match="already holds records"):
        restore_backup(archive, other)
    with ScreeningStore(other) as store:  # untouched
        assert store.has_screening("S-000") and not store.has_screening("S-001")


def test_force_moves_old_records_aside(data: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    other = tmp_path / "other"
    make_records(other, tmp_path / "models2", count=1)
    (other / "logs").mkdir()
    (other / "logs" / "retiscreen.log").write_text("log\n")
    old_key = (other / "records.key").read_bytes()
    restore_backup(archive, other, force=True, key_file=root / "records.key")
    with ScreeningStore(other) as store:
        assert store.has_screening("S-001")
    aside = [p for p in other.iterdir() if p.name.startswith("replaced-")]
    assert len(aside) == 1 and (aside[0] / "retiscreen.db").is_file()
    assert (aside[0] / "records.key").read_bytes() == old_key  # with the records it opens
    assert (other / "records.key").read_bytes() == (root / "records.key").read_bytes()
    assert (other / "logs" / "retiscreen.log").read_text() == "log\n"
    assert records_in(other) == [
        "audit-head.json",
        "audit.key",
        "drafts",
        "images",
        "report-secret.key",
        "reports",
        "retiscreen.db",
    ]


def test_empty_folder_and_logs_only_folder_are_restorable(
    data: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    target = tmp_path / "fresh"
    (target / "logs").mkdir(parents=True)
    assert records_in(target) == []
    restore_backup(archive, target, key_file=root / "records.key")
    assert (target / "retiscreen.db").is_file()


def test_damaged_archive_is_refused_before_touching_data(
    data: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    archive.write_bytes(bytes(raw))
    key = root / "records.key"
    with pytest.raises(BackupError, match="damaged or was changed"):
        verify_backup(archive, key.read_bytes())
    archive.with_name("b.tar.gz.sha256").unlink()  # without the checksum beside it:
    target = tmp_path / "t"
    with pytest.raises(BackupError, match="changed, damaged or cut short"):
        restore_backup(archive, target, key_file=key)
    assert records_in(target) == [] and not (target / "records.key").exists()


@pytest.mark.parametrize("where", ["first", "middle", "last", "tag"])
def test_any_changed_byte_is_refused(
    data: tuple[Path, list[str]], tmp_path: Path, where: str
) -> None:
    """Every byte is authenticated: the header, each chunk, the last chunk's tag."""
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    archive.with_name("b.tar.gz.sha256").unlink()
    raw = bytearray(archive.read_bytes())
    index = {"first": 21, "middle": len(raw) // 2, "last": len(raw) - 17, "tag": len(raw) - 1}
    raw[index[where]] ^= 0x01
    archive.write_bytes(bytes(raw))
    with pytest.raises(BackupError, match="changed, damaged or cut short"):
        verify_backup(archive, (root / "records.key").read_bytes())


def test_a_cut_short_or_lengthened_archive_is_refused(
    data: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = data
    key = (root / "records.key").read_bytes()
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    whole = archive.read_bytes()
    for changed in (whole[:-1], whole[: len(whole) // 2], whole + b"x", whole + whole[-100:]):
        cut = tmp_path / "changed.tar.gz"
        cut.write_bytes(changed)
        with pytest.raises(BackupError, match="changed, damaged or cut short"):
            verify_backup(cut, key)


def test_an_archive_of_many_chunks_round_trips_and_a_dropped_chunk_is_refused(
    tmp_path: Path,
) -> None:
    """The envelope itself, over 3.5 MiB: whole it opens; with a chunk cut out (or two
    swapped) it does not, even though each chunk alone is genuine."""
    key = tmp_path / "k"
    key.write_bytes(bytes(range(32)))
    payload = bytes(range(256)) * (14 * 1024)  # 3.5 MiB
    sealed = seal(payload, key, tmp_path / "s")
    assert unsealed(sealed, key) == payload
    blob = sealed.read_bytes()
    header, size = 20 + 16 + 7, (1 << 20) + 16
    chunks = [blob[header + i * size : header + (i + 1) * size] for i in range(4)]
    for order in ([0, 2, 3], [1, 0, 2, 3], [0, 1, 2]):
        (tmp_path / "x").write_bytes(blob[:header] + b"".join(chunks[i] for i in order))
        with pytest.raises(BackupError, match="changed, damaged or cut short"):
            unsealed(tmp_path / "x", key)
    wrong = tmp_path / "wrong"
    wrong.write_bytes(bytes(32))
    with pytest.raises(BackupError, match="another records key"):
        unsealed(sealed, wrong)


def test_tampered_member_fails_its_hash(data: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    key = root / "records.key"
    forged = io.BytesIO()
    with opened_tar(archive, key) as src, tarfile.open(fileobj=forged, mode="w:gz") as dst:
        for member in src:
            body = src.extractfile(member)
            assert body is not None
            content = body.read()
            if member.name == "data/reports/S-000/R-000.pdf":
                content = content[:-1] + bytes([content[-1] ^ 1])
            member.size = len(content)
            dst.addfile(member, io.BytesIO(content))
    rebuilt = seal(forged.getvalue(), key, tmp_path / "evil.tar.gz")
    with pytest.raises(BackupError, match="does not match its sha256"):
        verify_backup(rebuilt, key.read_bytes())


def test_unsafe_paths_are_refused(tmp_path: Path) -> None:
    key = tmp_path / "records.key"
    key.write_bytes(bytes(range(32)))
    evil = io.BytesIO()
    with tarfile.open(fileobj=evil, mode="w:gz") as tar:
        info = tarfile.TarInfo("data/../../escape.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(BackupError, match="unsafe path"):
        restore_backup(seal(evil.getvalue(), key, tmp_path / "evil"), tmp_path / "t", key_file=key)
    assert not (tmp_path / "escape.txt").exists()


def test_a_backup_from_before_sealing_is_refused_unless_accepted(
    data: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """A format-1 archive (a plain tar.gz) proves nothing about who wrote it."""
    root, ids = data
    key = root / "records.key"
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    old = tmp_path / "old.tar.gz"
    old.write_bytes(unsealed(archive, key))
    target = tmp_path / "t"
    with pytest.raises(BackupError, match="not a sealed RetiScreen backup"):
        restore_backup(old, target, key_file=key)
    assert records_in(target) == []
    restore_backup(old, target, key_file=key, allow_unsealed=True)
    with ScreeningStore(target) as store:
        assert store.has_screening(ids[0])


def test_missing_referenced_file_is_reported(data: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = data
    (root / "reports" / "S-000" / "R-000.pdf").unlink()
    info = create_backup(root, tmp_path / "b.tar.gz")
    assert info.problems == ["reports/S-000/R-000.pdf: referenced by the database but missing"]


def test_backup_refuses_existing_file_and_missing_database(
    data: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = data
    existing = tmp_path / "exists.tar.gz"
    existing.write_bytes(b"")
    with pytest.raises(BackupError, match="already exists"):
        create_backup(root, existing)
    with pytest.raises(BackupError, match="no records database"):
        create_backup(tmp_path / "nothing", tmp_path / "x.tar.gz")


def test_newer_schema_is_refused(data: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = data
    conn = records_db(root / "retiscreen.db")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    with pytest.raises(BackupError, match="newer RetiScreen"):
        restore_backup(archive, tmp_path / "t", key_file=root / "records.key")
    assert records_in(tmp_path / "t") == []


def test_command_line_round_trip(
    data: tuple[Path, list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Restore needs the key and an administrator: of the backup on a new machine, of
    the records it replaces otherwise."""
    root, _ = data
    archive = tmp_path / "cli.tar.gz"
    assert main(["backup", "--data-dir", str(root), "--to", str(archive)]) == 0
    assert "Backup written" in capsys.readouterr().out
    assert main(["backup", "--data-dir", str(root), "--verify", str(archive)]) == 0
    target = tmp_path / "cli-restored"
    admin = ["--admin", ADMIN, "--pin-stdin"]

    def restore(*args: str, pin: str = ADMIN_PIN) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
        return main(["restore", "--data-dir", str(target), *admin, *args, str(archive)])

    assert restore() == 1
    assert "records.key" in capsys.readouterr().err  # a new machine: the key is needed
    key = ["--key", str(root / "records.key")]
    assert main(["backup", "--data-dir", str(target), *key, "--verify", str(archive)]) == 0
    assert restore(*key, pin="111111") == 1  # the backup's own administrators decide
    assert "not the name and PIN" in capsys.readouterr().err
    assert records_in(target) == []
    assert restore(*key) == 0
    assert restore() == 1
    assert "--force" in capsys.readouterr().err
    assert restore("--force", pin="999999") == 1  # now the records' administrators decide
    assert "not an administrator" in capsys.readouterr().err
    assert restore("--force") == 0
    with ScreeningStore(target) as store:
        events = store.audit_events()
    restored = [e for e in events if e["event"] == "backup_restored"]
    assert restored[-1]["operator"] == ADMIN
    with opened_tar(archive, root / "records.key") as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest = json.loads(member.read())
    assert manifest["format"] == "retiscreen-backup"


def test_the_database_in_a_backup_is_encrypted_and_needs_its_key(
    data: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """No name or ID of the database reads in the archive; restoring without the key, or
    with another one, is refused with what to do, and the target stays empty."""
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    with opened_tar(archive, root / "records.key") as tar:
        member = tar.extractfile("data/retiscreen.db")
        assert member is not None
        database = member.read()
    assert b"Patient 1" not in database and b"P-001" not in database
    assert b"SQLite format 3" not in database
    target = tmp_path / "t"
    with pytest.raises(BackupError, match=r"sealed with a records key.*records\.key"):
        restore_backup(archive, target)
    wrong = tmp_path / "wrong.key"
    wrong.write_bytes(bytes(32))
    with pytest.raises(BackupError, match="another records key"):
        restore_backup(archive, target, key_file=wrong)
    assert records_in(target) == [] and not (target / "records.key").exists()


def test_the_archive_shows_no_patient_data(data: tuple[Path, list[str]], tmp_path: Path) -> None:
    """Neither the archive nor anything in it reads in the clear: no name, ID, photograph
    or report (the stored files are encrypted too, and so is the whole archive)."""
    root, _ = data
    archive = tmp_path / "b.tar.gz"
    create_backup(root, archive)
    key = root / "records.key"
    inner = unsealed(archive, key)
    members = []
    with tarfile.open(fileobj=io.BytesIO(inner)) as tar:
        for member in tar:
            body = tar.extractfile(member)
            if body is not None:
                members.append(body.read())
    clues = [
        b"Patient 0",
        b"P-000",
        b"%PDF",
        b"JFIF",
        b"stand-in",
    ]
    for blob in (archive.read_bytes(), *members):
        assert not [clue for clue in clues if clue in blob]
