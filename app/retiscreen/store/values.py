"""The few conversions every table shares: timestamps, JSON, digests and safe ids.

Kept in one place so that every row is written the same way: timestamps are UTC with
microseconds (they sort as text), JSON is canonical (sorted keys, so equal details
compare equal), and ids are checked before they become folder and file names.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from retiscreen.store.files import StorageError

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def utc_now() -> str:
    """The current moment as ISO text in UTC, for ``*_at`` columns."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys; anything JSON does not know (dates, paths) as its text."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def sha256_hex(data: bytes) -> str:
    """The digest recorded for every stored file and checked whenever it is read."""
    return hashlib.sha256(data).hexdigest()


def checked_id(value: str, what: str) -> str:
    """Ids become folder and file names: refuse anything that could escape the root."""
    if not isinstance(value, str) or not _SAFE_ID.fullmatch(value) or value in {".", ".."}:
        raise StorageError(
            f"The {what} {value!r} cannot be stored: use 1-128 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit. Nothing was saved.",
            reason="invalid",
        )
    return value
