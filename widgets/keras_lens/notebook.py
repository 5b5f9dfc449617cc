"""Helpers every tutorial notebook uses: the environment line, seeding, a scratch directory.

Works on every Keras 3 backend (TensorFlow, JAX, PyTorch, NumPy): nothing here imports
TensorFlow unless it is the backend Keras runs on.

Example:
    >>> from keras_lens.notebook import scratch_dir
    >>> path = scratch_dir()          # a fresh temporary directory, removed when Python exits
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.metadata
import numbers
import os
import platform
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator

from keras_lens.adapter._keras_version import SUPPORTED_KERAS, TESTED_KERAS_RANGE

__all__ = [
    "describe_environment",
    "quiet_native_stderr",
    "scratch_dir",
    "setup_notebook",
    "use_cjk_font",
]

#: Font families that draw Simplified Chinese, in order of preference.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    # the same Pan-CJK font under its first face's name: an older matplotlib reads only the first
    # face of the .ttc collection fonts-noto-cjk installs (JP), which has every Chinese glyph
    # (measured with Colab's matplotlib 3.10.0: only "Noto Sans CJK JP" is registered)
    "Noto Sans CJK JP",
)

#: Distribution whose version the environment line shows for each Keras backend.
_BACKEND_DISTRIBUTIONS = {
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tf-nightly"),
    "jax": ("jax",),
    "torch": ("torch",),
    "numpy": ("numpy",),
    "openvino": ("openvino",),
}

_scratch: list[str] = []


def scratch_dir() -> str:
    """Return a temporary directory for files a notebook writes (saved models, plots).

    Notebooks never write into the repository: nbval runs must leave ``git status`` clean.
    The directory is removed when the kernel exits.
    """
    path = tempfile.mkdtemp(prefix="keras-lens-")
    _scratch.append(path)
    return path


@atexit.register
def _remove_scratch() -> None:
    for path in _scratch:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Send what C/C++ code writes to file descriptor 2 to /dev/null while the block runs.

    TensorFlow's start-up lines (absl, cuda and oneDNN messages) are written by C++ straight to
    fd 2, where ``TF_CPP_MIN_LOG_LEVEL`` does not reach all of them and Jupyter shows them as red
    stderr. Python warnings raised inside the block are collected and shown after it, so they
    are not lost. Example: ``with quiet_native_stderr(): import keras``.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 at all (some embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    with warnings.catch_warnings(record=True) as caught:  # the filters in force still apply
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
    for w in caught:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _backend_version(backend: str) -> str:
    module = sys.modules.get(backend)
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    for dist in _BACKEND_DISTRIBUTIONS.get(backend, (backend,)):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            return importlib.metadata.version(dist)
    return "version unknown"


def _device(backend: str) -> str:
    """The accelerator the backend will use, or ``CPU``; asks only the active backend."""
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return f"GPU x{len(gpus)} ({gpus[0].name})" if gpus else "CPU"
    if backend == "jax":
        import jax

        accelerators = [d for d in jax.devices() if d.platform != "cpu"]
        if accelerators:
            first = accelerators[0]
            return f"{first.platform.upper()} x{len(accelerators)} ({first.device_kind})"
        return "CPU"
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            count = torch.cuda.device_count()
            return f"GPU x{count} ({torch.cuda.get_device_name(0)})"
        return "CPU"
    return "CPU"


def describe_environment() -> str:
    """One line: Keras, its backend and their versions, Python, and the device the backend uses.

    Example: ``Keras 3.15.1 (tensorflow 2.21.0) | Python 3.11.7 | device: CPU``.
    """
    import keras

    backend = keras.backend.backend()
    return (
        f"Keras {keras.__version__} ({backend} {_backend_version(backend)}) | "
        f"Python {platform.python_version()} | device: {_device(backend)}"
    )


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese text with the first installed font of ``CJK_FAMILIES``.

    Fonts installed after matplotlib built its font cache (``apt-get install fonts-noto-cjk``
    in a running Colab session) are added first. Returns the family used, or ``None`` when no
    CJK font is installed (then Chinese labels show as boxes). Example: ``use_cjk_font()``.
    """
    import matplotlib
    from matplotlib import font_manager

    def installed() -> set[str]:
        return {entry.name for entry in font_manager.fontManager.ttflist}

    if not installed().intersection(CJK_FAMILIES):
        for path in font_manager.findSystemFonts():
            lowered = os.path.basename(path).lower()
            if "cjk" in lowered or "wqy" in lowered or "sourcehansans" in lowered:
                with contextlib.suppress(Exception):  # a broken font file is skipped
                    font_manager.fontManager.addfont(path)
    names = installed()
    family = next((f for f in CJK_FAMILIES if f in names), None)
    if family is not None:
        rc = matplotlib.rcParams
        rc["font.sans-serif"] = [family, *(f for f in rc["font.sans-serif"] if f != family)]
        rc["font.family"] = "sans-serif"
        rc["axes.unicode_minus"] = False  # CJK fonts often lack U+2212 (the minus sign)
    return family


def setup_notebook(seed: int | None = 42, language: str | None = None) -> None:
    """Import Keras quietly, seed every RNG, check the Keras version, print the environment line.

    Prints one line (see ``describe_environment``) and returns nothing, so a notebook cell that
    ends with this call shows the line once. TensorFlow's C++ start-up lines are kept out of the
    notebook (see ``quiet_native_stderr``). ``language="zh-CN"`` switches every label of
    keras_lens to Chinese (``keras_lens.set_language``) and picks a CJK font for matplotlib
    (``use_cjk_font``). Example: ``keras_lens.setup_notebook(seed=42)``.
    """
    if seed is not None and (
        isinstance(seed, bool)
        or not isinstance(seed, numbers.Integral)
        or not 0 <= int(seed) < 2**32
    ):
        raise ValueError(
            f"setup_notebook(seed=...) must be a whole number from 0 to 2**32 - 1 (e.g. 42), "
            f"or None to leave the random generators alone; got {seed!r}."
        )
    if language is not None:
        from keras_lens import i18n

        i18n.set_language(language)  # an unknown language raises before anything else happens
        if i18n.get_language() == "zh-CN" and use_cjk_font() is None:
            print(
                "Note: no Chinese font found; plots will show boxes for Chinese text. "
                "Install one (Debian/Ubuntu/Colab: apt-get install fonts-noto-cjk) and run "
                "this cell again."
            )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with quiet_native_stderr():
        import keras

        if seed is not None:
            keras.utils.set_random_seed(int(seed))
        line = describe_environment()  # the device probe logs too (e.g. cuInit on a CPU box)
    low, high = TESTED_KERAS_RANGE
    if not low <= _version_tuple(keras.__version__)[:2] < high:
        print(
            f"Note: keras_lens is tested with Keras {' '.join(SUPPORTED_KERAS)}; this is Keras "
            f"{keras.__version__}. Most examples still run; outputs may differ."
        )
    print(line)


def _version_tuple(text: str) -> tuple[int, ...]:
    out = []
    for part in text.split("."):
        digits = "".join(c for c in part if c.isdigit())
        if not digits:
            break
        out.append(int(digits))
        if not part.isdigit():
            break
    return tuple(out)
