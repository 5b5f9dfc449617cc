"""Pictures of layer outputs: feature maps (conv/pooling) and activation histograms (dense).

Figures are built with ``matplotlib.figure.Figure`` (not pyplot, so the notebook's inline
backend never shows them a second time) and returned as PNG bytes without run-dependent metadata.

Example:
    >>> import numpy as np
    >>> png = feature_maps_png("conv", np.random.rand(8, 8, 4))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

from keras_lens.records.pictures import MAX_MAPS, Histogram, histogram_of, picture_kind

__all__ = [
    "MAX_MAPS",
    "Histogram",
    "feature_maps_png",
    "histogram_of",
    "histogram_png",
    "picture_kind",
]

#: Pictures are drawn at this many dots per inch, so a font size in points is ``* DPI / 72`` px.
DPI = 72
#: Font sizes (points = pixels at 72 dpi) of titles and labels: readable, at least 11 px.
TITLE_PT, LABEL_PT = 12, 11


def feature_maps_png(name: str, maps: Any, channels: int | None = None) -> bytes:
    """Up to ``MAX_MAPS`` channels of one sample's ``(height, width, channels)`` output.

    ``channels`` is the layer's channel count when ``maps`` holds only the first ones.
    """
    maps = np.asarray(maps, dtype="float32")
    channels = channels or maps.shape[-1]
    shown = min(channels, MAX_MAPS)
    cols = min(shown, 8)
    rows = math.ceil(shown / cols)
    from matplotlib.figure import Figure

    # 8 columns of 1-inch maps: 576 px wide at 72 dpi, shown at natural size beside the picker
    figure = Figure(figsize=(max(1.0 * cols, 4.5), 1.0 * rows + 0.7), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index < shown:
            ax.imshow(maps[..., index], cmap="viridis", interpolation="nearest")
            ax.set_title(str(index), fontsize=LABEL_PT)
    more = f" (first {shown} of {channels})" if shown < channels else ""
    figure.suptitle(f"{name}: feature maps of sample 0, channels{more}", fontsize=TITLE_PT)
    return _png(figure)


def histogram_png(name: str, values: Any) -> bytes:
    """A histogram of every activation value of a batch (or of its ``Histogram``)."""
    hist = values if isinstance(values, Histogram) else histogram_of(values)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.0, 3.2), layout="constrained")
    ax = figure.subplots()
    ax.hist(hist.edges[:-1], bins=hist.edges, weights=hist.counts, color="#4c72b0")
    title = f"{name}: {hist.size:,} activations ({hist.zeros:.0%} exactly 0)"
    ax.set_title(title, fontsize=TITLE_PT)
    ax.set_xlabel("value", fontsize=LABEL_PT)
    ax.set_ylabel("count", fontsize=LABEL_PT)
    ax.tick_params(labelsize=LABEL_PT)
    return _png(figure)


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
