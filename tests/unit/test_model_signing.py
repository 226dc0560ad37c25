"""Signed models: only the exact bytes a trusted key signed ever grade, a site threshold
stays inside the card's validated range, and a model update installs only when signed."""

from __future__ import annotations

import base64
import hashlib
import json
import tarfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from retiscreen.cli import main
from retiscreen.errors import ConfigurationError, ExitCode
from retiscreen.grading.install import BundleError, install_bundle
from retiscreen.grading.signing import (
    MANIFEST,
    RELEASE_KEY,
    SIGNATURE,
    SignatureError,
    key_id,
    load_public_key,
    manifest_bytes,
    sign_folder,
    trusted_keys,
)
from retiscreen.pipeline import Pipeline
from retiscreen.store import ScreeningStore
from tests.support.images import DEMO_IMAGE
from tests.support.tiny_models import (
    MODEL_FILES,
    TEST_KEYS,
    TEST_SIGNING_KEY,
    write_models,
    write_test_key,
)

SHARED_PUBLIC_KEY = Path(__file__).resolve().parents[3] / "shared/signing/release-ed25519.pub.pem"


def unavailable_because(models: Path) -> str:
    pipeline = Pipeline.from_models_dir(models, prefer_gpu=False, keys=TEST_KEYS)
    assert pipeline.grader is None and pipeline.gradability is None
    assert pipeline.unavailable is not None
    return pipeline.unavailable


def test_signed_models_grade_and_name_their_key(tmp_path: Path) -> None:
    pipeline = Pipeline.from_models_dir(write_models(tmp_path), prefer_gpu=False, keys=TEST_KEYS)
    assert pipeline.unavailable is None
    assert pipeline.signed_by == key_id(TEST_KEYS[0])


def test_models_signed_by_an_untrusted_key_do_not_grade(tmp_path: Path) -> None:
    models = write_models(tmp_path)  # signed with the test key, which the release set lacks
    pipeline = Pipeline.from_models_dir(models, prefer_gpu=False)
    assert pipeline.grader is None
    assert pipeline.unavailable == "the model signature does not match any trusted key"


def test_unsigned_models_do_not_grade(tmp_path: Path) -> None:
    models = write_models(tmp_path, sign=False)
    assert "not signed" in unavailable_because(models)


def test_an_edited_card_threshold_is_refused(tmp_path: Path) -> None:
    models = write_models(tmp_path)
    card = models / "grader.card.json"
    document = json.loads(card.read_text())
    document["operating_point"]["threshold"] = 0.999
    card.write_text(json.dumps(document))
    assert unavailable_because(models) == "grader.card.json was changed after it was signed"


def test_a_swapped_network_is_refused_even_with_a_matching_card(tmp_path: Path) -> None:
    models = write_models(tmp_path)
    other = write_models(tmp_path / "other", grade_bias=[5.0, 0, 0, 0, 0], sign=False)
    for name in ("grader.onnx", "grader.card.json"):  # a consistent pair, not the signed one
        (models / name).write_bytes((other / name).read_bytes())
    assert "was changed after it was signed" in unavailable_because(models)


def test_a_manifest_edited_to_match_new_files_breaks_the_signature(tmp_path: Path) -> None:
    models = write_models(tmp_path)
    card = models / "grader.card.json"
    card.write_text(card.read_text().replace('"threshold": 0.3', '"threshold": 0.9'))
    files = json.loads((models / MANIFEST).read_text())["files"]
    files["grader.card.json"] = hashlib.sha256(card.read_bytes()).hexdigest()
    (models / MANIFEST).write_bytes(manifest_bytes(files))
    assert unavailable_because(models) == "the model signature does not match any trusted key"


def test_a_damaged_signature_is_refused(tmp_path: Path) -> None:
    models = write_models(tmp_path)
    (models / SIGNATURE).write_text("not base64 at all!")
    assert unavailable_because(models) == "the model signature is damaged"


