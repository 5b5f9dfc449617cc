#!/usr/bin/env bash
# Build (once) the ipywidgets 7 browser-test environment: Colab's ipywidgets 7.7.1 with the classic
# Notebook 6.5 front end it targets, plus this checkout's keras-lens (editable) and TensorFlow.
#
#   bash scripts/ipywidgets7_env.sh            # prints the venv's python on its last line
#   KERAS_LENS_IPYW7_VENV=/some/dir bash scripts/ipywidgets7_env.sh
#
# The venv lives in ~/.cache/keras-lens-ci/ipyw7-venv (outside the repository) and is rebuilt
# only when this script or pyproject.toml changed (a stamp file holds their hash). pip's downloads
# are cached in ~/.cache/keras-lens-ci/pip. tests/browser/test_ipywidgets7.py uses it; .ci/run can
# call this script before pytest. Exit 3: no Python 3.11 to build it from.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KERAS_LENS_CI_CACHE:-$HOME/.cache/keras-lens-ci}"
VENV="${KERAS_LENS_IPYW7_VENV:-$CACHE/ipyw7-venv}"
BASE="${KERAS_LENS_IPYW7_PYTHON:-$HOME/.pyenv/versions/3.11.7/bin/python}"
if [ ! -x "$BASE" ]; then
  BASE="$(command -v python3.11 || true)"
fi
if [ -z "$BASE" ] || [ ! -x "$BASE" ]; then
  echo "ipywidgets7_env: no Python 3.11 found (pyenv install 3.11 or set KERAS_LENS_IPYW7_PYTHON)" >&2
  exit 3
fi
TF_VERSION="$("$ROOT/.venv/bin/python" -c 'import importlib.metadata as m; print(m.version("tensorflow"))' 2>/dev/null || echo 2.21.0)"
PINS=(
  "ipywidgets==7.7.1"
  "widgetsnbextension==3.6.*"
  "notebook==6.5.7"
  "jupyter_client<8"
  "jupyter_server<2.15"
  "traitlets<5.10"
  "anywidget"
  "ipykernel<7"
  "tensorflow==$TF_VERSION"
)
STAMP_TEXT="$(cat "${BASH_SOURCE[0]}" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)"
STAMP="$VENV/.keras-lens-stamp"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_TEXT" ]; then
  # The cached venv may hold another checkout's keras-lens (an earlier CI clone, a worktree):
  # point its editable install at this checkout, so the code under test is this checkout's.
  here="$("$VENV/bin/python" -c 'import importlib.util, pathlib
print(pathlib.Path(importlib.util.find_spec("keras_lens").origin).resolve().parents[1])' 2>/dev/null || true)"
  if [ "$here" != "$(cd "$ROOT/widgets" && pwd -P)" ]; then
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-compile --quiet --no-deps \
      -e "$ROOT" >&2
  fi
  echo "$VENV/bin/python"
  exit 0
fi
start=$(date +%s)
rm -rf "$VENV"
mkdir -p "$CACHE"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$CACHE/pip}"
"$BASE" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --disable-pip-version-check --no-compile --quiet)
"${PIP[@]}" "${PINS[@]}"
# keras-lens itself without its dependency pins (ipywidgets 7 stays), then its remaining needs.
"${PIP[@]}" --no-deps -e "$ROOT"
"${PIP[@]}" "${PINS[@]}" keras pydot matplotlib numpy
"$VENV/bin/python" -m jupyter nbextension enable --py --sys-prefix widgetsnbextension >/dev/null
"$VENV/bin/python" - <<'PY'
import ipywidgets, notebook, anywidget, keras_lens
assert ipywidgets.__version__ == "7.7.1", ipywidgets.__version__
print("ipywidgets", ipywidgets.__version__, "notebook", notebook.__version__,
      "anywidget", anywidget.__version__, "keras_lens", keras_lens.__version__)
PY
echo "$STAMP_TEXT" > "$STAMP"
echo "ipywidgets7_env: built in $(( $(date +%s) - start )) s" >&2
echo "$VENV/bin/python"
