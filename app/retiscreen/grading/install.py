"""Installing a model update: a signed bundle in, the models folder swapped only when
every check passed.

A bundle is a tar archive (optionally gzip-compressed) or a folder holding the model
files, ``manifest.json`` and ``manifest.sig`` at its top level. It is unpacked beside the
models folder, its signature and every file's sha256 are verified, and each model is
loaded the way the screening path loads it. Only then does the folder change: the old
models are kept as ``<folder>.previous`` (one generation) and the new ones are renamed
into place, so an interrupted install leaves either the old or the new folder, or none
(grading unavailable), but never a mixed or unverified one.
"""

from __future__ import annotations

import logging
import os
import shutil
import tarfile
from collections.abc import Sequence
from pathlib import Path

from retiscreen.errors import GradingUnavailable, RetiScreenError
from retiscreen.grading.grader import GradabilityModel, Grader
from retiscreen.grading.model import CARD_SUFFIX, OnnxModel, read_card
from retiscreen.grading.signing import (
    MANIFEST,
    SIGNATURE,
    PublicKey,
    SignatureError,
    SignedManifest,
    verify_folder,
)

log = logging.getLogger(__name__)

MODEL_NAMES = ("grader", "quality")
REQUIRED_FILES = tuple(f"{n}{s}" for n in MODEL_NAMES for s in (".onnx", CARD_SUFFIX))
MAX_BUNDLE_BYTES = 1 << 30
"""A bundle larger than this is not a model update (the shipped pair is about 20 MB)."""


class BundleError(RetiScreenError):
    """The bundle is unreadable, malformed, unsigned or wrongly signed: nothing changed
    (the models already installed stay in use)."""

    message_key = "error.model_bundle"


def verify_models(folder: Path, keys: Sequence[PublicKey]) -> SignedManifest:
    """Signature, every file's sha256, and both models loading as the screening path
    loads them (card matches network, grader has five grades, quality has 'gradable')."""
    manifest = verify_folder(folder, keys)
    manifest.check_folder(folder)
    missing = [name for name in REQUIRED_FILES if name not in manifest.files]
    if missing:
        raise SignatureError(f"the signed models lack {', '.join(missing)}")
    try:
        Grader(OnnxModel(folder / f"grader{CARD_SUFFIX}", manifest, prefer_gpu=False))
        GradabilityModel(OnnxModel(folder / f"quality{CARD_SUFFIX}", manifest, prefer_gpu=False))
    except ValueError as exc:
        raise SignatureError(f"the models do not fit together: {exc}") from None
    return manifest


def describe(folder: Path, manifest: SignedManifest) -> str:
    """One line for the administrator: which models, signed by which key."""
    names = [read_card(folder / f"{n}{CARD_SUFFIX}", manifest) for n in MODEL_NAMES]
    models = ", ".join(f"{card.name} {card.version}" for card in names)
    return f"{models}; signed by key {manifest.key_id}"


def install_bundle(bundle: Path, target: Path, keys: Sequence[PublicKey]) -> SignedManifest:
    """Verify ``bundle`` completely, then make it the models in ``target``."""
    target = target.expanduser().resolve()
    staging = target.with_name(f".{target.name}.incoming-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        _unpack(bundle, staging)
        try:
            manifest = verify_models(staging, keys)
        except GradingUnavailable as exc:
            raise BundleError(f"the bundle was refused: {exc}") from None
        _swap(staging, target)
    except OSError as exc:
        raise BundleError(
            f"the models in {target} could not be replaced ({exc.strerror or exc}); "
            "run as the account that owns them"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("installed models signed by key %s into %s", manifest.key_id, target)
    return manifest


def _unpack(bundle: Path, into: Path) -> None:
    """Copy only plain files with plain names: no folders, links or paths outside."""
    if bundle.is_dir():
        for path in bundle.iterdir():
            if path.is_file() and not path.is_symlink():
                shutil.copyfile(path, into / path.name)
    else:
        _untar(bundle, into)
    for name in (MANIFEST, SIGNATURE):
        if not (into / name).exists():
            raise BundleError(f"the bundle is not signed (it has no {name})")


def _untar(bundle: Path, into: Path) -> None:
    try:
        with tarfile.open(bundle) as archive:
            total = 0
            for member in archive.getmembers():
                name = member.name.removeprefix("./")
                if member.isdir() and name in ("", "."):
                    continue
                if not member.isfile() or "/" in name or name in ("", ".", ".."):
                    raise BundleError(f"the bundle holds an unexpected entry: {member.name!r}")
                total += member.size
                if total > MAX_BUNDLE_BYTES:
                    raise BundleError("the bundle is too large to be a model update")
                source = archive.extractfile(member)
                assert source is not None  # a regular file always has contents
                with source, (into / name).open("wb") as out:
                    shutil.copyfileobj(source, out)
    except FileNotFoundError:
        raise BundleError(f"no bundle at {bundle}") from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BundleError(f"the bundle cannot be read as a tar archive ({exc})") from None


def _swap(staging: Path, target: Path) -> None:
    previous = target.with_name(f"{target.name}.previous")
    if target.exists():
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(target, previous)
    os.replace(staging, target)
