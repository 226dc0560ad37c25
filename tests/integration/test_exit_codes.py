"""The README's exit-code table, run for real: every row's example gives its code, the
table lists exactly the ExitCode values, and no expected failure shows a traceback."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from retiscreen.errors import ExitCode
from tests.support.tiny_models import write_models, write_test_key

REPO = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| (\d) \| ([^|]+) \| `(retiscreen [^`]+)` \|$", re.M)


def readme_rows() -> list[tuple[int, str, str]]:
    section = (REPO / "README.md").read_text(encoding="utf-8")
    return [
        (int(code), meaning.strip(), example) for code, meaning, example in ROW.findall(section)
    ]


def test_the_table_lists_every_exit_code_once() -> None:
    assert sorted(code for code, _, _ in readme_rows()) == sorted(int(c) for c in ExitCode)


def run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    return subprocess.run(
        [sys.executable, "-m", "retiscreen", *argv[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder holding what the examples name (demo photograph, an empty file, an empty
    models folder, a file where a folder is expected), and an isolated environment."""
    (tmp_path / "assets" / "demo").mkdir(parents=True)
    (tmp_path / "assets" / "demo" / "retina_cc0.jpg").write_bytes(
        (REPO / "assets" / "demo" / "retina_cc0.jpg").read_bytes()
    )
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "empty").mkdir()
    (tmp_path / "not-a-folder.txt").write_text("a file, not a data folder")
    models = write_models(tmp_path / "models")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "app"), str(REPO)]),
        "RETISCREEN_CONFIG": str(tmp_path / "no-settings.toml"),
        "RETISCREEN_STORAGE_DATA_DIR": str(tmp_path / "data"),
        "RETISCREEN_MODELS_MODELS_DIR": str(models),
        "RETISCREEN_MODELS_TRUSTED_KEYS": str(write_test_key(tmp_path / "keys" / "test.pub.pem")),
        "QT_QPA_PLATFORM": "offscreen",
    }
    return tmp_path, env


@pytest.mark.parametrize(("code", "meaning", "example"), readme_rows())
def test_each_example_exits_with_its_code(
    workdir: tuple[Path, dict[str, str]], code: int, meaning: str, example: str
) -> None:
    cwd, env = workdir
    result = run(example, cwd, env)
    assert result.returncode == code, f"{example}: {result.stdout}{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr
    if code == ExitCode.USAGE:
        (line,) = result.stderr.strip().splitlines()
        assert "--help" in line


FAILURES = [
    # (what goes wrong, command, expected code, a word the one line must contain)
    ("unknown flag", "retiscreen grade --frobnicate x.jpg", ExitCode.USAGE, "--frobnicate"),
    ("unknown command", "retiscreen regrade x.jpg", ExitCode.USAGE, "regrade"),
    ("impossible date", "retiscreen screen --patient-id P --name N --dob 2099-01-01", 2, "future"),
    ("malformed date", "retiscreen screen --patient-id P --name N --dob 12/10/61", 2, "YYYY-MM-DD"),
    ("number out of range", "retiscreen history --limit 0", ExitCode.USAGE, "1 or more"),
    ("missing photograph", "retiscreen screen --patient-id P --name N --right no.jpg", 2, "no.jpg"),
    (
        "missing archive",
        "retiscreen restore --admin A nothing.tar.gz",
        ExitCode.USAGE,
        "nothing.tar.gz",
    ),
    ("no photograph at all", "retiscreen screen --patient-id P --name N", 2, "--right"),
    ("unknown screening", "retiscreen report S-NOPE --out r.pdf", ExitCode.STORAGE, "S-NOPE"),
    (
        "corrupt archive",
        "retiscreen restore --admin A --pin-stdin empty.jpg",
        ExitCode.FAILED,
        "not a sealed",
    ),
    ("bad setting", "retiscreen --config bad.toml history", ExitCode.USAGE, "refer_months"),
    ("bad setting, kiosk", "retiscreen --config bad.toml kiosk", ExitCode.USAGE, "refer_months"),
    ("kiosk, no records", "retiscreen --data-dir not-a-folder.txt kiosk", 4, "records"),
    ("no models", "retiscreen --models-dir empty validate --images . --labels bad.toml --out o",
     3, "unavailable"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "command", "code", "word"), FAILURES, ids=[f[0] for f in FAILURES]
)
def test_expected_failures_are_one_line_and_their_code(
    workdir: tuple[Path, dict[str, str]], what: str, command: str, code: int, word: str
) -> None:
    cwd, env = workdir
    (cwd / "bad.toml").write_text("[rules]\nrefer_months = 0\n")
    result = run(command, cwd, env)
    assert result.returncode == code, f"{what}: {result.stdout}{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr
    assert word in result.stderr, result.stderr
