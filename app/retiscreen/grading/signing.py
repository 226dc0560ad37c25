"""Signed model folders: an Ed25519 signature over a manifest of every file's sha256.

A model folder holds ``manifest.json`` (the name and sha256 of each ONNX file and model
card) and ``manifest.sig`` (a detached Ed25519 signature over the manifest's exact
bytes). The runtime trusts the maintainers' release key shipped in this package
(``keys/release-ed25519.pub.pem``) plus any key a site's administrator names in
``[models] trusted_keys``. Checking only the ONNX hash written in the card (as before)
let anyone edit the card, its threshold included; the signature covers both.

Only verification lives here: signing needs a private key, which the package never
holds (``scripts/sign_models.py`` signs, with a key given on its command line).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from retiscreen.errors import GradingUnavailable

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_FORMAT = 1
RELEASE_KEY = Path(__file__).resolve().parent / "keys" / "release-ed25519.pub.pem"


PublicKey = Ed25519PublicKey


class SignatureError(GradingUnavailable):
    """The model folder is unsigned, wrongly signed, or holds a file the signature does
    not cover as it is now: grading is unavailable, never a silent fallback."""


@dataclass(frozen=True, slots=True)
class SignedManifest:
    """The verified manifest: which files, with which sha256, under which key."""

    files: Mapping[str, str]
    key_id: str

    def check(self, name: str, data: bytes) -> None:
        """Refuse ``data`` read as ``name`` unless it is exactly what was signed."""
        self.check_digest(name, sha256_bytes(data))

    def check_digest(self, name: str, sha256: str) -> None:
        """The same, for a caller that has hashed the bytes it read already."""
        expected = self.files.get(name)
        if expected is None:
            raise SignatureError(f"{name} is not covered by the model signature")
        if sha256 != expected:
            raise SignatureError(f"{name} was changed after it was signed")

    def check_folder(self, folder: Path) -> None:
        """Every signed file present and unchanged (install and selftest; loading a
        model checks the bytes it actually reads instead)."""
        for name in self.files:
            try:
                data = (folder / name).read_bytes()
            except OSError:
                raise SignatureError(f"signed model file {name} is missing or unreadable") from None
            self.check(name, data)


def key_id(key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its sha256."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(path: Path, owner_only: bool = True) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file.

    An administrator-named key file others may write is refused: whoever can replace a
    trusted key can install any model. The package's own key is exempt (``owner_only``
    false): it is as safe as the code beside it, and a checkout made under umask 002
    leaves it group-writable."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise SignatureError(f"trusted key {path} cannot be read ({exc.strerror})") from None
    if owner_only and mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise SignatureError(f"trusted key {path} is writable by others; refusing to trust it")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise SignatureError(f"trusted key {path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError(f"trusted key {path} is not an Ed25519 key")
    return key


def trusted_keys(extra: Iterable[Path] = ()) -> list[Ed25519PublicKey]:
    """The release key shipped in the package, then each administrator-named key."""
    return [load_public_key(RELEASE_KEY, owner_only=False), *(load_public_key(p) for p in extra)]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(files: Mapping[str, str]) -> bytes:
    """The canonical manifest: sorted keys, so the same files always sign the same."""
    document = {"format": MANIFEST_FORMAT, "files": dict(sorted(files.items()))}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def sign_folder(folder: Path, names: Sequence[str], private_key: Ed25519PrivateKey) -> None:
    """Write ``manifest.json`` and ``manifest.sig`` covering ``names`` in ``folder``."""
    files = {name: sha256_bytes((folder / name).read_bytes()) for name in names}
    manifest = manifest_bytes(files)
    signature = base64.b64encode(private_key.sign(manifest)) + b"\n"
    _write_atomically(folder / MANIFEST, manifest)
    _write_atomically(folder / SIGNATURE, signature)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def verify_folder(folder: Path, keys: Sequence[Ed25519PublicKey]) -> SignedManifest:
    """The manifest of ``folder`` once its signature verifies against one of ``keys``.

    Callers check each file's bytes against it as they read them (``check``), so a file
    swapped between this check and its use is still caught."""
    try:
        manifest = (folder / MANIFEST).read_bytes()
        encoded = (folder / SIGNATURE).read_bytes()
    except FileNotFoundError:
        raise SignatureError("the models are missing or not signed (no signed manifest)") from None
    except OSError as exc:
        raise SignatureError(f"the model signature cannot be read ({exc.strerror})") from None
    try:
        signature = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise SignatureError("the model signature is damaged") from None
    signer = next((k for k in keys if _verifies(k, signature, manifest)), None)
    if signer is None:
        raise SignatureError("the model signature does not match any trusted key")
    try:
        document = json.loads(manifest)
        files = {str(k): str(v).lower() for k, v in document["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SignatureError("the signed model manifest is unreadable") from None
    if document.get("format") != MANIFEST_FORMAT:
        raise SignatureError(f"model manifest format {document.get('format')!r} is unknown")
    outside = [name for name in files if Path(name).name != name]
    if outside:
        raise SignatureError(f"the model manifest names files outside its folder: {outside}")
    return SignedManifest(files, key_id(signer))


def _verifies(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