def test_a_signed_manifest_cannot_reach_outside_its_folder(tmp_path: Path) -> None:
    models = write_models(tmp_path / "models")
    (tmp_path / "elsewhere.onnx").write_bytes(b"x")
    sign_folder(models, [*MODEL_FILES, "../elsewhere.onnx"], TEST_SIGNING_KEY)
    assert "outside its folder" in unavailable_because(models)


def test_a_trusted_key_file_others_can_write_is_refused(tmp_path: Path) -> None:
    key = write_test_key(tmp_path / "test.pub.pem")
    assert key_id(load_public_key(key)) == key_id(TEST_KEYS[0])
    key.chmod(0o666)
    with pytest.raises(SignatureError, match="writable by others"):
        load_public_key(key)


def test_the_package_key_is_trusted_even_when_a_checkout_made_it_group_writable(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "release.pub.pem"
    copy.write_bytes(RELEASE_KEY.read_bytes())
    copy.chmod(0o664)  # a clone under umask 002
    assert key_id(load_public_key(copy, owner_only=False)) == key_id(trusted_keys()[0])
    with pytest.raises(SignatureError, match="writable by others"):
        load_public_key(copy)  # as an administrator-named key it would be refused


def test_the_package_ships_the_maintainers_release_key() -> None:
    release = load_public_key(RELEASE_KEY)
    assert [key_id(k) for k in trusted_keys()] == [key_id(release)]
    if not SHARED_PUBLIC_KEY.exists():
        pytest.skip("../shared/signing is not beside this checkout")
    assert RELEASE_KEY.read_bytes() == SHARED_PUBLIC_KEY.read_bytes()


# ------------------------------------------------------------------ site threshold


def test_a_site_threshold_inside_the_validated_range_is_used(tmp_path: Path) -> None:
    pipeline = Pipeline.from_models_dir(
        write_models(tmp_path), prefer_gpu=False, referable_threshold=0.6, keys=TEST_KEYS
    )
    assert pipeline.grader is not None and pipeline.grader.threshold == 0.6


@pytest.mark.parametrize("threshold", [0.97, 0.01, 0.05, 0.95])
def test_a_site_threshold_outside_the_validated_range_stops_the_start(
    tmp_path: Path, threshold: float
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        Pipeline.from_models_dir(
            write_models(tmp_path), prefer_gpu=False, referable_threshold=threshold, keys=TEST_KEYS
        )
    message = str(raised.value)
    assert f"models.referable_threshold = {threshold}" in message
    assert "between 0.050 and 0.950" in message


def test_a_card_without_a_validated_range_allows_only_its_own_threshold(tmp_path: Path) -> None:
    models = write_models(tmp_path)
    card = models / "grader.card.json"
    document = json.loads(card.read_text())
    del document["operating_point"]["validated_range"]
    card.write_text(json.dumps(document))
    sign_folder(models, MODEL_FILES, TEST_SIGNING_KEY)
    with pytest.raises(ConfigurationError, match="declares no validated range"):
        Pipeline.from_models_dir(models, referable_threshold=0.3, keys=TEST_KEYS)


def test_the_cli_exits_2_on_a_threshold_outside_the_range(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETISCREEN_MODELS_REFERABLE_THRESHOLD", "0.97")
    for command in (["grade", str(DEMO_IMAGE)], ["history"]):  # also with no model to load
        assert main(command) == ExitCode.USAGE
        assert "models.referable_threshold = 0.97: allowed strictly" in capsys.readouterr().err
    assert main(["selftest"]) == ExitCode.FAILED
    out = capsys.readouterr().out
    assert "[ OK ] model signature" in out
    assert "[FAIL] operating point: models.referable_threshold = 0.97" in out


# ------------------------------------------------------------------ model updates


def bundle_of(folder: Path, path: Path) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name in (*MODEL_FILES, MANIFEST, SIGNATURE):
            archive.add(folder / name, arcname=name)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_signed_bundle_replaces_the_models_and_keeps_the_previous(tmp_path: Path) -> None:
    target = write_models(tmp_path / "models")
    before = snapshot(target)
    update = write_models(tmp_path / "update", grade_bias=[5.0, 0, 0, 0, 0])
    manifest = install_bundle(bundle_of(update, tmp_path / "update.tar.gz"), target, TEST_KEYS)
    assert manifest.key_id == key_id(TEST_KEYS[0])
    assert snapshot(target) == snapshot(update)
    assert snapshot(tmp_path / "models.previous") == before
    assert not [p for p in tmp_path.iterdir() if ".incoming-" in p.name]
    assert Pipeline.from_models_dir(target, keys=TEST_KEYS).unavailable is None


def spoiled_bundle(update: Path, spoil: str, out: Path) -> Path:
    """A bundle of ``update`` with one thing wrong."""
    names = [*MODEL_FILES, MANIFEST, SIGNATURE]
    if spoil == "other_key":
        sign_folder(update, MODEL_FILES, Ed25519PrivateKey.generate())
    elif spoil == "unsigned":
        names.remove(SIGNATURE)
    elif spoil == "corrupt_network":
        (update / "grader.onnx").write_bytes((update / "grader.onnx").read_bytes()[:-3])
    elif spoil == "not_a_tar":
        out.write_bytes(b"PK\x03\x04 this is a zip, not a tar")
        return out
    with tarfile.open(out, "w:gz") as archive:
        for name in names:
            archive.add(update / name, arcname=name)
        if spoil == "traversal":
            archive.add(update / MANIFEST, arcname="../../etc/manifest.json")
    return out


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        ("other_key", "does not match any trusted key"),
        ("unsigned", "not signed"),
        ("corrupt_network", "grader.onnx was changed after it was signed"),
        ("traversal", "unexpected entry"),
        ("not_a_tar", "cannot be read as a tar archive"),
    ],
)
def test_a_bad_bundle_changes_nothing(tmp_path: Path, spoil: str, why: str) -> None:
    target = write_models(tmp_path / "models")
    before = snapshot(target)
    update = write_models(tmp_path / "update", grade_bias=[5.0, 0, 0, 0, 0])
    bundle = spoiled_bundle(update, spoil, tmp_path / "update.tar.gz")
    with pytest.raises(BundleError, match=why):
        install_bundle(bundle, target, TEST_KEYS)
    assert snapshot(target) == before
    assert not (tmp_path / "models.previous").exists()
    assert not [p for p in tmp_path.iterdir() if ".incoming-" in p.name]


def test_models_commands(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tmp_path, target = cli_env, cli_env / "models"
    assert main(["models", "verify"]) == ExitCode.OK
    assert "tiny-grader test, tiny-quality test; signed by key" in capsys.readouterr().out
    update = write_models(tmp_path / "update", grade_bias=[5.0, 0, 0, 0, 0])
    assert main(["models", "install", str(bundle_of(update, tmp_path / "u.tar.gz"))]) == 0
    assert f"Models installed in {target.resolve()}" in capsys.readouterr().out
    with ScreeningStore(cli_env / "data") as store:
        (installed,) = [e for e in store.audit_events() if e["event"] == "models_installed"]
    assert "tiny-grader" in installed["detail"]["models"]
    sign_folder(update, MODEL_FILES, Ed25519PrivateKey.generate())
    assert main(["models", "install", str(update)]) == ExitCode.FAILED
    assert "model update was refused" in capsys.readouterr().err
    (target / SIGNATURE).write_bytes(base64.b64encode(b"\0" * 64))
    assert main(["models", "verify"]) == ExitCode.GRADING_UNAVAILABLE
    assert main(["grade", str(DEMO_IMAGE)]) == ExitCode.GRADING_UNAVAILABLE
