"""Helpers every tutorial notebook uses: the environment line, seeding, a scratch directory.

Example:
    >>> from keras_lens.notebook import scratch_dir
    >>> path = scratch_dir()          # a fresh temporary directory, removed when Python exits
"""

from __future__ import annotations

import atexit
import numbers
import os
import platform
import shutil
import tempfile

__all__ = ["describe_environment", "scratch_dir", "setup_notebook"]

SUPPORTED_KERAS = ("3.15", "3.16")  # [min, max): the range the adapter is written against

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


def describe_environment() -> str:
    """One line: TensorFlow, Keras and Python versions and the device TensorFlow will use."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    device = f"GPU x{len(gpus)} ({gpus[0].name})" if gpus else "CPU"
    return (
        f"TensorFlow {tf.__version__} | Keras {keras.__version__} | "
        f"Python {platform.python_version()} | device: {device}"
    )


def setup_notebook(seed: int | None = 42, language: str | None = None) -> None:
    """Quiet TensorFlow's C++ logs, seed every RNG, check the Keras version, print the environment.

    Prints one line (see ``describe_environment``) and returns nothing, so a notebook cell that
    ends with this call shows the line once. ``language="zh-CN"`` labels every keras_lens widget
    in Chinese (``keras_lens.set_language``) and gives matplotlib a CJK font.
    Example: ``keras_lens.setup_notebook(seed=42)``.
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
        if i18n.get_language() == "zh-CN":
            from keras_lens._fonts import use_cjk_font

            use_cjk_font()  # matplotlib: Chinese titles and labels instead of boxes
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    major_minor = ".".join(keras.__version__.split(".")[:2])
    if not (
        _version_tuple(SUPPORTED_KERAS[0])
        <= _version_tuple(major_minor)
        < _version_tuple(SUPPORTED_KERAS[1])
    ):
        print(
            f"Note: these notebooks were written for Keras {SUPPORTED_KERAS[0]}.x; "
            f"this is Keras {keras.__version__}. Most examples still run; outputs may differ."
        )
    if seed is not None:
        keras.utils.set_random_seed(int(seed))
    print(describe_environment())


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())
