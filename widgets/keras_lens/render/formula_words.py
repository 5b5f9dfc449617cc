"""The parameter-formula explanations in the reader's language.

``keras_lens.records.formulas`` builds each explanation as data (``Formula.words``) with the
English templates in ``WORDS``; this module registers every template with ``keras_lens.i18n``
next to its Chinese text and renders a formula's words in the current language. The formula
itself (``(784+1)*64``) and Keras argument names (``units``, ``use_bias=False``) are kept.

Example:
    >>> from keras_lens import i18n
    >>> from keras_lens.records.formulas import param_formula
    >>> f = param_formula("Dense", {"use_bias": True}, [(784, 64), (64,)])
    >>> explanation(f)
    '(inputs + bias)*units'
    >>> with i18n.language("zh-CN"):
    ...     explanation(f)
    '(输入数 + 偏置)*units'
"""

from __future__ import annotations

from typing import Any

from keras_lens import i18n
from keras_lens.records.formulas import WORDS, Formula, render_words

__all__ = ["ZH", "explain_formula", "explanation"]

#: The Chinese text of every key of ``records.formulas.WORDS``.
ZH: dict[str, str] = {
    "no_weights_op": "没有权重：这一层只变换它的输入",
    "no_weights": "没有权重",
    "sum_one": "{n} 个权重张量的形状各维之积",
    "sum_many": "{n} 个权重张量各自形状的乘积之和",
    "dense": "(输入数 + 偏置)*units",
    "dense_nobias": "输入数*units (use_bias=False)",
    "conv": "({names}*{channels} + 偏置)*filters",
    "depthwise": "({names} + 偏置)*in_channels*depth_multiplier",
    "separable": "逐深度 {names}*in_channels*depth_multiplier + 逐点 "
    "(in_channels*depth_multiplier + 偏置)*filters",
    "separable_nobias": "逐深度 {names}*in_channels*depth_multiplier + 逐点 "
    "(in_channels*depth_multiplier)*filters",
    "embedding": "input_dim*output_dim（每个词元一个向量）",
    "rnn_gates": "{n} 个门*",
    "rnn_bias": " + 偏置",
    "rnn_bias2": " + 2 个偏置 (reset_after=True)",
    "rnn": "{gates}(input_dim + units{bias})*units{suffix}",
    "and": "{a} 和 {b}",
    "bn": "每个通道：可训练的 {names}；不可训练的 moving_mean 和 moving_variance",
    "bn_frozen": "每个通道：不可训练的 moving_mean 和 moving_variance",
    "ln": "每个特征：{names}（均可训练）",
    "mha_part": "{name}：({name}_features + 偏置)*heads*{size}",
    "mha_part_nobias": "{name}：({name}_features)*heads*{size}",
    "mha_out": "输出：(heads*value_dim + 偏置)*output_dim",
    "mha_out_nobias": "输出：(heads*value_dim)*output_dim",
    "sep": "；",
    "time_distributed": "所有时间步共享同一个 {name}：{inner}",
    "bidirectional": "2 个方向（正向和反向 {name}），每个方向：{inner}",
    "bidirectional_two": "正向 {name}：{inner}；反向 {back}：{inner_back}",
}

i18n.register({f"formula.{key}": (text, ZH[key]) for key, text in WORDS.items()})


def _lookup(key: str, fields: dict[str, Any]) -> str:
    return i18n.t(f"formula.{key}", **fields)


def explanation(formula: Formula) -> str:
    """``formula.explanation`` in the current language (English: exactly the same text)."""
    if not formula.words:  # a Formula built by hand: only its English text is known
        return formula.explanation
    return render_words(formula.words, _lookup)


#: The public name: ``keras_lens.explain_formula(keras_lens.param_formula(...))``.
explain_formula = explanation
