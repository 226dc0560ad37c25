"""The two settings files of an installed kiosk: root's file in /etc and the override
the administration screen saves into (the service may not write /etc), and where the
installed bundle finds the models package."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from retiscreen.backup.records import ADMIN_SETTINGS_FILENAME
from retiscreen.backup.restore import records_in
from retiscreen.settings import (
    OVERRIDE_VARIABLE,
    SettingsError,
    load_settings,
    override_file,
    packaged_dir,
)
from retiscreen.ui.settings_file import save_changes, settings_path, underlying_file


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    etc = tmp_path / "etc" / "settings.toml"
    etc.parent.mkdir()
    etc.write_text(
        '[clinic]\nname = "North clinic"\nphone = "555-0100"\n\n[rules]\nrefer_months = 6\n'
    )
    return etc, tmp_path / "state" / ADMIN_SETTINGS_FILENAME


def test_the_override_wins_and_the_environment_wins_over_both(files: tuple[Path, Path]) -> None:
    etc, override = files
    override.parent.mkdir()
    override.write_text('[clinic]\nphone = "555-0199"\n')
    environ = {"RETISCREEN_CONFIG": str(etc), OVERRIDE_VARIABLE: str(override)}
    settings = load_settings(environ=environ)
    assert settings.clinic.name == "North clinic"  # only in /etc: kept
    assert settings.clinic.phone == "555-0199"  # in both: the override's
    env_wins = load_settings(environ={**environ, "RETISCREEN_CLINIC_PHONE": "555-0111"})
    assert env_wins.clinic.phone == "555-0111"
    assert load_settings(environ={"RETISCREEN_CONFIG": str(etc)}).clinic.phone == "555-0100"


def test_a_missing_override_is_no_override(files: tuple[Path, Path]) -> None:
    etc, override = files
    environ = {"RETISCREEN_CONFIG": str(etc), OVERRIDE_VARIABLE: str(override)}
    assert load_settings(environ=environ).clinic.phone == "555-0100"
    assert override_file({}) is None and override_file(environ) == override


def test_a_bad_override_is_refused_naming_it(files: tuple[Path, Path]) -> None:
    etc, override = files
    override.parent.mkdir()
    override.write_text("[kiosk]\nidle_timeout_s = 5\n")
    with pytest.raises(SettingsError, match="idle_timeout_s"):
        load_settings(environ={"RETISCREEN_CONFIG": str(etc), OVERRIDE_VARIABLE: str(override)})
    override.write_text("[nonsense]\nx = 1\n")
    with pytest.raises(SettingsError, match=ADMIN_SETTINGS_FILENAME):
        load_settings(environ={"RETISCREEN_CONFIG": str(etc), OVERRIDE_VARIABLE: str(override)})


def test_the_admin_screen_saves_into_the_override_and_never_touches_etc(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    etc, override = files
    monkeypatch.setenv("RETISCREEN_CONFIG", str(etc))
    monkeypatch.setenv(OVERRIDE_VARIABLE, str(override))
    before = etc.read_bytes()
    target = settings_path()
    assert target == override and underlying_file(target) == etc
    save_changes(target, {"clinic": {"phone": "555-0123"}}, base=underlying_file(target))
    assert etc.read_bytes() == before
    assert tomllib.loads(override.read_text()) == {"clinic": {"phone": "555-0123"}}
    settings = load_settings()
    assert (settings.clinic.name, settings.clinic.phone) == ("North clinic", "555-0123")


def test_a_change_checked_together_with_the_file_beneath_it(files: tuple[Path, Path]) -> None:
    etc, override = files
    # urgent (2 weeks) < refer <= rescreen must hold across both files: rescreen 4 months
    # with /etc's refer_months = 6 is refused, though fine in the override alone.
    with pytest.raises(SettingsError, match="rescreen"):
        save_changes(override, {"rules": {"rescreen_months": 4}}, base=etc)
    assert not override.exists()
    save_changes(override, {"rules": {"rescreen_months": 4}})  # alone: allowed
    assert override.exists()


def test_without_an_override_the_settings_file_is_saved(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    etc, _ = files
    monkeypatch.setenv("RETISCREEN_CONFIG", str(etc))
    monkeypatch.delenv(OVERRIDE_VARIABLE, raising=False)
    assert settings_path() == etc and underlying_file(etc) is None


def test_the_override_is_configuration_not_records(tmp_path: Path) -> None:
    (tmp_path / ADMIN_SETTINGS_FILENAME).write_text("[clinic]\n")
    assert records_in(tmp_path) == []  # a restore into this kiosk is not refused for it
    (tmp_path / "retiscreen.db").write_bytes(b"")
    assert records_in(tmp_path) == ["retiscreen.db"]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("/opt/retiscreen/venv", "/usr/share/retiscreen/models"),
        ("/tmp/x/root/opt/retiscreen/venv", "/tmp/x/root/usr/share/retiscreen/models"),
        ("/work/main/.venv", None),
        ("/opt/other/venv", None),
    ],
)
def test_the_installed_bundle_finds_the_models_package(prefix: str, expected: str | None) -> None:
    found = packaged_dir("models", prefix)
    assert (str(found) if found else None) == expected
