"""Checks of chapter 12 (Keras 2 to Keras 3): clean a copied line, port a seed cell, and read
automatically generated layer names.

Example:
    >>> from keras_lens import exercises
    >>> exercises.check("12.1", "Image('multilayer_perceptron_graph.png')")
    ✓ 12.1 ...
    CheckResult('12.1', passed, points=1)
"""

from __future__ import annotations

import unicodedata
from typing import Any

from keras_lens import i18n
from keras_lens.exercises._registry import (
    Wrong,
    exercise,
    input_name,
    judge_choice,
    require_model,
    require_output_shape,
)

__all__: list[str] = []

i18n.register(
    {
        "ex.12.1.title": ("Clean a seed line", "清理一行示例代码"),
        "ex.12.1.type": (
            "`fixed_line` should be the cleaned line as a string; it is a {type_name}.",
            "`fixed_line` 应是清理后的那一行（字符串）；它现在是 {type_name}。",
        ),
        "ex.12.1.lookalikes": (
            "`fixed_line` still contains {chars}: replace them with plain ASCII (clean_code does).",
            "`fixed_line` 里还有 {chars}：请换成普通 ASCII 字符（clean_code 可以做到）。",
        ),
        "ex.12.1.syntax": (
            "`fixed_line` does not compile: {error}.",
            "`fixed_line` 无法编译：{error}。",
        ),
        "ex.12.1.changed": (
            "`fixed_line` compiles but is not the seed's line any more: {line!r}. Only replace the "
            "quotes.",
            "`fixed_line` 能编译，但已不是示例原来的那一行：{line!r}。只替换引号即可。",
        ),
        "ex.12.1.ok": (
            "plain quotes, and the line compiles.",
            "引号已换成普通引号，这一行能编译了。",
        ),
        "ex.12.2.title": ("Port a seed 002 cell", "移植 seed 002 的一个单元格"),
        "ex.12.2.input_name": (
            'The input layer of `ported_cnn` is named {name!r}; seed 002 names it "input" '
            '(name="input", a string, not the builtin input).',
            '`ported_cnn` 的输入层名为 {name!r}；seed 002 把它命名为 "input"'
            '（name="input"，是字符串，不是内置函数 input）。',
        ),
        "ex.12.2.params": (
            "`ported_cnn` has {count:,} parameters; the document prints 138,122 for "
            "conv1 (128, 4x4) -> pool1 -> conv2 (64, 4x4) -> pool2 -> hidden1 (64) -> output (10).",
            "`ported_cnn` 有 {count:,} 个参数；文档打印的是 138,122："
            "conv1（128, 4x4）-> pool1 -> conv2（64, 4x4）-> pool2 -> hidden1（64）-> output（"
            "10）。",
        ),
        "ex.12.2.ok": (
            "138,122 parameters and output (None, 4, 4, 10), exactly as the document printed.",
            "138,122 个参数，输出 (None, 4, 4, 10)，与文档打印的完全一致。",
        ),
        "ex.12.3.title": ("Why dense_1 comes before dense", "为什么 dense_1 排在 dense 前面"),
        "ex.12.3.wrong": (
            'Not "{answer}". A layer gets its name when it is *created*; model.layers lists '
            "layers in the order data flows through them. In "
            "`layers.Dense(1)(layers.Dense(2)(x))`, "
            "which Dense does Python create first?",
            '不是 "{answer}"。层在*创建*时得到名字；model.layers 按数据流经的顺序列出各层。在 '
            "`layers.Dense(1)(layers.Dense(2)(x))` 里，Python 先创建哪一个 Dense？",
        ),
        "ex.12.3.ok": (
            "Python creates the outer Dense(1) first (named dense), then the inner Dense(2) "
            "(dense_1); model.layers follows the data: dense_1, then dense.",
            "Python 先创建外层的 Dense(1)（名为 dense），再创建内层的 Dense(2)（dense_1）；"
            "model.layers 按数据流的顺序：先 dense_1，后 dense。",
        ),
    }
)

SEED_PICTURE_LINE = "Image('multilayer_perceptron_graph.png')"


