"""A damaged database is refused before anything more is saved into it, at start and at
every save, with a message that says what to do; what it already holds is not touched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retiscreen.errors import ExitCode, StorageError
from retiscreen.pipeline import Pipeline
from retiscreen.service import ScreeningService
from retiscreen.settings import Settings, StorageSettings
from tests.support.builders import screening
from tests.support.records import damaged_records, records_db

REPO = Path(__file__).resolve().parents[2]


def screenings_in(root: Path) -> int:
    with records_db(root / "retiscreen.db") as conn:
        count = int(conn.execute("SELECT count(*) FROM screenings").fetchone()[0])
    conn.close()
    return count


def test_a_damaged_database_is_refused_at_start(tmp_path: Path, tiny_pipeline: Pipeline) -> None:
    root = damaged_records(tmp_path / "data")
    service = ScreeningService(Settings(storage=StorageSettings(str(root))), tiny_pipeline)
    with pytest.raises(StorageError) as raised:
        service.open()
    assert raised.value.reason == "corrupt"
    assert "restore the last backup (retiscreen restore)" in str(raised.value)
    service.close()


def test_nothing_is_saved_into_a_database_damaged_while_running(
    tmp_path: Path, tiny_pipeline: Pipeline
) -> None:
    root = tmp_path / "data"
    service = ScreeningService(Settings(storage=StorageSettings(str(root))), tiny_pipeline)
    service.open()
    service.close()
    damaged_records(root)
    before = screenings_in(root)
    service = ScreeningService(Settings(storage=StorageSettings(str(root))), tiny_pipeline)
    with pytest.raises(StorageError, match="restore the last backup"):
        service.record(screening(screening_id="S-AFTER-DAMAGE"))
    service.close()
    assert screenings_in(root) == before


def test_the_kiosk_does_not_start_on_damaged_records(tmp_path: Path) -> None:
    root = damaged_records(tmp_path / "data")
    result = subprocess.run(
        [sys.executable, "-m", "retiscreen", "kiosk", "--windowed", "--data-dir", str(root)],
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": f"{REPO / 'app'}:{REPO}",
            "QT_QPA_PLATFORM": "offscreen",
            "RETISCREEN_CONFIG": str(tmp_path / "none.toml"),
            "HOME": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == ExitCode.STORAGE, result.stderr
    assert "The records database is damaged" in result.stderr
    assert "Traceback" not in result.stderr
    assert "retiscreen restore" in result.stderr
