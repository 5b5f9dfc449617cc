#!/usr/bin/env bash
# Command 1: set up (if needed) and open the tutorial in JupyterLab.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
if ! command -v dot >/dev/null 2>&1; then
  lab_dot_help
  echo "Continuing without it: graph drawings will show a layer list instead."
fi
cd "$LAB_ROOT"
exec "$LAB_VENV/bin/jupyter" lab --notebook-dir="$LAB_ROOT/notebooks" "$@"
