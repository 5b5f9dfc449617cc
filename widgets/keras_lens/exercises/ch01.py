"""Chapter 01 (Sequential or functional?): what only the functional API can say; a rewrite.

Example:
    >>> from keras_lens import exercises
    >>> [e.exercise_id for e in exercises.list_exercises("01")]
    ['01.1', '01.2']
"""

from __future__ import annotations

from keras_lens import i18n
from keras_lens.exercises._registry import Wrong, exercise, judge_choice, require_io, require_model

__all__: list[str] = []

i18n.register(
    {
        "ex.01.1.ok": (
            "a list of layers has one input and one output, each layer reading the previous "
            "one's output; two inputs merged by concatenate need the functional API.",
            "层的列表只有一个输入和一个输出，每一层读取上一层的输出；两个输入用 concatenate "
            "合并，就需要函数式 API。",
        ),
        "ex.01.1.chain": (
            "Dense(512) then Dense(10) on one input is a plain chain: Sequential([keras.Input("
            "(784,)), Dense(512), Dense(10)]) writes it.",
            "在一个输入上先 Dense(512) 再 Dense(10) 是一条简单的链：Sequential([keras.Input("
            "(784,)), Dense(512), Dense(10)]) 就能写出来。",
        ),
        "ex.01.1.dropout": (
            "Dropout is one more layer in the chain; Sequential handles it (it only behaves "
            "differently in training and inference).",
            "Dropout 只是链中的又一层；Sequential 可以处理它（它只是在训练和推理时表现不同）。",
        ),
        "ex.01.2.ok": (
            "a functional model with 1·2 + 2 + 2·1 + 1 = 7 parameters.",
            "一个有 1·2 + 2 + 2·1 + 1 = 7 个参数的函数式模型。",
        ),
        "ex.01.2.sequential": (
            "`functional_7` is a Sequential model: build it with x = keras.Input(shape=(1,)), "
            "calls of Dense layers on tensors, and keras.Model(inputs, outputs).",
            "`functional_7` 是一个 Sequential 模型：请用 x = keras.Input(shape=(1,))、在张量上调用 "
            "Dense 层，再用 keras.Model(inputs, outputs) 构建。",
        ),
        "ex.01.2.shape": (
            "the document's model takes 1 number and outputs 1 number; yours takes {inputs} "
            "and outputs {outputs}.",
            "文档中的模型输入 1 个数、输出 1 个数；你的模型输入 {inputs}，输出 {outputs}。",
        ),
        "ex.01.2.count": (
            "{count} parameters: the document's model has a Dense(2) hidden layer and a Dense(1) "
            "output, 7 parameters in all.",
            "{count} 个参数：文档中的模型有一个 Dense(2) 隐藏层和一个 Dense(1) 输出层，共 7 个参数"
            "。",
        ),
    }
)


@exercise("01.1", points=1, title=("What needs the functional API?", "什么需要函数式 API？"))
def _needs_functional(answer_01_1):
    """`answer_01_1`: "a", "b" or "c"."""
    wrong = {"a": "ex.01.1.chain", "c": "ex.01.1.dropout"}
    return judge_choice(answer_01_1, "answer_01_1", right="b", wrong=wrong, ok="ex.01.1.ok")


_needs_functional.wrong_answers = [(lambda: "a", "ex.01.1.chain"), (lambda: "c", "ex.01.1.dropout")]
_needs_functional.right_answers = [lambda: "b"]


def _seven(hidden=2, sequential=False):
    import keras
    from keras import layers

    if sequential:
        return keras.Sequential([keras.Input((1,)), layers.Dense(hidden), layers.Dense(1)])
    x_in = keras.Input(shape=(1,))
    return keras.Model(x_in, layers.Dense(1)(layers.Dense(hidden)(x_in)))


@exercise("01.2", points=2, title=("The 7-parameter model, functional", "7 个参数的模型（函数式）"))
def _functional_seven(functional_7):
    """`functional_7`: a keras.Model built with keras.Input and keras.Model (not Sequential)."""
    import keras

    require_model(functional_7, "functional_7")
    if isinstance(functional_7, keras.Sequential):
        raise Wrong("ex.01.2.sequential")
    require_io(functional_7, inputs="(None, 1)", outputs="(None, 1)", key="ex.01.2.shape")
    if functional_7.count_params() != 7:
        raise Wrong("ex.01.2.count", count=functional_7.count_params())
    return "ex.01.2.ok"


_functional_seven.wrong_answers = [
    (lambda: _seven(sequential=True), "ex.01.2.sequential"),
    (lambda: _seven(hidden=3), "ex.01.2.count"),
    (lambda: 7, "exercises.not_model"),
]
_functional_seven.right_answers = [_seven]
