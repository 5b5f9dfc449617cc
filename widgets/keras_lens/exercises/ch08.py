"""Checks of chapter 08 (feature extraction with VGG19): a block-3 extractor, the
convolutional base, and where VGG19's parameters are.

Example:
    >>> from keras_lens import exercises
    >>> exercises.check("08.3", "fc1")
    ✓ 08.3 ...
    CheckResult('08.3', passed, points=1)
"""

from __future__ import annotations

from typing import Any

from keras_lens import i18n
from keras_lens.exercises._registry import Wrong, exercise, require_model, require_output_shape

__all__: list[str] = []

VGG19_CONV_BASE_PARAMS = 20_024_384

i18n.register(
    {
        "ex.08.1.title": ("Only block 3", "只要第 3 块"),
        "ex.08.1.input": (
            "`block3_model` should start at VGG19's input, (None, 224, 224, 3); it starts at "
            "{shape}.",
            "`block3_model` 应从 VGG19 的输入 (None, 224, 224, 3) 开始；现在从 {shape} 开始。",
        ),
        "ex.08.1.count": (
            "`block3_model` returns {count} output(s); VGG19's block 3 has four convolutions "
            "(block3_conv1 ... block3_conv4), one output each.",
            "`block3_model` 返回 {count} 个输出；VGG19 的第 3 块有四个卷积层"
            "（block3_conv1 ... block3_conv4），每层一个输出。",
        ),
        "ex.08.1.shapes": (
            "Each output should be a block-3 feature map of shape (None, 56, 56, 256); yours are "
            "{shapes}. Did you include block3_pool or another block?",
            "每个输出都应是第 3 块的特征图，形状 (None, 56, 56, 256)；你的是 {shapes}。"
            "是不是把 block3_pool 或别的块也算进去了？",
        ),
        "ex.08.1.layers": (
            "`block3_model` should be built from VGG19's own layers (block3_conv1 ... "
            "block3_conv4); it has none named like that.",
            "`block3_model` 应由 VGG19 自己的层（block3_conv1 ... block3_conv4）构成；它里面没有"
            "这样命名的层。",
        ),
        "ex.08.1.ok": (
            "4 outputs of shape (None, 56, 56, 256), from block3_conv1 to block3_conv4.",
            "4 个输出，形状都是 (None, 56, 56, 256)，来自 block3_conv1 到 block3_conv4。",
        ),
        "ex.08.2.title": ("The convolutional base", "卷积基"),
        "ex.08.2.dense": (
            "`conv_base` still contains Dense layers ({names}): the convolutional base ends at "
            "block5_pool, before flatten and fc1.",
            "`conv_base` 里还有 Dense 层（{names}）：卷积基到 block5_pool 为止，不包括 flatten "
            "和 fc1。",
        ),
        "ex.08.2.params": (
            "`conv_base` has {count:,} parameters; VGG19 up to block5_pool has 20,024,384.",
            "`conv_base` 有 {count:,} 个参数；VGG19 到 block5_pool 为止有 20,024,384 个。",
        ),
        "ex.08.2.ok": (
            "20,024,384 parameters: the other 123,642,856 (86%) are in fc1, fc2 and predictions.",
            "20,024,384 个参数：其余 123,642,856 个（86%）在 fc1、fc2 和 predictions 里。",
        ),
        "ex.08.3.title": ("Where are the parameters?", "参数都在哪里？"),
        "ex.08.3.type": (
            '`answer_08_3` should be a layer name as a string, e.g. "block1_conv1"; it is '
            "{answer!r}.",
            '`answer_08_3` 应是一个层名（字符串），例如 "block1_conv1"；它现在是 {answer!r}。',
        ),
        "ex.08.3.wrong": (
            '"{answer}" has {count:,} parameters. Compare the Dense layers: a Dense layer has '
            "(inputs + 1) x units parameters, and the one after flatten sees 7 x 7 x 512 = 25,088 "
            "inputs.",
            '"{answer}" 有 {count:,} 个参数。比较一下几个 Dense 层：Dense 层有 (输入数 + 1) x 单'
            "元数 个参数，"
            "flatten 之后的那一层有 7 x 7 x 512 = 25,088 个输入。",
        ),
        "ex.08.3.unknown": (
            'VGG19 has no layer named "{answer}"; its layers are listed by vgg19.summary().',
            'VGG19 没有名为 "{answer}" 的层；vgg19.summary() 会列出它的所有层。',
        ),
        "ex.08.3.ok": (
            "fc1 = 25,088 x 4,096 + 4,096 = 102,764,544 parameters, 72% of VGG19.",
            "fc1 = 25,088 x 4,096 + 4,096 = 102,764,544 个参数，占 VGG19 的 72%。",
        ),
    }
)

