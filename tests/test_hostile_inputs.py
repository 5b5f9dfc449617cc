"""A confused student and a hostile name against every public entry point of keras_lens.

Each bad input must give a correct answer or a clear error naming what was wrong and what to do:
never a deep Keras/traitlets traceback, never a silently wrong number, nothing printed.
"""

from __future__ import annotations

import html
import re
import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")
layers = keras.layers

import keras_lens  # noqa: E402
from keras_lens.render import layout  # noqa: E402
from keras_lens.render.layout import LayoutError  # noqa: E402
from keras_lens.views import graph_view  # noqa: E402
from keras_lens.views.playground_view import conv_output_shape  # noqa: E402

needs_dot = pytest.mark.skipif(layout.find_engine() is None, reason="no Graphviz engine")
HOSTILE = "<img src=x onerror=alert(1)>\"'{}\\\n}"


def dense_model(layer_name: str = "d", model_name: str = "m") -> keras.Model:
    x = keras.Input((3,), name="x")
    return keras.Model(x, layers.Dense(2, name=layer_name)(x), name=model_name)


def frozen_nested() -> keras.Model:
    ix = keras.Input((3,), name="ix")
    inner = keras.Model(ix, layers.Dense(4, name="id")(ix), name="inner")
    inner.trainable = False
    ox = keras.Input((3,), name="ox")
    return keras.Model(ox, layers.Dense(1, name="od")(inner(ox)), name="frozen_outer")


def shared_nested_twice() -> keras.Model:
    sx = keras.Input((3,), name="sx")
    shared = keras.Model(sx, layers.Dense(3, name="sd")(sx), name="shared")
    tx = keras.Input((3,), name="tx")
    return keras.Model(tx, shared(shared(tx)), name="twice")


def batchnorm() -> keras.Model:
    x = keras.Input((3,), name="x")
    return keras.Model(x, layers.BatchNormalization()(layers.Dense(4)(x)), name="bn")


def zero_params() -> keras.Model:
    x = keras.Input((4, 4, 1), name="x")
    return keras.Model(x, layers.Flatten()(layers.MaxPooling2D()(x)), name="zero")


class TimesW(layers.Layer):
    def build(self, shape):
        self.w = self.add_weight(shape=(shape[-1], 2), name="w")

    def call(self, t):
        return t @ self.w


def custom_and_lambda() -> keras.Model:
    x = keras.Input((3,), name="x")
    y = layers.Lambda(lambda t: t * 2, name="double")(TimesW(name="mine")(x))
    return keras.Model(x, y, name="custom")


def sequential_built_without_input() -> keras.Model:
    model = keras.Sequential([layers.Dense(2, name="sd")], name="built")
    model.build((None, 3))
    return model


def int_embedding() -> keras.Model:
    x = keras.Input((5,), dtype="int32", name="tokens")
    y = layers.GlobalAveragePooling1D()(layers.Embedding(10, 4, name="embed")(x))
    return keras.Model(x, y, name="ints")


