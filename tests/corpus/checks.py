"""Every keras_lens entry point on one model, each against what Keras itself says.

``check_model(model, batch)`` asserts:

* ``count_params``: the graph's totals (and the summary's) equal ``model.count_params()``;
* ``model.layers``: the top-level layers keras_lens lists are Keras's, by name;
* edges: the boxes keras_lens's DOT connects are the ones ``keras.utils.model_to_dot``
  connects, with and without ``expand_nested`` (layers compared as objects; Keras before 3.10
  is no reference for ``expand_nested``, see ``KERAS_DRAWS_NESTED_MODELS``), and the expanded
  drawing, each nested box folded into its top-level model, is the collapsed one;
* shapes: ``keras_lens.shapes(model, batch)`` fits every symbolic shape and its output rows
  equal the shapes of ``model(batch)``;
* ``compare(model, model)`` pairs every layer with itself ("same object").

Subclassed models are checked for the one refusal rule instead of a trace.
"""

from __future__ import annotations

from typing import Any

import keras
import keras_lens
from keras_lens.adapter._layer_info import _identity
from keras_lens.render.dot_render import GraphOptions, _Writer

__all__ = [
    "KERAS_DRAWS_NESTED_MODELS",
    "check_model",
    "dot_edges",
    "folded_nested_edges",
    "keras_dot_edges",
]

#: Keras before 3.10 is no reference for ``expand_nested=True``: its model_to_dot did not expand
#: a nested Sequential at all and wired a nested Functional at its first and last box whatever
#: the input or output (keras/src/utils/model_visualization.py, rewritten in Keras 3.10.0).
#: Measured in scripts/matrix.py's ``oldest`` env (Keras 3.8.0): 4 corpus models differed only
#: there. On those versions the expanded drawing is checked against the collapsed one instead.
KERAS_DRAWS_NESTED_MODELS = tuple(int(p) for p in keras.version().split(".")[:2]) >= (3, 10)


def _ops(model: Any) -> list[Any]:
    """Every operation of a model, nested models' included (for id -> object lookups)."""
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    if isinstance(model, Sequential) and model._functional is not None:
        own = list(model._functional._operations)
    elif isinstance(model, Functional):
        own = list(model._operations)
    else:
        own = list(model.layers)
    out = []
    for op in own:
        out.append(op)
        if isinstance(op, keras.Model):
            out += _ops(op)
    return out


def keras_dot_edges(model: Any, expand_nested: bool) -> set[tuple[str, str]]:
    """``(source, target)`` identities of the edges ``keras.utils.model_to_dot`` draws."""
    dot = keras.utils.model_to_dot(model, expand_nested=expand_nested)
    by_id = {str(id(op)): _identity(op) for op in [model, *_ops(model)]}
    edges = set()
    stack = [dot]
    while stack:
        graph = stack.pop()
        stack += graph.get_subgraphs()
        for e in graph.get_edges():
            edges.add((by_id[e.get_source()], by_id[e.get_destination()]))
    return edges


def dot_edges(model: Any, expand_nested: bool) -> set[tuple[str, str]]:
    """``(source, target)`` identities of the edges keras_lens's DOT draws (implicit inputs of
    a top-level Sequential aside: keras_lens draws that input box, model_to_dot does not)."""
    graph = keras_lens.build_layer_graph(model)
    writer = _Writer(graph, GraphOptions(expand_nested=expand_nested), ())
    writer.graph_body(graph, "  ")
    box_to_key = {box: key for key, box in writer.ids.items()}
    records = {layer.key: layer for g in graph.walk() for layer in g.layers}
    edges = set()
    for src, dst in writer.edge_pairs:
        a, b = records[box_to_key[src]], records[box_to_key[dst]]
        if a.implicit and graph.kind == "sequential" and a.key in {x.key for x in graph.layers}:
            continue
        edges.add((a.identity, b.identity))
    return edges


def check_model(model: Any, batch: Any, *, trace: bool = True) -> None:
    """Assert every entry point agrees with Keras on ``model`` (see the module docstring)."""
    graph = keras_lens.build_layer_graph(model)
    assert graph.total_params == model.count_params()
    ours = sorted(r.name for r in graph.layers if not r.implicit and not r.is_op)
    theirs = sorted(layer.name for layer in model.layers if not _is_op(layer))
    assert ours == theirs
    if graph.kind == "subclassed":
        for entry in (keras_lens.shapes, keras_lens.inspect):
            try:
                entry(model, batch)
            except ValueError as error:
                assert "subclassed" in str(error)
            else:  # pragma: no cover - the assertion message is the point
                raise AssertionError(f"{entry.__name__} accepted a subclassed model")
        return
    assert folded_nested_edges(model) == dot_edges(model, False)
    for expand in (False, True) if KERAS_DRAWS_NESTED_MODELS else (False,):
        try:
            theirs_edges = keras_dot_edges(model, expand)
        except IndexError:  # model_to_dot indexes a nested model's inputs by the position of
            assert expand and _mask_into_nested(graph)  # a mask argument: Keras's own limit
            continue
        assert dot_edges(model, expand) == theirs_edges, f"expand={expand}"
    table = keras_lens.compare(model, model).table
    assert {r.status for r in table.rows} == {"same object"}
    if not trace:
        return
    result = keras_lens.shapes(model, batch).trace
    assert result.traced and not result.mismatches, result.mismatches
    expected = [tuple(t.shape) for t in keras.tree.flatten(model(batch, training=False))]
    got = [
        result.row(node_id).actual[index]
        for node_id, index in zip(graph.output_ids, graph.output_indices, strict=True)
    ]
    assert got == expected


def folded_nested_edges(model: Any) -> set[tuple[str, str]]:
    """keras_lens's ``expand_nested=True`` edges with every box inside a nested model replaced
    by that model's top-level box (edges inside one model dropped): the collapsed drawing's."""
    graph = keras_lens.build_layer_graph(model)
    records = {layer.key: layer for g in graph.walk() for layer in g.layers}
    top = {}
    for record in records.values():
        outer = record
        while outer.parent:
            outer = records[outer.parent]
        top.setdefault(record.identity, outer.identity)
    folded = {(top[a], top[b]) for a, b in dot_edges(model, True)}
    return {(a, b) for a, b in folded if a != b}


def _mask_into_nested(graph: Any) -> bool:
    """True if a mask tensor goes into a nested model (model_to_dot fails on those)."""
    return any(
        e.argument == "mask" and g.layer(g.node(e.target).layer_key).is_model
        for g in graph.walk()
        for e in g.edges
    )


def _is_op(layer: Any) -> bool:
    return not isinstance(layer, keras.layers.Layer)
