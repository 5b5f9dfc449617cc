"""The bundled real MNIST test images, for checks that measure a trained model's accuracy.

Checks always measure on the bundled sample's 2,000 test images (never trained on, whatever
``KERAS_LENS_DATA`` the learner used), so the bar means the same on every machine.

Example:
    >>> from keras_lens.exercises._mnist import mnist_test
    >>> x, y = mnist_test(flat=True)
    >>> x.shape, y.shape
    ((2000, 784), (2000,))
"""

from __future__ import annotations

import contextlib
import functools
import io
from typing import Any

import numpy as np

__all__ = ["mnist_test", "predict_quietly"]


@functools.lru_cache(maxsize=2)
def _images() -> tuple[np.ndarray, np.ndarray]:
    from keras_lens import datasets

    with contextlib.redirect_stdout(io.StringIO()):  # the one-line source note is not the check's
        _, (x_test, y_test) = datasets.load_mnist(source="bundled")
    return x_test.astype("float32") / 255, y_test


def mnist_test(flat: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: 2,000 test images scaled to [0, 1], ``(2000, 784)`` or ``(2000, 28, 28, 1)``."""
    x, y = _images()
    return (x.reshape(-1, 784) if flat else x[..., None]), y


def predict_quietly(model: Any, x: Any) -> Any:
    """``model.predict(x)`` in batches of 500, without the progress bar."""
    return model.predict(x, batch_size=500, verbose=0)
