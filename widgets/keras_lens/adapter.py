"""The one module that reads Keras's private graph structures; everything else uses its records.

``build_layer_graph`` turns a model, or the KerasTensors of a graph still being built, into an
immutable ``keras_lens.records.LayerGraph``. It relies on Keras internals (``model._operations``,
``model._nodes``, ``op._inbound_nodes``, ``tensor._keras_history``, ``Sequential._functional``)
that are only guaranteed for the Keras versions in ``SUPPORTED_KERAS``; outside them a
``KerasVersionWarning`` is issued once.

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

import contextlib
import math
import threading
import weakref
from typing import Any

from keras_lens._keras_version import SUPPORTED_KERAS, KerasVersionWarning, check_keras_version
from keras_lens._layer_info import layer_record, param_totals, unique_key, unique_variables
from keras_lens.records import EdgeRecord, LayerGraph, NodeRecord

__all__ = [
    "ACCEPTED",
    "SUPPORTED_KERAS",
    "KerasVersionWarning",
    "UnbuiltModelError",
    "as_tensors",
    "build_layer_graph",
    "check_keras_version",
    "clear_cache",
    "node_output_tensors",
    "run_graph",
]


class UnbuiltModelError(ValueError):
    """The model has no graph yet (an unbuilt Sequential); the message says how to build it."""


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
        graph = _walk_model(obj, prefix="")
        with _LOCK:
            _CACHE[obj] = (key, graph)
        return graph
    tensors = as_tensors(obj, "build_layer_graph")
    return _walk_tensors(tensors)


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
    in_graph = _in_functional(functional)
    for op in functional._operations:  # the same keys, in the same order, as _walk_nodes
        key = unique_key("", op.name, used)
        calls = [node for i, node in enumerate(op._inbound_nodes) if in_graph(op, i)]
        for call_index, node in enumerate(calls):
            out[f"{key}@{call_index}"] = tuple(node.outputs)
    missing = [n.id for n in graph.nodes if n.id not in out]
    if missing:  # pragma: no cover - would mean the two walks disagree
        raise RuntimeError(f"node_output_tensors: no tensors for nodes {missing}")
    return out


# -- walking -----------------------------------------------------------------------------------
def _walk_model(model: Any, prefix: str) -> LayerGraph:
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    if isinstance(model, Sequential):
        functional = model._functional
        if functional is None:
            if not model.built:
                raise UnbuiltModelError(
                    f"The Sequential model {model.name!r} has not been built yet, so it has no "
                    "layer graph. Give it an input first: start the layer list with "
                    "`keras.Input(shape=...)` (e.g. `keras.Sequential([keras.Input(shape=(784,)), "
                    "...])`), or call `model.build((None, 784))` (your input shape, with None "
                    "for the batch), or call the model once on data."
                )
            return _layer_list_graph(
                model,
                prefix,
                "sequential",
                f"Sequential model {model.name!r} is built but Keras could not trace its layers "
                "symbolically, so only its layer list is shown.",
            )
        fields = _walk_functional(functional, prefix, implicit_input=True)
        return _finish(fields, model, "sequential")
    if isinstance(model, Functional):
        return _finish(_walk_functional(model, prefix), model, "functional")
    return _layer_list_graph(
        model,
        prefix,
        "subclassed",
        f"{type(model).__name__} {model.name!r} is a subclassed keras.Model: its call() is "
        "Python code, not a static graph of layers, so there are no connections to draw. "
        "Showing its layers as a list instead. To see a graph, build the model with the "
        "functional API (keras.Input -> layers -> keras.Model(inputs, outputs)).",
    )


def _walk_tensors(tensors: list[Any]) -> LayerGraph:
    """Walk back from output KerasTensors (no model yet), depth first, like Keras's map_graph."""
    order: list[Any] = []  # nodes, inputs first
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = []
    for t in reversed(tensors):
        node = _producer(t)
        if node is not None:
            stack.append((node, False))
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for t in reversed(node.input_tensors):
            parent = _producer(t)
            if parent is not None and id(parent) not in seen:
                stack.append((parent, False))
    operations: list[Any] = []
    for node in order:
        if node.operation not in operations:
            operations.append(node.operation)
    keep = {id(n) for n in order}
    inputs = [n.outputs[0] for n in order if n.is_input and n.outputs]
    ops, fields = _walk_nodes(
        operations,
        lambda op, i: id(op._inbound_nodes[i]) in keep,
        inputs,
        tensors,
        "",
        node_order=order,
    )
    weights = unique_variables(w for op in ops for w in getattr(op, "weights", []))
    trainable = sum(math.prod(w.shape) for w in weights if w.trainable)
    total = sum(math.prod(w.shape) for w in weights)
    notes = ("Walked back from KerasTensors: no keras.Model exists yet.",)
    if not fields["input_ids"]:
        notes += ("No keras.Input was found upstream of these tensors.",)
    totals = (trainable, total - trainable)
    return _graph("tensors", "KerasTensor", "tensors", totals, notes, fields)


