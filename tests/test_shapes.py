"""keras_lens.shapes: symbolic and real output shapes, pictures, clear errors for bad batches."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from keras_lens.views.shape_trace import trace_shapes  # noqa: E402
from keras_lens.views.shapes_view import Shapes, shapes  # noqa: E402

from tests import seed_models  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
EVIL = "<img src=x onerror=alert(1)>"


def _fresh(factory):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    return factory()


def _rand(*shape):
    return np.random.default_rng(0).random(shape, dtype="float32")


@pytest.mark.parametrize(
    "name", ["mnist_model_001", "cnn_002", "shared_input_002", "toy_resnet_001", "multi_input_002"]
)
def test_symbolic_shapes_are_keras_layer_outputs(name):
    model = _fresh(seed_models.FUNCTIONAL_FACTORIES[name])
    trace = trace_shapes(model)
    assert not trace.traced
    for row in trace.rows:
        layer = model.get_layer(row.name)
        assert row.symbolic == (tuple(layer.output.shape),), row.name


def test_real_shapes_of_a_cnn_batch():
    model = _fresh(seed_models.cnn_002)
    x = _rand(5, 28, 28, 1)
    trace = trace_shapes(model, x)
    assert trace.batch == 5 and not trace.mismatches
    rows = {r.name: r for r in trace.rows}
    # an independent forward pass for two of the layers
    conv2 = keras.Model(model.inputs, model.get_layer("conv2").output)
    assert rows["conv2"].actual == (tuple(conv2([x]).shape),) == ((5, 9, 9, 64),)
    assert rows["output"].actual == (model.predict(x, verbose=0).shape,)
    assert all(r.matches for r in trace.rows)


def test_nested_models_are_traced_inside():
    _, _, autoencoder = _fresh(seed_models.autoencoder_nested_001)
    trace = trace_shapes(autoencoder, _rand(2, 28, 28, 1))
    rows = {r.key: r for r in trace.rows}
    assert rows["encoder/conv2d_1"].actual == ((2, 24, 24, 32),)
    assert rows["decoder/up_sampling2d"].actual == ((2, 24, 24, 32),)
    assert rows["decoder"].actual == ((2, 28, 28, 1),)
    assert rows["encoder/conv2d"].depth == 1 and not trace.mismatches


def test_shared_layer_gets_one_row_per_call():
    model = _fresh(seed_models.shared_embedding_001)
    a, b = np.zeros((3, 7), "int32"), np.ones((3, 5), "int32")
    trace = trace_shapes(model, [a, b])
    calls = [r for r in trace.rows if r.name == "shared_embedding"]
    assert [r.actual for r in calls] == [((3, 7, 128),), ((3, 5, 128),)]
    assert calls[1].label() == "shared_embedding (Embedding) call 2"
    by_dict = trace_shapes(model, {"text_a": a, "text_b": b})
    assert [r.actual for r in by_dict.rows] == [r.actual for r in trace.rows]


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        (np.zeros((784,)), r"expected shape \(None, 784\).*received \(784,\).*batch dimension"),
        (np.zeros((2, 28, 28)), r"received \(2, 28, 28\).*x.reshape\(\(-1, 784\)\)"),
        (
            np.zeros((2, 785)),
            r"expected shape \(None, 784\) \(None = any size\), received \(2, 785\)",
        ),
        (np.zeros((0, 784)), "The batch is empty"),
    ],
)
def test_batch_that_does_not_fit(sample, message):
    model = _fresh(seed_models.mnist_model_001)
    with pytest.raises(ValueError, match=message):
        trace_shapes(model, sample)


def test_multi_input_mistakes():
    model = _fresh(seed_models.multi_input_002)
    gray, rgb = np.zeros((2, 64, 64, 1)), np.zeros((2, 32, 32, 3))
    with pytest.raises(ValueError, match=r"2 inputs \['img_gray_bigsize', 'img_rgb_smallsize'\]"):
        trace_shapes(model, gray)
    with pytest.raises(ValueError, match="no entry for input"):
        trace_shapes(model, {"img_gray_bigsize": gray})
    with pytest.raises(ValueError, match=r"input 'img_rgb_smallsize'.*received \(2, 64, 64, 1\)"):
        trace_shapes(model, [gray, gray])
    with pytest.raises(ValueError, match="different batch sizes"):
        trace_shapes(model, [gray, rgb[:1]])
    assert trace_shapes(model, [gray, rgb]).batch == 2


def test_bad_models():
    with pytest.raises(TypeError, match="needs a Keras model"):
        shapes(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="subclassed"):
        shapes(_fresh(seed_models.subclassed_mlp_001))
    with pytest.raises(ValueError, match="not built yet"):
        shapes(keras.Sequential([keras.layers.Dense(3)]))


def test_memory_limit_is_explained():
    model = _fresh(seed_models.cnn_002)
    x = np.zeros((64, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match=r"smaller batch, e.g. sample\[:\d+\]") as error:
        trace_shapes(model, x, memory_limit_mb=1)
    fits = int(re.search(r"sample\[:(\d+)\]", str(error.value)).group(1))
    assert 1 <= fits < 64  # the advice is a batch that really fits
    assert trace_shapes(model, x[:fits], memory_limit_mb=1).batch == fits


def test_pictures():
    model = _fresh(seed_models.toy_resnet_001)
    trace = trace_shapes(model, _rand(4, 32, 32, 3))
    kinds = {r.name: r.picture for r in trace.rows}
    assert kinds["conv2d"] == kinds["max_pooling2d"] == "feature_maps"
    assert kinds["dense"] == "histogram" and kinds["add"] == "" and kinds["img"] == ""
    assert trace.picture_png("conv2d").startswith(PNG)
    assert trace.picture_png("dense").startswith(PNG)
    assert trace.picture_png("add") is None


def test_widget_repr_and_static_html():
    model = _fresh(seed_models.mnist_model_001)
    symbolic = shapes(model)
    assert repr(symbolic) == "<Shapes 'mnist_model': 4 layer outputs, symbolic only>"
    widget = shapes(model, _rand(32, 784))
    assert isinstance(widget, Shapes)
    assert (
        repr(widget)
        == "<Shapes 'mnist_model': 4 layer outputs, traced with a batch of 32: all fit>"
    )
    html = widget._repr_mimebundle_()["text/html"]
    images = html.count("src='data:image/png;base64,")
    assert images == 3  # the three Dense layers have histograms
    first = html.split("base64,")[1].split("'")[0]
    assert base64.b64decode(first).startswith(PNG)
    widget.selected = "dense_1"
    assert bytes(widget.image.value).startswith(PNG) and widget.layer.value == "dense_1"
    widget.selected = "input_layer"
    assert bytes(widget.image.value) == b"" and "no picture" in widget.caption.value
    assert "(32, 784)" in widget.to_text()


def test_html_is_escaped():
    keras.backend.clear_session()
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(2, name=EVIL)(inputs), name=EVIL)
    widget = shapes(model, np.zeros((2, 3)))
    for html in (widget._repr_mimebundle_()["text/html"], widget.html.value):
        assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_missing_channel_axis_is_not_called_a_missing_batch():
    inputs = keras.Input(shape=(28, 28, 1))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    with pytest.raises(ValueError, match=r"channel axis missing\? Add it with x\[\.\.\., None\]"):
        trace_shapes(model, np.zeros((8, 28, 28), "float32"))
    with pytest.raises(ValueError, match=r"batch dimension missing\? For one example"):
        trace_shapes(model, np.zeros((28, 28, 1), "float32"))
