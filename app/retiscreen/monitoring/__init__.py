"""Site monitoring: ``retiscreen monitor --out DIR [--since DATE]`` and the kiosk's alerts.

:mod:`.figures` computes every figure per week and the alerts (data); :mod:`.wording`
says an alert in a catalogue language; :mod:`.plots` draws the pictures; :mod:`.output`
writes ``monitor.json``, ``rates.png``, ``scores.png`` and ``monitor.html``.
"""
