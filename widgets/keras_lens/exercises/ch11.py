"""Checks of chapter 11 (best practices): fix a mis-wired model, name every layer, and say
why a layer disappears from a summary.

Example:
    >>> from keras_lens import exercises
    >>> exercises.check("11.3", "a")
    ✓ 11.3 ...
    CheckResult('11.3', passed, points=1)
"""

from __future__ import annotations

from typing import Any

from keras_lens import i18n
from keras_lens.exercises._registry import Wrong, exercise, input_name, judge_choice, require_model

__all__: list[str] = []

i18n.register(
    {
        "ex.11.1.title": ("Find the bug", "找出错误"),
        "ex.11.1.branch": (
            "`fixed` has no layer named conv2: the second branch (conv2 -> pool2 -> flat2) still "
            "never reaches the output. Which tensors does `merge` concatenate?",
            "`fixed` 里没有名为 conv2 的层：第二个分支（conv2 -> pool2 -> flat2）仍然没有连到输出。"
            "`merge` 拼接的是哪些张量？",
        ),
        "ex.11.1.merge": (
            "`merge` should concatenate the two branches, flat1 and flat2; it reads {sources}.",
            "`merge` 应拼接两个分支 flat1 和 flat2；它现在读的是 {sources}。",
        ),
        "ex.11.1.params": (
            "`fixed` has {count:,} parameters; seed 002's shared-input model has 399,610.",
            "`fixed` 有 {count:,} 个参数；seed 002 的共享输入模型有 399,610 个。",
        ),
        "ex.11.1.ok": (
            "both branches reach `merge`: 399,610 parameters, as in seed 002.",
            "两个分支都连到了 `merge`：399,610 个参数，与 seed 002 一致。",
        ),
        "ex.11.2.title": ("Name everything", "给每一层命名"),
        "ex.11.2.names": (
            "The layers of `named_mnist_model` are named {names}; the exercise asks for "
            "['visible', 'hidden1', 'hidden2', 'output'] (pass name=... to keras.Input and to "
            "each Dense).",
            "`named_mnist_model` 的层名是 {names}；练习要求 ['visible', 'hidden1', 'hidden2', "
            "'output']"
            "（给 keras.Input 和每个 Dense 传 name=...）。",
        ),
        "ex.11.2.params": (
            "`named_mnist_model` has {count:,} parameters; seed 001's mnist_model (Dense 64-64-10 "
            "on 784 inputs) has 55,050.",
            "`named_mnist_model` 有 {count:,} 个参数；seed 001 的 mnist_model（784 个输入上的 "
            "Dense 64-64-10）有 55,050 个。",
        ),
        "ex.11.2.ok": ("names and 55,050 parameters as asked.", "层名和 55,050 个参数都符合要求。"),
        "ex.11.3.title": ("Where did hidden2 go?", "hidden2 去哪儿了？"),
        "ex.11.3.wrong": (
            'Not "{answer}". hidden2 was created and called without error (11.2). Which layers '
            "does keras.Model(inputs, outputs) keep?",
            '不是 "{answer}"。hidden2 被创建并调用，没有报错（11.2）。keras.Model(inputs, outputs) '
            "会保留哪些层？",
        ),
        "ex.11.3.ok": (
            "a model keeps only the layers on a path from its inputs to its outputs.",
            "模型只保留从输入到输出的路径上的层。",
        ),
    }
)


def _title(key: str) -> tuple[str, str]:
    return i18n.catalogue()[key]  # type: ignore[return-value]


@exercise("11.1", points=2, title=_title("ex.11.1.title"))
def _fixed(fixed: Any) -> str:
    """`fixed`: the two-branch model of exercise 11.1 with its slip fixed (399,610 parameters)."""
    require_model(fixed, "fixed")
    names = [layer.name for layer in fixed.layers]
    if "conv2" not in names:
        raise Wrong("ex.11.1.branch")
    if "merge" in names:
        merge = fixed.get_layer("merge")
        sources = sorted({t.name for t in merge.input}) if isinstance(merge.input, list) else []
        producers = [
            layer.name
            for layer in fixed.layers
            if any(
                layer.output is t for t in (merge.input if isinstance(merge.input, list) else [])
            )
        ]
        if sorted(producers) != ["flat1", "flat2"]:
            raise Wrong("ex.11.1.merge", sources=producers or sources)
    if fixed.count_params() != 399_610:
        raise Wrong("ex.11.1.params", count=fixed.count_params())
    return "ex.11.1.ok"


