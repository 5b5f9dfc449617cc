#!/usr/bin/env bash
# Command 1: set up (if needed) and open the tutorial in JupyterLab.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
if ! command -v dot >/dev/null 2>&1; then
  lab_dot_help
  echo "Continuing without it: graph drawings will show a layer list instead."
fi
cd "$LAB_ROOT"
extra=()
if [ "$(id -u)" = 0 ]; then
  # JupyterLab refuses to run as root unless told to (containers, some cloud VMs).
  echo "[tutorial] running as root: starting JupyterLab with --allow-root"
  extra+=(--allow-root)
fi
exec "$LAB_VENV/bin/jupyter" lab --notebook-dir="$LAB_ROOT/notebooks" "${extra[@]}" "$@"
