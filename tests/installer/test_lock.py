"""The dependency locks are current: generated from pyproject.toml, every requirement
pinned at a version it allows, every pin with hashes (pip --require-hashes needs them
all). Fast: reads files only; the build test proves pip installs from them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]

REQUIREMENTS = REPO / "installer" / "requirements"
sys.path.insert(0, str(REPO / "installer"))
import requirements as generator  # noqa: E402  (installer/requirements.py)

KINDS = ("runtime", "runtime-gpu", "build-tools")
PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)",
    re.M,
)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(kind: str) -> dict[str, str]:
    text = (REQUIREMENTS / f"{kind}.lock").read_text()
    found = {normalise(m.group(1)): m.group(2) for m in PIN.finditer(text)}
    every = re.findall(r"^[A-Za-z0-9][A-Za-z0-9._-]*==", text, re.M)
    assert len(found) == len(every), f"{kind}.lock: a pin without hashes"
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_the_lock_inputs_are_generated_from_pyproject(kind: str) -> None:
    assert (REQUIREMENTS / f"{kind}.in").read_text() == generator.document(kind), (
        f"installer/requirements/{kind}.in is stale: run installer/lock"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_requirement_is_pinned_at_a_version_it_allows(kind: str) -> None:
    locked = pins(kind)
    lines = generator.document(kind).splitlines()
    for line in lines:
        if not line or line.startswith("#"):
            continue
        requirement = Requirement(line)
        name = normalise(requirement.name)
        assert name in locked, f"{kind}.lock lacks {name}: run installer/lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{kind}.lock pins {name}=={locked[name]}, pyproject asks {requirement.specifier}"
        )


def test_the_cpu_and_gpu_bundles_differ_only_in_onnxruntime() -> None:
    cpu, gpu = pins("runtime"), pins("runtime-gpu")
    assert cpu.pop("onnxruntime") == gpu.pop("onnxruntime-gpu")
    assert cpu == gpu
    assert "torch" not in cpu and "pytest" not in cpu


def test_the_build_installs_from_the_locks_only() -> None:
    build = (REPO / "installer" / "build").read_text()
    installs = [
        line.strip()
        for line in build.splitlines()
        if re.search(r"pip\"? (install|download|wheel)|-m pip (install|download|wheel)", line)
    ]
    assert installs, "no pip call found in installer/build"
    for line in installs:
        if "--no-deps" in line:  # the retiscreen wheel itself, built from this checkout
            assert "app-wheel" in line, line
        else:
            assert "--require-hashes" in line, line