class Sub(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(4)
        self.out = layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def subclassed_called() -> keras.Model:
    model = Sub(name="sub")
    model(np.zeros((2, 3), "float32"))
    return model


ZOO = {
    "frozen_nested": frozen_nested,
    "shared_nested_twice": shared_nested_twice,
    "batchnorm": batchnorm,
    "zero_params": zero_params,
    "custom_and_lambda": custom_and_lambda,
    "sequential_built_without_input": sequential_built_without_input,
    "int_embedding": int_embedding,
    "subclassed_called": subclassed_called,
    "hostile": lambda: dense_model('d"<i>{x}', HOSTILE),
    "cjk": lambda: dense_model("全连接", "模型"),
}


def _sizes(variables) -> int:
    return sum(int(np.prod(v.shape)) for v in variables)


@pytest.mark.parametrize("name", sorted(ZOO))
def test_totals_equal_keras_and_nothing_is_printed(name, capsys):
    model = ZOO[name]()
    views = [keras_lens.graph(model), keras_lens.summary(model), keras_lens.inspect(model)]
    if name != "subclassed_called":
        views.append(keras_lens.shapes(model))
    views.append(keras_lens.compare(model, model))
    bundles = [view._repr_mimebundle_() for view in views]
    summary = views[1]
    assert summary.total_params == model.count_params()
    assert summary.trainable_params == _sizes(model.trainable_weights)
    assert summary.non_trainable_params == _sizes(model.non_trainable_weights)
    assert capsys.readouterr() == ("", "")
    for bundle in bundles:
        assert "<img src=x" not in bundle["text/html"] and '"<i>' not in bundle["text/html"]


def test_traced_pictures_and_the_playground_render_silently(capsys):
    x = keras.Input((6, 6, 1), name="x")
    conv = layers.Conv2D(2, 3, name="conv")(x)
    model = keras.Model(x, layers.Dense(2, name="d")(layers.Flatten()(conv)))
    nan = np.full((2, 6, 6, 1), np.nan, "float32")  # empty histograms, blank maps
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # ipywidgets 7's add_traits (called by anywidget) uses a traitlets API deprecated in 4.1
        warnings.filterwarnings("ignore", "Deprecated in traitlets 4.1", DeprecationWarning)
        # ipywidgets before 7.7.2 opens every widget's comm with ipykernel.comm.Comm, which
        # ipykernel 6.18+ deprecates (matrix env "oldest": ipywidgets 7.6.5, ipykernel 7)
        warnings.filterwarnings(
            "ignore", "The `ipykernel.comm.Comm` class has been deprecated", DeprecationWarning
        )
        view = keras_lens.shapes(model, nan)
        page = view._repr_mimebundle_()["text/html"]
        view.selected = "conv"
        inspected = keras_lens.inspect(model, nan, selected="d")._repr_mimebundle_()
        keras_lens.playground(layer="Conv2DTranspose", stride=3)._repr_mimebundle_()
    assert page.count("data:image/png") == 2 and "data:image/png" in inspected["text/html"]
    assert capsys.readouterr() == ("", "")


def test_hostile_layer_in_the_inspect_details_is_escaped():
    model = dense_model('d"<i>{x}', HOSTILE)
    page = keras_lens.inspect(model, selected='d"<i>{x}')._repr_mimebundle_()["text/html"]
    assert "<img src=x" not in page and "<i>{x}" not in page
    assert "d&quot;&lt;i&gt;{x}" in page


# -- names Graphviz used to garble or refuse ---------------------------------------------------
@needs_dot
def test_control_characters_in_a_name_are_shown_and_still_drawn():
    view = keras_lens.graph(dense_model("ctl\x01x"))
    assert view.svg.startswith("<svg")  # Graphviz's XML parser refused the raw \x01
    page = view._repr_mimebundle_()["text/html"]
    assert "\x01" not in page and "ctl\\x01x" in page


@needs_dot
def test_backslashes_in_a_tooltip_are_literal():
    view = keras_lens.graph(dense_model("back\\N\\G\\L"))
    titles = [html.unescape(t) for t in re.findall(r'xlink:title="([^"]*)"', view.svg)]
    assert "back\\N\\G\\L (Dense): 8 params" in titles  # \N was the node id, \G the graph name


def test_svg_is_empty_when_the_layout_fails(monkeypatch):
    view = keras_lens.graph(dense_model())

    def fail(*args, **kwargs):
        raise LayoutError("dot failed")

    monkeypatch.setattr(graph_view, "dot_to_svg", fail)
    view._svg_cache.clear()
    monkeypatch.setattr(view, "_engine", layout.Engine("dot", "dot"))
    assert view.svg == ""
    assert "could not be drawn: dot failed" in view._repr_mimebundle_()["text/html"]


# -- what was passed instead of a model ---------------------------------------------------------
def test_errors_say_what_was_passed_instead_of_a_model():
    a, b = dense_model(), dense_model()
    with pytest.raises(TypeError, match="got the string 'a'; pass the model object itself"):
        keras_lens.summary("a")
    with pytest.raises(TypeError, match=r"a list of 2 models; pass one model at a time"):
        keras_lens.shapes([a, b])
    with pytest.raises(TypeError, match=r"pass them as two arguments: compare\(a, b\)"):
        keras_lens.compare([a, b], b)
    x = keras.Input((3,))
    tensors = [layers.Dense(2)(x), layers.Dense(1)(x)]
    with pytest.raises(TypeError, match=r"2 KerasTensors .*keras\.Model\(inputs, outputs\)"):
        keras_lens.inspect(tensors)
    with pytest.raises(TypeError, match="a dict of 1 item "):
        keras_lens.summary({"loss": [0.1]})
    with pytest.raises(ValueError, match=r"functional API, e\.g\.") as error:
        keras_lens.shapes(subclassed_called())
    assert str(error.value).count("functional API") == 1


def test_graph_errors_name_graph_and_options_are_checked():
    with pytest.raises(TypeError, match=r"^keras_lens\.graph\(\) got None\. Accepted"):
        keras_lens.graph(None)
    model = frozen_nested()
    with pytest.raises(TypeError, match="show_shapes must be True or False; got 'no'"):
        keras_lens.graph(model, show_shapes="no")
    with pytest.raises(TypeError, match="expand_nested must be True or False; got 'yes'"):
        keras_lens.summary(model, expand_nested="yes")
    with pytest.raises(TypeError, match=r"graph\(\) got a list of models; pass one model at"):
        keras_lens.graph([model, model])
    assert keras_lens.graph(model, rankdir="lr").options.rankdir == "LR"
    with pytest.raises(KeyError, match="Did you mean 'inner/id'"):
        keras_lens.graph(model, highlight="id")
    with pytest.raises(Exception, match="Did you mean 'inner/id'"):
        keras_lens.inspect(model, selected="id")


# -- samples that do not fit -----------------------------------------------------------------
@pytest.mark.tensorflow  # JAX clamps an out-of-range Embedding index instead of raising
def test_a_failing_forward_pass_names_the_layer_and_the_reason():
    tokens = np.full((2, 5), 99, "int32")  # the vocabulary has 10 entries
    view = keras_lens.shapes(int_embedding(), tokens)  # the batch fits: the pass runs later
    with pytest.raises(ValueError) as error:
        _ = view.trace
    message = str(error.value)
    assert "in Embedding.call()" in message and "99 is not in [0, 10)" in message
    assert "\x1b" not in message and "Exception encountered" not in message
    # shown, not swallowed: the repr, the stored copy and the widget's status line say it
    bundle = view._repr_mimebundle_()
    assert "the trace failed" in bundle["text/plain"] and "99 is not in [0, 10)" in repr(view)
    assert "99 is not in [0, 10)" in bundle["text/html"] and "99 is not" in view.status.value


@pytest.mark.tensorflow  # StringLookup needs TensorFlow
def test_text_for_a_numeric_input_is_refused_before_keras_runs():
    with pytest.raises(ValueError, match=r"holds text \(dtype <U1\), but the input expects float"):
        keras_lens.shapes(dense_model(), np.array([["a", "b", "c"]]))
    x = keras.Input((1,), dtype="string", name="words")
    words = keras.Model(x, layers.StringLookup(vocabulary=["a", "b"])(x))
    trace = keras_lens.shapes(words, np.array([["a"], ["zzz"]])).trace
    assert trace.traced and not trace.mismatches  # a string input still takes text


def test_none_and_single_values_are_named():
    a, b = keras.Input((3,), name="a"), keras.Input((4,), name="b")
    two = keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    with pytest.raises(ValueError, match=r"no array for input 'b' \(got None\)"):
        keras_lens.shapes(two, [np.zeros((2, 3)), None])
    with pytest.raises(ValueError, match=r"one input 'x' of shape \(None, 3\) but the sample is a"):
        keras_lens.shapes(dense_model(), [np.zeros((2, 3)), np.zeros((2, 4))])
    rows = [np.zeros(3), np.ones(3)]  # the rows of one batch are still fine
    assert keras_lens.shapes(dense_model(), rows).trace.batch == 2
    with pytest.raises(ValueError, match=r"a single value \(5\), not a batch"):
        keras_lens.shapes(dense_model(), 5)
    with pytest.raises(ValueError, match="memory_limit_mb must be a positive number"):
        keras_lens.shapes(dense_model(), np.zeros((2, 3)), memory_limit_mb="1GB")


# -- the other entry points --------------------------------------------------------------------
def test_playground_never_clamps_a_starting_value():
    view = keras_lens.playground(input_size=500, kernel=20, stride=10, filters=1000)
    # (500 - 20)//10 + 1 = 49; (20*20*1 + 1)*1000 = 401,000
    assert view.result.output_shape == (None, 49, 49, 1000)
    assert view.result.params == 401_000
    assert view.controls["input_size"].value == 500
    view.controls["padding"].value = "same"  # a later change still uses the big values
    assert view.result.output_shape == (None, 50, 50, 1000)


def test_playground_takes_numpy_integers_and_names_unknown_settings():
    assert conv_output_shape(kernel=np.int64(3)).output_shape == (None, 26, 26, 32)
    assert keras_lens.playground(kernel=np.int64(5)).result.output_shape == (None, 24, 24, 32)
    with pytest.raises(TypeError, match=r"no setting 'kernal'; settings: layer, input_size"):
        keras_lens.playground(kernal=5)


def test_liveplot_arguments_are_checked_when_created():
    with pytest.raises(TypeError, match="list of names"):
        keras_lens.LivePlot(metrics=5)
    with pytest.raises(TypeError, match=r"figsize must be \(width, height\)"):
        keras_lens.LivePlot(figsize=None)
    with pytest.raises(ValueError, match="figsize must be positive"):
        keras_lens.LivePlot(figsize=(0, 3))


def test_param_formula_explains_a_wrong_weight_shapes_argument():
    with pytest.raises(TypeError, match=r"list of weight shapes, one tuple per weight"):
        keras_lens.param_formula("Dense", {}, [784, 64])
    with pytest.raises(TypeError, match=r"list of weight shapes"):
        keras_lens.param_formula("Dense", {}, np.zeros((784, 64)))
    shapes = [(np.int64(784), np.int64(64)), (np.int64(64),)]  # e.g. from numpy arrays
    assert keras_lens.param_formula("Dense", {}, shapes).text == "(784+1)*64"


@pytest.mark.parametrize("seed", ["42", -1, 2**40, 1.5, True])
def test_setup_notebook_rejects_a_bad_seed_before_touching_anything(seed, capsys):
    with pytest.raises(ValueError, match="whole number from 0 to 2\\*\\*32 - 1"):
        keras_lens.setup_notebook(seed=seed)
    assert capsys.readouterr().out == ""


def test_setup_notebook_takes_a_numpy_seed(capsys):
    keras_lens.setup_notebook(seed=np.int64(3))
    first = np.random.rand()
    keras_lens.setup_notebook(seed=3)
    assert np.random.rand() == first
    assert capsys.readouterr().out.count("| device: ") == 2


def test_dataset_source_argument_is_case_insensitive(capsys):
    (x_train, _), _ = keras_lens.datasets.load_mnist(source=" BUNDLED ")
    assert x_train.shape == (8000, 28, 28)
    assert "bundled real sample" in capsys.readouterr().out
