#!/usr/bin/env bash
# Install RetiScreen and run it on its embedded defaults: bundled models, the bundled
# CC0 demo photograph, a local SQLite database in the user's data folder.
# With a display: the kiosk app in a window, demo mode (operator 'nurse', PIN 1234, the
# file-backed camera over assets/demo). Without one: the same screening on the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec retiscreen kiosk --demo --windowed "$@"
fi
echo "demo: no display found; running the screening on the command line instead."
exec retiscreen demo "$@"
