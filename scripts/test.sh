#!/usr/bin/env bash
# Command 2: set up (if needed: system packages, .venv) and run the whole test suite: unit tests,
# lint, the browser tests and every notebook under nbval. Extra arguments go to pytest
# (e.g. `-n 2`, `-k graph`).
set -euo pipefail
LAB_NEED_CHROMIUM=1
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
if ! command -v dot >/dev/null 2>&1; then
  lab_dot_help >&2
  echo "The test suite needs dot (the notebooks call plot_model)." >&2
  exit 3
fi
if [ "${KERAS_LENS_SKIP_BROWSER:-0}" != 1 ] && [ ! -x "$LAB_CHROMIUM" ]; then
  lab_chromium_help >&2
  exit 3
fi
cd "$LAB_ROOT"
# Tests use the data bundled in the package (no network), write no bytecode into the repo.
export KERAS_LENS_DATA="${KERAS_LENS_DATA:-bundled}"
export PYTHONDONTWRITEBYTECODE=1
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
exec "$LAB_VENV/bin/python" -m pytest "$@"
