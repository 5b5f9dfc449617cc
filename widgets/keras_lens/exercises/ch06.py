"""Checks of chapter 06 (models as layers): an ensemble, freezing, cloning, a trained autoencoder.

Example:
    >>> from keras_lens import exercises
    >>> exercises.check("06.2", "b")
    ✓ 06.2 ...
    CheckResult('06.2', passed, points=1)
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from keras_lens import i18n
from keras_lens.exercises._registry import (
    Wrong,
    exercise,
    judge_choice,
    require_model,
    require_output_shape,
)

__all__: list[str] = []

#: Binary cross-entropy on the MNIST test images that 06.4's autoencoder must reach. Measured
#: with the worked solution (784 -> 64 -> 784, Adam 1e-3, 5 epochs, batch 64) on the bundled
#: sample (8,000 train, 2,000 test images) over seeds 0-4: 0.125-0.127, 12-18 s each on the
#: shared 2-core machine. An untrained model scores about 0.69, and 6.5's 32-number
#: autoencoder after its 10 Adadelta epochs 0.165, so the bar separates trained from not.
AE_LOSS_BAR = 0.14

i18n.register(
    {
        "ex.06.1.title": ("A deeper ensemble", "更深的集成模型"),
        "ex.06.1.no_average": (
            "`deeper_ensemble` has no Average layer: combine the members with "
            "layers.average([m(inputs) for m in members]).",
            "`deeper_ensemble` 里没有 Average 层：请用 layers.average([m(inputs) for m in "
            "members]) "
            "把成员模型合起来。",
        ),
        "ex.06.1.members": (
            "`deeper_ensemble` should contain 3 member models (nested keras.Model layers); it has "
            "{count}. Call three models on the same input.",
            "`deeper_ensemble` 应该包含 3 个成员模型（嵌套的 keras.Model 层）；现在有 {count} 个。"
            "请在同一个输入上调用三个模型。",
        ),
        "ex.06.1.same_member": (
            "Two members are the same model object: their predictions are identical and "
            "averaging them adds nothing. Call get_deeper_model() once per member.",
            "有两个成员是同一个模型对象：它们的预测完全一样，取平均没有意义。每个成员都要调用一次 "
            "get_deeper_model()。",
        ),
        "ex.06.1.hidden": (
            'Each member should be Dense(8, activation="relu") then Dense(1) on 128 inputs '
            "(128*8+8 + 8+1 = 1,041 parameters); one member has {count:,}.",
            '每个成员应当是 128 个输入上的 Dense(8, activation="relu") 再接 Dense(1)'
            "（128*8+8 + 8+1 = 1,041 个参数）；有一个成员有 {count:,} 个。",
        ),
        "ex.06.1.ok": (
            "3 members of 1,041 parameters each: 3,123 in all, the average adds none.",
            "3 个成员，每个 1,041 个参数：共 3,123 个，平均层没有参数。",
        ),
        "ex.06.2.title": (
            "Why freezing one model freezes another",
            "为什么冻结一个模型会冻结另一个",
        ),
        "ex.06.2.wrong": (
            'Not "{answer}". Look at 6.5: `encoder.layers[1] is autoencoder.layers[1]` is True. '
            "How many `trainable` flags does one layer object have?",
            '不是 "{answer}"。看 6.5：`encoder.layers[1] is autoencoder.layers[1]` 为 True。'
            "一个层对象有几个 `trainable` 标志？",
        ),
        "ex.06.2.ok": (
            "one layer object, one trainable flag: every model that contains it sees the change.",
            "一个层对象只有一个 trainable 标志：所有包含它的模型都会看到这个变化。",
        ),
        "ex.06.3.title": ("Two encoders that do not share weights", "两个不共享权重的编码器"),
        "ex.06.3.inputs": (
            "`twin_encoders` should have two inputs of shape (None, 784) (left and right); it has "
            "{count}.",
            "`twin_encoders` 应该有两个形状为 (None, 784) 的输入（左和右）；现在有 {count} 个。",
        ),
        "ex.06.3.branches": (
            "`twin_encoders` should contain two nested encoder models, one per input; it contains "
            "{count}.",
            "`twin_encoders` 应该包含两个嵌套的编码器模型，每个输入一个；现在有 {count} 个。",
        ),
        "ex.06.3.shared": (
            "Both branches use the same weights: calling one model twice shares it (that was "
            "exercise 6.5's siamese idea). Use keras.models.clone_model(encoder) for the second "
            "branch.",
            "两个分支用的是同一组权重：把同一个模型调用两次就是共享它。第二个分支请用 "
            "keras.models.clone_model(encoder)。",
        ),
        "ex.06.3.architecture": (
            "The two encoders should have the same architecture (a clone): they have {left:,} and "
            "{right:,} parameters.",
            "两个编码器应该结构相同（克隆）：它们分别有 {left:,} 和 {right:,} 个参数。",
        ),
        "ex.06.3.ok": (
            "two encoders with the same architecture and separate weights.",
            "两个编码器结构相同，权重各自独立。",
        ),
        "ex.06.4.title": ("Train a 64-number autoencoder", "训练一个 64 维编码的自编码器"),
        "ex.06.4.loss": (
            "On the MNIST test images your autoencoder's binary cross-entropy is {loss:.3f}; the "
            "bar is {bar}. Did you train it (fit on x_train, x_train), with an optimizer that "
            "moves (Adam, or Adadelta(learning_rate=1.0))?",
            "在 MNIST 测试图像上，你的自编码器的二元交叉熵是 {loss:.3f}；要求不超过 {bar}。"
            "你训练它了吗（fit(x_train, x_train)），优化器能真正更新权重吗（Adam，或 "
            "Adadelta(learning_rate=1.0)）？",
        ),
        "ex.06.4.range": (
            "The reconstructions should be pixel values in [0, 1]: end with "
            'Dense(784, activation="sigmoid").',
            '重建结果应是 [0, 1] 之间的像素值：最后一层请用 Dense(784, activation="sigmoid")。',
        ),
        "ex.06.4.code": (
            "The code (the narrowest layer) should have 64 numbers; yours has {width}.",
            "编码（最窄的一层）应有 64 个数；你的是 {width}。",
        ),
        "ex.06.4.ok": (
            # no measured number here: a stored notebook output must not vary between runs
            "the test binary cross-entropy is at most {bar} (print ae64.evaluate(...) for yours).",
            "测试集二元交叉熵不超过 {bar}（用 ae64.evaluate(...) 可以打印你的数值）。",
        ),
    }
)


def _title(key: str) -> tuple[str, str]:
    return i18n.catalogue()[key]  # type: ignore[return-value]


def _nested_models(model: Any) -> list[Any]:
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.Model)]


@exercise("06.1", points=2, title=_title("ex.06.1.title"))
def _deeper_ensemble(deeper_ensemble: Any) -> str:
    """`deeper_ensemble`: a keras.Model on (None, 128) averaging three members, each
    Dense(8, relu) -> Dense(1)."""
    require_model(deeper_ensemble, "deeper_ensemble")
    require_output_shape(deeper_ensemble, (None, 1), "deeper_ensemble")
    if not any(type(layer).__name__ == "Average" for layer in deeper_ensemble.layers):
        raise Wrong("ex.06.1.no_average")
    members = _nested_models(deeper_ensemble)
    if len(members) == 1:  # one model called three times appears once in model.layers
        raise Wrong("ex.06.1.same_member")
    if len(members) != 3:
        raise Wrong("ex.06.1.members", count=len(members))
    for member in members:
        if member.count_params() != 1_041:
            raise Wrong("ex.06.1.hidden", count=member.count_params())
    return "ex.06.1.ok"


def _member(hidden: int | None = 8) -> Any:
    import keras
    from keras import layers

    inputs = keras.Input(shape=(128,))
    x = layers.Dense(hidden, activation="relu")(inputs) if hidden else inputs
    return keras.Model(inputs, layers.Dense(1)(x))


def _ensemble(members: list[Any]) -> Any:
    import keras
    from keras import layers

    inputs = keras.Input(shape=(128,))
    return keras.Model(inputs, layers.average([m(inputs) for m in members]))


def _one_member_thrice() -> Any:
    member = _member()
    return _ensemble([member, member, member])


def _concatenated() -> Any:
    import keras
    from keras import layers

    inputs = keras.Input(shape=(128,))
    merged = layers.concatenate([_member()(inputs) for _ in range(3)])
    return keras.Model(inputs, layers.Dense(1)(merged))


_deeper_ensemble.wrong_answers = [
    (lambda: _ensemble([_member(None) for _ in range(3)]), "ex.06.1.hidden"),
    (_one_member_thrice, "ex.06.1.same_member"),
    (lambda: _ensemble([_member() for _ in range(2)]), "ex.06.1.members"),
    (_concatenated, "ex.06.1.no_average"),
]
_deeper_ensemble.right_answers = [lambda: _ensemble([_member() for _ in range(3)])]


@exercise("06.2", points=1, title=_title("ex.06.2.title"))
def _why_freeze(answer_06_2: Any) -> str:
    """`answer_06_2`: one of "a", "b", "c", "d" (the question is in the notebook)."""
    wrong = dict.fromkeys("acd", "ex.06.2.wrong")
    return judge_choice(answer_06_2, "answer_06_2", right="b", wrong=wrong, ok="ex.06.2.ok")


_why_freeze.wrong_answers = [
    (lambda: "a", "ex.06.2.wrong"),
    (lambda: "c", "ex.06.2.wrong"),
    (lambda: "e", "exercises.choice_type"),
]
_why_freeze.right_answers = [lambda: "b", lambda: " B "]


@exercise("06.3", points=2, title=_title("ex.06.3.title"))
def _twin_encoders(twin_encoders: Any) -> str:
    """`twin_encoders`: a keras.Model with two (None, 784) inputs, each through its own copy
    of the Dense encoder (no shared weights), concatenated, then Dense(1)."""
    require_model(twin_encoders, "twin_encoders")
    inputs = twin_encoders.inputs
    if len(inputs) != 2 or any(tuple(t.shape) != (None, 784) for t in inputs):
        raise Wrong("ex.06.3.inputs", count=len(inputs))
    require_output_shape(twin_encoders, (None, 1), "twin_encoders")
    branches = _nested_models(twin_encoders)
    if len(branches) == 1:
        raise Wrong("ex.06.3.shared")
    if len(branches) != 2:
        raise Wrong("ex.06.3.branches", count=len(branches))
    left, right = branches
    if {id(v) for v in left.weights} & {id(v) for v in right.weights}:
        raise Wrong("ex.06.3.shared")
    if left.count_params() != right.count_params():
        raise Wrong("ex.06.3.architecture", left=left.count_params(), right=right.count_params())
    return "ex.06.3.ok"


def _dense_encoder() -> Any:
    import keras
    from keras import layers

    inputs = keras.Input(shape=(784,))
    return keras.Model(inputs, layers.Dense(32, activation="relu")(inputs))


def _pair(left_model: Any, right_model: Any) -> Any:
    import keras
    from keras import layers

    left = keras.Input(shape=(784,), name="left")
    right = keras.Input(shape=(784,), name="right")
    codes = layers.concatenate([left_model(left), right_model(right)])
    return keras.Model([left, right], layers.Dense(1, activation="sigmoid")(codes))


def _reused() -> Any:
    encoder = _dense_encoder()
    return _pair(encoder, encoder)


def _cloned() -> Any:
    import keras

    encoder = _dense_encoder()
    twin = keras.models.clone_model(encoder)
    twin.name = encoder.name + "_twin"  # a clone keeps the name; one model needs unique names
    return _pair(encoder, twin)


def _one_input() -> Any:
    import keras
    from keras import layers

    inputs = keras.Input(shape=(784,))
    return keras.Model(inputs, layers.Dense(1)(_dense_encoder()(inputs)))


_twin_encoders.wrong_answers = [
    (_reused, "ex.06.3.shared"),
    (_one_input, "ex.06.3.inputs"),
]
_twin_encoders.right_answers = [_cloned]


def _mnist_test() -> Any:
    from keras_lens import datasets

    with contextlib.redirect_stdout(io.StringIO()):
        (_, _), (x_test, _) = datasets.load_mnist()
    return x_test.reshape(len(x_test), 784).astype("float32") / 255


@exercise("06.4", points=3, title=_title("ex.06.4.title"))
def _trained_autoencoder(ae64: Any) -> tuple[str, dict[str, Any]]:
    """`ae64`: a trained Dense autoencoder 784 -> 64 -> 784 (sigmoid); its binary
    cross-entropy on the MNIST test images must be at most AE_LOSS_BAR."""
    import numpy as np

    require_model(ae64, "ae64")
    require_output_shape(ae64, (None, 784), "ae64")
    widths = [
        int(layer.output.shape[-1])
        for layer in ae64.layers[:-1]
        if type(layer).__name__ != "InputLayer" and len(layer.output.shape) == 2
    ]
    if not widths or min(widths) != 64:
        raise Wrong("ex.06.4.code", width=min(widths) if widths else 784)
    x_test = _mnist_test()
    reconstructed = np.asarray(ae64.predict(x_test, verbose=0, batch_size=500), dtype="float64")
    if reconstructed.min() < 0 or reconstructed.max() > 1:
        raise Wrong("ex.06.4.range")
    clipped = np.clip(reconstructed, 1e-7, 1 - 1e-7)
    loss = float(-np.mean(x_test * np.log(clipped) + (1 - x_test) * np.log(1 - clipped)))
    if loss > AE_LOSS_BAR:
        raise Wrong("ex.06.4.loss", loss=loss, bar=AE_LOSS_BAR)
    return "ex.06.4.ok", {"loss": loss, "bar": AE_LOSS_BAR}


def _untrained_ae(width: int = 64) -> Any:
    import keras
    from keras import layers

    inputs = keras.Input(shape=(784,))
    code = layers.Dense(width, activation="relu")(inputs)
    return keras.Model(inputs, layers.Dense(784, activation="sigmoid")(code))


_trained_autoencoder.wrong_answers = [
    (_untrained_ae, "ex.06.4.loss"),
    (lambda: _untrained_ae(32), "ex.06.4.code"),
]
