#!/usr/bin/env bash
# Shared, idempotent set-up used by scripts/tutorial.sh and scripts/test.sh.
# Creates .venv (once), installs keras-lens editable with its [test] extra (again only when
# pyproject.toml changed), and checks for graphviz's `dot`.
set -euo pipefail
LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB_VENV="${LAB_VENV:-$LAB_ROOT/.venv}"
LAB_PYTHON="${PYTHON:-python3}"

if [ ! -x "$LAB_VENV/bin/python" ]; then
  echo "[setup] creating virtual environment in $LAB_VENV"
  "$LAB_PYTHON" -m venv "$LAB_VENV"
fi
stamp="$LAB_VENV/.keras-lens-installed"
want="$(sha256sum "$LAB_ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing keras-lens (editable) with its test extra into $LAB_VENV"
  "$LAB_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$LAB_VENV/bin/python" -m pip install --quiet -e "$LAB_ROOT[test]"
  echo "$want" > "$stamp"
else
  echo "[setup] $LAB_VENV is up to date"
fi

lab_dot_help() {
  cat <<'HELP'
Graphviz's `dot` program was not found on PATH. keras.utils.plot_model and the
keras_lens graph drawing need it. Install it with one of:
  Debian/Ubuntu:  sudo apt-get install graphviz
  conda:          conda install -c conda-forge graphviz
  macOS:          brew install graphviz
  Colab:          already installed
HELP
}
