"""Building and looking into the .deb packages, for the installer tests.

Why one module: the build takes a minute or more, so every installer test module shares
one build (the session fixture in tests/installer/conftest.py), and reads the packages
with the same few dpkg-deb helpers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from retiscreen import __version__
from retiscreen.grading.model import read_card, sha256_file

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "installer" / "build"
SYSTEM_PYTHON = Path("/usr/bin/python3")
TINY_MODELS_VERSION = "0.0.1"


@dataclass(frozen=True)
class Built:
    deb: Path
    kiosk_deb: Path
    models_deb: Path
    real_models: bool
    log: str
    seconds: float


def run(
    args: list[str | Path],
    timeout: float = 600,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: int | None = subprocess.DEVNULL,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
        cwd=cwd,
        stdin=stdin,
    )


def missing_build_tools() -> str | None:
    """Why the build cannot run here (None when it can)."""
    if shutil.which("dpkg-deb") is None or shutil.which("readelf") is None:
        return "dpkg-deb or readelf is missing (apt-get install dpkg-dev)"
    if not SYSTEM_PYTHON.exists() or run([SYSTEM_PYTHON, "-c", "import ensurepip"]).returncode:
        return "the Debian python3 with venv is missing (apt-get install python3-venv)"
    return None


def real_models_present() -> bool:
    card = REPO / "models" / "grader.card.json"
    try:
        return (
            all(
                sha256_file(c.parent / read_card(c).file) == read_card(c).sha256
                for c in (REPO / "models").glob("*.card.json")
            )
            and card.exists()
        )
    except Exception:
        return False


def build(out: Path, models: Path | None) -> Built:
    """Run installer/build into ``out`` (``models``: a models folder instead of the
    checkout's, then versioned TINY_MODELS_VERSION)."""
    args: list[str | Path] = [BUILD, "--out", out]
    if models is not None:
        args += ["--models", models, "--models-version", TINY_MODELS_VERSION]
    start = time.monotonic()
    result = run(args, timeout=1200)
    elapsed = time.monotonic() - start
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    models_deb = [Path(line) for line in result.stdout.split() if "retiscreen-models_" in line]
    assert len(models_deb) == 1, result.stdout
    return Built(
        out / f"retiscreen_{__version__}_{arch()}.deb",
        out / f"retiscreen-kiosk_{__version__}_all.deb",
        models_deb[0],
        models is None,
        log,
        elapsed,
    )


def clean_env(home: Path) -> dict[str, str]:
    """No RETISCREEN_* or PYTHON* from the developer's shell; no display."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RETISCREEN_", "PYTHON", "VIRTUAL_ENV", "QT_"))
    }
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8")
    return env


def arch() -> str:
    return run(["dpkg", "--print-architecture"]).stdout.strip()


def control(deb: Path) -> dict[str, str]:
    text = run(["dpkg-deb", "-f", deb]).stdout
    fields: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if line[:1].isspace() and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


def contents(deb: Path) -> dict[str, str]:
    """path → the `dpkg-deb -c` line (mode, owner, size, ...)."""
    listing: dict[str, str] = {}
    for line in run(["dpkg-deb", "-c", deb]).stdout.splitlines():
        path = line.split(maxsplit=5)[5].split(" -> ")[0]
        listing[path.removeprefix(".")] = line
    return listing


def extract(root: Path, *debs: Path) -> Path:
    """``dpkg-deb -x`` each package into ``root`` (as dpkg would lay them out)."""
    for deb in debs:
        result = run(["dpkg-deb", "-x", deb, root])
        assert result.returncode == 0, result.stderr
    return root
