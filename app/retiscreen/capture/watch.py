"""Detects complete new photographs in a folder a fundus camera writes to.

A camera (or a network copy) writes a file over several seconds; reading it half-way
would give a truncated JPEG. A file is reported only once its size and modification
time have stayed the same for ``settle_s`` and it is not empty. Files already present
when watching starts are not reported. Pure and clock-driven, so it is tested without
waiting; :mod:`retiscreen.capture.qt_watch` drives it from Qt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retiscreen.capture.source import list_images


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    stable_since: float


class StableFileTracker:
    """Call :meth:`poll` regularly; it returns each new, complete file exactly once."""

    def __init__(
        self, folder: Path, settle_s: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.folder = Path(folder)
        self.settle_s = settle_s
        self._clock = clock
        self._pending: dict[Path, _Seen] = {}
        self._done: set[Path] = set(list_images(self.folder))

    def poll(self) -> list[Path]:
        """New files whose size has settled since the last polls, oldest name first."""
        now = self._clock()
        ready: list[Path] = []
        present = set(list_images(self.folder))
        self._done &= present  # a file deleted and written again counts as new
        for path in sorted(present - self._done):
            try:
                stat = path.stat()
            except OSError:
                self._pending.pop(path, None)
                continue
            seen = self._pending.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                self._pending[path] = _Seen(stat.st_size, stat.st_mtime_ns, now)
                continue
            if stat.st_size > 0 and now - seen.stable_since >= self.settle_s:
                ready.append(path)
                self._done.add(path)
                del self._pending[path]
        for gone in set(self._pending) - present:
            del self._pending[gone]
        return ready
