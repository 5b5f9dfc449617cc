"""keras_lens.playground(): the arithmetic agrees with Keras's own ``compute_output_shape``."""

from __future__ import annotations

import itertools

import pytest

keras = pytest.importorskip("keras")
layers = keras.layers

from keras_lens.views.playground_view import LAYERS, conv_output_shape, playground  # noqa: E402

SIZES = (1, 4, 7, 28)
KERNELS = (1, 2, 3, 5)
STRIDES = (1, 2, 3)
DILATIONS = (1, 2)


def _keras_layer(layer: str, kernel: int, stride: int, padding: str, dilation: int, filters: int):
    if layer == "UpSampling2D":
        return layers.UpSampling2D(size=stride)
    if layer in ("MaxPooling2D", "AveragePooling2D"):
        return getattr(layers, layer)(pool_size=kernel, strides=stride, padding=padding)
    return getattr(layers, layer)(
        filters, kernel, strides=stride, padding=padding, dilation_rate=dilation
    )


def _keras_shape(layer, size, channels, kernel, stride, padding, dilation, filters):
    """Keras's answer: a shape tuple, or the ValueError it raises."""
    try:
        keras_layer = _keras_layer(layer, kernel, stride, padding, dilation, filters)
        shape = tuple(keras_layer.compute_output_shape((None, size, size, channels)))
    except ValueError as error:
        return error
    if any(dim is not None and dim <= 0 for dim in shape):
        # Keras < 3.15 returns a size-0 (or negative) output here where 3.15 raises: the same
        # answer, "the window is larger than the input" (measured on Keras 3.8 and 3.13)
        return ValueError(f"Keras computes an empty output {shape}")
    return shape


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("layer", LAYERS)
def test_grid_matches_keras(layer, padding):
    dilations = DILATIONS if layer in ("Conv2D", "Conv2DTranspose") else (1,)
    checked = rejected = 0
    for size, kernel, stride, dilation in itertools.product(SIZES, KERNELS, STRIDES, dilations):
        if layer == "UpSampling2D" and kernel != 1:
            continue  # UpSampling2D uses only the factor (stride)
        ours = conv_output_shape(layer, size, 3, kernel, stride, padding, dilation, 5)
        expected = _keras_shape(layer, size, 3, kernel, stride, padding, dilation, 5)
        where = f"{layer} size={size} k={kernel} s={stride} {padding} d={dilation}"
        if isinstance(expected, ValueError):
            assert not ours.valid, f"{where}: Keras raises {expected} but we say {ours}"
            assert ours.problem and ours.output_shape is None
            rejected += 1
        else:
            assert ours.valid, f"{where}: Keras gives {expected} but we say {ours.problem}"
            assert ours.output_shape == expected, where
        checked += 1
    assert checked >= len(SIZES) * len(STRIDES)
    if padding == "valid" and layer in ("Conv2D", "MaxPooling2D"):
        assert rejected > 0  # the grid really contains kernels bigger than the input


@pytest.mark.parametrize(
    ("layer", "channels", "kernel", "filters"),
    [("Conv2D", 1, 3, 32), ("Conv2D", 16, 5, 8), ("Conv2DTranspose", 64, 3, 32)],
)
def test_params_match_a_built_layer(layer, channels, kernel, filters):
    keras_layer = getattr(layers, layer)(filters, kernel)
    keras_layer.build((None, 10, 10, channels))
    result = conv_output_shape(layer, 10, channels, kernel, 1, "valid", 1, filters)
    assert result.params == keras_layer.count_params()


def test_textbook_arithmetic():
    result = conv_output_shape("Conv2D", input_size=28, channels=1, kernel=3, filters=32)
    assert result.output_shape == (None, 26, 26, 32)
    assert "floor((28 - 3 + 0)/1) + 1 = 26" in result.steps[-1]
    assert result.param_text.startswith("(3*3*1+1)*32 = 320")
    same = conv_output_shape("Conv2D", 28, 1, 3, 2, "same")
    assert same.steps[-1] == "out = ceil(in/stride) = ceil(28/2) = 14"


def test_invalid_settings_are_explained():
    too_big = conv_output_shape("Conv2D", input_size=4, kernel=5)
    assert not too_big.valid
    assert "larger than the 4x4 input" in too_big.problem and "padding='same'" in too_big.problem
    both = conv_output_shape("Conv2D", stride=2, dilation=2)
    assert not both.valid and "dilation_rate > 1" in both.problem
    assert "invalid:" in too_big.to_text()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layer": "Dense"}, "layer must be one of"),
        ({"kernel": 0}, "kernel must be a whole number"),
        ({"stride": 1.5}, "stride must be a whole number"),
        ({"padding": "causal"}, "padding must be 'valid' or 'same'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        conv_output_shape(**kwargs)


def test_widget_updates_and_reprs():
    widget = playground(input_size=28, kernel=3)
    assert (
        repr(widget) == "<Playground Conv2D: (None, 28, 28, 1) -> (None, 26, 26, 32), 320 params>"
    )
    widget.controls["layer"].value = "MaxPooling2D"
    widget.controls["stride"].value = 2
    assert widget.controls["filters"].disabled and widget.controls["dilation"].disabled
    assert widget.result.output_shape == (None, 13, 13, 1)
    widget.controls["kernel"].value = 11
    widget.controls["input_size"].value = 5
    assert "invalid" in repr(widget)
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "larger than the 5x5 input" in bundle["text/html"]
    assert bundle["text/plain"] == repr(widget)


def test_bad_start_value_is_a_clear_error():
    with pytest.raises(ValueError, match="padding must be"):
        playground(padding="full")


def test_public_name_is_the_function():
    import keras_lens

    assert keras_lens.playground is playground
