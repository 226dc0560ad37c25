"""Unfinished screenings (drafts) in the real, encrypted records (#13 item 8): kept with
their photographs sealed, only for their operator, replaced as the capture goes on,
removed by saving the screening (same transaction), discarded or expired (audited), and
never read as a result."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retiscreen.domain import FundusField, Laterality, Patient, QualityReason
from retiscreen.drafts import ScreeningDraft, draft_document, draft_from_document
from retiscreen.errors import StorageError
from retiscreen.imaging.optic_disc import DiscSide
from retiscreen.pipeline import Checked
from retiscreen.store import SCHEMA_VERSION, ScreeningStore
from retiscreen.store.file_cipher import MAGIC
from tests.support.builders import fundus_image, good_quality, make_screening
from tests.support.records import records_db
from tests.support.schema_history import take_back_to

PATIENT = Patient("MRN-DRAFT-1", "Dora Draft", datetime(1955, 7, 9).date(), "Female")
FIELD = FundusField(190.0, 191.5, 170.25, 0.62, 0.99, 0.97, 0.8)


def half_done(operator: str = "Ana") -> ScreeningDraft:
    """Right eye photographed and used; left eye tried once, ungradable, not yet used."""
    draft = ScreeningDraft(operator, patient=PATIENT, identified_by="records", language="pt")
    right, left = fundus_image(11), fundus_image(12)
    draft.eyes[Laterality.RIGHT].record(
        right,
        good_quality(measures={"sharpness": 12.5, "saturated": math.inf}),
        None,
        Checked(right, FIELD, good_quality(), {"load": 3.5}, DiscSide(0.4, 1.6, Laterality.RIGHT)),
    )
    draft.eyes[Laterality.RIGHT].accept()
    blurred = good_quality(gradable=False, score=0.2, reasons=(QualityReason.BLURRED,))
    draft.eyes[Laterality.LEFT].record(left, blurred, None, Checked(left, FIELD, blurred, {}))
    return draft


def keep(store: ScreeningStore, draft: ScreeningDraft, event: str | None = None) -> bool:
    kept = draft_document(draft)
    return store.save_draft(
        draft.draft_id,
        draft.operator,
        draft.started_at,
        kept.document,
        kept.photographs,
        event=event,
    )


def reopened(store: ScreeningStore, draft_id: str, operator: str = "Ana") -> ScreeningDraft:
    document, photographs = store.load_draft(draft_id, operator)
    return draft_from_document(document, photographs)


def test_a_draft_comes_back_whole_after_the_store_is_closed(tmp_path: Path) -> None:
    draft = half_done()
    with ScreeningStore(tmp_path) as store:
        assert keep(store, draft, event="screening_parked")
    with ScreeningStore(tmp_path) as store:  # a restart
        (summary,) = [doc for doc, _saved in store.drafts_of("Ana")]
        assert summary["patient"]["name"] == "Dora Draft"
        back = reopened(store, draft.draft_id)
    assert back.patient == PATIENT and back.identified_by == "records"
    assert back.language == "pt"  # the report will be in the patient's language
    assert back.started_at == draft.started_at and back.draft_id == draft.draft_id
    assert back.next_eye() is Laterality.LEFT
    for side in Laterality:
        before, after = draft.eyes[side], back.eyes[side]
        assert (after.attempts, after.accepted, after.history) == (
            before.attempts,
            before.accepted,
            before.history,
        )
        assert after.checked is not None and before.checked is not None
        assert after.checked.image.data == before.checked.image.data  # the same photograph
        assert after.checked.quality == before.checked.quality  # the verdict shown, unchanged
        assert after.checked.field == before.checked.field
        assert after.checked.disc == before.checked.disc
        assert after.gradable == before.gradable
    assert back.eyes[Laterality.RIGHT].looks_like is None  # a right-looking right eye


def test_photographs_are_sealed_and_nothing_is_in_the_clear(tmp_path: Path) -> None:
    draft = half_done()
    with ScreeningStore(tmp_path) as store:
        keep(store, draft)
    files = sorted((tmp_path / "drafts" / draft.draft_id).iterdir())
    assert len(files) == 2
    for path in files:
        data = path.read_bytes()
        assert data.startswith(MAGIC) and b"\xff\xd8\xff" not in data[:64]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"Dora Draft" not in path.read_bytes(), path
    # a sealed file moved to another draft's place no longer opens
    other = half_done()
    with ScreeningStore(tmp_path) as store:
        keep(store, other)
        mine = next((tmp_path / "drafts" / draft.draft_id).glob("right-*"))
        theirs = next((tmp_path / "drafts" / other.draft_id).glob("right-*"))
        theirs.write_bytes(mine.read_bytes())
        with pytest.raises(StorageError, match="no longer decrypts"):
            reopened(store, other.draft_id)


def test_only_its_operator_sees_or_discards_a_draft(tmp_path: Path) -> None:
    draft = half_done("Ana")
    with ScreeningStore(tmp_path) as store:
        keep(store, draft)
        assert store.drafts_of("Bo") == []
        with pytest.raises(StorageError, match="no longer kept"):
            store.load_draft(draft.draft_id, "Bo")
        assert not store.discard_draft(draft.draft_id, "Bo", "not mine")
        assert len(store.drafts_of("Ana")) == 1


def test_keeping_again_replaces_it_and_drops_the_photographs_it_no_longer_holds(
    tmp_path: Path,
) -> None:
    draft = half_done()
    with ScreeningStore(tmp_path) as store:
        keep(store, draft)
        folder = tmp_path / "drafts" / draft.draft_id
        assert len(list(folder.iterdir())) == 2
        draft.eyes[Laterality.LEFT].skip("Patient declined")
        keep(store, draft)
        assert [p.name.split("-")[0] for p in folder.iterdir()] == ["right"]
        back = reopened(store, draft.draft_id)
        assert back.eyes[Laterality.LEFT].skipped_reason == "Patient declined"
        assert back.next_eye() is None
        assert len(store.drafts_of("Ana")) == 1


def test_saving_the_screening_removes_its_draft_at_once(tmp_path: Path) -> None:
    draft = half_done()
    with ScreeningStore(tmp_path) as store:
        keep(store, draft)
        store.save_screening(make_screening(draft.draft_id, patient_id=PATIENT.patient_id))
        assert store.drafts_of("Ana") == []
        assert not (tmp_path / "drafts" / draft.draft_id).exists()
        events = [e["event"] for e in store.audit_events(draft.draft_id)]
        assert events[-1] == "draft_completed"
        # a late keep of a screening already saved writes nothing: it cannot come back
        assert not keep(store, draft)
        assert store.drafts_of("Ana") == []


def test_a_discarded_draft_is_audited_and_its_files_go(tmp_path: Path) -> None:
    draft = half_done()
    with ScreeningStore(tmp_path) as store:
        keep(store, draft)
        assert store.discard_draft(draft.draft_id, "Ana", "the operator discarded it")
        assert store.drafts_of("Ana") == []
        assert not (tmp_path / "drafts" / draft.draft_id).exists()
        (entry,) = [
            e for e in store.audit_events(draft.draft_id) if e["event"] != "screening_parked"
        ]
        assert entry["event"] == "draft_discarded" and entry["operator"] == "Ana"
        assert entry["detail"]["patient_id"] == "MRN-DRAFT-1"
        assert entry["detail"]["photographs"] == 2


def test_an_old_draft_expires_audited(tmp_path: Path) -> None:
    old, new = half_done(), half_done()
    with ScreeningStore(tmp_path) as store:
        keep(store, old)
        with records_db(store.db_path) as conn:
            long_ago = (datetime.now(UTC) - timedelta(hours=30)).isoformat()
            conn.execute(
                "UPDATE drafts SET saved_at = ? WHERE draft_id = ?", [long_ago, old.draft_id]
            )
            conn.commit()
        conn.close()
        keep(store, new)
        before = (datetime.now(UTC) - timedelta(hours=12)).isoformat()
        expired = store.expire_drafts(before)
        assert [d["draft_id"] for d in expired] == [old.draft_id]
        assert [doc["draft_id"] for doc, _ in store.drafts_of("Ana")] == [new.draft_id]
        assert not (tmp_path / "drafts" / old.draft_id).exists()
        (entry,) = store.audit_events(old.draft_id)
        assert entry["event"] == "draft_expired" and entry["detail"]["why"]


def test_a_draft_is_never_a_result(tmp_path: Path) -> None:
    with ScreeningStore(tmp_path) as store:
        keep(store, half_done())
        assert store.history() == [] and store.review_queue() == []
        assert store.export_csv(tmp_path / "all.csv") == 0
        assert store.eyes_since(None) == []
        assert store.screenings_without_report("9999") == []


def test_leftover_draft_files_are_swept_at_the_next_start(tmp_path: Path) -> None:
    with ScreeningStore(tmp_path):
        pass
    debris = tmp_path / "drafts" / "20260101-000000-abcdef"
    debris.mkdir(parents=True)
    (debris / "right-0123.sealed").write_bytes(MAGIC + b"x" * 40)
    with ScreeningStore(tmp_path):
        assert not debris.exists()


def test_a_version_11_database_is_upgraded_to_keep_drafts(tmp_path: Path) -> None:
    saved = make_screening("S-v11")
    with ScreeningStore(tmp_path) as store:
        store.save_screening(saved)
    with records_db(tmp_path / "retiscreen.db") as conn:
        take_back_to(conn, 11)
        assert (
            conn.execute("SELECT name FROM sqlite_master WHERE name = 'drafts'").fetchone() is None
        )
    conn.close()
    with ScreeningStore(tmp_path) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 12
        assert store.load_screening("S-v11").screening_id == "S-v11"
        draft = half_done()
        assert keep(store, draft)
        assert reopened(store, draft.draft_id).patient == PATIENT
    assert any(p.name.startswith("retiscreen-v11-") for p in (tmp_path / "backups").iterdir())


def test_a_document_from_another_format_is_refused_plainly() -> None:
    document = draft_document(half_done()).document
    with pytest.raises(StorageError, match="another version"):
        draft_from_document({**document, "format": 99}, {})
    with pytest.raises(StorageError, match="missing"):
        draft_from_document(json.loads(json.dumps(document)), {})
