"""One layer object as a ``LayerRecord``, read through Keras's public layer API only.

Weights, ``get_config()``, the activation and the dtype policy: no private graph structure is
touched here (that is ``keras_lens.adapter``'s job, which calls ``layer_record`` for every layer
it meets). Also the small helpers both need: unique keys, unique variables, parameter totals.

Example:
    >>> import keras
    >>> dense = keras.layers.Dense(2, name="d")
    >>> dense.build((None, 3))
    >>> r = layer_record(dense, "d", "", ("d@0",), False)
    >>> r.params, r.weight_shapes, r.activation
    (8, ((3, 2), (2,)), 'linear')
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
import weakref
from typing import Any

from keras_lens.records import LayerRecord, WeightRecord

__all__ = ["layer_record", "param_totals", "unique_key", "unique_variables"]

_MAX_REPR = 160


def unique_key(prefix: str, name: str, used: set[str]) -> str:
    """``"prefix/name"`` (``"name"`` at the top level), made unique in ``used`` with ``~2``...

    Example:
        >>> used = set(); unique_key("", "d", used), unique_key("", "d", used)
        ('d', 'd~2')
    """
    base = f"{prefix}/{name}" if prefix else name
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}~{n}"
    used.add(key)
    return key


def unique_variables(variables: Any) -> list[Any]:
    """The variables, each object once (a shared layer lists its weights several times)."""
    seen: dict[int, Any] = {}
    for v in variables:
        seen.setdefault(id(v), v)
    return list(seen.values())


def param_totals(model: Any) -> tuple[int, int]:
    """``(trainable, non_trainable)`` scalars of a model's unique weights (``count_params()``)."""
    trainable = sum(math.prod(w.shape) for w in unique_variables(model.trainable_weights))
    frozen = sum(math.prod(w.shape) for w in unique_variables(model.non_trainable_weights))
    return trainable, frozen


def layer_record(
    op: Any, key: str, prefix: str, node_ids: tuple[str, ...], implicit: bool
) -> LayerRecord:
    """The record of one layer, bare operation or nested model object."""
    import keras

    is_layer = isinstance(op, keras.layers.Layer)
    is_model = isinstance(op, keras.Model)
    variables = unique_variables(op.weights) if is_layer else []
    trainable_ids = {id(v) for v in op.trainable_weights} if is_layer else set()
    weights = tuple(
        WeightRecord(
            name=str(v.name),
            shape=tuple(int(d) for d in v.shape),
            dtype=str(v.dtype),
            trainable=id(v) in trainable_ids,
            path=str(getattr(v, "path", "")),
        )
        for v in variables
    )
    trainable = sum(w.size for w in weights if w.trainable)
    policy = getattr(op, "dtype_policy", None)
    return LayerRecord(
        key=key,
        name=op.name,
        class_name=type(op).__name__,
        parent=prefix,
        trainable=bool(getattr(op, "trainable", True)),
        trainable_params=trainable,
        non_trainable_params=sum(w.size for w in weights) - trainable,
        weights=weights,
        # read on first use: get_config() is most of a big model's walk, and only the details
        # card, the summary's formulas and compare need it (the function keeps ``op`` alive
        # as long as the record lives unread; a layer does not refer to its model)
        config=() if is_model else functools.partial(_config, op),
        activation=_activation(op),
        dtype=str(policy.name) if policy is not None else None,
        is_model=is_model,
        is_op=not is_layer,
        implicit=implicit,
        node_ids=node_ids,
        module=type(op).__module__,
        identity=_identity(op),
    )


_IDENTITIES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_NEXT_IDENTITY = itertools.count(1)
_LOCK = threading.Lock()


def _identity(op: Any) -> str:
    """A per-object token (``"L7"``), kept as long as the object lives (see LayerRecord)."""
    with _LOCK:
        try:
            token = _IDENTITIES.get(op)
            if token is None:
                token = _IDENTITIES[op] = f"L{next(_NEXT_IDENTITY)}"
        except TypeError:  # not weak-referenceable: fall back to the object's id
            token = f"id{id(op):x}"
    return token


def _config(op: Any) -> tuple[tuple[str, str], ...]:
    try:
        config = op.get_config()
    except Exception:  # custom layers may not implement it; the config is informational
        return ()
    if not isinstance(config, dict):
        return ()
    return tuple(sorted((str(k), _short_repr(v)) for k, v in config.items()))


def _short_repr(value: Any) -> str:
    """``repr`` for literals; ``ClassName(k=v)`` for Keras-serialized objects; shortened."""
    if isinstance(value, dict) and "class_name" in value and "config" in value:
        inner = value.get("config") or {}
        args = (
            ", ".join(f"{k}={_short_repr(v)}" for k, v in inner.items() if v is not None)
            if isinstance(inner, dict)
            else _short_repr(inner)
        )
        text = f"{value['class_name']}({args})"
    else:
        text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 1] + "…"


def _activation(op: Any) -> str | None:
    activation = getattr(op, "activation", None)
    if activation is None:
        return None
    for attr in ("name", "__name__"):
        name = getattr(activation, attr, None)
        if isinstance(name, str):
            return name
    return str(activation)
