"""ONNX model bundles: the model card, the hash check, and the execution provider.

The model is data. ``models/<name>.card.json`` says what the network expects (input
size, normalisation, class order) and what it was measured to do (operating threshold,
metrics), and carries the sha256 of the ONNX file. The folder's signed manifest
(``signing.py``) covers both files: a model or card whose bytes differ from what was
signed is refused, so a swapped, edited or corrupted grader never produces a grade.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retiscreen.domain import ModelIdentity
from retiscreen.errors import GradingUnavailable
from retiscreen.grading.confidence import ConfidenceBands
from retiscreen.grading.signing import SignedManifest
from retiscreen.imaging.preprocess import InputSpec

log = logging.getLogger(__name__)

CARD_SUFFIX = ".card.json"


class ModelUnavailable(GradingUnavailable):
    """The model cannot be used; ``str()`` tells the operator why (always: refer)."""


@dataclass(frozen=True, slots=True)
class DmeOutput:
    """What the card says about the macular-oedema output (``training.dme``)."""

    name: str
    threshold: float
    in_decision: bool
    """Refers on its own only when training measured held-out specificity >= 0.85."""

    @classmethod
    def from_card(cls, section: dict[str, Any]) -> DmeOutput:
        threshold = float(section["threshold"])
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"output.dme.threshold {threshold!r} is not a probability")
        return cls(str(section["name"]), threshold, bool(section["folded_into_decision"]))


@dataclass(frozen=True, slots=True)
class ModelCard:
    """The machine-readable part of a model card that the runtime relies on."""

    name: str
    version: str
    file: str
    sha256: str
    spec: InputSpec
    classes: tuple[str, ...]
    input_name: str
    output_name: str
    threshold: float
    """Operating point on the positive-class score (referable DR, or gradable)."""
    validated_range: tuple[float, float] | None
    """Thresholds the card's validation supports (exclusive bounds); a site threshold
    outside them is refused. None: only the card's own threshold may be used."""
    document: dict[str, Any]
    cam_output: str | None = None
    """The referable class-activation map's output name (``output.cam.name``); None for
    models without one (bundles from before it existed): the heatmap is then absent."""
    cam_display_max: float = 1.0
    """The map value drawn at full colour (``output.cam.display_max``, logit units)."""
    confidence: ConfidenceBands | None = None
    """How far from the threshold counts as clear or borderline (``confidence``)."""
    dme: DmeOutput | None = None
    """The macular-oedema output (``output.dme``); None for models without one."""

    @property
    def identity(self) -> ModelIdentity:
        return ModelIdentity(self.name, self.version, self.sha256)


def read_card(path: Path, manifest: SignedManifest | None = None) -> ModelCard:
    """Parse and validate a model card; every missing field is a refusal, not a default.
    With ``manifest``, the card's bytes must be the signed ones."""
    try:
        data = path.read_bytes()
        if manifest is not None:
            manifest.check(path.name, data)
        document = json.loads(data.decode("utf-8"))
        spec = document["input"]
        cam = document["output"].get("cam")
        return ModelCard(
            name=str(document["name"]),
            version=str(document["version"]),
            file=str(document["file"]),
            sha256=str(document["sha256"]).lower(),
            spec=InputSpec(
                size=int(spec["size"]),
                mean=tuple(float(v) for v in spec["mean"]),  # type: ignore[arg-type]
                std=tuple(float(v) for v in spec["std"]),  # type: ignore[arg-type]
                local_contrast=bool(spec["local_contrast"]),
            ),
            classes=tuple(str(c) for c in document["output"]["classes"]),
            input_name=str(spec["name"]),
            output_name=str(document["output"]["name"]),
            threshold=float(document["operating_point"]["threshold"]),
            validated_range=_validated_range(document["operating_point"]),
            document=document,
            cam_output=str(cam["name"]) if cam else None,
            cam_display_max=float(cam.get("display_max", 1.0)) if cam else 1.0,
            confidence=(
                ConfidenceBands.from_card(document["confidence"])
                if "confidence" in document
                else None
            ),
            dme=DmeOutput.from_card(document["output"]["dme"])
            if "dme" in document["output"]
            else None,
        )
    except FileNotFoundError:
        raise ModelUnavailable(f"model card {path.name} is missing") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelUnavailable(f"model card {path.name} is unreadable ({exc})") from None


