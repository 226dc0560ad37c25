"""Fixtures for the kiosk tests: a real window over a real service, no camera needed.

Every test gets its own data folder (real SQLite), a file-backed camera folder, and
the real ONNX runtime with either the trained models in models/ (when
models/grader.card.json exists) or tiny test models built here; ``MODELS_USED`` says
which, and each test that grades records it as a property.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from retiscreen.accounts import AccountBook, Role
from retiscreen.grading.signing import trusted_keys
from retiscreen.pipeline import Pipeline
from retiscreen.service import ScreeningService
from retiscreen.settings import (
    CaptureSettings,
    KioskSettings,
    ModelSettings,
    ReportSettings,
    Settings,
    StorageSettings,
)
from retiscreen.ui.app import build_window
from retiscreen.ui.window import KioskWindow
from tests.integration.cups_fixture import cups_queue
from tests.support.tiny_models import TEST_KEYS, write_models, write_test_key

__all__ = ["cups_queue"]  # the real-CUPS fixture, for the printer-state tests

REPO = Path(__file__).resolve().parents[2]
TRAINED = REPO / "models"
MODELS_USED = (
    "trained models in models/"
    if (TRAINED / "grader.card.json").exists()
    else "tiny test models (tests/support/tiny_models.py)"
)
ADMIN = ("Ada Admin", "246813")
ADMIN_PIN = ADMIN[1]
OPERATOR = ("Ana", "4821")


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if (TRAINED / "grader.card.json").exists():
        return TRAINED
    return write_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def pipeline(models_dir: Path) -> Pipeline:
    """Loaded once: loading ONNX models is the slow part of starting a kiosk."""
    return Pipeline.from_models_dir(
        models_dir, prefer_gpu=False, keys=[*trusted_keys(), *TEST_KEYS]
    )


@pytest.fixture
def camera_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "camera"
    folder.mkdir()
    return folder


@pytest.fixture
def make_settings(tmp_path: Path, models_dir: Path, camera_dir: Path) -> Callable[..., Settings]:
    def make(**sections: object) -> Settings:
        settings = Settings(
            storage=StorageSettings(str(tmp_path / "data")),
            models=ModelSettings(
                models_dir=str(models_dir),
                prefer_gpu=False,
                trusted_keys=str(write_test_key(tmp_path / "keys" / "test.pub.pem")),
            ),
            capture=CaptureSettings(max_retakes=1, camera=f"file:{camera_dir}"),
            kiosk=KioskSettings(fullscreen=False, idle_timeout_s=600),
            report=ReportSettings(printer="retiscreen-missing-queue"),
        )
        for name, value in sections.items():
            if isinstance(value, dict):
                value = replace(getattr(settings, name), **value)
            settings = replace(settings, **{name: value})
        return settings

    return make


@pytest.fixture
def open_kiosk(
    qtbot: object, tmp_path: Path, pipeline: Pipeline
) -> Iterator[Callable[..., KioskWindow]]:
    """Opens kiosk windows over a real service; closes them (and the database) after."""
    opened: list[tuple[KioskWindow, ScreeningService]] = []

    def open_window(
        settings: Settings, demo: bool = False, operator: bool = True, admin: bool = True
    ) -> KioskWindow:
        pipeline.rules = settings.rules
        service = ScreeningService(settings, pipeline=pipeline)
        if admin and not service.store.account(ADMIN[0]):
            AccountBook(service.store).add(ADMIN[0], Role.ADMIN, ADMIN[1], by="test")
        window = build_window(
            settings, service, demo=demo, path=tmp_path / "settings.toml", watch_settle_s=0.2
        )
        if operator:
            window.ctx.accounts.add(OPERATOR[0], Role.OPERATOR, OPERATOR[1], by="test")
        window.resize(1280, 800)
        window.show()
        opened.append((window, service))
        return window

    yield open_window
    for window, service in opened:
        window.allow_close = True
        window.close()
        window.deleteLater()
        service.store.close()
