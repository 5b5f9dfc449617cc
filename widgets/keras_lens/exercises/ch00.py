"""Chapter 00 (a tour of keras_lens): where the parameters are, "same" padding, a prediction.

Example:
    >>> from keras_lens import exercises
    >>> [e.exercise_id for e in exercises.list_exercises("00")]
    ['00.1', '00.2', '00.3']
"""

from __future__ import annotations

from keras_lens import i18n
from keras_lens.exercises._registry import (
    Wrong,
    exercise,
    judge_choice,
    layer_types,
    require_io,
    require_model,
    require_number,
)

__all__: list[str] = []

i18n.register(
    {
        "ex.00.1.ok": (
            "the Dense layer holds 13,530 of the 13,610: every one of the 13·13·8 = 1,352 pooled "
            "features is connected to each of the 10 classes.",
            "Dense 层占了 13,610 个参数中的 13,530 个：池化后的 13·13·8 = 1,352 个特征中的每一个都"
            "连接到 10 个类别中的每一个。",
        ),
        "ex.00.1.conv": (
            "the convolution has only (3·3·1 + 1)·8 = 80 parameters: its 3×3 kernels are reused "
            "at every position of the image. Look at the summary's Param # column.",
            "卷积层只有 (3·3·1 + 1)·8 = 80 个参数：它的 3×3 卷积核在图像的每个位置上重复使用。"
            "看看摘要里的 Param # 一列。",
        ),
        "ex.00.1.pool": (
            "pooling and Flatten have no parameters at all (0 in the summary): they only move or "
            "select numbers.",
            "池化层和 Flatten 层根本没有参数（摘要里是 0）：它们只是移动或挑选数值。",
        ),
        "ex.00.2.ok": (
            '"same" padding keeps 28×28, pooling halves it to 14×14×8; 15,770 parameters.',
            '"same" 填充保持 28×28，池化将其减半为 14×14×8；共 15,770 个参数。',
        ),
        "ex.00.2.no_conv": (
            "`conv_same` needs exactly one Conv2D layer (it has {count}).",
            "`conv_same` 需要恰好一个 Conv2D 层（现在有 {count} 个）。",
        ),
        "ex.00.2.padding": (
            'the convolution still uses padding="{padding}": add padding="same" so that its '
            "output stays 28×28.",
            '卷积层仍然使用 padding="{padding}"：加上 padding="same"，让输出保持 28×28。',
        ),
        "ex.00.2.filters": (
            "keep the tour's convolution: 8 filters of size 3×3 (yours: {filters} filters of size "
            "{kernel}).",
            "保持导览里的卷积：8 个 3×3 的卷积核（你的是 {filters} 个 {kernel} 的卷积核）。",
        ),
        "ex.00.2.shape": (
            "`conv_same` should take (28, 28, 1) digits and output 10 class probabilities; its "
            "input is {inputs} and its output {outputs}.",
            "`conv_same` 应该接收 (28, 28, 1) 的数字图像并输出 10 个类别概率；它的输入是 {inputs}，"
            "输出是 {outputs}。",
        ),
        "ex.00.2.count": (
            "the layers are right but the model has {count:,} parameters, not (3·3·1+1)·8 + "
            "(14·14·8+1)·10 = 15,770: is there a pooling layer of size 2 before Flatten?",
            "层的种类对了，但模型有 {count:,} 个参数，而不是 (3·3·1+1)·8 + (14·14·8+1)·10 = "
            "15,770：Flatten 前面有没有大小为 2 的池化层？",
        ),
        "ex.00.3.ok": (
            "(5·5·1 + 1)·16 = 416 for the convolution; 28 − 5 + 1 = 24, pooled to 12×12×16 = "
            "2,304 features, (2,304 + 1)·10 = 23,050 for Dense: 23,466.",
            "卷积层 (5·5·1 + 1)·16 = 416；28 − 5 + 1 = 24，池化后 12×12×16 = 2,304 个特征，"
            "Dense 层 (2,304 + 1)·10 = 23,050：共 23,466。",
        ),
        "ex.00.3.unchanged": (
            "13,610 is the tour's model; with 16 filters of 5×5 both the convolution and the "
            "Dense layer change.",
            "13,610 是导览中模型的参数数；换成 16 个 5×5 卷积核后，卷积层和 Dense 层都会变。",
        ),
        "ex.00.3.no_bias": (
            "close: you left out the biases (one per filter, one per class).",
            "很接近：你漏掉了偏置（每个卷积核一个，每个类别一个）。",
        ),
        "ex.00.3.no_pool": (
            "that counts the Dense layer on 24×24×16 features: the pooling layer halves 24×24 to "
            "12×12 before Flatten.",
            "这是按 24×24×16 个特征算的 Dense 层：池化层在 Flatten 之前把 24×24 减半为 12×12。",
        ),
        "ex.00.3.other": (
            "{answer:,} is not it. Count the convolution ((k·k·c_in + 1)·filters), then the "
            "output size (28 − k + 1, halved by pooling), then Dense ((features + 1)·10).",
            "{answer:,} 不对。先算卷积层（(k·k·c_in + 1)·filters），再算输出尺寸（28 − k + 1，"
            "池化后减半），最后算 Dense 层（(特征数 + 1)·10）。",
        ),
    }
)


