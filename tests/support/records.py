"""Damaging a real database file the way a failing disk does, for the tests that must
see RetiScreen refuse it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retiscreen.keyfiles import RECORDS_KEY_FILENAME, records_key
from retiscreen.store import ScreeningStore, driver
from tests.support.builders import make_screening


def records_db(db: Path | str, **options: Any) -> driver.Connection:
    """The records database file ``db`` opened directly (with its folder's key), for
    tests that edit it behind RetiScreen's back as an attacker or a failing disk would."""
    folder = next(
        (f for f in Path(db).parents if (f / RECORDS_KEY_FILENAME).exists()), Path(db).parent
    )
    return driver.connect(db, records_key(folder), **options)


def damaged_records(root: Path, screenings: int = 12) -> Path:
    """A data folder whose database opens but fails SQLite's quick check: the first page
    of the photographs table is overwritten with a b-tree header no SQLite wrote."""
    with ScreeningStore(root) as store:
        for number in range(screenings):
            store.save_screening(make_screening(f"S-{number}", patient_id=f"P-{number}"))
    db = root / "retiscreen.db"
    with records_db(db) as conn:
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        (root_page,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'eye_images'"
        ).fetchone()
    conn.close()
    data = bytearray(db.read_bytes())
    start = (root_page - 1) * page_size
    data[start : start + 64] = bytes(range(7, 71))
    db.write_bytes(bytes(data))
    return root
