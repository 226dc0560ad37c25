"""Fixtures every test folder shares. The value builders (screenings, eyes, synthetic
photographs) are plain functions in ``tests/support/builders.py``; tiny real ONNX models
are written by ``tests/support/tiny_models.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retiscreen.pipeline import Pipeline
from retiscreen.store import ScreeningStore
from tests.support.tiny_models import TEST_KEYS, write_models, write_test_key


@pytest.fixture
def tiny_pipeline(tmp_path: Path) -> Pipeline:
    """The real pipeline over tiny real ONNX models (the grader says moderate DR)."""
    return Pipeline.from_models_dir(write_models(tmp_path / "models"), keys=TEST_KEYS)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``retiscreen`` commands in ``tmp_path``: no settings file, records in ``data``,
    tiny signed models in ``models`` (their key trusted), no printer."""
    monkeypatch.setenv("RETISCREEN_CONFIG", str(tmp_path / "no-settings.toml"))
    monkeypatch.setenv("RETISCREEN_STORAGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RETISCREEN_MODELS_MODELS_DIR", str(write_models(tmp_path / "models")))
    monkeypatch.setenv(
        "RETISCREEN_MODELS_TRUSTED_KEYS", str(write_test_key(tmp_path / "keys" / "test.pub.pem"))
    )
    monkeypatch.setenv("RETISCREEN_REPORT_PRINTER", "retiscreen-no-such-printer")
    return tmp_path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ScreeningStore]:
    """A real SQLite store in a fresh data folder, closed afterwards."""
    s = ScreeningStore(tmp_path / "data", busy_timeout_s=0.5)
    yield s
    s.close()
