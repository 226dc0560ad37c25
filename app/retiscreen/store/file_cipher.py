"""Photographs and report copies encrypted at rest (AES-256-GCM).

Why a data key inside the database rather than the records key itself: the database
is SQLCipher-encrypted with the records key, so a file key kept in it is as well
protected as the records, and ``retiscreen key rotate`` (which re-keys the database)
need not rewrite every photograph. Without the records key nothing opens the database,
so nothing decrypts a file either.

Why the file's place is authenticated with it: the stored path (``images/<id>/right.jpg``)
is the associated data, so a photograph copied over another screening's, or a report
swapped for another, fails to decrypt instead of showing the wrong patient's data.

A sealed file is ``MAGIC | key id (4 bytes) | nonce (12) | ciphertext and tag``. Files
written before encryption are recognised by the missing magic, read as they are, and
sealed in place the first time the upgraded store opens (:func:`seal_plaintext_files`).
"""

from __future__ import annotations

import logging
import secrets
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from retiscreen.errors import StorageError
from retiscreen.store.files import atomic_write

MAGIC = b"RSGCM01\n"
NONCE_BYTES = 12
KEY_BYTES = 32
_KEY_ID = struct.Struct(">I")
HEADER_BYTES = len(MAGIC) + _KEY_ID.size + NONCE_BYTES
log = logging.getLogger(__name__)


def new_file_key() -> bytes:
    """A fresh AES-256 data key."""
    return secrets.token_bytes(KEY_BYTES)


def is_sealed(data: bytes) -> bool:
    """Whether ``data`` is a file this module encrypted."""
    return data.startswith(MAGIC)


@dataclass(frozen=True)
class FileCipher:
    """The data keys of one records database: seals new files with the newest key,
    opens files sealed with any of them."""

    keys: dict[int, bytes]

    @property
    def current(self) -> int:
        """The id of the key new files are sealed with."""
        return max(self.keys)

    def seal(self, relative: str, data: bytes) -> bytes:
        """``data`` encrypted for the stored file ``relative`` (its path under the root)."""
        key_id = self.current
        header = MAGIC + _KEY_ID.pack(key_id) + secrets.token_bytes(NONCE_BYTES)
        nonce = header[-NONCE_BYTES:]
        return header + AESGCM(self.keys[key_id]).encrypt(nonce, data, _aad(header, relative))

    def open(self, relative: str, stored: bytes, what: str) -> bytes:
        """The content of the stored file ``relative``; a file from before encryption
        is returned as it is (its sha256 is still checked by the caller).

        Raises StorageError when the file was changed, moved from another record, or
        sealed with a key this database does not hold.
        """
        if not is_sealed(stored):
            return stored
        if len(stored) < HEADER_BYTES + 16:
            raise _damaged(what)
        header = stored[:HEADER_BYTES]
        (key_id,) = _KEY_ID.unpack(header[len(MAGIC) : len(MAGIC) + _KEY_ID.size])
        key = self.keys.get(key_id)
        if key is None:
            raise StorageError(
                f"The stored file of {what} was encrypted with a key these records do not "
                "hold (was it copied from another kiosk?). Do not use it; call IT.",
                reason="corrupt",
            )
        nonce = header[-NONCE_BYTES:]
        try:
            return AESGCM(key).decrypt(nonce, stored[HEADER_BYTES:], _aad(header, relative))
        except InvalidTag:
            raise _damaged(what) from None


def _aad(header: bytes, relative: str) -> bytes:
    return header + relative.encode("utf-8")


def _damaged(what: str) -> StorageError:
    return StorageError(
        f"The stored file of {what} has been changed, damaged or moved from another "
        "record since it was saved (it no longer decrypts). Do not use it; call IT.",
        reason="corrupt",
    )


def seal_plaintext_files(root: Path, relatives: Iterable[str], cipher: FileCipher) -> int:
    """Encrypt in place every listed file still in the clear; returns how many.

    Each file is rewritten atomically (the old bytes or the sealed ones, never half),
    so an interrupted pass is simply run again at the next start.
    """
    sealed = 0
    for relative in relatives:
        path = root / relative
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue  # the integrity check reports a missing file
        if is_sealed(data):
            continue
        atomic_write(path, cipher.seal(relative, data), what="an encrypted copy of a file")
        sealed += 1
    if sealed:
        log.info("%d stored files written before encryption were encrypted", sealed)
    return sealed
