"""Parameter formulas: why a layer has the number of parameters it has.

Pure Python, no Keras import: the inputs are a layer's class name, its ``get_config()`` and the
shapes of its weights (in ``layer.weights`` order). Every formula is checked against the weight
shapes; when a formula does not match (an unusual configuration, LoRA, quantisation, a custom
layer) the generic sum of the weight sizes is returned instead, never a wrong number.

Example:
    >>> f = param_formula("Conv2D", {"use_bias": True}, [(3, 3, 3, 32), (32,)])
    >>> f.text, f.total
    ('(3*3*3+1)*32', 896)
    >>> f.explanation
    '(kernel_h*kernel_w*in_channels + bias)*filters'
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["WORDS", "Formula", "Words", "generic_formula", "param_formula", "render_words"]

Shapes = list[tuple[int, ...]]
#: An explanation as data: literal pieces and ``(key, ((field, value), ...))`` pieces, where a
#: value is plain text or nested ``Words``. ``render_words`` joins them in one language.
Words = tuple[Any, ...]

#: The English template of every explanation word key; ``keras_lens.render.formula_words``
#: registers each one with ``keras_lens.i18n`` together with its Chinese text.
WORDS: dict[str, str] = {
    "no_weights_op": "no weights: this layer only transforms its input",
    "no_weights": "no weights",
    "sum_one": "sum over the {n} weight tensor of the product of each shape",
    "sum_many": "sum over the {n} weight tensors of the product of each shape",
    "dense": "(inputs + bias)*units",
    "dense_nobias": "inputs*units (use_bias=False)",
    "conv": "({names}*{channels} + bias)*filters",
    "depthwise": "({names} + bias)*in_channels*depth_multiplier",
    "separable": "depthwise {names}*in_channels*depth_multiplier + pointwise "
    "(in_channels*depth_multiplier + bias)*filters",
    "separable_nobias": "depthwise {names}*in_channels*depth_multiplier + pointwise "
    "(in_channels*depth_multiplier)*filters",
    "embedding": "input_dim*output_dim (one vector per token)",
    "rnn_gates": "{n} gates*",
    "rnn_bias": " + bias",
    "rnn_bias2": " + 2 biases (reset_after=True)",
    "rnn": "{gates}(input_dim + units{bias})*units{suffix}",
    "and": "{a} and {b}",
    "bn": "per channel: trainable {names}; non-trainable moving_mean and moving_variance",
    "bn_frozen": "per channel: non-trainable moving_mean and moving_variance",
    "ln": "per feature: {names} (all trainable)",
    "mha_part": "{name}: ({name}_features + bias)*heads*{size}",
    "mha_part_nobias": "{name}: ({name}_features)*heads*{size}",
    "mha_out": "output: (heads*value_dim + bias)*output_dim",
    "mha_out_nobias": "output: (heads*value_dim)*output_dim",
    "sep": "; ",
    "time_distributed": "one {name} shared by every time step: {inner}",
    "bidirectional": "2 directions (forward and backward {name}), each {inner}",
    "bidirectional_two": "forward {name}: {inner}; backward {back}: {inner_back}",
}


def render_words(words: Words, lookup: Callable[[str, dict[str, Any]], str]) -> str:
    """Join ``words``; ``lookup(key, fields)`` gives one keyed piece's text.

    Example:
        >>> render_words(("x ", ("and", (("a", "gamma"), ("b", "beta")))), _english)
        'x gamma and beta'
    """
    out = []
    for piece in words:
        if isinstance(piece, str):
            out.append(piece)
            continue
        key, fields = piece
        values = {k: render_words(v, lookup) if isinstance(v, tuple) else v for k, v in fields}
        out.append(lookup(key, values))
    return "".join(out)


def _english(key: str, fields: dict[str, Any]) -> str:
    return WORDS[key].format(**fields)


def _w(key: str, **fields: Any) -> tuple[str, tuple[tuple[str, Any], ...]]:
    return (key, tuple(fields.items()))


@dataclass(frozen=True)
class Formula:
    """A parameter count written out: ``text`` evaluates to ``total``, ``explanation`` says why.

    ``explanation`` is English; ``words`` is the same explanation as data, for other languages
    (``keras_lens.render.formula_words.explanation``).
    """

    text: str
    total: int
    explanation: str
    words: Words = ()


def _formula(text: str, total: int, *words: Any) -> Formula:
    return Formula(text, total, render_words(words, _english), words)


def param_formula(
    class_name: str, config: Mapping[str, Any], weight_shapes: Sequence[tuple[int, ...]]
) -> Formula:
    """Return the formula behind a layer's parameter count.

    Example:
        >>> param_formula("Dense", {"use_bias": True}, [(64, 10), (10,)]).text
        '(64+1)*10'
    """
    shapes = _check_shapes(class_name, weight_shapes)
    if not shapes:
        return _formula("0", 0, _w("no_weights_op"))
    handler = _HANDLERS.get(class_name)
    if handler is not None:
        try:
            found = handler(dict(config or {}), shapes)
        except (IndexError, KeyError, TypeError, ValueError, ZeroDivisionError):
            found = None
        if found is not None and found.total == _size(shapes):
            return found
    return generic_formula(shapes)


def generic_formula(weight_shapes: Sequence[tuple[int, ...]]) -> Formula:
    """The sum of the weight sizes, each written as the product of its shape.

    Example:
        >>> generic_formula([(3, 4), (4,)]).text
        '3*4 + 4'
    """
    shapes = _check_shapes("generic", weight_shapes)
    if not shapes:
        return _formula("0", 0, _w("no_weights"))
    terms = [_product_text(shape) for shape in shapes]
    key = "sum_one" if len(shapes) == 1 else "sum_many"
    return _formula(" + ".join(terms), _size(shapes), _w(key, n=len(shapes)))


def _check_shapes(class_name: str, weight_shapes: Sequence[tuple[int, ...]]) -> Shapes:
    if weight_shapes is None:
        return []
    if (
        isinstance(weight_shapes, (str, bytes))
        or hasattr(weight_shapes, "dtype")  # an array of weights, not their shapes
        or not isinstance(weight_shapes, Iterable)
    ):
        raise TypeError(_NOT_SHAPES.format(weight_shapes))
    shapes: Shapes = []
    for shape in weight_shapes:
        if isinstance(shape, (str, bytes)) or not isinstance(shape, Iterable):
            raise TypeError(_NOT_SHAPES.format(weight_shapes))
        dims = tuple(int(d) if isinstance(d, numbers.Integral) else d for d in shape)
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims):
            raise ValueError(
                f"{class_name}: weight shape {dims!r} is not fully known; build the layer "
                "(call it on an input or give the model an Input) before asking for its formula."
            )
        shapes.append(tuple(int(d) for d in dims))
    return shapes


_NOT_SHAPES = (
    "weight_shapes must be a list of weight shapes, one tuple per weight, e.g. "
    "[(784, 64), (64,)] for a Dense layer's kernel and bias (a layer's `weight_shapes` record, "
    "or `[tuple(w.shape) for w in layer.weights]`); got {!r:.80}."
)


def _size(shapes: Shapes) -> int:
    return sum(math.prod(shape) for shape in shapes)


def _product_text(shape: tuple[int, ...]) -> str:
    return "*".join(str(d) for d in shape) if shape else "1"


def _bias(config: Mapping[str, Any]) -> bool:
    return bool(config.get("use_bias", True))


def _dense(config: dict[str, Any], shapes: Shapes) -> Formula:
    n_in, units = shapes[0]
    if _bias(config):
        return _formula(f"({n_in}+1)*{units}", (n_in + 1) * units, _w("dense"))
    return _formula(f"{n_in}*{units}", n_in * units, _w("dense_nobias"))


_AXES = {1: ["kernel_w"], 2: ["kernel_h", "kernel_w"], 3: ["kernel_d", "kernel_h", "kernel_w"]}


def _conv(config: dict[str, Any], shapes: Shapes) -> Formula:
    *kernel, per_group_in, filters = shapes[0]
    groups = int(config.get("groups", 1) or 1)
    channels = "in_channels/groups" if groups > 1 else "in_channels"
    return _conv_like(kernel, per_group_in, filters, channels, _bias(config))


def _conv_transpose(config: dict[str, Any], shapes: Shapes) -> Formula:
    *kernel, filters, n_in = shapes[0]
    return _conv_like(kernel, n_in, filters, "in_channels", _bias(config))


def _conv_like(kernel: list[int], n_in: int, filters: int, channels: str, bias: bool) -> Formula:
    names = "*".join(_AXES[len(kernel)])
    inner = "*".join(str(k) for k in [*kernel, n_in])
    size = math.prod(kernel) * n_in
    if bias:
        words = _w("conv", names=names, channels=channels)
        return _formula(f"({inner}+1)*{filters}", (size + 1) * filters, words)
    return _formula(
        f"{inner}*{filters}", size * filters, f"{names}*{channels}*filters (use_bias=False)"
    )


def _depthwise(config: dict[str, Any], shapes: Shapes) -> Formula:
    *kernel, n_in, mult = shapes[0]
    names = "*".join(_AXES[len(kernel)])
    ks = "*".join(str(k) for k in kernel)
    if _bias(config):
        total = (math.prod(kernel) + 1) * n_in * mult
        return _formula(f"({ks}+1)*{n_in}*{mult}", total, _w("depthwise", names=names))
    return _formula(
        f"{ks}*{n_in}*{mult}",
        math.prod(kernel) * n_in * mult,
        f"{names}*in_channels*depth_multiplier (use_bias=False)",
    )


def _separable(config: dict[str, Any], shapes: Shapes) -> Formula:
    *kernel, n_in, mult = shapes[0]
    filters = shapes[1][-1]
    names = "*".join(_AXES[len(kernel)])
    depth_text = "*".join(str(d) for d in shapes[0])
    depth = math.prod(shapes[0])
    bias = 1 if _bias(config) else 0
    point_text = f"({n_in}*{mult}+1)*{filters}" if bias else f"{n_in}*{mult}*{filters}"
    return _formula(
        f"{depth_text} + {point_text}",
        depth + (n_in * mult + bias) * filters,
        _w("separable" if bias else "separable_nobias", names=names),
    )


def _embedding(config: dict[str, Any], shapes: Shapes) -> Formula:
    vocab, dim = shapes[0]
    return _formula(f"{vocab}*{dim}", vocab * dim, _w("embedding"))


def _rnn(gates: int, name: str) -> Callable[[dict[str, Any], Shapes], Formula]:
    def handler(config: dict[str, Any], shapes: Shapes) -> Formula:
        n_in, units = shapes[0][0], shapes[1][0]
        n_bias = 0
        bias_words: Words = ()
        if _bias(config):
            n_bias = 2 if name == "GRU" and config.get("reset_after", True) else 1
            bias_words = (_w("rnn_bias2" if n_bias == 2 else "rnn_bias"),)
        terms = [str(n_in), str(units)] + ([str(n_bias)] if n_bias else [])
        inner = f"({'+'.join(terms)})*{units}"
        text = f"{gates}*{inner}" if gates > 1 else inner
        gate_words: Words = (_w("rnn_gates", n=gates),) if gates > 1 else ()
        suffix = "" if n_bias else " (use_bias=False)"
        return _formula(
            text,
            gates * (n_in + units + n_bias) * units,
            _w("rnn", gates=gate_words, bias=bias_words, suffix=suffix),
        )

    return handler


def _batch_norm(config: dict[str, Any], shapes: Shapes) -> Formula:
    trained = [n for n, key in (("gamma", "scale"), ("beta", "center")) if config.get(key, True)]
    channels = math.prod(shapes[0])
    trainable = f"{len(trained)}*{channels}"
    parts = [trainable] if trained else []
    parts.append(f"2*{channels}")
    words = _w("bn", names=_and(trained)) if trained else _w("bn_frozen")
    return _formula(" + ".join(parts), (len(trained) + 2) * channels, words)


def _and(names: list[str]) -> Words:
    """``gamma`` or ``gamma and beta`` (two names at most)."""
    return (names[0],) if len(names) == 1 else (_w("and", a=names[0], b=names[1]),)


def _layer_norm(config: dict[str, Any], shapes: Shapes) -> Formula:
    names = [n for n, key in (("gamma", "scale"), ("beta", "center")) if config.get(key, True)]
    if config.get("rms_scaling"):
        names = ["gamma"]
    channels = math.prod(shapes[0])
    return _formula(f"{len(names)}*{channels}", len(names) * channels, _w("ln", names=_and(names)))


def _attention(config: dict[str, Any], shapes: Shapes) -> Formula:
    bias = _bias(config)
    step = 2 if bias else 1
    parts: list[str] = []
    words: list[Any] = []
    total = 0
    plus = "+1" if bias else ""
    names = ("query", "key", "value")
    for index, name in enumerate(names):
        n_in, heads, dim = shapes[index * step]
        parts.append(f"({n_in}{plus})*{heads}*{dim}")
        total += (n_in + (1 if bias else 0)) * heads * dim
        size = "key_dim" if name != "value" else "value_dim"
        if words:
            words.append(_w("sep"))
        words.append(_w("mha_part" if bias else "mha_part_nobias", name=name, size=size))
    heads, dim, *out = shapes[3 * step]
    out_size = math.prod(out)
    parts.append(f"({heads}*{dim}{plus})*{out_size}")
    total += (heads * dim + (1 if bias else 0)) * out_size
    words += [_w("sep"), _w("mha_out" if bias else "mha_out_nobias")]
    return _formula(" + ".join(parts), total, *words)


def _inner(config: Mapping[str, Any], key: str = "layer") -> tuple[str, dict[str, Any]]:
    """The wrapped layer: a serialized dict, or its short text ``"Dense(units=4, ...)"``."""
    spec = config[key]
    if isinstance(spec, str):  # the records' shortened config
        flags = {k: v == "True" for k, v in re.findall(_FLAG, spec)}
        return spec.split("(", 1)[0].strip(), flags
    return str(spec["class_name"]), dict(spec.get("config") or {})


_FLAG = r"\b(use_bias|reset_after|center|scale)=(True|False)\b"


def _time_distributed(config: dict[str, Any], shapes: Shapes) -> Formula:
    name, inner_config = _inner(config)
    inner = param_formula(name, inner_config, shapes)
    words = _w("time_distributed", name=name, inner=inner.words)
    return _formula(inner.text, inner.total, words)


def _bidirectional(config: dict[str, Any], shapes: Shapes) -> Formula | None:
    if len(shapes) % 2:
        return None
    half = len(shapes) // 2
    name, forward_config = _inner(config)
    back_name, back_config = name, forward_config
    if config.get("backward_layer"):
        back_name, back_config = _inner(config, "backward_layer")
    forward = param_formula(name, forward_config, shapes[:half])
    backward = param_formula(back_name, back_config, shapes[half:])
    if forward.text == backward.text:
        words = _w("bidirectional", name=name, inner=forward.words)
        return _formula(f"2*{_group(forward.text)}", 2 * forward.total, words)
    words = _w(
        "bidirectional_two",
        name=name,
        inner=forward.words,
        back=back_name,
        inner_back=backward.words,
    )
    return _formula(f"{forward.text} + {backward.text}", forward.total + backward.total, words)


def _group(text: str) -> str:
    return text if text.isdigit() or _is_wrapped(text) else f"({text})"


def _is_wrapped(text: str) -> bool:
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return True


_HANDLERS: dict[str, Callable[[dict[str, Any], Shapes], Formula | None]] = {
    "Dense": _dense,
    "Conv1D": _conv,
    "Conv2D": _conv,
    "Conv3D": _conv,
    "Conv1DTranspose": _conv_transpose,
    "Conv2DTranspose": _conv_transpose,
    "Conv3DTranspose": _conv_transpose,
    "DepthwiseConv1D": _depthwise,
    "DepthwiseConv2D": _depthwise,
    "SeparableConv1D": _separable,
    "SeparableConv2D": _separable,
    "Embedding": _embedding,
    "SimpleRNN": _rnn(1, "SimpleRNN"),
    "LSTM": _rnn(4, "LSTM"),
    "GRU": _rnn(3, "GRU"),
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
    "MultiHeadAttention": _attention,
    "TimeDistributed": _time_distributed,
    "Bidirectional": _bidirectional,
}
