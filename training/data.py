"""Training data: manifests of the labelled sets, patient-level splits, and a crop cache.

Each photograph goes through the kiosk's own decode and field-location code
(``retiscreen.imaging``) once, and the field-centred square is cached as uint8, so every
epoch's augmentation starts from exactly what the kiosk would crop.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from retiscreen.imaging.fundus import crop_to_field, locate_field
from retiscreen.imaging.load import ImageError, load_fundus
from retiscreen.imaging.preprocess import InputSpec, model_input

CACHE_SIDE = 320
SPLIT_SEED = 2026
SOURCE_OF = {
    "aptos2019": "aptos",
    "eyepacs-natural": "eyepacs",
    "eyepacs-eyeq": "eyepacs",
    "eyepacs-hires": "eyepacs",
    "rahim-dr": "rahim",
}
"""Dataset folder → source (clinic and camera); IDRiD and DRIMDB are their own."""
GRADER_SOURCES = ("aptos", "eyepacs", "idrid", "rahim")
PACK_QUALITY = {"default": 90, "eyepacs-eyeq": 80}
"""WebP quality per set in a packed cache: EyeQ's histogram-equalised images are
noise-heavy and four times larger at the same quality."""
LOSO_PACK_QUALITY = {"default": 80}
LOSO_PACK_LEFT_OUT = frozenset({"eyepacs-eyeq"})
"""The leave-one-source-out pack holds every graded camera photograph of every source
(about 6,600, held-out sources included) and must travel beside the 36 MiB working tree
within a GPU machine's 64 MiB. All 9,000 at PACK_QUALITY were 81 MiB (session 11), so
EyeQ's histogram-equalised copies (2,415 photographs, the largest when packed; no camera
delivers them) are left out and the rest packed at WebP quality 80. Every recipe
compared on a GPU runs on this same pack, its baseline (R0's recipe) included, so the
rows compare with each other, not with the CPU rows."""


@dataclass(frozen=True)
class Sample:
    """One labelled photograph. ``dr_grade`` or ``gradable`` is None where unknown."""

    dataset: str
    path: str
    patient: str
    dr_grade: int | None
    gradable: bool | None
    split: str
    """'train', 'dev' (model selection and operating point) or 'test' (reported only)."""
    dme: int | None = None
    """Macular oedema: IDRiD ``dme_risk`` (0-2) or rahim-dr ``maculopathy`` (0/1)."""

    @property
    def source(self) -> str:
        """The clinic/camera a photograph comes from, for leave-one-source-out: the three
        EyePACS sets share patients and cameras, so they are one source."""
        return SOURCE_OF.get(self.dataset, self.dataset)


def _bucket(key: str) -> float:
    """A stable pseudo-random number in [0, 1) per patient: splits never move."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _rows(labels: Path) -> Iterable[dict[str, str]]:
    with labels.open(newline="") as handle:
        yield from csv.DictReader(handle)


def _grade(text: str) -> int | None:
    return int(float(text)) if text.strip() else None


def _eyeq_gradable(text: str) -> bool | None:
    """EyeQ 'good' and 'usable' are gradable by its authors' definition; 'reject' is not."""
    text = text.strip()
    return None if not text else text in {"good", "usable"}


def build_manifest(root: Path) -> list[Sample]:
    """All labelled photographs in ``root`` (../shared/datasets), with fixed splits.

    Grader: APTOS 85/15 train/test (test = held-out for kappa), EyePACS all train,
    IDRiD test never trained on; dev (threshold) trained on only by the cross-fitted GPU
    recipe (training.crossfit), which splits it with ``idrid_dev_fold``.
    Quality: EyePACS patients 80/20 train/test by patient, DRIMDB 70/30.
    """
    samples: list[Sample] = []
    for row in _rows(root / "aptos2019" / "labels.csv"):
        key = Path(row["image"]).stem
        split = "test" if _bucket("aptos" + key) < 0.15 else "train"
        samples.append(
            Sample(
                "aptos2019",
                str(root / "aptos2019" / row["image"]),
                "aptos:" + key,
                _grade(row["dr_grade"]),
                None,
                split,
            )
        )
    for name in ("eyepacs-natural", "eyepacs-eyeq"):
        for row in _rows(root / name / "labels.csv"):
            stem = Path(row["image"]).stem
            patient = re.sub(r"_(left|right)$", "", stem)
            split = "test" if _bucket("eyepacs" + patient) < 0.2 else "train"
            samples.append(
                Sample(
                    name,
                    str(root / name / row["image"]),
                    "eyepacs:" + patient,
                    _grade(row.get("dr_grade", "")),
                    _eyeq_gradable(row.get("eyeq_quality", "")),
                    split,
                )
            )
    for row in _rows(root / "idrid" / "labels.csv"):
        key = Path(row["image"]).stem
        split = "dev" if _bucket("idrid" + key) < 0.5 else "test"
        samples.append(
            Sample(
                "idrid",
                str(root / "idrid" / row["image"]),
                "idrid:" + key,
                _grade(row["dr_grade"]),
                True,
                split,
                _grade(row.get("dme_risk", "")),
            )
        )
    samples += _new_sets(root)
    for row in _rows(root / "drimdb" / "labels.csv"):
        key = Path(row["image"]).stem
        split = "test" if _bucket("drimdb" + key) < 0.3 else "train"
        samples.append(
            Sample(
                "drimdb",
                str(root / "drimdb" / row["image"]),
                "drimdb:" + key,
                None,
                row["quality"].strip() == "good",
                split,
            )
        )
    return samples


def _new_sets(root: Path) -> list[Sample]:
    """rahim-dr (``PatientNNN_L/R``) and eyepacs-hires, split 80/20 by patient like EyePACS.
    A hires photograph that another EyePACS set already holds (``also_in``) is left out,
    so no photograph is counted twice. Both are skipped where the folder is absent."""
    samples: list[Sample] = []
    rahim = root / "rahim-dr" / "labels.csv"
    if rahim.exists():
        for row in _rows(rahim):
            patient = re.sub(r"_[LR]$", "", Path(row["image"]).stem)
            split = "test" if _bucket("rahim" + patient) < 0.2 else "train"
            samples.append(
                Sample(
                    "rahim-dr",
                    str(root / "rahim-dr" / row["image"]),
                    "rahim:" + patient,
                    _grade(row["dr_grade"]),
                    True,
                    split,
                    _grade(row.get("maculopathy", "")),
                )
            )
    hires = root / "eyepacs-hires" / "labels.csv"
    if hires.exists():
        for row in _rows(hires):
            if row.get("also_in", "").strip():
                continue
            patient = row["patient"].strip()
            split = "test" if _bucket("eyepacs" + patient) < 0.2 else "train"
            samples.append(
                Sample(
                    "eyepacs-hires",
                    str(root / "eyepacs-hires" / row["image"]),
                    "eyepacs:" + patient,
                    _grade(row["dr_grade"]),
                    None,
                    split,
                )
            )
    return samples


def idrid_dev_fold(sample: Sample) -> int:
    """0 or 1: the half of the IDRiD dev split a photograph belongs to, for cross-fitting
    (train on one half, score the other through the kiosk path, and swap)."""
    return int(_bucket("idrid-fold:" + sample.patient) < 0.5)


@dataclass
class CropCache:
    """Field-centred squares for every sample; ``found`` is False where no field was found."""

    samples: list[Sample]
    crops: npt.NDArray[np.uint8]
    found: npt.NDArray[np.bool_]

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "crops.npy", self.crops)
        np.save(path / "found.npy", self.found)
        (path / "samples.json").write_text(json.dumps([asdict(s) for s in self.samples]))

    @classmethod
    def load(cls, path: Path) -> CropCache:
        """A cache folder, or a packed ``.npz`` file (see :meth:`save_packed`)."""
        if path.suffix == ".npz":
            return cls._load_packed(path)
        samples = [Sample(**s) for s in json.loads((path / "samples.json").read_text())]
        return cls(samples, np.load(path / "crops.npy", mmap_mode="r"), np.load(path / "found.npy"))

    def save_packed(
        self, path: Path, keep: list[int], quality: dict[str, int] | None = None
    ) -> None:
        """Some samples as WebP bytes in one ``.npz``: about 8 KB a photograph instead of
        300, so a training set fits what travels to a lent GPU machine (64 MiB).
        ``quality``: WebP quality per set, ``"default"`` for the rest (``PACK_QUALITY``)."""
        quality = quality or PACK_QUALITY
        blobs = []
        for i in keep:
            webp_quality = quality.get(self.samples[i].dataset, quality["default"])
            bgr = np.ascontiguousarray(self.crops[i][..., ::-1])
            ok, blob = cv2.imencode(".webp", bgr, [cv2.IMWRITE_WEBP_QUALITY, webp_quality])
            if not ok:
                raise RuntimeError(f"WebP encoding failed for {self.samples[i].path}")
            blobs.append(blob.ravel())
        np.savez(
            path,
            data=np.concatenate(blobs),
            ends=np.cumsum([len(b) for b in blobs]),
            found=self.found[keep],
            samples=np.array(json.dumps([asdict(self.samples[i]) for i in keep])),
        )

    @classmethod
    def _load_packed(cls, path: Path) -> CropCache:
        from concurrent.futures import ThreadPoolExecutor

        with np.load(path) as pack:
            data, ends, found = pack["data"], pack["ends"], pack["found"]
            samples = [Sample(**s) for s in json.loads(str(pack["samples"]))]
        starts = np.concatenate([[0], ends[:-1]])

        def decode(span: tuple[int, int]) -> npt.NDArray[np.uint8]:
            bgr = cv2.imdecode(data[span[0] : span[1]], cv2.IMREAD_COLOR)
            return np.asarray(bgr[..., ::-1], np.uint8)

        with ThreadPoolExecutor() as pool:
            crops = np.stack(list(pool.map(decode, zip(starts, ends, strict=True))))
        return cls(samples, crops, found)


