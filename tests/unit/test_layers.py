"""The layers of the house, checked on the source: an AST scan of every module.

- Qt lives only in the user interface: only ``ui/`` and the Qt adapters in ``capture/``
  (modules named ``qt_*.py``) may import PySide6 (or shiboken6), so the core imports and
  runs without it.
- The user interface holds no clinical logic and reaches records and models only
  through :mod:`retiscreen.service`: nothing under ``ui/`` imports the store, the
  grading models, the pipeline, the quality gate or onnxruntime.
- The domain module imports nothing beyond the standard library at run time.

A plain text search would miss ``from PySide6 import ...`` inside a function and would
trip on a docstring that merely mentions Qt, hence the AST.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "retiscreen"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def qt_allowed(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    if relative.parts[0] == "ui":
        return True
    return relative.parts[0] == "capture" and relative.name.startswith("qt_")


UI_FORBIDDEN = (
    "retiscreen.store",
    "retiscreen.grading",
    "retiscreen.pipeline",
    "retiscreen.imaging.quality",
    "onnxruntime",
)
UI_ALLOWED = ("retiscreen.store.files",)
"""The atomic-write helper: a file-system utility (settings and operators files), not
the records."""


def imports(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, module) of every import in ``path``, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names = [str(node.args[0].value)]
        else:
            continue
        found += [(node.lineno, name) for name in names]
    return found


def qt_imports(path: Path, root: Path = PACKAGE) -> list[str]:
    return [
        f"{path.relative_to(root)}:{line} {name}"
        for line, name in imports(path, root)
        if name.split(".")[0] in QT_MODULES
    ]


def ui_reaches_past_the_service(path: Path, root: Path = PACKAGE) -> list[str]:
    def forbidden(name: str) -> bool:
        if any(name == a or name.startswith(a + ".") for a in UI_ALLOWED):
            return False
        return any(name == f or name.startswith(f + ".") for f in UI_FORBIDDEN)

    return [f"{path.relative_to(root)}:{line} {n}" for line, n in imports(path) if forbidden(n)]


def runtime_imports(path: Path) -> list[str]:
    """Modules imported at module level, outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                found += [alias.name for alias in inner.names]
            elif isinstance(inner, ast.ImportFrom) and inner.module:
                found.append(inner.module)
    return found


def non_stdlib(names: list[str]) -> list[str]:
    return [n for n in names if n.split(".")[0] not in sys.stdlib_module_names | {"__future__"}]


def test_only_ui_and_capture_qt_adapters_import_qt() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 20
    offenders = [hit for path in modules if not qt_allowed(path) for hit in qt_imports(path)]
    assert offenders == [], "Qt imported outside ui/ and capture/qt_*.py: " + ", ".join(offenders)


def test_the_scan_sees_imports_in_every_form(tmp_path: Path) -> None:
    sample = PACKAGE / "capture" / "qt_device.py"
    assert qt_imports(sample), "the Qt adapter itself must be detected"
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import os\n"
        "def late():\n"
        "    from PySide6.QtCore import QObject\n"
        "    import PySide6.QtWidgets as w\n"
        "    importlib.import_module('PySide6.QtGui')\n"
        "'''PySide6 in a docstring is fine'''\n"
    )
    assert [hit.split(" ")[1] for hit in qt_imports(probe, tmp_path)] == [
        "PySide6.QtCore",
        "PySide6.QtWidgets",
        "PySide6.QtGui",
    ]


def test_the_ui_reaches_records_and_models_only_through_the_service() -> None:
    modules = sorted((PACKAGE / "ui").rglob("*.py"))
    assert len(modules) > 10
    offenders = [hit for path in modules for hit in ui_reaches_past_the_service(path)]
    assert offenders == [], "ui/ bypasses the service: " + ", ".join(offenders)


def test_the_ui_check_catches_a_direct_import(tmp_path: Path) -> None:
    probe = tmp_path / "page.py"
    probe.write_text(
        "from retiscreen.store import ScreeningStore\n"
        "from retiscreen.store.files import atomic_write\n"
        "def grade():\n"
        "    import onnxruntime\n"
        "    from retiscreen.grading.model import OnnxModel\n"
    )
    hits = [hit.split(" ")[1] for hit in ui_reaches_past_the_service(probe, tmp_path)]
    assert hits == ["retiscreen.store", "onnxruntime", "retiscreen.grading.model"]


def test_the_domain_imports_only_the_standard_library() -> None:
    assert non_stdlib(runtime_imports(PACKAGE / "domain.py")) == []


def test_the_domain_check_catches_a_third_party_import(tmp_path: Path) -> None:
    probe = tmp_path / "domain.py"
    probe.write_text(
        "from __future__ import annotations\n"
        "import enum\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import numpy\n"
        "import numpy.typing as npt\n"
        "try:\n"
        "    import cv2\n"
        "except ImportError:\n"
        "    pass\n"
    )
    assert non_stdlib(runtime_imports(probe)) == ["numpy.typing", "cv2"]
