#!/usr/bin/env bash
# The test suite on a local CUDA machine: installs the [gpu] extra (TensorFlow with its CUDA
# libraries from pip), prints the GPU(s) TensorFlow sees, then runs scripts/test.sh.
# Fails early (exit 4) when there is no NVIDIA driver or TensorFlow sees no GPU, so a green
# run here means the suite really ran on a GPU. Extra arguments go to pytest.
#   bash scripts/test_gpu.sh            # whole suite on the GPU
#   bash scripts/test_gpu.sh -k graph   # a subset
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "No NVIDIA GPU/driver found (nvidia-smi -L failed). On a CPU machine run" \
    "bash scripts/test.sh; on Colab use colab/run_tests_on_colab.ipynb." >&2
  exit 4
fi
nvidia-smi -L
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
"$LAB_VENV/bin/python" -m pip install --quiet -e "$LAB_ROOT[test,gpu]"
"$LAB_VENV/bin/python" - <<'PY'
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras
import tensorflow as tf

gpus = tf.config.list_physical_devices("GPU")
print(f"TensorFlow {tf.__version__} | Keras {keras.__version__} | GPUs: {gpus or 'none'}")
if not gpus:
    sys.exit(
        "TensorFlow sees no GPU although nvidia-smi does: check that the driver supports the "
        "CUDA version of tensorflow[and-cuda] (nvidia-smi, top right) and that "
        "CUDA_VISIBLE_DEVICES is not empty."
    )
PY
exec bash "$LAB_ROOT/scripts/test.sh" "$@"
