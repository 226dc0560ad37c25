"""Durable records: screenings, original photographs, reports, print queue, audit log.

Everything that leaves this package as a failure is a :class:`StorageError` whose text
an operator can read; see :mod:`retiscreen.store.db` for the durability rules.
"""

from retiscreen.store.db import MIGRATIONS, SCHEMA_VERSION, ScreeningStore, migrate
from retiscreen.store.files import StorageError, atomic_write
from retiscreen.store.serialize import screening_from_dict, screening_to_dict

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ScreeningStore",
    "StorageError",
    "atomic_write",
    "migrate",
    "screening_from_dict",
    "screening_to_dict",
]
