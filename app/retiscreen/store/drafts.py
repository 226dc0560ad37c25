"""Unfinished screenings (drafts) kept for the operator who started them.

Why in the records and not in the kiosk's memory: a restart, a crash or a power cut
must not lose a patient's photographs (see :mod:`retiscreen.drafts` for what a draft
holds). The rules the store keeps:

* A draft's photographs are sealed like every stored photograph (file_cipher, the path
  authenticated), under ``drafts/<draft_id>/``; nothing about the patient is in the clear.
* Only its operator lists, opens or discards a draft.
* A draft is never a result: it lives in its own table, which the history, the exports,
  the site monitor and the over-read queue never read.
* Saving the screening removes the draft of the same id in the same transaction
  (:meth:`~retiscreen.store.screenings.ScreeningRecords.save_screening`), and a draft
  is never written for a screening already saved, so a finished screening cannot come
  back as a draft.
* Discarding and expiring are audited; the files go once the row is gone (a crash in
  between leaves unreferenced sealed files, swept at the next start).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from retiscreen.domain import Laterality
from retiscreen.store.audit import AuditLog, record_event
from retiscreen.store.files import StorageError
from retiscreen.store.values import checked_id, sha256_hex, utc_now

DRAFTS_FOLDER = "drafts"
log = logging.getLogger(__name__)


class DraftRecords(AuditLog):
    """The drafts of a :class:`~retiscreen.store.db.ScreeningStore`."""

    @property
    def drafts_dir(self) -> Path:
        return self.root / DRAFTS_FOLDER

    def save_draft(
        self,
        draft_id: str,
        operator: str,
        started_at: datetime,
        document: dict[str, Any],
        photographs: Mapping[str, tuple[bytes, str]],
        *,
        event: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> bool:
        """Keep (or replace) the draft ``draft_id``: its photographs first, then the row,
        and ``event`` in the audit log, all in one transaction. Returns False, writing
        nothing, when a screening of that id is already saved."""
        sid = checked_id(draft_id, "draft id")
        document = json.loads(json.dumps(document))  # the caller's copy stays as it was
        folder = self.drafts_dir / sid
        with self._write(f"the unfinished screening {sid} was NOT kept") as files:
            if self._exists("SELECT 1 FROM screenings WHERE screening_id = ?", [sid]):
                return False
            for key, photo in photo_entries(document):
                data, sha256 = photographs[key]
                if sha256_hex(data) != sha256 or photo.get("sha256") != sha256:
                    raise StorageError(
                        f"The {key} eye photograph changed in memory after it was "
                        "checked: the unfinished screening was NOT kept.",
                        reason="invalid",
                    )
                target = folder / f"{key}-{sha256[:16]}.sealed"
                photo["stored_file"] = target.relative_to(self.root).as_posix()
                if target.exists():  # the same photograph, kept before
                    continue
                files.make_directory(self.drafts_dir, what="the unfinished screenings")
                files.make_directory(folder, what=f"the unfinished screening {sid}")
                files.write(target, self._sealed(target, data), what=f"the draft {sid}")
            self._db.execute(
                "INSERT INTO drafts (draft_id, operator, started_at, saved_at, document_json)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(draft_id) DO UPDATE SET"
                " saved_at = excluded.saved_at, document_json = excluded.document_json",
                [sid, operator, started_at.isoformat(), utc_now(), json.dumps(document)],
            )
            if event is not None:
                record_event(self._db, event, sid, operator, detail or {})
        self._remove_unreferenced(sid, _stored_files(document))
        return True

    def drafts_of(self, operator: str) -> list[tuple[dict[str, Any], datetime]]:
        """The operator's drafts, newest first: each stored document and when it was
        kept (no photograph is read)."""
        rows = self._rows(
            "SELECT document_json, saved_at FROM drafts WHERE operator = ?"
            " ORDER BY saved_at DESC, draft_id DESC",
            [operator],
        )
        return [
            (json.loads(r["document_json"]), datetime.fromisoformat(r["saved_at"])) for r in rows
        ]

    def load_draft(self, draft_id: str, operator: str) -> tuple[dict[str, Any], dict[str, bytes]]:
        """A draft's document and its photographs (decrypted, by
        :func:`~retiscreen.drafts.photo_key`), for its operator only. Raises
        StorageError (not_found) for another operator's or a missing draft."""
        document = self._document(draft_id, operator)
        photographs = {}
        for key, photo in photo_entries(document):
            what = f"the {key} eye photograph of the unfinished screening"
            photographs[key] = self._read_stored(str(photo["stored_file"]), what)
        return document, photographs

    def discard_draft(
        self, draft_id: str, operator: str, why: str, *, event: str = "draft_discarded"
    ) -> bool:
        """Remove the operator's draft and its files (audited with ``why``); False when
        there is none of that id for them."""
        with self._write(f"the unfinished screening {draft_id} was NOT discarded"):
            rows = self._query(
                "SELECT document_json FROM drafts WHERE draft_id = ? AND operator = ?",
                [draft_id, operator],
            )
            if not rows:
                return False
            document = json.loads(rows[0]["document_json"])
            self._db.execute("DELETE FROM drafts WHERE draft_id = ?", [draft_id])
            record_event(self._db, event, draft_id, operator, _about(document, why))
        self._remove_unreferenced(draft_id, set())
        return True

    def expire_drafts(self, kept_before: str) -> list[dict[str, Any]]:
        """Remove every draft last kept before ``kept_before`` (UTC ISO text), each
        audited as ``draft_expired``; returns their documents."""
        with self._write("the expired unfinished screenings were NOT removed"):
            rows = self._query(
                "SELECT draft_id, operator, document_json FROM drafts WHERE saved_at < ?",
                [kept_before],
            )
            for row in rows:
                self._db.execute("DELETE FROM drafts WHERE draft_id = ?", [row["draft_id"]])
                record_event(
                    self._db,
                    "draft_expired",
                    row["draft_id"],
                    row["operator"],
                    _about(json.loads(row["document_json"]), "kept longer than allowed"),
                )
        for row in rows:
            self._remove_unreferenced(row["draft_id"], set())
        return [json.loads(row["document_json"]) for row in rows]

    def sweep_draft_files(self) -> None:
        """Remove draft folders no draft refers to (a crash between a removal and its
        files going, or a rolled-back keep)."""
        if not self.drafts_dir.is_dir():
            return
        kept = {row["draft_id"] for row in self._rows("SELECT draft_id FROM drafts")}
        for folder in self.drafts_dir.iterdir():
            if folder.is_dir() and folder.name not in kept:
                shutil.rmtree(folder, ignore_errors=True)

    def _document(self, draft_id: str, operator: str) -> dict[str, Any]:
        rows = self._rows(
            "SELECT document_json FROM drafts WHERE draft_id = ? AND operator = ?",
            [draft_id, operator],
        )
        if not rows:
            raise StorageError(
                "This unfinished screening is no longer kept (finished, discarded or expired).",
                reason="not_found",
            )
        document: dict[str, Any] = json.loads(rows[0]["document_json"])
        return document

    def _remove_unreferenced(self, draft_id: str, keep: set[str]) -> None:
        """After the commit: the draft's files no row refers to any more."""
        folder = self.drafts_dir / draft_id
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            if path.relative_to(self.root).as_posix() not in keep:
                path.unlink(missing_ok=True)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def complete_draft(db: sqlite_utils.Database, screening_id: str, operator: str) -> bool:
    """Inside a screening's save: the draft of the same id (if any) goes, audited. Its
    files are removed after the commit (:func:`remove_draft_files`)."""
    if (
        db.conn.execute("SELECT 1 FROM drafts WHERE draft_id = ?", [screening_id]).fetchone()
        is None
    ):
        return False
    db.execute("DELETE FROM drafts WHERE draft_id = ?", [screening_id])
    record_event(db, "draft_completed", screening_id, operator, {})
    return True


def remove_draft_files(root: Path, draft_id: str) -> None:
    """The folder of a draft whose row is gone."""
    shutil.rmtree(root / DRAFTS_FOLDER / draft_id, ignore_errors=True)


def photo_entries(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, the photograph's record) of each photograph a kept draft holds: each eye's
    ("right"), and a two-field eye's macula-centred field's ("right-macula"), the keys
    of :func:`retiscreen.drafts.photo_key`."""
    for eye in document.get("eyes", []):
        side = Laterality(eye["laterality"]).value
        if eye.get("photo"):
            yield side, eye["photo"]
        macula = eye.get("macula") or {}
        if macula.get("photo"):
            yield f"{side}-macula", macula["photo"]


def _stored_files(document: dict[str, Any]) -> set[str]:
    return {
        str(photo["stored_file"])
        for _, photo in photo_entries(document)
        if photo.get("stored_file")
    }


def _about(document: dict[str, Any], why: str) -> dict[str, Any]:
    """The audit detail of a draft that goes: whose it was, how far it got, and why."""
    patient = document.get("patient") or {}
    return {
        "patient_id": patient.get("patient_id"),
        "photographs": sum(1 for _ in photo_entries(document)),
        "why": why,
    }
