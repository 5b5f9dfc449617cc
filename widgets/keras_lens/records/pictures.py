"""What a layer output's picture is made of: its kind, and the histogram kept instead of values.

Plain data and pure functions (numpy only, no Keras, no matplotlib): the adapter's trace keeps a
``Histogram`` or sample 0's first ``MAX_MAPS`` channels; ``keras_lens.render.shape_pictures``
draws them.

Example:
    >>> picture_kind("Conv2D", 4), picture_kind("Dense", 2)
    ('feature_maps', 'histogram')
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MAX_MAPS", "Histogram", "histogram_of", "picture_kind"]

#: At most this many channels are drawn as feature maps.
MAX_MAPS = 16


def picture_kind(class_name: str, rank: int) -> str:
    """``"feature_maps"``, ``"histogram"`` or ``""`` (no picture) for a layer output.

    Example:
        >>> picture_kind("Conv2D", 4), picture_kind("Dense", 2), picture_kind("Add", 4)
        ('feature_maps', 'histogram', '')
    """
    spatial = "Conv" in class_name or "Pool" in class_name
    if spatial and rank == 4:
        return "feature_maps"
    if class_name == "Dense" or spatial:
        return "histogram"
    return ""


class Histogram:
    """What ``histogram_png`` draws, kept instead of the activations: 40 bins, size, zeros.

    Example:
        >>> h = histogram_of(np.array([0.0, 1.0, 1.0, np.nan]))
        >>> h.size, h.zeros, int(h.counts.sum())
        (3, 0.3333333333333333, 3)
    """

    def __init__(self, counts: np.ndarray, edges: np.ndarray, size: int, zeros: float) -> None:
        self.counts, self.edges, self.size, self.zeros = counts, edges, size, zeros

    @property
    def nbytes(self) -> int:
        return int(self.counts.nbytes + self.edges.nbytes)


def histogram_of(values: Any) -> Histogram:
    """The 40-bin histogram of every finite value (what ``histogram_png`` shows)."""
    values = np.asarray(values, dtype="float32").ravel()
    values = values[np.isfinite(values)]
    zeros = float(np.mean(values == 0)) if values.size else 0.0
    try:
        counts, edges = np.histogram(values, bins=40)
    except ValueError:  # a range too narrow for 40 float32 bins: count in float64
        counts, edges = np.histogram(values.astype("float64"), bins=40)
    return Histogram(counts, edges, int(values.size), zeros)
