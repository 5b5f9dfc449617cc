"""Check a sample batch against a model's inputs before any forward pass (no Keras here).

``match_inputs`` follows the model's own input structure (``LayerGraph.input_struct``, Keras's
``_inputs_struct``) the way ``Functional._standardize_inputs`` does: an array, a list, a dict, a
nested list or dict, dict keys that are the structure's keys or the ``Input`` names, ``None`` for
an optional input. It returns one array per model input (``model.inputs`` order), or raises a
``ValueError`` naming the input, the expected and the received shape (or structure, side by
side) and a likely fix (missing batch or channel axis, a reshape, swapped inputs, text or
complex numbers for a real input, a ``tf.data.Dataset`` instead of a batch).

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

__all__ = ["describe_structure", "match_inputs"]

_PREFIX = "keras_lens.shapes():"


class _Mismatch(Exception):
    """The sample's structure does not follow the model's (message built by the caller)."""


def match_inputs(graph: LayerGraph, sample: Any) -> list[np.ndarray | None]:
    """The sample as one array per model input (``None`` for an omitted optional input)."""
    ids = list(graph.input_ids)
    names = {i: graph.layer(graph.node(i).layer_key).name for i in ids}
    expected = {i: graph.node(i).output_shapes[0] for i in ids}
    dtypes = {i: (graph.node(i).output_dtypes or ("",))[0] for i in ids}
    _refuse_non_batches(sample)
    struct = graph.input_struct if graph.input_struct is not None else ids
    if isinstance(struct, (list, tuple)) and len(struct) == 1 and isinstance(struct[0], str):
        struct = struct[0]  # Keras: a one-input list takes a bare tensor
    try:
        parts = _match(struct, sample, names)
    except _Mismatch as error:
        raise ValueError(
            f"{_PREFIX} the sample does not follow the model's input structure{error}.\n"
            f"  expected: {describe_structure(struct, names, expected)}\n"
            f"  received: {_describe_sample(sample)}\n"
            "Pass the inputs in the expected structure (a dict may also use the Input names)."
        ) from None
    arrays: list[np.ndarray | None] = []
    for i in ids:
        part = parts.get(i)
        if part is None:
            if i in graph.optional_inputs:
                arrays.append(None)
                continue
            raise ValueError(
                f"{_PREFIX} the sample has no array for input {names[i]!r} (got None); "
                f"pass an array of shape {format_shape(expected[i])}."
            )
        if (
            isinstance(part, (list, tuple))
            and len(part) > 1
            and all(np.ndim(p) == len(expected[i]) for p in part)
        ):  # several whole batches, not the rows of one
            raise ValueError(
                f"{_PREFIX} the model has one input {names[i]!r} of shape "
                f"{format_shape(expected[i])} but the sample is a {type(part).__name__} of "
                f"{len(part)} arrays; pass one array."
            )
        try:
            array = np.asarray(part)
        except Exception as error:
            raise TypeError(f"{_PREFIX} input {names[i]!r} is not array-like: {error}") from None
        _check_dtype(names[i], dtypes[i], array)
        arrays.append(array)
    _check_shapes(ids, names, expected, arrays)
    batches = {a.shape[0] for a in arrays if a is not None}
    if len(batches) > 1:
        raise ValueError(f"{_PREFIX} the inputs have different batch sizes {sorted(batches)}.")
    if not batches:
        raise ValueError(f"{_PREFIX} every input of the sample is None; pass at least one array.")
    return arrays


def _refuse_non_batches(sample: Any) -> None:
    kind = type(sample).__name__
    if hasattr(sample, "element_spec") and hasattr(sample, "take"):
        raise ValueError(
            f"{_PREFIX} the sample is a tf.data.Dataset ({kind}), not a batch. Take one batch "
            "from it first: `x, y = next(iter(dataset))` (or `dataset.take(1)`), then pass x."
        )
    if hasattr(sample, "__next__") and not hasattr(sample, "shape"):
        raise ValueError(
            f"{_PREFIX} the sample is an iterator ({kind}), not a batch; pass one batch: "
            "`x, y = next(iterator)`, then pass x."
        )


def _is_leafish(value: Any) -> bool:
    """An array-like or None (a model input), rather than a container of inputs."""
    return value is None or hasattr(value, "shape") or np.isscalar(value)


def _arrays_in(value: Any) -> list[Any]:
    """The array-likes in a nested list/tuple/dict (lists of numbers count as one)."""
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays_in(v)]
    if isinstance(value, (list, tuple)) and not _is_number_list(value):
        return [a for v in value for a in _arrays_in(v)]
    return [value]


def _is_number_list(value: Any) -> bool:
    """``[[1, 2], [3, 4]]`` or a list of same-rank rows: one array written as lists."""
    flat = value
    while isinstance(flat, (list, tuple)) and flat:
        flat = flat[0]
    return bool(np.isscalar(flat))


def _match(struct: Any, sample: Any, names: dict[str, str]) -> dict[str, Any]:
    """``node id -> part`` following ``struct``; ``_Mismatch`` if the sample does not fit it."""
    if isinstance(struct, str):
        return {struct: _leaf(struct, sample, names)}
    leaves = _leaves(struct)
    if isinstance(sample, dict):
        return _match_dict(struct, sample, names, leaves)
    if isinstance(struct, dict):
        if isinstance(sample, (list, tuple)) and list(struct) == sorted(struct):
            flat = _arrays_in(sample)  # Keras flattens both (dict keys sorted) and zips
            if len(flat) == len(leaves):
                return dict(zip(leaves, flat, strict=True))
        raise _Mismatch(" (the model takes a dict: pass {key: array})")
    if isinstance(sample, (list, tuple)) and not _is_number_list(sample):
        if len(sample) == len(struct):
            out: dict[str, Any] = {}
            for sub, part in zip(struct, sample, strict=True):
                out.update(_match(sub, part, names))
            return out
        flat = _arrays_in(sample)
        if len(flat) == len(leaves):
            return dict(zip(leaves, flat, strict=True))
        raise _Mismatch(
            f" (the model has {len(leaves)} inputs {[names[i] for i in leaves]}, the sample "
            f"{len(flat)} arrays)"
        )
    raise _Mismatch(
        f" (the model has {len(leaves)} inputs {[names[i] for i in leaves]}; pass a list of "
        "arrays in this order or a dict {input name: array})"
    )


def _leaf(node_id: str, sample: Any, names: dict[str, str]) -> Any:
    """One input's part; a list holding exactly one array (``[[x]]``) is that array."""
    if isinstance(sample, dict):
        name = names[node_id]
        if name in sample:
            return sample[name]
        raise _Mismatch(f" (no entry {name!r} in the dict)")
    if isinstance(sample, (list, tuple)) and not _is_number_list(sample):
        flat = _arrays_in(sample)
        if len(flat) == 1:
            return flat[0]
    return sample


