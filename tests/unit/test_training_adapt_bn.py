"""AdaBN experiment: statistics re-estimated from photographs, weights left as trained."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch: the train group")

from torch import nn  # noqa: E402

from training.adapt_bn import adapt_batch_norm, patient_half  # noqa: E402


def test_adapted_statistics_are_those_of_the_new_photographs() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
    model.eval()
    rng = np.random.default_rng(1)
    batches = [(rng.random((5, 3, 8, 8)) * 3 + 2).astype(np.float32) for _ in range(2)]

    adapted = adapt_batch_norm(model, batches)

    with torch.no_grad():
        conv = [model[0](torch.from_numpy(b)) for b in batches]
        mirrored = [model[0](torch.flip(torch.from_numpy(b), dims=[3])) for b in batches]
    features = torch.cat(conv + mirrored)
    expected_mean = features.mean(dim=(0, 2, 3))
    norm = adapted[1]
    assert isinstance(norm, nn.BatchNorm2d)
    assert torch.allclose(norm.running_mean, expected_mean, atol=1e-4)
    assert torch.equal(adapted[0].weight, model[0].weight)
    original = model[1]
    assert isinstance(original, nn.BatchNorm2d)
    assert torch.allclose(original.running_mean, torch.zeros(4))  # the trained model untouched
    assert not adapted.training


def test_a_patient_is_always_in_the_same_half() -> None:
    halves = {patient_half(f"patient-{i}") for i in range(40)}
    assert halves == {0, 1}
    assert patient_half("patient-7") == patient_half("patient-7")
