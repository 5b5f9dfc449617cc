"""Models re-created from Keras's own tests (architectures as written there, batches added).

Sources (keras-team/keras): ``integration_tests/model_visualization_test.py`` (plot_* models),
``keras/src/utils/summary_utils_test.py`` (nested, shared, multi-output summaries) and
``keras/src/models/functional_test.py`` (dict / nested inputs, optional inputs, shared
layers). Each builder returns ``(model, batch)``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

__all__ = ["BUILDERS"]

_RNG = np.random.default_rng(1)


def _x(*shape):
    return _RNG.random(shape, dtype="float32")


# -- integration_tests/model_visualization_test.py -------------------------------------------
def plot_sequential_model():
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(1, "sigmoid")]
    )
    return model, _x(2, 3)


def plot_functional_model():
    inputs = keras.Input((3,))
    x = layers.Dense(4, activation="relu", trainable=False)(inputs)
    residual = x
    for _ in range(3):
        x = layers.Dense(4, activation="relu")(x)
    x += residual
    residual = x
    for _ in range(3):
        x = layers.Dense(4, activation="relu")(x)
    x += residual
    x = layers.Dropout(0.5)(x)
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x)), _x(2, 3)


def plot_subclassed_model():
    class MyModel(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense_1 = layers.Dense(3, activation="relu")
            self.dense_2 = layers.Dense(1, activation="sigmoid")

        def call(self, x):
            return self.dense_2(self.dense_1(x))

    model = MyModel()
    model.build((None, 3))
    return model, _x(2, 3)


def plot_nested_functional_model():
    inputs = keras.Input((3,))
    x = layers.Dense(4, activation="relu")(inputs)
    x = layers.Dense(4, activation="relu")(x)
    inner_model = keras.Model(inputs, layers.Dense(3, activation="relu")(x))
    inputs = keras.Input((3,))
    x = layers.Dense(3, activation="relu", trainable=False)(inputs)
    residual = x
    x = inner_model(x)
    x += residual
    residual = x
    x = layers.Dense(4, activation="relu")(x)
    x = layers.Dense(4, activation="relu")(x)
    x = layers.Dense(3, activation="relu")(x)
    x += residual
    x = layers.Dropout(0.5)(x)
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x)), _x(2, 3)


class SplitLayer(layers.Layer):
    def call(self, x):
        return list(ops.split(x, 2, axis=1))


class ConcatLayer(layers.Layer):
    def call(self, xs):
        return ops.concatenate(xs, axis=1)


def plot_functional_model_with_splits_and_merges():
    inputs = keras.Input((2,))
    a, b = SplitLayer()(inputs)
    a, b = layers.Dense(2)(a), layers.Dense(2)(b)
    return keras.Model(inputs, ConcatLayer()([a, b])), _x(2, 2)


# -- keras/src/utils/summary_utils_test.py -----------------------------------------------------
def summary_nested_sequential_in_functional():
    inner = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)], name="inner")
    inputs = keras.Input((3,), name="x")
    outputs = layers.Dense(1)(inner(layers.Dense(3)(inputs)))
    return keras.Model(inputs, outputs, name="outer"), _x(2, 3)


def summary_multi_output_shared_layer():
    inputs = keras.Input((4,))
    shared = layers.Dense(4, name="shared")
    a = shared(inputs)
    b = shared(layers.Dense(4)(inputs))
    model = keras.Model(
        inputs, [layers.Dense(2, name="out_a")(a), layers.Dense(3, name="out_b")(b)]
    )
    return model, _x(2, 4)


def summary_nested_trainable():
    inner = keras.Sequential([keras.Input((3,)), layers.Dense(5), layers.Dense(6)], name="seq")
    inner.layers[0].trainable = False
    inputs = keras.Input((3,))
    outputs = layers.Dense(2)(inner(inputs))
    return keras.Model(inputs, outputs), _x(2, 3)


# -- keras/src/models/functional_test.py -------------------------------------------------------
def functional_dict_io():
    input_a = keras.Input(shape=(3,), name="a")
    input_b = keras.Input(shape=(3,), name="b")
    x = input_a + input_b
    outputs = {"one": layers.Dense(2, name="one")(x), "two": layers.Dense(3, name="two")(x)}
    model = keras.Model({"a": input_a, "b": input_b}, outputs)
    return model, {"a": _x(2, 3), "b": _x(2, 3)}


def functional_nested_dict_inputs():
    """Nested dict inputs, whose keys are not the Input names ("1", "others")."""
    a = keras.Input((3,), name="a")
    b = keras.Input((3,), name="b")
    c = keras.Input((3,), name="c")
    x = layers.Dense(2)(layers.concatenate([a, b, c]))
    model = keras.Model({"1": a, "others": {"b": b, "c": c}}, x)
    return model, {"1": _x(2, 3), "others": {"b": _x(2, 3), "c": _x(2, 3)}}


def functional_list_of_dicts():
    a = keras.Input((3,), name="a")
    b = keras.Input((4,), name="b")
    model = keras.Model([{"a": a}, {"b": b}], layers.Dense(1)(layers.concatenate([a, b])))
    return model, [{"a": _x(2, 3)}, {"b": _x(2, 4)}]


def functional_optional_input():
    a = keras.Input((3,), name="a")
    b = keras.Input((3,), name="b", optional=True)

    class OptionalAdd(layers.Layer):
        def call(self, x, y):
            return x if y is None else x + y

        def compute_output_shape(self, x_shape, y_shape):
            return x_shape

    model = keras.Model([a, b], OptionalAdd()(a, b))
    return model, [_x(2, 3), None]


def functional_shared_layer_two_inputs():
    shared = layers.Dense(4, name="shared")
    a, b = keras.Input((3,), name="left"), keras.Input((3,), name="right")
    outputs = layers.subtract([shared(a), shared(b)])
    return keras.Model([a, b], outputs), [_x(2, 3), _x(2, 3)]


def functional_rank_adjusting_input():
    """functional_test: an input of shape (2, 1) takes a (batch, 2) array (rank adjusted)."""
    inputs = keras.Input((2, 1), name="x")
    return keras.Model(inputs, layers.Flatten()(inputs)), _x(2, 2, 1)


#: name -> builder (``(model, batch)``).
BUILDERS = {
    f.__name__: f
    for f in (
        plot_sequential_model,
        plot_functional_model,
        plot_subclassed_model,
        plot_nested_functional_model,
        plot_functional_model_with_splits_and_merges,
        summary_nested_sequential_in_functional,
        summary_multi_output_shared_layer,
        summary_nested_trainable,
        functional_dict_io,
        functional_nested_dict_inputs,
        functional_list_of_dicts,
        functional_optional_input,
        functional_shared_layer_two_inputs,
        functional_rank_adjusting_input,
    )
}
