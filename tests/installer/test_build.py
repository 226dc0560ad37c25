"""installer/build end to end: build the .debs, inspect them, run the bundle from an
extracted tree (which only works because the bundle is relocatable), check the unit.

Slow (a build: ~1 minute with cached wheels, more on the first run, which downloads
them into build/installer/wheels). The package is built as a release is: zstd, the
default (see installer/README.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from retiscreen import __version__
from retiscreen.grading.model import read_card, sha256_file

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "installer" / "build"
SYSTEM_PYTHON = Path("/usr/bin/python3")

pytestmark = pytest.mark.slow
RecordProperty = Callable[[str, object], None]


@dataclass(frozen=True)
class Built:
    deb: Path
    kiosk_deb: Path
    real_models: bool
    log: str


def run(
    args: list[str | Path],
    timeout: float = 600,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
        cwd=cwd,
    )


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


def clean_env(home: Path) -> dict[str, str]:
    """No RETISCREEN_* or PYTHON* from the developer's shell; no display."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RETISCREEN_", "PYTHON", "VIRTUAL_ENV", "QT_"))
    }
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen", LC_ALL="C.UTF-8")
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is missing (apt-get install dpkg-dev)")
    if shutil.which("readelf") is None:
        pytest.skip("readelf is missing (apt-get install dpkg-dev)")
    if not SYSTEM_PYTHON.exists() or run([SYSTEM_PYTHON, "-c", "import ensurepip"]).returncode:
        pytest.skip("the Debian python3 with venv is missing (apt-get install python3-venv)")
    out = tmp_path_factory.mktemp("dist")
    args: list[str | Path] = [BUILD, "--out", out]
    real = real_models_present()
    if not real:
        # The real models are not in this checkout: bundle tiny ones whose grader calls
        # every eye normal, so the bundled self-test can pass end to end.
        from tests.support.tiny_models import write_models

        models = write_models(
            tmp_path_factory.mktemp("models"), grade_bias=[4.0, 0.0, 0.0, 0.0, 0.0]
        )
        args += ["--models", models]
    start = time.monotonic()
    result = run(args, timeout=1200)
    elapsed = time.monotonic() - start
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    print(f"\ninstaller/build took {elapsed:.0f} s (real models: {real})")
    yield Built(
        out / f"retiscreen_{__version__}_{arch()}.deb",
        out / f"retiscreen-kiosk_{__version__}_all.deb",
        real,
        log,
    )


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
    for package in (built.deb, built.kiosk_deb):
        members = run(["ar", "t", package]).stdout.split()
        assert "data.tar.zst" in members, members  # zstd: a fraction of xz's build time
    size = built.deb.stat().st_size
    installed_kib = int(fields["Installed-Size"])
    record_property("deb_bytes", size)
    record_property("installed_kib", installed_kib)
    print(
        f"\n{built.deb.name}: {size / 1e6:.1f} MB (zstd), installed {installed_kib / 1024:.0f} MiB"
    )
    (built.deb.parent / "sizes.json").write_text(
        json.dumps({"deb_bytes": size, "installed_kib": installed_kib, "compression": "zstd"})
    )


def test_conffiles_and_maintainer_scripts(built: Built, tmp_path: Path) -> None:
    run(["dpkg-deb", "-e", built.deb, tmp_path / "ctl"])
    assert (tmp_path / "ctl" / "conffiles").read_text().split() == ["/etc/retiscreen/settings.toml"]
    postinst = (tmp_path / "ctl" / "postinst").read_text()
    assert "-m retiscreen selftest" in postinst and "adduser" in postinst
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
        "/etc/retiscreen/settings.toml",
        "/usr/share/doc/retiscreen/copyright",
        "/opt/retiscreen/venv/bin/python",
        "/opt/retiscreen/venv/pyvenv.cfg",
        f"{package}/_bundled/models/grader.onnx",
        f"{package}/_bundled/models/grader.card.json",
        f"{package}/_bundled/models/quality.onnx",
        f"{package}/_bundled/assets/demo/retina_cc0.jpg",
        f"{package}/selftest.py",
        f"{package}/backup/__init__.py",
        f"{package}/cli/__init__.py",
        f"{package}/__main__.py",
    ):
        assert path in files, f"{path} is not in the package"
    assert files["/etc/retiscreen/settings.toml"].startswith("-rw-r-----")
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
    root = tmp_path / "root"
    assert run(["dpkg-deb", "-x", built.deb, root]).returncode == 0
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
    assert str(root / "opt/retiscreen") in selftest.stdout  # the bundled models were used
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
