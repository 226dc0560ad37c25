"""Trim the bundled PySide6/Qt to what RetiScreen uses, and de-duplicate copied libraries.

Run by installer/build with the system python3 on the staged site-packages:

    python3 installer/prune_bundle.py SITE_PACKAGES SOURCE_PACKAGE_DIR [--report FILE]

What stays: every ``PySide6.QtX`` module named anywhere in the RetiScreen sources, a small
baseline (Core, Gui, Widgets, Multimedia, MultimediaWidgets, Network, DBus, OpenGL,
PrintSupport, Svg), the plugin families a widgets + camera application loads (platforms
incl. xcb and wayland, image formats, icon engines, multimedia, TLS, print support),
and the transitive closure of the shared libraries those need (ELF DT_NEEDED, read with
readelf). What goes: the other Qt modules and their libraries (QML/Quick, 3D, charts,
designer, …), their plugins and translations. A module imported later by new UI code is
picked up by the source scan on the next build; the build then imports every kept module
to prove the closure is complete.

Wheels cannot hold symlinks, so ``libavcodec.so``, ``libavcodec.so.63`` and
``libavcodec.so.63.1.101`` arrive as three identical copies: identical files in one
folder are replaced by relative symlinks to one of them.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

BASELINE = {
    "QtCore",
    "QtGui",
    "QtWidgets",
    "QtMultimedia",
    "QtMultimediaWidgets",
    "QtNetwork",
    "QtDBus",
    "QtOpenGL",
    "QtOpenGLWidgets",
    "QtPrintSupport",
    "QtSvg",
    "QtSvgWidgets",
}
QML_MODULES = {"QtQml", "QtQuick", "QtQuickWidgets", "QtQuickControls2", "QtQuick3D"}
PLUGIN_FAMILIES = {
    "platforms",
    "platforminputcontexts",
    "platformthemes",
    "xcbglintegrations",
    "egldeviceintegrations",
    "wayland-decoration-client",
    "wayland-graphics-integration-client",
    "wayland-shell-integration",
    "imageformats",
    "iconengines",
    "multimedia",
    "tls",
    "networkinformation",
    "generic",
    "printsupport",
    "styles",
}
TRANSLATIONS = re.compile(r"^qt(base|multimedia)?_[A-Za-z_]+\.qm$")
MODULE_RE = re.compile(r"PySide6\.(Qt[A-Za-z0-9]+)")
FROM_IMPORT_RE = re.compile(r"from\s+PySide6\s+import\s+\(?([^)\n]+)")


def used_modules(source: Path) -> set[str]:
    found: set[str] = set()
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(MODULE_RE.findall(text))
        for names in FROM_IMPORT_RE.findall(text):
            found.update(n.strip() for n in names.split(",") if n.strip().startswith("Qt"))
    return found


def needed(path: Path) -> list[str]:
    result = subprocess.run(
        ["readelf", "-d", str(path)], capture_output=True, text=True, check=False
    )
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", result.stdout)


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def size_of(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file() and not p.is_symlink())


def prune(site: Path, source: Path) -> list[str]:
    report: list[str] = []
    pyside = site / "PySide6"
    qt = pyside / "Qt"
    if not pyside.is_dir():
        return ["no PySide6 in the bundle: nothing to prune"]
    keep = used_modules(source) | BASELINE
    report.append("Qt modules kept: " + ", ".join(sorted(keep)))
    removed: list[Path] = []

    for binding in pyside.glob("Qt*.abi3.so"):
        if binding.name.split(".")[0] not in keep:
            removed.append(binding)
    if not keep & QML_MODULES and (qt / "qml").is_dir():
        removed.extend(p for p in (qt / "qml").rglob("*") if p.is_file() or p.is_symlink())
    plugins = qt / "plugins"
    if plugins.is_dir():
        for family in plugins.iterdir():
            if family.name not in PLUGIN_FAMILIES:
                removed.extend(p for p in family.rglob("*") if p.is_file() or p.is_symlink())
    translations = qt / "translations"
    if translations.is_dir():
        removed.extend(p for p in translations.rglob("*.qm") if not TRANSLATIONS.match(p.name))

    gone = set(removed)
    # Closure: every library a kept ELF file needs, found inside the bundle.
    by_name: dict[str, list[Path]] = defaultdict(list)
    for path in site.rglob("*.so*"):
        by_name[path.name].append(path)
    roots = [
        p
        for p in site.rglob("*")
        if (
            p.is_file()
            and not p.is_symlink()
            and p not in gone
            and is_elf(p)
            and qt / "lib" not in p.parents
        )
    ]
    keep_libs: set[Path] = set()
    queue = list(roots)
    seen: set[Path] = set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for soname in needed(path):
            for candidate in by_name.get(soname, []):
                target = candidate.resolve()
                keep_libs.update({candidate, target})
                queue.append(target)
    libdir = qt / "lib"
    if libdir.is_dir():
        for lib in libdir.iterdir():
            is_library = lib.name.endswith(".so") or ".so." in lib.name
            if is_library and lib not in keep_libs and lib.resolve() not in keep_libs:
                removed.append(lib)
    freed = size_of(removed)
    for path in removed:
        path.unlink(missing_ok=True)
    for directory in sorted({p.parent for p in removed}, key=lambda d: len(d.parts), reverse=True):
        while directory != qt and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent
    report.append(f"removed {len(removed)} unused Qt files, {freed / 1e6:.0f} MB")

    # Identical copies of one library in one folder → symlinks.
    groups: dict[tuple[Path, int, str], list[Path]] = defaultdict(list)
    for path in site.rglob("*.so*"):
        if path.is_file() and not path.is_symlink() and path.stat().st_size > 65536:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            groups[(path.parent, path.stat().st_size, digest)].append(path)
    saved = 0
    for (_, size, _), paths in groups.items():
        if len(paths) < 2:
            continue
        real = max(paths, key=lambda p: (len(p.name), p.name))
        for copy in paths:
            if copy != real:
                copy.unlink()
                copy.symlink_to(real.name)
                saved += size
    report.append(f"de-duplicated identical libraries: {saved / 1e6:.0f} MB")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("source", type=Path)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args(argv)
    lines = prune(args.site, args.source)
    text = "\n".join(lines) + "\n"
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
