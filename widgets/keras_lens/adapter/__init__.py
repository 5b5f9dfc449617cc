"""The one entry to Keras's private graph structures; everything else uses its records.

``build_layer_graph`` turns a model, or the KerasTensors of a graph still being built, into an
immutable ``keras_lens.records.LayerGraph`` (cached per model); ``run_graph`` runs a model one
node at a time. They rely on Keras internals (``model._operations``, ``model._nodes``,
``op._inbound_nodes``, ``tensor._keras_history``, ``Sequential._functional``) that are only
guaranteed for the Keras versions in ``SUPPORTED_KERAS``; outside them a ``KerasVersionWarning``
is issued once. The walk lives in ``_adapter_walk``, the runner in ``_adapter_run``: with this
module, the only code that reads those internals. Import every name from here.

Example:
    >>> import keras
    >>> from keras_lens.adapter import build_layer_graph
    >>> x = keras.Input(shape=(4,), name="x")
    >>> y = keras.layers.Dense(2, name="d")(x)
    >>> build_layer_graph(keras.Model(x, y, name="m")).edge_dict()
    {'x': {'d'}}
    >>> build_layer_graph(y).kind                     # before any keras.Model exists
    'tensors'
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from keras_lens.adapter._keras_version import (
    SUPPORTED_KERAS,
    KerasVersionWarning,
    check_keras_version,
)
from keras_lens.adapter._layer_info import unique_key
from keras_lens.adapter._run import RunState, nbytes, run_graph
from keras_lens.adapter._walk import UnbuiltModelError, in_functional, walk_model, walk_tensors
from keras_lens.records import LayerGraph

__all__ = [
    "ACCEPTED",
    "SUPPORTED_KERAS",
    "KerasVersionWarning",
    "RunState",
    "UnbuiltModelError",
    "as_tensors",
    "build_layer_graph",
    "check_keras_version",
    "clear_cache",
    "nbytes",
    "node_output_tensors",
    "run_graph",
]


#: What ``build_layer_graph`` and ``keras_lens.graph`` accept.
ACCEPTED = (
    "a keras.Model (functional, Sequential or subclassed) or the KerasTensor(s) of a graph "
    "being built (e.g. the output of `layers.Dense(10)(keras.Input(shape=(784,)))`)"
)


def as_tensors(obj: Any, caller: str) -> list[Any]:
    """``obj`` as a flat list of KerasTensors, or a ``TypeError`` saying what it is instead.

    ``caller`` names the function in the message (``"build_layer_graph"``).
    """
    import keras

    if isinstance(obj, keras.KerasTensor):
        return [obj]
    if isinstance(obj, keras.layers.Layer):
        try:
            obj.output  # noqa: B018 - raises for a layer that was never called
            hint = "pass its output tensor (`layer.output`) or the model that contains it"
        except Exception:
            hint = (
                "it was never called on a tensor, so it has no graph: call it on "
                "`keras.Input(shape=...)` first and pass the result"
            )
        what = f"the layer {obj.name!r} ({type(obj).__name__}); {hint}"
    elif isinstance(obj, (list, tuple, dict)):
        flat = keras.tree.flatten(obj)
        bad = [x for x in flat if not isinstance(x, keras.KerasTensor)]
        if flat and not bad:
            return flat
        if bad and all(isinstance(x, keras.Model) for x in bad):
            what = f"a {type(obj).__name__} of models; pass one model at a time"
        else:
            item = f"a {_describe(bad[0])}" if bad else "no tensor at all"
            what = f"a {type(obj).__name__} containing {item}; every item must be a KerasTensor"
    elif obj is None:
        what = "None"
    elif isinstance(obj, str):
        what = f"the string {obj[:60]!r}; pass the model object itself, not its name"
    elif hasattr(obj, "shape") and hasattr(obj, "dtype"):
        what = (
            f"a {_describe(obj)}. It holds concrete values (an array or eager tensor), not a "
            "symbolic graph; pass the model, or build the graph from `keras.Input(shape=...)`"
        )
    else:
        what = f"a {_describe(obj)}"
    raise TypeError(f"{caller} got {what}. Accepted: {ACCEPTED}.")


def _describe(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


# -- cache -----------------------------------------------------------------------------------
_CACHE: weakref.WeakKeyDictionary[Any, tuple[tuple[Any, ...], LayerGraph]] = (
    weakref.WeakKeyDictionary()
)


_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget every cached graph (they are also dropped when their model is deleted)."""
    with _LOCK:
        _CACHE.clear()