def _in_functional(functional: Any) -> Any:
    """``in_graph(op, index)``: is call number ``index`` of ``op`` a node of this model?"""
    from keras.src.ops.function import make_node_key

    return lambda op, i: make_node_key(op, i) in functional._nodes


def _walk_functional(functional: Any, prefix: str, *, implicit_input: bool = False) -> dict:
    """The ``LayerGraph`` fields of a Functional model (or a Sequential's inner one)."""
    _, fields = _walk_nodes(
        functional._operations,
        _in_functional(functional),
        functional.inputs,
        functional.outputs,
        prefix,
        implicit_input=implicit_input,
    )
    node_ids, _ = _node_keys(functional, prefix)
    return {**fields, **_input_fields(functional, node_ids)}


def _producer(tensor: Any) -> Any:
    history = getattr(tensor, "_keras_history", None)
    if history is None or history.operation is None:
        return None
    return history.operation._inbound_nodes[history.node_index]


def _walk_nodes(
    operations: list[Any],
    in_graph: Any,
    inputs: list[Any],
    outputs: list[Any],
    prefix: str,
    *,
    implicit_input: bool = False,
    node_order: list[Any] | None = None,
) -> tuple[list[Any], dict[str, Any]]:
    """Sorted operations, and the ``LayerGraph`` fields of the nodes ``in_graph(op, index)``."""
    from keras.src.models import Model

    keys: dict[int, str] = {}
    used: set[str] = set()
    node_ids: dict[int, str] = {}
    node_objs: dict[str, tuple[Any, Any, int, int]] = {}  # id -> (node, op, keras idx, call idx)
    op_nodes: dict[int, list[str]] = {}
    for op in operations:
        key = unique_key(prefix, op.name, used)
        keys[id(op)] = key
        calls = [i for i in range(len(op._inbound_nodes)) if in_graph(op, i)]
        op_nodes[id(op)] = []
        for call_index, keras_index in enumerate(calls):
            node = op._inbound_nodes[keras_index]
            nid = f"{key}@{call_index}"
            node_ids[id(node)] = nid
            node_objs[nid] = (node, op, keras_index, call_index)
            op_nodes[id(op)].append(nid)

    ordered = (
        [node_ids[id(n)] for n in node_order if id(n) in node_ids]
        if node_order is not None
        else _topological(node_objs, node_ids)
    )
    nodes: list[NodeRecord] = []
    edges: list[EdgeRecord] = []
    for nid in ordered:
        node, op, keras_index, call_index = node_objs[nid]
        ins = list(node.input_tensors)
        nodes.append(
            NodeRecord(
                id=nid,
                layer_key=keys[id(op)],
                call_index=call_index,
                input_shapes=tuple(_shape(t) for t in ins),
                output_shapes=tuple(_shape(t) for t in node.outputs),
                output_dtypes=tuple(_dtype(t) for t in node.outputs),
                input_dtypes=tuple(_dtype(t) for t in ins),
                keras_index=keras_index,
            )
        )
        slots = _argument_slots(node)
        for target_index, t in enumerate(ins):
            source = _producer(t)
            if source is None or id(source) not in node_ids:
                continue
            argument, slot = slots.get(id(t), ("", -1))
            edges.append(
                EdgeRecord(
                    source=node_ids[id(source)],
                    target=nid,
                    source_index=t._keras_history.tensor_index,
                    target_index=target_index,
                    shape=_shape(t),
                    dtype=_dtype(t),
                    argument=argument,
                    input_slot=slot,
                )
            )

    first_seen = {nid: i for i, nid in enumerate(ordered)}
    ops_sorted = sorted(
        operations, key=lambda op: min((first_seen[n] for n in op_nodes[id(op)]), default=-1)
    )
    layers = []
    subgraphs = []
    for op in ops_sorted:
        key = keys[id(op)]
        implicit = implicit_input and type(op).__name__ == "InputLayer"
        layers.append(layer_record(op, key, prefix, tuple(op_nodes[id(op)]), implicit))
        if isinstance(op, Model):
            subgraphs.append((key, _walk_model(op, key)))
    return ops_sorted, {
        "layers": tuple(layers),
        "nodes": tuple(nodes),
        "edges": tuple(edges),
        "input_ids": tuple(_tensor_node(t, node_ids) for t in inputs if _producer(t) is not None),
        "output_ids": tuple(_tensor_node(t, node_ids) for t in outputs if _producer(t) is not None),
        "output_indices": tuple(
            t._keras_history.tensor_index for t in outputs if _producer(t) is not None
        ),
        "subgraphs": tuple(subgraphs),
    }


