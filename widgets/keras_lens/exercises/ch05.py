"""Chapter 05 (several inputs and outputs): losses by name, an auxiliary head, a two-task run.

Example:
    >>> from keras_lens import exercises
    >>> [e.exercise_id for e in exercises.list_exercises("05")]
    ['05.1', '05.2', '05.3']
"""

from __future__ import annotations

import numpy as np

from keras_lens import i18n
from keras_lens.exercises._mnist import mnist_test, predict_quietly
from keras_lens.exercises._registry import Wrong, exercise, io_text, judge_choice, require_model

__all__: list[str] = []

#: 05.3's bars (worked solution, 4 seeds: digit 0.928-0.947, parity 0.947-0.968, 12 s CPU).
BAR_05_3_DIGIT = 0.91
BAR_05_3_PARITY = 0.93

i18n.register(
    {
        "ex.05.1.ok": (
            "a dict pairs each loss (and target) with the output of that name; with lists, "
            "reordering `outputs` silently pairs a loss with the wrong output.",
            "字典按名称把每个损失（和目标）与同名的输出配对；用列表的话，调整 `outputs` 的顺序会"
            "悄无声息地把损失配给错误的输出。",
        ),
        "ex.05.1.speed": (
            "dicts and lists compile to the same computation; neither is faster.",
            "字典和列表编译出来的计算是一样的；谁也不比谁快。",
        ),
        "ex.05.1.required": (
            "Keras 3 accepts lists too (this chapter compiles the model both ways).",
            "Keras 3 也接受列表（本章用两种方式编译了这个模型）。",
        ),
        "ex.05.2.ok": (
            "two outputs; `aux` reads only the grey branch, 13·13·16·10 + 10 = 27,050 new "
            "parameters: 451,924.",
            "两个输出；`aux` 只读取灰度分支，新增 13·13·16·10 + 10 = 27,050 个参数：共 451,924。",
        ),
        "ex.05.2.inputs": (
            "`aux_model` should keep the two inputs, (64, 64, 1) and (32, 32, 3); it has {inputs}.",
            "`aux_model` 应该保留两个输入 (64, 64, 1) 和 (32, 32, 3)；它现在有 {inputs}。",
        ),
        "ex.05.2.outputs": (
            "`aux_model` should have two outputs of shape (None, 10), [output, aux]; it has "
            "{outputs}.",
            "`aux_model` 应该有两个形状为 (None, 10) 的输出 [output, aux]；它现在是 {outputs}。",
        ),
        "ex.05.2.branch": (
            "the second output changes when only the colour image changes: put `aux` on the "
            "grey branch (flat1), not on the merged features.",
            "只改变彩色图像时第二个输出也变了：请把 `aux` 放在灰度分支（flat1）上，而不是合并后的"
            "特征上。",
        ),
        "ex.05.2.count": (
            "{count:,} parameters: the section 1 model has 424,874, and Dense(10) on the grey "
            "branch's 13·13·16 = 2,704 features adds 27,050, so 451,924.",
            "{count:,} 个参数：第 1 节的模型有 424,874 个，在灰度分支的 13·13·16 = 2,704 个特征上"
            "加 Dense(10) 会增加 27,050 个，所以是 451,924。",
        ),
        "ex.05.3.ok": (
            "digit accuracy at least {digit_bar:.2f} and parity accuracy at least {parity_bar:.2f} "
            "on the 2,000 bundled test images.",
            "在 2,000 张内置测试图片上，数字准确率至少 {digit_bar:.2f}，奇偶准确率至少 "
            "{parity_bar:.2f}。",
        ),
        "ex.05.3.names": (
            '`two_task_model` should have two outputs named "digit" and "parity"; its outputs '
            'are {names}. Name the output layers (name="digit").',
            '`two_task_model` 应该有两个名为 "digit" 和 "parity" 的输出；它的输出是 {names}。'
            '请给输出层命名（name="digit"）。',
        ),
        "ex.05.3.shape": (
            "`two_task_model` should read (None, 28, 28, 1) and output digit (None, 10) and "
            "parity (None, 1); it reads {inputs} and outputs {outputs}.",
            "`two_task_model` 应该读取 (None, 28, 28, 1)，输出 digit (None, 10) 和 parity "
            "(None, 1)；它现在读取 {inputs}，输出 {outputs}。",
        ),
        "ex.05.3.low": (
            "digit accuracy {digit:.3f} (bar {digit_bar:.2f}), parity accuracy {parity:.3f} "
            "(bar {parity_bar:.2f}): train both outputs, with one loss each (dict keyed by "
            "name), for 3 epochs.",
            "数字准确率 {digit:.3f}（要求 {digit_bar:.2f}），奇偶准确率 {parity:.3f}（要求 "
            "{parity_bar:.2f}）：两个输出都要训练，每个一个损失（按名称的字典），训练 3 个 epoch。",
        ),
    }
)


@exercise("05.1", points=1, title=("Why losses by name?", "为什么按名称指定损失？"))
def _by_name(answer_05_1):
    """`answer_05_1`: "a", "b" or "c"."""
    wrong = {"a": "ex.05.1.speed", "c": "ex.05.1.required"}
    return judge_choice(answer_05_1, "answer_05_1", right="b", wrong=wrong, ok="ex.05.1.ok")


_by_name.wrong_answers = [(lambda: "a", "ex.05.1.speed"), (lambda: "c", "ex.05.1.required")]
_by_name.right_answers = [lambda: "b"]


