"""installer/build end to end: build the .debs, inspect them, run the bundle from an
extracted tree (which only works because the bundle is relocatable), check the unit.

Slow (a build: ~1 minute with cached wheels, more on the first run, which downloads
them into build/installer/wheels). The packages are built as a release is: zstd, the
default (see installer/README.md). The SBOM, the licences and a real dpkg installation
are checked in test_supply_chain.py and test_dpkg_install.py, on the same build.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from retiscreen import __version__
from tests.support.debs import (
    SYSTEM_PYTHON,
    Built,
    arch,
    clean_env,
    contents,
    control,
    extract,
    run,
)

pytestmark = pytest.mark.slow
RecordProperty = Callable[[str, object], None]


def test_base_package_control_fields(built: Built, record_property: RecordProperty) -> None:
    info = run(["dpkg-deb", "-I", built.deb])
    assert info.returncode == 0, info.stderr
    fields = control(built.deb)
    assert fields["Package"] == "retiscreen"
    assert fields["Version"] == __version__
    assert fields["Architecture"] == arch()
    depends = [d.strip() for d in fields["Depends"].split(",")]
    minor = run([SYSTEM_PYTHON, "-c", "import sys; print(*sys.version_info[:2], sep='.')"])
    assert f"python{minor.stdout.strip()}" in depends
    for needed in (
        "cups-client",
        "fonts-dejavu-core",
        "fonts-noto-core",  # Arabic, Hebrew, Devanagari names on the report and screen
        "fonts-wqy-zenhei",  # Chinese, Japanese, Korean names
        "libgl1",
        "libegl1",
        "libxkbcommon0",
        "libfontconfig1",
        "libdbus-1-3",
        "libxcb-cursor0",
        "libwayland-client0",
        "adduser",
    ):
        assert needed in depends, f"{needed} missing from Depends: {fields['Depends']}"
    assert not any(d.startswith(("python3-", "libpython")) for d in depends)
    models = control(built.models_deb)
    assert f"retiscreen-models (>= {models['Version']})" in depends
    for package in (built.deb, built.kiosk_deb, built.models_deb):
        members = run(["ar", "t", package]).stdout.split()
        assert "data.tar.zst" in members, members  # zstd: a fraction of xz's build time
    size = built.deb.stat().st_size
    installed_kib = int(fields["Installed-Size"])
    record_property("deb_bytes", size)
    record_property("installed_kib", installed_kib)
    print(
        f"\n{built.deb.name}: {size / 1e6:.1f} MB (zstd), installed {installed_kib / 1024:.0f} MiB"
    )
    models_size = built.models_deb.stat().st_size
    record_property("models_deb_bytes", models_size)
    print(f"{built.models_deb.name}: {models_size / 1e6:.1f} MB; build {built.seconds:.0f} s")
    (built.deb.parent / "sizes.json").write_text(
        json.dumps(
            {
                "deb_bytes": size,
                "installed_kib": installed_kib,
                "models_deb_bytes": models_size,
                "build_seconds": round(built.seconds),
                "compression": "zstd",
            }
        )
    )


def test_no_conffiles_and_the_maintainer_scripts(built: Built, tmp_path: Path) -> None:
    run(["dpkg-deb", "-e", built.deb, tmp_path / "ctl"])
    # No conffile, so no conffile question on an upgrade: the postinst creates the
    # settings file from the template only when it is missing (test_dpkg_install.py).
    assert not (tmp_path / "ctl" / "conffiles").exists()
    postinst = (tmp_path / "ctl" / "postinst").read_text()
    assert "-m retiscreen selftest" in postinst and "adduser" in postinst
    assert 'if [ ! -e "$CONFIG" ]' in postinst
    postrm = (tmp_path / "ctl" / "postrm").read_text()
    assert "RETISCREEN_PURGE_PATIENT_DATA" in postrm
    remove_branch = postrm.split("\nremove)")[1].split(";;")[0]
    purge_branch = postrm.split("\npurge)")[1].split(";;")[0]
    assert 'rm -rf "$DATA_DIR"' not in remove_branch  # records survive a remove
    guarded = purge_branch.split('RETISCREEN_PURGE_PATIENT_DATA:-}" = yes')[1].split("else")[0]
    assert 'rm -rf "$DATA_DIR"' in guarded and purge_branch.count('rm -rf "$DATA_DIR"') == 1
    for script in ("postinst", "postrm"):
        assert run(["sh", "-n", tmp_path / "ctl" / script]).returncode == 0


def test_base_package_files(built: Built) -> None:
    files = contents(built.deb)
    site = next(p for p in files if p.endswith("/site-packages/retiscreen/__init__.py"))
    package = site.rsplit("/", 1)[0]
    for path in (
        "/usr/bin/retiscreen",
        "/usr/bin/retiscreen-backup",
        "/usr/bin/retiscreen-restore",
        "/usr/share/applications/retiscreen.desktop",
        "/usr/share/icons/hicolor/scalable/apps/retiscreen.svg",
        "/usr/share/retiscreen/settings.toml",
        "/usr/share/doc/retiscreen/copyright",
        "/opt/retiscreen/sbom.cdx.json",
        "/opt/retiscreen/venv/bin/python",
        "/opt/retiscreen/venv/pyvenv.cfg",
        f"{package}/_bundled/assets/demo/retina_cc0.jpg",
        f"{package}/selftest.py",
        f"{package}/backup/__init__.py",
        f"{package}/cli/__init__.py",
        f"{package}/__main__.py",
    ):
        assert path in files, f"{path} is not in the package"
    assert not any(p.startswith("/etc/") for p in files)  # /etc is the postinst's
    assert not any(p.endswith(".onnx") for p in files)  # the models are a package apart
    assert files["/usr/bin/retiscreen"].startswith("-rwxr-xr-x root/root")
    interpreter = [
        line
        for path, line in files.items()
        if re.fullmatch(r"/opt/retiscreen/venv/bin/python3\.\d+", path)
    ]
    assert len(interpreter) == 1 and "-> /usr/bin/python3." in interpreter[0], interpreter
    forbidden = re.compile(
        r"/(tests?|torch|torchvision|pip|setuptools|_pytest|pytest|mypy|ruff)(/|$)"
    )
    offenders = [p for p in files if forbidden.search(p) and "numpy/testing" not in p]
    assert offenders == [], offenders[:10]
    assert not any(p.endswith(".pyi") or "/include/" in p for p in files if "PySide6" in p)


def test_models_package(built: Built) -> None:
    fields = control(built.models_deb)
    assert fields["Package"] == "retiscreen-models" and fields["Architecture"] == "all"
    assert built.models_deb.name == f"retiscreen-models_{fields['Version']}_all.deb"
    files = contents(built.models_deb)
    models = "/usr/share/retiscreen/models"
    for name in ("grader.onnx", "grader.card.json", "quality.onnx", "quality.card.json"):
        assert f"{models}/{name}" in files
    for name in ("manifest.json", "manifest.sig"):  # signed as shipped
        assert f"{models}/{name}" in files
    assert "/usr/share/doc/retiscreen-models/copyright" in files
    assert not any(p.startswith("/opt/") for p in files)
    # A model update is this package alone: a tenth of the application's size or less.
    assert built.models_deb.stat().st_size * 8 < built.deb.stat().st_size


def test_kiosk_package(built: Built) -> None:
    fields = control(built.kiosk_deb)
    assert fields["Package"] == "retiscreen-kiosk" and fields["Architecture"] == "all"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    assert f"retiscreen (= {__version__})" in depends and "cage" in depends
    files = contents(built.kiosk_deb)
    assert "/usr/lib/systemd/system/retiscreen-kiosk.service" in files


def test_desktop_entry_and_unit_text(built: Built, tmp_path: Path) -> None:
    run(["dpkg-deb", "-x", built.kiosk_deb, tmp_path])
    run(["dpkg-deb", "-x", built.deb, tmp_path])
    desktop = (tmp_path / "usr/share/applications/retiscreen.desktop").read_text()
    assert "Exec=retiscreen kiosk --windowed" in desktop
    unit = (tmp_path / "usr/lib/systemd/system/retiscreen-kiosk.service").read_text()
    for line in (
        "ExecStart=/usr/bin/cage -- /usr/bin/retiscreen kiosk",
        "User=retiscreen",
        "PAMName=login",
        "TTYPath=/dev/tty1",
        "Restart=always",
        "RestartSec=2",
        "Environment=RETISCREEN_CONFIG=/etc/retiscreen/settings.toml",
        "Environment=RETISCREEN_STORAGE_DATA_DIR=/var/lib/retiscreen",
        "Environment=RETISCREEN_CONFIG_OVERRIDE=/var/lib/retiscreen/admin-settings.toml",
        "ProtectSystem=full",
        "ReadWritePaths=/var/lib/retiscreen",
    ):
        assert line in unit.splitlines(), line
    if shutil.which("desktop-file-validate"):
        entry = tmp_path / "usr/share/applications/retiscreen.desktop"
        result = run(["desktop-file-validate", entry])
        assert result.returncode == 0, result.stdout + result.stderr


def test_unit_verifies(built: Built, tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    run(["dpkg-deb", "-x", built.kiosk_deb, tmp_path])
    unit = tmp_path / "usr/lib/systemd/system/retiscreen-kiosk.service"
    result = run(["systemd-analyze", "verify", unit], timeout=120)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    # Without cage installed here, its absence is the one thing verify may report.
    expected_missing = (
        []
        if shutil.which("cage")
        else [
            "retiscreen-kiosk.service: Command /usr/bin/cage is not executable: "
            "No such file or directory"
        ]
    )
    problems = [line for line in lines if line not in expected_missing]
    assert problems == [], "\n".join(lines)


def test_lintian_report(built: Built) -> None:
    if shutil.which("lintian") is None:
        pytest.skip("lintian is not installed")
    result = run(["lintian", "--tag-display-limit", "0", built.deb, built.kiosk_deb], timeout=900)
    report = result.stdout + result.stderr
    print("\nlintian (reported, not enforced):\n" + (report or "clean"))
    (built.deb.parent / "lintian.txt").write_text(report)
    assert "internal error" not in report.lower()


def test_extracted_bundle_runs_selftest_and_backup(
    built: Built, tmp_path: Path, record_property: RecordProperty
) -> None:
    root = extract(tmp_path / "root", built.deb, built.models_deb)
    env = clean_env(tmp_path)
    data = tmp_path / "data"
    launcher = root / "usr/bin/retiscreen"

    start = time.monotonic()
    version = run([launcher, "--version"], env=env, cwd=tmp_path)
    version_s = time.monotonic() - start
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"retiscreen {__version__}"

    wired = "selftest" in run([launcher, "--help"], env=env).stdout
    command: list[str | Path] = (
        [launcher, "--data-dir", data, "selftest"]
        if wired
        else [
            root / "opt/retiscreen/venv/bin/python",
            "-I",
            "-m",
            "retiscreen",
            "--data-dir",
            data,
            "selftest",
        ]
    )
    bytecode_before = sorted(root.rglob("*.pyc"))
    start = time.monotonic()
    selftest = run(command, env=env, cwd=tmp_path, timeout=300)
    selftest_s = time.monotonic() - start
    print(f"\n{' '.join(map(str, command[:2]))} ... selftest:\n{selftest.stdout}{selftest.stderr}")
    print(
        f"start-up: --version {version_s:.2f} s, selftest {selftest_s:.2f} s "
        f"(via {'retiscreen selftest' if wired else 'python -m retiscreen selftest'})"
    )
    record_property("version_seconds", round(version_s, 3))
    record_property("selftest_seconds", round(selftest_s, 3))
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    assert "[ OK ] model signature: grader" in selftest.stdout
    assert "[ OK ] positive control" in selftest.stdout
    assert "[ OK ] database" in selftest.stdout
    # The models of the retiscreen-models package beside the bundle were used.
    assert str(root / "usr/share/retiscreen/models") in selftest.stdout
    # The shipped bytecode is complete: nothing had to be compiled (the kiosk user could
    # not write it into /opt anyway, and would pay for it at every start).
    assert sorted(root.rglob("*.pyc")) == bytecode_before

    archive = tmp_path / "backup.tar.gz"
    backup_env = {**env, "RETISCREEN_STORAGE_DATA_DIR": str(data)}
    backup = run([root / "usr/bin/retiscreen-backup", "--to", archive], env=backup_env)
    assert backup.returncode == 0, backup.stdout + backup.stderr
    restored = tmp_path / "restored"
    restore_env = {**env, "RETISCREEN_STORAGE_DATA_DIR": str(restored)}
    # no administrator anywhere yet (only selftest ran): root restores, PIN unused
    restorer: list[str | Path] = [root / "usr/bin/retiscreen-restore", "--admin", "root"]
    restorer.append("--pin-stdin")
    keyless = run([*restorer, archive], env=restore_env)
    assert keyless.returncode == 1 and "records.key" in keyless.stderr  # kept apart
    key = ["--key", data / "records.key"]
    restore = run([*restorer, *key, archive], env=restore_env)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    again = run([*restorer, archive], env=restore_env)
    assert again.returncode == 1 and "--force" in again.stderr
    assert (restored / "retiscreen.db").is_file()


def test_without_the_models_package_the_selftest_fails(built: Built, tmp_path: Path) -> None:
    root = extract(tmp_path / "root", built.deb)
    env = clean_env(tmp_path)
    launcher = root / "usr/bin/retiscreen"
    result = run([launcher, "--data-dir", tmp_path / "data", "selftest"], env=env, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[FAIL] model signature" in result.stdout
    assert str(root / "usr/share/retiscreen/models") in result.stdout


def test_bundle_uses_only_the_system_interpreter(built: Built, tmp_path: Path) -> None:
    root = tmp_path / "root"
    run(["dpkg-deb", "-x", built.deb, root])
    env = clean_env(tmp_path)
    probe = run(
        [
            root / "opt/retiscreen/venv/bin/python",
            "-I",
            "-c",
            "import sys, onnxruntime, retiscreen; print(sys.prefix); print(sys.base_prefix);"
            "print(retiscreen.__file__); print(onnxruntime.get_available_providers())",
        ],
        env=env,
    )
    assert probe.returncode == 0, probe.stderr
    prefix, base_prefix, package, providers = probe.stdout.splitlines()
    assert prefix == str(root / "opt/retiscreen/venv")
    assert base_prefix == "/usr"
    assert package.startswith(str(root / "opt/retiscreen/venv/lib/"))
    assert "CPUExecutionProvider" in providers
    assert sys.prefix != prefix
