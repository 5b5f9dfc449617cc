"""The Shapes widget's layout: picker, caption and picture together, the table scrolling beside.

The browser test (tests/browser/test_shapes_tab.py) measures the page; these check the widget
tree and the pictures' pixel sizes, which decide whether the page has to scale them down.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("ipywidgets")

import keras_lens  # noqa: E402
from keras_lens import i18n  # noqa: E402
from keras_lens.render.shape_pictures import (  # noqa: E402
    DPI,
    LABEL_PT,
    TITLE_PT,
    feature_maps_png,
    histogram_png,
)
from keras_lens.views.shapes_view import TABLE_HEIGHT  # noqa: E402

#: The picture column's room in JupyterLab beside an open file browser (1280-px window).
PANEL_PX = 600


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def _model():
    x = keras.Input((16, 16, 3), name="img")
    y = keras.layers.Conv2D(32, 3, name="conv")(x)
    y = keras.layers.GlobalAveragePooling2D(name="gap")(y)
    return keras.Model(x, keras.layers.Dense(4, name="out")(y), name="small")


def test_picker_caption_and_picture_share_a_column_beside_the_table():
    view = keras_lens.shapes(_model(), np.zeros((2, 16, 16, 3), "float32"))
    status, body = view.children
    assert status is view.status and body.children == (view.panel, view.table)
    assert view.panel.children == (view.layer, view.caption, view.image)
    assert view.table.children == (view.html,) and view.table.layout.max_height == TABLE_HEIGHT
    assert view.table.layout.overflow == "auto" and body.layout.flex_flow == "row wrap"
    view.selected = "conv"  # before the forward pass: the picture is announced, not drawn
    assert view.pending and bytes(view.image.value) == b""
    assert "appears when the forward pass is done" in view.caption.value
    view.finish()  # what the display (or .trace, repr) does
    assert bytes(view.image.value).startswith(b"\x89PNG") and view.image.layout.display is None
    assert view.caption.value == ""
    view.selected = "img"
    assert view.image.layout.display == "none" and "img has no picture" in view.caption.value


def test_pictures_fit_the_column_at_natural_size_with_11px_titles():
    assert LABEL_PT * DPI / 72 >= 11 and TITLE_PT * DPI / 72 >= 11
    for channels in (1, 5, 8, 16, 64):
        maps = np.random.default_rng(0).random((28, 28, min(channels, 16)))
        width, height = _png_size(feature_maps_png("conv", maps, channels))
        assert width <= PANEL_PX and height < 400, (channels, width, height)
    width, _ = _png_size(histogram_png("dense", np.arange(100.0)))
    assert width <= PANEL_PX


def test_widget_labels_follow_the_language():
    with i18n.language("zh-CN"):
        view = keras_lens.shapes(_model(), np.zeros((2, 16, 16, 3), "float32"))
        assert view.layer.description == "层" and view.layer.options[0][0] == "（无）"
        assert "正在把这批 2 个样本" in view.status.value
        view.finish()
        assert view.status.value == "" and "选择一层" in view.caption.value
