#!/usr/bin/env bash
# The compatibility matrix: keras-lens in three environments besides the main one (colab:
# Python 3.13 + Colab's pins; oldest: Python 3.10 + Keras 3.8 and the other lower bounds;
# jax: KERAS_BACKEND=jax without TensorFlow). See scripts/matrix.py; .ci/run calls this.
#   bash scripts/matrix.sh             # all three
#   bash scripts/matrix.sh colab jax   # some
# pip's downloads are cached in ~/.cache/keras-lens-ci/pip, so a second run downloads nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/keras-lens-ci/pip}"
exec "${MATRIX_PYTHON:-python3}" scripts/matrix.py "$@"
