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

__all__ = ["Formula", "generic_formula", "param_formula"]

Shapes = list[tuple[int, ...]]


@dataclass(frozen=True)
class Formula:
    """A parameter count written out: ``text`` evaluates to ``total``, ``explanation`` says why."""

    text: str
    total: int
    explanation: str


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
        return Formula("0", 0, "no weights: this layer only transforms its input")
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
        return Formula("0", 0, "no weights")
    terms = [_product_text(shape) for shape in shapes]
    noun = "tensor" if len(shapes) == 1 else "tensors"
    return Formula(
        " + ".join(terms),
        _size(shapes),
        f"sum over the {len(shapes)} weight {noun} of the product of each shape",
    )


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
        return Formula(f"({n_in}+1)*{units}", (n_in + 1) * units, "(inputs + bias)*units")
    return Formula(f"{n_in}*{units}", n_in * units, "inputs*units (use_bias=False)")


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
        return Formula(
            f"({inner}+1)*{filters}", (size + 1) * filters, f"({names}*{channels} + bias)*filters"
        )
    return Formula(
        f"{inner}*{filters}", size * filters, f"{names}*{channels}*filters (use_bias=False)"
    )


def _depthwise(config: dict[str, Any], shapes: Shapes) -> Formula:
    *kernel, n_in, mult = shapes[0]
    names = "*".join(_AXES[len(kernel)])
    ks = "*".join(str(k) for k in kernel)
    if _bias(config):
        total = (math.prod(kernel) + 1) * n_in * mult
        return Formula(
            f"({ks}+1)*{n_in}*{mult}",
            total,
            f"({names} + bias)*in_channels*depth_multiplier",
        )
    return Formula(
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
    return Formula(
        f"{depth_text} + {point_text}",
        depth + (n_in * mult + bias) * filters,
        f"depthwise {names}*in_channels*depth_multiplier + pointwise "
        f"(in_channels*depth_multiplier{' + bias' if bias else ''})*filters",
    )


def _embedding(config: dict[str, Any], shapes: Shapes) -> Formula:
    vocab, dim = shapes[0]
    return Formula(f"{vocab}*{dim}", vocab * dim, "input_dim*output_dim (one vector per token)")


def _rnn(gates: int, name: str) -> Callable[[dict[str, Any], Shapes], Formula]:
    def handler(config: dict[str, Any], shapes: Shapes) -> Formula:
        n_in, units = shapes[0][0], shapes[1][0]
        n_bias = 0
        bias_words = ""
        if _bias(config):
            n_bias = 2 if name == "GRU" and config.get("reset_after", True) else 1
            bias_words = " + 2 biases (reset_after=True)" if n_bias == 2 else " + bias"
        terms = [str(n_in), str(units)] + ([str(n_bias)] if n_bias else [])
        inner = f"({'+'.join(terms)})*{units}"
        text = f"{gates}*{inner}" if gates > 1 else inner
        gate_words = f"{gates} gates*" if gates > 1 else ""
        suffix = "" if n_bias else " (use_bias=False)"
        return Formula(
            text,
            gates * (n_in + units + n_bias) * units,
            f"{gate_words}(input_dim + units{bias_words})*units{suffix}",
        )

    return handler


def _batch_norm(config: dict[str, Any], shapes: Shapes) -> Formula:
    trained = [n for n, key in (("gamma", "scale"), ("beta", "center")) if config.get(key, True)]
    channels = math.prod(shapes[0])
    trainable = f"{len(trained)}*{channels}"
    parts = [trainable] if trained else []
    words = [f"trainable {' and '.join(trained)}"] if trained else []
    parts.append(f"2*{channels}")
    words.append("non-trainable moving_mean and moving_variance")
    return Formula(
        " + ".join(parts),
        (len(trained) + 2) * channels,
        f"per channel: {'; '.join(words)}",
    )


def _layer_norm(config: dict[str, Any], shapes: Shapes) -> Formula:
    names = [n for n, key in (("gamma", "scale"), ("beta", "center")) if config.get(key, True)]
    if config.get("rms_scaling"):
        names = ["gamma"]
    channels = math.prod(shapes[0])
    return Formula(
        f"{len(names)}*{channels}",
        len(names) * channels,
        f"per feature: {' and '.join(names)} (all trainable)",
    )


def _attention(config: dict[str, Any], shapes: Shapes) -> Formula:
    bias = _bias(config)
    step = 2 if bias else 1
    parts: list[str] = []
    words: list[str] = []
    total = 0
    plus = "+1" if bias else ""
    names = ("query", "key", "value")
    for index, name in enumerate(names):
        n_in, heads, dim = shapes[index * step]
        parts.append(f"({n_in}{plus})*{heads}*{dim}")
        total += (n_in + (1 if bias else 0)) * heads * dim
        size = "key_dim" if name != "value" else "value_dim"
        words.append(f"{name}: ({name}_features{' + bias' if bias else ''})*heads*{size}")
    heads, dim, *out = shapes[3 * step]
    out_size = math.prod(out)
    parts.append(f"({heads}*{dim}{plus})*{out_size}")
    total += (heads * dim + (1 if bias else 0)) * out_size
    words.append(f"output: (heads*value_dim{' + bias' if bias else ''})*output_dim")
    return Formula(" + ".join(parts), total, "; ".join(words))


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
    return Formula(
        inner.text,
        inner.total,
        f"one {name} shared by every time step: {inner.explanation}",
    )


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
        return Formula(
            f"2*{_group(forward.text)}",
            2 * forward.total,
            f"2 directions (forward and backward {name}), each {forward.explanation}",
        )
    return Formula(
        f"{forward.text} + {backward.text}",
        forward.total + backward.total,
        f"forward {name}: {forward.explanation}; backward {back_name}: {backward.explanation}",
    )


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