def two_branch_model(second: str = "flat2", kernel: int = 8) -> Any:
    """Seed 002's shared-input model; ``second="flat1"`` is the exercise's broken version."""
    import keras
    from keras import layers

    visible = keras.Input(shape=(28, 28, 1), name="visible")
    conv1 = layers.Conv2D(32, kernel_size=4, activation="relu", name="conv1")(visible)
    pool1 = layers.MaxPooling2D(pool_size=(2, 2), name="pool1")(conv1)
    flat1 = layers.Flatten(name="flat1")(pool1)
    conv2 = layers.Conv2D(16, kernel_size=kernel, activation="relu", name="conv2")(visible)
    pool2 = layers.MaxPooling2D(pool_size=(2, 2), name="pool2")(conv2)
    flat2 = layers.Flatten(name="flat2")(pool2)
    merge = layers.concatenate([flat1, flat2 if second == "flat2" else flat1], name="merge")
    hidden1 = layers.Dense(64, activation="relu", name="hidden1")(merge)
    output = layers.Dense(10, activation="softmax", name="output")(hidden1)
    return keras.Model(inputs=visible, outputs=output)


_fixed.wrong_answers = [
    (lambda: two_branch_model(second="flat1"), "ex.11.1.branch"),
    (lambda: two_branch_model(kernel=4), "ex.11.1.params"),
]
_fixed.right_answers = [two_branch_model]


@exercise("11.2", points=1, title=_title("ex.11.2.title"))
def _named(named_mnist_model: Any) -> str:
    """`named_mnist_model`: seed 001's mnist_model with layers visible, hidden1, hidden2, output."""
    require_model(named_mnist_model, "named_mnist_model")
    names = [layer.name for layer in named_mnist_model.layers]
    if names == ["hidden1", "hidden2", "output"]:  # a Sequential model lists no InputLayer
        names = [input_name(named_mnist_model), *names]
    if names != ["visible", "hidden1", "hidden2", "output"]:
        raise Wrong("ex.11.2.names", names=names)
    if named_mnist_model.count_params() != 55_050:
        raise Wrong("ex.11.2.params", count=named_mnist_model.count_params())
    return "ex.11.2.ok"


def _mnist_model(
    names: tuple[str | None, ...] = ("visible", "hidden1", "hidden2", "output"), width: int = 64
) -> Any:
    import keras
    from keras import layers

    visible = keras.Input(shape=(784,), name=names[0])
    x = layers.Dense(width, activation="relu", name=names[1])(visible)
    x = layers.Dense(64, activation="relu", name=names[2])(x)
    return keras.Model(visible, layers.Dense(10, name=names[3])(x))


_named.wrong_answers = [
    (lambda: _mnist_model((None, None, None, None)), "ex.11.2.names"),
    (lambda: _mnist_model(("visible", "hidden1", "hidden2", "predictions")), "ex.11.2.names"),
    (lambda: _mnist_model(width=32), "ex.11.2.params"),
]
_named.right_answers = [_mnist_model]


@exercise("11.3", points=1, title=_title("ex.11.3.title"))
def _why_missing(answer_11_3: Any) -> str:
    """`answer_11_3`: one of "a", "b", "c", "d" (the question is in the notebook)."""
    wrong = dict.fromkeys("bcd", "ex.11.3.wrong")
    return judge_choice(answer_11_3, "answer_11_3", right="a", wrong=wrong, ok="ex.11.3.ok")


_why_missing.wrong_answers = [(lambda: "b", "ex.11.3.wrong"), (lambda: "c", "ex.11.3.wrong")]
_why_missing.right_answers = [lambda: "a"]
