#!/usr/bin/env bash
# Command 2: set up (if needed) and run the whole test suite: unit tests, lint, and every
# notebook under nbval. Extra arguments go to pytest (e.g. `-n 2`, `-k graph`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
if ! command -v dot >/dev/null 2>&1; then
  lab_dot_help
  echo "The test suite needs dot (the notebooks call plot_model); install it and run again." >&2
  exit 3
fi
cd "$LAB_ROOT"
# Tests use the data bundled in the package (no network), write no bytecode into the repo.
export KERAS_LENS_DATA="${KERAS_LENS_DATA:-bundled}"
export PYTHONDONTWRITEBYTECODE=1
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
exec "$LAB_VENV/bin/python" -m pytest "$@"
