"""Chapter 03 (MLP, CNN, RNN): why the document's CNN outputs a grid, fix and train it, an LSTM.

Example:
    >>> from keras_lens import exercises
    >>> [e.exercise_id for e in exercises.list_exercises("03")]
    ['03.1', '03.2', '03.3']
"""

from __future__ import annotations

import numpy as np

from keras_lens import i18n
from keras_lens.exercises._mnist import mnist_test, predict_quietly
from keras_lens.exercises._registry import (
    Wrong,
    exercise,
    judge_choice,
    require_io,
    require_layer_type,
    require_model,
    require_number,
)

__all__: list[str] = []

#: 03.2's bar on the 2,000 bundled test images (the worked solution: see the chapter's measurement).
BAR_03_2 = 0.93

i18n.register(
    {
        "ex.03.1.ok": (
            "Dense works on the last axis only: on a (4, 4, 64) grid it is applied at each of "
            "the 16 positions, so the grid survives to the output.",
            "Dense 只作用于最后一个轴：在 (4, 4, 64) 的网格上，它在 16 个位置上分别计算，所以网格"
            "一直保留到输出。",
        ),
        "ex.03.1.pool": (
            "pooling does make the 4×4 grid, but a layer that flattened it would remove it; look "
            "at what Dense does with a tensor of more than two axes.",
            "网格 4×4 确实是池化产生的，但如果有一层把它展平，网格就会消失；看看 Dense 如何处理超过"
            "两个轴的张量。",
        ),
        "ex.03.1.conv": (
            "the convolutions have 128 and 64 filters; the 10 comes from the output Dense(10).",
            "卷积层有 128 和 64 个卷积核；10 来自输出层 Dense(10)。",
        ),
        "ex.03.2.ok": (
            "at least {bar:.2f} on the 2,000 bundled test images (print evaluate(...) for yours).",
            "在 2,000 张内置测试图片上至少达到 {bar:.2f}（用 evaluate(...) 可以打印你的数值）。",
        ),
        "ex.03.2.shape": (
            "`trained_cnn` outputs {outputs}: one prediction per image is (None, 10). Flatten "
            "the feature maps before the Dense layers.",
            "`trained_cnn` 的输出是 {outputs}：每张图一个预测应该是 (None, 10)。在 Dense 层之前把"
            "特征图展平（Flatten）。",
        ),
        "ex.03.2.input": (
            "`trained_cnn` should read (None, 28, 28, 1) images; its input is {inputs}.",
            "`trained_cnn` 应该读取 (None, 28, 28, 1) 的图像；它的输入是 {inputs}。",
        ),
        "ex.03.2.no_conv": (
            "`trained_cnn` has no Conv2D layer: the exercise is to fix the document's CNN, not "
            "to replace it.",
            "`trained_cnn` 没有 Conv2D 层：练习要求修正文档里的 CNN，而不是换掉它。",
        ),
        "ex.03.2.low": (
            "test accuracy {accuracy:.3f} is below the bar {bar:.2f}. Was it trained (fit on "
            "x_train scaled to [0, 1], 2 epochs)?",
            "测试准确率 {accuracy:.3f} 低于要求 {bar:.2f}。它训练过吗（在缩放到 [0, 1] 的 x_train "
            "上 fit 2 个 epoch）？",
        ),
        "ex.03.3.ok": (
            "4·(1·64 + 64·64 + 64) = 16,896 for the LSTM, 64·10 + 10 = 650 for Dense: 17,546.",
            "LSTM 有 4·(1·64 + 64·64 + 64) = 16,896 个参数，Dense 有 64·10 + 10 = 650 个：共 17,54"
            "6。",
        ),
        "ex.03.3.gates": (
            "that is one gate: an LSTM has 4 (input, forget, cell, output), each with its own "
            "weights.",
            "这只是一个门：LSTM 有 4 个门（输入门、遗忘门、候选单元、输出门），每个都有自己的权重"
            "。",
        ),
        "ex.03.3.recurrent": (
            "you left out the recurrent weights: each gate also reads the previous state, 64·64 "
            "per gate.",
            "你漏掉了循环权重：每个门还要读取上一时刻的状态，每个门 64·64 个。",
        ),
        "ex.03.3.other": (
            "{answer:,} is not it: count 4 · (n_in·n + n·n + n) for the LSTM, then the Dense.",
            "{answer:,} 不对：先算 LSTM 的 4 · (n_in·n + n·n + n)，再算 Dense 层。",
        ),
    }
)


@exercise("03.1", points=1, title=("Why (None, 4, 4, 10)?", "为什么是 (None, 4, 4, 10)？"))
def _why_grid(answer_03_1):
    """`answer_03_1`: "a", "b" or "c"."""
    wrong = {"a": "ex.03.1.pool", "c": "ex.03.1.conv"}
    return judge_choice(answer_03_1, "answer_03_1", right="b", wrong=wrong, ok="ex.03.1.ok")


_why_grid.wrong_answers = [(lambda: "a", "ex.03.1.pool"), (lambda: "c", "ex.03.1.conv")]
_why_grid.right_answers = [lambda: "b"]


def _document_cnn(flatten=True, conv=True):
    import keras
    from keras import layers

    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    if conv:
        x = layers.MaxPool2D(2)(layers.Conv2D(8, 4, activation="relu")(x))
    if flatten:
        x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


@exercise("03.2", points=3, title=("Fix the CNN and train it", "修正 CNN 并训练它"))
def _trained_cnn(trained_cnn):
    """`trained_cnn`: the document's CNN with the fix, trained on the bundled MNIST."""
    require_model(trained_cnn, "trained_cnn")
    shape_keys = ("ex.03.2.input", "ex.03.2.shape")
    require_io(trained_cnn, inputs="(None, 28, 28, 1)", outputs="(None, 10)", key=shape_keys)
    require_layer_type(trained_cnn, "Conv2D", "ex.03.2.no_conv")
    x, y = mnist_test()
    accuracy = float((np.asarray(predict_quietly(trained_cnn, x)).argmax(axis=1) == y).mean())
    if accuracy < BAR_03_2:
        raise Wrong("ex.03.2.low", accuracy=accuracy, bar=BAR_03_2)
    return "ex.03.2.ok", {"accuracy": accuracy, "bar": BAR_03_2}


_trained_cnn.wrong_answers = [
    (lambda: _document_cnn(flatten=False), "ex.03.2.shape"),
    (lambda: _document_cnn(conv=False), "ex.03.2.no_conv"),
    (lambda: _document_cnn(), "ex.03.2.low"),  # fixed but never trained
]


@exercise("03.3", points=1, title=("Count an LSTM's parameters", "数一数 LSTM 的参数"))
def _lstm_count(answer_03_3):
    """`answer_03_3`: a number, the parameters of LSTM(64) on (784, 1) plus Dense(10)."""
    answer = require_number(answer_03_3, name="answer_03_3")
    if answer == 17_546:
        return "ex.03.3.ok"
    if answer in (4_224 + 650, 4_224):
        raise Wrong("ex.03.3.gates")
    if answer in (4 * (64 + 64) + 650, 4 * (64 + 64)):
        raise Wrong("ex.03.3.recurrent")
    raise Wrong("ex.03.3.other", answer=answer)


_lstm_count.wrong_answers = [
    (lambda: 4_874, "ex.03.3.gates"),
    (lambda: 1_162, "ex.03.3.recurrent"),
    (lambda: 84_362, "ex.03.3.other"),
]
_lstm_count.right_answers = [lambda: 17_546]
