"""The pixel array type every stage passes around (kept out of the pure domain module)."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

RGBImage: TypeAlias = npt.NDArray[np.uint8]
"""An H×W×3 uint8 array in RGB order (never BGR outside OpenCV calls)."""
