"""Checks of chapter 09 (custom layers): a one-weight layer, a serialisable activation
argument, and what a config restores.

Example:
    >>> from keras_lens import exercises
    >>> exercises.check("09.3", "c")
    ✓ 09.3 ...
    CheckResult('09.3', passed, points=1)
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from keras_lens import i18n
from keras_lens.exercises._registry import Wrong, exercise, judge_choice

__all__: list[str] = []

i18n.register(
    {
        "ex.09.not_layer_class": (
            "`{name}` should be a class that subclasses keras.layers.Layer "
            "(class {name}(layers.Layer): ...); it is a {type_name}.",
            "`{name}` 应该是 keras.layers.Layer 的子类（class {name}(layers.Layer): ...）；"
            "它现在是 {type_name}。",
        ),
        "ex.09.1.title": ("A layer with one weight", "只有一个权重的层"),
        "ex.09.1.count": (
            "Scale() on 4 inputs has {count} parameter(s); it should have exactly one: a scalar, "
            "add_weight(shape=(), ...).",
            "Scale() 在 4 个输入上有 {count} 个参数；应该正好一个："
            "标量 add_weight(shape=(), ...)。",
        ),
        "ex.09.1.trainable": (
            "Scale's weight is not trainable: pass trainable=True to add_weight.",
            "Scale 的权重不可训练：请给 add_weight 传 trainable=True。",
        ),
        "ex.09.1.initial": (
            "A fresh Scale() should leave its input unchanged (initialise the weight to 1 with "
            'initializer="ones"); it turned [1, 2, 3, 4] into {output}.',
            '新建的 Scale() 应原样输出输入（用 initializer="ones" 把权重初始化为 1）；'
            "它把 [1, 2, 3, 4] 变成了 {output}。",
        ),
        "ex.09.1.multiply": (
            "With its weight set to 2, Scale should double its input; it turned [1, 2, 3, 4] into "
            "{output}. call() should return inputs * self.<weight>.",
            "把权重设为 2 后，Scale 应该把输入翻倍；它把 [1, 2, 3, 4] 变成了 {output}。"
            "call() 应返回 inputs * self.<权重>。",
        ),
        "ex.09.1.ok": (
            "one trainable scalar: Input((4,)) -> CustomDense(10) -> Scale() has 50 + 1 = 51 "
            "parameters.",
            "一个可训练的标量：Input((4,)) -> CustomDense(10) -> Scale() 共有 50 + 1 = 51 个参数。",
        ),
        "ex.09.2.title": ("An activation argument", "激活函数参数"),
        "ex.09.2.signature": (
            'ActivatedDense should accept ActivatedDense(8, activation="relu"); creating it '
            "raised {error}.",
            'ActivatedDense 应当支持 ActivatedDense(8, activation="relu")；创建时出错：{error}。',
        ),
        "ex.09.2.not_applied": (
            'ActivatedDense(8, activation="relu") returned negative numbers: call() must apply '
            "the activation to the dense output.",
            'ActivatedDense(8, activation="relu") 输出了负数：call() 必须把激活函数作用在 '
            "Dense 的输出上。",
        ),
        "ex.09.2.json": (
            "get_config() cannot be written as JSON ({error}): store the activation by name with "
            "keras.activations.serialize(self.activation).",
            "get_config() 无法写成 JSON（{error}）：请用 "
            "keras.activations.serialize(self.activation) "
            "按名字保存激活函数。",
        ),
        "ex.09.2.config": (
            'get_config()["activation"] is {value!r}; it should be "relu" for '
            'ActivatedDense(8, activation="relu").',
            'get_config()["activation"] 是 {value!r}；对 ActivatedDense(8, activation="relu") 应为 '
            '"relu"。',
        ),
        "ex.09.2.units": (
            "get_config() lost `units` ({value!r}, expected 8): keep "
            "{{**super().get_config(), ...}}.",
            "get_config() 丢了 `units`（{value!r}，应为 8）：请保留 "
            "{{**super().get_config(), ...}}。",
        ),
        "ex.09.2.restore": (
            "ActivatedDense.from_config(layer.get_config()) gives activation {value}, not relu: "
            "turn the name back into a function with keras.activations.get(activation) in "
            "__init__.",
            "ActivatedDense.from_config(layer.get_config()) 得到的激活函数是 {value}，不是 relu："
            "请在 __init__ 里用 keras.activations.get(activation) 把名字变回函数。",
        ),
        "ex.09.2.ok": (
            "the activation is applied, saved by name and restored by from_config.",
            "激活函数被应用、按名字保存，并能由 from_config 恢复。",
        ),
        "ex.09.3.title": ("What a config restores", "config 能恢复什么"),
        "ex.09.3.wrong": (
            'Not "{answer}". Look at 9.2: right after from_config the predictions differ, after '
            "set_weights(model.get_weights()) they are equal. What did set_weights add?",
            '不是 "{answer}"。看 9.2：刚 from_config 之后预测不同，'
            "set_weights(model.get_weights()) "
            "之后就相同了。set_weights 补上了什么？",
        ),
        "ex.09.3.ok": (
            "a config describes the architecture only; the weights travel separately.",
            "config 只描述结构；权重要另外传递。",
        ),
    }
)


def _title(key: str) -> tuple[str, str]:
    return i18n.catalogue()[key]  # type: ignore[return-value]


def _require_layer_class(obj: Any, name: str) -> type:
    import keras

    if not (inspect.isclass(obj) and issubclass(obj, keras.layers.Layer)):
        raise Wrong("ex.09.not_layer_class", name=name, type_name=type(obj).__name__)
    return obj


def _as_list(values: Any) -> list[float]:
    import numpy as np

    return [round(float(v), 3) for v in np.asarray(values).ravel()]


@exercise("09.1", points=2, title=_title("ex.09.1.title"))
def _scale(Scale: Any) -> str:
    """`Scale`: a layer class that multiplies its input by one trainable scalar, initially 1."""
    import numpy as np

    _require_layer_class(Scale, "Scale")
    layer = Scale()
    x = np.array([[1.0, 2.0, 3.0, 4.0]], dtype="float32")
    y = np.asarray(layer(x))
    if layer.count_params() != 1:
        raise Wrong("ex.09.1.count", count=layer.count_params())
    if not layer.trainable_weights:
        raise Wrong("ex.09.1.trainable")
    if y.shape != x.shape or not np.allclose(y, x):
        raise Wrong("ex.09.1.initial", output=_as_list(y))
    layer.set_weights([np.full(tuple(layer.weights[0].shape), 2.0, dtype="float32")])
    doubled = np.asarray(layer(x))
    if not np.allclose(doubled, 2 * x):
        raise Wrong("ex.09.1.multiply", output=_as_list(doubled))
    return "ex.09.1.ok"


def _scale_class(shape: str = "scalar", init: str = "ones", trainable: bool = True) -> type:
    import keras

    class Scale(keras.layers.Layer):
        def build(self, input_shape: Any) -> None:
            weight_shape = () if shape in ("scalar", "ignored") else (input_shape[-1],)
            self.scale = self.add_weight(shape=weight_shape, initializer=init, trainable=trainable)

        def call(self, inputs: Any) -> Any:
            return inputs * self.scale if shape != "ignored" else inputs

    return Scale


_scale.wrong_answers = [
    (lambda: _scale_class(shape="vector"), "ex.09.1.count"),
    (lambda: _scale_class(init="zeros"), "ex.09.1.initial"),
    (lambda: _scale_class(trainable=False), "ex.09.1.trainable"),
    (lambda: _scale_class(shape="ignored"), "ex.09.1.multiply"),
    (lambda: 1.0, "ex.09.not_layer_class"),
]
_scale.right_answers = [_scale_class]


@exercise("09.2", points=2, title=_title("ex.09.2.title"))
def _activated(ActivatedDense: Any) -> str:
    """`ActivatedDense`: the registered CustomDense of 9.4 with an `activation=None` argument,
    applied in call(), stored by name in get_config() and restored by from_config()."""
    import keras
    import numpy as np

    _require_layer_class(ActivatedDense, "ActivatedDense")
    try:
        layer = ActivatedDense(8, activation="relu")
    except TypeError as error:
        raise Wrong("ex.09.2.signature", error=str(error).splitlines()[0][:160]) from None
    y = np.asarray(layer(np.full((1, 3), -100.0, dtype="float32")))
    y_pos = np.asarray(layer(np.full((1, 3), 100.0, dtype="float32")))
    if y.min() < 0 or y_pos.min() < 0:
        raise Wrong("ex.09.2.not_applied")
    config = layer.get_config()
    try:
        json.dumps(config)
    except TypeError as error:
        raise Wrong("ex.09.2.json", error=str(error)[:120]) from None
    if config.get("activation") != "relu":
        raise Wrong("ex.09.2.config", value=config.get("activation"))
    if config.get("units") != 8:
        raise Wrong("ex.09.2.units", value=config.get("units"))
    copy = ActivatedDense.from_config(config)
    if getattr(copy, "activation", None) is not keras.activations.relu:
        value = getattr(getattr(copy, "activation", None), "__name__", repr(copy.activation))
        raise Wrong("ex.09.2.restore", value=value)
    return "ex.09.2.ok"


def _activated_class(kind: str = "right") -> type:
    import keras

    class ActivatedDense(keras.layers.Layer):
        def __init__(self, units: int = 32, activation: Any = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units = units
            self.activation = keras.activations.get(activation)

        def build(self, input_shape: Any) -> None:
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs: Any) -> Any:
            y = keras.ops.matmul(inputs, self.w) + self.b
            return y if kind == "not_applied" else self.activation(y)

        def get_config(self) -> dict[str, Any]:
            activation = (
                self.activation
                if kind == "function"
                else keras.activations.serialize(self.activation)
            )
            return {**super().get_config(), "units": self.units, "activation": activation}

    return ActivatedDense


_activated.wrong_answers = [
    (lambda: _activated_class("not_applied"), "ex.09.2.not_applied"),
    (lambda: _activated_class("function"), "ex.09.2.json"),
]
_activated.right_answers = [_activated_class]


@exercise("09.3", points=1, title=_title("ex.09.3.title"))
def _why_config(answer_09_3: Any) -> str:
    """`answer_09_3`: one of "a", "b", "c", "d" (the question is in the notebook)."""
    wrong = dict.fromkeys("abd", "ex.09.3.wrong")
    return judge_choice(answer_09_3, "answer_09_3", right="c", wrong=wrong, ok="ex.09.3.ok")


_why_config.wrong_answers = [(lambda: "a", "ex.09.3.wrong"), (lambda: "b", "ex.09.3.wrong")]
_why_config.right_answers = [lambda: "c"]
