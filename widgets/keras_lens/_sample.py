"""Check a sample batch against a model's inputs before any forward pass (no Keras here).

``match_inputs`` turns what the reader passed (an array, a list or dict of arrays, nested lists)
into one array per model input, or raises a ``ValueError`` naming the input, the expected and
the received shape and a likely fix (missing batch or channel axis, a reshape, text for a
numeric input). ``check_memory`` refuses batches whose intermediate outputs would not fit.

Example:
    >>> from keras_lens.records import LayerGraph, LayerRecord, NodeRecord
    >>> g = LayerGraph("m", "Functional", "functional",
    ...     layers=(LayerRecord("x", "x", "InputLayer", node_ids=("x@0",)),),
    ...     nodes=(NodeRecord("x@0", "x", 0, (), ((None, 3),), ("float32",)),),
    ...     input_ids=("x@0",))
    >>> [a.shape for a in match_inputs(g, [[1, 2, 3], [4, 5, 6]])]
    [(2, 3)]
    >>> match_inputs(g, [1, 2, 3])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ... received (3,). Is the batch dimension missing? For one example use x[None, ...].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from keras_lens.records import LayerGraph, Shape, format_shape

__all__ = ["check_memory", "match_inputs"]


def match_inputs(graph: LayerGraph, sample: Any) -> list[np.ndarray]:
    """The sample as one array per model input, or a ValueError naming expected vs received."""
    names = [graph.layer(graph.node(i).layer_key).name for i in graph.input_ids]
    expected = [graph.node(i).output_shapes[0] for i in graph.input_ids]
    dtypes = [(graph.node(i).output_dtypes or ("",))[0] for i in graph.input_ids]
    if isinstance(sample, dict):
        missing = [n for n in names if n not in sample]
        if missing:
            raise ValueError(
                f"keras_lens.shapes(): the sample dict has no entry for input(s) {missing}; "
                f"the model's inputs are {names} (received keys {sorted(map(str, sample))})."
            )
        parts = [sample[n] for n in names]
    elif isinstance(sample, (list, tuple)) and len(names) > 1:
        if len(sample) != len(names):
            raise ValueError(
                f"keras_lens.shapes(): the model has {len(names)} inputs {names} but the sample "
                f"has {len(sample)} arrays; pass one array per input, in this order."
            )
        parts = list(sample)
    elif len(names) > 1:
        raise ValueError(
            f"keras_lens.shapes(): the model has {len(names)} inputs {names}; pass a list of "
            "arrays in this order or a dict {input name: array}."
        )
    elif (
        isinstance(sample, (list, tuple))
        and len(sample) > 1
        and all(len(getattr(p, "shape", ())) == len(expected[0]) for p in sample)
    ):  # several whole batches, not the rows of one
        raise ValueError(
            f"keras_lens.shapes(): the model has one input {names[0]!r} of shape "
            f"{format_shape(expected[0])} but the sample is a {type(sample).__name__} of "
            f"{len(sample)} arrays; pass one array."
        )
    else:
        parts = [sample[0] if isinstance(sample, (list, tuple)) and len(sample) == 1 else sample]
    arrays = []
    for name, shape, dtype, part in zip(names, expected, dtypes, parts, strict=True):
        if part is None:
            raise ValueError(
                f"keras_lens.shapes(): the sample has no array for input {name!r} (got None); "
                f"pass an array of shape {format_shape(shape)}."
            )
        try:
            array = np.asarray(part)
        except Exception as error:
            raise TypeError(
                f"keras_lens.shapes(): input {name!r} is not array-like: {error}"
            ) from None
        _check_shape(name, shape, array)
        _check_dtype(name, dtype, array)
        arrays.append(array)
    batches = {a.shape[0] for a in arrays}
    if len(batches) > 1:
        raise ValueError(
            f"keras_lens.shapes(): the inputs have different batch sizes {sorted(batches)}."
        )
    return arrays


def _fits(expected: Sequence[int | None], received: tuple[int, ...]) -> bool:
    return len(expected) == len(received) and all(
        e is None or e == r for e, r in zip(expected, received, strict=True)
    )


def _check_shape(name: str, expected: Shape, array: np.ndarray) -> None:
    received = tuple(array.shape)
    if _fits(expected, received) and received and received[0] > 0:
        return
    hint = ""
    if len(received) == len(expected) - 1 and _fits(expected[1:], received):
        hint = " Is the batch dimension missing? For one example use x[None, ...]."
    elif (
        len(received) == len(expected) - 1 and expected[-1] == 1 and _fits(expected[:-1], received)
    ):
        hint = " Is the channel axis missing? Add it with x[..., None]."
    elif received and len(received) != len(expected):
        inner = [d for d in expected[1:]]
        if None not in inner and array.size % math.prod(inner) == 0:  # type: ignore[arg-type]
            hint = f" Reshape it: x.reshape((-1, {', '.join(str(d) for d in inner)}))."
    elif received and received[0] == 0:
        hint = " The batch is empty."
    elif not received:
        hint = f" That is a single value ({array.item()!r:.40}), not a batch of examples."
    raise ValueError(
        f"keras_lens.shapes(): the sample does not fit input {name!r}: expected shape "
        f"{format_shape(expected)} (None = any size), received {received}.{hint}"
    )


def _check_dtype(name: str, expected: str, array: np.ndarray) -> None:
    """Text or Python objects fed to a numeric input: say so before Keras fails deep inside."""
    if array.dtype.kind not in "USO" or expected in ("string", "object"):
        return
    what = "text" if array.dtype.kind in "US" else "Python objects (ragged lists or mixed types?)"
    raise ValueError(
        f"keras_lens.shapes(): the sample for input {name!r} holds {what} (dtype "
        f"{array.dtype}), but the input expects {expected or 'numbers'}; convert it to "
        f"numbers first, e.g. np.asarray(x, dtype={expected or 'float32'!r})."
    )


def check_memory(graph: LayerGraph, batch: int, limit_mb: float) -> None:
    elements = 0
    for node in graph.nodes:
        for shape in node.output_shapes:
            elements += math.prod(d or 1 for d in shape[1:])
    needed = elements * batch * 4 / 2**20
    if needed > limit_mb:
        raise ValueError(
            f"keras_lens.shapes(): keeping every intermediate output of a batch of {batch} needs "
            f"about {needed:,.0f} MB (limit {limit_mb:,.0f} MB). Pass a smaller batch, e.g. "
            "sample[:8]; the shapes are the same for any batch size."
        )
