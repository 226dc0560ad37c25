"""Write the package's machine-readable debian/copyright (DEP-5) from the bundle's SBOM.

Why generated: the bundle holds some forty third-party distributions whose versions the
lock file moves; a hand-kept list would drift. Each distribution in the CycloneDX SBOM
(``cyclonedx-py environment``) gets a ``Files:`` paragraph covering what it installed
(its RECORD's top-level entries that are still in the pruned bundle) and a ``License:``
that is an SPDX expression: the one its metadata declares (``License-Expression``, or an
SPDX id that cyclonedx-py derived from it), else the one in ``installer/licenses.txt``,
which is written down by hand from the distribution's own licence files. A licence that
is neither, or an expression that is not valid SPDX, stops the build (as an unknown
soname does), so nothing ships with an unstated licence.

Run by installer/build with the build-tools interpreter (it has ``license-expression``):

    python installer/copyright.py SBOM SITE_PACKAGES TEMPLATE OVERRIDES >copyright
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

from license_expression import Licensing, get_spdx_licensing

PLACEHOLDER = "@BUNDLED_DISTRIBUTIONS@"
SITE_IN_PACKAGE = "opt/retiscreen/venv/lib/python3*/site-packages"


def normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of ``-_.`` as one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_overrides(path: Path) -> dict[str, str]:
    """``name  expression`` lines (``#`` comments), name normalised."""
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, expression = line.split(maxsplit=1)
            table[normalise(name)] = expression.strip()
    return table


def declared(component: dict[str, object]) -> str | None:
    """The SPDX expression the SBOM carries for ``component``, if it carries one."""
    parts = []
    for entry in component.get("licenses", []) or []:  # type: ignore[union-attr]
        if "expression" in entry:
            parts.append(str(entry["expression"]))
        elif "id" in entry.get("license", {}):
            parts.append(str(entry["license"]["id"]))
        else:
            return None  # a free-text name or a classifier: not SPDX
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else " AND ".join(f"({p})" for p in parts)


def installed_tops(site: Path, name: str, version: str) -> list[str]:
    """The DEP-5 ``Files:`` patterns for one distribution (relative to the root)."""
    wanted = normalise(name)
    for info in site.glob("*.dist-info"):
        stem = info.name.removesuffix(".dist-info")
        dist, _, dist_version = stem.rpartition("-")
        if normalise(dist) == wanted and dist_version == version:
            break
    else:
        raise SystemExit(f"copyright: no {name} {version} dist-info in {site}")
    tops = {info.name}
    record = info / "RECORD"
    rows = csv.reader(record.read_text(encoding="utf-8").splitlines()) if record.exists() else []
    for row in rows:
        first = row[0].split("/", 1)[0]
        if row and not first.startswith("..") and first != "__pycache__":
            tops.add(first)
    patterns = []
    for top in sorted(tops):
        path = site / top
        if path.is_dir():
            patterns.append(f"{SITE_IN_PACKAGE}/{top}/*")
        elif path.exists():
            patterns.append(f"{SITE_IN_PACKAGE}/{top}")
    return patterns


def spdx_problem(licensing: Licensing, expression: str) -> str | None:
    """Why ``expression`` is not a valid SPDX expression (None when it is). Identifiers
    must be spelt as SPDX spells them; ``LicenseRef-*`` names are allowed."""
    result = licensing.validate(expression, strict=True)
    unknown = [s for s in result.invalid_symbols if not str(s).startswith("LicenseRef-")]
    if unknown or (result.errors and not result.invalid_symbols):
        return f"{expression!r} is not an SPDX expression ({'; '.join(result.errors)})"
    if not result.invalid_symbols and result.normalized_expression != expression:
        return f"{expression!r}: SPDX spells it {result.normalized_expression!r}"
    return None


def paragraphs(sbom: dict[str, object], site: Path, overrides: dict[str, str]) -> list[str]:
    licensing = get_spdx_licensing()
    out, problems = [], []
    components = sorted(sbom.get("components", []), key=lambda c: normalise(c["name"]))  # type: ignore[arg-type,index]
    for component in components:
        name, version = component["name"], component["version"]
        expression = overrides.get(normalise(name)) or declared(component)
        source = "installer/licenses.txt" if normalise(name) in overrides else "its metadata"
        if expression is None:
            problems.append(f"{name} {version}: no SPDX licence (add it to installer/licenses.txt)")
            continue
        problem = spdx_problem(licensing, expression)
        if problem:
            problems.append(f"{name} {version}: {problem}")
            continue
        files = "\n       ".join(installed_tops(site, name, version))
        out.append(
            f"Files: {files}\n"
            f"Copyright: the {name} authors (see its *.dist-info folder)\n"
            f"License: {expression}\n"
            f"Comment: {name} {version}, bundled from PyPI; licence from {source}; the\n"
            f" licence texts are in its *.dist-info folder."
        )
    if problems:
        raise SystemExit("copyright: " + "\n".join(problems))
    return out


def main(argv: list[str]) -> None:
    sbom_path, site, head, overrides = map(Path, argv)  # head: the template
    sbom = json.loads(sbom_path.read_text(encoding="utf-8"))
    body = paragraphs(sbom, site, read_overrides(overrides))
    # The template's "Files: *" comes before the bundled distributions and its asset
    # paragraphs after them: in DEP-5 the last paragraph that matches a file wins.
    template = head.read_text(encoding="utf-8")
    if PLACEHOLDER not in template:
        raise SystemExit(f"copyright: {head} has no {PLACEHOLDER} paragraph")
    sys.stdout.write(template.replace(PLACEHOLDER, "\n\n".join(body)))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(sys.argv[1:])
