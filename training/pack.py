"""Pack what a GPU recipe needs into files that can travel to a lent GPU machine, which
cannot reach ../shared or PyPI and takes at most 64 MiB:

    python -m training.pack --cache cache/crops320 --out carry          # training.crossfit
    python -m training.pack --cache cache/crops320 --out carry --loso   # training/gpu_loso.sh

- ``grader.npz``: the grader's training photographs and the IDRiD dev split, as WebP
  crops (about 45 MB for some 5,500 photographs); with ``--loso`` instead ``loso.npz``:
  every graded camera photograph of every source (``LOSO_PACK_LEFT_OUT``);
- ``<arch>-imagenet.pt``: the ImageNet weights of the PyPI packages in float16 without the
  ImageNet classifier (they are only a starting point): Lite0, and with ``--loso`` Lite1;
- with ``--loso``, ``site/efficientnet_lite_pytorch``: the network's pure-Python package,
  which the GPU machine's image does not have (put ``carry/site`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import shutil
from collections import defaultdict
from pathlib import Path

import torch

from training.data import LOSO_PACK_LEFT_OUT, LOSO_PACK_QUALITY, CropCache
from training.tasks import TASKS, train_indices
from training.train import imagenet_weights_file

LOSO_ARCHITECTURES = ("lite0", "lite1")
"""The nets the GPU LOSO script compares (Lite2 would not fit the 64 MiB with the pack)."""


def grader_indices(cache: CropCache) -> list[int]:
    """Everything any cross-fitted run trains on (all IDRiD dev halves included)."""
    return train_indices(TASKS["grader"], cache, idrid_dev="all")


def loso_indices(cache: CropCache, per_set: int | None = None) -> list[int]:
    """Every graded camera photograph (each source is trained on in some fold and held out
    in one; not ``LOSO_PACK_LEFT_OUT``); ``per_set`` keeps only the first N of each set,
    for a smoke test of the script."""
    kept: dict[str, list[int]] = defaultdict(list)
    for i, sample in enumerate(cache.samples):
        if sample.dr_grade is None or sample.dataset in LOSO_PACK_LEFT_OUT:
            continue
        if per_set is None or len(kept[sample.dataset]) < per_set:
            kept[sample.dataset].append(i)
    return sorted(i for indices in kept.values() for i in indices)


def pack_imagenet_weights(arch: str, out: Path) -> None:
    """float16, and without the ImageNet classifier (a quarter of Lite0's weights), which
    the grader replaces: ``from_pretrained`` drops ``_fc.*`` without reading it, so the
    keys stay, empty."""
    state = torch.load(imagenet_weights_file(arch), weights_only=True)
    packed = {name: tensor.half() for name, tensor in state.items()}
    packed.update({name: torch.empty(0) for name in ("_fc.weight", "_fc.bias")})
    torch.save(packed, out)


def pack_network_code(out: Path) -> None:
    import efficientnet_lite_pytorch

    source = Path(efficientnet_lite_pytorch.__file__).parent
    shutil.copytree(
        source, out / source.name, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=Path("cache/crops320"))
    parser.add_argument("--out", type=Path, default=Path("carry"))
    parser.add_argument("--loso", action="store_true", help="every source, for gpu_loso.sh")
    parser.add_argument("--per-set", type=int, default=None, help="smoke test: N per set")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    cache = CropCache.load(args.cache)
    if args.loso:
        cache.save_packed(
            args.out / "loso.npz", loso_indices(cache, args.per_set), LOSO_PACK_QUALITY
        )
        for arch in LOSO_ARCHITECTURES:
            pack_imagenet_weights(arch, args.out / f"{arch}-imagenet.pt")
        pack_network_code(args.out / "site")
    else:
        cache.save_packed(args.out / "grader.npz", grader_indices(cache))
        pack_imagenet_weights("lite0", args.out / "lite0-imagenet.pt")
    for path in sorted(args.out.rglob("*")):
        if path.is_file():
            print(f"{path}: {path.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
