"""keras_lens.records.formulas: each formula's total equals Keras's ``layer.count_params()``."""

from __future__ import annotations

import ast
import operator

import pytest

keras = pytest.importorskip("keras")
layers = keras.layers

from keras_lens.records.formulas import Formula, generic_formula, param_formula  # noqa: E402

_OPS = {ast.Add: operator.add, ast.Mult: operator.mul}


def _evaluate(text: str) -> int:
    """Evaluate a formula's text (integers, + and * only) without trusting the code under test."""

    def walk(node: ast.AST) -> int:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        raise AssertionError(f"unexpected syntax in formula text {text!r}")

    return walk(ast.parse(text, mode="eval"))


def _built(layer, *shapes):
    layer.build(*shapes)
    return layer


def _formula(layer) -> Formula:
    return param_formula(
        layer.__class__.__name__, layer.get_config(), [tuple(w.shape) for w in layer.weights]
    )


CASES = [
    ("dense", lambda: _built(layers.Dense(10), (None, 64))),
    ("dense_nobias", lambda: _built(layers.Dense(7, use_bias=False), (None, 5))),
    ("dense_3d_input", lambda: _built(layers.Dense(10), (None, 4, 4, 3))),
    ("conv1d", lambda: _built(layers.Conv1D(8, 5), (None, 20, 3))),
    ("conv2d", lambda: _built(layers.Conv2D(32, 3), (None, 28, 28, 3))),
    (
        "conv2d_rect_nobias",
        lambda: _built(layers.Conv2D(4, (2, 5), use_bias=False), (None, 9, 9, 2)),
    ),
    ("conv2d_groups", lambda: _built(layers.Conv2D(6, 3, groups=2), (None, 8, 8, 4))),
    ("conv3d", lambda: _built(layers.Conv3D(4, 3), (None, 6, 6, 6, 2))),
    ("conv2d_transpose", lambda: _built(layers.Conv2DTranspose(5, 3), (None, 8, 8, 2))),
    (
        "conv2d_transpose_nobias",
        lambda: _built(layers.Conv2DTranspose(5, (2, 4), use_bias=False), (None, 8, 8, 3)),
    ),
    ("depthwise", lambda: _built(layers.DepthwiseConv2D(3, depth_multiplier=2), (None, 8, 8, 4))),
    ("separable", lambda: _built(layers.SeparableConv2D(5, 3), (None, 8, 8, 4))),
    ("embedding", lambda: _built(layers.Embedding(1000, 128), (None, 10))),
    ("lstm", lambda: _built(layers.LSTM(128), (None, 784, 1))),
    ("lstm_nobias", lambda: _built(layers.LSTM(4, use_bias=False), (None, 5, 3))),
    ("gru_reset_after", lambda: _built(layers.GRU(4, reset_after=True), (None, 5, 3))),
    ("gru_reset_before", lambda: _built(layers.GRU(4, reset_after=False), (None, 5, 3))),
    ("gru_nobias", lambda: _built(layers.GRU(6, use_bias=False), (None, 5, 2))),
    ("simple_rnn", lambda: _built(layers.SimpleRNN(4), (None, 5, 3))),
    ("batchnorm", lambda: _built(layers.BatchNormalization(), (None, 8, 8, 16))),
    ("batchnorm_no_center", lambda: _built(layers.BatchNormalization(center=False), (None, 3))),
    ("batchnorm_axis1", lambda: _built(layers.BatchNormalization(axis=1), (None, 5, 7))),
    ("layernorm", lambda: _built(layers.LayerNormalization(), (None, 5, 3))),
    ("layernorm_no_scale", lambda: _built(layers.LayerNormalization(scale=False), (None, 3))),
    (
        "time_distributed",
        lambda: _built(layers.TimeDistributed(layers.Dense(4)), (None, 5, 3)),
    ),
    (
        "bidirectional_lstm",
        lambda: _built(layers.Bidirectional(layers.LSTM(4)), (None, 5, 3)),
    ),
    (
        "bidirectional_gru_nobias",
        lambda: _built(layers.Bidirectional(layers.GRU(3, use_bias=False)), (None, 5, 2)),
    ),
    ("prelu_generic", lambda: _built(layers.PReLU(), (None, 4, 3))),
    ("dense_lora_generic", lambda: _built(layers.Dense(3, lora_rank=2), (None, 4))),
]