def crop_photograph(path: str, side: int = CACHE_SIDE) -> tuple[npt.NDArray[np.uint8], bool]:
    """The kiosk's crop of one file; the plain resized frame when no field is found
    (so the quality model learns to reject such frames too)."""
    try:
        image = load_fundus(path)
    except ImageError:
        return np.zeros((side, side, 3), np.uint8), False
    field = locate_field(image.pixels)
    if field is None:
        resized = cv2.resize(image.pixels, (side, side), interpolation=cv2.INTER_AREA)
        return np.asarray(resized, np.uint8), False
    return crop_to_field(image.pixels, field, side), True


def build_cache(samples: list[Sample], out: Path, side: int = CACHE_SIDE) -> CropCache:
    """Crop every sample once (about 10 minutes for ~9000 photographs on 2 cores): decoding
    and OpenCV release the GIL, so two threads keep both cores busy. ``side``: somewhat
    larger than the model's input, so rotation and zoom never run out of picture."""
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    crops = np.zeros((len(samples), side, side, 3), np.uint8)
    found = np.zeros(len(samples), bool)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda path: crop_photograph(path, side), [s.path for s in samples])
        for i, (crop, ok) in enumerate(tqdm(results, total=len(samples), desc="cropping")):
            crops[i], found[i] = crop, ok
    cache = CropCache(samples, crops, found)
    cache.save(out)
    return cache


def kiosk_model_inputs(
    samples: Iterable[Sample], spec: InputSpec
) -> Iterator[tuple[Sample, npt.NDArray[np.float32]]]:
    """Each photograph prepared as the kiosk prepares it (decode, locate the field, crop,
    normalise: a 1×3×S×S batch), skipping those the kiosk could not read or find a
    field in, so figures computed on them describe what the kiosk will do."""
    for sample in samples:
        try:
            image = load_fundus(sample.path)
        except ImageError:
            continue
        field = locate_field(image.pixels)
        if field is not None:
            yield sample, model_input(image.pixels, field, spec)[None]
