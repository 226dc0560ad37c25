"""The one exception every image reader raises (defined with the others in
:mod:`retiscreen.errors`)."""

from retiscreen.errors import ImageError

__all__ = ["ImageError"]
