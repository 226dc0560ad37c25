"""The camera hand-off: photographs a fundus camera (or a network copy) writes into a
folder, taken once each, never lost.

Rules, each because a photograph was lost otherwise:

* Files already in the folder when watching starts are taken too: after a crash or a
  restart they are photographs nobody has screened yet.
* A file is taken only once its size and modification time have stayed the same for
  ``settle_s`` *and* it decodes. A transfer that stops half-way is not taken as a
  truncated photograph; if it stays undecodable for ``abandon_s`` it is handed over as
  a failure (the consumer moves it to ``failed/`` with the reason).
* Every file is handed over exactly once per inbox, in the order it settled; nothing is
  dropped when two arrive together. Which eye a file shows comes from the file itself
  (DICOM ImageLaterality) or from the site's file-name patterns, else it is left for
  the operator (the eye being captured).
* Handled files are moved, never deleted: to ``done/`` once their screening is saved,
  to ``failed/`` otherwise, each with a ``.reason.txt`` beside it saying why. A file the
  program took but never settled (a crash mid-batch) is still in the folder, and is
  taken again by the next inbox.

Pure and clock-driven, so it is tested without waiting; :mod:`retiscreen.capture.qt_watch`
drives it from Qt.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from retiscreen.capture.source import list_images
from retiscreen.domain import FundusImage, Laterality
from retiscreen.errors import ImageError
from retiscreen.imaging.load import load_fundus

log = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"
REASON_SUFFIX = ".reason.txt"
DEFAULT_ABANDON_S = 30.0


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    stable_since: float
    problem: str | None = None
    """Why it did not decode the last time it was tried (at this size and time)."""


@dataclass(frozen=True)
class Arrival:
    """A file handed over by the inbox: decoded, or a failure to be moved aside."""

    path: Path
    image: FundusImage | None
    laterality: Laterality | None
    """The eye, from the file (DICOM) or its name; None: the operator decides."""
    problem: str | None = None
    """Why the file cannot be used (it never became a complete photograph)."""
    at: float = 0.0
    """When it was handed over (the inbox's clock)."""


@dataclass(frozen=True)
class EyePatterns:
    """File-name patterns (shell style, case-insensitive) that name the eye."""

    right: tuple[str, ...] = ()
    left: tuple[str, ...] = ()

    @classmethod
    def parse(cls, right: str, left: str) -> EyePatterns:
        def split(text: str) -> tuple[str, ...]:
            return tuple(p.strip().casefold() for p in text.split(",") if p.strip())

        return cls(split(right), split(left))

    def side(self, name: str) -> Laterality | None:
        """The eye the name says, or None when no pattern (or both sides') match."""
        folded = name.casefold()
        right = any(fnmatch.fnmatchcase(folded, p) for p in self.right)
        left = any(fnmatch.fnmatchcase(folded, p) for p in self.left)
        if right == left:
            return None
        return Laterality.RIGHT if right else Laterality.LEFT


class CameraInbox:
    """Call :meth:`poll` regularly; it hands over each complete file exactly once."""

    def __init__(
        self,
        folder: Path,
        settle_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        patterns: EyePatterns | None = None,
        abandon_s: float = DEFAULT_ABANDON_S,
        decode: Callable[[Path], FundusImage] = load_fundus,
    ) -> None:
        self.folder = Path(folder)
        self.settle_s = settle_s
        self.abandon_s = max(abandon_s, settle_s)
        self.patterns = patterns or EyePatterns()
        self._clock = clock
        self._decode = decode
        self._pending: dict[Path, _Seen] = {}
        self._handed: set[Path] = set()

    def poll(self) -> list[Arrival]:
        """Files that became complete (or were given up on) since the last poll."""
        now = self._clock()
        present = set(list_images(self.folder))
        self._handed &= present  # moved away, or deleted and written again: new
        ready: list[Arrival] = []
        for path in sorted(present - self._handed, key=_arrival_order):
            arrival = self._check(path, now)
            if arrival is not None:
                ready.append(arrival)
                self._handed.add(path)
                self._pending.pop(path, None)
        for gone in set(self._pending) - present:
            del self._pending[gone]
        return ready

    def _check(self, path: Path, now: float) -> Arrival | None:
        try:
            stat = path.stat()
        except OSError:
            self._pending.pop(path, None)
            return None
        seen = self._pending.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            self._pending[path] = _Seen(stat.st_size, stat.st_mtime_ns, now)
            return None
        stable_for = now - seen.stable_since
        if stat.st_size == 0 or stable_for < self.settle_s:
            return None
        if seen.problem is None:
            try:
                image = self._decode(path)
            except ImageError as exc:
                seen.problem = str(exc)  # perhaps still arriving: wait for a change
            else:
                side = image.laterality_hint or self.patterns.side(path.name)
                return Arrival(path, image, side, at=now)
        if stable_for >= self.abandon_s:
            return Arrival(path, None, None, seen.problem, at=now)
        return None

    def settle(self, path: Path, outcome: str, reason: str) -> Path | None:
        """Move a handled file to ``done/`` or ``failed/`` with ``reason`` beside it; the
        new path (None when the file is already gone). Never overwrites: a name already
        there gets a number."""
        if outcome not in (DONE, FAILED):
            raise ValueError(f"outcome must be {DONE!r} or {FAILED!r}")
        target_dir = self.folder / outcome
        try:
            target_dir.mkdir(exist_ok=True)
            target = _free_name(target_dir, path.name)
            reason_file = target.with_name(target.name + REASON_SUFFIX)
            reason_file.write_text(reason.rstrip() + "\n", encoding="utf-8")
            os.replace(path, target)  # same folder tree: atomic, the file is never in two
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.error("a handled photograph could not be moved to %s/: %s", outcome, exc)
            return None
        self._handed.discard(path)
        return target

    def settle_all(self, paths: Iterable[Path], outcome: str, reason: str) -> None:
        for path in paths:
            self.settle(path, outcome, reason)


class PhotoQueue:
    """Photographs waiting for an eye, oldest first: nothing that arrives is dropped,
    whatever page the kiosk shows and however close together two files arrive."""

    def __init__(self, inbox: CameraInbox, max_age_s: float | None = None) -> None:
        self.inbox = inbox
        self.max_age_s = max_age_s
        self.waiting: list[Arrival] = []

    def refresh(self) -> int:
        """Take what the inbox hands over; a file that never became a photograph goes
        to ``failed/`` with the reason at once. Returns how many photographs were added."""
        added = 0
        for arrival in self.inbox.poll():
            if arrival.image is None:
                self.inbox.settle(
                    arrival.path,
                    FAILED,
                    f"Not a complete photograph after {self.inbox.abandon_s:g} s: "
                    f"{arrival.problem}",
                )
                continue
            self.waiting.append(arrival)
            added += 1
        return added

    def take(self, side: Laterality, labelled_only: bool = False) -> Arrival | None:
        """The oldest photograph for ``side``: one labelled with that eye, or (unless
        ``labelled_only``) unlabelled: the operator is capturing that eye and checks it
        on screen."""
        allowed = (side,) if labelled_only else (side, None)
        for arrival in self.waiting:
            if arrival.laterality in allowed:
                self.waiting.remove(arrival)
                return arrival
        return None

    def set_aside_stale(self, now: float) -> int:
        """Move photographs that waited longer than ``max_age_s`` to ``failed/``: taken
        before this patient sat down, they may show someone else. How many."""
        if self.max_age_s is None:
            return 0
        stale = [a for a in self.waiting if now - a.at > self.max_age_s]
        for arrival in stale:
            self.waiting.remove(arrival)
            self.inbox.settle(
                arrival.path,
                FAILED,
                f"Waited more than {self.max_age_s / 60:g} minutes before a screening took it; "
                "not used automatically in case it shows another patient. Import it by hand "
                "if it belongs to the patient being screened.",
            )
        return len(stale)


def _arrival_order(path: Path) -> tuple[int, str]:
    """Oldest first (by modification time), then by name: the order the camera wrote."""
    try:
        return path.stat().st_mtime_ns, path.name.lower()
    except OSError:
        return 0, path.name.lower()


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 1
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate
