"""``python -m retiscreen``: the same command tree as the ``retiscreen`` script (the
installer's wrappers call it this way, with the bundle's own interpreter)."""

import sys

from retiscreen.cli import main

sys.exit(main())
