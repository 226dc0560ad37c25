"""The kiosk: a touch-first PySide6 front end over the same pipeline and service as the CLI.

PySide6 is imported only below this package (and by the ``capture.qt_*`` adapters);
``tests/unit/test_qt_boundary.py`` enforces it. Entry point: :func:`retiscreen.ui.app.run_kiosk`.
"""
