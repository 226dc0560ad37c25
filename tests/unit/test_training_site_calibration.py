"""The site-calibration simulation (training.site_calibration) on synthetic scores: the
confident rule never sets a threshold on too few referable eyes, and where it sets one,
the eyes it was not set on keep more of their sensitivity than under the point rule."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch", reason="torch: the train group")

from training.site_calibration import simulate


def test_confident_rule_holds_sensitivity_on_the_other_eyes() -> None:
    rng = np.random.default_rng(1)
    labels = np.r_[np.ones(400, dtype=bool), np.zeros(600, dtype=bool)]
    scores = np.r_[rng.beta(5, 2, 400), rng.beta(2, 5, 600)]
    few = simulate(labels, scores, 20, 0.9, 50, rng)
    assert few["confident"]["no_threshold"] == 1.0 and few["point"]["no_threshold"] == 0.0
    enough = simulate(labels, scores, 60, 0.9, 200, rng)
    point, confident = enough["point"], enough["confident"]
    assert confident["sensitivity_p5"] > point["sensitivity_p5"]
    assert confident["below_085"] < point["below_085"]
    assert confident["specificity_median"] < point["specificity_median"]  # what it costs