def _two_input_model(aux_on="grey"):
    """The chapter's two-input image model (section 1) with an auxiliary head."""
    import keras
    from keras import layers

    gray = keras.Input(shape=(64, 64, 1))
    conv11 = layers.Conv2D(32, 4, activation="relu")(gray)
    pool11 = layers.MaxPool2D(2)(conv11)
    conv12 = layers.Conv2D(16, 4, activation="relu")(pool11)
    flat1 = layers.Flatten()(layers.MaxPool2D(2)(conv12))
    rgb = keras.Input(shape=(32, 32, 3))
    conv21 = layers.Conv2D(32, 4, activation="relu")(rgb)
    pool21 = layers.MaxPool2D(2)(conv21)
    conv22 = layers.Conv2D(16, 4, activation="relu")(pool21)
    flat2 = layers.Flatten()(layers.MaxPool2D(2)(conv22))
    merge = layers.concatenate([flat1, flat2])
    hidden = layers.Dense(64, activation="relu")(layers.Dense(128, activation="relu")(merge))
    output = layers.Dense(10, activation="softmax")(hidden)
    if aux_on is None:
        return keras.Model([gray, rgb], output)
    source = {"grey": flat1, "merge": merge}.get(aux_on)
    if aux_on == "grey_deep":
        source = layers.Dense(8, activation="relu")(flat1)
    aux = layers.Dense(10, activation="softmax", name="aux")(source)
    return keras.Model([gray, rgb], [output, aux])


@exercise("05.2", points=2, title=("An auxiliary output", "辅助输出"))
def _aux(aux_model):
    """`aux_model`: a keras.Model with outputs [output, aux], aux on the grey branch only."""
    require_model(aux_model, "aux_model")
    inputs, _ = io_text(aux_model)
    if inputs != "(None, 64, 64, 1), (None, 32, 32, 3)":
        raise Wrong("ex.05.2.inputs", inputs=inputs)
    shapes = aux_model.output_shape
    if not isinstance(shapes, list) or [tuple(s) for s in shapes] != [(None, 10)] * 2:
        raise Wrong("ex.05.2.outputs", outputs=str(shapes))
    rng = np.random.default_rng(0)
    gray = rng.random((2, 64, 64, 1)).astype("float32")
    rgb_a, rgb_b = rng.random((2, 2, 32, 32, 3)).astype("float32")
    aux_a = np.asarray(aux_model([gray, rgb_a])[1])
    aux_b = np.asarray(aux_model([gray, rgb_b])[1])
    if not np.allclose(aux_a, aux_b, atol=1e-6):
        raise Wrong("ex.05.2.branch")
    if aux_model.count_params() != 451_924:
        raise Wrong("ex.05.2.count", count=aux_model.count_params())
    return "ex.05.2.ok"


_aux.wrong_answers = [
    (lambda: _two_input_model(aux_on="merge"), "ex.05.2.branch"),
    (lambda: _two_input_model(aux_on=None), "ex.05.2.outputs"),
    (lambda: _two_input_model(aux_on="grey_deep"), "ex.05.2.count"),
]
_aux.right_answers = [_two_input_model]


def _two_task(names=("digit", "parity")):
    import keras
    from keras import layers

    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Flatten()(inputs)
    x = layers.Dense(32, activation="relu")(x)
    digit = layers.Dense(10, activation="softmax", name=names[0])(x)
    parity = layers.Dense(1, activation="sigmoid", name=names[1])(x)
    return keras.Model(inputs, {names[0]: digit, names[1]: parity})


def _outputs_by_name(model, predictions):
    if isinstance(predictions, dict):
        return predictions
    if not isinstance(predictions, (list, tuple)):
        predictions = [predictions]
    return dict(zip(model.output_names, predictions, strict=False))


@exercise("05.3", points=3, title=("Train two tasks at once", "同时训练两个任务"))
def _two_tasks(two_task_model):
    """`two_task_model`: a trained keras.Model, outputs "digit" (10) and "parity" (1, odd = 1)."""
    require_model(two_task_model, "two_task_model")
    names = list(two_task_model.output_names)
    if sorted(names) != ["digit", "parity"]:
        raise Wrong("ex.05.3.names", names=names)
    inputs, _ = io_text(two_task_model)
    x, y = mnist_test()
    out = _outputs_by_name(two_task_model, predict_quietly(two_task_model, x))
    digit_p, parity_p = np.asarray(out["digit"]), np.asarray(out["parity"])
    if inputs != "(None, 28, 28, 1)" or digit_p.shape[1:] != (10,) or parity_p.shape[1:] != (1,):
        raise Wrong(
            "ex.05.3.shape",
            inputs=inputs,
            outputs=f"digit {digit_p.shape[1:]}, parity {parity_p.shape[1:]}",
        )
    scores = {
        "digit": float((digit_p.argmax(axis=1) == y).mean()),
        "parity": float(((parity_p[:, 0] > 0.5) == (y % 2 == 1)).mean()),
        "digit_bar": BAR_05_3_DIGIT,
        "parity_bar": BAR_05_3_PARITY,
    }
    if scores["digit"] < BAR_05_3_DIGIT or scores["parity"] < BAR_05_3_PARITY:
        raise Wrong("ex.05.3.low", **scores)
    return "ex.05.3.ok", scores


_two_tasks.wrong_answers = [
    (lambda: _two_task(names=("digits", "odd")), "ex.05.3.names"),
    (_two_task, "ex.05.3.low"),  # right outputs, never trained
]