def _argument_slots(node: Any) -> dict[int, tuple[str, int]]:
    """``id(tensor) -> (argument, slot)`` for a node's inputs: first argument or a keyword."""
    from keras import tree

    arguments = getattr(node, "arguments", None)
    if arguments is None:
        return {}
    out: dict[int, tuple[str, int]] = {}
    first = arguments.args[0] if arguments.args else None
    for slot, t in enumerate(tree.flatten(first) if first is not None else []):
        out.setdefault(id(t), ("", slot))
    for name, value in arguments.kwargs.items():
        for slot, t in enumerate(tree.flatten(value)):
            out.setdefault(id(t), (name, slot))
    for name_index, value in enumerate(arguments.args[1:], start=1):
        for slot, t in enumerate(tree.flatten(value)):
            out.setdefault(id(t), (f"argument {name_index + 1}", slot))
    return out


def _input_fields(functional: Any, node_ids: dict[int, str]) -> dict[str, Any]:
    """``input_struct`` (Keras's ``_inputs_struct`` as node ids) and ``optional_inputs``."""
    from keras import tree

    struct = getattr(functional, "_inputs_struct", None)
    try:
        mapped = tree.map_structure(lambda t: _tensor_node(t, node_ids), struct)
    except Exception:  # pragma: no cover - an unusual structure: fall back to the flat list
        mapped = None
    optional = tuple(
        _tensor_node(t, node_ids)
        for t in functional.inputs
        if getattr(getattr(t, "_keras_history", None), "operation", None) is not None
        and getattr(t._keras_history.operation, "optional", False)
    )
    return {"input_struct": mapped, "optional_inputs": optional}


