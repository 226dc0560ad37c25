"""What the packages say about their own contents: the CycloneDX SBOM of the bundled
environment, the DEP-5 copyright file with an SPDX licence for every bundled part, and
a build that installs only the locked, hash-checked dependencies.

Slow: on the session's build (tests/installer/conftest.py).
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest
from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

from retiscreen import __version__
from tests.support.debs import BUILD, REPO, Built, extract, run

pytestmark = pytest.mark.slow
LOCK = REPO / "installer" / "requirements" / "runtime.lock"
SITE = re.compile(r"opt/retiscreen/venv/lib/python3\.\d+/site-packages")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\\n]+)", LOCK.read_text(), re.M)
    return {normalise(name): version for name, version in pins}


def bundled(root: Path) -> dict[str, str]:
    """name → version of every distribution in the extracted bundle (its dist-info)."""
    site = next((root / "opt/retiscreen/venv/lib").glob("python3.*/site-packages"))
    found = {}
    for info in site.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        found[normalise(name)] = version
    return found


@pytest.fixture(scope="module")
def root(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract(tmp_path_factory.mktemp("root"), built.deb)


def test_the_sbom_lists_the_bundled_environment(root: Path) -> None:
    sbom = json.loads((root / "opt/retiscreen/sbom.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.6"
    product = sbom["metadata"]["component"]
    assert (product["name"], product["version"]) == ("retiscreen", __version__)
    listed = {normalise(c["name"]): c["version"] for c in sbom["components"]}
    shipped = bundled(root)
    shipped.pop("retiscreen")  # the product itself: the SBOM's metadata component
    assert listed == shipped  # every bundled distribution, at its bundled version
    for name in ("onnxruntime", "pyside6-essentials", "pyside6-addons", "numpy", "sqlcipher3"):
        assert name in listed, name
    assert "onnxruntime-gpu" not in listed and "pip" not in listed and "torch" not in listed
    pins = locked()
    assert {name: pins.get(name) for name in listed} == listed  # what the lock pinned
    purls = {c["name"]: c.get("purl", "") for c in sbom["components"]}
    assert purls["onnxruntime"] == f"pkg:pypi/onnxruntime@{listed['onnxruntime']}"


def paragraphs(text: str) -> list[dict[str, str]]:
    """DEP-5 paragraphs as {field: value} (continuation lines joined with newlines)."""
    out = []
    for block in text.strip().split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line[:1].isspace():
                fields[key] += "\n" + line.strip()
            else:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        out.append(fields)
    return out


def test_the_copyright_file_gives_every_bundled_part_an_spdx_licence(root: Path) -> None:
    text = (root / "usr/share/doc/retiscreen/copyright").read_text()
    header, *rest = paragraphs(text)
    assert header["Format"] == "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    files = [p for p in rest if "Files" in p]
    for paragraph in files:
        expression = paragraph["License"].split("\n")[0]
        try:
            assert canonicalize_license_expression(expression) == expression
        except InvalidLicenseExpression as exc:
            pytest.fail(f"{paragraph['Files'].split()[0]}: {exc}")
    assert files[0]["Files"] == "*" and files[0]["License"] == "LicenseRef-RetiScreen-Proprietary"
    # Every LicenseRef used has its text in a stand-alone License paragraph.
    texts = {p["License"].split("\n")[0] for p in rest if "Files" not in p}
    refs = set(re.findall(r"LicenseRef-[A-Za-z0-9.-]+", text))
    assert refs <= texts, refs - texts
    site = next((root / "opt/retiscreen/venv/lib").glob("python3.*/site-packages"))
    patterns = [
        pattern
        for p in files[1:]
        for pattern in p["Files"].split()
        if SITE.match(pattern.replace("python3*", "python3.0"))
    ]
    uncovered = []
    for info in site.glob("*.dist-info"):
        path = str((info / "METADATA").relative_to(root))
        if not any(fnmatch.fnmatch(path, pattern) for pattern in patterns):
            uncovered.append(info.name)
    assert uncovered == []
    licences = {
        p["Comment"].split()[0]: p["License"]
        for p in files
        if "bundled from PyPI" in p.get("Comment", "")
    }
    assert licences["onnxruntime"] == "MIT"
    assert licences["pylibjpeg-libjpeg"] == "GPL-3.0-only"  # as its licence file says
    assert "LGPL-3.0-only" in licences["PySide6_Essentials"]


def test_the_models_licence_is_stated(built: Built, tmp_path: Path) -> None:
    root = extract(tmp_path, built.models_deb)
    header, *rest = paragraphs((root / "usr/share/doc/retiscreen-models/copyright").read_text())
    assert "Format" in header
    models = next(p for p in rest if p.get("Files") == "*")
    assert canonicalize_license_expression(models["License"]) == models["License"]
    assert "research use" in models["Comment"]  # the training data's terms are said


def test_a_dependency_that_does_not_match_the_lock_stops_the_build(
    built: Built, tmp_path: Path
) -> None:
    """The lock's hashes are enforced: tqdm's (already in the wheel cache, so the build
    reaches the install step offline) replaced by another file's hash."""
    text = LOCK.read_text()
    block = re.search(r"^tqdm==\S+ \\\n(    --hash=sha256:[0-9a-f]{64}( \\)?\n)+", text, re.M)
    assert block is not None
    version = block.group(0).split()[0]
    bad = text.replace(block.group(0), f"{version} \\\n    --hash=sha256:{'0' * 64}\n")
    lock = tmp_path / "tampered.lock"
    lock.write_text(bad)
    out = tmp_path / "dist"
    result = run([BUILD, "--offline", "--lock", lock, "--out", out], timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode != 0, log[-3000:]
    assert "DO NOT MATCH THE HASHES" in log and "tqdm" in log, log[-3000:]
    assert not list(out.glob("*.deb"))
