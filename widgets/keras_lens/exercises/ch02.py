"""Chapter 02 (first functional model): the validation/test gap, a softmax head, a real run.

Example:
    >>> from keras_lens import exercises
    >>> [e.exercise_id for e in exercises.list_exercises("02")]
    ['02.1', '02.2', '02.3']
"""

from __future__ import annotations

import numpy as np

from keras_lens import i18n
from keras_lens.exercises._mnist import mnist_test, predict_quietly
from keras_lens.exercises._registry import Wrong, exercise, judge_choice, require_io, require_model

__all__: list[str] = []

#: 02.3's bar on the 2,000 bundled test images (worked solution: 0.926-0.930, 4 seeds, 7 s CPU).
BAR_02_3 = 0.91

i18n.register(
    {
        "ex.02.1.ok": (
            "validation_split takes the *last* 20 % of x_train without shuffling; in the bundled "
            "sample those are images 7,400-8,999 of the MNIST test file, an easier stretch than "
            "the test images (measured in section 4).",
            "validation_split 不打乱顺序，取 x_train 的 *最后* 20 %；在内置样本中那是 MNIST 测试文"
            "件"
            "的第 7,400-8,999 张图，比测试图片更容易（第 4 节里测量过）。",
        ),
        "ex.02.1.overfit": (
            "overfitting would show as a training accuracy well above the validation accuracy; "
            "here they are close, and the validation images are never trained on. Look at which "
            "images validation_split picks.",
            "过拟合会表现为训练准确率远高于验证准确率；这里两者很接近，而且模型从未在验证图片上训"
            "练。"
            "看看 validation_split 选的是哪些图片。",
        ),
        "ex.02.1.scaling": (
            "both come from the same arrays, scaled once by the same / 255 before fit.",
            "两者来自同一组数组，在 fit 之前用同一个 / 255 缩放过一次。",
        ),
        "ex.02.2.ok": (
            "same 55,050 parameters (an activation has none); each output row sums to 1.",
            "参数仍是 55,050 个（激活函数没有参数）；每一行输出之和为 1。",
        ),
        "ex.02.2.shape": (
            "`softmax_model` should map (None, 784) to (None, 10); it maps {inputs} to {outputs}.",
            "`softmax_model` 应该把 (None, 784) 映射到 (None, 10)；它现在把 {inputs} 映射到"
            " {outputs}。",
        ),
        "ex.02.2.count": (
            "keep the chapter's layers, Dense(64), Dense(64), Dense(10): 55,050 parameters "
            "(yours has {count:,}).",
            "保持本章的层：Dense(64)、Dense(64)、Dense(10)，共 55,050 个参数（你的有 {count:,} 个"
            "）。",
        ),
        "ex.02.2.logits": (
            "the outputs do not sum to 1 (first row: {total:.3f}): they are still logits. Give "
            'the last Dense activation="softmax".',
            "输出之和不是 1（第一行：{total:.3f}）：它们仍然是 logits。给最后一个 Dense 加上 "
            'activation="softmax"。',
        ),
        "ex.02.3.ok": (
            "at least {bar:.2f} on the 2,000 bundled test images (print evaluate(...) for yours).",
            "在 2,000 张内置测试图片上至少达到 {bar:.2f}（用 evaluate(...) 可以打印你的数值）。",
        ),
        "ex.02.3.shape": (
            "`trained_mlp` should take flattened images (None, 784) and output 10 scores per "
            "image; it maps {inputs} to {outputs}.",
            "`trained_mlp` 应该接收展平的图像 (None, 784)，每张图输出 10 个分数；它现在把 {inputs} "
            "映射到 {outputs}。",
        ),
        "ex.02.3.low": (
            "test accuracy {accuracy:.3f} is below the bar {bar:.2f}. Did you fit it (5 epochs "
            "on x_train, y_train)? A wider hidden layer (256 units) and adam help.",
            "测试准确率 {accuracy:.3f} 低于要求 {bar:.2f}。你训练它了吗（在 x_train, y_train 上训"
            "练 "
            "5 个 epoch）？更宽的隐藏层（256 个单元）和 adam 优化器会有帮助。",
        ),
    }
)


@exercise("02.1", points=1, title=("Validation 0.95, test 0.89?", "验证 0.95、测试 0.89？"))
def _why_the_gap(answer_02_1):
    """`answer_02_1`: "a", "b" or "c"."""
    wrong = {"a": "ex.02.1.overfit", "c": "ex.02.1.scaling"}
    return judge_choice(answer_02_1, "answer_02_1", right="b", wrong=wrong, ok="ex.02.1.ok")


_why_the_gap.wrong_answers = [(lambda: "a", "ex.02.1.overfit"), (lambda: "c", "ex.02.1.scaling")]
_why_the_gap.right_answers = [lambda: "b"]


def _mlp(units=64, softmax=True):
    import keras
    from keras import layers

    inputs = keras.Input(shape=(784,))
    x = layers.Dense(units, activation="relu")(inputs)
    x = layers.Dense(units, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax" if softmax else None)(x))


@exercise("02.2", points=1, title=("Put the softmax into the model", "把 softmax 放进模型"))
def _softmax_head(softmax_model):
    """`softmax_model`: a keras.Model whose outputs are probabilities."""
    require_model(softmax_model, "softmax_model")
    require_io(softmax_model, inputs="(None, 784)", outputs="(None, 10)", key="ex.02.2.shape")
    if softmax_model.count_params() != 55_050:
        raise Wrong("ex.02.2.count", count=softmax_model.count_params())
    batch = np.random.default_rng(0).random((4, 784)).astype("float32")
    totals = np.asarray(softmax_model(batch)).sum(axis=1)
    if not np.allclose(totals, 1.0, atol=1e-4):
        raise Wrong("ex.02.2.logits", total=float(totals[0]))
    return "ex.02.2.ok"


_softmax_head.wrong_answers = [
    (lambda: _mlp(softmax=False), "ex.02.2.logits"),
    (lambda: _mlp(units=128), "ex.02.2.count"),
]
_softmax_head.right_answers = [_mlp]


@exercise("02.3", points=2, title=("Train an MLP past the bar", "训练一个 MLP 达到要求"))
def _trained_mlp(trained_mlp):
    """`trained_mlp`: a trained keras.Model on flattened MNIST images (None, 784) -> 10 scores."""
    require_model(trained_mlp, "trained_mlp")
    require_io(trained_mlp, inputs="(None, 784)", outputs="(None, 10)", key="ex.02.3.shape")
    x, y = mnist_test(flat=True)
    accuracy = float((np.asarray(predict_quietly(trained_mlp, x)).argmax(axis=1) == y).mean())
    if accuracy < BAR_02_3:
        raise Wrong("ex.02.3.low", accuracy=accuracy, bar=BAR_02_3)
    return "ex.02.3.ok", {"accuracy": accuracy, "bar": BAR_02_3}


_trained_mlp.wrong_answers = [
    (lambda: _mlp(softmax=False), "ex.02.3.low"),  # right shape, never trained
    (lambda: _seq_image_model(), "ex.02.3.shape"),
]


def _seq_image_model():
    import keras
    from keras import layers

    return keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10)])
