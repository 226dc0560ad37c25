"""What happens to the records when things go wrong for real: SIGKILL mid-save, a locked
database, a file-size limit, a full disk. Real processes, real files, real SQLite.

Child processes load this file by path and call one of the ``*_worker`` functions.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from retiscreen.store import ScreeningStore, StorageError
from tests.support import builders as factories
from tests.support.records import records_db

HERE = Path(__file__).resolve()


CHILD = (
    "import importlib.util, sys\n"
    f"sys.path.insert(0, {str(HERE.parents[2])!r})\n"
    "spec = importlib.util.spec_from_file_location('_store_durability', sys.argv[1])\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(module)\n"
    "getattr(module, sys.argv[2])(*sys.argv[3:])\n"
)


def child_command(worker: str, *args: str) -> list[str]:
    return [sys.executable, "-c", CHILD, str(HERE), worker, *args]


def sqlite_integrity(db_path: Path) -> list[str]:
    conn = records_db(db_path)
    try:
        return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.tmp")]


# --------------------------------------------------------------------------- workers


def crash_worker(root: str, first: str) -> None:
    """Save screenings forever; print each id only after save_screening returned."""
    store = ScreeningStore(Path(root))
    pool = [factories.fundus_image(seed) for seed in range(10, 14)]
    index = int(first)
    while True:
        screening_id = f"crash-{index:07d}"
        store.save_screening(
            factories.make_screening(
                screening_id,
                patient_id=f"P-{index % 5}",
                right=pool[index % 4],
                left=pool[(index + 1) % 4],
            )
        )
        sys.stdout.write(screening_id + "\n")
        sys.stdout.flush()
        index += 1


def file_size_limit_worker(root: str, limit: str) -> None:
    """Try one save with RLIMIT_FSIZE below the photograph's size (writes fail EFBIG)."""
    import resource  # POSIX only

    big = factories.fundus_image(77, side=900, fmt="PNG", noisy=True)
    assert len(big.data) > int(limit)
    store = ScreeningStore(Path(root))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
    try:
        store.save_screening(factories.make_screening("S-too-big", right=big))
    except StorageError as exc:
        print(json.dumps({"reason": exc.reason, "message": str(exc)}))
    else:
        print(json.dumps({"reason": None, "message": "saved"}))


