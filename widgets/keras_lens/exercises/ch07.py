"""Checks of chapter 07 (residual connections): a deeper toy ResNet, Dropout's `training`
flag, a projection shortcut and a small residual network trained on real MNIST digits.

Example:
    >>> from keras_lens import exercises
    >>> exercises.check("07.2", "b")
    ✓ 07.2 ...
    CheckResult('07.2', passed, points=1)
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
    require_callable,
    require_model,
    require_output_shape,
)

__all__: list[str] = []

#: Test accuracy on the MNIST test images that 07.4's residual network must reach. Measured with
#: the worked solution (Conv2D(16, 3, strides=2) -> one residual block of two Conv2D(16, same) ->
#: Flatten -> Dense(10), Adam 3e-3, 2 epochs, batch 64) on the bundled sample (8,000 train,
#: 2,000 test images) over seeds 0-4: 0.942-0.958 (0.961 in the stored chapter), 23-54 s each
#: on the shared 2-core machine
#: (the slow runs overlapped other jobs). An untrained model scores about 0.1.
MNIST_ACCURACY_BAR = 0.90

i18n.register(
    {
        "ex.07.1.title": ("A third residual block", "再加一个残差块"),
        "ex.07.1.no_add": (
            "`deeper` has no Add layer: a residual connection adds the block's input to its "
            "output (layers.add([x, block_output])).",
            "`deeper` 里没有 Add 层：残差连接要把块的输入加到它的输出上"
            "（layers.add([x, block_output])）。",
        ),
        "ex.07.1.blocks": (
            "`deeper` has {count} residual block(s) (Add layers); the exercise asks for 3.",
            "`deeper` 有 {count} 个残差块（Add 层）；练习要求 3 个。",
        ),
        "ex.07.1.params": (
            "`deeper` has {count:,} parameters; a third block of two Conv2D(64, 3, "
            'padding="same") adds 2 x 36,928 to the document\'s 223,242 = 297,098.',
            '`deeper` 有 {count:,} 个参数；第三个块（两个 Conv2D(64, 3, padding="same")）在文档的 '
            "223,242 上再加 2 x 36,928 = 297,098。",
        ),
        "ex.07.1.ok": ("3 residual blocks, 297,098 parameters.", "3 个残差块，297,098 个参数。"),
        "ex.07.2.title": (
            "Why Dropout differs in fit and predict",
            "为什么 Dropout 在 fit 和 predict 中不同",
        ),
        "ex.07.2.wrong": (
            'Not "{answer}". Rerun 7.5: the weights are the same in all four calls; what '
            "changes is the `training` argument that reaches Dropout.call().",
            '不是 "{answer}"。重新运行 7.5：四次调用的权重都一样；变化的是传给 Dropout.call() 的 '
            "`training` 参数。",
        ),
        "ex.07.2.ok": (
            "fit() calls the model with training=True, so Dropout zeroes random units; predict() "
            "and a plain call use training=False, so Dropout passes its input through.",
            "fit() 以 training=True 调用模型，Dropout 会随机置零一些单元；predict() 和普通调用用 "
            "training=False，Dropout 原样输出。",
        ),
        "ex.07.3.title": ("A projection shortcut", "投影捷径"),
        "ex.07.3.mismatch": (
            "projection_block(x, {filters}) failed to add its two paths ({error}). When the block "
            "changes the number of channels, pass the shortcut through Conv2D({filters}, 1) first.",
            "projection_block(x, {filters}) 无法把两条路径相加（{error}）。当块改变通道数时，请先让"
            "捷径经过 Conv2D({filters}, 1)。",
        ),
        "ex.07.3.not_tensor": (
            "projection_block(x, filters) should return the block's output tensor; it returned a "
            "{type_name}.",
            "projection_block(x, filters) 应返回块的输出张量；它返回的是 {type_name}。",
        ),
        "ex.07.3.no_add": (
            "The block has no Add layer: finish it with layers.add([main_path, shortcut]).",
            "这个块里没有 Add 层：最后请用 layers.add([main_path, shortcut])。",
        ),
        "ex.07.3.kernel": (
            "The shortcut should be a 1x1 convolution, Conv2D({filters}, 1): it changes the "
            "channels without looking at neighbouring pixels. Found no 1x1 Conv2D with {filters} "
            "filters.",
            "捷径应该是 1x1 卷积 Conv2D({filters}, 1)：它只改变通道数，不看相邻像素。没有找到 "
            "{filters} 个过滤器的 1x1 Conv2D。",
        ),
        "ex.07.3.ok": (
            "the 1x1 shortcut has 64 x 128 + 128 = 8,320 parameters and the shapes add up.",
            "1x1 捷径有 64 x 128 + 128 = 8,320 个参数，形状对得上。",
        ),
        "ex.07.4.title": (
            "Train a small residual network on MNIST",
            "在 MNIST 上训练一个小残差网络",
        ),
        "ex.07.4.input": (
            "`mnist_resnet` should take images of shape (None, 28, 28, 1); it takes {shape}.",
            "`mnist_resnet` 的输入形状应为 (None, 28, 28, 1)；现在是 {shape}。",
        ),
        "ex.07.4.no_add": (
            "`mnist_resnet` has no Add layer: the exercise asks for at least one residual block.",
            "`mnist_resnet` 里没有 Add 层：练习要求至少一个残差块。",
        ),
        "ex.07.4.accuracy": (
            "Test accuracy {accuracy:.3f} on the MNIST test images; the bar is {bar}. Train it "
            "(fit on x_train scaled to [0, 1]) for a few epochs.",
            "在 MNIST 测试图像上的准确率是 {accuracy:.3f}；要求至少 {bar}。请训练它"
            "（在缩放到 [0, 1] 的 x_train 上 fit）几个 epoch。",
        ),
        "ex.07.4.ok": (
            # no measured number here: a stored notebook output must not vary between runs
            "test accuracy at least {bar} on the {count:,} MNIST test images.",
            "在 {count:,} 张 MNIST 测试图像上的准确率至少为 {bar}。",
        ),
    }
)


def _title(key: str) -> tuple[str, str]:
    return i18n.catalogue()[key]  # type: ignore[return-value]


def _adds(model: Any) -> list[Any]:
    return [layer for layer in model.layers if type(layer).__name__ == "Add"]


@exercise("07.1", points=2, title=_title("ex.07.1.title"))
def _deeper(deeper: Any) -> str:
    """`deeper`: the toy ResNet of 7.1 with a third residual block (297,098 parameters)."""
    require_model(deeper, "deeper")
    require_output_shape(deeper, (None, 10), "deeper")
    adds = _adds(deeper)
    if not adds:
        raise Wrong("ex.07.1.no_add")
    if len(adds) != 3:
        raise Wrong("ex.07.1.blocks", count=len(adds))
    if deeper.count_params() != 297_098:
        raise Wrong("ex.07.1.params", count=deeper.count_params())
    return "ex.07.1.ok"


def toy_resnet(num_blocks: int, residual: bool = True, filters: int = 64) -> Any:
    """The document's toy ResNet with ``num_blocks`` residual blocks (2 = the document's)."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_output = layers.MaxPooling2D(3)(x)
    for _ in range(num_blocks):
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(block_output)
        x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
        block_output = layers.add([x, block_output]) if residual else x
    x = layers.Conv2D(64, 3, activation="relu")(block_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    return keras.Model(inputs, layers.Dense(10)(x))


_deeper.wrong_answers = [
    (lambda: toy_resnet(2), "ex.07.1.blocks"),
    (lambda: toy_resnet(3, residual=False), "ex.07.1.no_add"),
    (lambda: toy_resnet(3, filters=32), "ex.07.1.params"),
]
_deeper.right_answers = [lambda: toy_resnet(3)]


@exercise("07.2", points=1, title=_title("ex.07.2.title"))
def _why_dropout(answer_07_2: Any) -> str:
    """`answer_07_2`: one of "a", "b", "c", "d" (the question is in the notebook)."""
    wrong = dict.fromkeys("acd", "ex.07.2.wrong")
    return judge_choice(answer_07_2, "answer_07_2", right="b", wrong=wrong, ok="ex.07.2.ok")


_why_dropout.wrong_answers = [(lambda: "a", "ex.07.2.wrong"), (lambda: "d", "ex.07.2.wrong")]
_why_dropout.right_answers = [lambda: "b"]


@exercise("07.3", points=2, title=_title("ex.07.3.title"))
def _projection(projection_block: Any) -> str:
    """`projection_block(x, filters)`: a residual block whose shortcut is Conv2D(filters, 1)
    when the channels change; returns the block's output tensor."""
    import keras

    require_callable(projection_block, "projection_block")
    for filters in (128, 64):
        x = keras.Input(shape=(9, 9, 64))
        try:
            y = projection_block(x, filters)
        except ValueError as error:
            text = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise Wrong("ex.07.3.mismatch", filters=filters, error=text[:160]) from None
        if not isinstance(y, keras.KerasTensor):
            raise Wrong("ex.07.3.not_tensor", type_name=type(y).__name__)
        block = keras.Model(x, y)
        require_output_shape(block, (None, 9, 9, filters), f"projection_block(x, {filters})")
        if not _adds(block):
            raise Wrong("ex.07.3.no_add")
        if filters != 64 and not any(
            type(layer).__name__ == "Conv2D"
            and tuple(layer.kernel_size) == (1, 1)
            and layer.filters == filters
            for layer in block.layers
        ):
            raise Wrong("ex.07.3.kernel", filters=filters)
    return "ex.07.3.ok"


def _block(kind: str) -> Any:
    from keras import layers

    def block(x: Any, filters: int) -> Any:
        y = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        y = layers.Conv2D(filters, 3, activation="relu", padding="same")(y)
        if kind == "no_add":
            return y
        shortcut = x
        if x.shape[-1] != filters and kind != "identity":
            size = 3 if kind == "3x3" else 1
            shortcut = layers.Conv2D(filters, size, padding="same")(x)
        return layers.add([y, shortcut])

    return block


_projection.wrong_answers = [
    (lambda: _block("identity"), "ex.07.3.mismatch"),
    (lambda: _block("no_add"), "ex.07.3.no_add"),
    (lambda: _block("3x3"), "ex.07.3.kernel"),
]
_projection.right_answers = [lambda: _block("1x1")]


def _mnist_test() -> tuple[Any, Any]:
    from keras_lens import datasets

    with contextlib.redirect_stdout(io.StringIO()):
        (_, _), (x_test, y_test) = datasets.load_mnist()
    return (x_test.astype("float32") / 255)[..., None], y_test


@exercise("07.4", points=3, title=_title("ex.07.4.title"))
def _mnist_resnet(mnist_resnet: Any) -> tuple[str, dict[str, Any]]:
    """`mnist_resnet`: a trained model on (None, 28, 28, 1) with at least one Add layer; its
    accuracy on the MNIST test images must be at least MNIST_ACCURACY_BAR."""
    import numpy as np

    require_model(mnist_resnet, "mnist_resnet")
    shape = (
        tuple(mnist_resnet.input_shape) if not isinstance(mnist_resnet.input_shape, list) else None
    )
    if shape != (None, 28, 28, 1):
        raise Wrong("ex.07.4.input", shape=mnist_resnet.input_shape)
    require_output_shape(mnist_resnet, (None, 10), "mnist_resnet")
    if not _adds(mnist_resnet):
        raise Wrong("ex.07.4.no_add")
    x_test, y_test = _mnist_test()
    predictions = mnist_resnet.predict(x_test, verbose=0, batch_size=500)
    accuracy = float(np.mean(np.argmax(predictions, axis=-1) == y_test))
    fields = {"accuracy": accuracy, "bar": MNIST_ACCURACY_BAR, "count": len(y_test)}
    if accuracy < MNIST_ACCURACY_BAR:
        raise Wrong("ex.07.4.accuracy", **fields)
    return "ex.07.4.ok", fields


def small_mnist_resnet(residual: bool = True) -> Any:
    """The worked solution's architecture (untrained): one residual block on MNIST."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(28, 28, 1))
    block_input = layers.Conv2D(16, 3, strides=2, activation="relu")(inputs)  # (13, 13, 16)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(block_input)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
    x = layers.add([x, block_input]) if residual else x
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(10)(x))


_mnist_resnet.wrong_answers = [
    (small_mnist_resnet, "ex.07.4.accuracy"),
    (lambda: small_mnist_resnet(residual=False), "ex.07.4.no_add"),
    (lambda: toy_resnet(2), "ex.07.4.input"),
]
