#!/usr/bin/env bash
# Install RetiScreen and run it on its embedded defaults: bundled models, the bundled
# CC0 demo photograph, a local SQLite database in the user's data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
exec retiscreen demo "$@"
