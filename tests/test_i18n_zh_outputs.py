"""The texts keras_lens prints or returns are Chinese in zh-CN, with the same numbers.

Each test renders one text in both languages: the zh-CN text must contain Chinese characters
and every number of the English one, and must not contain the English sentence; the English
text is checked against its exact wording (the English notebooks compare it byte for byte).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from keras_lens import datasets, i18n
from keras_lens.records.formulas import param_formula
from keras_lens.render import formula_words

CJK = re.compile(r"[\u4e00-\u9fff]")


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*", text)


def _both(make) -> tuple[str, str]:
    with i18n.language("en"):
        english = make()
    with i18n.language("zh-CN"):
        chinese = make()
    return english, chinese


def _assert_chinese(english: str, chinese: str) -> None:
    assert CJK.search(chinese), chinese
    assert not CJK.search(english), english
    assert _numbers(chinese) == _numbers(english), (english, chinese)


def test_dataset_line_is_chinese(capsys):
    def line() -> str:
        datasets.load_mnist(source="bundled")
        return capsys.readouterr().out.strip()

    english, chinese = _both(line)
    assert english == (
        "[keras_lens] MNIST from the bundled real sample (official MNIST test files, LeCun & "
        "Cortes, CC BY-SA 3.0): 8,000 train + 2,000 test images"
    )
    _assert_chinese(english, chinese)
    assert "LeCun & Cortes, CC BY-SA 3.0" in chinese  # names and licence stay as they are
    assert "train" not in chinese and "images" not in chinese


@pytest.mark.parametrize(
    ("class_name", "config", "shapes", "english", "chinese"),
    [
        ("Dense", {"use_bias": True}, [(784, 64), (64,)], "(inputs + bias)*units", "偏置"),
        (
            "Conv2D",
            {"use_bias": True},
            [(3, 3, 1, 32), (32,)],
            "(kernel_h*kernel_w*in_channels + bias)*filters",
            "偏置",
        ),
        (
            "Embedding",
            {},
            [(10000, 16)],
            "input_dim*output_dim (one vector per token)",
            "每个词元一个向量",
        ),
        ("Flatten", {}, [], "no weights: this layer only transforms its input", "没有权重"),
        (
            "BatchNormalization",
            {},
            [(8,), (8,), (8,), (8,)],
            "per channel: trainable gamma and beta; non-trainable moving_mean and moving_variance",
            "可训练的 gamma 和 beta",
        ),
    ],
)
def test_formula_explanations_are_chinese(class_name, config, shapes, english, chinese):
    formula = param_formula(class_name, config, shapes)
    en, zh = _both(lambda: formula_words.explanation(formula))
    assert en == english == formula.explanation
    assert chinese in zh and CJK.search(zh)
    assert not re.search(r"\b(bias|inputs|per|weights|trainable)\b", zh), zh
    assert formula.text in ("0", formula.text)  # the formula itself is not translated


def test_public_explain_formula_follows_the_language():
    import keras_lens

    formula = keras_lens.param_formula("Embedding", {}, [(10000, 16)])
    with i18n.language("zh-CN"):
        assert keras_lens.explain_formula(formula) == "input_dim*output_dim（每个词元一个向量）"
    assert keras_lens.explain_formula(formula) == formula.explanation


def test_wrapped_formula_translates_the_inner_explanation():
    gru = [(3, 12), (4, 12), (2, 12)]
    formula = param_formula("Bidirectional", {"layer": "GRU(units=4, reset_after=True)"}, gru * 2)
    en, zh = _both(lambda: formula_words.explanation(formula))
    assert en == formula.explanation
    assert en.startswith("2 directions (forward and backward GRU), each 3 gates*")
    assert "正向和反向 GRU" in zh and "3 个门*" in zh and "2 个偏置" in zh
    assert "gates" not in zh and "biases" not in zh


keras = pytest.importorskip("keras")


def _model():
    inputs = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(3, name="hidden")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name="out")(hidden), name="tiny")


def test_trace_text_and_verdicts_are_chinese():
    from keras_lens.views.shape_trace import trace_shapes

    model = _model()
    x = np.zeros((8, 4), "float32")
    en, zh = _both(lambda: trace_shapes(model, x).to_text())
    assert en.splitlines()[-1] == "Traced with a batch of 8: all real shapes fit."
    head = [cell.strip() for cell in en.splitlines()[1].split(" | ")]
    assert head == ["Layer (type)", "Symbolic shape", "Actual shape", "OK"]
    _assert_chinese(en.splitlines()[-1], zh.splitlines()[-1])
    assert "符号形状" in zh and "实际形状" in zh and "Traced" not in zh and "yes" not in zh
    # the columns line up in a monospace font (a CJK character takes two columns)
    import unicodedata

    def width(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    rows = [line for line in zh.splitlines()[1:] if " | " in line]
    bars = {tuple(width(line[: m.start()]) for m in re.finditer(r" \| ", line)) for line in rows}
    assert len({b[:2] for b in bars}) == 1, zh
    symbolic = trace_shapes(model)
    from keras_lens.views import shapes_view  # registers the widget's "shapes.*" wording

    en, zh = _both(lambda: shapes_view._verdict(symbolic))
    assert en == "Symbolic shapes only: pass sample= (a real batch) to see the actual ones."
    assert CJK.search(zh) and "sample=" in zh


def test_compare_headline_and_table_are_chinese():
    from keras_lens.views.compare_view import compare

    result = compare(_model(), _model())
    en, zh = _both(result.table.headline)
    assert en == "0 shared layer objects, 3 equal, 0 differing, 0 only in 'tiny', 0 only in 'tiny'"
    _assert_chinese(en, zh)
    assert "shared" not in zh and "equal" not in zh
    en_text, zh_text = _both(result.table.to_text)
    assert "status" in en_text and "状态" in zh_text and "相同" in zh_text
    assert "equal" not in zh_text
    with i18n.language("zh-CN"):  # the Python repr stays English
        assert repr(result).startswith("<Compare 'tiny' vs 'tiny': 0 shared layer objects, 3 equal")


def test_details_card_is_chinese():
    from keras_lens.adapter._checks import graph_of
    from keras_lens.render.details import layer_details_html

    graph = graph_of(_model(), "inspect")
    key = graph.layers[-1].key
    en, zh = _both(lambda: layer_details_html(graph, key))
    assert "Parameters: <code>(3+1)*2 = 8</code> <i>((inputs + bias)*units)</i>" in en
    assert "参数：<code>(3+1)*2 = 8</code> <i>((输入数 + 偏置)*units)</i>" in zh
    for word in ("Parameters", "Weights", "Config", ">trainable</th>", "connected to", "inputs"):
        assert word not in zh, word
