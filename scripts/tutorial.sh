#!/usr/bin/env bash
# Command 1: set up (if needed: system packages, .venv) and open the tutorial in JupyterLab.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
if ! command -v dot >/dev/null 2>&1; then
  lab_dot_help
  echo "Continuing without it: graph drawings will show a layer list instead."
fi
# the kernels JupyterLab starts inherit this PATH (the venv's bin first: its dot, if any)
cd "$LAB_ROOT"
extra=()
if [ "$(id -u)" = 0 ]; then
  # JupyterLab refuses to run as root unless told to (containers, some cloud VMs).
  echo "[tutorial] running as root: starting JupyterLab with --allow-root"
  extra+=(--allow-root)
fi
exec "$LAB_VENV/bin/jupyter" lab --notebook-dir="$LAB_ROOT/notebooks" "${extra[@]}" "$@"
