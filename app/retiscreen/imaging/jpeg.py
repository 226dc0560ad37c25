"""What a JPEG file's own structure says: is the image complete, and how hard was it
compressed?

Why walk the markers: a file cut short mid-scan still holds an end-of-image marker
when its EXIF thumbnail (a small JPEG inside the APP1 segment) has one, so searching
the bytes for ``FFD9`` lets it through. Walking the segments from the start skips the
thumbnail with its segment, follows each scan's entropy-coded data to the marker that
ends it, and requires the main image's own end-of-image marker.

Why estimate the quality: a photograph saved at JPEG quality 20 has lost the
microaneurysms and small haemorrhages that make an eye referable, yet still looks like
a fundus. The estimate inverts the libjpeg quality scaling of the standard luminance
table (IJG), which is what cameras and imaging software use.
"""

from __future__ import annotations

from collections.abc import Sequence

_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and the restart markers carry no length

# IJG standard luminance quantisation table (ITU-T T.81 Annex K), natural order.
_STANDARD_LUMINANCE = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip


def jpeg_complete(data: bytes) -> bool:
    """True when the file's top-level segments reach the main image's end-of-image
    marker after at least one complete scan."""
    if data[:2] != b"\xff\xd8":
        return False
    position, size, scans = 2, len(data), 0
    while position < size:
        if data[position] != 0xFF:
            return False  # bytes between segments: not a JPEG written by a camera
        while position < size and data[position] == 0xFF:
            position += 1  # fill bytes
        if position >= size:
            return False
        marker = data[position]
        position += 1
        if marker == _EOI:
            return scans > 0
        if marker in _STANDALONE or marker == _SOI:
            continue
        if position + 2 > size:
            return False
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2 or position + length > size:
            return False
        position += length
        if marker == _SOS:
            scans += 1
            position = _end_of_scan(data, position)
            if position < 0:
                return False
    return False


def is_baseline(data: bytes) -> bool:
    """True when the main image is coded baseline (SOF0), the only JPEG process DICOM's
    JPEG Baseline transfer syntax may carry (progressive or lossless is not)."""
    position, size = 2, len(data)
    while position + 4 <= size and data[position] == 0xFF:
        marker = data[position + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return marker == 0xC0
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return False


def _end_of_scan(data: bytes, position: int) -> int:
    """Where the entropy-coded data starting at ``position`` ends (at the next marker
    that is neither a stuffed zero nor a restart); -1 when the file ends first."""
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= len(data):
            return -1
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position = found + 2
            continue
        return found


def estimated_quality(luminance_table: Sequence[int]) -> float:
    """The IJG quality (1-100) that would produce this luminance quantisation table."""
    if len(luminance_table) != len(_STANDARD_LUMINANCE):
        raise ValueError("a baseline luminance table has 64 entries")
    scale = 100.0 * sum(luminance_table) / sum(_STANDARD_LUMINANCE)
    quality = (200.0 - scale) / 2.0 if scale <= 100.0 else 5000.0 / scale
    return max(1.0, min(100.0, quality))
