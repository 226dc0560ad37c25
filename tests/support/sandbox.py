"""A throw-away copy of this machine's root filesystem, for real ``dpkg -i`` runs.

Why: installing the packages for real runs their maintainer scripts (a system user,
/etc and /var/lib files, the self-test as that user), which a ``dpkg-deb -x`` into a
folder never does; but the test must not change the machine it runs on. So the root
filesystem is mounted copy-on-write (overlayfs: this machine's / below, a temporary
folder above) in a private mount namespace, and dpkg runs chrooted into that view. All
its writes (dpkg's database, /etc/passwd, /opt, /var/lib) land in the temporary folder;
everything the packages depend on is this machine's own. Needs root and overlayfs in a
mount namespace (``unshare``); :func:`unavailable` says why not where it cannot run.
systemd is not running inside, so the maintainer scripts take their no-systemd paths.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SETUP = r"""
set -e
mount -t overlay overlay -o "lowerdir=/,upperdir=$1/upper,workdir=$1/work" "$1/root"
mount -t proc proc "$1/root/proc"
mount --rbind /dev "$1/root/dev"
mount --rbind /sys "$1/root/sys"
mount -t tmpfs tmpfs "$1/root/run"
mount -t tmpfs tmpfs "$1/root/tmp"
shift
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LC_ALL=C.UTF-8 chroot "$0/root" /bin/sh -c "$1"
"""


class Sandbox:
    """One copy-on-write root; each :meth:`sh` call sees what the previous ones wrote."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        for name in ("upper", "work", "root"):
            (folder / name).mkdir(parents=True, exist_ok=True)

    def sh(self, script: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run ``script`` with /bin/sh as root inside the sandbox, in a clean environment
        (nothing of the caller's PATH, PYTHONPATH or virtual environment; a fresh /tmp
        and /run each time; files to hand in go under :meth:`inbox`)."""
        command = ["unshare", "--mount", "--propagation", "private", "--fork"]
        command += ["sh", "-c", SETUP, str(self.folder), str(self.folder), script]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    def inbox(self, source: Path) -> str:
        """Copy ``source`` into the sandbox; its path as seen inside."""
        inside = Path("/var/tmp/retiscreen-test") / source.name
        target = self.folder / "upper" / inside.relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)  # same filesystem: no copy of a 200 MB package
        except OSError:
            shutil.copy2(source, target)
        return str(inside)

    def written(self, path: str) -> bool:
        """Whether anything in the sandbox wrote ``path`` (or below it): the upper layer
        holds exactly what changed."""
        return (self.folder / "upper" / path.lstrip("/")).exists()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def unavailable(folder: Path) -> str | None:
    """Why a sandbox cannot run here (None when it can)."""
    if shutil.which("unshare") is None or shutil.which("chroot") is None:
        return "unshare or chroot is missing (util-linux, coreutils)"
    probe = Sandbox(folder)
    try:
        result = probe.sh("test -x /usr/bin/dpkg && echo sandbox-ok", timeout=60)
    finally:
        probe.remove()
    if "sandbox-ok" not in result.stdout:
        return f"no overlayfs root in a mount namespace here (root needed): {result.stderr.strip()}"
    return None
