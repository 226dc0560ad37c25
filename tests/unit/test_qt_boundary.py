"""Qt lives only in the user interface: the core must import and run without PySide6.

An AST scan of every module under app/retiscreen: only ``ui/`` and the Qt adapters in
``capture/`` (modules named ``qt_*.py``) may import PySide6 (or shiboken6). A plain
text search would miss ``from PySide6 import ...`` inside a function and would trip
on a docstring that merely mentions Qt, hence the AST.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "retiscreen"
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def qt_allowed(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    if relative.parts[0] == "ui":
        return True
    return relative.parts[0] == "capture" and relative.name.startswith("qt_")


def qt_imports(path: Path, root: Path = PACKAGE) -> list[str]:
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
        found += [
            f"{path.relative_to(root)}:{node.lineno} {name}"
            for name in names
            if name.split(".")[0] in QT_MODULES
        ]
    return found


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
