"""Sign a models folder (maintainers only), and optionally pack it as an update bundle.

    python scripts/sign_models.py --key ../shared/signing/release-ed25519.pem models
    python scripts/sign_models.py --key KEY.pem models --bundle retiscreen-models.tar.gz

Writes ``manifest.json`` (sha256 of each ONNX file and card) and ``manifest.sig`` (an
Ed25519 signature over it) into the folder. The private key is read from the path given
and never copied anywhere; the package ships only the public half. A clinic installs a
bundle with ``retiscreen models install BUNDLE``, which refuses it unless the signature
verifies against a trusted key.
"""

from __future__ import annotations

import argparse
import tarfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from retiscreen.grading.install import REQUIRED_FILES
from retiscreen.grading.signing import MANIFEST, SIGNATURE, key_id, sign_folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--key", type=Path, required=True, help="Ed25519 private key (PEM)")
    parser.add_argument("--bundle", type=Path, help="also write this .tar.gz update bundle")
    args = parser.parse_args()
    key = serialization.load_pem_private_key(args.key.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SystemExit(f"{args.key} is not an Ed25519 private key")
    sign_folder(args.folder, REQUIRED_FILES, key)
    print(f"signed {', '.join(REQUIRED_FILES)} with key {key_id(key.public_key())}")
    if args.bundle:
        with tarfile.open(args.bundle, "w:gz") as bundle:
            for name in (*REQUIRED_FILES, MANIFEST, SIGNATURE):
                bundle.add(args.folder / name, arcname=name)
        print(f"bundle written: {args.bundle}")


if __name__ == "__main__":
    main()
