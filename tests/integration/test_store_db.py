"""ScreeningStore against real SQLite files and real image files in tmp_path (no mocks).

The factories at the top (``fundus_bytes``, ``fundus_image``, ``make_screening``) are
also loaded by test_store_durability.py and by its child processes.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils

from retiscreen.domain import (
    DecisionKind,
    Order,
    Patient,
    Screening,
)
from retiscreen.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    ScreeningStore,
    StorageError,
    driver,
    migrate,
    screening_to_dict,
)
from tests.support import builders
from tests.support.builders import (
    assert_same_screening,
    fundus_bytes,
    fundus_image,
    make_screening,
)
from tests.support.records import records_db
from tests.support.schema_history import take_back_to

# --------------------------------------------------------------------------- factories

MODEL = builders.MODEL


def raw(store: ScreeningStore) -> driver.Connection:
    """A second, independent connection to the store's database file."""
    return records_db(store.db_path)


def files_under(path: Path) -> list[str]:
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- opening


def test_open_creates_layout_with_durable_pragmas(tmp_path: Path) -> None:
    root = tmp_path / "new" / "data"
    with ScreeningStore(root) as s:
        assert (root / "retiscreen.db").is_file()
        assert (root / "images").is_dir() and (root / "reports").is_dir()
        conn = s._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = set(sqlite_utils.Database(raw(s)).table_names())
    assert {"patients", "screenings", "eye_images", "reports", "print_jobs", "audit_log"} <= tables


# --------------------------------------------------------------------------- screenings


def test_save_then_load_round_trip(store: ScreeningStore) -> None:
    screening = make_screening("S-0001")
    store.save_screening(screening)
    assert store.has_screening("S-0001")

    # A fresh store (new connection) reads it back from disk.
    with ScreeningStore(store.root) as again:
        loaded = again.load_screening("S-0001")
    assert_same_screening(loaded, screening)
    right, left = screening.eyes[0].image, screening.eyes[1].image
    assert right is not None and left is not None
    for eye, image in (("right", right), ("left", left)):  # kept encrypted (file_cipher)
        stored = (store.root / f"images/S-0001/{eye}.jpg").read_bytes()
        assert stored.startswith(b"RSGCM01") and image.data[:64] not in stored
    assert not [p for p in files_under(store.root / "images") if p.endswith(".tmp")]


def test_round_trip_png_and_skipped_eye(store: ScreeningStore) -> None:
    screening = make_screening(
        "S-png",
        right=fundus_image(7, fmt="PNG"),
        left_skipped=True,
        started_at=datetime(2026, 1, 2),
    )
    store.save_screening(screening)
    assert files_under(store.root / "images") == ["S-png/right.png"]
    assert_same_screening(store.load_screening("S-png"), screening)


def test_rows_hold_the_searchable_columns(store: ScreeningStore) -> None:
    screening = make_screening("S-0002")
    store.save_screening(screening)
    db = sqlite_utils.Database(raw(store))
    row = next(db.query("SELECT * FROM screenings"))
    assert row["patient_id"] == "P-1001"
    assert row["decision_kind"] == "refer"
    assert row["decision_urgency"] == DecisionKind.REFER.severity
    assert row["decision_headline"] == "Refer to an eye specialist"
    assert (row["model_name"], row["model_version"], row["model_sha256"], row["provider"]) == (
        MODEL.name,
        MODEL.version,
        MODEL.sha256,
        "CPUExecutionProvider",
    )
    eyes = {r["laterality"]: r for r in db.query("SELECT * FROM eye_images")}
    right_image = screening.eyes[0].image
    assert right_image is not None
    assert eyes["right"]["stored_file"] == "images/S-0002/right.jpg"
    assert eyes["right"]["sha256"] == right_image.sha256
    assert eyes["right"]["grade"] == 2 and eyes["right"]["gradable"] == 1
    assert eyes["left"]["grade"] is None and eyes["left"]["gradable"] == 0
    assert eyes["left"]["quality_reasons"] == '["blurred", "model_rejected"]'
    patient = next(db.query("SELECT * FROM patients"))
    assert (patient["name"], patient["date_of_birth"], patient["sex"]) == (
        "Ada Example",
        "1961-05-17",
        "F",
    )
    events = store.audit_events("S-0002")
    assert [e["event"] for e in events] == ["screening_saved"]
    assert events[0]["operator"] == "op-anna"
    assert events[0]["detail"]["images"]["right"] == right_image.sha256


