"""Chapter 04 (shared layers): a layer twice in a chain, a siamese model, summed gradients.

Example:
    >>> from keras_lens import exercises
    >>> [e.exercise_id for e in exercises.list_exercises("04")]
    ['04.1', '04.2', '04.3']
"""

from __future__ import annotations

from keras_lens import i18n
from keras_lens.exercises._registry import Wrong, exercise, judge_choice, require_io, require_model

__all__: list[str] = []

i18n.register(
    {
        "ex.04.1.ok": (
            "it builds and calls `shared` twice with one kernel: (4·4 + 4) + (4·1 + 1) = 25 "
            "parameters. Sequential shares a layer too; what it cannot do is feed one layer "
            "from two different tensors, such as two inputs.",
            "模型可以构建，并用同一个权重矩阵调用 `shared` 两次：(4·4 + 4) + (4·1 + 1) = 25 个参数"
            "。"
            "Sequential 也能共享层；它做不到的是让一个层读取两个不同的张量（例如两个输入）。",
        ),
        "ex.04.1.error": (
            "no error: try it. Keras only refuses a layer whose input shape does not fit; "
            "Dense(4) on 4 numbers gives 4 numbers again.",
            "不会报错：试试看。Keras 只会拒绝输入形状不匹配的层；Dense(4) 作用在 4 个数上仍然得到 "
            "4 个数。",
        ),
        "ex.04.1.copy": (
            "Keras never copies a layer behind your back: `model.layers` holds the one object, "
            "and count_params() is 25, not 45.",
            "Keras 从不暗中复制层：`model.layers` 里只有那一个对象，count_params() 是 25 而不是 45"
            "。",
        ),
        "ex.04.2.ok": (
            "50,369 parameters: the shared Dense(64) counts once, 784·64 + 64, then 2·64 + 1.",
            "共 50,369 个参数：共享的 Dense(64) 只算一次，784·64 + 64，再加 2·64 + 1。",
        ),
        "ex.04.2.inputs": (
            "`siamese` should have two inputs of shape (None, 784); it has {inputs}.",
            "`siamese` 应该有两个形状为 (None, 784) 的输入；它现在有 {inputs}。",
        ),
        "ex.04.2.not_shared": (
            "no layer of `siamese` is called twice: create one Dense(64) object and call it on "
            "both inputs (shared(left), shared(right)).",
            "`siamese` 中没有被调用两次的层：只创建一个 Dense(64) 对象，并在两个输入上调用它"
            "（shared(left)、shared(right)）。",
        ),
        "ex.04.2.output": (
            "`siamese` should output one probability per pair, (None, 1); it outputs {outputs}.",
            "`siamese` 应该对每一对输入输出一个概率 (None, 1)；它现在输出 {outputs}。",
        ),
        "ex.04.2.count": (
            "{count:,} parameters, not 50,369: the shared layer is Dense(64), the head Dense(1).",
            "{count:,} 个参数，而不是 50,369：共享层是 Dense(64)，输出头是 Dense(1)。",
        ),
        "ex.04.3.ok": (
            "the two calls' gradients add up: a + b = [[4], [6]]. One kernel, two uses, one sum.",
            "两次调用的梯度相加：a + b = [[4], [6]]。一个权重矩阵，用了两次，梯度求和。",
        ),
        "ex.04.3.first": (
            "that is the gradient of the first call only; the kernel is used by both calls, so "
            "both contribute.",
            "这只是第一次调用的梯度；两次调用都用了这个权重矩阵，所以两次都有贡献。",
        ),
        "ex.04.3.mean": (
            "GradientTape does not average over calls: it sums, as for any variable used twice.",
            "GradientTape 不会对多次调用取平均：它求和，和任何被使用两次的变量一样。",
        ),
    }
)


@exercise("04.1", points=1, title=("A shared layer in a chain", "链中的共享层"))
def _chain(answer_04_1):
    """`answer_04_1`: "a", "b" or "c"."""
    wrong = {"a": "ex.04.1.error", "c": "ex.04.1.copy"}
    return judge_choice(answer_04_1, "answer_04_1", right="b", wrong=wrong, ok="ex.04.1.ok")


_chain.wrong_answers = [(lambda: "a", "ex.04.1.error"), (lambda: "c", "ex.04.1.copy")]
_chain.right_answers = [lambda: "b"]


def _siamese(shared=True, two_inputs=True):
    import keras
    from keras import layers

    left = keras.Input(shape=(784,))
    right = keras.Input(shape=(784,)) if two_inputs else left
    first = layers.Dense(64, activation="relu")
    second = first if shared else layers.Dense(64, activation="relu")
    merged = layers.concatenate([first(left), second(right)])
    inputs = [left, right] if two_inputs else left
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(merged))


@exercise("04.2", points=2, title=("A siamese model", "孪生模型"))
def _siamese_check(siamese):
    """`siamese`: a keras.Model with two (None, 784) inputs and one shared Dense(64)."""
    from keras_lens.adapter import build_layer_graph

    require_model(siamese, "siamese")
    two_inputs = "(None, 784), (None, 784)"
    require_io(
        siamese, inputs=two_inputs, outputs="(None, 1)", key=("ex.04.2.inputs", "ex.04.2.output")
    )
    if not build_layer_graph(siamese).shared_layers:
        raise Wrong("ex.04.2.not_shared")
    if siamese.count_params() != 50_369:
        raise Wrong("ex.04.2.count", count=siamese.count_params())
    return "ex.04.2.ok"


_siamese_check.wrong_answers = [
    (lambda: _siamese(shared=False), "ex.04.2.not_shared"),
    (lambda: _siamese(two_inputs=False), "ex.04.2.inputs"),
]
_siamese_check.right_answers = [_siamese]


@exercise("04.3", points=1, title=("The gradient of a shared layer", "共享层的梯度"))
def _gradient(answer_04_3):
    """`answer_04_3`: "a", "b" or "c"."""
    wrong = {"a": "ex.04.3.first", "c": "ex.04.3.mean"}
    return judge_choice(answer_04_3, "answer_04_3", right="b", wrong=wrong, ok="ex.04.3.ok")


_gradient.wrong_answers = [(lambda: "a", "ex.04.3.first"), (lambda: "c", "ex.04.3.mean")]
_gradient.right_answers = [lambda: "b"]
