"""The DR grader and the gradability model: prepared inputs in, typed results out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from retiscreen.domain import FundusField, GradeResult, Heatmap, ICDRGrade, MacularOedema
from retiscreen.errors import ConfigurationError
from retiscreen.grading.model import ModelCard, OnnxModel
from retiscreen.imaging.pixels import RGBImage
from retiscreen.imaging.preprocess import model_input

ImageAndField = tuple[RGBImage, FundusField]


def check_site_threshold(threshold: float, card: ModelCard) -> None:
    """Refuse a site's operating point outside the range the card validated.

    A threshold of 0.999 (or 47) turns a proliferative eye into "no retinopathy"; only
    thresholds the model's validation covers may replace the card's own."""
    bounds = card.validated_range
    if bounds is None:
        raise ConfigurationError(
            f"models.referable_threshold = {threshold!r}: model {card.name} {card.version} "
            "declares no validated range, so only its own threshold "
            f"({card.threshold:.3f}) may be used; set -1"
        )
    low, high = bounds
    if not low < threshold < high:
        raise ConfigurationError(
            f"models.referable_threshold = {threshold!r}: allowed strictly between "
            f"{low:.3f} and {high:.3f} (the range model {card.name} {card.version} was "
            "validated for), or -1 for the card's own"
        )


class Grader:
    """ICDR grading with the model card's referable-DR operating point.

    The operating point decides referable or not. The grade shown is the most likely
    grade on that side of the line, so a report never says "no retinopathy" next to a
    referral, nor "moderate DR" next to "rescreen in 12 months".
    """

    def __init__(self, model: OnnxModel, threshold: float | None = None) -> None:
        if len(model.card.classes) != 5:
            raise ValueError("the grader must output the five ICDR grades")
        self.model = model
        self.threshold = model.card.threshold if threshold is None else threshold

    def grade(self, images: Sequence[ImageAndField]) -> list[GradeResult]:
        """Grade a batch (one or more eyes) in a single model call."""
        if not images:
            return []
        card = self.model.card
        batch = np.stack([model_input(rgb, field, card.spec) for rgb, field in images])
        outputs = self.model.run(batch)
        results = []
        for i, p in enumerate(outputs.probabilities):
            heatmap = oedema = None
            if outputs.cam is not None:
                rows = tuple(tuple(round(float(v), 4) for v in row) for row in outputs.cam[i])
                heatmap = Heatmap(rows, images[i][1], card.cam_display_max)
            if outputs.dme is not None and card.dme is not None:
                oedema = MacularOedema(
                    float(outputs.dme[i]), card.dme.threshold, card.dme.in_decision
                )
            results.append(self.result(p, heatmap, oedema))
        return results

    def result(
        self,
        probabilities: npt.NDArray[np.float32],
        heatmap: Heatmap | None = None,
        macular_oedema: MacularOedema | None = None,
    ) -> GradeResult:
        p = [float(v) for v in probabilities]
        referable_probability = float(sum(p[2:]))
        referable = referable_probability >= self.threshold
        candidates = (2, 3, 4) if referable else (0, 1)
        grade = ICDRGrade(max(candidates, key=lambda g: p[g]))
        bands = self.model.card.confidence
        return GradeResult(
            grade=grade,
            probabilities=(p[0], p[1], p[2], p[3], p[4]),
            referable_probability=referable_probability,
            referable=referable,
            threshold=self.threshold,
            model=self.model.identity,
            provider=self.model.provider,
            confidence=(
                bands.classify(referable_probability, self.threshold, referable) if bands else None
            ),
            heatmap=heatmap,
            macular_oedema=macular_oedema,
        )


class GradabilityModel:
    """Probability that a photograph is gradable (class 'gradable' of the quality model)."""

    def __init__(self, model: OnnxModel) -> None:
        if "gradable" not in model.card.classes:
            raise ValueError("the quality model must have a 'gradable' class")
        self.model = model
        self.index = model.card.classes.index("gradable")

    @property
    def threshold(self) -> float:
        return self.model.card.threshold

    def probability(self, images: Sequence[ImageAndField]) -> list[float]:
        if not images:
            return []
        spec = self.model.card.spec
        batch = np.stack([model_input(rgb, field, spec) for rgb, field in images])
        return [float(p[self.index]) for p in self.model.predict(batch)]