def _mha(use_bias: bool = True, output_shape=None):
    layer = layers.MultiHeadAttention(
        num_heads=2, key_dim=3, value_dim=5, use_bias=use_bias, output_shape=output_shape
    )
    layer.build((None, 5, 4), (None, 6, 7))
    return layer


CASES += [
    ("mha", _mha),
    ("mha_nobias", lambda: _mha(use_bias=False)),
    ("mha_output_shape", lambda: _mha(output_shape=(9,))),
]


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_total_matches_count_params(make):
    layer = make()
    formula = _formula(layer)
    assert formula.total == layer.count_params()
    assert _evaluate(formula.text) == layer.count_params()
    assert formula.explanation


def test_textbook_examples():
    conv = _formula(_built(layers.Conv2D(32, 3), (None, 28, 28, 3)))
    assert (conv.text, conv.total) == ("(3*3*3+1)*32", 896)
    assert conv.explanation == "(kernel_h*kernel_w*in_channels + bias)*filters"
    dense = _formula(_built(layers.Dense(64), (None, 784)))
    assert (dense.text, dense.total) == ("(784+1)*64", 50_240)
    lstm = _formula(_built(layers.LSTM(128), (None, 784, 1)))
    assert lstm.text == "4*(1+128+1)*128"
    assert "4 gates" in lstm.explanation


def test_gru_reset_after_mentions_two_biases():
    after = _formula(_built(layers.GRU(4, reset_after=True), (None, 5, 3)))
    before = _formula(_built(layers.GRU(4, reset_after=False), (None, 5, 3)))
    assert after.text == "3*(3+4+2)*4" and before.text == "3*(3+4+1)*4"
    assert "2 biases" in after.explanation


def test_batchnorm_names_trainable_and_moving_stats():
    formula = _formula(_built(layers.BatchNormalization(), (None, 16)))
    assert formula.text == "2*16 + 2*16"
    assert "trainable gamma and beta" in formula.explanation
    assert "non-trainable moving_mean and moving_variance" in formula.explanation


def test_wrappers_explain_the_inner_layer():
    bi = _formula(_built(layers.Bidirectional(layers.LSTM(4)), (None, 5, 3)))
    assert bi.text == "2*(4*(3+4+1)*4)"
    assert "2 directions" in bi.explanation
    td = _formula(_built(layers.TimeDistributed(layers.Dense(4)), (None, 5, 3)))
    assert td.text == "(3+1)*4" and "every time step" in td.explanation


def test_mismatching_config_falls_back_to_generic():
    # use_bias claims False but a bias weight is present: never return a wrong number
    formula = param_formula("Dense", {"use_bias": False}, [(3, 4), (4,)])
    assert formula == generic_formula([(3, 4), (4,)])
    assert formula.text == "3*4 + 4" and formula.total == 16


def test_unknown_class_and_no_weights():
    assert param_formula("MyLayer", {}, [(2, 3), ()]).text == "2*3 + 1"
    empty = param_formula("Flatten", {}, [])
    assert (empty.text, empty.total) == ("0", 0)


def test_unknown_dimension_is_a_clear_error():
    with pytest.raises(ValueError, match="build the layer"):
        param_formula("Dense", {}, [(None, 4)])


def test_wrapper_config_as_short_text():
    # keras_lens.records shortens nested configs to text such as "Dense(units=4, ...)"
    shapes = [(3, 4), (4,)]
    formula = param_formula("TimeDistributed", {"layer": "Dense(units=4, use_bias=True, …"}, shapes)
    assert formula.text == "(3+1)*4" and "Dense" in formula.explanation
    gru = [(3, 12), (4, 12), (12,)]
    bi = param_formula("Bidirectional", {"layer": "GRU(units=4, reset_after=False)"}, gru + gru)
    assert bi.text == "2*(3*(3+4+1)*4)"


def test_layer_record_formula_shortcut():
    """``LayerRecord.formula()`` gives the same arithmetic as ``param_formula`` on its fields."""
    import keras
    from keras_lens.adapter import build_layer_graph

    inputs = keras.Input(shape=(28, 28, 3))
    outputs = keras.layers.Conv2D(32, 3, name="conv")(inputs)
    layer = build_layer_graph(keras.Model(inputs, outputs)).layer("conv")
    assert (layer.formula().text, layer.formula().total) == ("(3*3*3+1)*32", 896)
