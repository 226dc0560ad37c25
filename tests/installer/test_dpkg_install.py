"""The packages installed for real with dpkg, maintainer scripts and all, into a
copy-on-write copy of this machine's root (tests/support/sandbox.py): the settings file
made by the postinst, root's self-test on the service's records, the administration
screen saving where the service may write, and an upgrade that asks nothing.

Slow: on the session's build; skipped where no sandbox can run (not root, no overlayfs).
The kiosk package is not installed (it needs cage and a running systemd); its unit's
environment is read from the package and used as the service would get it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.debs import Built, contents, control, extract, run
from tests.support.sandbox import Sandbox, unavailable

pytestmark = pytest.mark.slow
CONFIG = "/etc/retiscreen/settings.toml"
TEMPLATE = "/usr/share/retiscreen/settings.toml"
PYTHON = "/opt/retiscreen/venv/bin/python"


def missing_depends(deb: Path) -> list[str]:
    """Depends of ``deb`` not installed on this machine (alternatives: any one)."""
    missing = []
    for clause in control(deb)["Depends"].split(","):
        options = [re.sub(r"\(.*\)", "", o).strip() for o in clause.split("|")]
        if not any(
            "install ok installed" in run(["dpkg-query", "-W", "-f=${Status}", o]).stdout
            for o in options
        ):
            missing.append(options[0])
    return [m for m in missing if m != "retiscreen-models"]  # installed with it


@pytest.fixture(scope="module")
def box(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, str]]:
    reason = unavailable(tmp_path_factory.mktemp("probe"))
    if reason:
        pytest.skip(reason)
    sandbox = Sandbox(tmp_path_factory.mktemp("sandbox"))
    missing = missing_depends(built.deb)
    # A library only the Wayland platform plugin needs may be absent from a CI machine;
    # dpkg is told to go on without it (the self-test runs headless), and it is said.
    force = "--force-depends" if missing else ""
    print(f"\nnot installed here, forced past: {missing}" if missing else "")
    models, main = sandbox.inbox(built.models_deb), sandbox.inbox(built.deb)
    result = sandbox.sh(f"DEBIAN_FRONTEND=noninteractive dpkg -i {force} {models} {main}")
    try:
        yield sandbox, result.stdout + result.stderr
        assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    finally:
        sandbox.remove()


def sh(box: tuple[Sandbox, str], script: str) -> str:
    result = box[0].sh(script)
    assert result.returncode == 0, f"{script}\n{result.stdout}{result.stderr}"
    return result.stdout


def test_the_postinst_makes_the_settings_file_and_runs_the_selftest(
    box: tuple[Sandbox, str],
) -> None:
    log = box[1]
    assert "[ OK ] model signature: grader" in log, log[-4000:]
    assert "[ OK ] database: /var/lib/retiscreen/retiscreen.db" in log
    assert sh(box, f"stat -c '%a %U %G' {CONFIG}").split() == ["640", "root", "retiscreen"]
    sh(box, f"cmp {TEMPLATE} {CONFIG}")  # from the template, as shipped
    assert sh(box, "dpkg-query -W -f='${Conffiles}' retiscreen").strip() == ""
    assert sh(box, "stat -c '%a %U' /var/lib/retiscreen").split() == ["750", "retiscreen"]
    status = sh(box, "dpkg-query -W -f='${Package} ${Status}\\n' retiscreen retiscreen-models")
    assert status.count("install ok installed") == 2, status


def test_selftest_as_root_checks_the_service_records(box: tuple[Sandbox, str]) -> None:
    out = sh(box, "cd /root && HOME=/root /usr/bin/retiscreen selftest; echo rc=$?")
    assert "[ OK ] database: /var/lib/retiscreen/retiscreen.db" in out, out
    assert "rc=0" in out, out
    assert not box[0].written("/root/.local/share/retiscreen")  # no records of root's own
    # It ran as the service user: nothing in the records is root's now.
    assert sh(box, "find /var/lib/retiscreen -user root").strip() == ""


def test_the_admin_screen_saves_where_the_service_may_write(
    built: Built, box: tuple[Sandbox, str], tmp_path: Path
) -> None:
    unit = extract(tmp_path, built.kiosk_deb) / "usr/lib/systemd/system/retiscreen-kiosk.service"
    environment = re.findall(r"^Environment=(\S+)$", unit.read_text(), re.M)
    assert any(e.startswith("RETISCREEN_CONFIG_OVERRIDE=/var/lib/retiscreen/") for e in environment)
    before = sh(box, f"sha256sum {CONFIG}")
    save = (
        "from retiscreen.ui.settings_file import save_changes, settings_path, underlying_file;"
        "p = settings_path();"
        "save_changes(p, {'report': {'printer': 'reception-2'}}, base=underlying_file(p));"
        "print(p)"
    )
    # What ProtectSystem=full does to the service: /usr, /boot and /etc read-only.
    out = sh(
        box,
        "mount --bind /etc /etc && mount -o remount,bind,ro /etc && "
        "mount --bind /usr /usr && mount -o remount,bind,ro /usr && "
        "(runuser -u retiscreen -- touch /etc/retiscreen/probe 2>/dev/null && echo etc-writable;"
        f" cd /var/lib/retiscreen && runuser -u retiscreen -- env {' '.join(environment)}"
        f' {PYTHON} -I -c "{save}")',
    )
    assert "etc-writable" not in out
    assert out.strip() == "/var/lib/retiscreen/admin-settings.toml"
    assert sh(box, f"sha256sum {CONFIG}") == before  # root's file untouched
    owner = sh(box, "stat -c '%U %a' /var/lib/retiscreen/admin-settings.toml").split()
    assert owner[0] == "retiscreen" and owner[1] in ("600", "640"), owner
    # Root's command line sees the administrator's change (the launcher reads both).
    selftest = sh(box, "HOME=/root /usr/bin/retiscreen selftest; true")
    assert "'reception-2' (settings)" in selftest, selftest


def repack(deb: Path, folder: Path, version: str, template_note: str) -> Path:
    """The same package as a newer version whose settings template changed."""
    tree = folder / "tree"
    assert run(["dpkg-deb", "-R", deb, tree]).returncode == 0
    control_file = tree / "DEBIAN" / "control"
    text = control_file.read_text()
    control_file.write_text(re.sub(r"^Version: .*$", f"Version: {version}", text, flags=re.M))
    template = tree / TEMPLATE.lstrip("/")
    template.write_text(template.read_text() + f"\n# {template_note}\n")
    digest = hashlib.md5(template.read_bytes()).hexdigest()
    sums = tree / "DEBIAN" / "md5sums"
    sums.write_text(
        re.sub(
            rf"^\S+(  {re.escape(TEMPLATE.lstrip('/'))})$",
            rf"{digest}\1",
            sums.read_text(),
            flags=re.M,
        )
    )
    out = folder / f"retiscreen_{version}.deb"
    result = run(["dpkg-deb", "--root-owner-group", "-Znone", "--build", tree, out])
    assert result.returncode == 0, result.stderr
    shutil.rmtree(tree)
    return out


def test_an_unattended_upgrade_keeps_the_edited_settings_and_asks_nothing(
    built: Built, box: tuple[Sandbox, str], tmp_path: Path
) -> None:
    sh(box, f"printf '\\n[clinic]\\nname = \"Edited by IT\"\\n' >>{CONFIG}")
    edited = sh(box, f"sha256sum {CONFIG}")
    version = control(built.deb)["Version"] + "+1"
    newer = box[0].inbox(repack(built.deb, tmp_path, version, "a new setting in this version"))
    assert "/etc/retiscreen/settings.toml" not in contents(built.deb)
    force = "--force-depends" if missing_depends(built.deb) else ""
    result = box[0].sh(f"RETISCREEN_SKIP_SELFTEST=1 dpkg -i {force} {newer} </dev/null")
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "Configuration file" not in log  # dpkg's conffile question, never asked
    assert f"{CONFIG} kept as it is" in log
    assert sh(box, f"sha256sum {CONFIG}") == edited
    assert sh(box, "dpkg-query -W -f='${Version}' retiscreen") == version
    assert "a new setting in this version" in sh(box, f"cat {TEMPLATE}")
