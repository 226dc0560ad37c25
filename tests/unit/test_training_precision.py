"""Training's precision (training.precision): bf16 only where the hardware computes it, so
a CPU without native bf16 trains in float32 instead of an emulation many times slower."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="torch: the train group")

from training.precision import mixed_precision, native_bf16  # noqa: E402


def test_cpu_autocasts_exactly_when_it_has_native_bf16() -> None:
    x = torch.ones(2, 4)
    layer = torch.nn.Linear(4, 3)
    with mixed_precision("cpu"):
        y = layer(x)
    assert y.dtype == (torch.bfloat16 if native_bf16("cpu") else torch.float32)


def test_a_gpu_always_counts_as_native() -> None:
    assert native_bf16("cuda") and native_bf16("cuda:0")
