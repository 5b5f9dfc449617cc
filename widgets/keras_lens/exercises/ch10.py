"""Checks of chapter 10 (functional API or subclassing): an RNN layer for any batch size, why
a subclassed model is one box, and a layer whose first call runs call() once.

Example:
    >>> from keras_lens import exercises
    >>> exercises.check("10.2", "d")
    ✓ 10.2 ...
    CheckResult('10.2', passed, points=1)
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from keras_lens import i18n
from keras_lens.exercises._registry import Wrong, exercise, judge_choice

__all__: list[str] = []

i18n.register(
    {
        "ex.10.not_layer_class": (
            "`{name}` should be a class that subclasses keras.layers.Layer "
            "(class {name}(layers.Layer): ...); it is a {type_name}.",
            "`{name}` 应该是 keras.layers.Layer 的子类（class {name}(layers.Layer): ...）；"
            "它现在是 {type_name}。",
        ),
        "ex.10.1.title": ("Any batch size", "任意批大小"),
        "ex.10.1.static_batch": (
            "FlexibleRNN fails on keras.Input(shape=(10, 5)) ({error}): inputs.shape[0] is None "
            "while the graph is built. Read the batch size at run time with "
            "keras.ops.shape(inputs)[0].",
            "FlexibleRNN 在 keras.Input(shape=(10, 5)) 上出错（{error}）：构建图时 "
            "inputs.shape[0] 是 None。"
            "请在运行时用 keras.ops.shape(inputs)[0] 读取批大小。",
        ),
        "ex.10.1.shape": (
            "Conv1D(32, 3) -> FlexibleRNN() on inputs (None, 10, 5) gives {shape}; expected "
            "(None, 8, 1) (one number per time step, batch size left open).",
            "Conv1D(32, 3) -> FlexibleRNN() 作用在 (None, 10, 5) 上得到 {shape}；应为 (None, 8, 1)"
            "（每个时间步一个数，批大小不固定）。",
        ),
        "ex.10.1.run": (
            "The model built with FlexibleRNN should run on a batch of {batch} and return "
            "({batch}, 8, 1); it returned {shape}.",
            "用 FlexibleRNN 构建的模型应能在大小为 {batch} 的批上运行并返回 ({batch}, 8, 1)；它"
            "返回了 {shape}。",
        ),
        "ex.10.1.ok": (
            "output (None, 8, 1); batches of 3 and 5 both run.",
            "输出 (None, 8, 1)；大小为 3 和 5 的批都能运行。",
        ),
        "ex.10.2.title": ('Why one box with "?"', "为什么只有一个写着“?”的方框"),
        "ex.10.2.wrong": (
            'Not "{answer}". The model was called and has its weights (10.2 counts 2,762). What '
            "does Keras record when it runs a subclassed call() on concrete numbers?",
            '不是 "{answer}"。模型已经被调用过，也有了权重（10.2 数出 2,762 个）。Keras 在具体数'
            "据上运行"
            "子类化模型的 call() 时记录了什么？",
        ),
        "ex.10.2.ok": (
            "call() is Python code, run on numbers; no graph of layers or symbolic shapes is kept.",
            "call() 是 Python 代码，在具体数据上运行；不会留下层图或符号形状。",
        ),
        "ex.10.3.title": ("One run per call", "每次调用只运行一次"),
        "ex.10.3.constructor": (
            "BuiltRNN() (no arguments) should create the layer; it raised {error}.",
            "BuiltRNN()（不带参数）应能创建这个层；却出错：{error}。",
        ),
        "ex.10.3.runs": (
            "The first call of BuiltRNN() ran call() {count} times ({runs}); a build() that builds "
            "projection_1 and projection_2 (layer.build(shape)) and the classifier makes it one "
            "eager run.",
            "BuiltRNN() 的第一次调用运行了 call() {count} 次（{runs}）；在 build() 里构建 "
            "projection_1、"
            "projection_2（layer.build(shape)）和分类器后，就只会有一次 eager 运行。",
        ),
        "ex.10.3.ok": (
            "the first call runs call() once, eagerly.",
            "第一次调用只运行一次 call()，而且是 eager 的。",
        ),
    }
)


def _title(key: str) -> tuple[str, str]:
    return i18n.catalogue()[key]  # type: ignore[return-value]


def _require_layer_class(obj: Any, name: str) -> type:
    import keras

    if not (inspect.isclass(obj) and issubclass(obj, keras.layers.Layer)):
        raise Wrong("ex.10.not_layer_class", name=name, type_name=type(obj).__name__)
    return obj


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    cause = next((line.strip() for line in lines if "None" in line), None)
    return (cause or (lines[0] if lines else type(error).__name__))[:160]


@exercise("10.1", points=2, title=_title("ex.10.1.title"))
def _flexible(FlexibleRNN: Any) -> str:
    """`FlexibleRNN`: 10.5's second CustomRNN, with a state that works for any batch size."""
    import keras
    import numpy as np
    from keras import layers

    _require_layer_class(FlexibleRNN, "FlexibleRNN")
    inputs = keras.Input(shape=(10, 5))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outputs = FlexibleRNN()(layers.Conv1D(32, 3)(inputs))
    except (TypeError, ValueError) as error:
        raise Wrong("ex.10.1.static_batch", error=_first_line(error)) from None
    model = keras.Model(inputs, outputs)
    if tuple(model.output_shape) != (None, 8, 1):
        raise Wrong("ex.10.1.shape", shape=model.output_shape)
    for batch in (3, 5):
        shape = tuple(np.asarray(model(np.zeros((batch, 10, 5), "float32"))).shape)
        if shape != (batch, 8, 1):
            raise Wrong("ex.10.1.run", batch=batch, shape=shape)
    return "ex.10.1.ok"