def _match_dict(
    struct: Any, sample: dict[Any, Any], names: dict[str, str], leaves: list[str]
) -> dict[str, Any]:
    """A dict sample: the structure's own keys (nested), or the ``Input`` names (flat)."""
    if isinstance(struct, dict) and set(struct) <= set(sample):
        out: dict[str, Any] = {}
        for key, sub in struct.items():
            out.update(_match(sub, sample[key], names))
        return out
    by_name = {names[i]: i for i in leaves}
    if set(by_name) <= set(sample):
        return {i: sample[n] for n, i in by_name.items()}
    keys = set(struct) if isinstance(struct, dict) else set(by_name)
    missing = sorted(map(str, keys - set(sample)))
    raise _Mismatch(
        f" (no entry for input(s) {missing}; the model's input names are "
        f"{[names[i] for i in leaves]}, received keys {sorted(map(str, sample))})"
    )


def _leaves(struct: Any) -> list[str]:
    if isinstance(struct, str):
        return [struct]
    if isinstance(struct, dict):
        return [leaf for key in sorted(struct) for leaf in _leaves(struct[key])]
    return [leaf for sub in struct for leaf in _leaves(sub)]


def describe_structure(struct: Any, names: dict[str, str], shapes: dict[str, Shape]) -> str:
    """``[encoder_inputs (None, None), {'b': b (None, 4)}]``: a structure of named inputs.

    Example:
        >>> describe_structure(["a@0", {"k": "b@0"}], {"a@0": "a", "b@0": "b"},
        ...                    {"a@0": (None, 3), "b@0": (None, 4)})
        "[a (None, 3), {'k': b (None, 4)}]"
    """
    if isinstance(struct, str):
        return f"{names.get(struct, struct)} {format_shape(shapes.get(struct))}"
    if isinstance(struct, dict):
        inner = ", ".join(
            f"{k!r}: {describe_structure(v, names, shapes)}" for k, v in struct.items()
        )
        return "{" + inner + "}"
    inner = ", ".join(describe_structure(v, names, shapes) for v in struct)
    return f"({inner})" if isinstance(struct, tuple) else f"[{inner}]"


