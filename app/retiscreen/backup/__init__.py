"""Back up and restore a kiosk's records: database, photographs, reports, report secret.

``retiscreen backup --to FILE`` writes one sealed archive (:mod:`.envelope`: the whole
tar.gz encrypted and authenticated in AES-256-GCM chunks under a key derived from the
records key). Inside:

* ``data/retiscreen.db``: a consistent snapshot taken with SQLite's online backup API
  while the kiosk may keep screening (WAL readers never block the writer), checked with
  ``PRAGMA integrity_check`` and switched to a single-file (non-WAL) database;
* ``data/images/…``, ``data/reports/…``: the photographs and report PDFs as stored
  (encrypted), copied AFTER the snapshot. Files are written before the transaction that
  references them commits and are never changed afterwards, so every file the snapshot
  references is there; a file newer than the snapshot is merely unreferenced;
* ``data/drafts/…``: the sealed photographs of unfinished screenings, so a restored
  draft resumes whole. A draft finished or discarded between the snapshot and the copy
  may come back without its photographs (the operator is told, and can discard it);
* ``data/report-secret.key``, ``data/audit.key`` and the snapshot's audit head;
* ``manifest.json``: format, versions, counts, and the size and sha256 of every file.

Next to the archive, ``FILE.sha256`` (``sha256sum -c`` format) covers the archive itself.
Every file the snapshot references is decrypted and checked against its recorded sha256;
a problem is listed under ``problems`` in the manifest (the backup is still written: a
partial backup beats none) and the command exits 1.

``retiscreen restore FILE --admin NAME [--force]`` authenticates the whole archive and
verifies every hash before touching the data folder, needs an administrator's PIN
(:mod:`.authority`), refuses a folder that already holds records unless ``--force`` (the
old records are then moved aside into ``replaced-<time>/`` in the data folder, never
deleted), refuses a database from a newer RetiScreen, and when run as root gives the
restored files to the data folder's owner. Stop the kiosk before restoring.

Not included: ``logs/`` and ``backups/`` (the pre-upgrade database copies), the
settings file (back up /etc/retiscreen with the system), and ``records.key``: the
archive is sealed with it, so it is kept apart (``retiscreen key export``) and given back
with ``retiscreen restore FILE --key KEYFILE`` on another machine.
"""

from retiscreen.backup.archive import create_backup
from retiscreen.backup.records import BackupInfo
from retiscreen.backup.restore import records_in, restore_backup, verify_backup
from retiscreen.errors import BackupError

__all__ = [
    "BackupError",
    "BackupInfo",
    "create_backup",
    "records_in",
    "restore_backup",
    "verify_backup",
]