def test_saving_the_same_id_twice_is_refused_and_changes_nothing(store: ScreeningStore) -> None:
    first = make_screening("S-dup")
    store.save_screening(first)
    before = {
        p: (store.root / "images" / p).read_bytes() for p in files_under(store.root / "images")
    }

    other = make_screening(
        "S-dup", right=fundus_image(91), left=fundus_image(92), name="Someone Else"
    )
    with pytest.raises(StorageError, match="already saved") as info:
        store.save_screening(other)
    assert info.value.reason == "duplicate"

    after = {
        p: (store.root / "images" / p).read_bytes() for p in files_under(store.root / "images")
    }
    assert after == before
    assert_same_screening(store.load_screening("S-dup"), first)
    assert [e["event"] for e in store.audit_events()] == ["screening_saved"]


def test_a_failure_inside_the_transaction_rolls_everything_back(store: ScreeningStore) -> None:
    """A real SQLite failure after the photographs were written (a trigger aborts the
    eye-row insert): no row, no patient, no audit entry, and the files are removed."""
    store.save_screening(make_screening("S-ok"))
    with raw(store) as conn:
        conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON eye_images WHEN NEW.screening_id = 'S-boom' "
            "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
        )
    with pytest.raises(StorageError, match="S-boom was NOT saved"):
        store.save_screening(make_screening("S-boom", patient_id="P-new"))
    assert not store.has_screening("S-boom")
    assert not (store.root / "images" / "S-boom").exists()
    assert [h["patient_id"] for h in store.history()] == ["P-1001"]
    with raw(store) as conn:
        assert conn.execute("SELECT count(*) FROM patients").fetchone()[0] == 1
    assert [e["screening_id"] for e in store.audit_events()] == ["S-ok"]
    store.load_screening("S-ok")
    assert store.integrity_problems() == []


@pytest.mark.parametrize("bad_id", ["../escape", "a/b", "", ".hidden", "x" * 200, "S 1"])
def test_unsafe_ids_are_refused_before_anything_is_written(
    store: ScreeningStore, bad_id: str
) -> None:
    with pytest.raises(StorageError, match="cannot be stored") as info:
        store.save_screening(make_screening(bad_id))
    assert info.value.reason == "invalid"
    assert files_under(store.root / "images") == []
    assert not (store.root / "escape").exists()
    assert store.history() == []


def test_a_screening_without_patient_id_is_refused(store: ScreeningStore) -> None:
    with pytest.raises(StorageError, match="no patient ID") as info:
        store.save_screening(make_screening("S-anon", patient_id="  "))
    assert info.value.reason == "invalid"
    assert store.history() == [] and files_under(store.root / "images") == []


def test_the_same_eye_twice_is_refused(store: ScreeningStore) -> None:
    screening = make_screening("S-twice")
    doubled = Screening(
        screening.screening_id,
        screening.patient,
        screening.operator,
        screening.site,
        screening.started_at,
        (screening.eyes[0], screening.eyes[0]),
        screening.decision,
    )
    with pytest.raises(StorageError, match="same eye twice"):
        store.save_screening(doubled)
    assert store.history() == []


def test_loading_an_unknown_id(store: ScreeningStore) -> None:
    with pytest.raises(StorageError, match="No screening with id nope") as info:
        store.load_screening("nope")
    assert info.value.reason == "not_found"


def test_a_missing_photograph_is_reported_not_ignored(store: ScreeningStore) -> None:
    store.save_screening(make_screening("S-miss"))
    (store.root / "images/S-miss/left.jpg").unlink()
    with pytest.raises(StorageError, match="left eye photograph of screening S-miss is missing"):
        store.load_screening("S-miss")
    assert any("left.jpg" in p for p in store.integrity_problems())


def test_a_changed_photograph_is_reported_not_used(store: ScreeningStore) -> None:
    store.save_screening(make_screening("S-swap"))
    # Another valid photograph put in its place: decodes fine, but is not the one graded.
    (store.root / "images/S-swap/right.jpg").write_bytes(fundus_bytes(55))
    with pytest.raises(StorageError, match="changed or damaged") as info:
        store.load_screening("S-swap")
    assert info.value.reason == "corrupt"
    assert store.integrity_problems() == ["images/S-swap/right.jpg: sha256 mismatch"]


