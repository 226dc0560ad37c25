"""atomic_write and friends: complete files or none, never stray temporary files."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retiscreen.store import StorageError, atomic_write
from retiscreen.store.files import (
    make_directory,
    os_error_message,
    remove_stale_temp_files,
    storage_error_from_os,
)


def entries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_atomic_write_creates_then_replaces(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    atomic_write(target, b"first")
    assert target.read_bytes() == b"first"
    atomic_write(target, b"second, longer content")
    assert target.read_bytes() == b"second, longer content"
    atomic_write(target, b"")
    assert target.read_bytes() == b""
    assert entries(tmp_path) == ["report.pdf"]  # no temporary file left behind


def test_a_failed_replace_leaves_no_temp_file(tmp_path: Path) -> None:
    """os.replace onto a directory fails for real after the temp file was written."""
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_bytes(b"keep")
    with pytest.raises(StorageError, match="was NOT saved"):
        atomic_write(tmp_path / "taken", b"data", what="the report")
    assert entries(tmp_path) == ["taken"]
    assert (tmp_path / "taken" / "keep.txt").read_bytes() == b"keep"


def test_a_missing_folder_is_explained(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as info:
        atomic_write(tmp_path / "unplugged-usb" / "x.jpg", b"data", what="the screening")
    message = str(info.value)
    assert message.startswith("The data folder is missing")
    assert "the screening was NOT saved" in message
    assert info.value.reason == "io"


def test_disk_full_message_is_operator_readable() -> None:
    """The wording itself (the real ENOSPC path is exercised in
    tests/integration/test_store_durability.py on a full tmpfs)."""
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/images/S-1/right.jpg")
    error = storage_error_from_os(exc, "the screening was NOT saved")
    assert str(error) == "The disk is full: the screening was NOT saved. Free space or call IT."
    assert error.reason == "disk_full"
    assert "read-only" in os_error_message(OSError(errno.EROFS, "ro"), "x was NOT saved")
    assert "hardware error" in os_error_message(OSError(errno.EIO, "io"), "x was NOT saved")


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX-only")
def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    """A real failing write(): a child process with RLIMIT_FSIZE smaller than the data
    (SIGXFSZ ignored, so write() returns EFBIG) rewrites an existing file."""
    target = tmp_path / "photo.jpg"
    target.write_bytes(b"old complete photograph")
    code = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from retiscreen.store import StorageError, atomic_write\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "try:\n"
        "    atomic_write(Path(sys.argv[1]), b'x' * 100_000, what='the screening')\n"
        "except StorageError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "the screening was NOT saved" in result.stdout
    assert target.read_bytes() == b"old complete photograph"
    assert entries(tmp_path) == ["photo.jpg"]


def test_make_directory_creates_every_level(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    make_directory(deep)
    assert deep.is_dir()
    make_directory(deep)  # idempotent


def test_make_directory_reports_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"not a folder")
    with pytest.raises(StorageError, match="the records folder was NOT saved"):
        make_directory(tmp_path / "a" / "b", what="the records folder")


def test_only_old_temp_files_are_swept(tmp_path: Path) -> None:
    old_temp = tmp_path / "S-1" / ".right.jpg.abc123.tmp"
    fresh_temp = tmp_path / "S-1" / ".left.jpg.def456.tmp"
    kept = tmp_path / "S-1" / "right.jpg"
    old_temp.parent.mkdir()
    for path in (old_temp, fresh_temp, kept):
        path.write_bytes(b"x")
    hour_ago = time.time() - 7200
    os.utime(old_temp, (hour_ago, hour_ago))
    os.utime(kept, (hour_ago, hour_ago))
    assert remove_stale_temp_files(tmp_path) == [old_temp]
    assert entries(tmp_path / "S-1") == [".left.jpg.def456.tmp", "right.jpg"]