def _describe_sample(sample: Any, depth: int = 0) -> str:
    if depth > 3:
        return "..."
    if isinstance(sample, dict):
        items = list(sample.items())
        inner = ", ".join(f"{k!r}: {_describe_sample(v, depth + 1)}" for k, v in items[:8])
        return "{" + inner + (", ..." if len(items) > 8 else "") + "}"
    if isinstance(sample, (list, tuple)) and not _is_number_list(sample):
        inner = ", ".join(_describe_sample(v, depth + 1) for v in list(sample)[:8])
        more = ", ..." if len(sample) > 8 else ""
        return f"({inner}{more})" if isinstance(sample, tuple) else f"[{inner}{more}]"
    if sample is None:
        return "None"
    if hasattr(sample, "shape"):
        return f"array {tuple(int(d) for d in sample.shape)}"
    try:
        return f"array {np.shape(sample)}"
    except Exception:
        return type(sample).__name__


def _fits(expected: Sequence[int | None], received: tuple[int, ...]) -> bool:
    return len(expected) == len(received) and all(
        e is None or e == r for e, r in zip(expected, received, strict=True)
    )


def _check_shapes(
    ids: list[str], names: dict[str, str], expected: dict[str, Shape], arrays: list[Any]
) -> None:
    for index, (i, array) in enumerate(zip(ids, arrays, strict=True)):
        if array is None:
            continue
        received = tuple(array.shape)
        if _fits(expected[i], received) and received and received[0] > 0:
            continue
        hint = _shape_hint(expected[i], array)
        if not hint and len(ids) == 2:
            other = ids[1 - index]
            swapped = arrays[1 - index]
            if (
                swapped is not None
                and _fits(expected[i], tuple(swapped.shape))
                and _fits(expected[other], received)
            ):
                hint = (
                    f" Are the two inputs swapped? This array fits {names[other]!r}; the "
                    f"model's input order is {[names[k] for k in ids]}."
                )
        raise ValueError(
            f"{_PREFIX} the sample does not fit input {names[i]!r}: expected shape "
            f"{format_shape(expected[i])} (None = any size), received {received}.{hint}"
        )


def _shape_hint(expected: Shape, array: np.ndarray) -> str:
    received = tuple(array.shape)
    if len(received) == len(expected) - 1 and _fits(expected[1:], received):
        return " Is the batch dimension missing? For one example use x[None, ...]."
    if len(received) == len(expected) - 1 and expected[-1] == 1 and _fits(expected[:-1], received):
        return " Is the channel axis missing? Add it with x[..., None]."
    if received and len(received) != len(expected):
        inner = list(expected[1:])
        if None not in inner and array.size % math.prod(inner) == 0:  # type: ignore[arg-type]
            return f" Reshape it: x.reshape((-1, {', '.join(str(d) for d in inner)}))."
        return ""
    if received and received[0] == 0:
        return " The batch is empty."
    if not received:
        return f" That is a single value ({array.item()!r:.40}), not a batch of examples."
    return ""


def _check_dtype(name: str, expected: str, array: np.ndarray) -> None:
    """Text, Python objects or complex numbers for a real input: say so before Keras fails."""
    if array.dtype.kind == "c" and "complex" not in expected:
        raise ValueError(
            f"{_PREFIX} the sample for input {name!r} holds complex numbers (dtype "
            f"{array.dtype}), but the input expects {expected or 'real numbers'}; Keras would "
            "drop the imaginary part silently. Pass the real part (x.real), the magnitude "
            "(np.abs(x)) or both as channels."
        )
    if array.dtype.kind not in "USO" or expected in ("string", "object"):
        return
    what = "text" if array.dtype.kind in "US" else "Python objects (ragged lists or mixed types?)"
    raise ValueError(
        f"{_PREFIX} the sample for input {name!r} holds {what} (dtype "
        f"{array.dtype}), but the input expects {expected or 'numbers'}; convert it to "
        f"numbers first, e.g. np.asarray(x, dtype={expected or 'float32'!r})."
    )
