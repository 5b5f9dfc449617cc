#!/usr/bin/env bash
# Shared, idempotent set-up used by scripts/tutorial.sh, scripts/test.sh and .ci/run.
#  1. System packages the lab uses and the machine lacks (graphviz's dot, Chromium for the
#     browser tests, fonts-noto-cjk for the Chinese edition): installed with apt-get when this
#     runs as root or with passwordless sudo on Debian/Ubuntu (apt-get update first).
#  2. .venv (once) with keras-lens editable and its test extra (again only when pyproject.toml
#     changed). The venv's bin goes first on PATH, so pydot and the notebooks' kernels find
#     what is installed there.
#  3. What apt could not provide: a `dot` from the pip package graphviz-pure (the venv's
#     bin/dot, which keras.utils.plot_model and keras_lens find), Playwright's own Chromium
#     where the machine is online; otherwise one message naming the one command to run.
# Callers set LAB_NEED_CHROMIUM=1 (test.sh) when the browser tests will run.
set -euo pipefail
LAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB_VENV="${LAB_VENV:-$LAB_ROOT/.venv}"
LAB_PYTHON="${PYTHON:-python3}"
LAB_CHROMIUM="${KERAS_LENS_CHROMIUM:-/usr/bin/chromium}"
LAB_NEED_CHROMIUM="${LAB_NEED_CHROMIUM:-0}"
[ "${KERAS_LENS_SKIP_BROWSER:-0}" = 1 ] && LAB_NEED_CHROMIUM=0

lab_sudo() {
  # prints the prefix that runs apt-get as root ("" or "sudo -n"); fails when there is none
  if [ "$(id -u)" = 0 ]; then echo ""; return 0; fi
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then echo "sudo -n"; return 0; fi
  return 1
}

lab_missing_system_packages() {
  local missing=()
  command -v dot >/dev/null 2>&1 || missing+=(graphviz)
  if [ "$LAB_NEED_CHROMIUM" = 1 ] && [ ! -x "$LAB_CHROMIUM" ]; then missing+=(chromium); fi
  if command -v fc-list >/dev/null 2>&1 && ! fc-list 2>/dev/null | grep -i "cjk" >/dev/null; then
    missing+=(fonts-noto-cjk)
  fi
  echo "${missing[@]:-}"
}

lab_install_system_packages() {
  local missing sudo_cmd
  missing="$(lab_missing_system_packages)"
  [ -n "$missing" ] || return 0
  if command -v apt-get >/dev/null 2>&1 && sudo_cmd="$(lab_sudo)"; then
    echo "[setup] installing system packages with apt-get: $missing"
    # shellcheck disable=SC2086
    if $sudo_cmd apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq $missing; then
      return 0
    fi
    echo "[setup] apt-get could not install $missing; trying pip-only replacements" >&2
  else
    echo "[setup] missing system packages ($missing), and no root/passwordless sudo for apt-get:" \
      "using pip-only replacements where there are any"
  fi
}

lab_install_system_packages
if [ "${LAB_SETUP_SYSTEM_ONLY:-0}" = 1 ]; then return 0 2>/dev/null || exit 0; fi

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
export PATH="$LAB_VENV/bin:$PATH"

# No system dot: the pip one. graphviz-pure installs only `graphviz-pure` (so that it never
# shadows a real Graphviz); the venv gets a `dot` (scripts/_pip_dot.sh) that runs it, for
# pydot, plot_model and keras_lens.
if ! command -v dot >/dev/null 2>&1 && [ -x "$LAB_VENV/bin/graphviz-pure" ]; then
  cp "$LAB_ROOT/scripts/_pip_dot.sh" "$LAB_VENV/bin/dot"
  chmod +x "$LAB_VENV/bin/dot"
  echo "[setup] no system Graphviz: using graphviz-pure as dot ($LAB_VENV/bin/dot)"
fi

# No Chromium: Playwright's own build, where the machine is online.
if [ "$LAB_NEED_CHROMIUM" = 1 ] && [ ! -x "$LAB_CHROMIUM" ]; then
  if "$LAB_VENV/bin/python" -m playwright install chromium >/dev/null 2>&1; then
    LAB_CHROMIUM="$("$LAB_VENV/bin/python" - <<'PY'
from playwright.sync_api import sync_playwright
with sync_playwright() as p:
    print(p.chromium.executable_path)
PY
)"
    export KERAS_LENS_CHROMIUM="$LAB_CHROMIUM"
    echo "[setup] using Playwright's Chromium: $LAB_CHROMIUM"
  fi
fi

lab_dot_help() {
  cat <<'HELP'
Graphviz's `dot` program was not found, and neither was the pip replacement. Run:
  .venv/bin/python -m pip install graphviz-pure     (or: sudo apt-get install graphviz)
HELP
}

lab_chromium_help() {
  echo "Chromium (for the browser tests) was not found and could not be downloaded. Run:" \
    "sudo apt-get install chromium   (or opt out: KERAS_LENS_SKIP_BROWSER=1 bash scripts/test.sh)"
}
