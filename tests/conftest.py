"""Fixtures every test folder shares. The value builders (screenings, eyes, synthetic
photographs) are plain functions in ``tests/support/builders.py``; tiny real ONNX models
are written by ``tests/support/tiny_models.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retiscreen.pipeline import Pipeline
from retiscreen.store import ScreeningStore
from tests.support.tiny_models import TEST_KEYS, write_models


@pytest.fixture
def tiny_pipeline(tmp_path: Path) -> Pipeline:
    """The real pipeline over tiny real ONNX models (the grader says moderate DR)."""
    return Pipeline.from_models_dir(write_models(tmp_path / "models"), keys=TEST_KEYS)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ScreeningStore]:
    """A real SQLite store in a fresh data folder, closed afterwards."""
    s = ScreeningStore(tmp_path / "data", busy_timeout_s=0.5)
    yield s
    s.close()