def test_an_id_on_file_for_someone_else_is_refused_and_nothing_changes(
    store: ScreeningStore,
) -> None:
    store.save_screening(make_screening("S-p1", name="Ada Example"))
    with pytest.raises(StorageError, match="name on file 'Ada Example', given 'Bo Other'") as info:
        store.save_screening(make_screening("S-p2", name="Bo Other"))
    assert info.value.reason == "identity_mismatch"
    assert not store.has_screening("S-p2")
    assert store.find_patient("P-1001") == Patient("P-1001", "Ada Example", date(1961, 5, 17), "F")


def test_ids_match_without_case_or_spaces_and_file_under_the_first(
    store: ScreeningStore,
) -> None:
    store.save_screening(make_screening("S-a", patient_id="P123"))
    again = Patient(" p123", "ADA  example", date(1961, 5, 17), "F")
    filed = store.resolve_patient(again)
    assert filed.patient_id == "P123" and filed.name == "Ada Example"
    assert [h["patient_id"] for h in store.history()] == ["P123"]


def test_a_correction_is_a_separate_audited_action(store: ScreeningStore) -> None:
    store.save_screening(make_screening("S-c1", name="Ada Exemple"))
    with pytest.raises(StorageError, match="needs a reason"):
        store.correct_patient(Patient("P-1001", "Ada Example"), "admin", "  ")
    store.correct_patient(
        Patient("P-1001", "Ada Example", date(1961, 5, 17), "F"), "admin", "typo at reception"
    )
    (event,) = [e for e in store.audit_events() if e["event"] == "patient_corrected"]
    assert event["detail"]["before"]["name"] == "Ada Exemple"
    assert event["detail"]["after"]["name"] == "Ada Example"
    assert event["detail"]["reason"] == "typo at reception" and event["operator"] == "admin"
    store.save_screening(make_screening("S-c2", name="Ada Example"))
    # Each screening keeps the name it was made with.
    assert store.load_screening("S-c1").patient.name == "Ada Exemple"


def test_saved_screening_rows_cannot_be_updated(store: ScreeningStore) -> None:
    store.save_screening(make_screening("S-imm"))
    with raw(store) as conn:
        with pytest.raises(driver.DatabaseError, match="cannot be changed"):
            conn.execute("UPDATE screenings SET decision_urgency = 0")
        with pytest.raises(driver.DatabaseError, match="cannot be changed"):
            conn.execute("UPDATE eye_images SET grade = 0")


# --------------------------------------------------------------------------- history / CSV


def test_history_is_newest_first_and_filters(store: ScreeningStore) -> None:
    base = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    # 10:30 at UTC+02:00 is 08:30 UTC: earlier than 09:00 UTC despite the larger clock time.
    plus_two = timezone(timedelta(hours=2))
    store.save_screening(make_screening("S-a", started_at=base))
    store.save_screening(
        make_screening("S-b", started_at=datetime(2026, 3, 4, 10, 30, tzinfo=plus_two))
    )
    store.save_screening(
        make_screening(
            "S-c", patient_id="P-2002", name="Bob 50%_Off", started_at=base + timedelta(hours=1)
        )
    )
    assert [h["screening_id"] for h in store.history()] == ["S-c", "S-a", "S-b"]
    first = store.history()[0]
    assert first == {
        "screening_id": "S-c",
        "started_at": (base + timedelta(hours=1)).isoformat(),
        "patient_id": "P-2002",
        "name": "Bob 50%_Off",
        "decision_headline": "Refer to an eye specialist",
        "decision_kind": "refer",
        "urgency": DecisionKind.REFER.severity,
        "review_decision_kind": None,  # never over-read
        "review_outcome": None,
    }
    assert [h["screening_id"] for h in store.history(patient_id="P-1001")] == ["S-a", "S-b"]
    assert [h["screening_id"] for h in store.history(search="bob")] == ["S-c"]
    assert [h["screening_id"] for h in store.history(search="50%_")] == ["S-c"]
    # '%' and '_' are literal, not LIKE wildcards matching every row.
    assert [h["screening_id"] for h in store.history(search="%")] == ["S-c"]
    assert [h["screening_id"] for h in store.history(search="_")] == ["S-c"]
    assert [h["screening_id"] for h in store.history(search="S-b")] == ["S-b"]
    assert len(store.history(limit=2)) == 2