@exercise("00.1", points=1, title=("Where are the parameters?", "参数在哪里？"))
def _where_are_the_parameters(answer_00_1):
    """`answer_00_1`: "a", "b" or "c"."""
    wrong = {"a": "ex.00.1.conv", "c": "ex.00.1.pool"}
    return judge_choice(answer_00_1, "answer_00_1", right="b", wrong=wrong, ok="ex.00.1.ok")


_where_are_the_parameters.wrong_answers = [
    (lambda: "a", "ex.00.1.conv"),
    (lambda: "c", "ex.00.1.pool"),
    (lambda: "dense", "exercises.choice_type"),
]
_where_are_the_parameters.right_answers = [lambda: "b", lambda: " B"]


def _tour_model(padding="same", filters=8, kernel=3, pool=True):
    import keras
    from keras import layers

    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(filters, kernel, padding=padding, activation="relu")(inputs)
    if pool:
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


@exercise("00.2", points=2, title=('"same" padding', '"same" 填充'))
def _same_padding(conv_same):
    """`conv_same`: a keras.Model, the tour's model with padding="same"."""
    require_model(conv_same, "conv_same")
    require_io(conv_same, inputs="(None, 28, 28, 1)", outputs="(None, 10)", key="ex.00.2.shape")
    convs = [layer for layer in conv_same.layers if type(layer).__name__ == "Conv2D"]
    if len(convs) != 1:
        raise Wrong("ex.00.2.no_conv", count=len(convs))
    (conv,) = convs
    if conv.filters != 8 or tuple(conv.kernel_size) != (3, 3):
        raise Wrong(
            "ex.00.2.filters", filters=conv.filters, kernel="×".join(map(str, conv.kernel_size))
        )
    if conv.padding != "same":
        raise Wrong("ex.00.2.padding", padding=conv.padding)
    if conv_same.count_params() != 15_770 or "MaxPooling2D" not in layer_types(conv_same):
        raise Wrong("ex.00.2.count", count=conv_same.count_params())
    return "ex.00.2.ok"


_same_padding.wrong_answers = [
    (lambda: _tour_model(padding="valid"), "ex.00.2.padding"),
    (lambda: _tour_model(filters=16), "ex.00.2.filters"),
    (lambda: _tour_model(pool=False), "ex.00.2.count"),
    (lambda: "model", "exercises.not_model"),
]
_same_padding.right_answers = [_tour_model]


@exercise("00.3", points=1, title=("Predict a parameter count", "预测参数数量"))
def _predict_count(answer_00_3):
    """`answer_00_3`: a number, the parameter count of the model with 16 filters of 5×5."""
    answer = require_number(answer_00_3, name="answer_00_3")
    if answer == 23_466:
        return "ex.00.3.ok"
    if answer == 13_610:
        raise Wrong("ex.00.3.unchanged")
    if answer == 23_466 - 16 - 10:
        raise Wrong("ex.00.3.no_bias")
    if answer == 416 + (24 * 24 * 16 + 1) * 10:
        raise Wrong("ex.00.3.no_pool")
    raise Wrong("ex.00.3.other", answer=answer)


_predict_count.wrong_answers = [
    (lambda: 13_610, "ex.00.3.unchanged"),
    (lambda: 23_440, "ex.00.3.no_bias"),
    (lambda: 92_586, "ex.00.3.no_pool"),
    (lambda: 1000, "ex.00.3.other"),
]
_predict_count.right_answers = [lambda: 23_466, lambda: "23,466"]