def _rnn_class(
    state: str = "dynamic", with_build: bool = False, record: list[str] | None = None
) -> type:
    """The document's CustomRNN (units 32, Dense(1) classifier), in several variants."""
    import keras
    import tensorflow as tf
    from keras import layers

    class RNN(layers.Layer):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units = 32
            self.projection_1 = layers.Dense(units=32, activation="tanh")
            self.projection_2 = layers.Dense(units=32, activation="tanh")
            self.classifier = layers.Dense(1)

        if with_build:

            def build(self, input_shape: Any) -> None:
                self.projection_1.build((input_shape[0], input_shape[-1]))
                self.projection_2.build((input_shape[0], self.units))
                self.classifier.build((input_shape[0], input_shape[1], self.units))

        def call(self, inputs: Any) -> Any:
            if record is not None:
                record.append("eager" if tf.executing_eagerly() else "symbolic")
            batch = keras.ops.shape(inputs)[0] if state == "dynamic" else inputs.shape[0]
            h = keras.ops.zeros((batch, self.units))
            outputs = []
            for t in range(inputs.shape[1]):
                h = self.projection_1(inputs[:, t, :]) + self.projection_2(h)
                outputs.append(h)
            return self.classifier(keras.ops.stack(outputs, axis=1))

    return RNN


_flexible.wrong_answers = [
    (lambda: _rnn_class(state="static"), "ex.10.1.static_batch"),
    (lambda: layers_dense_class(), "ex.10.1.shape"),
    (lambda: "FlexibleRNN", "ex.10.not_layer_class"),
]
_flexible.right_answers = [_rnn_class]


def layers_dense_class() -> type:
    """A layer class that ignores time: Dense(1) on the last step only (a typical slip)."""
    from keras import layers

    class LastStep(layers.Layer):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.classifier = layers.Dense(1)

        def call(self, inputs: Any) -> Any:
            return self.classifier(inputs[:, -1, :])

    return LastStep


@exercise("10.2", points=1, title=_title("ex.10.2.title"))
def _why_one_box(answer_10_2: Any) -> str:
    """`answer_10_2`: one of "a", "b", "c", "d" (the question is in the notebook)."""
    wrong = dict.fromkeys("abc", "ex.10.2.wrong")
    return judge_choice(answer_10_2, "answer_10_2", right="d", wrong=wrong, ok="ex.10.2.ok")


_why_one_box.wrong_answers = [(lambda: "a", "ex.10.2.wrong"), (lambda: "b", "ex.10.2.wrong")]
_why_one_box.right_answers = [lambda: "d"]


@exercise("10.3", points=2, title=_title("ex.10.3.title"))
def _built(BuiltRNN: Any) -> str:
    """`BuiltRNN`: 10.5's first CustomRNN with a build() method, so that its first call on
    tf.zeros((1, 10, 5)) runs call() once (eagerly)."""
    import tensorflow as tf

    _require_layer_class(BuiltRNN, "BuiltRNN")
    runs: list[str] = []

    class Probe(BuiltRNN):  # type: ignore[misc, valid-type]
        def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
            runs.append("eager" if tf.executing_eagerly() else "symbolic")
            return super().call(inputs, *args, **kwargs)

    try:
        layer = Probe()
    except TypeError as error:
        raise Wrong("ex.10.3.constructor", error=str(error).splitlines()[0][:160]) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer(tf.zeros((1, 10, 5)))
    if runs != ["eager"]:
        raise Wrong("ex.10.3.runs", count=len(runs), runs=", ".join(runs))
    return "ex.10.3.ok"


_built.wrong_answers = [(lambda: _rnn_class(with_build=False), "ex.10.3.runs")]
_built.right_answers = [lambda: _rnn_class(with_build=True)]