def _title(key: str) -> tuple[str, str]:
    return i18n.catalogue()[key]  # type: ignore[return-value]


@exercise("12.1", points=1, title=_title("ex.12.1.title"))
def _clean_line(fixed_line: Any) -> str:
    """`fixed_line`: seed 002's `Image(‘multilayer_perceptron_graph.png’)` with plain quotes."""
    if not isinstance(fixed_line, str):
        raise Wrong("ex.12.1.type", type_name=type(fixed_line).__name__)
    odd = sorted({c for c in fixed_line if ord(c) > 127})
    if odd:
        chars = ", ".join(f"{c} ({unicodedata.name(c, hex(ord(c)))})" for c in odd)
        raise Wrong("ex.12.1.lookalikes", chars=chars)
    try:
        compile(fixed_line, "<fixed_line>", "exec")
    except SyntaxError as error:
        raise Wrong("ex.12.1.syntax", error=error.msg) from None
    if fixed_line.strip().replace('"', "'") != SEED_PICTURE_LINE:
        raise Wrong("ex.12.1.changed", line=fixed_line)
    return "ex.12.1.ok"


_clean_line.wrong_answers = [
    (lambda: "Image(\u2018multilayer_perceptron_graph.png\u2019)", "ex.12.1.lookalikes"),
    (lambda: "Image('multilayer_perceptron_graph.png'", "ex.12.1.syntax"),
    (lambda: "Image('graph.png')", "ex.12.1.changed"),
    (lambda: 42, "ex.12.1.type"),
]
_clean_line.right_answers = [
    lambda: SEED_PICTURE_LINE,
    lambda: 'Image("multilayer_perceptron_graph.png")',
]


@exercise("12.2", points=2, title=_title("ex.12.2.title"))
def _ported(ported_cnn: Any) -> str:
    """`ported_cnn`: seed 002's CNN (3.2) ported to Keras 3 (138,122 parameters)."""
    require_model(ported_cnn, "ported_cnn")
    name = input_name(ported_cnn)
    if name != "input":
        raise Wrong("ex.12.2.input_name", name=name)
    if ported_cnn.count_params() != 138_122:
        raise Wrong("ex.12.2.params", count=ported_cnn.count_params())
    require_output_shape(ported_cnn, (None, 4, 4, 10), "ported_cnn")
    return "ex.12.2.ok"


def seed_002_cnn(input_name: str = "input", conv1_filters: int = 128) -> Any:
    """Seed 002's CNN of section 3.2, in Keras 3 spelling."""
    import keras
    from keras import layers

    mnist_input = keras.Input(shape=(28, 28, 1), name=input_name)
    conv1 = layers.Conv2D(conv1_filters, kernel_size=4, activation="relu", name="conv1")(
        mnist_input
    )
    pool1 = layers.MaxPool2D(pool_size=(2, 2), name="pool1")(conv1)
    conv2 = layers.Conv2D(64, kernel_size=4, activation="relu", name="conv2")(pool1)
    pool2 = layers.MaxPool2D(pool_size=(2, 2), name="pool2")(conv2)
    hidden1 = layers.Dense(64, activation="relu", name="hidden1")(pool2)
    output = layers.Dense(10, activation="softmax", name="output")(hidden1)
    return keras.Model(inputs=mnist_input, outputs=output)


_ported.wrong_answers = [
    (lambda: seed_002_cnn(input_name="mnist_input"), "ex.12.2.input_name"),
    (lambda: seed_002_cnn(conv1_filters=32), "ex.12.2.params"),
]
_ported.right_answers = [seed_002_cnn]


@exercise("12.3", points=1, title=_title("ex.12.3.title"))
def _why_order(answer_12_3: Any) -> str:
    """`answer_12_3`: one of "a", "b", "c", "d" (the question is in the notebook)."""
    wrong = dict.fromkeys("abd", "ex.12.3.wrong")
    return judge_choice(answer_12_3, "answer_12_3", right="c", wrong=wrong, ok="ex.12.3.ok")


_why_order.wrong_answers = [(lambda: "a", "ex.12.3.wrong"), (lambda: "d", "ex.12.3.wrong")]
_why_order.right_answers = [lambda: "c"]
