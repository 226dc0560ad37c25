"""Files only their owner can read: the process umask, set once at start.

Why the umask and not a chmod after each write: SQLite creates its journal and WAL
files itself, the log handler its log, Qt its caches; a umask covers every one of them,
including files added later, and it holds whatever umask the caller started with (000
included). Records, photographs and reports are patient data: 0600 files and 0700
folders. On an installed kiosk the data folder belongs to the ``retiscreen`` group,
which the administrators' CLI and the kiosk service share: there, group members may
read (0640 / 0750), still nobody else.
"""

from __future__ import annotations

import grp
import os
from pathlib import Path

SHARED_GROUP = "retiscreen"
PRIVATE = 0o077
GROUP_SHARED = 0o027


def umask_for(data_root: Path) -> int:
    """Owner only, or owner and the ``retiscreen`` group when the data folder is theirs."""
    try:
        group = grp.getgrgid(data_root.stat().st_gid).gr_name
    except (OSError, KeyError):
        return PRIVATE
    return GROUP_SHARED if group == SHARED_GROUP else PRIVATE


def restrict_umask(data_root: Path) -> int:
    """Set the process umask for ``data_root``; returns the umask set."""
    mask = umask_for(data_root)
    os.umask(mask)
    return mask


def may_read_records(data_root: Path) -> bool:
    """Whether this operating-system account may read patient records: the account that
    owns the data folder (the service account), root, or a member of the ``retiscreen``
    group. A folder not created yet holds nothing to read."""
    try:
        owner = data_root.stat().st_uid
    except FileNotFoundError:
        return True
    except OSError:  # a folder above it is closed to this account
        return False
    uid = os.geteuid()
    if uid in (0, owner):
        return True
    try:
        shared = grp.getgrnam(SHARED_GROUP).gr_gid
    except KeyError:
        return False
    return shared in os.getgroups() or os.getegid() == shared
