"""The bundle's top-level requirements, read from pyproject.toml.

Why a module and not a list kept by hand: pyproject.toml stays the one place where a
dependency is declared. This prints what the .deb bundles (the runtime dependencies,
the ``gui`` extra, and onnxruntime as the CPU wheel, or ``onnxruntime-gpu`` with
``--gpu``) as a pip-compile input; ``installer/lock`` pins it, with hashes, into
``installer/requirements/runtime[-gpu].lock``, which ``installer/build`` installs with
``--require-hashes``. The build tools (setuptools, wheel, the SBOM generator) are
listed here too, so that they are pinned the same way.

    python3 installer/requirements.py runtime|runtime-gpu|build-tools [PYPROJECT]
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
HEADER = (
    "# Generated from pyproject.toml by installer/lock (installer/requirements.py): do not edit.\n"
)
BUILD_TOOLS = (
    # The retiscreen wheel is built with these (no build isolation: nothing unpinned).
    "setuptools>=77",  # PEP 639 licence expressions in [project]
    "wheel",
    # The CycloneDX SBOM of the bundled environment (`cyclonedx-py environment`).
    "cyclonedx-bom>=7",
)
ONNXRUNTIME = "onnxruntime>=1.20"
ONNXRUNTIME_GPU = "onnxruntime-gpu>=1.20"


def name(requirement: str) -> str:
    """The distribution name of a PEP 508 requirement, lower-case."""
    return re.split(r"[ ;<>=!~\[]", requirement, maxsplit=1)[0].lower()


def runtime(pyproject: Path = PYPROJECT, gpu: bool = False) -> list[str]:
    """What the bundle installs: every dependency except the platform-dependent
    onnxruntime pair, the ``gui`` extra, then the one onnxruntime wheel chosen."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = [r for r in project["dependencies"] if not name(r).startswith("onnxruntime")]
    requirements += project.get("optional-dependencies", {}).get("gui", [])
    requirements.append(ONNXRUNTIME_GPU if gpu else ONNXRUNTIME)
    return requirements


def document(kind: str, pyproject: Path = PYPROJECT) -> str:
    """The pip-compile input for ``kind`` (runtime, runtime-gpu or build-tools)."""
    if kind == "build-tools":
        lines = list(BUILD_TOOLS)
    elif kind in ("runtime", "runtime-gpu"):
        lines = runtime(pyproject, gpu=kind == "runtime-gpu")
    else:
        raise SystemExit(f"requirements.py: unknown kind {kind!r}")
    return HEADER + "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    sys.stdout.write(document(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) == 3 else PYPROJECT))
