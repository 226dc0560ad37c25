#!/usr/bin/env bash
# Install everything, check style and types, and run the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
. .venv/bin/activate
if [[ $(id -u) == 0 ]]; then
  # A CUPS server with a cups-pdf queue for the real-printing tests.
  if ! bash scripts/ci_cups_setup.sh; then
    echo "test: CUPS setup failed" >&2
    [[ "${RETISCREEN_REQUIRE_CUPS:-0}" == 1 ]] && exit 1
  fi
fi
# Style and types first: any finding fails the run (as configured in pyproject.toml).
echo "test: ruff check, ruff format --check, mypy"
ruff check .
ruff format --check .
mypy
export QT_QPA_PLATFORM=offscreen
python -m pytest -q "$@"
