"""Whatever umask RetiScreen is started with (000 included), the records, photographs,
reports and log it creates are readable by their owner only: files 0600, folders 0700."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from retiscreen.permissions import GROUP_SHARED, PRIVATE, umask_for
from tests.support.images import DEMO_IMAGE
from tests.support.tiny_models import write_models, write_test_key

REPO = Path(__file__).resolve().parents[2]


def test_everything_created_is_private_even_with_umask_000(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO / 'app'}:{REPO}",
        "RETISCREEN_CONFIG": str(tmp_path / "none.toml"),
        "RETISCREEN_STORAGE_DATA_DIR": str(data),
        "RETISCREEN_MODELS_MODELS_DIR": str(write_models(tmp_path / "models")),
        "RETISCREEN_MODELS_TRUSTED_KEYS": str(write_test_key(tmp_path / "keys" / "t.pem")),
        "RETISCREEN_REPORT_PRINTER": "retiscreen-no-such-printer",
    }
    command = [sys.executable, "-m", "retiscreen", "screen", "--patient-id", "PERM-1"]
    command += ["--name", "Perm Test", "--right", str(DEMO_IMAGE), "--skip-left", "refused"]
    result = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.umask(0),  # the most permissive start there is
    )
    assert result.returncode == 0, result.stderr
    created = [data, *data.rglob("*")]
    kinds = {p.suffix for p in created if p.is_file()}
    assert {".db", ".pdf", ".jpg", ".log"} <= kinds, kinds  # records, report, photo, log
    for path in created:
        mode = stat.S_IMODE(path.stat().st_mode)
        expected = 0o700 if path.is_dir() else 0o600
        assert mode & ~expected == 0, f"{path.relative_to(tmp_path)} is {mode:o}"


def test_a_data_folder_of_the_retiscreen_group_is_shared_with_it(tmp_path: Path) -> None:
    assert umask_for(tmp_path / "missing") == PRIVATE
    assert umask_for(tmp_path) == PRIVATE  # a test machine's own group, not retiscreen
    import grp

    try:
        gid = grp.getgrnam("retiscreen").gr_gid
    except KeyError:
        return  # no retiscreen group here (the .deb creates it); the rule above holds
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chown(shared, -1, gid)
    assert umask_for(shared) == GROUP_SHARED