def _validated_range(operating_point: dict[str, Any]) -> tuple[float, float] | None:
    """The card's validated threshold range, which must contain its own threshold."""
    bounds = operating_point.get("validated_range")
    if bounds is None:
        return None
    low, high = (float(b) for b in bounds)
    if not 0.0 <= low < float(operating_point["threshold"]) < high <= 1.0:
        raise ValueError(f"validated_range {bounds} does not contain the threshold")
    return low, high


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _make_session(model_bytes: bytes, prefer_gpu: bool) -> Any:
    """An InferenceSession on CUDA when it really initialises, else on the CPU.

    onnxruntime-gpu lists CUDA as available whenever it is installed and silently falls
    back to the CPU when the CUDA libraries are absent; only ``get_providers()`` on the
    created session tells the truth, so that is what we record.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if prefer_gpu and "CUDAExecutionProvider" in ort.get_available_providers():
        previous = 2
        ort.set_default_logger_severity(4)
        try:
            session = ort.InferenceSession(
                model_bytes, options, providers=["CUDAExecutionProvider", "CPUExecutionProvider"]
            )
            if session.get_providers()[0] == "CUDAExecutionProvider":
                return session
        except Exception as exc:  # any CUDA initialisation failure means: use the CPU
            log.info("CUDA execution provider unusable, using CPU: %s", exc)
        finally:
            ort.set_default_logger_severity(previous)
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


class OnnxModel:
    """A verified ONNX model and its card, ready to run batches of prepared inputs."""

    def __init__(
        self, card_path: Path, manifest: SignedManifest | None, prefer_gpu: bool = True
    ) -> None:
        """``manifest`` is the folder's verified signature; ``None`` only for models being
        built (training), never on the screening path (``Pipeline`` always passes one)."""
        self.card = read_card(card_path, manifest)
        model_path = card_path.parent / self.card.file
        try:
            model_bytes = model_path.read_bytes()
        except FileNotFoundError:
            raise ModelUnavailable(f"model file {model_path.name} is missing") from None
        except OSError as exc:
            raise ModelUnavailable(f"model file {model_path.name} is unreadable ({exc})") from None
        actual = hashlib.sha256(model_bytes).hexdigest()  # once: 13 MB at every start
        if manifest is not None:
            manifest.check_digest(model_path.name, actual)
        if actual != self.card.sha256:
            log.error(
                "model %s hash %s does not match card %s", model_path, actual, self.card.sha256
            )
            raise ModelUnavailable(
                f"model file {model_path.name} does not match its model card (it was changed or "
                "damaged); grading is disabled"
            )
        try:
            self.session = _make_session(model_bytes, prefer_gpu)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelUnavailable(f"model {model_path.name} cannot be loaded ({exc})") from None
        self.provider: str = self.session.get_providers()[0]
        self._check_signature()
        log.info("loaded %s %s on %s", self.card.name, self.card.version, self.provider)

    def _check_signature(self) -> None:
        inputs = {i.name: i.shape for i in self.session.get_inputs()}
        outputs = {o.name: o.shape for o in self.session.get_outputs()}
        size = self.card.spec.size
        shape = inputs.get(self.card.input_name)
        if shape is None or list(shape[1:]) != [3, size, size]:
            raise ModelUnavailable(
                f"model input {inputs} does not match the card "
                f"({self.card.input_name}: 3×{size}×{size})"
            )
        out_shape = outputs.get(self.card.output_name)
        if out_shape is None or out_shape[-1] != len(self.card.classes):
            raise ModelUnavailable(f"model output {outputs} does not match the card's classes")
        cam = self.card.cam_output
        if cam is not None and (cam not in outputs or len(outputs[cam]) != 3):
            raise ModelUnavailable(f"model output {outputs} lacks the card's map {cam} (N×h×w)")
        dme = self.card.dme
        if dme is not None and (dme.name not in outputs or len(outputs[dme.name]) != 1):
            raise ModelUnavailable(f"model output {outputs} lacks the card's {dme.name} (N)")

    @property
    def identity(self) -> ModelIdentity:
        return self.card.identity

    def predict(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Class probabilities for an N×3×S×S batch prepared per the card."""
        return self.run(batch, with_extras=False).probabilities

    def run(self, batch: npt.NDArray[np.float32], with_extras: bool = True) -> ModelOutputs:
        """Probabilities and, from the same forward pass and when the card declares them
        and ``with_extras``, the referable map (N×h×w) and the DME probability (N)."""
        cam, dme = self.card.cam_output, self.card.dme
        extras = [n for n in (cam, dme.name if dme else None) if n] if with_extras else []
        names = [self.card.output_name, *extras]
        values = self.session.run(names, {self.card.input_name: batch})
        outputs = dict(zip(names, values, strict=True))
        result = np.asarray(outputs[self.card.output_name], dtype=np.float32)
        if not np.all(np.isfinite(result)):
            raise ModelUnavailable("the model produced invalid numbers")
        maps = np.asarray(outputs[cam], dtype=np.float32) if cam in outputs else None
        if maps is not None and not np.all(np.isfinite(maps)):
            maps = None  # the map explains; a broken one is left out, the grade stands
        oedema = (
            np.asarray(outputs[dme.name], dtype=np.float32) if dme and dme.name in outputs else None
        )
        if oedema is not None and not np.all((oedema >= 0) & (oedema <= 1)):
            raise ModelUnavailable("the model produced invalid numbers")
        return ModelOutputs(result, maps, oedema)


@dataclass(frozen=True, slots=True)
class ModelOutputs:
    """One forward pass: probabilities (N×classes), and what the card adds to them."""

    probabilities: npt.NDArray[np.float32]
    cam: npt.NDArray[np.float32] | None
    """N×h×w referable map, or None (no map output, or it was not finite)."""
    dme: npt.NDArray[np.float32] | None
    """N macular-oedema probabilities, or None (no DME output)."""
