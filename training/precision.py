"""Which arithmetic a training or evaluation pass runs in.

bf16 autocast halves the work on a GPU and on CPUs with native bf16 (AVX512-BF16 or AMX),
the machines the earlier runs had. On a CPU without them (seen here on an AVX2-only AMD
EPYC, session 11) PyTorch emulates bf16 and one Lite0 step of 8 photographs at 288 px took
206 s instead of about 8 s in float32, so there the loop runs in float32. The scores of a
float32 pass differ from a bf16 one only in rounding.
"""

from __future__ import annotations

import contextlib

import torch


def native_bf16(device: str) -> bool:
    """Whether ``device`` computes bf16 in hardware."""
    if device.startswith("cuda"):
        return True
    return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


def mixed_precision(device: str) -> contextlib.AbstractContextManager[object]:
    """bf16 autocast where the hardware has it, plain float32 elsewhere."""
    if native_bf16(device):
        return torch.autocast(device.split(":")[0], dtype=torch.bfloat16)
    return contextlib.nullcontext()