def disk_full_worker(mount: str) -> None:
    """Runs with ``mount`` a small private tmpfs: save until the disk is really full,
    then check everything from inside (the mount vanishes when this process exits)."""
    root = Path(mount) / "data"
    store = ScreeningStore(root)
    filler = Path(mount) / "filler"
    filler.write_bytes(b"\0" * (768 * 1024))
    pool = [factories.fundus_image(seed, side=420, noisy=True) for seed in range(20, 24)]
    saved: list[str] = []
    failure: dict[str, Any] | None = None
    for index in range(200):
        screening = factories.make_screening(
            f"S-{index:03d}", right=pool[index % 4], left=pool[(index + 1) % 4]
        )
        try:
            store.save_screening(screening)
        except StorageError as exc:
            failure = {"id": screening.screening_id, "reason": exc.reason, "message": str(exc)}
            break
        saved.append(screening.screening_id)
    result: dict[str, Any] = {"saved": saved, "failure": failure}
    result["temp_files"] = [str(p) for p in temp_files(root)]
    with ScreeningStore(root) as fresh:
        for screening_id in saved:
            fresh.load_screening(screening_id)
        result["problems"] = fresh.integrity_problems()
        result["failed_was_saved"] = failure is not None and fresh.has_screening(failure["id"])
        result["audited_ids"] = sorted(
            {e["screening_id"] for e in fresh.audit_events() if e["screening_id"]}
        )
    # Fill the last free byte, then save a screening without photographs: now SQLite
    # itself hits ENOSPC while committing (SQLITE_FULL).
    last_bytes = Path(mount) / "last-bytes"
    fd = os.open(last_bytes, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass  # ENOSPC: the disk is now completely full
    finally:
        os.close(fd)
    no_photos = factories.make_screening("S-nophoto", left_skipped=True)
    no_photos = replace(
        no_photos,
        eyes=(
            replace(no_photos.eyes[0], image=None, quality=None, grade=None, error="unreadable"),
            no_photos.eyes[1],
        ),
    )
    try:
        store.save_screening(no_photos)
    except StorageError as exc:
        result["db_full"] = {"reason": exc.reason, "message": str(exc)}
        result["db_full_cause"] = type(exc.__cause__).__name__
    result["db_full_was_saved"] = store.has_screening("S-nophoto")
    result["db_full_integrity"] = sqlite_integrity(root / "retiscreen.db")
    # Once space is freed, the very same screenings save normally.
    last_bytes.unlink()
    filler.unlink()
    store.save_screening(no_photos)
    factories.assert_same_screening(store.load_screening("S-nophoto"), no_photos)
    if failure is not None:
        index = int(failure["id"].split("-")[1])
        retry = factories.make_screening(
            failure["id"], right=pool[index % 4], left=pool[(index + 1) % 4]
        )
        store.save_screening(retry)
        factories.assert_same_screening(store.load_screening(failure["id"]), retry)
        result["retry_saved"] = True
    result["sqlite_integrity"] = sqlite_integrity(root / "retiscreen.db")
    print(json.dumps(result))


# --------------------------------------------------------------------------- tests


def test_sigkill_mid_save_never_loses_a_reported_screening(tmp_path: Path) -> None:
    """A child saves in a loop and prints each id after save_screening returned; it is
    SIGKILLed at varying moments (mostly mid-save). Every printed id must load
    completely afterwards, photographs verified by sha256, and SQLite must be intact."""
    root = tmp_path / "data"
    reported: list[str] = []
    for round_no, delay_s in enumerate((0.0, 0.011, 0.029, 0.047)):
        stderr_path = tmp_path / f"child-{round_no}.err"
        with open(stderr_path, "w") as stderr:
            child = subprocess.Popen(
                child_command("crash_worker", str(root), str(round_no * 1_000_000)),
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
            lines: queue.Queue[str | None] = queue.Queue()

            def pump(
                process: subprocess.Popen[str] = child, out: queue.Queue[str | None] = lines
            ) -> None:
                assert process.stdout is not None
                for line in process.stdout:
                    out.put(line.strip())
                out.put(None)

            reader = threading.Thread(target=pump, daemon=True)
            reader.start()
            this_round: list[str] = []
            try:
                while len(this_round) < 3:
                    item = lines.get(timeout=120)
                    assert item is not None, stderr_path.read_text()
                    this_round.append(item)
                time.sleep(delay_s)
            finally:
                os.kill(child.pid, signal.SIGKILL)
                child.wait(timeout=30)
            reader.join(timeout=30)
        while (item := lines.get_nowait()) is not None:  # printed before the kill
            this_round.append(item)
        assert child.returncode == -signal.SIGKILL
        reported += this_round

        assert sqlite_integrity(root / "retiscreen.db") == ["ok"]
        with ScreeningStore(root) as store:
            for screening_id in reported:
                loaded = store.load_screening(screening_id)
                assert len(loaded.eyes) == 2
                assert all(eye.image is not None for eye in loaded.eyes)
            # Nothing half-saved either: every row that exists loads completely.
            saved = [h["screening_id"] for h in store.history(limit=1_000_000)]
            assert set(reported) <= set(saved)
            for screening_id in saved:
                store.load_screening(screening_id)
            assert store.integrity_problems() == []
            saved_events = [e for e in store.audit_events() if e["event"] == "screening_saved"]
            assert sorted(e["screening_id"] for e in saved_events) == sorted(saved)
    assert len(reported) >= 12


def test_a_locked_database_fails_cleanly_and_loses_nothing(tmp_path: Path) -> None:
    root = tmp_path / "data"
    store = ScreeningStore(root, busy_timeout_s=0.3)
    before = factories.make_screening("S-before")
    store.save_screening(before)

    blocker = records_db(store.db_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StorageError, match="records database is busy/locked") as info:
            store.save_screening(factories.make_screening("S-during"))
        assert time.monotonic() - started >= 0.25  # it waited for the lock first
        assert info.value.reason == "busy"
        assert "S-during was NOT saved" in str(info.value)
        assert not (root / "images" / "S-during").exists()
        with pytest.raises(StorageError, match="busy/locked"):
            store.audit("image_rejected", message="x")
        # Readers are not blocked (WAL): the earlier screening is still there.
        factories.assert_same_screening(store.load_screening("S-before"), before)
        with ScreeningStore(root, busy_timeout_s=0.3) as second:
            assert [h["screening_id"] for h in second.history()] == ["S-before"]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    after = factories.make_screening("S-after")
    store.save_screening(after)
    factories.assert_same_screening(store.load_screening("S-after"), after)
    # Same started_at: the later save comes first.
    assert [h["screening_id"] for h in store.history()] == ["S-after", "S-before"]
    assert store.integrity_problems() == []
    store.close()


def test_a_file_size_limit_mid_save_keeps_earlier_records(tmp_path: Path) -> None:
    """Real write failure without root: RLIMIT_FSIZE in a child makes write() fail with
    EFBIG (SIGXFSZ ignored) while the photograph is being written."""
    root = tmp_path / "data"
    with ScreeningStore(root) as store:
        earlier = factories.make_screening("S-earlier")
        store.save_screening(earlier)
    limit = 512 * 1024
    assert max(p.stat().st_size for p in root.rglob("*") if p.is_file()) < limit
    result = subprocess.run(
        child_command("file_size_limit_worker", str(root), str(limit)),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["reason"] == "io", outcome
    assert outcome["message"].startswith("A file-size limit was reached")
    assert "the screening S-too-big was NOT saved" in outcome["message"]
    assert temp_files(root) == []
    assert not (root / "images" / "S-too-big").exists()
    with ScreeningStore(root) as store:
        assert not store.has_screening("S-too-big")
        factories.assert_same_screening(store.load_screening("S-earlier"), earlier)
        assert store.integrity_problems() == []


def _private_tmpfs_works(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None or not sys.platform.startswith("linux"):
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    try:
        done = subprocess.run(
            [
                "unshare",
                "-rm",
                "sh",
                "-c",
                'mount -t tmpfs -o size=64k tmpfs "$1"',
                "sh",
                str(probe),
            ],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_a_really_full_disk_is_reported_and_nothing_saved_is_lost(tmp_path: Path) -> None:
    """ENOSPC for real: the store lives on a 3 MiB tmpfs mounted in a private user+mount
    namespace (``unshare -rm``), filled by saving screenings until a save fails."""
    if not _private_tmpfs_works(tmp_path):
        pytest.skip("cannot mount a private tmpfs here (unshare -rm not permitted)")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    script = 'mount -t tmpfs -o size=3m tmpfs "$1" && shift && exec "$@"'
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", str(mount),
         *child_command("disk_full_worker", str(mount))],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    failure = outcome["failure"]
    assert failure is not None, "the disk never filled up"
    assert len(outcome["saved"]) >= 1
    assert failure["reason"] == "disk_full"
    assert failure["message"].startswith("The disk is full:")
    assert f"the screening {failure['id']} was NOT saved" in failure["message"]
    assert failure["message"].endswith("Free space or call IT.")
    assert outcome["temp_files"] == []
    assert outcome["problems"] == []
    assert outcome["failed_was_saved"] is False
    assert outcome["audited_ids"] == sorted(outcome["saved"])
    assert outcome["retry_saved"] is True
    assert outcome["sqlite_integrity"] == ["ok"]
    # The same when the database write is what fails (SQLITE_FULL at commit).
    assert outcome["db_full"] == {
        "reason": "disk_full",
        "message": "The disk is full: the screening S-nophoto was NOT saved. "
        "Free space or call IT.",
    }
    assert outcome["db_full_cause"] == "OperationalError"  # raised by SQLite, not by a file
    assert outcome["db_full_was_saved"] is False
    assert outcome["db_full_integrity"] == ["ok"]