def _fingerprint(model: Any) -> tuple[Any, ...]:
    """What may change on a model after it was walked: layers added, weights, names, flags."""
    ops = getattr(model, "_operations", None) or getattr(model, "_layers", None) or []
    functional = getattr(model, "_functional", None)
    every_layer = model._flatten_layers(include_self=True, recursive=True)
    return (
        len(ops),
        id(functional),
        bool(getattr(model, "built", False)),
        len(model.weights),
        len(model.trainable_weights),
        tuple((layer.name, bool(layer.trainable)) for layer in every_layer),
    )


# -- public entry point ------------------------------------------------------------------------
def build_layer_graph(model_or_tensors: Any) -> LayerGraph:
    """Walk a model (or KerasTensors) once and return its ``LayerGraph`` (cached per model).

    Accepts a functional ``keras.Model``, a built ``keras.Sequential``, a subclassed model (no
    static graph: its layer list, ``kind="subclassed"``), or one or more KerasTensors (a graph
    still being built: walked back from them, ``kind="tensors"``).

    Raises:
        TypeError: for anything else (``None``, arrays, eager tensors, bare layers).
        UnbuiltModelError: for a Sequential model that has not been built yet.

    Example:
        >>> import keras
        >>> m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, name="out")])
        >>> g = build_layer_graph(m)
        >>> g.kind, g.total_params, build_layer_graph(m) is g
        ('sequential', 4, True)
    """
    import keras

    check_keras_version()
    obj = model_or_tensors
    if isinstance(obj, keras.Model):
        key = _fingerprint(obj)
        with _LOCK:
            cached = _CACHE.get(obj)
        if cached is not None and cached[0] == key:
            return cached[1]
        graph = walk_model(obj, prefix="")
        with _LOCK:
            _CACHE[obj] = (key, graph)
        return graph
    tensors = as_tensors(obj, "build_layer_graph")
    return walk_tensors(tensors)


def node_output_tensors(model: Any) -> dict[str, tuple[Any, ...]]:
    """The symbolic output KerasTensors of every top-level node, by ``NodeRecord.id``.

    For a functional or built Sequential model (the ids of ``build_layer_graph(model)``); used
    to build a feature-extraction model ``keras.Model(model.inputs, tensors)``.

    Example:
        >>> import keras
        >>> x = keras.Input(shape=(4,), name="x")
        >>> m = keras.Model(x, keras.layers.Dense(2, name="d")(x))
        >>> {k: [t.shape for t in v] for k, v in node_output_tensors(m).items()}
        {'x@0': [(None, 4)], 'd@0': [(None, 2)]}
    """
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    graph = build_layer_graph(model)
    functional = model._functional if isinstance(model, Sequential) else model
    if not isinstance(functional, Functional):
        raise TypeError(
            f"node_output_tensors needs a functional or built Sequential model; {model.name!r} "
            f"is a {type(model).__name__} ({graph.kind})."
        )
    used: set[str] = set()
    out: dict[str, tuple[Any, ...]] = {}
    in_graph = in_functional(functional)
    for op in functional._operations:  # the same keys, in the same order, as the walk
        key = unique_key("", op.name, used)
        calls = [node for i, node in enumerate(op._inbound_nodes) if in_graph(op, i)]
        for call_index, node in enumerate(calls):
            out[f"{key}@{call_index}"] = tuple(node.outputs)
    missing = [n.id for n in graph.nodes if n.id not in out]
    if missing:  # pragma: no cover - would mean the two walks disagree
        raise RuntimeError(f"node_output_tensors: no tensors for nodes {missing}")
    return out