def _topological(node_objs: dict[str, Any], node_ids: dict[int, str]) -> list[str]:
    """Node ids inputs-first (Kahn's algorithm, ties broken by Keras's operation order)."""
    position = {nid: i for i, nid in enumerate(node_objs)}
    parents: dict[str, set[str]] = {nid: set() for nid in node_objs}
    children: dict[str, list[str]] = {nid: [] for nid in node_objs}
    for nid, (node, *_rest) in node_objs.items():
        for t in node.input_tensors:
            source = _producer(t)
            if source is not None and id(source) in node_ids:
                pid = node_ids[id(source)]
                if pid not in parents[nid]:
                    parents[nid].add(pid)
                    children[pid].append(nid)
    import heapq

    waiting = {nid: len(p) for nid, p in parents.items()}
    ready = [(position[n], n) for n, k in waiting.items() if k == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, nid = heapq.heappop(ready)
        out.append(nid)
        for child in children[nid]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (position[child], child))
    if len(out) != len(node_objs):  # a cycle cannot happen in Keras; keep the rest anyway
        out += [n for n in node_objs if n not in set(out)]
    return out


def _tensor_node(tensor: Any, node_ids: dict[int, str]) -> str:
    return node_ids.get(id(_producer(tensor)), "")


def _finish(fields: dict[str, Any], model: Any, kind: str) -> LayerGraph:
    return _graph(model.name, type(model).__name__, kind, param_totals(model), (), fields)


def _graph(
    name: str,
    class_name: str,
    kind: str,
    totals: tuple[int, int],
    notes: tuple[str, ...],
    fields: dict[str, Any],
) -> LayerGraph:
    """A ``LayerGraph`` from the walked ``fields`` and ``(trainable, non_trainable)`` totals."""
    import keras

    return LayerGraph(
        name=name,
        class_name=class_name,
        kind=kind,  # type: ignore[arg-type]
        total_params=sum(totals),
        trainable_params=totals[0],
        non_trainable_params=totals[1],
        notes=notes,
        keras_version=keras.__version__,
        **fields,
    )


def _layer_list_graph(model: Any, prefix: str, kind: str, note: str) -> LayerGraph:
    from keras.src.models import Model

    used: set[str] = set()
    layers = []
    subgraphs = []
    for layer in model.layers:
        key = unique_key(prefix, layer.name, used)
        layers.append(layer_record(layer, key, prefix, (), False))
        if isinstance(layer, Model):
            with contextlib.suppress(UnbuiltModelError):  # an unbuilt nested Sequential
                subgraphs.append((key, _walk_model(layer, key)))
    notes = [note]
    if not model.built:
        notes.append(
            f"{model.name!r} is not built yet, so its layers have no weights: call it once on "
            "data (e.g. `model(x)`) or call `model.build(input_shape)`."
        )
    fields = {"layers": tuple(layers), "subgraphs": tuple(subgraphs)}
    return _graph(model.name, type(model).__name__, kind, param_totals(model), tuple(notes), fields)