#: Parameters of each VGG19 layer with parameters (from keras.applications.VGG19).
VGG19_LAYER_PARAMS = {
    "block1_conv1": 1_792,
    "block1_conv2": 36_928,
    "block2_conv1": 73_856,
    "block2_conv2": 147_584,
    "block3_conv1": 295_168,
    "block3_conv2": 590_080,
    "block3_conv3": 590_080,
    "block3_conv4": 590_080,
    "block4_conv1": 1_180_160,
    "block4_conv2": 2_359_808,
    "block4_conv3": 2_359_808,
    "block4_conv4": 2_359_808,
    "block5_conv1": 2_359_808,
    "block5_conv2": 2_359_808,
    "block5_conv3": 2_359_808,
    "block5_conv4": 2_359_808,
    "fc1": 102_764_544,
    "fc2": 16_781_312,
    "predictions": 4_097_000,
}
_NO_PARAMS = {"input_layer", "flatten"} | {f"block{i}_pool" for i in range(1, 6)}


def _title(key: str) -> tuple[str, str]:
    return i18n.catalogue()[key]  # type: ignore[return-value]


@exercise("08.1", points=2, title=_title("ex.08.1.title"))
def _block3(block3_model: Any) -> str:
    """`block3_model`: a keras.Model from vgg19.input to the outputs of block3_conv1..4."""
    require_model(block3_model, "block3_model")
    if tuple(block3_model.input_shape) != (None, 224, 224, 3):
        raise Wrong("ex.08.1.input", shape=block3_model.input_shape)
    outputs = block3_model.outputs
    if len(outputs) != 4:
        raise Wrong("ex.08.1.count", count=len(outputs))
    shapes = [tuple(t.shape) for t in outputs]
    if any(shape != (None, 56, 56, 256) for shape in shapes):
        raise Wrong("ex.08.1.shapes", shapes=", ".join(str(s) for s in shapes))
    names = {layer.name for layer in block3_model.layers}
    if not {f"block3_conv{i}" for i in range(1, 5)} <= names:
        raise Wrong("ex.08.1.layers")
    return "ex.08.1.ok"


def _vgg_base() -> Any:
    import keras

    return keras.applications.VGG19(weights=None, include_top=False, input_shape=(224, 224, 3))


def _sub_model(names: list[str]) -> Any:
    import keras

    base = _vgg_base()
    return keras.Model(base.input, [base.get_layer(n).output for n in names])


_block3.wrong_answers = [
    (lambda: _sub_model(["block3_conv4"]), "ex.08.1.count"),
    (
        lambda: _sub_model(["block3_conv2", "block3_conv3", "block3_conv4", "block3_pool"]),
        "ex.08.1.shapes",
    ),
]
_block3.right_answers = [lambda: _sub_model([f"block3_conv{i}" for i in range(1, 5)])]


@exercise("08.2", points=2, title=_title("ex.08.2.title"))
def _conv_base(conv_base: Any) -> str:
    """`conv_base`: a keras.Model from vgg19.input to the output of block5_pool."""
    require_model(conv_base, "conv_base")
    dense = [layer.name for layer in conv_base.layers if type(layer).__name__ == "Dense"]
    if dense:
        raise Wrong("ex.08.2.dense", names=", ".join(dense))
    require_output_shape(conv_base, (None, 7, 7, 512), "conv_base")
    if conv_base.count_params() != VGG19_CONV_BASE_PARAMS:
        raise Wrong("ex.08.2.params", count=conv_base.count_params())
    return "ex.08.2.ok"


def _base_to(name: str) -> Any:
    import keras

    base = _vgg_base()
    return keras.Model(base.input, base.get_layer(name).output)


def _with_head() -> Any:
    import keras
    from keras import layers

    base = _vgg_base()
    return keras.Model(base.input, layers.Dense(10)(layers.Flatten()(base.output)))


_conv_base.wrong_answers = [
    (lambda: _base_to("block5_conv4"), "exercises.output_shape"),
    (_with_head, "ex.08.2.dense"),
]
_conv_base.right_answers = [lambda: _base_to("block5_pool")]


@exercise("08.3", points=1, title=_title("ex.08.3.title"))
def _biggest_layer(answer_08_3: Any) -> str:
    """`answer_08_3`: the name (a string) of the VGG19 layer that holds the most parameters."""
    if not isinstance(answer_08_3, str) or not answer_08_3.strip():
        raise Wrong("ex.08.3.type", answer=answer_08_3)
    name = answer_08_3.strip().strip("'\"").lower()
    if name == "fc1":
        return "ex.08.3.ok"
    if name in VGG19_LAYER_PARAMS or name in _NO_PARAMS:
        raise Wrong("ex.08.3.wrong", answer=name, count=VGG19_LAYER_PARAMS.get(name, 0))
    raise Wrong("ex.08.3.unknown", answer=name)


_biggest_layer.wrong_answers = [
    (lambda: "fc2", "ex.08.3.wrong"),
    (lambda: "block5_conv4", "ex.08.3.wrong"),
    (lambda: "dense", "ex.08.3.unknown"),
    (lambda: 102_764_544, "ex.08.3.type"),
]
_biggest_layer.right_answers = [lambda: "fc1", lambda: " FC1 "]
