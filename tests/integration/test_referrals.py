"""Referral follow-up on a real encrypted store and through the real command line: every
referral has a due date and a status (pending, attended, did not attend, overdue)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.domain import DecisionKind
from retiscreen.errors import StorageError
from retiscreen.referrals import ReferralOutcome, ReferralStatus
from retiscreen.store import ScreeningStore, driver
from tests.support.referrals import save_referrals


def test_each_referral_has_a_due_date_and_a_status(store: ScreeningStore) -> None:
    save_referrals(store)
    on_10_march = {r.screening_id: r for r in store.referrals(date(2026, 3, 10))}
    assert set(on_10_march) == {"S-refer", "S-urgent", "S-examine"}  # routine is no referral
    assert on_10_march["S-refer"].due == date(2026, 6, 4)
    assert on_10_march["S-urgent"].due == date(2026, 3, 18)
    assert on_10_march["S-examine"].due == date(2026, 4, 4)
    assert on_10_march["S-urgent"].kind is DecisionKind.URGENT
    assert {r.status for r in on_10_march.values()} == {ReferralStatus.PENDING}
    in_may = {r.screening_id: r.status for r in store.referrals(date(2026, 5, 1))}
    assert in_may == {
        "S-refer": ReferralStatus.PENDING,
        "S-urgent": ReferralStatus.OVERDUE,
        "S-examine": ReferralStatus.OVERDUE,
    }


def test_marks_are_kept_the_newest_wins_and_each_is_audited(store: ScreeningStore) -> None:
    save_referrals(store)
    store.mark_referral("S-urgent", ReferralOutcome.NOT_ATTENDED, "coordinator", "phoned twice")
    store.mark_referral("S-urgent", ReferralOutcome.ATTENDED, "coordinator", "seen 20 March")
    (urgent,) = store.referrals(date(2026, 5, 1), screening_id="S-urgent")
    assert urgent.status is ReferralStatus.ATTENDED  # not overdue: it was seen
    assert (urgent.marked_by, urgent.note) == ("coordinator", "seen 20 March")
    events = [e for e in store.audit_events("S-urgent") if e["event"] == "referral_marked"]
    assert [e["detail"]["outcome"] for e in events] == ["not_attended", "attended"]
    assert "phoned" not in json.dumps(events)  # the note stays out of the audit trail
    with pytest.raises(driver.IntegrityError, match="append-only"):
        store._conn.execute("UPDATE referral_marks SET outcome = 'attended'")
    with pytest.raises(driver.IntegrityError, match="append-only"):
        store._conn.execute("DELETE FROM referral_marks")


def test_only_saved_referrals_can_be_marked(store: ScreeningStore) -> None:
    save_referrals(store)
    with pytest.raises(StorageError, match="did not refer") as info:
        store.mark_referral("S-routine", ReferralOutcome.ATTENDED, "coordinator")
    assert info.value.reason == "invalid"
    with pytest.raises(StorageError, match="No screening with id S-none") as info:
        store.mark_referral("S-none", ReferralOutcome.ATTENDED, "coordinator")
    assert info.value.reason == "not_found"
    assert not [e for e in store.audit_events() if e["event"] == "referral_marked"]


def test_the_command_line_lists_filters_and_marks(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScreeningStore(cli_env / "data") as store:
        save_referrals(store)  # March 2026: by now (December 2026 or later) all overdue
    assert main(["referrals", "mark", "S-refer", "attended", "--note", "clinic B"]) == 0
    assert "attended (recorded, audited)" in capsys.readouterr().out
    assert main(["referrals", "--json"]) == 0
    listed = {
        r["screening_id"]: r for r in map(json.loads, capsys.readouterr().out.split("\n")[:-1])
    }
    assert listed["S-refer"]["status"] == "attended" and listed["S-refer"]["note"] == "clinic B"
    assert listed["S-urgent"]["status"] == "overdue"
    assert listed["S-urgent"]["due"] == "2026-03-18" and listed["S-urgent"]["decision"] == "urgent"
    assert main(["referrals", "--overdue"]) == 0
    text = capsys.readouterr().out
    assert "S-urgent" in text and "S-examine" in text and "S-refer" not in text
    assert "OVERDUE" in text
    assert main(["referrals", "mark", "S-routine", "attended"]) == 4
    assert "did not refer" in capsys.readouterr().err
    assert main(["referrals", "mark", "S-refer", "maybe"]) == 2
    with ScreeningStore(cli_env / "data") as store:
        viewed = [e for e in store.audit_events() if e["event"] == "records_viewed"]
    assert viewed and viewed[-1]["detail"]["view"] == "referrals"


def test_an_over_read_decides_what_is_a_referral(store: ScreeningStore) -> None:
    """A reviewer who refers a routine screening makes it a referral, due by the
    reviewer's interval; one who calls an examination routine ends it."""
    from datetime import UTC, datetime

    from retiscreen.domain import Decision, ICDRGrade, Review, ReviewOutcome

    save_referrals(store)

    def review(sid: str, kind: DecisionKind, months: int | None, weeks: int | None,
               ai: DecisionKind) -> Review:  # fmt: skip
        return Review(
            f"R-{sid}", sid, "Dr Rev", datetime(2026, 3, 5, tzinfo=UTC), ReviewOutcome.AMENDED,
            ICDRGrade.MODERATE if kind is DecisionKind.REFER else ICDRGrade.NONE, None,
            Decision(kind, months, weeks), kind, ai, "seen on the photograph",
        )  # fmt: skip

    store.add_review(review("S-routine", DecisionKind.REFER, 3, None, DecisionKind.ROUTINE))
    store.add_review(review("S-examine", DecisionKind.ROUTINE, 12, None, DecisionKind.EXAMINE))
    listed = {r.screening_id: r for r in store.referrals(date(2026, 3, 10))}
    assert set(listed) == {"S-refer", "S-urgent", "S-routine"}
    assert listed["S-routine"].kind is DecisionKind.REFER
    assert listed["S-routine"].due == date(2026, 6, 4)
    store.mark_referral("S-routine", ReferralOutcome.ATTENDED, "coordinator")
    with pytest.raises(StorageError, match="did not refer"):
        store.mark_referral("S-examine", ReferralOutcome.ATTENDED, "coordinator")
