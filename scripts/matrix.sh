#!/usr/bin/env bash
# The compatibility matrix: keras-lens in three environments besides the main one (colab:
# Python 3.13 + Colab's pins; oldest: Python 3.10 + Keras 3.8 and the other lower bounds;
# jax: KERAS_BACKEND=jax without TensorFlow). See scripts/matrix.py; .ci/run calls this.
#   bash scripts/matrix.sh                       # all three
#   bash scripts/matrix.sh colab jax             # some
#   bash scripts/matrix.sh --prepare --work DIR  # only build the venvs (then: --work DIR)
# The venvs are made with uv (from PyPI, once); its cache, ~/.cache/keras-lens-ci/uv, keeps every
# download, so a second run downloads nothing (pip's cache stays empty here: see matrix.py).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec "${MATRIX_PYTHON:-python3}" scripts/matrix.py "$@"
