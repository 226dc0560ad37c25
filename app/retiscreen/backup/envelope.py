"""The sealed envelope around a backup archive: encrypted and authenticated, in chunks.

Why the whole archive and not only its members: the database and the stored files are
already encrypted, but the archive also carries the report and audit keys, file names
and the manifest; and "authenticated" must mean that *any* changed byte, truncation or
reordering is refused before anything is restored, which a per-file hash list that
anyone can recompute does not give.

Why chunks: an archive can be many gigabytes, and AES-GCM authenticates a message only
once it has all been read. Each 1 MiB chunk is sealed on its own (the STREAM
construction of Hoang, Reyhanitabar, Rogaway and Vizár, 2015): its nonce is a random
prefix, the chunk's number and a last-chunk flag, so a chunk moved, dropped, repeated
or cut off at the end fails to open.

Layout: ``MAGIC | salt (16) | nonce prefix (7) | chunk…``, each chunk ``ciphertext|tag``
of at most ``CHUNK`` plaintext bytes. The key is derived (HKDF-SHA256, the salt, a
purpose label) from the records key, so restoring needs the key the records were
encrypted with (``retiscreen key export``), and nothing else.
"""

from __future__ import annotations

import io
import secrets
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from retiscreen.errors import BackupError

MAGIC = b"RETISCREEN-BACKUP-2\n"
SALT_BYTES = 16
PREFIX_BYTES = 7
HEADER_BYTES = len(MAGIC) + SALT_BYTES + PREFIX_BYTES
CHUNK = 1 << 20
TAG_BYTES = 16
_PURPOSE = b"retiscreen backup archive v2"


def is_sealed_backup(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a sealed (version 2) backup."""
    return head.startswith(MAGIC)


def _cipher(records_key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_PURPOSE)
    return AESGCM(derived.derive(records_key))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 1 << 32:
        raise BackupError("the backup is too large (over 4 PiB)")
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class SealingWriter(io.RawIOBase):
    """A write-only stream that seals what is written into ``target``; :meth:`close`
    seals the last chunk (so close it only when the archive is complete)."""

    def __init__(self, target: IO[bytes], records_key: bytes) -> None:
        super().__init__()
        self._target = target
        salt, prefix = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(PREFIX_BYTES)
        self._header = MAGIC + salt + prefix
        self._prefix = prefix
        self._aead = _cipher(records_key, salt)
        self._buffer = bytearray()
        self._counter = 0
        target.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buffer += data
        # keep at least one byte back: the chunk that ends the stream must carry the flag
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()

    def _seal(self, chunk: bytes, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._target.write(self._aead.encrypt(nonce, chunk, self._header))
        self._counter += 1


class OpeningReader(io.RawIOBase):
    """A read-only stream of the archive inside a sealed backup; every chunk is
    authenticated before a byte of it is returned. Raises BackupError on a changed,
    reordered or truncated archive, or a wrong key."""

    def __init__(self, source: IO[bytes], records_key: bytes, name: str) -> None:
        super().__init__()
        self._source = source
        self._name = name
        header = source.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not is_sealed_backup(header):
            raise BackupError(f"{name} is not a sealed RetiScreen backup")
        self._header = header
        self._prefix = header[-PREFIX_BYTES:]
        self._aead = _cipher(records_key, header[len(MAGIC) : len(MAGIC) + SALT_BYTES])
        self._pending = source.read(CHUNK + TAG_BYTES)
        self._plain = b""
        self._counter = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._plain and not self._ended:
            self._open_next()
        count = min(len(buffer), len(self._plain))
        buffer[:count] = self._plain[:count]
        self._plain = self._plain[count:]
        return count

    def _open_next(self) -> None:
        sealed = self._pending
        self._pending = self._source.read(CHUNK + TAG_BYTES)
        last = not self._pending
        try:
            self._plain = self._aead.decrypt(
                _nonce(self._prefix, self._counter, last), sealed, self._header
            )
        except InvalidTag:
            raise BackupError(
                f"{self._name} has been changed, damaged or cut short since it was written "
                "(or it was sealed with another records key). Nothing was restored. Use "
                "another copy of the backup, or the records key it was made with (--key)."
            ) from None
        self._counter += 1
        self._ended = last