def test_export_csv_one_row_per_screening_and_eye(store: ScreeningStore, tmp_path: Path) -> None:
    store.save_screening(make_screening("S-x1"))
    store.save_screening(
        make_screening("S-x2", patient_id="P-2", name='=HYPERLINK("http://x")', left_skipped=True)
    )
    target = tmp_path / "export.csv"
    assert store.export_csv(target) == 4
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["screening_id"], r["laterality"]) for r in rows] == [
        ("S-x1", "right"),
        ("S-x1", "left"),
        ("S-x2", "right"),
        ("S-x2", "left"),
    ]
    assert rows[0]["grade"] == "2" and rows[0]["referable_probability"] == "0.8"
    assert rows[3]["skipped_reason"] == "Prosthetic eye" and rows[3]["stored_file"] == ""
    assert rows[2]["name"].startswith("'=")  # not run as a spreadsheet formula
    assert [e["event"] for e in store.audit_events()][-1] == "csv_exported"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --------------------------------------------------------------------------- reports


PDF = b"%PDF-1.7\n% synthetic report\n%%EOF\n"


def test_reports_are_stored_verified_and_never_overwritten(store: ScreeningStore) -> None:
    store.save_screening(make_screening("S-r"))
    path = store.add_report("S-r", "R-1", PDF, "VC-1234")
    assert path == store.root / "reports/S-r/R-1.pdf"
    stored = path.read_bytes()
    assert b"%PDF" not in stored and b"synthetic report" not in stored  # encrypted
    (report,) = store.reports_for("S-r")
    assert report["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert report["verification_code"] == "VC-1234"
    assert report["file"] == "reports/S-r/R-1.pdf"
    assert report["printed_at"] is None
    assert store.read_report("R-1") == PDF
    assert "report_created" in [e["event"] for e in store.audit_events("S-r")]

    with pytest.raises(StorageError, match="already exists") as info:
        store.add_report("S-r", "R-1", b"%PDF-other", "VC-9999")
    assert info.value.reason == "duplicate"
    assert path.read_bytes() == stored

    path.write_bytes(b"%PDF-forged")  # a report put there in the clear: its sha256 fails
    with pytest.raises(StorageError, match="changed or damaged"):
        store.read_report("R-1")
    flipped = bytearray(stored)
    flipped[-20] ^= 1
    path.write_bytes(bytes(flipped))
    with pytest.raises(StorageError, match="no longer decrypts"):
        store.read_report("R-1")


def test_a_report_for_an_unsaved_screening_is_refused(store: ScreeningStore) -> None:
    with pytest.raises(StorageError, match="Save the screening first") as info:
        store.add_report("S-none", "R-x", PDF, "VC")
    assert info.value.reason == "not_found"
    assert files_under(store.root / "reports") == []
    with pytest.raises(StorageError, match="No report with id R-x"):
        store.read_report("R-x")


# --------------------------------------------------------------------------- print queue


def test_print_queue_is_durable_and_audited(tmp_path: Path) -> None:
    root = tmp_path / "data"
    with ScreeningStore(root, max_print_attempts=2) as s:
        s.save_screening(make_screening("S-pq"))
        s.add_report("S-pq", "R-pq", PDF, "VC")
        job = s.enqueue_print("R-pq", "kiosk-printer", 2)
        with pytest.raises(StorageError, match="at least one"):
            s.enqueue_print("R-pq", "kiosk-printer", 0)
        with pytest.raises(StorageError, match="No report with id R-none"):
            s.enqueue_print("R-none", "kiosk-printer", 1)

    with ScreeningStore(root, max_print_attempts=2) as s:  # survives a restart
        (pending,) = s.pending_print_jobs()
        assert pending["job_id"] == job and pending["copies"] == 2
        assert pending["printer"] == "kiosk-printer" and pending["screening_id"] == "S-pq"

        s.mark_print_result(job, ok=False, error="Printer out of paper")
        assert s.print_job(job)["status"] == "pending"  # will be sent again
        assert s.print_job(job)["attempts"] == 1
        s.mark_print_result(job, ok=False, error="Printer out of paper")
        assert s.print_job(job)["status"] == "failed"  # gave up after max_print_attempts
        assert s.pending_print_jobs() == []
        s.retry_print(job)
        assert [j["job_id"] for j in s.pending_print_jobs()] == [job]
        s.mark_print_result(job, ok=True, error=None)
        final = s.print_job(job)
        assert (final["status"], final["attempts"], final["last_error"]) == ("printed", 3, None)
        (report,) = s.reports_for("S-pq")
        assert report["printed_at"] is not None and report["printer"] == "kiosk-printer"
        with pytest.raises(StorageError, match="already recorded as printed"):
            s.mark_print_result(job, ok=True)
        with pytest.raises(StorageError, match="No print job 999"):
            s.mark_print_result(999, ok=False, error="x")
        events = [e["event"] for e in s.audit_events("S-pq")]
    assert events == [
        "screening_saved",
        "report_created",
        "print_queued",
        "print_failed",
        "print_failed",
        "print_retried",
        "report_printed",
    ]


# --------------------------------------------------------------------------- audit


def test_audit_log_is_append_only(store: ScreeningStore) -> None:
    store.audit(
        "image_rejected", operator="op-anna", message="The file x.jpg is empty", file="x.jpg"
    )
    with raw(store) as conn:
        with pytest.raises(driver.DatabaseError, match="append-only"):
            conn.execute("UPDATE audit_log SET event = 'nothing_happened'")
        with pytest.raises(driver.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
    (event,) = store.audit_events()
    assert event["event"] == "image_rejected"
    assert event["detail"] == {
        "message": "The file x.jpg is empty",
        "file": "x.jpg",
        "os_account": getpass.getuser(),
    }


def test_audit_events_filter_by_screening(store: ScreeningStore) -> None:
    store.audit("image_rejected", screening_id="S-9", message="too dark", path=Path("/x/y.jpg"))
    store.audit("kiosk_started")
    assert [e["event"] for e in store.audit_events("S-9")] == ["image_rejected"]
    assert store.audit_events("S-9")[0]["detail"]["path"] == "/x/y.jpg"
    assert [e["event"] for e in store.audit_events()] == ["image_rejected", "kiosk_started"]


# --------------------------------------------------------------------------- migrations


def test_a_new_database_is_migrated_from_version_zero(tmp_path: Path) -> None:
    empty = tmp_path / "data" / "retiscreen.db"
    empty.parent.mkdir()
    records_db(empty).close()  # an existing, empty file at user_version 0
    with ScreeningStore(empty.parent) as s:
        s.save_screening(make_screening("S-m0"))
    conn = records_db(empty)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "screenings_by_patient" in indexes


def test_a_v4_database_gains_names_issuer_and_order_and_keeps_its_screenings(
    tmp_path: Path,
) -> None:
    root = tmp_path / "data"
    old = make_screening("S-v4")
    with ScreeningStore(root) as s:
        s.save_screening(old)
    with records_db(root / "retiscreen.db") as conn:
        take_back_to(conn, 4)
    conn.close()

    patient = Patient("P-2002", "Ana García", date(1961, 4, 3), "F", "García", "Ana", "HOSP-A")
    order = Order("ACC-77", "Ruiz^Elena", "1.2.826.0.1.3680043.10.1.77")
    new = replace(make_screening("S-v5"), patient=patient, order=order)
    with ScreeningStore(root) as s:
        assert_same_screening(s.load_screening("S-v4"), old)
        s.save_screening(new)
        loaded = s.load_screening("S-v5")
        assert loaded.order == order and loaded.patient == patient
        assert s.find_patient("p-2002") == patient
    with records_db(root / "retiscreen.db") as conn:
        rows = conn.execute(
            "SELECT screening_id, accession_number, referring_physician, study_instance_uid"
            " FROM screenings ORDER BY screening_id"
        ).fetchall()
        assert rows == [
            ("S-v4", None, None, None),
            ("S-v5", "ACC-77", "Ruiz^Elena", "1.2.826.0.1.3680043.10.1.77"),
        ]
        issuer = conn.execute("SELECT id_issuer FROM patients WHERE patient_id = 'P-2002'")
        assert issuer.fetchone() == ("HOSP-A",)
    conn.close()


def test_an_older_database_is_upgraded_with_a_backup(tmp_path: Path) -> None:
    root = tmp_path / "data"
    original = make_screening("S-old")
    with ScreeningStore(root) as s:
        s.save_screening(original)
    # Turn it into exactly what version 1 of the code wrote: no v2 indexes, no v3 columns.
    with records_db(root / "retiscreen.db") as conn:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall():
            conn.execute(f"DROP INDEX {name}")
        conn.execute("ALTER TABLE screenings DROP COLUMN decision_kind")
        conn.execute("ALTER TABLE eye_images DROP COLUMN status")
        conn.execute("ALTER TABLE patients DROP COLUMN id_key")
        take_back_to(conn, 1)
    conn.close()

    with ScreeningStore(root) as s:
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert_same_screening(s.load_screening("S-old"), original)
        found = s.find_patient(" p-1001")  # matched by the key the migration filled in
        assert found is not None and found.patient_id == "P-1001"
    (backup,) = (root / "backups").iterdir()
    assert backup.name.startswith("retiscreen-v1-")
    old = records_db(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT screening_id FROM screenings").fetchall() == [("S-old",)]
    old.close()


def _as_written_before_decisions_were_data(db_path: Path, screening: Screening) -> None:
    """Rewrite a saved screening into what schema v2 / snapshot format 1 held: an urgency
    number and English wording instead of kinds, no eye status."""
    snapshot = screening_to_dict(screening)
    legacy_urgency = {"routine": 0, "examine": 1, "unavailable": 1, "refer": 2, "urgent": 3}
    old_headline = {1: "Photograph could not be graded", 2: "Refer to an eye specialist"}

    def old_decision(decision: dict[str, object]) -> dict[str, object]:
        urgency = legacy_urgency[str(decision.pop("kind"))]
        return {"urgency": urgency, "headline": old_headline[urgency], "advice": "…", **decision}

    snapshot["format"] = 1
    snapshot["decision"] = old_decision(snapshot["decision"])
    for eye in snapshot["eyes"]:
        del eye["status"]
        eye["decision"] = old_decision(eye["decision"])
    with records_db(db_path) as conn:
        conn.execute("DROP TRIGGER screenings_no_update")
        conn.execute("DROP TRIGGER eye_images_no_update")
        conn.execute(
            "UPDATE screenings SET snapshot_json = ?, decision_headline = ?, decision_urgency = 2",
            [json.dumps(snapshot), old_headline[2]],
        )
        conn.execute("ALTER TABLE screenings DROP COLUMN decision_kind")
        conn.execute("ALTER TABLE eye_images DROP COLUMN status")
        conn.execute("DROP INDEX patients_by_id_key")
        conn.execute("ALTER TABLE patients DROP COLUMN id_key")
        take_back_to(conn, 2)
    conn.close()


def test_records_from_before_decisions_were_data_are_read_as_kinds(tmp_path: Path) -> None:
    root = tmp_path / "data"
    original = make_screening("S-legacy")
    with ScreeningStore(root) as s:
        s.save_screening(original)
    _as_written_before_decisions_were_data(root / "retiscreen.db", original)
    with ScreeningStore(root) as s:
        (row,) = s.history()
        assert (row["decision_kind"], row["urgency"]) == ("refer", DecisionKind.REFER.severity)
        assert_same_screening(s.load_screening("S-legacy"), original)
    with records_db(root / "retiscreen.db") as conn:
        statuses = conn.execute("SELECT laterality, status FROM eye_images").fetchall()
        assert sorted(statuses) == [("left", "ungradable"), ("right", "graded")]
        with pytest.raises(driver.DatabaseError, match="cannot be changed"):
            conn.execute("UPDATE screenings SET operator = 'x'")
    conn.close()


def test_a_newer_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    root = tmp_path / "data"
    with ScreeningStore(root) as s:
        s.save_screening(make_screening("S-new"))
    with records_db(root / "retiscreen.db") as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = (root / "retiscreen.db").read_bytes()
    with pytest.raises(StorageError, match="written by a newer RetiScreen") as info:
        ScreeningStore(root)
    assert info.value.reason == "newer_schema"
    assert (root / "retiscreen.db").read_bytes() == before


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "data"
    with ScreeningStore(root) as s:
        s.save_screening(make_screening("S-mig"))

    def broken(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half_done (x INTEGER)")
        db.execute("ALTER TABLE screenings ADD COLUMN reviewed INTEGER")
        raise RuntimeError("migration bug")

    db = sqlite_utils.Database(records_db(root / "retiscreen.db", isolation_level=None))
    with pytest.raises(RuntimeError, match="migration bug"):
        migrate(db, (*MIGRATIONS, broken))
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "half_done" not in db.table_names()
    assert "reviewed" not in db.table("screenings").columns_dict
    db.close()
    with ScreeningStore(root) as s:
        s.load_screening("S-mig")


def test_a_foreign_database_is_not_taken_over(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    with records_db(root / "retiscreen.db") as conn:
        conn.execute("CREATE TABLE something_else (x)")
    conn.close()
    with pytest.raises(StorageError, match="not a RetiScreen database"):
        ScreeningStore(root)


def test_garbage_instead_of_a_database(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    (root / "retiscreen.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot be read") as info:
        ScreeningStore(root)  # encrypted, noise and a lost key look the same
    assert info.value.reason == "wrong_key" and "Nothing was changed" in str(info.value)
    assert (root / "retiscreen.db").read_bytes() == b"this is not sqlite" * 100
