"""The graph walk behind ``keras_lens.adapter.build_layer_graph``: Keras internals to records.

Private to the adapter (import from ``keras_lens.adapter``): with ``_adapter_run`` and
``adapter`` itself, the only code that reads Keras's private graph structures
(``model._operations``, ``model._nodes``, ``op._inbound_nodes``, ``tensor._keras_history``,
``Sequential._functional``). ``walk_model`` walks a model (no cache: ``build_layer_graph`` keeps
one), ``walk_tensors`` the KerasTensors of a graph still being built; ``node_keys`` and
``producer`` name and find nodes the way the walk does, for the runner.

Example:
    >>> import keras
    >>> from keras_lens.adapter._walk import walk_model
    >>> x = keras.Input(shape=(4,), name="x")
    >>> walk_model(keras.Model(x, keras.layers.Dense(2, name="d")(x), name="m"), "").layer_keys
    ('x', 'd')
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

from keras_lens.adapter._layer_info import layer_record, param_totals, unique_key, unique_variables
from keras_lens.records import EdgeRecord, LayerGraph, NodeRecord

__all__ = [
    "UnbuiltModelError",
    "in_functional",
    "node_keys",
    "producer",
    "walk_model",
    "walk_tensors",
]


class UnbuiltModelError(ValueError):
    """The model has no graph yet (an unbuilt Sequential); the message says how to build it."""

    __module__ = "keras_lens.adapter"  # where learners and callers import it from


def walk_model(model: Any, prefix: str) -> LayerGraph:
    """The ``LayerGraph`` of a model (functional, Sequential or subclassed), nested models as
    subgraphs whose layer keys start with ``prefix``; not cached."""
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


def walk_tensors(tensors: list[Any]) -> LayerGraph:
    """Walk back from output KerasTensors (no model yet), depth first, like Keras's map_graph."""
    order: list[Any] = []  # nodes, inputs first
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = []
    for t in reversed(tensors):
        node = producer(t)
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
            parent = producer(t)
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


def in_functional(functional: Any) -> Any:
    """``in_graph(op, index)``: is call number ``index`` of ``op`` a node of this model?"""
    from keras.src.ops.function import make_node_key

    return lambda op, i: make_node_key(op, i) in functional._nodes


def _walk_functional(functional: Any, prefix: str, *, implicit_input: bool = False) -> dict:
    """The ``LayerGraph`` fields of a Functional model (or a Sequential's inner one)."""
    _, fields = _walk_nodes(
        functional._operations,
        in_functional(functional),
        functional.inputs,
        functional.outputs,
        prefix,
        implicit_input=implicit_input,
    )
    node_ids, _ = node_keys(functional, prefix)
    return {**fields, **_input_fields(functional, node_ids)}


def producer(tensor: Any) -> Any:
    """The Keras node that made ``tensor`` (``None`` for a tensor of no graph)."""
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
            source = producer(t)
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
            subgraphs.append((key, walk_model(op, key)))
    return ops_sorted, {
        "layers": tuple(layers),
        "nodes": tuple(nodes),
        "edges": tuple(edges),
        "input_ids": tuple(_tensor_node(t, node_ids) for t in inputs if producer(t) is not None),
        "output_ids": tuple(_tensor_node(t, node_ids) for t in outputs if producer(t) is not None),
        "output_indices": tuple(
            t._keras_history.tensor_index for t in outputs if producer(t) is not None
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
            source = producer(t)
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
    return node_ids.get(id(producer(tensor)), "")


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
                subgraphs.append((key, walk_model(layer, key)))
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


def node_keys(functional: Any, prefix: str) -> tuple[dict[int, str], dict[int, str]]:
    """``id(node) -> node id`` and ``id(op) -> layer key``, as ``_walk_nodes`` names them."""
    in_graph = in_functional(functional)
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
