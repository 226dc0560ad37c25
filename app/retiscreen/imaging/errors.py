"""The one exception every image reader raises."""


class ImageError(Exception):
    """An image that cannot be used; ``str()`` is a message an operator understands."""