def _shape(tensor: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _dtype(tensor: Any) -> str:
    return str(getattr(tensor, "dtype", ""))


# -- running the graph one node at a time -----------------------------------------------------
class _Stub:
    """A stand-in tensor with a concrete shape and a dtype (the ``"dry"`` run: nothing computed)."""

    def __init__(self, shape: tuple[int, ...], dtype: str) -> None:
        self.shape, self.dtype = shape, dtype


def nbytes(tensor: Any) -> int:
    """Bytes a tensor (real, KerasTensor or stub) takes: elements times its dtype's item size."""
    shape = getattr(tensor, "shape", None)
    if shape is None:
        return 0
    dims = [1 if d is None else int(d) for d in shape]
    name = str(getattr(tensor, "dtype", "float32")).replace("<dtype: '", "").rstrip("'>")
    size = {"bool": 1, "int8": 1, "uint8": 1, "float16": 2, "bfloat16": 2, "int16": 2}.get(name)
    if size is None:
        size = 8 if name.endswith("64") else 16 if name.endswith("128") else 4
    return math.prod(dims) * size


class RunState:
    """Bytes alive during a run (``live``), their maximum (``peak``) and an optional ceiling.

    ``scratch(class_name, output_bytes)`` is what a layer may allocate while it runs on top of
    its inputs and outputs (e.g. a convolution's patches); it counts towards ``peak`` only.
    ``on_limit(peak, where)`` is called (and may raise) when ``peak`` passes ``limit_bytes``.
    """

    def __init__(
        self, limit_bytes: float = math.inf, on_limit: Any = None, scratch: Any = None
    ) -> None:
        self.live = 0
        self.peak = 0
        self.limit = limit_bytes
        self.on_limit = on_limit
        self.scratch = scratch

    def add(self, size: int, where: str, class_name: str = "") -> None:
        self.live += size
        extra = self.scratch(class_name, size) if self.scratch and class_name else 0
        if self.live + extra > self.peak:
            self.peak = self.live + extra
            if self.peak > self.limit and self.on_limit is not None:
                self.on_limit(self.peak, where)


def run_graph(
    model: Any,
    inputs: list[Any],
    visit: Any = None,
    *,
    mode: str = "real",
    state: RunState | None = None,
) -> list[Any]:
    """Run a functional (or built Sequential) model one node at a time; return its flat outputs.

    Keras's own ``Functional.call`` keeps every intermediate tensor until the call returns; this
    runs the same nodes, in the same order, with the same arguments (``node.arguments``, masks
    and ``training=False`` as ``Functional.call`` passes them) but drops each tensor as soon as
    its last consumer has run. Nested functional models are run the same way, inside.
    ``visit(node_id, outputs)`` sees every node's outputs (ids of ``build_layer_graph``; the inner
    nodes of a nested model on its first call, as ``"inner/dense@0"``). ``mode="dry"`` computes
    nothing: ``inputs`` are shapes ``(shape, dtype)`` and outputs are stubs whose ``None`` sizes
    are the batch size (for a memory estimate); ``mode="spec"`` runs ``compute_output_spec``
    (shapes of every tensor for inputs of any concrete shape, without allocating).

    Example:
        >>> import keras, numpy as np
        >>> x = keras.Input(shape=(4,), name="x")
        >>> m = keras.Model(x, keras.layers.Dense(2, name="d")(x))
        >>> seen = []
        >>> [tuple(y.shape) for y in run_graph(m, [np.zeros((3, 4))], lambda i, o: seen.append(i))]
        [(3, 2)]
        >>> seen
        ['x@0', 'd@0']
    """
    from keras import ops

    functional = _functional_of(model)
    run = state or RunState()
    if mode == "dry":
        flat = [_Stub(tuple(shape), dtype) for shape, dtype in inputs]
    elif mode == "spec":
        import keras

        flat = [keras.KerasTensor(tuple(shape), dtype=dtype) for shape, dtype in inputs]
    else:
        flat = functional._adjust_input_rank(functional._convert_inputs_to_tensors(list(inputs)))
        flat = [ops.convert_to_tensor(x) if x is not None else x for x in flat]
    batch = int(flat[0].shape[0]) if flat and flat[0] is not None and flat[0].shape else 1
    return _run(functional, "", flat, visit, mode, run, batch)


def _functional_of(model: Any) -> Any:
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    functional = model._functional if isinstance(model, Sequential) else model
    if not isinstance(functional, Functional):
        raise TypeError(
            f"run_graph needs a functional or built Sequential model; {model.name!r} is a "
            f"{type(model).__name__}."
        )
    return functional


def _nested_functional(op: Any) -> Any:
    """The Functional graph of a nested functional or built Sequential model, else ``None``."""
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    if isinstance(op, Sequential):
        return op._functional
    return op if isinstance(op, Functional) else None


def _node_keys(functional: Any, prefix: str) -> tuple[dict[int, str], dict[int, str]]:
    """``id(node) -> node id`` and ``id(op) -> layer key``, as ``_walk_nodes`` names them."""
    in_graph = _in_functional(functional)
    used: set[str] = set()
    node_ids: dict[int, str] = {}
    op_keys: dict[int, str] = {}
    for op in functional._operations:
        key = unique_key(prefix, op.name, used)
        op_keys[id(op)] = key
        calls = [node for i, node in enumerate(op._inbound_nodes) if in_graph(op, i)]
        for call_index, node in enumerate(calls):
            node_ids[id(node)] = f"{key}@{call_index}"
    return node_ids, op_keys


_NESTED_KWARGS = {"mask", "training"}


def _run(
    functional: Any,
    prefix: str,
    flat_inputs: list[Any],
    visit: Any,
    mode: str,
    state: RunState,
    batch: int,
) -> list[Any]:
    from keras import tree
    from keras.src.models.functional import operation_fn

    node_ids, op_keys = _node_keys(functional, prefix)
    tensors: dict[int, Any] = {}
    for x, y in zip(functional.inputs, flat_inputs, strict=True):
        tensors[id(x)] = y
        if visit is not None and (nid := node_ids.get(id(_producer(x)))):
            visit(nid, [y])
    owned: set[int] = set()  # tensors this graph made (a nested model's inputs are its caller's)
    if not prefix:
        owned.update(id(x) for x in functional.inputs)
        state.add(sum(nbytes(y) for y in flat_inputs if y is not None), "inputs")
    steps = [
        node
        for depth in sorted(functional._nodes_by_depth, reverse=True)
        for node in functional._nodes_by_depth[depth]
        if node.operation is not None and not node.is_input
    ]
    last_use: dict[int, int] = {}
    for index, node in enumerate(steps):
        for x in node.input_tensors:
            last_use[id(x)] = index
    keep = {id(x) for x in functional.outputs}
    for index, node in enumerate(steps):
        if any(id(x) not in tensors for x in node.input_tensors):
            continue  # not computable (Keras skips it too)
        op = node.operation
        nid = node_ids.get(id(node), "")
        args, kwargs = node.arguments.fill_in(tensors)
        if _nested_functional(op) is not None and set(kwargs) <= _NESTED_KWARGS and args:
            inner_visit = visit if nid.endswith("@0") else None
            outputs = _run_nested(
                op, op_keys[id(op)], args, kwargs, inner_visit, mode, state, batch
            )
        elif mode == "dry":
            outputs = [
                _Stub(tuple(batch if d is None else int(d) for d in x.shape), str(x.dtype))
                for x in node.outputs
            ]
        elif mode == "spec":
            outputs = op.compute_output_spec(*args, **kwargs)
        else:
            outputs = operation_fn(op, training=False)(*args, **kwargs)
        flat = tree.flatten(outputs)
        del args, kwargs, outputs
        state.add(sum(nbytes(y) for y in flat), nid, type(op).__name__)
        for x, y in zip(node.outputs, flat, strict=False):
            tensors[id(x)] = y
            owned.add(id(x))
        if visit is not None and nid:
            visit(nid, flat)
        del flat
        for x in node.input_tensors:
            if last_use.get(id(x)) == index and id(x) not in keep and id(x) in tensors:
                gone = tensors.pop(id(x))
                if id(x) in owned:
                    state.live -= nbytes(gone)
    outputs = [tensors[id(x)] for x in functional.outputs]
    # the caller takes the outputs over (and counts them); everything else here is gone
    state.live -= sum(nbytes(y) for k, y in tensors.items() if k in owned and y is not None)
    return outputs


def _run_nested(
    op: Any,
    key: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    visit: Any,
    mode: str,
    state: RunState,
    batch: int,
) -> list[Any]:
    """``op(*args, **kwargs)`` for a nested model, as ``Functional.call`` does it, node by node."""
    from keras import tree
    from keras.src import backend

    functional = _functional_of(op)
    first = args[0]
    if mode == "real":
        flat = functional._standardize_inputs(first)
        masks = kwargs.get("mask")
        if masks is not None:
            for x, mask in zip(flat, tree.flatten(masks), strict=False):
                if mask is not None:
                    backend.set_keras_mask(x, mask)
    else:
        flat = tree.flatten(first)
    return _run(functional, key, flat, visit, mode, state, batch)
